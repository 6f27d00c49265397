"""Which project objects a test module imports and which of its tests use them."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

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
    typed: Callable[[Spans, Mapping[str, Mapping[str, FixtureDef]]], Iterable[Exercise]]
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
    for name, line in references:
        if classify(name, 0).is_project and (span := spans.at(line)) is not None:
            out.append(Exercise(name, line, span.test))
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


@dataclass(frozen=True, slots=True)
class Span:
    """Where a test's definition is written: first and last line, and its node ID."""

    start: int
    end: int
    test: str


@dataclass(frozen=True)
class Spans:
    """The module's own tests (not inherited ones) by the lines their bodies cover."""

    spans: Sequence[Span] = ()
    _starts: list[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_starts", [span.start for span in self.spans])

    def at(self, line: int) -> Span | None:
        """The test whose definition holds ``line``, if any. Tests do not nest, so the
        last one starting at or before the line is the only candidate."""
        i = bisect.bisect_right(self._starts, line) - 1
        return self.spans[i] if i >= 0 and self.spans[i].end >= line else None


def _test_spans(definitions: Sequence[Definition], collection: ModuleCollection | None) -> Spans:
    if collection is None:
        return Spans()
    ends: dict[int, int] = {}
    stack = list(definitions)
    while stack:
        defn = stack.pop()
        ends[defn.line] = defn.end_line
        stack.extend(defn.children)
    spans = {
        Span(test.line, ends.get(test.line, test.line), test.nodeid)
        for test in collection.tests
        if not test.inherited_from
    }
    return Spans(sorted(spans, key=lambda s: (s.start, s.end, s.test)))
