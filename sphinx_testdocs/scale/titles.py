"""Each page title rendered to HTML once per build, not once per page that shows it.

For every page it writes, Sphinx's HTML builder renders the titles of the pages the
page links to in its relation bar and sidebars, its parents and the previous and next
page (``get_doc_context``), each with ``render_partial``: a docutils document, its
transforms and a translator, about 0.33 ms. In ``host.py``'s project with the extension
(444 pages) that was 1,841 title renderings of 444 distinct titles. The titles are the
environment's own nodes (``env.titles``) and do not change while pages are written, so
each one's rendering is kept, by the node's identity, for the build. Only titles of
plain text and inline markup are kept: an image's address or a link would be written
relative to the page being written.

The lever replaces ``render_partial`` on the build's HTML builder instance (public
method, no private attribute); a new build makes a new builder.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from sphinx_testdocs.run import build_run

#: Nodes whose HTML is the same on every page (no address, no id of the page's own).
_PLAIN = frozenset(
    {
        nodes.title,
        nodes.Text,
        nodes.emphasis,
        nodes.strong,
        nodes.literal,
        nodes.inline,
        nodes.subscript,
        nodes.superscript,
    }
)


def share_titles(app: Sphinx) -> None:
    """``builder-inited`` (after the scan): in a large HTML build, render each
    environment title once."""
    builder = app.builder
    render = getattr(builder, "render_partial", None)
    if (
        not build_run(app.env).large
        or builder.format != "html"
        or render is None
        or hasattr(render, "kept")
    ):
        return
    setattr(builder, "render_partial", _memoised(render))  # noqa: B010 (a method, replaced)


def _memoised(render: Callable[[Any], dict[str, str]]) -> Callable[[Any], dict[str, str]]:
    kept: dict[int, tuple[nodes.Node, dict[str, str]]] = {}
    hits = [0]

    def render_partial(node: Any) -> dict[str, str]:
        if not isinstance(node, nodes.title):
            return render(node)
        hit = kept.get(id(node))
        if hit is not None and hit[0] is node:
            hits[0] += 1
            return dict(hit[1])
        parts = render(node)
        # Keeping the node keeps its identity from being reused by another.
        # Exact types: an extension's subclass may write what depends on the page.
        if all(type(sub) in _PLAIN for sub in node.findall()):
            kept[id(node)] = (node, dict(parts))
        return parts

    # What tests look at.
    render_partial.kept = kept  # type: ignore[attr-defined]
    render_partial.hits = hits  # type: ignore[attr-defined]
    return render_partial
