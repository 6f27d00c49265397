"""The suite overview on a test directory's root page: totals, folders, largest modules,
markers and files that failed to parse."""

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
) -> nodes.section:
    """Overview of a whole test directory; every number sums the file pages' own."""
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
        out += table(["Marker", "Tests", "Share"], marker_rows, numeric=(1,))
        # Markers are domain objects: give each its general index entry, as tests have.
        out += addnodes.index(
            entries=[
                ("single", f"{m.name} (marker)", id_prefix + m.anchor, "", None) for m in markers
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


def _folder_totals(summaries: Mapping[str, FileSummary], folder: str) -> Totals:
    prefix = folder + "/" if folder else ""
    return Totals.of(
        [
            s
            for rel, s in summaries.items()
            if rel.startswith(prefix) and "/" not in rel[len(prefix) :]
        ]
    )
