"""The HTML translators' one visitor for compact nodes, and the HTML written by hand.

Every compact node (``nodes.testdocs_compact``) expands into ordinary nodes. HTML
translators meet the ones ``transforms.ExpandCompact`` kept whole, and either write a
kind's HTML here directly, as Sphinx's HTML5 translator would write its expansion, or
expand it in place and go on into the ordinary nodes. A kind is written here only where
that was measured to pay against expanding and visiting (``docs/performance.rst``,
"Compact nodes"); ``tests/test_builders.py`` compares each with the translator's output.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from docutils import nodes

from sphinx_testdocs.render.common import (
    FORGE_LABEL,
    FORGE_LINK,
    FORGE_SEPARATOR,
    FORGE_TITLE,
    NO_SEARCH,
)
from sphinx_testdocs.render.listing import listing_html, narrow, prepared_lines
from sphinx_testdocs.render.module import Fact, TreeItem, structure_items, testdocs_structure
from sphinx_testdocs.render.nodes import (
    LINE_LINK,
    kind_class,
    testdocs_bar,
    testdocs_compact,
    testdocs_defline,
    testdocs_linelinks,
    testdocs_links,
    testdocs_listing,
)
from sphinx_testdocs.render.pieces import (
    Badge,
    Code,
    LineRef,
    LineRefs,
    Piece,
    PieceList,
    PyRef,
    testdocs_piecelists,
    testdocs_pieces,
)
from sphinx_testdocs.render.testedby import row_parts, testdocs_testedby

__all__ = ["depart_compact_html", "visit_compact_html"]


def visit_compact_html(self: Any, node: testdocs_compact) -> None:
    """Write the node's HTML if it is written by hand; otherwise expand it in place
    (once) and let the translator go on into its content with the usual visitors."""
    writer = _WRITERS.get(type(node))
    if writer is not None:
        self.body.append(narrow(writer(self, node)))
        raise nodes.SkipNode
    if not node.expanded():
        node[:] = node.expand()


def depart_compact_html(self: Any, node: testdocs_compact) -> None:
    pass


# --- the pieces of inline markup ---------------------------------------------------------


def code_html(encode: Callable[[str], str], text: str) -> str:
    """Inline code as Sphinx's HTML writer writes a ``literal``: wrappable between words."""
    pieces = []
    for token in _WORDS_AND_SPACES.findall(encode(text)):
        if token.strip():
            pieces.append(f'<span class="pre">{token}</span>')
        elif token in " \n":
            pieces.append(token)
        else:  # a run of spaces: all but the last one must not wrap
            pieces.append("&#160;" * (len(token) - 1) + " ")
    return f'<code class="docutils literal notranslate">{"".join(pieces)}</code>'


_WORDS_AND_SPACES = re.compile(r"\S+| +|\n")

#: Dashes written as character references. Python holds a string one byte a character
#: while it is all Latin-1, and two once one em dash is in it; Sphinx holds a page's
#: markup whole more than once while writing it (the body joined from the translator's
#: pieces, then the page its template renders around it), so the headline of every
#: definition, a dash or two each, doubled the memory a large page takes to write: on
#: NumPy's largest test file (4.2 MB of HTML) the build's peak went from 146 to 136 MB
#: with these.
EM_DASH = "&#8212;"
EN_DASH = "&#8211;"


def line_link_html(encode: Callable[[str], str], anchor: str, line: int, text: str) -> str:
    """The HTML of ``nodes.line_reference``: a link to a line of this page's listing."""
    href = f"#{encode(anchor)}-{line}"
    return f'<a class="reference internal {LINE_LINK}" href="{href}">{encode(text)}</a>'


def linelinks_html(encode: Callable[[str], str], anchor: str, lines: Sequence[int]) -> str:
    """Comma-separated links to listing lines (``nodes.line_references``)."""
    return ", ".join(line_link_html(encode, anchor, line, str(line)) for line in lines)


def pieces_html(
    pieces: Sequence[Piece],
    encode: Callable[[str], str],
    doc_uri: Callable[[str], str | None] = lambda docname: None,
) -> str:
    """The HTML Sphinx's translator writes for ``pieces_nodes`` once references resolve.

    ``doc_uri`` gives the relative address of a document (None: it does not exist, and
    the label stays text). Every ``PyRef`` is written as code: ``ExpandCompact`` expands
    the pieces whose targets something documents, and lets them resolve as nodes.
    """
    html = []
    for piece in pieces:
        if isinstance(piece, str):
            html.append(encode(piece))
        elif isinstance(piece, (Code, PyRef)):
            html.append(code_html(encode, piece.text))
        elif isinstance(piece, LineRef):
            html.append(line_link_html(encode, piece.anchor, piece.line, piece.shown))
        elif isinstance(piece, LineRefs):
            html.append(linelinks_html(encode, piece.anchor, piece.lines))
        elif isinstance(piece, Badge):
            classes = " ".join(piece.classes)
            html.append(f'<span class="{classes}">{encode(piece.text)}</span>')
        else:
            uri = doc_uri(piece.docname)
            if uri is None:
                html.append(code_html(encode, piece.label))
            else:
                # A resolved :doc: reference keeps its text, not the code around it.
                html.append(
                    f'<a class="reference internal" href="{encode(uri)}">'
                    f'<span class="doc">{encode(piece.label)}</span></a>'
                )
    return "".join(html)


def piece_lists_html(
    lists: Sequence[PieceList],
    encode: Callable[[str], str],
    doc_uri: Callable[[str], str | None],
) -> str:
    """What Sphinx's HTML translator writes for ``testdocs_piecelists.expand()``."""
    html = []
    for heading, classes, items in lists:
        html.append(f'<p class="rubric {NO_SEARCH}">{encode(heading)}</p>\n')
        html.append(f'<ul class="{encode(" ".join((*classes, "simple")))}">\n')
        html.extend(f"<li><p>{pieces_html(item, encode, doc_uri)}</p></li>\n" for item in items)
        html.append("</ul>\n")
    return "".join(html)


def _doc_uri(builder: Any) -> Callable[[str], str | None]:
    """``doc_uri`` for ``pieces_html``: the address of a document from the page written."""
    here, docs = builder.current_docname, builder.env.all_docs

    def doc_uri(docname: str) -> str | None:
        return builder.get_relative_uri(here, docname) if docname in docs else None

    return doc_uri


# --- one writer per kind written by hand -------------------------------------------------


def _links(self: Any, node: testdocs_links) -> str:
    builder = self.builder
    here = builder.current_docname
    html = [self.starttag(node, "ul", CLASS="simple")]
    for label, docname, note in node["links"]:
        if docname:
            # A resolved :doc: reference keeps its text, not the code around it.
            uri = self.encode(builder.get_relative_uri(here, docname))
            item = (
                f'<a class="reference internal" href="{uri}">'
                f'<span class="doc">{self.encode(label)}</span></a>'
            )
        else:
            item = code_html(self.encode, label)
        if note:
            item += f" ({self.encode(note)})"
        html.append(f"<li><p>{item}</p></li>\n")
    html.append("</ul>\n")
    return "".join(html)


def defline_html(encode: Callable[[str], str], headline: Mapping[str, Any]) -> str:
    """A definition's headline: what the translator writes for ``testdocs_defline``."""
    label, anchor, line, end = (
        headline["label"],
        headline["anchor"],
        headline["line"],
        headline["end"],
    )
    parts = [
        f'<span class="testdocs-badge {kind_class(label)}">{encode(label)}</span> ',
        '<code class="docutils literal notranslate testdocs-name"><span class="pre">'
        f"{encode(headline['name'])}</span></code>",
    ]
    if headline["bases"]:
        parts.append(f"({encode(headline['bases'])})")
    parts.append(f" {EM_DASH} " + line_link_html(encode, anchor, line, f"line {line}"))
    if end > line:
        parts.append(f"{EN_DASH}{end}")
    if headline.get("forge"):
        parts.append(
            f'{FORGE_SEPARATOR}<a class="reference external {FORGE_LINK}" '
            f'href="{encode(headline["forge"])}" title="{encode(FORGE_TITLE)}">'
            f"{encode(FORGE_LABEL)}</a>"
        )
    return "".join(parts)


def structure_html(
    items: Sequence[TreeItem],
    encode: Callable[[str], str],
    compact_simple: bool = False,
    compact_lists: bool = True,
) -> str:
    """What Sphinx's HTML translator writes for ``module.tree_nodes(items)``.

    *compact_simple* is the translator's state where the tree starts (inside a compact
    list or not); *compact_lists* its setting (``html_compact_lists``). With it, docutils
    marks a list "simple" when every item in it, at any depth, is one paragraph, or a
    paragraph and then a list (``SimpleListChecker``), and only the outermost of nested
    simple lists carries the class.
    """
    compactable: dict[int, bool] = {}  # id(item) -> the list under it is compactable

    def check(items: Sequence[TreeItem]) -> bool:
        fine = True
        for item in items:
            below = compactable[id(item)] = check(item.children)
            has_list = bool(item.facts or item.children or item.flat)
            shown = 1 + bool(item.summary) + bool(item.facts) + bool(item.children or item.flat)
            fine = fine and below and shown - has_list <= 1
        return fine and compact_lists

    html: list[str] = []
    append = html.append

    def ul(classes: str, simple: bool, outer_simple: bool) -> None:
        append(
            f'<ul class="{classes} simple">\n'
            if simple and not outer_simple
            else f'<ul class="{classes}">\n'
        )

    def facts_list(facts: Sequence[Fact], outer_simple: bool) -> None:
        ul("testdocs-facts", compact_lists, outer_simple)
        html.extend(f"<li><p>{pieces_html(fact, encode)}</p></li>\n" for fact in facts)
        append("</ul>\n")

    def tree(items: Sequence[TreeItem], flat: Sequence[Fact], simple: bool, outer: bool) -> None:
        ul("testdocs-tree", simple, outer)
        for item in items:
            has_list = bool(item.facts or item.children or item.flat)
            alone = not (item.summary or has_list)  # the paragraph is the item's only child
            ids = f' id="{encode(item.anchor)}"' if item.anchor else ""
            append(f'<li><p class="testdocs-def"{ids}>{defline_html(encode, item.headline)}</p>')
            append("</li>\n" if alone else "\n")
            if alone:
                continue
            if item.summary:
                classes = " ".join(item.summary_classes)
                append(f'<p class="{classes}">{encode(item.summary)}</p>\n')
            if item.facts:
                facts_list(item.facts, simple)
            if item.children or item.flat:
                tree(item.children, item.flat, compactable[id(item)], simple)
            append("</li>\n")
        html.extend(f"<li><p>{pieces_html(fact, encode)}</p></li>\n" for fact in flat)
        append("</ul>\n")

    tree(items, (), check(items), compact_simple)
    return "".join(html)


def _defline(self: Any, node: testdocs_defline) -> str:
    return defline_html(self.encode, node.attributes)


def _linelinks(self: Any, node: testdocs_linelinks) -> str:
    return linelinks_html(self.encode, node["anchor"], node["lines"])


def _bar(self: Any, node: testdocs_bar) -> str:
    # Nothing to expand to: other builders drop the bar, the number beside it remains.
    share = 100.0 * node["value"] / node["maximum"] if node["maximum"] else 0.0
    return (
        f'<span class="testdocs-bar" role="img" aria-label="{share:.0f}%">'
        f'<span style="width: {share:.1f}%"></span></span>'
    )


def _listing(self: Any, node: testdocs_listing) -> str:
    language = node["language"]
    python = language == "testdocs-python"
    lines = prepared_lines(node) if python else None
    html = listing_html(node.astext(), node["anchor"], python=python, lines=lines)
    starttag = self.starttag(node, "div", suffix="", CLASS=f"highlight-{language} notranslate")
    return f"{starttag}{html}</div>\n"


def _structure(self: Any, node: testdocs_structure) -> str:
    items = structure_items(node["payload"])
    return structure_html(items, self.encode, self.compact_simple, self.settings.compact_lists)


def _pieces(self: Any, node: testdocs_pieces) -> str:
    return pieces_html(node["pieces"], self.encode, _doc_uri(self.builder))


def _piecelists(self: Any, node: testdocs_piecelists) -> str:
    return piece_lists_html(node["lists"], self.encode, _doc_uri(self.builder))


def _tested_by(self: Any, node: testdocs_testedby) -> str:
    encode, doc_uri = self.encode, _doc_uri(self.builder)
    html = [f'<ul class="testdocs-tested-by {NO_SEARCH} simple">\n']
    for label, docname, rows in node["files"]:
        uri = doc_uri(docname) if docname else None
        if uri is None:
            head = code_html(encode, label)
        else:
            # A resolved :doc: reference keeps its text, not the code around it.
            head = (
                f'<a class="reference internal" href="{encode(uri)}">'
                f'<span class="doc">{encode(label)}</span></a>'
            )
        html.append(f"<li><p>{head}</p>\n<ul>\n")
        for row in rows:
            parts = []
            for text, line in row_parts(row):
                if line is None or uri is None:
                    parts.append(encode(text))
                else:
                    href = encode(f"{uri}#L-{line}")
                    parts.append(f'<a class="reference internal" href="{href}">{encode(text)}</a>')
            html.append(f"<li><p>{''.join(parts)}</p></li>\n")
        html.append("</ul>\n</li>\n")
    html.append("</ul>\n")
    return "".join(html)


#: The kinds written by hand, each measured against expanding and visiting it.
_WRITERS: dict[type[testdocs_compact], Callable[[Any, Any], str]] = {
    testdocs_links: _links,
    testdocs_defline: _defline,
    testdocs_linelinks: _linelinks,
    testdocs_bar: _bar,
    testdocs_listing: _listing,
    testdocs_pieces: _pieces,
    testdocs_piecelists: _piecelists,
    testdocs_testedby: _tested_by,
    testdocs_structure: _structure,
}
