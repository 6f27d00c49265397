"""The suite overview on a test directory's root page: totals, folders, how well the
tests are known, largest modules, markers and files that failed to parse."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from docutils import nodes
from sphinx import addnodes

from sphinx_testdocs.analysis.model import ParseStatus
from sphinx_testdocs.analysis.summary import FileSummary, Totals
from sphinx_testdocs.render.common import (
    Cell,
    bullet_list,
    details,
    doc_link,
    literal,
    para,
    section,
    table,
)
from sphinx_testdocs.render.nodes import testdocs_bar

#: How many modules "Largest modules" shows: a ranking, so a cut is its point.
LARGEST = 10


@dataclass(frozen=True)
class Marker:
    """A marker and the tests carrying it, anchored on the overview."""

    name: str
    tests: int
    anchor: str


def marker_anchor(name: str) -> str:
    return "marker-" + nodes.make_id(name)


def markers_of(summaries: Mapping[str, FileSummary]) -> list[Marker]:
    counts: dict[str, int] = {}
    for summary in summaries.values():
        for name, n in summary.markers:
            counts[name] = counts.get(name, 0) + n
    return [Marker(name, n, marker_anchor(name)) for name, n in sorted(counts.items())]


def render_overview(
    summaries: Mapping[str, FileSummary],
    folders: Sequence[str],
    file_docnames: Mapping[str, str],
    folder_docnames: Mapping[str, str],
    id_prefix: str,
    *,
    index_entries: bool = True,
) -> nodes.section:
    """Overview of a whole test directory; every number sums the file pages' own.

    ``index_entries``: give each marker its general index entry (only the suite page
    does: a copy elsewhere would list every marker twice).
    """
    out = section(id_prefix + "suite-overview", "Suite overview")
    totals = Totals.of(list(summaries.values()))

    # Per folder: the files directly inside it, so the rows add up to the totals.
    rows: list[list[Cell]] = []
    busiest = max((_folder_totals(summaries, f).tests for f in folders), default=0)
    for folder in folders:
        t = _folder_totals(summaries, folder)
        if not t.files:
            continue
        label = (folder + "/") if folder else "./"
        rows.append(
            [
                doc_link(folder_docnames[folder], literal(label)),
                f"{t.files:,}",
                f"{t.tests:,}",
                testdocs_bar(value=t.tests, maximum=busiest),
                f"{t.lines:,}",
            ]
        )
    rows.append(["Total", f"{totals.files:,}", f"{totals.tests:,}", "", f"{totals.lines:,}"])
    out += para("Tests per folder (files directly inside each folder):")
    out += table(
        ["Folder", "Files", "Tests", "Share of tests", "Lines"],
        rows,
        numeric=(1, 2, 4),
        classes=["testdocs-overview"],
    )

    out += _how_known(summaries, file_docnames)

    largest = sorted(summaries.values(), key=lambda s: (-s.lines, s.relpath))[:LARGEST]
    if largest:
        out += nodes.rubric("", f"Largest modules (the {len(largest)} with the most lines)")
        out += table(
            ["Module", "Lines", "Tests", "Classes", "Functions"],
            [
                [
                    doc_link(file_docnames[s.relpath], literal(s.relpath)),
                    f"{s.lines:,}",
                    f"{s.tests:,}",
                    f"{s.classes:,}",
                    f"{s.functions:,}",
                ]
                for s in largest
            ],
            numeric=(1, 2, 3, 4),
        )

    markers = markers_of(summaries)
    title = f"Markers ({len(markers)})"
    out += nodes.rubric("", title)
    if markers:
        most = max(m.tests for m in markers)
        marker_rows: list[list[Cell]] = []
        for marker in markers:
            name = nodes.inline(ids=[id_prefix + marker.anchor])
            name += literal(marker.name)
            marker_rows.append(
                [name, f"{marker.tests:,}", testdocs_bar(value=marker.tests, maximum=most)]
            )
        out += table(["Marker", "Uses", "Share"], marker_rows, numeric=(1,))
        if index_entries:
            # Markers are domain objects: give each its general index entry, as tests have.
            out += addnodes.index(
                entries=[
                    ("single", f"{m.name} (marker)", id_prefix + m.anchor, "", None)
                    for m in markers
                ]
            )
    else:
        out += para("No test carries a marker (parametrize aside).")

    failed = [s for s in summaries.values() if s.status is not ParseStatus.OK]
    out += nodes.rubric("", f"Files Python cannot parse ({len(failed)})")
    if failed:
        out += bullet_list(
            [
                para(
                    doc_link(file_docnames[s.relpath], literal(s.relpath)),
                    " (structure recovered)"
                    if s.status is ParseStatus.PARTIAL
                    else " (no structure)",
                )
                for s in sorted(failed, key=lambda s: s.relpath)
            ]
        )
    else:
        out += para("Every file parses.")
    return out


#: Partly known modules listed before the list is collapsed.
_PARTLY_OPEN = 20


def _how_known(
    summaries: Mapping[str, FileSummary], file_docnames: Mapping[str, str]
) -> list[nodes.Node]:
    """How many test modules are fully known, and why the others are not."""
    modules = [s for s in summaries.values() if s.is_test_module]
    partly = sorted((s for s in modules if s.partly_known), key=lambda s: s.relpath)
    out: list[nodes.Node] = [nodes.rubric("", "How well the tests are known")]
    full = len(modules) - len(partly)
    sentence = (
        f"{full:,} of {len(modules):,} test modules are fully known (every test pytest "
        "collects is listed, with its exact name and case count)"
    )
    if not partly:
        out.append(para(sentence + "."))
        return out
    out.append(para(f"{sentence}; {len(partly):,} partly, because:"))
    rows: list[list[Cell]] = [
        [
            doc_link(file_docnames[s.relpath], literal(s.relpath)),
            "; ".join(s.partly_known[:2])
            + (f" (and {len(s.partly_known) - 2} more)" if len(s.partly_known) > 2 else ""),
        ]
        for s in partly
    ]
    listing = table(["Module", "Why"], rows, classes=["testdocs-partly"])
    if len(partly) > _PARTLY_OPEN:
        out.append(details(f"Show the {len(partly):,} partly known modules", listing))
    else:
        out.append(listing)
    return out


def _folder_totals(summaries: Mapping[str, FileSummary], folder: str) -> Totals:
    prefix = folder + "/" if folder else ""
    return Totals.of(
        [
            s
            for rel, s in summaries.items()
            if rel.startswith(prefix) and "/" not in rel[len(prefix) :]
        ]
    )
