"""One sidebar toctree per folder for generated pages that no toctree includes.

Themes put the global toctree in every page's sidebar, and Sphinx resolves and renders
it for each page anew (furo asks for the whole tree: on NumPy's suite, about 7 ms a
page). Generated pages left out of the navigation are in no toctree
(``testdocs_toctree_files``): nothing in their sidebar is marked current, so the tree
differs between two such pages only by the relative addresses of its links, which
depend on the page's folder alone. Its ``toctree()`` is answered once per folder and
set of arguments, and the answer reused for the folder's other such pages.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import Any

from sphinx.application import Sphinx

from sphinx_testdocs.run import build_run


def share_sidebar_toctree(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """``html-page-context``: make ``toctree()`` shared within the page's folder."""
    original = context.get("toctree")
    run = build_run(app.env)
    page = run.page(pagename)
    if (
        not run.large
        or original is None
        or page is None
        # Included somewhere (in the user's own toctree, say): its tree has a current
        # branch of its own.
        or app.env.files_to_rebuild.get(pagename)
    ):
        return
    # The links' relative addresses depend on the directory of the page's address
    # (every page is its own directory with dirhtml: then nothing is shared).
    folder = posixpath.dirname(app.builder.get_target_uri(pagename))
    context["toctree"] = _shared(run.sidebar_toctrees, folder, original)


def _shared(
    cache: dict[tuple[str, tuple[tuple[str, Any], ...]], str],
    folder: str,
    original: Callable[..., str],
) -> Callable[..., str]:
    def toctree(**kwargs: Any) -> str:
        try:
            key = (folder, tuple(sorted(kwargs.items())))
            hash(key)
        except TypeError:  # an argument that cannot be a key: not shared
            return original(**kwargs)
        if key not in cache:
            cache[key] = original(**kwargs)
        return cache[key]

    return toctree
