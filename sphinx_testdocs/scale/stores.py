"""Keep other pages' records out of what parallel readers send back: in large suites'
builds only.

Each parallel reader sends its whole environment back, pickled, and the main process
unpickles it to merge the reader's pages; a reader forked late has the records of every
page merged before it. Unpickled and dropped chunk after chunk, those copies grow with
the number of pages. So while pages are read, the test domain's records are held in the
build's run (``BuildRun.held_records``): readers start with empty stores and send back
only their own pages' records, which the domain merges as usual and which then join the
held ones; all go back once every page is read. Nothing looks records up while pages
are read: that is done when they are resolved and written.

Measured on NumPy's suite (``-j 2``, 8 reader chunks, 8,900 objects): the readers' pickled
environments came to 7.3 MB instead of 11.1 MB, and the main process peaked at 137 MB
instead of 145 MB. (The per-file summaries, 6.25 MB pickled, were held here too until
they became run state, ``run.FileFacts``, which no reader sends back in any build: 61 MB
were sent back over those chunks without the levers.)
"""

from __future__ import annotations

from collections.abc import Set
from typing import Any

from sphinx_testdocs.domain import STORES, domain_of
from sphinx_testdocs.run import build_run


def hold_records(app: Any, env: Any, docnames: list[str]) -> None:
    """``env-before-read-docs`` (after the analyses, before readers fork): hold the
    records aside."""
    run = build_run(env)
    if run.large and run.held_records is None:
        data = domain_of(env).data
        run.held_records = {key: data.get(key, {}) for key in STORES}
        for key in STORES:
            data[key] = {}


def purge_held_records(app: Any, env: Any, docname: str) -> None:
    """``env-purge-doc``: a page about to be read (or gone) leaves the held records too,
    as ``TestDomain.clear_doc`` clears it from the environment's."""
    held = build_run(env).held_records
    if held is not None:
        for records in held.values():
            records.pop(docname, None)


def hold_merged_records(app: Any, env: Any, docnames: Set[str], other: Any) -> None:
    """``env-merge-info``: a parallel reader's pages, just merged, join the held records,
    so readers forked later do not carry them."""
    held = build_run(env).held_records
    if held is not None:
        data = domain_of(env).data
        for key in STORES:
            merged = data.get(key, {})
            for docname in docnames:
                if docname in merged:
                    held[key][docname] = merged.pop(docname)


def restore_records(app: Any, env: Any) -> None:
    """``env-updated`` (first): every page is read; the held records go back, to be
    resolved, written and saved with the rest."""
    run = build_run(env)
    if run.held_records is None:
        return
    held, run.held_records = run.held_records, None
    data = domain_of(env).data
    for key in STORES:
        held[key].update(data.get(key, {}))  # the pages read in this build
        data[key] = held[key]
