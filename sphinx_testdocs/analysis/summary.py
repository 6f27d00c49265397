"""The few numbers folder and suite pages show for each file, small enough to keep."""

from __future__ import annotations

from dataclasses import dataclass

from sphinx_testdocs.analysis.model import FileKind, ModuleAnalysis, ParseStatus


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
    #: Total test cases, None when some parametrization is computed at collection time.
    cases: int | None
    fixtures: int

    @property
    def is_test_module(self) -> bool:
        return self.kind is FileKind.TEST_MODULE


def summarise(analysis: ModuleAnalysis) -> FileSummary:
    collection = analysis.collection
    return FileSummary(
        relpath=analysis.facts.relpath,
        kind=analysis.kind,
        status=analysis.status,
        size=analysis.facts.size,
        lines=analysis.facts.line_count,
        classes=analysis.class_count,
        functions=analysis.function_count,
        tests=len(collection.tests) if collection else 0,
        cases=collection.case_count if collection else 0,
        fixtures=len(collection.fixtures) if collection else 0,
    )


@dataclass(frozen=True, slots=True)
class Totals:
    """Sums over a set of files."""

    files: int = 0
    test_modules: int = 0
    tests: int = 0
    cases: int = 0
    cases_exact: bool = True
    classes: int = 0
    functions: int = 0
    fixtures: int = 0
    lines: int = 0
    size: int = 0
    unparsed: int = 0

    @classmethod
    def of(cls, summaries: list[FileSummary]) -> Totals:
        return cls(
            files=len(summaries),
            test_modules=sum(s.is_test_module for s in summaries),
            tests=sum(s.tests for s in summaries),
            cases=sum(s.cases or 0 for s in summaries),
            cases_exact=all(s.cases is not None for s in summaries),
            classes=sum(s.classes for s in summaries),
            functions=sum(s.functions for s in summaries),
            fixtures=sum(s.fixtures for s in summaries),
            lines=sum(s.lines for s in summaries),
            size=sum(s.size for s in summaries),
            unparsed=sum(s.status is not ParseStatus.OK for s in summaries),
        )
