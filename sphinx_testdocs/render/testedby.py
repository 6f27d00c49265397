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
        # One row per test, with every line it uses the name on and how each was found.
        lines_of: dict[str | None, dict[str, set[int]]] = {}
        for use in uses_in_file:
            lines_of.setdefault(use.test, {}).setdefault(use.how, set()).add(use.line)
        entries = []
        for test, by_how in lines_of.items():
            what = test.rsplit("::", 1)[-1] if test else "imported by the module"
            row = para(f"{what}, ")
            for group, (how, lines) in enumerate(sorted(by_how.items(), key=_first_line)):
                if group:
                    row += nodes.Text("; ")
                row += nodes.Text("line " if len(lines) == 1 else "lines ")
                for number, line in enumerate(sorted(lines)):
                    if number:
                        row += nodes.Text(", ")
                    text = str(line)
                    row += line_xref(docname, f"L-{line}", text) if docname else nodes.Text(text)
                if test is not None:
                    row += _how(how)
            entries.append(row)
        items.append([head, bullet_list(entries)])
    return [intro, bullet_list(items, "testdocs-tested-by")]


def _first_line(item: tuple[str, set[int]]) -> tuple[int, str]:
    return min(item[1]), item[0]


def _how(how: str) -> list[nodes.Node]:
    """How the uses on a row were found, in words (``Exercise.how``)."""
    kind, _, fixture = how.partition(" ")
    if kind == "fixture":
        return [nodes.Text(" (through fixture "), literal(fixture), nodes.Text(")")]
    if kind == "instance":
        return [nodes.Text(" (on an instance the test makes)")]
    if kind == "import":
        return [nodes.Text(" (imported)")]
    return [nodes.Text(" (direct)")]
