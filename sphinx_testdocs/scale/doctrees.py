"""Let generated pages' doctrees go as soon as Sphinx is done with them.

Sphinx keeps, for the whole build, every doctree it reads (until it is written) and the
pickled bytes of every doctree it loads for writing: memory that grows with the size of
all pages together. Generated pages are large and numerous, so for them both caches
are emptied as each page moves on, and each doctree is taken apart once written, so
reference counting frees it at once instead of the cyclic collector, later.
"""

from __future__ import annotations

from typing import Any

import sphinx
from docutils import nodes
from sphinx.application import Sphinx

from sphinx_testdocs.run import build_run
from sphinx_testdocs.scale.heap import heap_frozen

#: Private attributes of Sphinx's environment used here, and the versions that have
#: them (listed in docs/performance.rst). Without them there is nothing to do.
WRITE_CACHE = "_write_doc_doctree_cache"  # Sphinx 6.1+
PICKLE_CACHE = "_pickled_doctree_cache"  # Sphinx 7.2+


def _cache(env: Any, name: str, since: tuple[int, int]) -> dict[str, Any] | None:
    if sphinx.version_info[:2] < since:
        return None
    cache = getattr(env, name, None)
    return cache if isinstance(cache, dict) else None


def release_read_doctrees(app: Sphinx, *args: object) -> None:
    """``doctree-read`` and ``env-updated``: drop the doctrees Sphinx cached for writing.

    Sphinx 6.1+ keeps every doctree read in this build in memory until it is written;
    without it the writer loads each from its pickle instead, as Sphinx does before 6.1
    and in parallel writers (about 1.4 ms a page), and memory stays flat in the number
    of files. Every doctree in the cache is pickled already (Sphinx caches it right
    after, so each page's goes at the next ``doctree-read``).

    Generated pages' are taken apart at once. The user's own pages' are dropped too
    while the heap is frozen (``heap``): what reading keeps alive, each full collection
    walks again; and frozen with the heap after reading, a doctree (a web of reference
    cycles) would never be freed once written. In ``host.py``'s project (256 pages of
    its own, alabaster, 156 of NumPy's test files): the peak 187 to 133 MB (the project
    alone, whose cache keeps them: 150 MB), full collections 2.9 to 2.0 s. The user's
    doctrees are not taken apart, only let go: an extension may still hold nodes of
    one (``sphinx.ext.todo`` keeps its todo nodes).
    """
    run = build_run(app.env)
    cache = _cache(app.env, WRITE_CACHE, (6, 1))
    if not run.large or not cache:
        return
    frozen = heap_frozen()
    for docname in list(cache):
        if run.page(docname) is not None:
            take_apart(cache.pop(docname))
        elif frozen:
            del cache[docname]


def forget_written_doctree(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: do not keep a generated page's pickle once it is loaded.

    ``env.get_doctree`` caches the pickle's bytes of every document it loads for the
    rest of the build: for generated pages, as much memory again as all their doctrees.
    Nothing loads them twice in a build.
    """
    run = build_run(app.env)
    cache = _cache(app.env, PICKLE_CACHE, (7, 2))
    if run.large and cache is not None and run.page(docname) is not None:
        cache.pop(docname, None)


def free_written_doctree(
    app: Sphinx, pagename: str, templatename: str, context: object, doctree: nodes.document | None
) -> None:
    """``html-page-context`` (last): take a generated page's doctree apart, its HTML made.

    A doctree is a web of reference cycles (each node knows its parent, the document
    its ids), so dropping it leaves it to the cyclic garbage collector: while pages are
    written, full collections over the written doctrees were about a tenth of a build.
    This is the first moment the page's HTML is done and the last one the doctree is
    seen; pages of the user's own are left alone.
    """
    run = build_run(app.env)
    if run.large and doctree is not None and run.page(pagename) is not None:
        take_apart(doctree)


def take_apart(doctree: nodes.document) -> None:
    """Break a doctree's reference cycles: reference counting then frees it at once.

    Emptying every element's list of children breaks each parent-child cycle; the
    document's own attributes (ids, transformer, reporter...) go with its dict.
    """
    stack: list[nodes.Node] = [doctree]
    while stack:
        node = stack.pop()
        if isinstance(node, nodes.Element) and node.children:
            stack.extend(node.children)
            node.children.clear()
    doctree.__dict__.clear()
