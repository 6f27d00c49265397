"""Generated pages wait for Sphinx's parallel writer as bytes, not as trees of nodes.

With ``-j N`` Sphinx resolves pages in the main process and queues them, in chunks, for
writer processes it forks; queuing never waits (``Builder._write_parallel``), so the
main process soon holds the resolved doctree of every page, and each writer forked
later starts with a copy of all of them. Memory then grows with the number of pages.
On NumPy's suite those doctrees are about 56 MB, nearly all of it in the parts of a
page that the search index skips (``no-search``: the source listing, the analysis
trees, node IDs).

So once a generated page is resolved, each of those parts is replaced by its pickle
(``testdocs_packed``), and the HTML writer unpickles it when it reaches it. Between the
two, Sphinx indexes the page for search in the main process; the index skips these
parts anyway (Sphinx 8 and later: older versions index them, and nothing is packed),
so every output is what ``-j 1`` writes. Serial builds, other builders and the user's
own pages are left alone.
"""

from __future__ import annotations

import pickle
from typing import Any

import sphinx
from docutils import nodes
from sphinx.application import Sphinx

from sphinx_testdocs.domain import TestDomain
from sphinx_testdocs.render.common import NO_SEARCH

__all__ = [
    "depart_packed_html",
    "pack_unsearched_parts",
    "testdocs_packed",
    "visit_packed_html",
]


class testdocs_packed(nodes.General, nodes.Element):
    """A part of a page held as its pickle (attribute ``blob``) until it is written.

    Only HTML builders writing in parallel make it, and their translators unpack it.
    """


def pack_unsearched_parts(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: pack a generated page's ``no-search`` parts (module doc)."""
    builder = app.builder
    if not (
        getattr(builder, "parallel_ok", False)
        and builder.format == "html"
        and sphinx.version_info >= (8,)
    ):
        return
    domain = app.env.get_domain("test")
    assert isinstance(domain, TestDomain)
    if domain.generated_page(docname) is None:
        return
    for part in _unsearched_parts(doctree):
        packed = testdocs_packed()
        part.replace_self(packed)
        packed["blob"] = _pickle(part)


def _unsearched_parts(doctree: nodes.document) -> list[nodes.Element]:
    """The outermost block-level elements the search index skips."""
    found: list[nodes.Element] = []
    stack: list[nodes.Node] = list(doctree.children)
    while stack:
        node = stack.pop()
        if not isinstance(node, nodes.Element) or isinstance(node, nodes.Inline):
            continue
        if NO_SEARCH in node["classes"]:
            found.append(node)
        else:
            stack.extend(node.children)
    return found


def _pickle(part: nodes.Element) -> bytes:
    # Cut the part loose: its nodes point at the document (and the root at its parent),
    # and pickling would follow them into the whole page. ``document`` falls back to
    # the parent's once the part is back in a tree.
    part.parent = None
    for node in part.findall():
        node.__dict__.pop("_document", None)
    return pickle.dumps(part, pickle.HIGHEST_PROTOCOL)


def visit_packed_html(self: Any, node: testdocs_packed) -> None:
    """Unpack the part into the node; the translator goes on into it as usual."""
    blob = node.attributes.pop("blob", None)
    if blob is not None:
        node.append(pickle.loads(blob))


def depart_packed_html(self: Any, node: testdocs_packed) -> None:
    pass
