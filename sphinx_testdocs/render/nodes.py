"""Custom nodes, builder-neutral: non-HTML builders render them as plain containers."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from docutils import nodes

from sphinx_testdocs.render.listing import listing_html


class testdocs_details(nodes.container):
    """A collapsible block: ``<details>`` in HTML, its content everywhere else.

    Attributes: ``summary`` (the text of the clickable line) and ``open`` (bool).
    Subclassing ``container`` lets every translator without its own visitor fall back
    to ``visit_container``.
    """


def visit_details_html(self: Any, node: testdocs_details) -> None:
    attrs = {"open": "open"} if node.get("open") else {}
    self.body.append(self.starttag(node, "details", CLASS="testdocs-details", **attrs))
    self.body.append(f"<summary>{self.encode(node.get('summary', ''))}</summary>\n")


def depart_details_html(self: Any, node: testdocs_details) -> None:
    self.body.append("</details>\n")


class testdocs_links(nodes.General, nodes.Element):
    """A list of links to documents, kept as one node until it is written.

    Pages list every sibling file, so a folder of N files carries N^2 links. Holding
    them as ``(label, docname, note)`` attributes instead of a few nodes per link keeps
    doctrees small and skips reference resolution: HTML writers emit the list directly,
    and for every other builder ``ExpandCompact`` turns it into ordinary nodes first.
    """

    def expand(self) -> list[nodes.Node]:
        # Imported here: render.common builds this module's nodes.
        from sphinx_testdocs.render.common import bullet_list, doc_link, literal, para

        items = []
        for label, docname, note in self["links"]:
            link: nodes.Node = doc_link(docname, literal(label)) if docname else literal(label)
            items.append(para(link, f" ({note})") if note else para(link))
        return [bullet_list(items, *self["classes"])]


def visit_links_html(self: Any, node: testdocs_links) -> None:
    builder = self.builder
    here = builder.current_docname
    self.body.append(self.starttag(node, "ul", CLASS="simple testdocs-links"))
    for label, docname, note in node["links"]:
        code = (
            '<code class="docutils literal notranslate"><span class="pre">'
            f"{self.encode(label)}</span></code>"
        )
        if docname:
            uri = self.encode(builder.get_relative_uri(here, docname))
            item = f'<a class="reference internal" href="{uri}">{code}</a>'
        else:
            item = code
        if note:
            item += f" ({self.encode(note)})"
        self.body.append(f"<li><p>{item}</p></li>\n")
    self.body.append("</ul>\n")
    raise nodes.SkipNode


# --- compact inline nodes ---------------------------------------------------------------
#
# Large suites put tens of thousands of definitions and evidence lines on their pages.
# As ordinary nodes each costs a dozen objects that every transform, the pickler, the
# search indexer and the writer walk again. These nodes keep the same facts as plain
# attributes: HTML translators write them directly, and ``ExpandCompact`` rebuilds the
# ordinary nodes for every other builder, so text, LaTeX, man pages... lose nothing.


class testdocs_defline(nodes.Inline, nodes.Element):
    """A definition's headline: kind badge, name, bases and its lines in the listing.

    Attributes: ``label`` (kind), ``name``, ``bases`` (str), ``line``, ``end`` and
    ``anchor`` (the id prefix of listing lines, e.g. "L").
    """

    def expand(self) -> list[nodes.Node]:
        label = self["label"]
        badge = nodes.inline(label, label, classes=["testdocs-badge", _kind_class(label)])
        name = nodes.literal(self["name"], self["name"], classes=["testdocs-name"])
        out: list[nodes.Node] = [badge, nodes.Text(" "), name]
        if self["bases"]:
            out.append(nodes.Text(f"({self['bases']})"))
        out.append(nodes.Text(" \N{EM DASH} "))
        out.append(line_reference(self["anchor"], self["line"], f"line {self['line']}"))
        if self["end"] > self["line"]:
            out.append(nodes.Text(f"\N{EN DASH}{self['end']}"))
        return out


class testdocs_linelinks(nodes.Inline, nodes.Element):
    """Links to listing lines, comma-separated. Attributes: ``lines``, ``anchor``."""

    def expand(self) -> list[nodes.Node]:
        return line_references(self["anchor"], self["lines"])


def _kind_class(label: str) -> str:
    return "testdocs-kind-" + label.rsplit(maxsplit=1)[-1]


def line_reference(anchor: str, line: int, text: str) -> nodes.reference:
    """A link to a line of the source listing (ids Pygments writes, in HTML only).

    The class lets ``transforms`` retarget these links in single-page HTML and turn
    them into plain text for formats without line anchors (LaTeX, text, man...).
    """
    ref = nodes.reference("", "", internal=True, refid=f"{anchor}-{line}", classes=[LINE_LINK])
    ref += nodes.Text(text)
    return ref


def line_references(anchor: str, lines: Sequence[int]) -> list[nodes.Node]:
    """Comma-separated ``line_reference``s labelled by number."""
    out: list[nodes.Node] = []
    for i, line in enumerate(lines):
        if i:
            out.append(nodes.Text(", "))
        out.append(line_reference(anchor, line, str(line)))
    return out


#: Class of every link to a listing line.
LINE_LINK = "testdocs-line"


def line_link_html(encode: Callable[[str], str], anchor: str, line: int, text: str) -> str:
    """The HTML of ``line_reference``: a link to a line of this page's listing."""
    href = f"#{encode(anchor)}-{line}"
    return f'<a class="reference internal {LINE_LINK}" href="{href}">{encode(text)}</a>'


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


def defline_html(encode: Callable[[str], str], node: testdocs_defline) -> str:
    label, anchor, line, end = node["label"], node["anchor"], node["line"], node["end"]
    parts = [
        f'<span class="testdocs-badge {_kind_class(label)}">{encode(label)}</span> ',
        '<code class="docutils literal notranslate testdocs-name"><span class="pre">'
        f"{encode(node['name'])}</span></code>",
    ]
    if node["bases"]:
        parts.append(f"({encode(node['bases'])})")
    parts.append(" \N{EM DASH} " + line_link_html(encode, anchor, line, f"line {line}"))
    if end > line:
        parts.append(f"\N{EN DASH}{end}")
    return "".join(parts)


def visit_defline_html(self: Any, node: testdocs_defline) -> None:
    self.body.append(defline_html(self.encode, node))
    raise nodes.SkipNode


def linelinks_html(encode: Callable[[str], str], anchor: str, lines: Sequence[int]) -> str:
    """The HTML of ``testdocs_linelinks``: comma-separated links to listing lines."""
    return ", ".join(line_link_html(encode, anchor, line, str(line)) for line in lines)


def visit_linelinks_html(self: Any, node: testdocs_linelinks) -> None:
    self.body.append(linelinks_html(self.encode, node["anchor"], node["lines"]))
    raise nodes.SkipNode


class testdocs_bar(nodes.Inline, nodes.Element):
    """A horizontal bar for a share of a total (``value`` of ``maximum``).

    Plain HTML and CSS (no script, no network asset), coloured by the theme's link
    colour and kept in print. Other builders drop it: the number beside it remains.
    """

    def expand(self) -> list[nodes.Node]:
        return []


def visit_bar_html(self: Any, node: testdocs_bar) -> None:
    share = 100.0 * node["value"] / node["maximum"] if node["maximum"] else 0.0
    self.body.append(
        f'<span class="testdocs-bar" role="img" aria-label="{share:.0f}%">'
        f'<span style="width: {share:.1f}%"></span></span>'
    )
    raise nodes.SkipNode


# --- source listings ------------------------------------------------------------------


class testdocs_listing(nodes.literal_block):
    """A whole file's source with numbered, anchored lines.

    Attributes: ``language`` ("testdocs-python" or "text") and ``anchor`` (the id prefix
    of its lines, "L" gives "L-1"...). The text is held once: ``rawsource`` is
    ``LISTING_RAWSOURCE``, as Sphinx copies the text of every element without one
    into it (``ApplySourceWorkaround``), and doctrees would carry each file twice; it
    is not ``translatable`` either, so no message catalogue takes that for its text.
    HTML translators write it with ``listing.listing_html``; every other builder gets an
    ordinary ``literal_block`` from ``expand()``, highlighted as usual.
    """

    def expand(self) -> list[nodes.Node]:
        text = self.astext()
        block = nodes.literal_block(text, text, classes=list(self["classes"]))
        block["language"] = self["language"]
        block["linenos"] = True
        return [block]


#: The ``rawsource`` of every listing (see ``testdocs_listing``).
LISTING_RAWSOURCE = "(source listing)"


def visit_listing_html(self: Any, node: testdocs_listing) -> None:
    language = node["language"]
    html = listing_html(node.astext(), node["anchor"], python=language == "testdocs-python")
    starttag = self.starttag(node, "div", suffix="", CLASS=f"highlight-{language} notranslate")
    self.body.append(starttag + html + "</div>\n")
    raise nodes.SkipNode


# --- lazy content -------------------------------------------------------------------------
#
# The largest sections (a module's structure tree: thousands of definitions) are kept in
# the doctree as the analysis records they are drawn from, not as nodes: reading
# transforms, pickling, reference resolution and the search indexer then have nothing
# to walk, and the tree is built only when it is written. One expander per kind builds
# the ordinary nodes, for every builder: HTML translators expand when they reach the
# node, other builders get it expanded by ``ExpandCompact`` before references resolve.
# Lazy content may therefore only hold local links (ids on the same page).

_Expander = TypeVar("_Expander", bound=Callable[[Any], Sequence[nodes.Node]])
_EXPANDERS: dict[str, Callable[[Any], Sequence[nodes.Node]]] = {}


def lazy_content(kind: str) -> Callable[[_Expander], _Expander]:
    """Register the function that expands ``testdocs_lazy(kind=kind)`` payloads."""

    def register(expander: _Expander) -> _Expander:
        _EXPANDERS[kind] = expander
        return expander

    return register


class testdocs_lazy(nodes.General, nodes.Element):
    """Content built from ``payload`` (picklable analysis records) when written.

    Until then its only child, if any, is the text the search index should find in it
    (see ``lazy_node``).
    """

    def expand(self) -> list[nodes.Node]:
        return list(_EXPANDERS[self["kind"]](self["payload"]))


def lazy_node(kind: str, payload: Any, *, searchable: str = "") -> testdocs_lazy:
    """Lazy content of ``kind``; ``searchable`` is indexed for search as its text (the
    search indexer reads doctrees before they are written, so before expansion)."""
    node = testdocs_lazy(kind=kind, payload=payload)
    if searchable:
        node += nodes.Text(searchable)
    return node


class testdocs_deferred(nodes.General, nodes.Element):
    """Content built from ``payload`` just before references are resolved.

    Like ``testdocs_lazy`` it keeps the reading transforms and the pickled doctree
    small, but it may hold references to other pages and objects: the post-transform
    ``transforms.ExpandDeferred`` expands it for every builder, ahead of Sphinx's
    reference resolver. It shares the expanders of ``lazy_content``.
    """

    def expand(self) -> list[nodes.Node]:
        return list(_EXPANDERS[self["kind"]](self["payload"]))


def visit_lazy_html(self: Any, node: testdocs_lazy) -> None:
    """Build the content when the HTML translator reaches it; the translator goes on
    into it with the usual visitors (``ExpandCompact`` does this for other builders)."""
    # Not expanded yet: no children but the searchable text.
    if all(isinstance(child, nodes.Text) for child in node.children):
        node[:] = node.expand()


def depart_lazy_html(self: Any, node: testdocs_lazy) -> None:
    pass


#: Nodes that ``transforms.ExpandCompact`` replaces with ordinary nodes for non-HTML
#: builders (each has an ``expand()`` method).
COMPACT_NODES: tuple[type[nodes.Element], ...] = (
    testdocs_links,
    testdocs_lazy,
    testdocs_listing,
    testdocs_defline,
    testdocs_linelinks,
    testdocs_bar,
)
