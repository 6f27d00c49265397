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
