"""The classes of a module page's Architecture section: the module's own, and those
defined inside functions (local classes), kept apart.

Test suites define many throwaway classes inside tests (a model, a subclass to check a
hook): a hierarchy that lists them beside the module's classes buries its structure.
The hierarchy shows the classes defined outside functions; the local ones are counted
and listed, collapsed, by the function that defines them (as the Detailed Analysis
nests them).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from docutils import nodes

from sphinx_testdocs.analysis.model import Definition, DefKind
from sphinx_testdocs.render.common import NO_SEARCH, bullet_list, details, para, plural
from sphinx_testdocs.render.pieces import Code, LineRef, Piece, pieces_paragraph

__all__ = ["LocalClasses", "classes_by_place", "local_classes_summary"]

#: (defining function, the classes it defines) for each function that defines any.
LocalClasses = list[tuple[Definition, list[Definition]]]


def classes_by_place(
    definitions: Sequence[Definition],
) -> tuple[list[Definition], LocalClasses]:
    """The classes defined outside any function (nested in classes included), and the
    local ones grouped by the innermost function defining them; both in source order."""
    module_level: list[Definition] = []
    local: dict[int, tuple[Definition, list[Definition]]] = {}
    # (definition, innermost enclosing function)
    stack: list[tuple[Definition, Definition | None]] = [(d, None) for d in reversed(definitions)]
    while stack:
        defn, function = stack.pop()
        if defn.kind is DefKind.CLASS:
            if function is None:
                module_level.append(defn)
            else:
                local.setdefault(function.line, (function, []))[1].append(defn)
        inner = function if defn.kind is DefKind.CLASS else defn
        stack.extend((child, inner) for child in reversed(defn.children))
    return module_level, [local[line] for line in sorted(local)]


def local_classes_summary(
    local: LocalClasses, test_lines: Collection[int], line_anchor: str
) -> list[nodes.Node]:
    """One sentence counting the local classes, and their list, collapsed."""
    if not local:
        return []
    count = sum(len(classes) for _, classes in local)
    in_tests = sum(1 for function, _ in local if function.line in test_lines)
    others = len(local) - in_tests
    where = [plural(in_tests, "test")] if in_tests else []
    if others:
        where.append(plural(others, "other function"))
    sentence = (
        f"Local classes, kept out of the hierarchy: {plural(count, 'class is', 'classes are')}"
        f" defined inside functions ({' and '.join(where)}). The Detailed Analysis shows "
        "each under its function."
    )
    rows: list[nodes.Node] = []
    for function, classes in local:
        label = "test" if function.line in test_lines else "function"
        row: list[Piece] = [
            f"{label} ",
            Code(function.qualname),
            " (",
            LineRef(line_anchor, function.line),
            "): ",
        ]
        for i, cls in enumerate(classes):
            if i:
                row.append(", ")
            row += [Code(cls.name), " (", LineRef(line_anchor, cls.line), ")"]
        rows.append(pieces_paragraph(row))
    listing = bullet_list(rows, "testdocs-local-classes")
    summary = f"Show the {plural(count, 'local class', 'local classes')}, by function"
    return [para(sentence, classes=[NO_SEARCH]), details(summary, listing)]
