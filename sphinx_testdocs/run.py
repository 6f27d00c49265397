"""The state of one build: the scanned project, its analyses, the facts per file and
per-build memos.

One ``BuildRun`` per build environment, started when the build starts
(``builder-inited``) and reached through ``build_run(env)`` only. Parallel readers and
writers are forked, so they inherit it; it is never pickled with the environment. Of
what it holds, only the facts per file (``FileFacts``) outlive the build: they are
carried to the next build under one attribute of the environment, ``FILE_FACTS``, and
nowhere else. The records per document are the Domain's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from sphinx_testdocs.analysis.summary import FileSummary
from sphinx_testdocs.coverage.measure import MeasuredTests
from sphinx_testdocs.project import PageRef, Project, TestRoot

if TYPE_CHECKING:
    from sphinx_testdocs.domain import TestObject

#: (size, mtime in ns) of each input a summary was made from: the file, its conftest.py
#: chain and the pytest configuration file.
Fingerprint = tuple[tuple[int, int], ...]

#: The environment attribute that carries ``FileFacts`` from one build to the next.
FILE_FACTS = "testdocs_file_facts"


@dataclass
class FileFacts:
    """What is known of each test file, made before reading (``freshness.py``) from the
    files themselves, not from any document, and kept for the next build so unchanged
    files are not analysed again."""

    #: root key -> relpath -> (fingerprint of its inputs, summary).
    summaries: dict[str, dict[str, tuple[Fingerprint, FileSummary]]] = field(default_factory=dict)
    #: root key -> relpath -> the file's ``testdocs.json`` entry as JSON text, packed
    #: (``export.packed_fragment``; None: not collected).
    collected: dict[str, dict[str, bytes | None]] = field(default_factory=dict)
    #: checkout -> the commit the written pages' links to the forge are at
    #: (``Project.forge_commits``): pages are written again when it changes.
    forge_commits: dict[str, str] = field(default_factory=dict)
    #: The coverage data as last measured (``freshness._measure_coverage``): what it
    #: was made from (data files, known tests), the per-object sets (the measured
    #: sources' stamps inside) and each file's problem. Read again only when one of
    #: those changes: a large data file takes seconds to read.
    coverage: tuple[object, MeasuredTests, dict[Path, str]] | None = None


@dataclass
class BuildRun:
    """What one build knows beyond its environment."""

    #: The scanned test directories and their analyses (None: no testdocs_dirs).
    project: Project | None = None
    #: Whether the levers for large suites are on (``sphinx_testdocs.scale``).
    large: bool = False
    #: The facts per file: the previous build's until they are refreshed before reading.
    files: FileFacts = field(default_factory=FileFacts)
    #: Names a ``py`` reference may resolve to, once every page is read (write phase).
    python_names: frozenset[str] | None = None
    #: objtype -> name (full ID or a tail of it) -> test objects, made from the domain's
    #: records at the first lookup once every page is read (write phase).
    test_targets: dict[str, dict[str, list[TestObject]]] | None = None
    #: Sidebar toctrees shared by the file pages of one folder depth (``scale.sidebar``).
    sidebar_toctrees: dict[tuple[str, tuple[tuple[str, Any], ...]], str] = field(
        default_factory=dict
    )
    #: Records of the pages not being read, held out of the environment while pages
    #: are read (``scale.stores``); else None.
    held_records: dict[str, dict[str, Any]] | None = None
    #: Analyses every file of a list at once, before their summaries are made: forked
    #: workers under ``-j N`` (``scale.workers``). None: each file is analysed in the
    #: main process when first asked for.
    analyse_ahead: Callable[[Project, Sequence[tuple[TestRoot, str]]], None] | None = None
    #: Stub pages kept out of Sphinx's found documents while other extensions set up
    #: (``events.hide_stubs``); None once they are back.
    hidden_stubs: set[str] | None = None

    def page(self, docname: str) -> PageRef | None:
        """The generated page behind ``docname``; None for the user's own pages."""
        return self.project.page(docname) if self.project is not None else None

    def take_file_facts(self, env: Any) -> FileFacts:
        """Reading starts: the facts per file leave the environment for the run.

        Parallel readers fork after this (the main process refreshes the facts before
        reading, and no page adds to them), so the environment each sends back does
        not carry a copy of them for the main process to unpickle and drop.
        """
        stored = env.__dict__.pop(FILE_FACTS, None)
        if isinstance(stored, FileFacts):
            self.files = stored
        return self.files

    def finish_reading(self, env: Any) -> None:
        """Every page is read: drop what only reading needed, and what reading changed;
        the facts per file go back into the environment, to be saved with it."""
        setattr(env, FILE_FACTS, self.files)
        self.python_names = None  # the Python domain may have changed
        self.test_targets = None  # and the test domain's records
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
