"""Keep Python's cyclic garbage collector off the long-lived part of the heap.

The collector's full passes walk every tracked object. A build holds a large, stable
heap (Sphinx, the environment, the analyses until reading ends) while it makes and
drops millions of short-lived doctree objects, and each burst of those triggers a full
pass over everything: measured on NumPy's 250 test files, about a third of the build
went to such passes. At the two points where the stable heap is complete (analyses
done; every page read) it is moved out of the collector's sight with ``gc.freeze()``,
after one collection so no garbage is frozen with it. Frozen objects are still freed
by reference counting when dropped; at the end of the build ``gc.unfreeze()`` hands
everything back, so long-running processes (tests, sphinx-autobuild) collect as usual.

Before any of that, a rebuild unpickles the saved environment: hundreds of thousands
of objects at once, and on NumPy's suite the collector's passes over them were four
fifths of the load (0.3 of 0.37 s, on every rebuild, even one that reads nothing).
Unpickling makes no garbage, so the collector is paused from ``config-inited`` (the
last event before Sphinx loads the environment) to ``builder-inited``, and what was
loaded is frozen then: merely resuming would start a full pass over all of it.

And after it, the interpreter's exit: while Python tears its modules down it runs full
collections over whatever is still alive, and after a build that is a large heap. On
NumPy's suite that took 0.55 s of a 1.4 s rebuild after touching one file (plain
Sphinx's exit: 0.25 s) and 0.7 s after a fresh build. Nothing those passes could free
matters then (the process's memory goes back to the system as it ends), so once a
process has built a large suite, the heap is frozen when it exits. Objects are still freed by
reference counting as modules go; only garbage in reference cycles is left to the end
of the process.

And in the processes Sphinx forks to read and write in parallel (``-j N``): each starts
with a copy of the main process's heap, which by the time writers fork holds the
resolved pages queued for them. Every full pass in a child walked all of that again
(and, touching each object, copied its memory page: copy-on-write), once per chunk of
pages: with furo, writing at ``-j 2`` took longer than at ``-j 1`` (one writer, see
docs/upstream.rst). What a child inherits is frozen as it starts (``os.register_at_fork``,
which cannot be undone, so the hook does nothing outside a large build's run): the
child collects what it makes itself, and what it inherited is freed with the process.

And from reading on, the youngest generation is collected after 2,000 new objects
(Python 3.13's default) instead of 700. A page's doctree is tens of
thousands of objects made at once, and each pass over the youngest objects also
promotes them, so more of them reach the older generations' passes: in ``host.py``'s
project (alabaster, 256 pages of its own, 156 of NumPy's test files) the collector's
time fell from 2.9 to 2.3 s of the build, NumPy's suite alone with furo 1.3 to 0.8 s,
for 4 MB more at the peak (5,000: no less time, 7 MB more).

All of this is process-wide, so it happens only in builds of large suites (see
``sphinx_testdocs.scale``), and the collector is handed back as it was when the build
ends (except the exit hook, which only acts when the process ends).
"""

from __future__ import annotations

import atexit
import gc
import os
from pathlib import Path
from typing import Any

from sphinx_testdocs.run import build_run

#: Below this many pages to read, freezing is not worth the collection it starts with.
SMALL_BUILD = 20
#: A saved environment at least this large makes a heap worth pausing the collector
#: for while it loads: about what the 100 files of ``LARGE_SUITE`` leave (NumPy's
#: suite, 250 files: 3.1 MB, loaded in 0.10 to 0.16 s collecting and 0.035 s not;
#: 25 files of PyTorch's: 0.6 MB).
LARGE_ENVIRONMENT = 1024 * 1024
#: The youngest generation's threshold while a large build reads and writes (at least):
#: Python 3.13's default, against 700 before it (see the module doc).
YOUNG_THRESHOLD = 2000

#: Whether this build froze the heap (a process may freeze it for reasons of its own,
#: e.g. before forking workers: that is then left alone), whether it paused the
#: collector for the environment's load, and whether this process freezes at exit.
_state = {
    "frozen": False,
    "paused": False,
    "exit_hook": False,
    "fork_hook": False,
    "freeze_children": False,
}
#: The collector's thresholds before this build raised the youngest one, to put back.
_thresholds: list[tuple[int, ...]] = []


def _freeze_inherited_heap() -> None:
    """In a process just forked (``os.register_at_fork``): while a large build runs,
    put what it inherited out of its collector's sight (see the module doc)."""
    if _state["freeze_children"]:
        gc.freeze()


def freeze_in_forked_children(app: Any) -> None:
    """``builder-inited`` (after the scan): a large suite's parallel readers and writers
    freeze what they inherit."""
    if not build_run(app.env).large:
        return
    if not _state["fork_hook"] and hasattr(os, "register_at_fork"):  # not on Windows
        os.register_at_fork(after_in_child=_freeze_inherited_heap)
        _state["fork_hook"] = True
    _state["freeze_children"] = True


def pause_for_environment_load(app: Any, config: Any) -> None:
    """``config-inited`` (late): pause collection while Sphinx unpickles a large saved
    environment (see the module doc). The suite is not scanned yet: the size of what
    is about to be loaded decides, unless ``testdocs_scale_levers`` is set."""
    choice = getattr(config, "testdocs_scale_levers", None)
    if choice is None:
        try:
            size = Path(app.doctreedir, "environment.pickle").stat().st_size
        except OSError:
            size = 0
        choice = size >= LARGE_ENVIRONMENT
    if choice and gc.isenabled():
        gc.disable()
        _state["paused"] = True


def resume_after_environment_load(*args: Any) -> None:
    """``builder-inited`` (early): the environment is loaded; freeze it, resume."""
    if not _state["paused"]:
        return
    if _state["frozen"] or not gc.get_freeze_count():
        gc.freeze()
        _state["frozen"] = True
    gc.enable()
    _state["paused"] = False


def freeze_after_analysis(app: Any, env: Any, docnames: list[str]) -> None:
    """Before reading: exclude everything alive now from later collections."""
    if not build_run(env).large or len(docnames) < SMALL_BUILD:
        return
    if _state["frozen"] or not gc.get_freeze_count():
        gc.collect()
        gc.freeze()
        _state["frozen"] = True
    if not _thresholds:
        _thresholds.append(gc.get_threshold())
        young, *older = gc.get_threshold()
        gc.set_threshold(max(young, YOUNG_THRESHOLD), *older)


def heap_frozen() -> bool:
    """Whether this build froze the heap (and freezes it again after reading)."""
    return bool(_state["frozen"])


def freeze_after_reading(*args: Any) -> None:
    """After reading, if frozen before it: freeze what reading added (the environment)."""
    if _state["frozen"]:
        gc.collect()
        gc.freeze()


def unfreeze_heap(app: Any, exception: BaseException | None) -> None:
    """Give frozen objects back to the collector (the build is over); freeze at exit."""
    _state["freeze_children"] = False
    if _state["paused"]:  # Sphinx never reached builder-inited
        gc.enable()
        _state["paused"] = False
    if _state["frozen"]:
        gc.unfreeze()
        _state["frozen"] = False
    if _thresholds:
        gc.set_threshold(*_thresholds.pop())
    if build_run(app.env).large and not _state["exit_hook"]:
        # Handlers registered earlier (logging's shutdown, weakref.finalize's) run
        # after this one, as before: they do their work directly, not by collection.
        atexit.register(gc.freeze)
        _state["exit_hook"] = True
