"""Custom nodes, builder-neutral: non-HTML builders render them as plain containers."""

from __future__ import annotations

from typing import Any

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


class testdocs_links(nodes.General, nodes.Element):
    """A list of links to documents, kept as one node until it is written.

    Pages list every sibling file, so a folder of N files carries N^2 links. Holding
    them as ``(label, docname, note)`` attributes instead of a few nodes per link keeps
    doctrees small and skips reference resolution: HTML writers emit the list directly,
    and for every other builder ``ExpandLinks`` turns it into ordinary nodes first.
    """


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
