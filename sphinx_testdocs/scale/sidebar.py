"""One sidebar toctree per folder depth for generated pages that no toctree includes.

Themes put the global toctree in every page's sidebar, and Sphinx resolves and renders
it for each page anew (furo asks for the whole tree and then parses its HTML once per
distinct tree: on NumPy's suite about 12 ms a page, in a host project's tree several
times that). Generated pages left out of the navigation are in no toctree
(``testdocs_toctree_files``): nothing in their sidebar is marked current, so the tree
differs between two such pages only by the relative addresses of its links.

Those addresses are written "up to the root, then down" (``../../numpy/index.html``
rather than ``../index.html``): the same for every page at one depth of the site. The
tree is resolved once per depth and set of arguments, for a document no page is named
like (``\\0/\\0/\\0``), so no link shares a leading folder with it: Sphinx's own
``relative_uri`` then writes every link from the root. Each link still leads where
the page's own tree would have led, and the tree is made from nodes by Sphinx's
toctree machinery and its HTML translator, as any sidebar is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sphinx.application import Sphinx

from sphinx_testdocs.run import build_run

#: A folder and document name that no page has (Sphinx rejects NUL in file names).
_NOWHERE = "\0"


def share_sidebar_toctree(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """``html-page-context``: make ``toctree()`` shared by the pages of one depth."""
    original = context.get("toctree")
    run = build_run(app.env)
    page = run.page(pagename)
    local_toctree = getattr(app.builder, "_get_local_toctree", None)  # Sphinx 1.6+
    if (
        not run.large
        or original is None
        or page is None
        or local_toctree is None
        # Included somewhere (in the user's own toctree, say): its tree has a current
        # branch of its own.
        or app.env.files_to_rebuild.get(pagename)
    ):
        return
    nowhere = _nowhere_at_depth_of(app.builder, pagename)
    if nowhere is None:
        return
    context["toctree"] = _shared(
        run.sidebar_toctrees, nowhere, lambda **kwargs: local_toctree(nowhere, **kwargs)
    )


def _nowhere_at_depth_of(builder: Any, pagename: str) -> str | None:
    """A document name no page has whose address is as deep as ``pagename``'s.

    The depth is that of the address, not the name: with ``dirhtml`` every page is a
    folder of its own (``a/b/`` for ``a/b``).
    """
    depth = builder.get_target_uri(pagename).count("/")
    for levels in range(depth + 1):
        name = "/".join([_NOWHERE] * (levels + 1))
        if builder.get_target_uri(name).count("/") == depth:
            return name
    return None


def _shared(
    cache: dict[tuple[str, tuple[tuple[str, Any], ...]], str],
    key_name: str,
    make: Callable[..., str],
) -> Callable[..., str]:
    def toctree(**kwargs: Any) -> str:
        try:
            key = (key_name, tuple(sorted(kwargs.items())))
            hash(key)
        except TypeError:  # an argument that cannot be a key: made for this call
            return make(**kwargs)
        if key not in cache:
            cache[key] = make(**kwargs)
        return cache[key]

    return toctree
