"""Which project objects a test module imports and which of its tests use them."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping, Sequence

from sphinx_testdocs.analysis.model import (
    Definition,
    Exercise,
    FixtureDef,
    Import,
    ImportOrigin,
    ModuleCollection,
)


def exercises(
    references: Sequence[tuple[str, int]],
    imports: Sequence[Import],
    definitions: Sequence[Definition],
    collection: ModuleCollection | None,
    classify: Callable[[str, int], ImportOrigin],
    typed: Callable[
        [Sequence[tuple[int, int, str]], Mapping[str, Mapping[str, FixtureDef]]],
        Iterable[Exercise],
    ]
    | None = None,
) -> tuple[Exercise, ...]:
    """Local objects the module imports (module level) and its tests reference.

    ``references`` are (qualified name, line) pairs resolved through the module's
    imports. A reference counts for a test when its line lies inside the test's
    definition; inherited tests are credited where their body is written.
    ``typed`` (``receivers.typed_uses`` bound to the module) adds the methods called
    on names whose class is known, given the tests' spans and requested fixtures.
    """
    out: list[Exercise] = []
    for imp in imports:
        if not imp.origin.is_project or imp.level or not imp.top_level:
            continue
        if imp.names:
            out.extend(
                Exercise(f"{imp.module}.{n.name}", imp.line, None, "import") for n in imp.names
            )
        else:
            out.append(Exercise(imp.module, imp.line, None, "import"))

    spans = _test_spans(definitions, collection)
    starts = [start for start, _, _ in spans]
    for name, line in references:
        if not classify(name, 0).is_project:
            continue
        # The innermost test whose span holds the line: tests do not nest, so the last
        # one starting at or before the line is the only candidate.
        i = bisect.bisect_right(starts, line) - 1
        if i >= 0 and spans[i][1] >= line:
            out.append(Exercise(name, line, spans[i][2]))
    if typed is not None and collection is not None:
        out.extend(typed(spans, _requested(collection)))
    return tuple(sorted(set(out), key=lambda e: (e.line, e.name, e.test or "", e.how)))


def _requested(collection: ModuleCollection) -> dict[str, dict[str, FixtureDef]]:
    """Test node ID -> the fixtures it names as arguments, resolved."""
    return {
        test.nodeid: {
            r.name: r.resolved
            for r in test.fixtures
            if r.via == "argument" and r.resolved is not None
        }
        for test in collection.tests
        if not test.inherited_from
    }


def _test_spans(
    definitions: Sequence[Definition], collection: ModuleCollection | None
) -> list[tuple[int, int, str]]:
    if collection is None:
        return []
    ends: dict[int, int] = {}
    stack = list(definitions)
    while stack:
        defn = stack.pop()
        ends[defn.line] = defn.end_line
        stack.extend(defn.children)
    spans = {
        (test.line, ends.get(test.line, test.line), test.nodeid)
        for test in collection.tests
        if not test.inherited_from
    }
    return sorted(spans)
