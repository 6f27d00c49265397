"""Generated pages wait for Sphinx's parallel writer as bytes, not as trees of nodes.

With ``-j N`` Sphinx resolves pages in the main process and queues them, in chunks, for
writer processes it forks; queuing never waits (``Builder._write_parallel``), so the
main process soon holds the resolved doctree of every page, and each writer forked
later starts with a copy of all of them. Memory then grows with the number of pages.
On NumPy's suite those doctrees are about 56 MB, nearly all of it in the parts of a
page that the search index skips (``no-search``: the source listing, the analysis
trees, node IDs).

So once a generated page is resolved, each of those parts is pickled to a file of the
page's own in the doctree directory and replaced by a ``testdocs_packed`` node that
says where; the HTML writer unpickles the part when it reaches it. (Held in memory,
the pickles were 12 MB of the main process's memory, 35 MB with what making them
left behind, and every writer forked later started with a copy.) Between the two,
Sphinx indexes the page for search in the main process; the index skips these parts
anyway (Sphinx 8 and later: older versions index them, and nothing is packed), so
every output is what ``-j 1`` writes. Serial builds, other builders and the user's
own pages are left alone. The files go when the build ends.
"""

from __future__ import annotations

import hashlib
import pickle
import shutil
from pathlib import Path
from typing import Any

import sphinx
from docutils import nodes
from sphinx.application import Sphinx

from sphinx_testdocs.domain import TestDomain
from sphinx_testdocs.render.common import NO_SEARCH

__all__ = [
    "PACKED_DIR",
    "depart_packed_html",
    "pack_unsearched_parts",
    "remove_packed_parts",
    "testdocs_packed",
    "visit_packed_html",
]


#: The folder, in the doctree directory, of the packed parts' files.
PACKED_DIR = "testdocs-packed"


class testdocs_packed(nodes.General, nodes.Element):
    """A part of a page held as its pickle until it is written: attributes ``file``,
    ``offset`` and ``length`` say where.

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
    parts = _unsearched_parts(doctree)
    if not parts:
        return
    folder = Path(app.doctreedir, PACKED_DIR)
    folder.mkdir(exist_ok=True)
    # Named by a digest: document names have slashes and may be long.
    path = folder / (hashlib.sha256(docname.encode()).hexdigest()[:32] + ".pickle")
    with path.open("wb") as out:
        for part in parts:
            packed = testdocs_packed(file=str(path), offset=out.tell())
            part.replace_self(packed)
            _cut_loose(part)
            pickle.dump(part, out, pickle.HIGHEST_PROTOCOL)
            packed["length"] = out.tell() - packed["offset"]


def remove_packed_parts(app: Sphinx, exception: BaseException | None) -> None:
    """``build-finished``: every page is written; its packed parts are of no more use."""
    shutil.rmtree(Path(app.doctreedir, PACKED_DIR), ignore_errors=True)


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


def _cut_loose(part: nodes.Element) -> None:
    # Its nodes point at the document (and the root at its parent), and pickling would
    # follow them into the whole page. ``document`` falls back to the parent's once the
    # part is back in a tree.
    part.parent = None
    for node in part.findall():
        node.__dict__.pop("_document", None)


def visit_packed_html(self: Any, node: testdocs_packed) -> None:
    """Unpack the part into the node; the translator goes on into it as usual."""
    path = node.attributes.pop("file", None)
    if path is not None:
        with Path(path).open("rb") as packed:
            packed.seek(node["offset"])
            node.append(pickle.loads(packed.read(node["length"])))


def depart_packed_html(self: Any, node: testdocs_packed) -> None:
    pass
