"""Custom nodes, builder-neutral: every compact node expands into ordinary ones."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, ClassVar, TypeVar

from docutils import nodes


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


# --- compact nodes ------------------------------------------------------------------------
#
# Large suites put tens of thousands of definitions, links and evidence lines on their
# pages. As ordinary nodes each costs a dozen objects that every transform, the pickler,
# the reference resolver, the search indexer and the writer walk again. A compact node
# keeps the same facts as attributes (analysis records, for whole sections) and builds
# the ordinary nodes in ``expand()``. That is the one mechanism:
#
# - ``transforms.ExpandCompact`` expands them for every builder but HTML, and for HTML
#   the ones whose content holds references Sphinx must resolve (``resolve_first``);
# - the HTML translators' one visitor (``render.html.visit_compact_html``) writes the
#   kinds ``render/html.py`` has hand-written HTML for (where that was measured to pay)
#   and expands the others where it meets them.


class testdocs_compact(nodes.Element):
    """Facts kept as attributes until the page is written; ``expand()`` builds them.

    Until it is expanded its children, if any, are ``Text``: what the search index
    should find in it (the indexer reads doctrees before they are written). A kind
    may keep nodes that must be resolved where they stand as children instead
    (``pieces.testdocs_fields``), and says with ``expanded()`` when it was built.
    Subclasses add ``nodes.General`` or ``nodes.Inline`` to say where they stand.
    """

    #: Its content holds references to other pages or objects: it is expanded for
    #: every builder just before Sphinx resolves references (see ``resolve_first``).
    holds_references: ClassVar[bool] = False

    def expand(self, linkable: Collection[str] = ()) -> list[nodes.Node]:
        """The ordinary nodes; a Python name links only if it is in ``linkable``
        (names something documents; see ``pieces.documented_python_names``)."""
        raise NotImplementedError

    def python_targets(self) -> Sequence[str]:
        """Python names its content may link to (expanded first if one of them can)."""
        return ()

    def prefix_line_anchors(self, prefix: str) -> bool:
        """Prefix the ids of listing lines it links to (single-page HTML, where every
        page's listing shares one file); False if only its expansion can."""
        return False

    def expanded(self) -> bool:
        return not all(isinstance(child, nodes.Text) for child in self.children)


def compact_kinds() -> list[type[testdocs_compact]]:
    """Every compact node class defined so far (the render layer's are, once
    ``render.module`` is imported), by name: each is registered with Sphinx."""
    found: dict[str, type[testdocs_compact]] = {}
    stack = [testdocs_compact]
    while stack:
        kind = stack.pop()
        found[kind.__name__] = kind
        stack.extend(kind.__subclasses__())
    return [found[name] for name in sorted(found)]


class testdocs_links(nodes.General, testdocs_compact):
    """A list of links to documents: ``links``, ``(label, docname, note)`` triples.

    Pages list every sibling file, so a folder of N files carries N^2 links; as
    attributes they also skip reference resolution in HTML, which writes them directly.
    """

    def expand(self, linkable: Collection[str] = ()) -> list[nodes.Node]:
        # Imported here: render.common builds this module's nodes.
        from sphinx_testdocs.render.common import bullet_list, doc_link, literal, para

        items = []
        for label, docname, note in self["links"]:
            link: nodes.Node = doc_link(docname, literal(label)) if docname else literal(label)
            items.append(para(link, f" ({note})") if note else para(link))
        return [bullet_list(items, *self["classes"])]

    def prefix_line_anchors(self, prefix: str) -> bool:
        return True  # no line links


class testdocs_defline(nodes.Inline, testdocs_compact):
    """A definition's headline: kind badge, name, bases and its lines in the listing.

    Attributes: ``label`` (kind), ``name``, ``bases`` (str), ``line``, ``end``,
    ``anchor`` (the id prefix of listing lines, e.g. "L") and ``forge`` (the line's
    address on the forge, or "").
    """

    def expand(self, linkable: Collection[str] = ()) -> list[nodes.Node]:
        label = self["label"]
        badge = nodes.inline(label, label, classes=["testdocs-badge", kind_class(label)])
        name = nodes.literal(self["name"], self["name"], classes=["testdocs-name"])
        out: list[nodes.Node] = [badge, nodes.Text(" "), name]
        if self["bases"]:
            out.append(nodes.Text(f"({self['bases']})"))
        out.append(nodes.Text(" \N{EM DASH} "))
        out.append(line_reference(self["anchor"], self["line"], f"line {self['line']}"))
        if self["end"] > self["line"]:
            out.append(nodes.Text(f"\N{EN DASH}{self['end']}"))
        if self.get("forge"):
            # Imported here: render.common builds this module's nodes.
            from sphinx_testdocs.render.common import FORGE_SEPARATOR, forge_link

            # Filled already (the payload it is built from was, FillForgeCommit).
            out += [nodes.Text(FORGE_SEPARATOR), forge_link(self["forge"], "")]
        return out

    def prefix_line_anchors(self, prefix: str) -> bool:
        self["anchor"] = prefix + self["anchor"]
        return True


class testdocs_linelinks(nodes.Inline, testdocs_compact):
    """Links to listing lines, comma-separated. Attributes: ``lines``, ``anchor``."""

    def expand(self, linkable: Collection[str] = ()) -> list[nodes.Node]:
        return line_references(self["anchor"], self["lines"])

    def prefix_line_anchors(self, prefix: str) -> bool:
        self["anchor"] = prefix + self["anchor"]
        return True


def kind_class(label: str) -> str:
    """The class of a definition's kind badge ("test class" -> "testdocs-kind-class")."""
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


class testdocs_bar(nodes.Inline, testdocs_compact):
    """A horizontal bar for a share of a total (``value`` of ``maximum``).

    Plain HTML and CSS (no script, no network asset), coloured by the theme's link
    colour and kept in print. Other builders drop it: the number beside it remains.
    """

    def expand(self, linkable: Collection[str] = ()) -> list[nodes.Node]:
        return []

    def prefix_line_anchors(self, prefix: str) -> bool:
        return True  # no line links


class testdocs_listing(testdocs_compact, nodes.literal_block):
    """A whole file's source with numbered, anchored lines.

    Attributes: ``language`` ("testdocs-python" or "text"), ``anchor`` (the id prefix
    of its lines, "L" gives "L-1"...) and, once highlighted ahead of writing,
    ``prepared`` (the file holding its lines: ``listing.prepare_listings``). The text
    is held once: ``rawsource`` is ``LISTING_RAWSOURCE``, as Sphinx copies the text of
    every element without one into it (``ApplySourceWorkaround``), and doctrees would
    carry each file twice; it is not ``translatable`` either, so no message catalogue
    takes that for its text. HTML translators write it with ``listing.listing_html``;
    every other builder gets an ordinary ``literal_block`` from ``expand()``,
    highlighted as usual.
    """

    def expand(self, linkable: Collection[str] = ()) -> list[nodes.Node]:
        text = self.astext()
        block = nodes.literal_block(text, text, classes=list(self["classes"]))
        block["language"] = self["language"]
        block["linenos"] = True
        return [block]

    def prefix_line_anchors(self, prefix: str) -> bool:
        self["anchor"] = prefix + self["anchor"]
        return True


#: The ``rawsource`` of every listing (see ``testdocs_listing``).
LISTING_RAWSOURCE = "(source listing)"


class testdocs_payload(nodes.General, testdocs_compact):
    """A block built from ``payload`` (picklable analysis records) by ``build``.

    The largest sections (a module's structure tree: thousands of definitions; its
    Dependencies: a reference per imported name) are kept in the doctree as the
    records they are drawn from: reading transforms, pickling, reference resolution
    and the search indexer then have nothing to walk. Subclasses (in ``render.module``)
    say how to build it; with ``holds_references`` it is built before references
    resolve, otherwise when it is written, so it may then only hold links to ids on the
    same page. ``searchable`` text is indexed for search in its place.
    """

    @classmethod
    def of(cls: type[_Payload], payload: Any, *, searchable: str = "") -> _Payload:
        node = cls(payload=payload)
        if searchable:
            node.append(nodes.Text(searchable))
        return node

    def expand(self, linkable: Collection[str] = ()) -> list[nodes.Node]:
        return list(self.build(self["payload"]))

    @staticmethod
    def build(payload: Any) -> Sequence[nodes.Node]:
        raise NotImplementedError


_Payload = TypeVar("_Payload", bound=testdocs_payload)
