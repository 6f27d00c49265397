"""Generated pages wait for Sphinx's parallel writer as bytes, not as trees of nodes.

With ``-j N`` Sphinx resolves pages in the main process and queues them, in chunks, for
writer processes it forks; queuing never waits (``Builder._write_parallel``), so the
main process soon holds the resolved doctree of every page, and each writer (and each
task of the build's last phase) forked later starts with a copy of all of them. Memory
then grows with the number of pages: on two copies of NumPy's suite, the main process
grew by 60 MB while pages were written, and the process tree reached 1.7 times plain
Sphinx's.

So once a generated page is resolved, its content is pickled to a file of the page's
own in the doctree directory: each run of block-level elements in a section (between
titles and subsections, which stay) is replaced by one ``testdocs_packed`` node that
says where, and the HTML writer unpickles the run when it reaches it. Between the two,
Sphinx indexes the page for search in the main process, so a packed node keeps, as its
one child, the text of every ``Text`` node the indexer would have read in the run
(joined by line ends: the same words, for languages whose indexer splits words with
the default pattern; for others only the parts the index skips, ``no-search``, are
packed). A run holding what the indexer reads as more than words (titles, raw HTML,
meta keywords) or images (copied from the main process) is left as it is. Every output
is what ``-j 1`` writes (Sphinx 8 and later: older versions index ``no-search`` parts,
and nothing is packed). Serial builds, other builders and the user's own pages are left
alone, and so are suites too small to need it (``sphinx_testdocs.scale``). The files go
when the build ends.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any, TypeGuard

import sphinx
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.search import SearchLanguage

from sphinx_testdocs.render.common import NO_SEARCH
from sphinx_testdocs.run import build_run
from sphinx_testdocs.scale.scratch import page_file, remove_folder

__all__ = [
    "PACKED_DIR",
    "depart_packed_html",
    "pack_page_parts",
    "remove_packed_parts",
    "testdocs_packed",
    "visit_packed_html",
]


#: The folder, in the doctree directory, of the packed parts' files.
PACKED_DIR = "testdocs-packed"


class testdocs_packed(nodes.General, nodes.Element):
    """A run of a page's elements held as its pickle until it is written: attributes
    ``file``, ``offset`` and ``length`` say where; its text is the run's searchable words.

    Only HTML builders writing in parallel make it, and their translators unpack it.
    """


def pack_page_parts(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: pack a generated page's content (see the module doc)."""
    builder = app.builder
    this_build = build_run(app.env)
    if not (
        this_build.large
        and getattr(builder, "parallel_ok", False)
        and builder.format == "html"
        and sphinx.version_info >= (8,)
    ):
        return
    if this_build.page(docname) is None:
        return
    runs = _packable_runs(doctree, keep_words=_words_can_be_joined(builder))
    if not runs:
        return
    path = page_file(app, PACKED_DIR, docname).with_suffix(".pickle")
    with path.open("wb") as out:
        for run, words in runs:
            packed = testdocs_packed(file=str(path), offset=out.tell())
            if words:
                packed += nodes.Text(words)
            parent = run[0].parent
            start = parent.index(run[0])
            parent[start : start + len(run)] = [packed]
            for element in run:
                _cut_loose(element)
            pickle.dump(run, out, pickle.HIGHEST_PROTOCOL)
            packed["length"] = out.tell() - packed["offset"]


def remove_packed_parts(app: Sphinx, exception: BaseException | None) -> None:
    """``build-finished``: every page is written; its packed parts are of no more use."""
    remove_folder(app, PACKED_DIR)


def _words_can_be_joined(builder: Any) -> bool:
    """Whether the search index finds the same words in texts joined by line ends."""
    indexer = getattr(builder, "indexer", None)
    if indexer is None:
        return True  # no search index: nothing reads them
    lang = indexer.lang
    word_re = getattr(lang, "_word_re", None)
    return type(lang).split is SearchLanguage.split and getattr(word_re, "pattern", "") == r"\w+"


#: Elements that stay in place: the page's skeleton and what the search index reads as
#: more than words (or, for images, what the main process copies).
_KEPT = (nodes.section, nodes.title, nodes.raw, nodes.meta, nodes.image)


def _packable_runs(
    doctree: nodes.document, *, keep_words: bool
) -> list[tuple[list[nodes.Element], str]]:
    """Runs of sibling block-level elements in sections, each with its searchable text."""
    runs: list[tuple[list[nodes.Element], str]] = []
    containers: list[nodes.Element] = [doctree]
    while containers:
        container = containers.pop()
        run: list[nodes.Element] = []
        texts: list[str] = []
        for child in [*container.children, None]:
            block = child if _is_block(child) else None
            words = _searchable_texts(block) if block is not None else None
            if block is not None and words is not None and (keep_words or not words):
                run.append(block)
                texts += words
                continue
            if run:
                runs.append((run, "\n".join(texts)))
                run, texts = [], []
            # Only sections are opened: elsewhere a writer may look at an element's
            # children before reaching them (e.g. whether a list is compact).
            if isinstance(block, nodes.section):
                containers.append(block)
    return runs


def _is_block(node: nodes.Node | None) -> TypeGuard[nodes.Element]:
    return isinstance(node, nodes.Element) and not isinstance(node, nodes.Inline)


def _searchable_texts(element: nodes.Element) -> list[str] | None:
    """The texts the search index reads in ``element`` (Sphinx's ``_feed_visit_nodes``);
    None if it holds something that must stay in place."""
    texts: list[str] = []
    stack: list[nodes.Node] = [element]
    while stack:
        node = stack.pop()
        if isinstance(node, nodes.Text):
            texts.append(node.astext())
        elif isinstance(node, _KEPT):
            return None
        elif isinstance(node, nodes.Element) and not (
            isinstance(node, nodes.comment) or NO_SEARCH in node["classes"]
        ):
            stack.extend(reversed(node.children))
    return texts


def _cut_loose(part: nodes.Element) -> None:
    # Its nodes point at the document (and the root at its parent), and pickling would
    # follow them into the whole page. ``document`` falls back to the parent's once the
    # part is back in a tree.
    part.parent = None
    for node in part.findall():
        node.__dict__.pop("_document", None)


def visit_packed_html(self: Any, node: testdocs_packed) -> None:
    """Unpack the run into the node (for the search index's text); the translator goes
    on into it as usual."""
    path = node.attributes.pop("file", None)
    if path is not None:
        with Path(path).open("rb") as packed:
            packed.seek(node["offset"])
            node[:] = pickle.loads(packed.read(node["length"]))


def depart_packed_html(self: Any, node: testdocs_packed) -> None:
    pass
