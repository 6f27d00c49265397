"""The few numbers folder and suite pages show for each file, small enough to keep."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from sphinx_testdocs.analysis.importgraph import local_imports
from sphinx_testdocs.analysis.model import CollectedTest, FileKind, ModuleAnalysis, ParseStatus
from sphinx_testdocs.analysis.owners import Owner, header_owners, marker_owners
from sphinx_testdocs.analysis.selection import Verdict


@dataclass(frozen=True, slots=True)
class FileSummary:
    """Per-file totals; kept between builds so unchanged files need no new analysis."""

    relpath: str
    kind: FileKind
    status: ParseStatus
    size: int
    lines: int
    classes: int
    functions: int
    tests: int
    #: Test cases whose count is known: all of them when ``uncounted`` is 0.
    cases: int
    fixtures: int
    #: (marker, uses), sorted. A mark on a class or module is one use however many
    #: tests it applies to.
    markers: tuple[tuple[str, int], ...] = ()
    #: Files of the same tree this one imports (relpaths), sorted.
    imports: tuple[str, ...] = ()
    #: Top-level names of the modules it imports absolutely, sorted: how each is
    #: classified depends on other files (``analysis.imports``), checked before reading.
    import_tops: tuple[str, ...] = ()
    #: Fixture definitions its tests use, as "relpath::name" (built-ins left out).
    fixtures_used: tuple[str, ...] = ()
    #: Project objects it imports or its tests use, as (name, line, test node ID or
    #: None, how it was found: ``Exercise.how``) tuples: summaries are pickled with the
    #: environment on every build, and large suites hold tens of thousands of these.
    exercises: tuple[tuple[str, int, str | None, str], ...] = ()
    #: Other files read to resolve its names (absolute): when one changes, the file is
    #: analysed again.
    dependencies: tuple[str, ...] = ()
    #: Why pytest may collect more or other tests than listed (empty: fully known).
    partly_known: tuple[str, ...] = ()
    #: Tests whose number of cases is not known (not in ``cases``).
    uncounted: int = 0
    #: Tests whose case count is known but not certain (in ``cases``).
    uncertain: int = 0
    #: Why pytest, run as configured, never reaches the file; None when it does.
    not_collected: str | None = None
    #: Whether pytest reaches the file, and what may leave it out after all: decided
    #: by other files and folders too (a conftest.py anywhere may drop tests), so
    #: the project's verdict is compared with it before each build.
    verdict: Verdict = field(default_factory=Verdict)
    #: The file's owners: its ``# Owner(s):`` header, then owner marks on the module;
    #: the project adds CODEOWNERS' (``TestRoot.owners``), checked before each build.
    owners: tuple[Owner, ...] = ()

    @property
    def is_test_module(self) -> bool:
        """A test module pytest collects: one it never reaches counts in no total."""
        return self.kind is FileKind.TEST_MODULE and self.not_collected is None

    def folder_facts(self) -> tuple[object, ...]:
        """What folder pages show about this file (``render/folder.py``): totals only.

        Their digest, not the file itself, decides whether a folder page is re-read,
        so touching or editing a file re-reads the folders above it only when these
        change.
        """
        return (
            self.relpath,
            self.kind.value,
            self.status.value,
            self.size,
            self.lines,
            self.classes,
            self.functions,
            self.tests,
            self.cases,
            self.uncounted,
            self.uncertain,
            self.fixtures,
            self.markers,
            self.partly_known,
            self.not_collected,
        )


def summarise(
    analysis: ModuleAnalysis,
    known: Collection[str] = (),
    root_name: str = "",
    owner_markers: Sequence[str] = (),
) -> FileSummary:
    """The summary of one analysed file; ``known`` are the relpaths of its tree,
    ``owner_markers`` the marks that name owners (``testdocs_owner_markers``)."""
    collection = analysis.collection
    uses: set[tuple[str, str, int]] = set()
    fixtures_used: set[str] = set()
    for test in collection.tests if collection else ():
        for marker in test.markers:
            if marker.origin == "class":
                holder = test.nodeid.rpartition("::")[0]
            elif marker.origin == "module":
                holder = ""
            else:
                holder = test.nodeid
            uses.add((marker.name, holder, marker.line))
    markers: dict[str, int] = {}
    for name, _holder, _line in uses:
        markers[name] = markers.get(name, 0) + 1
    for test in collection.tests if collection else ():
        for request in test.fixtures:
            fixture = request.resolved
            if fixture is not None and not fixture.builtin:
                fixtures_used.add(f"{fixture.relpath}::{fixture.name}")
    relpath = analysis.facts.relpath
    cases, uncounted, uncertain = case_counts(collection.tests if collection else ())
    return FileSummary(
        relpath=analysis.facts.relpath,
        kind=analysis.kind,
        status=analysis.status,
        size=analysis.facts.size,
        lines=analysis.facts.line_count,
        classes=analysis.class_count,
        functions=analysis.function_count,
        tests=len(collection.tests) if collection else 0,
        cases=cases,
        uncounted=uncounted,
        uncertain=uncertain,
        fixtures=len(collection.fixtures) if collection else 0,
        markers=tuple(sorted(markers.items())),
        imports=local_imports(relpath, analysis.imports, known, root_name),
        import_tops=tuple(
            sorted({i.module.partition(".")[0] for i in analysis.imports if not i.level})
        ),
        fixtures_used=tuple(sorted(fixtures_used)),
        exercises=tuple((e.name, e.line, e.test, e.how) for e in analysis.exercises),
        dependencies=collection.dependencies if collection else (),
        partly_known=_partly_known(analysis),
        not_collected=analysis.not_collected,
        owners=written_owners(analysis, owner_markers),
    )


def written_owners(analysis: ModuleAnalysis, owner_markers: Sequence[str]) -> tuple[Owner, ...]:
    """The owners a file names itself: its header, then owner marks on the module."""
    module_marks = analysis.collection.module_markers if analysis.collection else ()
    return (*header_owners(analysis.text), *marker_owners(module_marks, owner_markers))


def case_counts(tests: Iterable[CollectedTest]) -> tuple[int, int, int]:
    """(cases known exactly, tests with an unknown count, tests whose count is not
    certain): counted the same way everywhere a total is shown, ``collect`` included.

    Only exact claims are summed, so that a total with "+" is a true lower bound: a
    test that is not certain may have more cases, or none (pytest may leave it out).
    """
    cases = uncounted = uncertain = 0
    for test in tests:
        if test.deselected:  # pytest finds it, then leaves it out
            continue
        if test.cases is None:
            uncounted += 1
        elif test.exact:
            cases += test.cases
        else:
            uncertain += 1
    return cases, uncounted, uncertain


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def unknown_parts(uncounted: int, uncertain: int) -> list[str]:
    """What makes a case total a lower bound, in words (empty when it is exact)."""
    parts = []
    if uncounted:
        parts.append(f"{_plural(uncounted, 'test function')} with an unknown number of cases")
    if uncertain:
        parts.append(f"{_plural(uncertain, 'case count')} not certain")
    return parts


def cases_text(cases: int, uncounted: int, uncertain: int) -> str:
    """A case total as pages say it: "1,529", or a lower bound "1,529+ (what is unknown)"."""
    parts = unknown_parts(uncounted, uncertain)
    return f"{cases:,}+ ({'; '.join(parts)})" if parts else f"{cases:,}"


def _partly_known(analysis: ModuleAnalysis) -> tuple[str, ...]:
    if analysis.kind is not FileKind.TEST_MODULE or analysis.not_collected is not None:
        return ()
    if analysis.collection is None:
        return ("the file could not be parsed: its tests are not known",)
    reasons = analysis.collection.why_partial()
    if analysis.status is not ParseStatus.OK:
        reasons = ("the structure was recovered from a file Python cannot parse", *reasons)
    return reasons


@dataclass(frozen=True, slots=True)
class Totals:
    """Sums over a set of files."""

    files: int = 0
    #: Test modules pytest collects, their tests and cases (a lower bound when
    #: ``uncounted`` or ``uncertain``).
    test_modules: int = 0
    tests: int = 0
    cases: int = 0
    uncounted: int = 0
    uncertain: int = 0
    #: Test modules pytest never reaches (norecursedirs, collect_ignore...) and their
    #: tests: in none of the totals above.
    not_collected: int = 0
    not_collected_tests: int = 0
    classes: int = 0
    functions: int = 0
    fixtures: int = 0
    lines: int = 0
    size: int = 0
    unparsed: int = 0

    @property
    def cases_exact(self) -> bool:
        return not (self.uncounted or self.uncertain)

    @property
    def cases_text(self) -> str:
        return cases_text(self.cases, self.uncounted, self.uncertain)

    @classmethod
    def of(cls, summaries: list[FileSummary]) -> Totals:
        collected = [s for s in summaries if s.not_collected is None]
        skipped = [s for s in summaries if s.kind is FileKind.TEST_MODULE and s.not_collected]
        return cls(
            files=len(summaries),
            test_modules=sum(s.is_test_module for s in summaries),
            tests=sum(s.tests for s in collected),
            cases=sum(s.cases for s in collected),
            uncounted=sum(s.uncounted for s in collected),
            uncertain=sum(s.uncertain for s in collected),
            not_collected=len(skipped),
            not_collected_tests=sum(s.tests for s in skipped),
            classes=sum(s.classes for s in summaries),
            functions=sum(s.functions for s in summaries),
            fixtures=sum(s.fixtures for s in summaries),
            lines=sum(s.lines for s in summaries),
            size=sum(s.size for s in summaries),
            unparsed=sum(s.status is not ParseStatus.OK for s in summaries),
        )
