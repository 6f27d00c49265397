"""Declarative matchers: each turns the facts of one module into (line, detail) hits."""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import compress
from operator import attrgetter
from typing import Generic, Protocol, TypeVar

from sphinx_testdocs.analysis._walk import Facts

__all__ = [
    "Assigned",
    "Based",
    "Called",
    "Custom",
    "Decorated",
    "Hit",
    "Imported",
    "Index",
    "Keyword",
    "Matcher",
    "MethodCalled",
    "Param",
    "Referenced",
    "WithCall",
    "constant_is",
]

#: One piece of evidence: the line, and an optional short detail shown in the title.
Hit = tuple[int, "str | None"]

_N = TypeVar("_N", bound=ast.AST)

_NO_NAMES: frozenset[str] = frozenset()
_get_id = attrgetter("id")


def constant_is(node: ast.expr | None, value: object) -> bool:
    """True if ``node`` is the literal ``value`` (``True`` is not ``1`` here)."""
    return (
        isinstance(node, ast.Constant) and type(node.value) is type(value) and node.value == value
    )


def callee_name(call: ast.Call) -> str | None:
    """The last component of what is called: ``get`` for ``session.get(...)``."""
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


class _Table(Generic[_N]):
    """Nodes keyed by qualified name, with exact and prefix lookup."""

    __slots__ = ("_by_name", "_keys")

    def __init__(self, by_name: dict[str, list[_N]]) -> None:
        self._by_name = by_name
        # Sorted keys turn a prefix query into a bisect plus a short scan, so a rule
        # like "anything under tempfile." costs the same in a file with 5 or 5,000 names.
        self._keys = sorted(by_name)

    def items(self) -> Iterator[tuple[str, list[_N]]]:
        """Every qualified name with its nodes."""
        return iter(self._by_name.items())

    def find(self, names: Iterable[str], prefixes: Sequence[str]) -> Iterator[_N]:
        by_name = self._by_name
        for name in names:
            yield from by_name.get(name, ())
        keys = self._keys
        for prefix in prefixes:
            i = bisect.bisect_left(keys, prefix)
            while i < len(keys) and keys[i].startswith(prefix):
                yield from by_name[keys[i]]
                i += 1


class Index:
    """A module's facts with names resolved through its imports, built lazily per kind."""

    def __init__(self, facts: Facts, tree: ast.Module | None = None) -> None:
        self.facts = facts
        #: The parsed module, for rules that weigh a line's context (:mod:`._weighing`).
        self.tree = tree if tree is not None else ast.Module(body=[], type_ignores=[])
        #: Per-module answers a weighing function computes once (keyed by its name).
        self.memo: dict[str, object] = {}
        self._aliases = {k: tuple(sorted(v)) for k, v in facts.aliases.items()}
        self._resolved: dict[str, tuple[str, ...]] = {}
        self._tables: dict[str, _Table[ast.AST]] = {}
        self._methods: dict[str, list[ast.Call]] | None = None

    def resolve(self, dotted: str) -> tuple[str, ...]:
        """Qualified names ``dotted`` may mean (empty when it is not an import or builtin).

        A local name bound by several imports (``try: import a as m`` / ``except: import
        b as m``) resolves to all of them. A bare name that nothing in the module binds
        is a builtin, spelled ``builtins.<name>``.
        """
        cached = self._resolved.get(dotted)
        if cached is not None:
            return cached
        head, dot, rest = dotted.partition(".")
        targets = self._aliases.get(head)
        if targets:
            out = tuple(f"{t}.{rest}" for t in targets) if dot else targets
        elif not dot and head not in self.facts.bound:
            out = (f"builtins.{head}",)
        else:
            out = ()
        self._resolved[dotted] = out
        return out

    def _table(self, kind: str, *sources: Iterable[tuple[str, list[_N]]]) -> _Table[_N]:
        table = self._tables.get(kind)
        if table is None:
            by_name: dict[str, list[ast.AST]] = {}
            aliases, bound = self._aliases, self.facts.bound
            for source in sources:
                for dotted, nodes in source:
                    # Most names in a test file are attributes of locals (``self.x``,
                    # ``arr.shape``): rejected here before any string is built.
                    head, dot, _ = dotted.partition(".")
                    if head not in aliases and (dot or head in bound):
                        continue
                    for qualified in self.resolve(dotted):
                        bucket = by_name.get(qualified)
                        if bucket is None:
                            by_name[qualified] = list(nodes)
                        else:
                            bucket.extend(nodes)
            table = self._tables[kind] = _Table(by_name)
        return table  # type: ignore[return-value]

    def calls(self) -> _Table[ast.Call]:
        """Calls by qualified callee."""
        return self._table("calls", self.facts.calls.items())

    def refs(self) -> _Table[ast.expr]:
        """References by qualified name: attribute chains, callees, and bare names.

        Callees are represented by their calls (a call starts on its callee's line). A
        bare name counts only when an import binds it (``from ssl import CERT_NONE``);
        builtins are found as calls, not as references.
        """
        if "refs" not in self._tables:
            aliases = self._aliases
            names: dict[str, list[ast.expr]] = {}
            all_names = self.facts.names
            # Filtered at C speed: a file reads tens of thousands of names, and only
            # those bound by imports can resolve to anything.
            for node in compress(all_names, map(aliases.__contains__, map(_get_id, all_names))):
                names.setdefault(node.id, []).append(node)
            calls: dict[str, list[ast.expr]] = self.facts.calls  # type: ignore[assignment]
            self._table("refs", self.facts.refs.items(), calls.items(), names.items())
        return self._tables["refs"]  # type: ignore[return-value]

    def methods(self) -> dict[str, list[ast.Call]]:
        """Method name -> every call ``<anything>.name(...)``."""
        if self._methods is None:
            merged = {k: list(v) for k, v in self.facts.methods.items()}
            for dotted, calls in self.facts.calls.items():
                _, dot, attr = dotted.rpartition(".")
                if dot:
                    merged.setdefault(attr, []).extend(calls)
            self._methods = merged
        return self._methods

    def decorators(self) -> _Table[ast.expr]:
        """Decorator expressions by qualified decorator (callee when called)."""
        return self._table("decorators", self.facts.decorators.items())

    def bases(self) -> _Table[ast.expr]:
        """Base-class expressions by qualified base."""
        return self._table("bases", self.facts.bases.items())

    def with_calls(self) -> _Table[ast.Call]:
        """``with`` item calls by qualified callee."""
        return self._table("with_calls", self.facts.with_calls.items())


class Matcher(Protocol):
    """Anything that finds evidence in a module's :class:`Index`."""

    def hits(self, index: Index) -> Iterable[Hit]:
        """Every (line, detail) that proves the rule, in any order, duplicates allowed."""
        ...


def _keywords_hold(call: ast.Call, required: Sequence[tuple[str, object]]) -> bool:
    for name, value in required:
        if not any(kw.arg == name and constant_is(kw.value, value) for kw in call.keywords):
            return False
    return True


def _keyword_matches(call: ast.Call, forbidden: Sequence[tuple[str, object]]) -> bool:
    return any(
        kw.arg == name and constant_is(kw.value, value)
        for name, value in forbidden
        for kw in call.keywords
    )


@dataclass(frozen=True, slots=True)
class Called:
    """A call to one of ``names`` (or anything under ``prefixes``), resolved via imports.

    ``when``: keywords that must be passed as these literals (``shell=True``);
    ``unless``: literal keywords that clear the call (``weights_only=True``);
    ``where``: extra predicate; ``detail``: short text for the title (a literal argument).
    """

    names: frozenset[str] = _NO_NAMES
    prefixes: tuple[str, ...] = ()
    when: tuple[tuple[str, object], ...] = ()
    unless: tuple[tuple[str, object], ...] = ()
    where: Callable[[ast.Call, Index], bool] | None = None
    detail: Callable[[ast.Call], str | None] | None = None

    def hits(self, index: Index) -> Iterator[Hit]:
        for call in index.calls().find(self.names, self.prefixes):
            if self.when and not _keywords_hold(call, self.when):
                continue
            if self.unless and _keyword_matches(call, self.unless):
                continue
            if self.where is not None and not self.where(call, index):
                continue
            yield call.lineno, self.detail(call) if self.detail else None


@dataclass(frozen=True, slots=True)
class MethodCalled:
    """A method call ``<receiver>.<attr>(...)`` whatever the receiver's type.

    ``attrs`` or ``pattern`` select the method; ``receiver`` restricts the object to a
    plain name (``self``); ``where`` is an extra predicate.
    """

    attrs: frozenset[str] = _NO_NAMES
    pattern: re.Pattern[str] | None = None
    receiver: str | None = None
    where: Callable[[ast.Call], bool] | None = None

    def hits(self, index: Index) -> Iterator[Hit]:
        methods = index.methods()
        selected = [a for a in self.attrs if a in methods]
        if self.pattern is not None:
            selected.extend(a for a in methods if self.pattern.match(a))
        for attr in selected:
            for call in methods[attr]:
                func = call.func
                if self.receiver is not None and not (
                    isinstance(func, ast.Attribute)
                    and isinstance(func.value, ast.Name)
                    and func.value.id == self.receiver
                ):
                    continue
                if self.where is not None and not self.where(call):
                    continue
                yield call.lineno, None


@dataclass(frozen=True, slots=True)
class Referenced:
    """Any mention (call, attribute chain, bare imported name) of ``names``/``prefixes``."""

    names: frozenset[str] = _NO_NAMES
    prefixes: tuple[str, ...] = ()

    def hits(self, index: Index) -> Iterator[Hit]:
        for node in index.refs().find(self.names, self.prefixes):
            yield node.lineno, None


@dataclass(frozen=True, slots=True)
class Decorated:
    """A decorator, called or not, resolving to ``names``/``prefixes``.

    ``last_names`` matches the decorator's final component as written (``@slowTest``,
    ``@common.slow``) for helpers whose exact name is the evidence.
    """

    names: frozenset[str] = _NO_NAMES
    prefixes: tuple[str, ...] = ()
    last_names: frozenset[str] = _NO_NAMES

    def hits(self, index: Index) -> Iterator[Hit]:
        for node in index.decorators().find(self.names, self.prefixes):
            yield node.lineno, None
        if self.last_names:
            for dotted, nodes in index.facts.decorators.items():
                if dotted.rpartition(".")[2] in self.last_names:
                    for node in nodes:
                        yield node.lineno, None


@dataclass(frozen=True, slots=True)
class Based:
    """A class statement listing a base that resolves to ``names``/``prefixes``."""

    names: frozenset[str] = _NO_NAMES
    prefixes: tuple[str, ...] = ()

    def hits(self, index: Index) -> Iterator[Hit]:
        for node in index.bases().find(self.names, self.prefixes):
            yield node.lineno, None


@dataclass(frozen=True, slots=True)
class Imported:
    """An import of one of ``modules`` or a submodule of it."""

    modules: frozenset[str]

    def hits(self, index: Index) -> Iterator[Hit]:
        for module, stmts in index.facts.imports.items():
            top = module
            while top and top not in self.modules:
                top = top.rpartition(".")[0]
            if top:
                for stmt in stmts:
                    yield stmt.lineno, None


@dataclass(frozen=True, slots=True)
class Param:
    """A function parameter named one of ``names`` (how pytest fixtures are requested)."""

    names: frozenset[str]

    def hits(self, index: Index) -> Iterator[Hit]:
        params = index.facts.params
        for name in self.names:
            for arg in params.get(name, ()):
                yield arg.lineno, None


@dataclass(frozen=True, slots=True)
class Keyword:
    """A keyword argument ``arg=`` given one of the literal ``values`` or a string
    starting with one of ``str_prefixes``, on any call (or only calls whose callee's
    last name is in ``callees``)."""

    arg: str
    values: tuple[object, ...] = ()
    str_prefixes: tuple[str, ...] = ()
    callees: frozenset[str] = _NO_NAMES

    def hits(self, index: Index) -> Iterator[Hit]:
        for call, kw in index.facts.keywords.get(self.arg, ()):
            if self.callees and callee_name(call) not in self.callees:
                continue
            value = kw.value
            if any(constant_is(value, v) for v in self.values) or (
                self.str_prefixes
                and isinstance(value, ast.Constant)
                and isinstance(value.value, str)
                and value.value.startswith(self.str_prefixes)
            ):
                yield kw.lineno, None


@dataclass(frozen=True, slots=True)
class WithCall:
    """A ``with`` item that calls ``names``/``prefixes`` or ``self.<method>``."""

    names: frozenset[str] = _NO_NAMES
    prefixes: tuple[str, ...] = ()
    self_methods: frozenset[str] = _NO_NAMES

    def hits(self, index: Index) -> Iterator[Hit]:
        for call in index.with_calls().find(self.names, self.prefixes):
            yield call.lineno, None
        for method in self.self_methods:
            for call in index.facts.with_calls.get(f"self.{method}", ()):
                yield call.lineno, None


@dataclass(frozen=True, slots=True)
class Assigned:
    """``name = <literal>`` or ``obj.name = <literal>`` where ``where(name, literal)``."""

    where: Callable[[str, object], bool]

    def hits(self, index: Index) -> Iterator[Hit]:
        for name, const, stmt in index.facts.const_assigns:
            if self.where(name, const.value):
                yield stmt.lineno, None


@dataclass(frozen=True, slots=True)
class Custom:
    """Escape hatch: any function from the index to hits."""

    find: Callable[[Index], Iterable[Hit]]

    def hits(self, index: Index) -> Iterable[Hit]:
        return self.find(index)
