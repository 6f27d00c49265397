"""The "Tested by" list: the tests that import or use an API object, linked to lines."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from docutils import nodes

from sphinx_testdocs.crossfile import TestUse
from sphinx_testdocs.render.common import bullet_list, doc_link, line_xref, literal, para, plural


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
