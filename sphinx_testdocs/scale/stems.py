"""One stem per word for the whole search index, not one per word and page.

Sphinx's HTML builder feeds every page's words to its search index, stemming each
(``IndexBuilder.feed``), and memoises the stems for that page alone: the next page
stems the same words again. Stemming is pure Python (``snowballstemmer``): on NumPy's
suite, generated pages fed about 13,800 words made of 1,120 distinct ones, and their
stemming was most of the 0.4 s of indexing; in ``host.py``'s project the host's own
256 pages took 2.2 s to index. The search language's ``stem`` is memoised for the
build instead: the index is the same (a stem depends on the word alone), made once
per distinct word. The memo lives on the builder's search index, which Sphinx makes
anew for each build (``prepare_writing``).
"""

from __future__ import annotations

import functools
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from sphinx_testdocs.run import build_run


def share_stems(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: memoise the search language's ``stem`` for the whole build.

    Sphinx makes the search index in ``prepare_writing`` and indexes each page right
    after resolving it, so the first page's event comes before any stemming."""
    lang = getattr(getattr(app.builder, "indexer", None), "lang", None)
    if lang is None or not build_run(app.env).large:
        return
    stem: Any = lang.stem
    if not hasattr(stem, "cache_info"):  # not memoised yet (the first page)
        setattr(lang, "stem", functools.cache(stem))  # noqa: B010 (a method, replaced)
