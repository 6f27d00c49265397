"""In large suites' builds, Sphinx's debug line for each emitted event is made only when
``-vv`` shows it, and short (``scale/event_log.py``); handlers run, and their errors are
reported, exactly as Sphinx's own ``emit`` does it; the event manager is Sphinx's again
once the build ends."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sphinx.errors import ExtensionError, SphinxError
from sphinx.events import EventManager

from sphinx_testdocs.scale.event_log import KEPT

EVENTS_LOGGER = "sphinx.sphinx.events"  # sphinx.util.logging's name for sphinx.events


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


class Loud:
    """An argument whose ``repr`` says it was made."""

    made = 0

    def __repr__(self) -> str:
        Loud.made += 1
        return "start-of-the-arguments" + "x" * 100_000


def _probe_lines(app: Any, *args: Any) -> list[str]:
    recorder = Recorder()
    events_logger = logging.getLogger(EVENTS_LOGGER)
    events_logger.addHandler(recorder)
    try:
        app.emit("testdocs-probe", *args)
    finally:
        events_logger.removeHandler(recorder)
    return [m for m in recorder.messages if "testdocs-probe" in m]


@pytest.mark.sphinx(
    "html", testroot="basic", srcdir="event-log", confoverrides={"testdocs_scale_levers": True}
)
def test_the_debug_line_is_made_only_when_shown_and_short(app: Any) -> None:
    app.add_event("testdocs-probe")
    received: list[tuple[Any, ...]] = []
    app.connect("testdocs-probe", lambda app_, *args: received.append((app_, *args)) or 7)
    # Sphinx writes the repr of every argument (a page's whole HTML context) at any
    # verbosity; the lever only at -vv, where the line is shown.
    Loud.made = 0
    assert _probe_lines(app, Loud()) == []
    assert Loud.made == 0
    app.verbosity = 2
    lines = _probe_lines(app, Loud())
    assert len(lines) == 1
    assert "start-of-the-arguments" in lines[0]
    assert len(lines[0]) < KEPT + 60
    # Handlers are called with the application and the arguments; results come back.
    assert [r[0] for r in received] == [app, app]
    assert app.events.emit("testdocs-probe", 1) == [7]
    # The event manager is Sphinx's again when the build ends.
    app.verbosity = 0
    assert "emit" in vars(app.events)
    app.build()
    assert "emit" not in vars(app.events)


@pytest.mark.sphinx(
    "html",
    testroot="basic",
    srcdir="event-log-errors",
    confoverrides={"testdocs_scale_levers": True},
)
def test_handler_errors_are_reported_as_sphinx_reports_them(app: Any) -> None:
    app.add_event("testdocs-probe")

    def handler(app_: Any, error: Exception) -> None:
        raise error

    app.connect("testdocs-probe", handler)
    assert "emit" in vars(app.events)
    sphinx_emit = EventManager.emit.__get__(app.events)
    for error, allowed, expected in [
        (ValueError("v"), (), ExtensionError),  # wrapped, naming the handler
        (SphinxError("s"), (), SphinxError),  # passed through
        (KeyError("k"), (KeyError,), KeyError),  # passed through: allowed
    ]:
        outcomes = []
        for emit in (app.events.emit, sphinx_emit):
            with pytest.raises(Exception) as caught:
                emit("testdocs-probe", error, allowed_exceptions=allowed)
            value = caught.value
            outcomes.append((type(value), str(value), getattr(value, "modname", None)))
        assert outcomes[0] == outcomes[1]
        assert outcomes[0][0] is expected


@pytest.mark.sphinx("html", testroot="basic", srcdir="event-log-small")
def test_a_small_suite_leaves_the_event_manager_alone(app: Any) -> None:
    assert "emit" not in vars(app.events)
    Loud.made = 0
    app.add_event("testdocs-probe")
    app.emit("testdocs-probe", Loud())
    assert Loud.made == 1  # Sphinx's own emit
    app.build()
    assert "emit" not in vars(app.events)
