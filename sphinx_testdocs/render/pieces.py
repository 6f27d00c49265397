"""Inline content kept as data: pieces both the node builder and the HTML writer read.

Large suites put tens of thousands of short lines on their pages (facts of the analysis
tree, the Dependencies lists): a run of text, some code, a link or two. As ordinary
nodes each line costs a dozen objects that every transform, the pickler, the reference
resolver and the translator walk. As pieces it costs one tuple per run: the HTML
translator writes them directly (``render.html.pieces_html``), and every other builder
gets ordinary nodes from ``pieces_nodes``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any, NamedTuple, TypeAlias

from docutils import nodes

from sphinx_testdocs.render.common import (
    NO_SEARCH,
    bullet_list,
    doc_link,
    field_list,
    literal,
    optional_xref,
)
from sphinx_testdocs.render.nodes import line_reference, line_references, testdocs_compact


class Code(NamedTuple):
    """Text shown as code."""

    text: str


class LineRef(NamedTuple):
    """A link to a line of this page's listing; shows "line N" unless ``text`` is set."""

    anchor: str
    line: int
    text: str = ""

    @property
    def shown(self) -> str:
        return self.text or f"line {self.line}"


class LineRefs(NamedTuple):
    """Comma-separated links to lines of this page's listing, labelled by number.

    One piece for a whole run: the lists of lines behind imports and findings run to
    hundreds of numbers on large files, and a ``LineRef`` and a separator each were
    most of the objects the parallel writer holds per page.
    """

    anchor: str
    lines: tuple[int, ...]


class Badge(NamedTuple):
    text: str
    #: An extra class, ``testdocs-<kind>`` (an outcome: ``outcome-failed``).
    kind: str = ""

    @property
    def classes(self) -> list[str]:
        return ["testdocs-badge", f"testdocs-{self.kind}"] if self.kind else ["testdocs-badge"]


class DocLink(NamedTuple):
    """A link to another document (a generated page), labelled with code."""

    docname: str
    label: str


class PyRef(NamedTuple):
    """Code that links to the Python object ``target`` where anything documents it."""

    reftype: str  # "mod" or "obj"
    target: str
    text: str


#: One run of inline content; plain ``str`` pieces are text.
Piece: TypeAlias = "str | Code | LineRef | LineRefs | Badge | DocLink | PyRef"


def pieces_nodes(pieces: Sequence[Piece], linkable: Collection[str] = ()) -> list[nodes.Node]:
    """Ordinary inline nodes; a ``PyRef`` becomes a reference only if its target is in
    ``linkable`` (see ``documented_python_names``), otherwise plain code."""
    out: list[nodes.Node] = []
    for piece in pieces:
        if isinstance(piece, str):
            out.append(nodes.Text(piece))
        elif isinstance(piece, Code):
            out.append(literal(piece.text))
        elif isinstance(piece, LineRef):
            out.append(line_reference(piece.anchor, piece.line, piece.shown))
        elif isinstance(piece, LineRefs):
            out.extend(line_references(piece.anchor, piece.lines))
        elif isinstance(piece, Badge):
            out.append(nodes.inline(piece.text, piece.text, classes=piece.classes))
        elif isinstance(piece, DocLink):
            out.append(doc_link(piece.docname, literal(piece.label)))
        elif piece.target in linkable:
            out.append(optional_xref("py", piece.reftype, piece.target, literal(piece.text)))
        else:
            out.append(literal(piece.text))
    return out


def python_targets(pieces: Sequence[Piece]) -> list[str]:
    return [p.target for p in pieces if isinstance(p, PyRef)]


class testdocs_pieces(nodes.Inline, testdocs_compact):
    """Inline content kept as ``pieces`` until it is written (see the module docstring).

    Its one child is the names among the pieces, for the search index. The HTML
    translator writes the pieces (``render.html``); ``transforms.ExpandCompact`` turns
    them into nodes for other builders, and wherever a ``PyRef`` among them may resolve.
    """

    def expand(self, linkable: Collection[str] = ()) -> list[nodes.Node]:
        return pieces_nodes(self["pieces"], linkable)

    def python_targets(self) -> list[str]:
        return python_targets(self["pieces"])

    def prefix_line_anchors(self, prefix: str) -> bool:
        self["pieces"] = tuple(
            p._replace(anchor=prefix + p.anchor) if isinstance(p, (LineRef, LineRefs)) else p
            for p in self["pieces"]
        )
        return True


def pieces_paragraph(pieces: Sequence[Piece]) -> nodes.paragraph:
    """A paragraph of pieces: an ordinary paragraph, so that lists around it stay
    "simple" for the HTML writer, holding one ``testdocs_pieces`` (whose text, for the
    search index, is the names among the pieces)."""
    kept = testdocs_pieces(pieces=tuple(pieces))
    kept += nodes.Text(_code_text(pieces))
    return nodes.paragraph("", "", kept)


class PieceList(NamedTuple):
    """A bullet list under a rubric, each item one paragraph of pieces."""

    heading: str
    classes: tuple[str, ...]
    items: tuple[tuple[Piece, ...], ...]


class testdocs_piecelists(nodes.General, testdocs_compact):
    """A section's rubric-headed lists of pieces (``lists``), kept whole until written.

    A module's Dependencies are a few thousand list items on a large suite: as nodes
    (item, paragraph, pieces, text) they were a quarter of the resolved doctrees, which
    the parallel writer holds for every page at once. ``transforms.ExpandCompact``
    keeps this node for HTML when none of its Python names can link, and the HTML
    translator writes it directly; everywhere else it becomes the rubrics and lists of
    ``expand()``. Its one child is the searchable text (the names in lists not marked
    ``no-search``), for the search index and ``astext()``.
    """

    def expand(self, linkable: Collection[str] = ()) -> list[nodes.Node]:
        out: list[nodes.Node] = []
        for heading, classes, items in self["lists"]:
            out.append(nodes.rubric(heading, heading, classes=[NO_SEARCH]))
            out.append(bullet_list([pieces_paragraph(item) for item in items], *classes))
        return out

    def python_targets(self) -> list[str]:
        return [t for lst in self["lists"] for item in lst.items for t in python_targets(item)]


def piece_lists(lists: Sequence[PieceList]) -> testdocs_piecelists:
    # Only the names are searchable: the headings ("Standard library"), line numbers
    # and notes ("imported inside a function") are the same on every page (so the
    # headings are "no-search" and a paragraph's search text is its names).
    node = testdocs_piecelists(lists=tuple(lists))
    node += nodes.Text(
        "\n".join(
            _code_text(item)
            for _, classes, items in lists
            if NO_SEARCH not in classes
            for item in items
        )
    )
    return node


class testdocs_fields(nodes.General, testdocs_compact):
    """A field list kept as ``rows`` of (name, pieces) until it is written.

    File Metadata and High-Level Overview put a field list of about ten rows on every
    module page: as nodes (field, name, body, paragraph, text...) they were half the
    nodes of NumPy's module pages, which every reading transform, the pickler, the
    unpickler and the post-transforms walk. A value that must stay a node (a reference
    Sphinx resolves, a link whose commit is filled when written) has None for pieces,
    and is the node's next child: resolved and filled where it stands. Every builder,
    HTML included, gets the field list of ``expand()`` when the page is written.
    """

    def expand(self, linkable: Collection[str] = ()) -> list[nodes.Node]:
        cells = iter(list(self.children))
        if sum(pieces is None for _, pieces in self["rows"]) != len(self.children):
            raise ValueError("a field list's node cells and its children differ in number")
        rows: list[tuple[str, nodes.Node]] = [
            (name, next(cells))
            if pieces is None
            else (name, nodes.paragraph("", "", *pieces_nodes(pieces, linkable)))
            for name, pieces in self["rows"]
        ]
        return [field_list(rows)]

    def expanded(self) -> bool:
        # Its children are cells (paragraphs) until expanded, then its one field list.
        return len(self.children) == 1 and isinstance(self[0], nodes.field_list)


def fields(rows: Iterable[tuple[str, str | Code | nodes.Node]]) -> testdocs_fields:
    """A field list: each value text, code, or a node (a paragraph, kept as it is)."""
    node = testdocs_fields()
    kept: list[tuple[str, tuple[Piece, ...] | None]] = []
    for name, value in rows:
        if isinstance(value, nodes.Node):
            kept.append((name, None))
            node += value
        else:
            kept.append((name, (value,)))
    node["rows"] = tuple(kept)
    return node


def _code_text(pieces: Sequence[Piece]) -> str:
    """The names among ``pieces``: what is shown as code or links to a page."""
    return " ".join(
        p.label if isinstance(p, DocLink) else p.text
        for p in pieces
        if isinstance(p, (Code, PyRef, DocLink))
    )


def documented_python_names(env: Any) -> frozenset[str]:
    """Every name a ``py`` reference could resolve to: the Python domain's objects and
    modules, and the Python entries of intersphinx inventories.

    A ``PyRef`` to any other name stays code without being offered to the reference
    resolver: on a suite that imports thousands of undocumented names, resolving (and
    failing) each one was a tenth of the build. References resolve by exact name here
    (no ``py:module`` context), so the check loses no link Sphinx or intersphinx would
    make; a third-party ``missing-reference`` handler is no longer asked about names
    that neither knows.
    """
    python = env.get_domain("py")
    names = set(getattr(python, "objects", {}))
    names.update(getattr(python, "modules", {}))
    inventory = getattr(env, "intersphinx_inventory", None) or {}
    for objtype, entries in inventory.items():
        if objtype.startswith("py:"):
            names.update(entries)
    return frozenset(names)
