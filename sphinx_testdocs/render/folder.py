"""Build folder pages (and the suite's root page) as docutils nodes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from docutils import nodes
from sphinx import addnodes

from sphinx_testdocs.analysis.scan import ScannedFolder
from sphinx_testdocs.analysis.summary import FileSummary, Totals
from sphinx_testdocs.render.common import (
    Cell,
    bullet_list,
    details,
    doc_link,
    human_size,
    literal,
    owner_xref,
    para,
    plural,
    section,
    table,
)
from sphinx_testdocs.render.nodes import testdocs_payload
from sphinx_testdocs.render.overview import render_overview
from sphinx_testdocs.render.pieces import fields
from sphinx_testdocs.render.results import totals_paragraph
from sphinx_testdocs.results.join import Totals as ResultTotals


@dataclass
class FolderView:
    """A folder as its page shows it: what is in it, and where each entry's page is."""

    title: str
    docname: str
    folder: ScannedFolder
    is_root: bool
    location: str  # path relative to the project root
    summaries: Mapping[str, FileSummary]  # relpath -> summary, for this folder and below
    subfolder_totals: Mapping[str, Totals]
    file_docnames: Mapping[str, str]
    folder_docnames: Mapping[str, str]
    readme: tuple[str, str] | None = None  # (name, text)
    id_prefix: str = ""
    #: Outcomes of the known tests below, and the results files' labels.
    results: tuple[ResultTotals, tuple[str, ...]] | None = None
    #: What of the tree goes into the navigation: this page's toctree lists its
    #: subfolders' pages unless only the suite page does ("suite"), and its files'
    #: pages too with "files".
    navigation: str = "files"
    #: Every folder of the tree (the overview on the root page lists them).
    all_folders: Sequence[ScannedFolder] = ()
    #: Why pytest, run as configured, never enters this folder; None when it does.
    not_collected: str | None = None
    #: What may make pytest collect other files than counted (root page only).
    doubts: Sequence[str] = ()
    #: relpath -> owner names of each file at or below the folder.
    owners: Mapping[str, Sequence[str]] = field(default_factory=dict)


def toctree(
    parent: str,
    docnames: Sequence[str],
    *,
    hidden: bool,
    caption: str | None = None,
    maxdepth: int = 1,
) -> nodes.compound:
    """A toctree node as the ``toctree`` directive would build it."""
    node = addnodes.toctree()
    node["parent"] = parent
    node["entries"] = [(None, d) for d in docnames]
    node["includefiles"] = list(docnames)
    node["maxdepth"] = maxdepth
    node["caption"] = caption
    node["rawcaption"] = caption or ""
    node["glob"] = False
    node["hidden"] = hidden
    node["includehidden"] = False
    node["numbered"] = 0
    node["titlesonly"] = True
    wrapper = nodes.compound(classes=["toctree-wrapper"])
    wrapper += node
    return wrapper


def _size(size: int) -> str:
    return human_size(size).split(" (")[-1].rstrip(")") if size >= 1024 else f"{size} B"


def _collection_notes(view: FolderView, totals: Totals) -> list[nodes.Node]:
    """What pytest leaves out, and what may change it: totals count only what it collects."""
    out: list[nodes.Node] = []
    if view.not_collected is not None:
        out.append(
            para(
                f"pytest, run as configured, does not collect this folder: {view.not_collected}.",
                classes=["testdocs-not-collected"],
            )
        )
    elif totals.not_collected:
        out.append(
            para(
                f"Not counted: {totals.not_collected:,} test module"
                f"{'' if totals.not_collected == 1 else 's'} with "
                f"{totals.not_collected_tests:,} tests that pytest, run as configured, does "
                "not collect (their pages say why).",
                classes=["testdocs-not-collected"],
            )
        )
    if view.doubts:
        out.append(para("pytest may also collect other files, or in another order:"))
        out.append(bullet_list([para(doubt) for doubt in view.doubts]))
    return out


def totals_sentence(where: str, location: str, totals: Totals) -> nodes.paragraph:
    """ "<where> at <location>/ holds N Python files ...": a folder's totals in one line."""
    return para(
        f"{where} at ",
        literal(location + "/"),
        " holds ",
        f"{totals.files:,} Python files ({totals.test_modules:,} test modules) with "
        f"{totals.tests:,} tests and {totals.cases:,}{'' if totals.cases_exact else '+'} "
        "test cases, counting every folder below it.",
    )


def _owners(view: FolderView) -> nodes.Node:
    """Who owns the files at and below the folder: each owner with its number of files
    (most first), and the files no one owns."""
    counts: dict[str, int] = {}
    unowned = 0
    for rel in view.summaries:
        names = view.owners.get(rel, ())
        unowned += not names
        for name in names:
            counts[name] = counts.get(name, 0) + 1
    items: list[nodes.Node | str] = []
    for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        if items:
            items.append(", ")
        items += [owner_xref(name), f" ({plural(count, 'file')})"]
    if unowned:
        if items:
            items.append(", ")
        items.append(f"no owner ({plural(unowned, 'file')})")
    return para(*items) if items else para("no files")


#: A row of a folder's Contents: name, the page it links to, the other cells.
ContentsRow = tuple[str, str, tuple[str, ...]]


class testdocs_contents(testdocs_payload):
    """A folder's Contents table, kept as its rows until just before references
    resolve: a folder of N files is 20 N nodes as a table (a quarter of every node in
    NumPy's suite), which reading transforms and the pickler would walk again."""

    holds_references = True

    @staticmethod
    def build(payload: tuple[ContentsRow, ...]) -> list[nodes.Node]:
        rows: list[list[Cell]] = [
            [doc_link(docname, literal(name)), *cells] for name, docname, cells in payload
        ]
        headers = ["Name", "Kind", "Tests", "Classes", "Functions", "Lines", "Size"]
        return [table(headers, rows, numeric=(2, 3, 4, 5, 6), classes=["testdocs-summary"])]


def render_folder(view: FolderView) -> list[nodes.Node]:
    """The body of a folder page, wrapped in a section titled ``view.title``."""
    folder = view.folder
    page = nodes.section(
        ids=[view.id_prefix + "folder-" + nodes.make_id(folder.relpath or "root")],
        classes=["testdocs-folder"],
    )
    page += nodes.title(view.title, view.title)
    all_summaries = list(view.summaries.values())
    totals = Totals.of(all_summaries)
    where = "the test suite" if view.is_root else "this folder"
    page += totals_sentence(where.capitalize(), view.location, totals)
    page += _collection_notes(view, totals)
    if view.results is not None:
        page += totals_paragraph(*view.results)
    page += fields(
        [
            ("Python files", f"{totals.files:,}"),
            ("Test modules", f"{totals.test_modules:,}"),
            ("Tests", f"{totals.tests:,}"),
            ("Test cases", totals.cases_text),
            ("Classes", f"{totals.classes:,}"),
            ("Functions", f"{totals.functions:,}"),
            ("Fixtures", f"{totals.fixtures:,}"),
            ("Markers", f"{len({name for s in all_summaries for name, _ in s.markers}):,}"),
            ("Lines", f"{totals.lines:,}"),
            ("Size", human_size(totals.size)),
            ("Files Python cannot parse", f"{totals.unparsed:,}"),
            ("Owners", _owners(view)),
        ]
    )
    if view.is_root:
        page += render_overview(
            view.summaries,
            [f.relpath for f in view.all_folders],
            view.file_docnames,
            view.folder_docnames,
            view.id_prefix,
        )
    if view.readme:
        name, text = view.readme
        block = nodes.literal_block(text, text, classes=["testdocs-readme"])
        block["language"] = "text"
        page += section(view.id_prefix + "readme", name, block)

    rows: list[ContentsRow] = []
    for sub in folder.subfolders:
        t = view.subfolder_totals.get(sub, Totals())
        name = PurePosixPath(sub).name + "/"
        counts = (f"{t.tests:,}", f"{t.classes:,}", f"{t.functions:,}", f"{t.lines:,}")
        rows.append((name, view.folder_docnames[sub], ("folder", *counts, _size(t.size))))
    for rel in folder.files:
        s = view.summaries.get(rel)
        name = PurePosixPath(rel).name
        if s is None:
            rows.append((name, view.file_docnames[rel], ("",) * 6))
            continue
        kind = s.kind.value + ("" if s.status.value == "ok" else f" ({s.status.value} parse)")
        if s.not_collected is not None and s.kind.value == "test module":
            kind += " (not collected)"
        counts = (f"{s.tests:,}", f"{s.classes:,}", f"{s.functions:,}", f"{s.lines:,}")
        rows.append((name, view.file_docnames[rel], (kind, *counts, _size(s.size))))
    if rows:
        page += section(view.id_prefix + "contents", "Contents", testdocs_contents.of(tuple(rows)))
    if folder.others:
        other_rows: list[list[Cell]] = [
            [literal(o.name), "" if o.kind.startswith("folder") else _size(o.size), o.kind]
            for o in folder.others
        ]
        other_table = table(["Name", "Size", "Type"], other_rows, numeric=(1,))
        body: nodes.Node = (
            details(f"Show {len(other_rows):,} other files", other_table)
            if len(other_rows) > 20
            else other_table
        )
        page += section(view.id_prefix + "other-files", "Other files", body)
    children = []
    if view.navigation != "suite":
        children += [view.folder_docnames[s] for s in folder.subfolders]
    if view.navigation == "files":
        children += [view.file_docnames[f] for f in folder.files]
    if children:
        page += toctree(view.docname, children, hidden=True)
    return [page]
