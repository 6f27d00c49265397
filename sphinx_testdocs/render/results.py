"""Test results on the pages: outcome badges on tests, totals on module and folder pages."""

from __future__ import annotations

from collections.abc import Sequence

from docutils import nodes

from sphinx_testdocs.render.common import NO_SEARCH, para
from sphinx_testdocs.render.pieces import Badge, Piece
from sphinx_testdocs.results.join import TestResults, Totals
from sphinx_testdocs.results.records import SEVERITY, Outcome

#: Failure messages and skip reasons shown on a test; the rest are in the results file.
_MESSAGES_SHOWN = 2


def outcome_badge(outcome: Outcome) -> Badge:
    return Badge(outcome.value, f"outcome-{outcome.value}")


def result_facts(sources: Sequence[str], found: Sequence[TestResults | None]) -> list[list[Piece]]:
    """Fact lines for one test (several when a framework made several of one function):
    its outcome in each results file, its duration, flakiness and messages."""
    present = [r for r in found if r is not None]
    if not present:
        return [[Badge("not run", "outcome-none"), " no results file mentions this test"]]
    line: list[Piece] = ["result: " if len(sources) == 1 else "results: "]
    for source, label in enumerate(sources):
        counts: dict[Outcome, int] = {}
        for results in present:
            for s, outcome, count in results.counts:
                if s == source:
                    counts[outcome] = counts.get(outcome, 0) + count
        if len(sources) > 1:
            line.append(("; " if source else "") + f"{label} ")
        line.extend(_counted(counts))
    duration = max(r.duration for r in present)
    if duration:
        line.append(f" in {seconds(duration)}")
    if any(r.flaky for r in present):
        line += [" ", Badge("flaky", "outcome-flaky")]
    reruns = sum(r.reruns for r in present)
    if reruns:
        line.append(f" ({reruns} rerun{'s' if reruns > 1 else ''})")
    elsewhere = sum(r.other_devices for r in present)
    if elsewhere:
        line.append(f" ({elsewhere} on another device)")
    if len(found) > len(present):
        line.append(f"; {len(found) - len(present)} of its tests in no results file")
    facts = [line]
    messages = dict.fromkeys(m for r in present for m in r.messages)
    facts += [["says: ", message] for message in list(messages)[:_MESSAGES_SHOWN]]
    return facts


def _counted(counts: dict[Outcome, int]) -> list[Piece]:
    if not counts:
        return ["not run"]
    if sum(counts.values()) == 1:
        return [outcome_badge(next(iter(counts)))]
    pieces: list[Piece] = []
    for outcome in SEVERITY:
        if outcome in counts:
            pieces += ([", "] if pieces else []) + [
                f"{counts[outcome]:,} ",
                outcome_badge(outcome),
            ]
    return pieces


def seconds(value: float) -> str:
    """A duration as a reader takes it in: milliseconds under a second."""
    if value < 0.001:
        return "<1 ms"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.2f} s" if value < 100 else f"{value:,.0f} s"


def totals_paragraph(totals: Totals, sources: Sequence[str]) -> nodes.paragraph:
    """One sentence: what the results files say of the known tests here."""
    what = (
        f"the results file {sources[0]}"
        if len(sources) == 1
        else f"{len(sources)} results files (a test counts its worst outcome)"
    )
    parts = [f"{totals.outcomes[o]:,} {o.value}" for o in SEVERITY if totals.outcomes.get(o)]
    ran = totals.known - totals.not_run
    text = f"Results, from {what}: of {totals.known:,} known tests, {ran:,} ran"
    if parts:
        text += " (" + ", ".join(parts) + ")"
    if totals.flaky:
        text += f", {totals.flaky:,} flaky"
    if totals.uncollected:
        files = "file" if totals.uncollected == 1 else "files"
        text += f", {totals.uncollected:,} {files} pytest could not collect"
    text += f"; {totals.not_run:,} in no results file." if totals.not_run else "."
    return para(text, classes=["testdocs-results", NO_SEARCH])


def collection_errors(errors: Sequence[tuple[str, str]]) -> list[nodes.Node]:
    """What a results file says of a module pytest could not collect."""
    out: list[nodes.Node] = []
    for label, message in errors:
        line = para(
            nodes.inline("error", "error", classes=["testdocs-badge", "testdocs-outcome-error"]),
            f" pytest could not collect this file in {label}",
            (": " + message) if message else ".",
            classes=["testdocs-collection-error"],
        )
        out.append(line)
    return out
