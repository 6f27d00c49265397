"""The results' index pages: failing, slowest and skipped tests, tests no result
mentions, and results whose test no longer exists.

Written only when results files are configured (``testdocs_results``): an index with
no content gets no page, and one with nothing to list says so in one entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from sphinx.domains import Index, IndexEntry

from sphinx_testdocs.render.results import seconds
from sphinx_testdocs.results.join import JoinedResults, TestResults
from sphinx_testdocs.results.records import Outcome
from sphinx_testdocs.run import build_run

if TYPE_CHECKING:
    from sphinx_testdocs.domain import TestDomain, TestObject

#: The slowest tests listed.
SLOWEST = 50

Content = tuple[list[tuple[str, list[IndexEntry]]], bool]


class _ResultsIndex(Index):
    """An index of the joined results; its entries link to the tests' definitions."""

    empty = ""

    def generate(self, docnames: Iterable[str] | None = None) -> Content:
        project = build_run(self.domain.env).project
        if project is None or project.results is None:
            return [], False
        domain: Any = self.domain
        links = _TestLinks(domain, {root.key: root.name for root in project.roots})
        groups: dict[str, list[IndexEntry]] = {}
        for group, entry in self.entries(project.results, links):
            groups.setdefault(_group_name(group), []).append(entry)
        content = list(groups.items())
        return content or domain.empty_index(self.empty), False

    def entries(
        self, joined: JoinedResults, links: _TestLinks
    ) -> Iterator[tuple[str, IndexEntry]]:
        raise NotImplementedError


#: Characters that Sphinx's ``domainindex.html`` would write as markup: it escapes an
#: entry's name, extra and description, but not its group's name (nor its anchor).
_MARKUP = re.compile(r'[<>&"\x00-\x1f]')


def _group_name(text: str) -> str:
    """A group name safe to write unescaped: results files and file names are untrusted
    input (a skip reason could carry a script). The full text stays in the entries."""
    return _MARKUP.sub("_", text)


class _TestLinks:
    """Where a known test is defined: its domain object, by root and node ID."""

    def __init__(self, domain: TestDomain, root_names: dict[str, str]) -> None:
        self.root_names = root_names
        self.objects: dict[tuple[str, str], TestObject] = {
            (obj.root, obj.fullname): obj for obj in domain.objects_of("test")
        }

    def entry(self, root: str, relpath: str, nodeid: str, extra: str, descr: str) -> IndexEntry:
        inside = nodeid.split("::", 1)[1] if "::" in nodeid else nodeid
        fullname = f"{relpath}::{inside}"
        obj = self.objects.get((self.root_names.get(root, ""), fullname))
        docname, anchor = (obj.docname, obj.anchor) if obj else ("", "")
        return IndexEntry(fullname, 0, docname, anchor, extra, "", descr)


def _each(joined: JoinedResults) -> Iterator[tuple[str, str, str, TestResults]]:
    for (root, relpath), tests in sorted(joined.by_file.items()):
        for nodeid, results in tests.items():
            yield root, relpath, nodeid, results


def _where(joined: JoinedResults, results: TestResults, outcomes: set[Outcome]) -> str:
    labels = sorted({joined.sources[s] for s, o, _ in results.counts if o in outcomes})
    return ", ".join(labels)


class FailingIndex(_ResultsIndex):
    """Tests that failed or errored in any results file, by file."""

    name = "failingindex"
    localname = "Failing tests"
    shortname = "failing"
    empty = "No test failed or errored in the results files."

    def entries(
        self, joined: JoinedResults, links: _TestLinks
    ) -> Iterator[tuple[str, IndexEntry]]:
        bad = {Outcome.FAILED, Outcome.ERROR}
        for root, relpath, nodeid, results in _each(joined):
            if results.overall not in bad:
                continue
            extra = f"{results.overall.value} in {_where(joined, results, bad)}"
            if results.flaky:
                extra += ", flaky"
            message = results.messages[0] if results.messages else ""
            yield relpath, links.entry(root, relpath, nodeid, extra, message)


class SlowestIndex(_ResultsIndex):
    """The slowest tests: the longest one job took over all of a test's cases."""

    name = "slowestindex"
    localname = "Slowest tests"
    shortname = "slowest"
    empty = "No results file gives durations."

    def entries(
        self, joined: JoinedResults, links: _TestLinks
    ) -> Iterator[tuple[str, IndexEntry]]:
        timed = [t for t in _each(joined) if t[3].duration > 0]
        timed.sort(key=lambda t: (-t[3].duration, t[1], t[2]))
        group = f"The {min(SLOWEST, len(timed))} slowest"
        for root, relpath, nodeid, results in timed[:SLOWEST]:
            yield group, links.entry(root, relpath, nodeid, seconds(results.duration), "")


class SkippedIndex(_ResultsIndex):
    """Skipped and xfailed tests, grouped by the reason given."""

    name = "skippedindex"
    localname = "Skipped tests"
    shortname = "skipped"
    empty = "No test was skipped in the results files."

    def entries(
        self, joined: JoinedResults, links: _TestLinks
    ) -> Iterator[tuple[str, IndexEntry]]:
        found = []
        for root, relpath, nodeid, results in _each(joined):
            worst = results.overall
            if worst in (Outcome.SKIPPED, Outcome.XFAILED):
                reason = results.messages[0] if results.messages else "(no reason given)"
                entry = links.entry(root, relpath, nodeid, worst.value, reason)
                found.append((f"{worst.value}: {reason}", entry))
        yield from sorted(found)


class NotRunIndex(_ResultsIndex):
    """Tests the static map knows that no results file mentions, by file."""

    name = "notrunindex"
    localname = "Tests no result mentions"
    shortname = "not run"
    empty = "Every known test has a result."

    def entries(
        self, joined: JoinedResults, links: _TestLinks
    ) -> Iterator[tuple[str, IndexEntry]]:
        for test in joined.not_run():
            yield test.relpath, links.entry(test.root, test.relpath, test.nodeid, "", "")


class OrphanIndex(_ResultsIndex):
    """Results whose test the static map does not know (renamed, removed, or never)."""

    name = "orphanindex"
    localname = "Results without a test"
    shortname = "no test"
    empty = "Every result matched a known test."

    def entries(
        self, joined: JoinedResults, links: _TestLinks
    ) -> Iterator[tuple[str, IndexEntry]]:
        for orphan in joined.orphans:
            label = joined.sources[orphan.source]
            # Never "gone" for sure where the static map of its file is partial.
            doubt = (
                f"{orphan.file[1]} is partly known: pytest may collect this test"
                if orphan.file in joined.partial
                else ""
            )
            entry = IndexEntry(orphan.shown, 0, "", "", orphan.outcome.value, "", doubt)
            yield label, entry
        hidden = joined.orphans_total - len(joined.orphans)
        if hidden:
            yield "…", IndexEntry(f"and {hidden:,} more", 0, "", "", "", "", "")


RESULTS_INDICES: tuple[type[Index], ...] = (
    FailingIndex,
    SlowestIndex,
    SkippedIndex,
    NotRunIndex,
    OrphanIndex,
)
