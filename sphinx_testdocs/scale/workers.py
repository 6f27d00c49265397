"""Under ``-j N``, the files are analysed by N forked workers rather than by the main
process alone.

Every file is analysed before reading, in the main process: pages show facts about
other files, so every file's summary must exist before the first page is read
(``freshness``). On NumPy's suite that is about 4 s of a 13 s build, and while it runs
no reader has forked yet: with ``-j 2`` it was the part of the build that did not
shrink, and once the rest had been made faster, ``-j 2`` took longer than ``-j 1``.

The analysis is pure (bytes in, frozen records out), so workers forked from the main
process (Sphinx's own ``ParallelTasks``, as its parallel readers are) each analyse a
share of the files and send the analyses back, pickled. The main process keeps them as
if it had made them and goes on as without them: summaries, pages and ``testdocs.json``
are the same. Sending them back costs about 0.25 s for NumPy's 250 files (7 MB
pickled).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.parallel import ParallelTasks, parallel_available

from sphinx_testdocs.run import build_run

logger = logging.getLogger("sphinx_testdocs")

#: Fewer files than this are analysed in the main process: forking and sending the
#: analyses back would cost about what sharing them out saves.
SHARED_FROM = 32

#: A file to analyse: (its test directory, its path in it).
File = tuple[Any, str]


class Analyses(Protocol):
    """What the wing needs of the project (``project.Project``)."""

    def analysis(self, root: Any, relpath: str) -> Any: ...

    def adopt_analyses(self, analyses: Iterable[tuple[Path, Any]]) -> None: ...


def share_analyses(app: Sphinx) -> None:
    """``builder-inited`` (after the scan): a large suite's build under ``-j N`` has its
    files analysed by workers (``BuildRun.analyse_ahead``)."""
    run = build_run(app.env)
    jobs = app.parallel
    if run.large and jobs > 1 and parallel_available:
        run.analyse_ahead = lambda project, files: analyse_in_workers(project, files, jobs)


def analyse_in_workers(project: Analyses, files: Sequence[File], jobs: int) -> None:
    """Analyse ``files`` in ``jobs`` forked workers; the project keeps the analyses.

    Too few files are left to the main process, which analyses each as it is asked.
    """
    if len(files) < SHARED_FROM:
        return
    shares = _shares(files, jobs)
    tasks = ParallelTasks(jobs)
    for share in shares:
        # Forked: the worker starts with the project as it is, and only what it
        # returns is pickled. The collector is paused in the main process while files
        # are analysed (freshness), so in the worker too.
        tasks.add_task(
            _analyse_share,
            (project, share),
            lambda _work, analyses: project.adopt_analyses(analyses),
        )
    tasks.join()
    logger.info("[testdocs] %d file(s) analysed by %d worker processes", len(files), len(shares))


def _analyse_share(work: tuple[Analyses, list[File]]) -> list[tuple[Path, Any]]:
    """In a worker: the analyses of one share of the files."""
    project, share = work
    return [(root.absolute(rel), project.analysis(root, rel)) for root, rel in share]


def _shares(files: Sequence[File], jobs: int) -> list[list[File]]:
    """At most ``jobs`` shares of about the same size in bytes (an analysis's cost
    follows the file's size): largest files first, each to the lightest share so far;
    each share in the files' own order."""
    sizes = []
    for root, rel in files:
        try:
            sizes.append(root.absolute(rel).stat().st_size)
        except OSError:
            sizes.append(0)
    shares: list[list[int]] = [[] for _ in range(jobs)]
    loads = [(0, number) for number in range(jobs)]
    for index in sorted(range(len(files)), key=lambda i: (-sizes[i], i)):
        load, number = heapq.heappop(loads)
        shares[number].append(index)
        heapq.heappush(loads, (load + sizes[index], number))
    return [[files[index] for index in sorted(share)] for share in shares if share]
