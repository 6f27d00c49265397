"""Sphinx's debug line for each emitted event stays short in large suites' builds
(``scale/event_log.py``), and the process's logger is as before once a build ends."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from sphinx_testdocs.scale.event_log import EVENTS_LOGGER, KEPT, ShortEventArgs


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.mark.sphinx(
    "html", testroot="basic", srcdir="event-log", confoverrides={"testdocs_scale_levers": True}
)
def test_event_arguments_are_cut_in_debug_lines(app: Any) -> None:
    # Sphinx 8+ logs the repr of every argument: a page's whole HTML context, which
    # parallel writers keep and send back to the main process (see the module doc).
    app.add_event("testdocs-probe")
    recorder = Recorder()
    events_logger = logging.getLogger(EVENTS_LOGGER)
    events_logger.addHandler(recorder)
    try:
        app.emit("testdocs-probe", "start-of-the-arguments" + "x" * 100_000)
    finally:
        events_logger.removeHandler(recorder)
    probe = [m for m in recorder.messages if "testdocs-probe" in m]
    assert len(probe) == 1
    assert "start-of-the-arguments" in probe[0]
    assert len(probe[0]) < KEPT + 60
    # The filter is the process's logger's: it goes when the build ends.
    app.build()
    assert not any(isinstance(f, ShortEventArgs) for f in events_logger.filters)


@pytest.mark.sphinx("html", testroot="basic", srcdir="event-log-small")
def test_a_small_suite_leaves_the_event_logger_alone(app: Any) -> None:
    events_logger = logging.getLogger(EVENTS_LOGGER)
    assert not any(isinstance(f, ShortEventArgs) for f in events_logger.filters)
    app.build()
    assert not any(isinstance(f, ShortEventArgs) for f in events_logger.filters)
