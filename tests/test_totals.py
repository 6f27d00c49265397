"""Totals count what pytest collects, the same way everywhere, and say a lower bound."""

from __future__ import annotations

from sphinx_testdocs.analysis.model import CollectedTest, FileKind, ParseStatus
from sphinx_testdocs.analysis.summary import FileSummary, Totals, case_counts, cases_text
from sphinx_testdocs.crossfile import CrossFile
from sphinx_testdocs.export import summary_line

NOT_COLLECTED = "folder build/ matches norecursedirs (build)"


def summary(
    relpath: str,
    *,
    tests: int = 2,
    cases: int = 3,
    uncounted: int = 0,
    excluded: str | None = None,
) -> FileSummary:
    return FileSummary(
        relpath=relpath,
        kind=FileKind.TEST_MODULE,
        status=ParseStatus.OK,
        size=10,
        lines=5,
        classes=0,
        functions=tests,
        tests=tests,
        cases=cases,
        fixtures=0,
        exercises=(("pkg.f", 3, f"{relpath}::test_f", "direct"),),
        uncounted=uncounted,
        not_collected=excluded,
    )


def test_files_pytest_does_not_collect_count_in_no_total() -> None:
    totals = Totals.of(
        [
            summary("test_a.py"),
            summary("test_b.py", uncounted=1),
            summary("build/test_c.py", tests=5, cases=9, excluded=NOT_COLLECTED),
        ]
    )
    assert (totals.files, totals.test_modules, totals.tests, totals.cases) == (3, 2, 4, 6)
    assert (totals.not_collected, totals.not_collected_tests) == (1, 5)
    assert totals.lines == 15  # the source is still there: only collection totals differ
    assert not totals.cases_exact
    assert totals.cases_text == "6+ (1 test function with an unknown number of cases)"
    assert not summary("build/test_c.py", excluded=NOT_COLLECTED).is_test_module


def test_a_lower_bound_is_said_the_same_on_pages_and_in_collect() -> None:
    tests = [
        CollectedTest("test_a", "t.py::test_a", 1, cases=4),
        CollectedTest("test_b", "t.py::test_b", 5, cases=None, exact=False),
        CollectedTest("test_c", "t.py::test_c", 9, cases=2, exact=False),
    ]
    # test_c's 2 cases are not certain: pytest may collect more, or leave it out (-k,
    # a hook, a skip on import), so only exact counts make the lower bound.
    assert case_counts(tests) == (4, 1, 1)
    page = cases_text(*case_counts(tests))
    line = summary_line(*case_counts(tests))
    assert page == (
        "4+ (1 test function with an unknown number of cases; 1 case count not certain)"
    )
    assert line == (
        "4+ tests collected (1 test function with an unknown number of cases; "
        "1 case count not certain)"
    )
    assert cases_text(1234, 0, 0) == "1,234"
    assert summary_line(1, 0, 0) == "1 test collected"
    assert summary_line(0, 0, 0) == "no tests collected"
    # Every test listed, none counted for sure (sympy's suite): not "no tests".
    assert summary_line(0, 0, 2) == "0+ tests collected (2 case counts not certain)"


def test_tests_pytest_never_runs_test_nothing() -> None:
    crossfile = CrossFile(
        {
            "root": {
                "test_a.py": summary("test_a.py"),
                "build/t.py": summary("build/t.py", excluded=NOT_COLLECTED),
            }
        }
    )
    assert [use.relpath for use in crossfile.uses("pkg.f")] == ["test_a.py"]
