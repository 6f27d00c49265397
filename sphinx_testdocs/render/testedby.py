"""The "Tested by" list: the tests that import or use an API object, linked to lines."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from docutils import nodes

from sphinx_testdocs.coverage.measure import MeasuredTest, Measurement
from sphinx_testdocs.crossfile import TestUse
from sphinx_testdocs.render.common import (
    NO_SEARCH,
    bullet_list,
    doc_link,
    line_xref,
    literal,
    optional_xref,
    para,
    plural,
)
from sphinx_testdocs.render.nodes import testdocs_compact

#: One row of a list: what uses the object (a test's name, or the module's import) and
#: (how, lines) for each way it was found, in the order of their first line.
Row = tuple[str, tuple[tuple[str, tuple[int, ...]], ...]]
#: The uses in one test file: its label, its page's docname ("" when it has none), rows.
FileUses = tuple[str, str, tuple[Row, ...]]


class testdocs_testedby(nodes.General, testdocs_compact):
    """A "Tested by" list, kept as ``files`` (:data:`FileUses`) until written.

    With :confval:`testdocs_tested_by_autodoc` an API page carries one per object:
    as ordinary nodes they were half of such a page, walked by every transform, the
    pickler and the writer; HTML writes this one directly (``render.html``).
    """

    def expand(self, linkable: Collection[str] = ()) -> list[nodes.Node]:
        items = []
        for label, docname, rows in self["files"]:
            head = para(doc_link(docname, literal(label)) if docname else literal(label))
            items.append([head, bullet_list([_row(docname, row) for row in rows])])
        return [bullet_list(items, "testdocs-tested-by", NO_SEARCH)]


def render_tested_by(
    name: str,
    uses: Sequence[TestUse],
    page_of: Callable[[TestUse], str | None],
    label_of: Callable[[TestUse], str],
) -> list[nodes.Node]:
    """Uses grouped by file: one row per test (or module-level import) with the lines
    it uses the object on, each linked, and how each use was found."""
    # Left out of the search index: the same sentences under every object of an API
    # page would make their words match all of them.
    if not uses:
        return [
            para(
                "No test imports or uses ",
                literal(name),
                " (found statically).",
                classes=[NO_SEARCH],
            )
        ]
    by_file: dict[tuple[str, str], list[TestUse]] = {}
    for use in uses:
        by_file.setdefault((use.root, use.relpath), []).append(use)
    tests = {u.test for u in uses if u.test}
    intro = para(
        "Imported or used in ",
        plural(len(by_file), "file"),
        f", by {plural(len(tests), 'test')} (found statically, without running them): ",
        literal(name),
        classes=[NO_SEARCH],
    )
    files: list[FileUses] = []
    for uses_in_file in by_file.values():
        first = uses_in_file[0]
        lines_of: dict[str | None, dict[str, set[int]]] = {}
        for use in uses_in_file:
            lines_of.setdefault(use.test, {}).setdefault(use.how, set()).add(use.line)
        rows = tuple(
            (
                test.rsplit("::", 1)[-1] if test else "",
                tuple(
                    (how if test else "", tuple(sorted(lines)))
                    for how, lines in sorted(by_how.items(), key=_first_line)
                ),
            )
            for test, by_how in lines_of.items()
        )
        files.append((label_of(first), page_of(first) or "", rows))
    return [intro, testdocs_testedby(files=tuple(files))]


def _first_line(item: tuple[str, set[int]]) -> tuple[int, str]:
    return min(item[1]), item[0]


def row_parts(row: Row) -> list[tuple[str, int | None]]:
    """A row as (text, None) and (text, line to link) parts, for nodes and HTML alike:
    ``test_x, lines 3, 5 (direct); line 9 (through fixture app)``."""
    what, groups = row
    parts: list[tuple[str, int | None]] = [(f"{what or 'imported by the module'}, ", None)]
    for number, (how, lines) in enumerate(groups):
        prefix = "; " if number else ""
        parts.append((prefix + ("line " if len(lines) == 1 else "lines "), None))
        for index, line in enumerate(lines):
            if index:
                parts.append((", ", None))
            parts.append((str(line), line))
        if how:
            parts.append((how_text(how), None))
    return parts


def how_text(how: str) -> str:
    """How the uses in a group were found, in words (``Exercise.how``)."""
    kind, _, fixture = how.partition(" ")
    if kind == "fixture":
        return f" (through fixture {fixture})"
    if kind == "instance":
        return " (on an instance the test makes)"
    if kind == "import":
        return " (imported)"
    return " (direct)"


def _row(docname: str, row: Row) -> nodes.paragraph:
    out = para()
    for text, line in row_parts(row):
        if line is None:
            out += nodes.Text(text)
        else:
            out += line_xref(docname, f"L-{line}", text) if docname else nodes.Text(text)
    return out


#: Above this many tests, a measured list names files and counts, not each test: a
#: function every test runs (a core helper) would otherwise repeat the whole suite on
#: its page, on every page that documents such a function.
MEASURED_NAMED = 200


def render_measured(
    name: str,
    measurement: Measurement,
    page_of: Callable[[MeasuredTest], str | None],
    label_of: Callable[[MeasuredTest], str],
    target_of: Callable[[MeasuredTest], str | None],
) -> list[nodes.Node]:
    """The tests coverage data says ran ``name``'s code, grouped by file: each file
    linked to its page, each test to its definition (``target_of``: its ``test``
    domain ID, None for a test the documented suite does not hold)."""
    sources = ", ".join(measurement.sources)
    if not measurement.tests:
        return [
            para(
                "No test ran ",
                literal(name),
                f" (measured by coverage.py in {sources}).",
                classes=["testdocs-measured"],
            )
        ]
    by_file: dict[str, list[MeasuredTest]] = {}
    for test in measurement.tests:
        by_file.setdefault(label_of(test), []).append(test)
    intro = para(
        f"Run by {plural(len(measurement.tests), 'test')} in {plural(len(by_file), 'file')} "
        f"(measured by coverage.py in {sources}): ",
        literal(name),
        classes=["testdocs-measured"],
    )
    items: list[list[nodes.Node]] = []
    named = len(measurement.tests) <= MEASURED_NAMED
    for label, tests in sorted(by_file.items()):
        docname = page_of(tests[0])
        head = para(doc_link(docname, literal(label)) if docname else literal(label))
        if not named:
            head += nodes.Text(f": {plural(len(tests), 'test')}")
            items.append([head])
            continue
        row = para()
        for number, test in enumerate(tests):
            if number:
                row += nodes.Text(", ")
            shown = test.nodeid.split("::", 1)[-1]
            target = target_of(test)
            row += optional_xref("test", "func", target, shown) if target else nodes.Text(shown)
        items.append([head, bullet_list([row])])
    return [intro, bullet_list(items, "testdocs-tested-by", "testdocs-measured")]


def render_without_contexts(sources: Sequence[str]) -> nodes.paragraph:
    """Said before a static list where coverage data measured the code but cannot say
    which test ran it."""
    return para(
        f"The coverage data ({', '.join(sources)}) was recorded without per-test "
        "contexts, so it cannot tell which tests ran this (record it with "
        "pytest --cov-context=test). Found statically instead:",
        classes=["testdocs-measured"],
    )


def render_outside_tests(sources: Sequence[str]) -> nodes.paragraph:
    """Said before a static list where the code ran, but outside test functions only,
    in data whose contexts name test functions (they leave fixtures to no test)."""
    return para(
        f"The coverage data ({', '.join(sources)}) saw this run outside test functions "
        "only: in a fixture, say, which its test_function contexts credit to no test "
        "(pytest --cov-context=test credits setup and teardown to their test). Found "
        "statically instead:",
        classes=["testdocs-measured"],
    )
