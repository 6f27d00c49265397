"""The state of one build: the scanned project, its analyses and per-build memos.

One ``BuildRun`` per build environment, started when the build starts
(``builder-inited``) and reached through ``build_run(env)`` only. Parallel readers and
writers are forked, so they inherit it; it is never pickled with the environment. What
must outlive the build (records per document, summaries per file) is the Domain's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from sphinx_testdocs.project import PageRef, Project


@dataclass
class BuildRun:
    """What one build knows beyond its environment."""

    #: The scanned test directories and their analyses (None: no testdocs_dirs).
    project: Project | None = None
    #: Whether the levers for large suites are on (``sphinx_testdocs.scale``).
    large: bool = False
    #: Names a ``py`` reference may resolve to, once every page is read (write phase).
    python_names: frozenset[str] | None = None
    #: Sidebar toctrees shared by the file pages of one folder (``scale.sidebar``).
    sidebar_toctrees: dict[tuple[str, tuple[tuple[str, Any], ...]], str] = field(
        default_factory=dict
    )

    def page(self, docname: str) -> PageRef | None:
        """The generated page behind ``docname``; None for the user's own pages."""
        return self.project.page(docname) if self.project is not None else None

    def finish_reading(self) -> None:
        """Every page is read: drop what only reading needed, and what reading changed."""
        self.python_names = None  # the Python domain may have changed
        self.sidebar_toctrees.clear()  # and any page's title
        if self.project is not None:
            self.project.forget_analyses()


#: Keyed by the build environment: one per build, gone with it.
_RUNS: WeakKeyDictionary[Any, BuildRun] = WeakKeyDictionary()


def start_run(env: Any, project: Project | None, *, large: bool) -> BuildRun:
    """Begin a build's run state (a rebuild in the same process starts afresh)."""
    run = _RUNS[env] = BuildRun(project=project, large=large)
    return run


def build_run(env: Any) -> BuildRun:
    """The run state of the build ``env`` belongs to (empty before it started)."""
    if env is None:  # a build that failed before its environment existed
        return BuildRun()
    run = _RUNS.get(env)
    if run is None:
        run = _RUNS[env] = BuildRun()
    return run
