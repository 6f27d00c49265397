"""Keep Sphinx's debug line for each event it emits short, as Sphinx 7 did.

Sphinx 8 and later log every event at debug level with the ``repr`` of all its
arguments, untruncated: for ``html-page-context`` that is the page's whole context,
its HTML body included. The line is shown only with ``-vv``, but in a parallel build
each writer process keeps every log record of its chunk of pages in memory and sends
them all back, pickled, to the main process (``sphinx.util.parallel``): with pages as
large as a big test module's, that was up to 24 MB a chunk on two copies of NumPy's
suite, held by the writer until its chunk was done and then unpickled by the main
process, which every process forked after it inherited. The filter cuts the
arguments' text to what Sphinx 7 logged (its first 100 characters), so ``-vv`` still
names each event and the start of its arguments.

The logger is the process's, shared with every other extension and build: the filter
is there only while a large suite builds, and removed when the build ends.
"""

from __future__ import annotations

import logging
from typing import Any

from sphinx_testdocs.run import build_run

#: The logger ``sphinx.events`` writes through (``sphinx.util.logging.getLogger``).
EVENTS_LOGGER = "sphinx.sphinx.events"
#: How much of the arguments' text is kept (what Sphinx 7 kept).
KEPT = 100


class ShortEventArgs(logging.Filter):
    """Cut the arguments of ``[app] emitting event`` debug records to ``KEPT`` characters."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if (
            record.levelno == logging.DEBUG
            and isinstance(args, tuple)
            and len(args) == 2
            and isinstance(args[1], str)
            and len(args[1]) > KEPT
            and str(record.msg).startswith("[app] emitting event")
        ):
            record.args = (args[0], args[1][:KEPT])
        return True


def shorten_event_debug_lines(app: Any) -> None:
    """``builder-inited`` (after the scan): install the filter for a large suite's build."""
    if not build_run(app.env).large:
        return
    events_logger = logging.getLogger(EVENTS_LOGGER)
    if not any(isinstance(f, ShortEventArgs) for f in events_logger.filters):
        events_logger.addFilter(ShortEventArgs())


def restore_event_debug_lines(app: Any, exception: BaseException | None) -> None:
    """``build-finished``: the logger is as it was before the build."""
    events_logger = logging.getLogger(EVENTS_LOGGER)
    for installed in [f for f in events_logger.filters if isinstance(f, ShortEventArgs)]:
        events_logger.removeFilter(installed)
