"""The "Tested by" list: the tests that import or use an API object, linked to lines."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from docutils import nodes

from sphinx_testdocs.coverage.measure import MeasuredTest, Measurement
from sphinx_testdocs.crossfile import TestUse
from sphinx_testdocs.render.common import (
    bullet_list,
    doc_link,
    line_xref,
    literal,
    optional_xref,
    para,
    plural,
)


def render_tested_by(
    name: str,
    uses: Sequence[TestUse],
    page_of: Callable[[TestUse], str | None],
    label_of: Callable[[TestUse], str],
) -> list[nodes.Node]:
    """Uses grouped by file: each test (or module-level import) linked to its line."""
    if not uses:
        return [para("No test imports or uses ", literal(name), " (found statically).")]
    by_file: dict[tuple[str, str], list[TestUse]] = {}
    for use in uses:
        by_file.setdefault((use.root, use.relpath), []).append(use)
    tests = {u.test for u in uses if u.test}
    intro = para(
        "Imported or used in ",
        plural(len(by_file), "file"),
        f", by {plural(len(tests), 'test')} (found statically, without running them): ",
        literal(name),
    )
    items = []
    for uses_in_file in by_file.values():
        first = uses_in_file[0]
        docname = page_of(first)
        label = label_of(first)
        head = para(doc_link(docname, literal(label)) if docname else literal(label))
        # One row per test, with every line it uses the name on.
        lines_of: dict[str | None, list[int]] = {}
        for use in uses_in_file:
            lines_of.setdefault(use.test, []).append(use.line)
        entries = []
        for test, lines in lines_of.items():
            what = test.rsplit("::", 1)[-1] if test else "imported by the module"
            row = para(f"{what}, line " if len(lines) == 1 else f"{what}, lines ")
            for number, line in enumerate(sorted(set(lines))):
                if number:
                    row += nodes.Text(", ")
                text = str(line)
                row += line_xref(docname, f"L-{line}", text) if docname else nodes.Text(text)
            entries.append(row)
        items.append([head, bullet_list(entries)])
    return [intro, bullet_list(items, "testdocs-tested-by")]


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
