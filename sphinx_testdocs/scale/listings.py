"""Under ``-j 2``, the main process highlights source listings while the writer writes.

Sphinx writes pages with N - 1 processes (``Builder.write_documents``): the main process
resolves every page and hands them out in chunks. With ``-j 2`` that is one writer, and
the main process, done resolving long before the writer is done writing, waits for it
with its core idle: on NumPy's suite it resolved for about 3 s while the writer wrote
for about 8, a third of that highlighting the source listings (lexing every file and
writing its markup). So with exactly one writer, the main process highlights each
generated page's listing as it resolves the page and saves the lines to a file (in the
doctree directory) that the listing node names; the writer only numbers them. The
pages are the same bytes. With two writers or more, each writes a share, and the main
process, given more to do, would hold them up: nothing is done then, nor in serial
builds. The files go when the build ends.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.build_phase import BuildPhase

from sphinx_testdocs.render.listing import prepare_listings
from sphinx_testdocs.run import build_run
from sphinx_testdocs.scale.scratch import page_file, remove_folder

logger = logging.getLogger("sphinx_testdocs")

#: The folder, in the doctree directory, of the highlighted listings' files.
LISTINGS_DIR = "testdocs-listings"


def highlight_listings_ahead(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved`` (before packing): in the main process of a build writing
    with one writer process, highlight a generated page's listings."""
    run = build_run(app.env)
    builder = app.builder
    if not (
        run.large
        and app.parallel == 2
        and getattr(builder, "parallel_ok", False)
        and builder.format == "html"
        # Resolving for the writer: not the first page, which the main process writes.
        and app.phase is BuildPhase.RESOLVING
        and run.page(docname) is not None
    ):
        return
    prepare_listings(doctree, page_file(app, LISTINGS_DIR, docname))


def remove_highlighted_listings(app: Sphinx, exception: BaseException | None) -> None:
    """``build-finished``: every page is written; say what was done, drop the files."""
    highlighted = remove_folder(app, LISTINGS_DIR)
    if highlighted:
        logger.info(
            "[testdocs] %d listing(s) highlighted by the main process for the writer",
            highlighted,
        )
