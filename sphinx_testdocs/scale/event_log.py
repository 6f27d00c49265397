"""Make Sphinx's debug line for each event only when it can be shown, and short.

Before it calls the handlers, Sphinx's ``EventManager.emit`` writes the ``repr`` of all
the event's arguments, whatever the verbosity (Sphinx 7 and 8.0 then kept its first
100 characters for a debug line; 8.1 and later log all of it). For ``html-page-context``
that is the page's whole context, its HTML body included: 0.35 s of a 14 s build of
NumPy's suite with furo (0.18 s for plain Sphinx's bare listings of the same files).
The line is shown only with ``-vv``; without, the record is made and dropped, except in
a parallel build, where each writer process keeps every record of its chunk of pages in
memory and sends them all back, pickled, to the main process (``sphinx.util.parallel``):
up to 24 MB a chunk on two copies of NumPy's suite.

So while a large suite builds, the build's own event manager emits through ``emit``
below: Sphinx's loop, and the debug line only at ``-vv``, cut to 100 characters. The
handlers are called, and their errors reported, as Sphinx 7.4 to 9 do. Only this
application's event manager is changed (an attribute of the instance, removed when the
build ends), and only where it still has Sphinx's own ``emit``.
"""

from __future__ import annotations

import functools
from operator import attrgetter
from typing import Any

from sphinx.errors import ExtensionError, SphinxError
from sphinx.events import EventManager
from sphinx.locale import __
from sphinx.util import logging
from sphinx.util.inspect import safe_getattr

from sphinx_testdocs.run import build_run

#: Sphinx's logger for events: the debug line is written as from ``sphinx.events``.
logger = logging.getLogger("sphinx.events")
#: How much of the arguments' text the debug line keeps (what Sphinx 7 kept).
KEPT = 100
#: The verbosity from which debug lines are shown (``-vv``).
DEBUG_VERBOSITY = 2


def emit(
    app: Any,
    name: str,
    *args: Any,
    allowed_exceptions: tuple[type[Exception], ...] = (),
) -> list[Any]:
    """``EventManager.emit`` of *app*'s event manager, the debug line made only if shown."""
    if app.verbosity >= DEBUG_VERBOSITY:
        try:
            shown = repr(args)[:KEPT]
        except Exception:  # as Sphinx: not every object likes to be repr()'d
            pass
        else:
            logger.debug("[app] emitting event: %r%s", name, shown)
    results = []
    for listener in sorted(app.events.listeners[name], key=attrgetter("priority")):
        try:
            results.append(listener.handler(app, *args))
        except allowed_exceptions:
            raise
        except SphinxError:
            raise
        except Exception as exc:
            if app.pdb:
                raise  # passed through to be debugged
            modname = safe_getattr(listener.handler, "__module__", None)
            raise ExtensionError(
                __("Handler %r for event %r threw an exception") % (listener.handler, name),
                exc,
                modname=modname,
            ) from exc
    return results


def quiet_event_debug_lines(app: Any) -> None:
    """``builder-inited`` (after the scan): emit through ``emit`` in a large suite's build."""
    events = app.events
    sphinx_own = type(events).emit is EventManager.emit and "emit" not in vars(events)
    if build_run(app.env).large and sphinx_own:
        events.emit = functools.partial(emit, app)


def restore_event_debug_lines(app: Any, exception: BaseException | None) -> None:
    """``build-finished``: the event manager emits as Sphinx's again."""
    installed = vars(app.events).get("emit")
    if isinstance(installed, functools.partial) and installed.func is emit:
        del app.events.emit
