"""Run small, pure helpers statically: the values a ``parametrize`` takes from them.

A test often takes its cases from code run at import time: a generator function that
yields tuples, a table built by a comprehension, ``list(SomeEnum)``. This module
evaluates such code over the syntax tree, never importing or running anything: a
small interpreter of a few statements (assignments, ``for`` over known values, ``if``
on known values, ``yield``, ``return``) and expressions (literals, comprehensions,
f-strings, a table of builtins and ``itertools`` functions). Anything outside that
(a call of an unknown function, a ``while`` loop, object identity, a value a C
extension makes) stops the evaluation: the caller keeps the value as computed.

Every rule is chosen so that what it gives is what Python gives: sets of strings are
not iterated (their order depends on the hash seed), a list is changed only if this
evaluation made it, a helper is followed only if its module binds its name once.
"""

from __future__ import annotations

import ast
import itertools
import re
from abc import abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

__all__ = [
    "Computing",
    "EnumClass",
    "EnumMember",
    "Function",
    "Globals",
    "Known",
    "Opaque",
    "Unknown",
    "evaluate",
    "to_ast",
]

#: Statements and expressions one evaluation may run (helpers called included).
MAX_STEPS = 50_000
#: Longest list, string or iteration an evaluation makes.
MAX_ITEMS = 10_000
#: How deep helpers may call helpers.
MAX_CALL_DEPTH = 8
#: Largest integer an evaluation makes, in bits. Like every bound here it is checked
#: before the value is made: analysed source is untrusted, and a loop that squares a
#: number or doubles a string would otherwise take the build's memory.
MAX_BITS = 4096


class Unknown(Exception):
    """The value cannot be known statically."""


@dataclass(frozen=True, eq=False)
class Opaque:
    """An object that exists but whose value is not known: a function, a ``partial``.

    ``kind`` says what pytest can name it by: ``"function"`` (its ``__name__``,
    ``name``), ``"nameless"`` (no ``__name__``: a ``functools.partial``, an
    ``object()``). It can be stored, passed and yielded, never looked into.
    """

    kind: str
    name: str | None = None


@dataclass(frozen=True)
class EnumMember:
    """A member of an ``enum.Enum`` subclass whose members are literals."""

    enum: str
    name: str
    value: object
    #: The module defining the class: two classes of one name are distinct.
    module: str = ""

    def __str__(self) -> str:
        # Enum.__str__, the same on Python 3.10 to 3.13 for a plain Enum.
        return f"{self.enum}.{self.name}"


@dataclass(frozen=True, eq=False)
class EnumClass:
    """A plain ``enum.Enum`` subclass: its members in definition order, aliases left out."""

    name: str
    members: tuple[EnumMember, ...]


@dataclass(frozen=True, eq=False)
class Function:
    """A function defined at module level, evaluated where it is defined."""

    node: ast.FunctionDef
    globals: Globals


@dataclass(frozen=True, eq=False)
class _Builtin:
    name: str


class Known(ast.expr):
    """A value found by evaluation that no literal spells (an enum member, a function).

    It stands in the syntax trees handed back to the parametrize rules, which name
    it as pytest would.
    """

    _fields = ()

    def __init__(self, value: object) -> None:
        super().__init__()
        self.value = value


class Globals(Protocol):
    """The module-level names of the module a helper is written in."""

    def global_value(self, name: str) -> object:
        """The value of a module-level name; raises Unknown."""

    def dotted_value(self, node: ast.Attribute) -> object:
        """The value of an imported dotted name (``itertools.product``); raises Unknown."""


class Computing(Mapping[str, ast.expr]):
    """Names bound to literals (see ``parametrize.Constants``) that can also evaluate."""

    @abstractmethod
    def computed(self, node: ast.expr) -> ast.expr | None:
        """``node`` evaluated, as a literal syntax tree; None when not knowable."""


# --- values back to syntax ----------------------------------------------------------


_CONSTANT_TYPES = (str, bytes, int, float, complex, bool, type(None), type(Ellipsis))


def to_ast(value: object, depth: int = 0) -> ast.expr:
    """A value as the literal that spells it (``Known`` for the others); raises Unknown."""
    if depth > 20:
        raise Unknown
    if isinstance(value, _CONSTANT_TYPES):
        return ast.Constant(value)
    if isinstance(value, tuple):
        return ast.Tuple([to_ast(v, depth + 1) for v in value], ast.Load())
    if isinstance(value, (list, _OneShot, range, _View)):
        if isinstance(value, _View):
            items: Sequence[object] | range = value.items()
        else:
            items = value.items if isinstance(value, _OneShot) else value
        return ast.List([to_ast(v, depth + 1) for v in items], ast.Load())
    if isinstance(value, dict):
        keys: list[ast.expr | None] = [to_ast(k, depth + 1) for k in value]
        return ast.Dict(keys, [to_ast(v, depth + 1) for v in value.values()])
    if isinstance(value, (EnumMember, Opaque)):
        return Known(value)
    if isinstance(value, EnumClass):
        return ast.List([Known(m) for m in value.members], ast.Load())  # iterated
    raise Unknown


# --- the interpreter ----------------------------------------------------------------


class _OneShot:
    """An iterator (a generator's yields, ``zip(...)``): iterated once, then empty."""

    def __init__(self, items: list[object]) -> None:
        self.items = items
        self.used = False

    def take(self) -> list[object]:
        if self.used:
            raise Unknown  # a second pass gives nothing: not worth modelling
        self.used = True
        return self.items


class _View:
    """``d.keys()``, ``d.values()``, ``d.items()``: live, read when iterated."""

    def __init__(self, table: dict[object, object], kind: str) -> None:
        self.table = table
        self.kind = kind

    def items(self) -> list[object]:
        return list(getattr(self.table, self.kind)())


def one_shot(value: object) -> bool:
    """Whether a value is an iterator: a name bound to one is empty once iterated."""
    return isinstance(value, _OneShot)


class _Return(Exception):
    def __init__(self, value: object) -> None:
        super().__init__()
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


@dataclass
class _Frame:
    globals: Globals
    locals: dict[str, object] = field(default_factory=dict)
    #: Names where a top-level expression is written: a class body's literals (and the
    #: module's), the body's names (they hide the module's), those bound to literals.
    outer: Mapping[str, ast.expr] | None = None
    hidden: frozenset[str] = frozenset()
    own: frozenset[str] = frozenset()
    yields: list[object] | None = None


class _Run:
    """One evaluation: a step budget, and the lists and dicts it made (it may change)."""

    def __init__(self) -> None:
        self.steps = 0
        self.depth = 0
        self.owned: set[int] = set()

    def tick(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise Unknown

    def own(self, value: list[object] | dict[object, object]) -> None:
        self.owned.add(id(value))

    # --- statements -------------------------------------------------------------

    def block(self, body: Sequence[ast.stmt], frame: _Frame) -> None:
        for stmt in body:
            self.statement(stmt, frame)

    def statement(self, stmt: ast.stmt, frame: _Frame) -> None:
        self.tick()
        if isinstance(stmt, ast.Expr):
            value = stmt.value
            if isinstance(value, ast.Constant):
                return  # a docstring
            if isinstance(value, (ast.Yield, ast.YieldFrom)) and frame.yields is not None:
                if isinstance(value, ast.Yield):
                    item = None if value.value is None else self.expr(value.value, frame)
                    frame.yields.append(item)
                else:
                    frame.yields.extend(self.iterate(self.expr(value.value, frame)))
                if len(frame.yields) > MAX_ITEMS:
                    raise Unknown
                return
            if isinstance(value, ast.Call):
                self.expr(value, frame)  # list.append(...) and the like
                return
            raise Unknown
        if isinstance(stmt, ast.Assign):
            assigned = self.expr(stmt.value, frame)
            for target in stmt.targets:
                self.assign(target, assigned, frame)
            return
        if isinstance(stmt, ast.AnnAssign) and stmt.value is not None and stmt.simple:
            self.assign(stmt.target, self.expr(stmt.value, frame), frame)
            return
        if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            current = self.name(stmt.target.id, frame)
            if isinstance(current, (list, dict)):
                raise Unknown  # in-place change of a shared object: not modelled
            result = self.binop(stmt.op, current, self.expr(stmt.value, frame))
            frame.locals[stmt.target.id] = result
            return
        if isinstance(stmt, ast.For):
            self.loop(stmt, frame)
            return
        if isinstance(stmt, ast.If):
            chosen = stmt.body if self.truth(self.expr(stmt.test, frame)) else stmt.orelse
            self.block(chosen, frame)
            return
        if isinstance(stmt, ast.Return):
            raise _Return(None if stmt.value is None else self.expr(stmt.value, frame))
        if isinstance(stmt, ast.Pass):
            return
        if isinstance(stmt, ast.Break):
            raise _Break
        if isinstance(stmt, ast.Continue):
            raise _Continue
        if isinstance(stmt, ast.FunctionDef) and not stmt.decorator_list:
            self.defaults(stmt.args, frame)
            frame.locals[stmt.name] = Opaque("function", stmt.name)
            return
        raise Unknown

    def loop(self, stmt: ast.For, frame: _Frame) -> None:
        for item in self.iterate(self.expr(stmt.iter, frame)):
            self.tick()
            self.assign(stmt.target, item, frame)
            try:
                self.block(stmt.body, frame)
            except _Break:
                return
            except _Continue:
                continue
        self.block(stmt.orelse, frame)

    def assign(self, target: ast.expr, value: object, frame: _Frame) -> None:
        if isinstance(target, ast.Name):
            frame.locals[target.id] = value
            return
        if isinstance(target, (ast.Tuple, ast.List)):
            if any(isinstance(e, ast.Starred) for e in target.elts):
                raise Unknown
            items = self.iterate(value)
            if len(items) != len(target.elts):
                raise Unknown  # ValueError at run time
            for elt, item in zip(target.elts, items, strict=True):
                self.assign(elt, item, frame)
            return
        if isinstance(target, ast.Subscript):
            owner = self.expr(target.value, frame)
            if not isinstance(owner, dict) or id(owner) not in self.owned:
                raise Unknown
            owner[_hashable(self.expr(target.slice, frame))] = value
            return
        raise Unknown

    def defaults(self, args: ast.arguments, frame: _Frame) -> None:
        """Defaults are evaluated where a function is defined: they must be knowable."""
        for default in [*args.defaults, *args.kw_defaults]:
            if default is not None:
                self.expr(default, frame)

    # --- expressions ------------------------------------------------------------

    def expr(self, node: ast.expr, frame: _Frame) -> object:
        self.tick()
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return self.name(node.id, frame)
        if isinstance(node, (ast.Tuple, ast.List)):
            items = self.unpacked(node.elts, frame)
            _check_size(items)
            if isinstance(node, ast.Tuple):
                return tuple(items)
            self.own(items)
            return items
        if isinstance(node, ast.Dict):
            table: dict[object, object] = {}
            for key, value in zip(node.keys, node.values, strict=True):
                if key is None:
                    other = self.expr(value, frame)
                    if not isinstance(other, dict):
                        raise Unknown
                    table.update(other)
                else:
                    table[_hashable(self.expr(key, frame))] = self.expr(value, frame)
            self.own(table)
            return table
        if isinstance(node, ast.JoinedStr):
            return self.fstring(node, frame)
        if isinstance(node, ast.BinOp):
            return self.binop(node.op, self.expr(node.left, frame), self.expr(node.right, frame))
        if isinstance(node, ast.UnaryOp):
            return _unary(node.op, self.expr(node.operand, frame))
        if isinstance(node, ast.BoolOp):
            result: object = None
            for value_node in node.values:
                result = self.expr(value_node, frame)
                if self.truth(result) != isinstance(node.op, ast.And):
                    return result
            return result
        if isinstance(node, ast.Compare):
            left = self.expr(node.left, frame)
            for op, right_node in zip(node.ops, node.comparators, strict=True):
                right = self.expr(right_node, frame)
                if not _compare(op, left, right):
                    return False
                left = right
            return True
        if isinstance(node, ast.IfExp):
            test = self.truth(self.expr(node.test, frame))
            return self.expr(node.body if test else node.orelse, frame)
        if isinstance(node, ast.Subscript):
            return _subscript(self.expr(node.value, frame), self.slice(node.slice, frame))
        if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp, ast.DictComp)):
            return self.comprehension(node, frame)
        if isinstance(node, ast.Lambda):
            self.defaults(node.args, frame)
            return Opaque("function", "<lambda>")
        if isinstance(node, ast.Attribute):
            return self.attribute(node, frame)
        if isinstance(node, ast.Call):
            return self.call(node, frame)
        raise Unknown

    def name(self, name: str, frame: _Frame) -> object:
        if name in frame.locals:
            return frame.locals[name]
        if name in frame.hidden:
            if frame.outer is None or name not in frame.own:
                raise Unknown
            # A class body's own name, bound once: its expression, where it stands.
            outer = _Frame(frame.globals, outer=frame.outer, hidden=frame.hidden, own=frame.own)
            value = self.expr(frame.outer[name], outer)
            if one_shot(value):
                raise Unknown  # an iterator: what it still holds depends on earlier uses
            return value
        return frame.globals.global_value(name)

    def slice(self, node: ast.expr, frame: _Frame) -> object:
        if isinstance(node, ast.Slice):
            parts = [
                None if p is None else self.expr(p, frame)
                for p in (node.lower, node.upper, node.step)
            ]
            if not all(p is None or type(p) is int for p in parts) or parts[2] == 0:
                raise Unknown
            return slice(*parts)
        return self.expr(node, frame)

    def fstring(self, node: ast.JoinedStr, frame: _Frame) -> str:
        parts: list[str] = []
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                parts.append(part.value)
                continue
            if not isinstance(part, ast.FormattedValue):
                raise Unknown
            value = self.expr(part.value, frame)
            if not isinstance(value, (str, int, float, bool, type(None), EnumMember)):
                raise Unknown  # a tuple holds reprs of its items: kept simple
            if isinstance(value, EnumMember):
                if part.conversion != -1 or part.format_spec is not None:
                    raise Unknown
                parts.append(str(value))
                continue
            if part.conversion == ord("r"):
                value = repr(value)
            elif part.conversion == ord("a"):
                value = ascii(value)
            elif part.conversion == ord("s"):
                value = str(value)
            spec = "" if part.format_spec is None else self.expr(part.format_spec, frame)
            if not isinstance(spec, str):
                raise Unknown
            _check_spec(spec)
            try:
                parts.append(format(value, spec))
            except (ValueError, TypeError):
                raise Unknown from None
        text = "".join(parts)
        _check_size(text)
        return text

    def binop(self, op: ast.operator, left: object, right: object) -> object:
        # Booleans are a kind of their own: True + 1 is refused, not worth the doubt.
        rule = _BINOPS.get(type(op))
        if rule is None:
            raise Unknown
        kinds = (_kind(left), _kind(right))
        if kinds not in rule[1]:
            raise Unknown
        _check_growth(op, left, right)
        try:
            result = rule[0](left, right)
        except (ArithmeticError, ValueError, TypeError):
            raise Unknown from None
        if isinstance(result, (str, bytes, tuple, list)):
            _check_size(result)
            if isinstance(result, list):
                self.own(result)
        return result

    def truth(self, value: object) -> bool:
        if isinstance(value, (*_CONSTANT_TYPES, tuple, list, dict, range)):
            return bool(value)
        raise Unknown

    def comprehension(
        self, node: ast.ListComp | ast.GeneratorExp | ast.SetComp | ast.DictComp, frame: _Frame
    ) -> object:
        # The loop variables live in their own scope, as in Python 3.
        inner = _Frame(frame.globals, dict(frame.locals), frame.outer, frame.hidden, frame.own)
        results: list[object] = []
        self.generate(node, 0, inner, results)
        if isinstance(node, ast.DictComp):
            table: dict[object, object] = dict(results)  # type: ignore[arg-type]
            self.own(table)
            return table
        if isinstance(node, ast.SetComp):
            return frozenset(_hashable(r) for r in results)
        if isinstance(node, ast.GeneratorExp):
            return _OneShot(results)
        self.own(results)
        return results

    def generate(
        self,
        node: ast.ListComp | ast.GeneratorExp | ast.SetComp | ast.DictComp,
        index: int,
        inner: _Frame,
        results: list[object],
    ) -> None:
        """The items of a comprehension from its ``index``-th ``for`` on."""
        if index == len(node.generators):
            if isinstance(node, ast.DictComp):
                key = _hashable(self.expr(node.key, inner))
                results.append((key, self.expr(node.value, inner)))
            else:
                results.append(self.expr(node.elt, inner))
            if len(results) > MAX_ITEMS:
                raise Unknown
            return
        gen = node.generators[index]
        if gen.is_async:
            raise Unknown
        for item in self.iterate(self.expr(gen.iter, inner)):
            self.tick()
            self.assign(gen.target, item, inner)
            if all(self.truth(self.expr(cond, inner)) for cond in gen.ifs):
                self.generate(node, index + 1, inner, results)

    def attribute(self, node: ast.Attribute, frame: _Frame) -> object:
        head = node.value
        while isinstance(head, ast.Attribute):
            head = head.value
        if isinstance(head, ast.Name) and head.id not in frame.locals:
            try:
                return frame.globals.dotted_value(node)
            except Unknown:
                pass
        owner = self.expr(node.value, frame)
        if isinstance(owner, EnumClass):
            for member in owner.members:
                if member.name == node.attr:
                    return member
            raise Unknown
        if isinstance(owner, EnumMember) and node.attr in ("name", "value"):
            return owner.name if node.attr == "name" else owner.value
        raise Unknown

    def iterate(self, value: object) -> list[object]:
        if isinstance(value, (list, tuple, range, str, bytes, dict)):
            items = list(value)
        elif isinstance(value, _OneShot):
            items = value.take()
        elif isinstance(value, _View):
            items = value.items()
        elif isinstance(value, EnumClass):
            items = list(value.members)
        else:
            # Sets: their order depends on hashes (of strings, on the seed).
            raise Unknown
        _check_size(items)
        return items

    # --- calls ------------------------------------------------------------------

    def call(self, node: ast.Call, frame: _Frame) -> object:
        func = node.func
        if isinstance(func, ast.Attribute):
            method = _METHODS.get(func.attr)
            if method is not None:
                owner = self.expr(func.value, frame)
                if not isinstance(owner, (Function, EnumClass, _Builtin, Opaque)):
                    args, kwargs = self.arguments(node, frame)
                    return method(self, owner, args, kwargs)
        target = self.expr(func, frame)
        args, kwargs = self.arguments(node, frame)
        if isinstance(target, _Builtin):
            return _BUILTINS[target.name](self, args, kwargs)
        if isinstance(target, Function):
            return self.run_function(target, args, kwargs)
        raise Unknown  # an unknown function may do anything

    def unpacked(self, nodes: list[ast.expr], frame: _Frame) -> list[object]:
        """The values of a display's items or a call's arguments, ``*starred`` expanded."""
        values: list[object] = []
        for node in nodes:
            if isinstance(node, ast.Starred):
                values.extend(self.iterate(self.expr(node.value, frame)))
            else:
                values.append(self.expr(node, frame))
        return values

    def arguments(self, node: ast.Call, frame: _Frame) -> tuple[list[object], dict[str, object]]:
        args = self.unpacked(node.args, frame)
        kwargs: dict[str, object] = {}
        for kw in node.keywords:
            if kw.arg is None:
                raise Unknown
            kwargs[kw.arg] = self.expr(kw.value, frame)
        return args, kwargs

    def run_function(
        self, function: Function, args: list[object], kwargs: dict[str, object]
    ) -> object:
        node = function.node
        spec = node.args
        if node.decorator_list or spec.vararg or spec.kwarg or spec.posonlyargs:
            raise Unknown
        if self.depth >= MAX_CALL_DEPTH:
            raise Unknown
        frame = _Frame(function.globals)
        frame.locals.update(self.bind(spec, args, kwargs, frame))
        if yields_in(node.body):
            frame.yields = []
        self.depth += 1
        try:
            self.block(node.body, frame)
            result: object = None
        except _Return as returned:
            result = returned.value
        except (_Break, _Continue):
            raise Unknown from None
        finally:
            self.depth -= 1
        if frame.yields is not None:
            return _OneShot(frame.yields)
        return result

    def bind(
        self, spec: ast.arguments, args: list[object], kwargs: dict[str, object], frame: _Frame
    ) -> dict[str, object]:
        names = [a.arg for a in spec.args]
        if len(args) > len(names):
            raise Unknown
        bound = dict(zip(names, args, strict=False))
        defaults = dict(zip(names[len(names) - len(spec.defaults) :], spec.defaults, strict=True))
        for kw_arg, kw_default in zip(spec.kwonlyargs, spec.kw_defaults, strict=True):
            names.append(kw_arg.arg)
            if kw_default is not None:
                defaults[kw_arg.arg] = kw_default
        for key, value in kwargs.items():
            if key not in names or key in bound:
                raise Unknown
            bound[key] = value
        for name in names:
            if name not in bound:
                if name not in defaults:
                    raise Unknown
                # Defaults are evaluated once, where the function is defined: literals only.
                default = defaults[name]
                bound[name] = self.expr(default, _Frame(frame.globals))
                if isinstance(bound[name], (list, dict)):
                    raise Unknown  # a shared mutable default
        return bound


def yields_in(body: list[ast.stmt]) -> bool:
    """Whether a function body yields (nested functions and classes not entered)."""
    stack: list[ast.AST] = list(body)
    while stack:
        item = stack.pop()
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(item, (ast.Yield, ast.YieldFrom)):
            return True
        stack.extend(ast.iter_child_nodes(item))
    return False


def _check_size(value: Sequence[object] | str | bytes) -> None:
    if len(value) > MAX_ITEMS:
        raise Unknown


def _bits(value: object) -> int:
    return value.bit_length() if isinstance(value, int) else 64


def _check_growth(op: ast.operator, left: object, right: object) -> None:
    """Refuse, before computing it, a result larger than the bounds allow."""
    if isinstance(op, ast.Add) and isinstance(left, (str, bytes, tuple, list)):
        if len(left) + len(right) > MAX_ITEMS:  # type: ignore[arg-type]
            raise Unknown
    elif isinstance(op, ast.Mult) and _kind(left) == _kind(right) == "number":
        if _bits(left) + _bits(right) > MAX_BITS:
            raise Unknown
    elif isinstance(op, ast.Pow) and isinstance(right, int):
        if _bits(left) * right > MAX_BITS:
            raise Unknown
    elif (
        isinstance(left, int)
        and isinstance(right, int)
        and max(_bits(left), _bits(right)) >= MAX_BITS
    ):
        raise Unknown


#: A width or precision in a format specification (``{:>20}``, ``{:.3f}``).
_SPEC_NUMBER = re.compile(r"\d+")


def _check_spec(spec: str) -> None:
    """Refuse format specifications that would make long text (``{:1000000000}``)."""
    if any(int(n) > 100 for n in _SPEC_NUMBER.findall(spec)):
        raise Unknown


def _hashable(value: object) -> object:
    """A dict key or set item whose equality Python and this evaluator agree on."""
    if isinstance(value, (*_CONSTANT_TYPES, EnumMember)):
        return value
    if isinstance(value, tuple):
        for item in value:
            _hashable(item)
        return value
    raise Unknown  # functions, partials: identity only known at run time


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    for kind, types in (
        ("str", str),
        ("bytes", bytes),
        ("tuple", tuple),
        ("list", list),
        ("set", frozenset),
    ):
        if isinstance(value, types):
            return kind
    return "other"


_NUMBERS = {("number", "number")}
_SETS = {("set", "set")}
_SEQUENCES = {("str", "str"), ("bytes", "bytes"), ("tuple", "tuple"), ("list", "list")}
_REPEAT = {(s, "number") for s in ("str", "bytes", "tuple", "list")} | {
    ("number", s) for s in ("str", "bytes", "tuple", "list")
}


def _safe_repeat(left: object, right: object) -> object:
    count = right if isinstance(right, int) else left
    seq = left if isinstance(right, int) else right
    if not isinstance(count, int) or isinstance(count, bool):
        raise Unknown
    if len(seq) * max(count, 0) > MAX_ITEMS:  # type: ignore[arg-type]
        raise Unknown
    return seq * count  # type: ignore[operator]


def _power(left: object, right: object) -> object:
    if not isinstance(right, int) or right > 64 or right < 0:
        raise Unknown
    return left**right  # type: ignore[operator]


#: Binary operators: the function, and the operand kinds it is trusted on.
_BINOPS: dict[
    type[ast.operator], tuple[Callable[[object, object], object], set[tuple[str, str]]]
] = {
    ast.Add: (lambda a, b: a + b, _NUMBERS | _SEQUENCES),  # type: ignore[operator]
    ast.Sub: (lambda a, b: a - b, _NUMBERS | _SETS),  # type: ignore[operator]
    ast.BitOr: (lambda a, b: a | b, _SETS),  # type: ignore[operator]
    ast.BitAnd: (lambda a, b: a & b, _SETS),  # type: ignore[operator]
    ast.Mult: (
        lambda a, b: a * b if _kind(a) == _kind(b) else _safe_repeat(a, b),  # type: ignore[operator]
        _NUMBERS | _REPEAT,
    ),
    ast.FloorDiv: (lambda a, b: a // b, _NUMBERS),  # type: ignore[operator]
    ast.Mod: (lambda a, b: a % b, _NUMBERS),  # type: ignore[operator]
    ast.Div: (lambda a, b: a / b, _NUMBERS),  # type: ignore[operator]
    ast.Pow: (_power, _NUMBERS),
}


def _unary(op: ast.unaryop, value: object) -> object:
    if isinstance(op, ast.Not):
        if isinstance(value, (*_CONSTANT_TYPES, tuple, list, dict)):
            return not value
        raise Unknown
    if isinstance(value, bool) or not isinstance(value, (int, float, complex)):
        raise Unknown
    if isinstance(op, ast.USub):
        return -value
    if isinstance(op, ast.UAdd):
        return +value
    if isinstance(op, ast.Invert) and isinstance(value, int):
        return ~value
    raise Unknown


def _plain(value: object) -> bool:
    """Values whose comparisons Python and this evaluator agree on."""
    if isinstance(value, (*_CONSTANT_TYPES, EnumMember)):
        return True
    if isinstance(value, (tuple, list)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(_plain(k) and _plain(v) for k, v in value.items())
    return False


def _compare(op: ast.cmpop, left: object, right: object) -> bool:
    if isinstance(op, (ast.Is, ast.IsNot)):
        # Identity is only certain against the singletons.
        if not any(v is None or isinstance(v, bool) for v in (left, right)):
            raise Unknown
        if not (_plain(left) and _plain(right)):
            raise Unknown
        same = left is right
        return same if isinstance(op, ast.Is) else not same
    if isinstance(op, (ast.In, ast.NotIn)):
        if isinstance(right, frozenset):
            container: object = right
        elif isinstance(right, (str, bytes, tuple, list, dict, range)):
            container = right
        else:
            raise Unknown
        if not _plain(left) or (not isinstance(right, range) and not _plain_container(container)):
            raise Unknown
        try:
            found = left in container  # type: ignore[operator]
        except TypeError:
            raise Unknown from None
        return found if isinstance(op, ast.In) else not found
    if not (_plain(left) and _plain(right)):
        raise Unknown
    try:
        return bool(_COMPARE[type(op)](left, right))
    except (TypeError, KeyError):
        raise Unknown from None


def _plain_container(container: object) -> bool:
    if isinstance(container, frozenset):
        return all(_plain(v) for v in container)
    return _plain(container)


_COMPARE: dict[type[ast.cmpop], Callable[[object, object], object]] = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,  # type: ignore[operator]
    ast.LtE: lambda a, b: a <= b,  # type: ignore[operator]
    ast.Gt: lambda a, b: a > b,  # type: ignore[operator]
    ast.GtE: lambda a, b: a >= b,  # type: ignore[operator]
}


def _subscript(owner: object, key: object) -> object:
    if isinstance(owner, dict):
        try:
            return owner[_hashable(key)]
        except KeyError:
            raise Unknown from None
    if isinstance(owner, (list, tuple, str, bytes, range)) and (
        isinstance(key, slice) or (type(key) is int)
    ):
        try:
            result: object = owner[key]
        except IndexError:
            raise Unknown from None
        return list(result) if isinstance(result, range) else result
    raise Unknown


# --- builtins and methods, as tables ------------------------------------------------

_BuiltinRule = Callable[[_Run, list[object], dict[str, object]], object]


def _no_keywords(kwargs: Mapping[str, object], allowed: Iterable[str] = ()) -> None:
    if set(kwargs) - set(allowed):
        raise Unknown


def _range(run: _Run, args: list[object], kwargs: dict[str, object]) -> object:
    _no_keywords(kwargs)
    bounds = [a for a in args if type(a) is int]
    if not 1 <= len(args) <= 3 or len(bounds) != len(args) or bounds[2:] == [0]:
        raise Unknown
    result = range(*bounds)
    _check_size(result)
    return result


def _made_list(run: _Run, items: list[object]) -> list[object]:
    run.own(items)
    return items


def _simple(function: Callable[..., object], *types: type) -> _BuiltinRule:
    """A builtin applied to constants of the given types only."""

    def rule(run: _Run, args: list[object], kwargs: dict[str, object]) -> object:
        _no_keywords(kwargs)
        if not args or not all(isinstance(a, types) for a in args):
            raise Unknown
        try:
            return function(*args)
        except (ValueError, TypeError, OverflowError):
            raise Unknown from None

    return rule


def _over_items(function: Callable[..., object]) -> _BuiltinRule:
    """A builtin of one iterable of plain values: ``sorted``, ``min``, ``sum``."""

    def rule(run: _Run, args: list[object], kwargs: dict[str, object]) -> object:
        _no_keywords(kwargs, ("reverse",) if function is sorted else ())
        if len(args) != 1:
            raise Unknown
        # These do not depend on the order of their items: sets are fine here
        # (not sum: float additions round in order).
        if isinstance(args[0], frozenset) and function is not sum:
            items = list(args[0])
        else:
            items = run.iterate(args[0])
        if not all(_plain(i) and not isinstance(i, EnumMember) for i in items):
            raise Unknown
        try:
            if kwargs:
                reverse = kwargs["reverse"]
                if not isinstance(reverse, bool):
                    raise Unknown
                return _made_list(run, sorted(items, reverse=reverse))
            result = function(items)
        except (ValueError, TypeError):
            raise Unknown from None
        return _made_list(run, result) if isinstance(result, list) else result

    return rule


def _iterables(
    function: Callable[..., Iterable[object]], keywords: Iterable[str] = ()
) -> _BuiltinRule:
    """A builtin over iterables giving an iterator: ``zip``, ``itertools.product``."""

    def rule(run: _Run, args: list[object], kwargs: dict[str, object]) -> object:
        _no_keywords(kwargs, keywords)
        if not all(type(v) is int for v in kwargs.values()):
            raise Unknown
        lists = [run.iterate(a) for a in args]
        out: list[object] = []
        for item in function(*lists, **kwargs):
            out.append(item)
            if len(out) > MAX_ITEMS:
                raise Unknown
        return _OneShot(out)

    return rule


def _enumerate(run: _Run, args: list[object], kwargs: dict[str, object]) -> object:
    _no_keywords(kwargs, ("start",))
    start = kwargs.get("start", args[1] if len(args) > 1 else 0)
    if len(args) not in (1, 2) or type(start) is not int:
        raise Unknown
    return _OneShot(list(enumerate(run.iterate(args[0]), start)))


def _one_iterable(make: Callable[[_Run, list[object]], object]) -> _BuiltinRule:
    def rule(run: _Run, args: list[object], kwargs: dict[str, object]) -> object:
        _no_keywords(kwargs)
        if len(args) > 1:
            raise Unknown
        return make(run, run.iterate(args[0]) if args else [])

    return rule


def _dict(run: _Run, items: list[object]) -> object:
    table: dict[object, object] = {}
    for pair in items:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise Unknown
        table[_hashable(pair[0])] = pair[1]
    run.own(table)
    return table


def _len(run: _Run, args: list[object], kwargs: dict[str, object]) -> object:
    _no_keywords(kwargs)
    if len(args) == 1 and isinstance(args[0], _View):
        return len(args[0].table)
    if len(args) != 1 or not isinstance(args[0], (str, bytes, tuple, list, dict, range)):
        raise Unknown
    return len(args[0])


def _str(run: _Run, args: list[object], kwargs: dict[str, object]) -> object:
    _no_keywords(kwargs)
    if len(args) != 1 or not isinstance(args[0], (str, int, float, bool, type(None), EnumMember)):
        raise Unknown
    return str(args[0])


def _partial(run: _Run, args: list[object], kwargs: dict[str, object]) -> object:
    # functools.partial(func, ...) stores its arguments: no __name__, so pytest numbers it.
    if not args or not isinstance(args[0], (Function, Opaque, _Builtin)):
        raise Unknown
    return Opaque("nameless")


def _object(run: _Run, args: list[object], kwargs: dict[str, object]) -> object:
    if args or kwargs:
        raise Unknown
    return Opaque("nameless")


_BUILTINS: dict[str, _BuiltinRule] = {
    "range": _range,
    "len": _len,
    "str": _str,
    "repr": _simple(repr, str, int, float, bool, type(None)),
    "int": _simple(int, str, int, float, bool),
    "float": _simple(float, str, int, float, bool),
    "bool": _simple(bool, *_CONSTANT_TYPES),
    "abs": _simple(abs, int, float),
    "list": _one_iterable(_made_list),
    "tuple": _one_iterable(lambda run, items: tuple(items)),
    "dict": _one_iterable(_dict),
    "frozenset": _one_iterable(lambda run, items: frozenset(_hashable(i) for i in items)),
    "set": _one_iterable(lambda run, items: frozenset(_hashable(i) for i in items)),
    "sorted": _over_items(sorted),
    "min": _over_items(min),
    "max": _over_items(max),
    "sum": _over_items(sum),
    "any": _over_items(any),
    "all": _over_items(all),
    "reversed": _one_iterable(lambda run, items: _OneShot(items[::-1])),
    "enumerate": _enumerate,
    "zip": _iterables(zip),
    "object": _object,
    "itertools.product": _iterables(itertools.product, ("repeat",)),
    "itertools.combinations": _iterables(itertools.combinations),
    "itertools.combinations_with_replacement": _iterables(itertools.combinations_with_replacement),
    "itertools.permutations": _iterables(itertools.permutations),
    "itertools.chain": _iterables(itertools.chain),
    "functools.partial": _partial,
}

#: Builtins a module-level name may be (unless the module binds it).
BUILTIN_NAMES = frozenset(n for n in _BUILTINS if "." not in n)


def builtin(name: str) -> object:
    """The builtin (or ``itertools``/``functools`` function) of that dotted name."""
    if name not in _BUILTINS:
        raise Unknown
    return _Builtin(name)


_MethodRule = Callable[[_Run, object, list[object], dict[str, object]], object]


def _str_method(name: str) -> _MethodRule:
    def rule(run: _Run, owner: object, args: list[object], kwargs: dict[str, object]) -> object:
        if not isinstance(owner, str) or kwargs:
            raise Unknown
        if name == "join":
            if len(args) != 1:
                raise Unknown
            items = run.iterate(args[0])
            if not all(isinstance(i, str) for i in items):
                raise Unknown
            if sum(map(len, items)) + len(owner) * len(items) > MAX_ITEMS:  # type: ignore[arg-type]
                raise Unknown
            return owner.join(items)  # type: ignore[arg-type]
        if name == "format" and not all(
            isinstance(a, (str, int, float, bool, type(None))) for a in args
        ):
            raise Unknown
        if name != "format" and not all(isinstance(a, (str, int)) for a in args):
            raise Unknown
        if name == "format":
            # Fields, conversions and specs all stay short: "{0:1000000000}" would not.
            _check_spec(owner)
            if len(owner) + owner.count("{") * sum(len(str(a)) for a in args) > MAX_ITEMS:
                raise Unknown
        elif name == "replace" and len(owner) * max(1, len(str(args[-1]))) > MAX_ITEMS:
            raise Unknown
        try:
            result = getattr(owner, name)(*args)
        except (ValueError, TypeError, IndexError, KeyError):
            raise Unknown from None
        return _made_list(run, result) if isinstance(result, list) else result

    return rule


def _dict_view(name: str) -> _MethodRule:
    def rule(run: _Run, owner: object, args: list[object], kwargs: dict[str, object]) -> object:
        if not isinstance(owner, dict) or args or kwargs:
            raise Unknown
        return _View(owner, name)

    return rule


def _list_change(name: str) -> _MethodRule:
    def rule(run: _Run, owner: object, args: list[object], kwargs: dict[str, object]) -> object:
        if not isinstance(owner, list) or id(owner) not in run.owned or kwargs:
            raise Unknown  # only lists this evaluation made may change
        if name == "append" and len(args) == 1:
            owner.append(args[0])
        elif name == "extend" and len(args) == 1:
            owner.extend(run.iterate(args[0]))
        else:
            raise Unknown
        _check_size(owner)
        return None

    return rule


def _get(run: _Run, owner: object, args: list[object], kwargs: dict[str, object]) -> object:
    if not isinstance(owner, dict) or kwargs or len(args) not in (1, 2):
        raise Unknown
    return owner.get(_hashable(args[0]), args[1] if len(args) > 1 else None)


_METHODS: dict[str, _MethodRule] = {
    **{
        name: _str_method(name)
        for name in (
            "join",
            "format",
            "upper",
            "lower",
            "title",
            "capitalize",
            "strip",
            "lstrip",
            "rstrip",
            "replace",
            "split",
            "startswith",
            "endswith",
        )
    },
    "keys": _dict_view("keys"),
    "values": _dict_view("values"),
    "items": _dict_view("items"),
    "get": _get,
    "append": _list_change("append"),
    "extend": _list_change("extend"),
}


# --- entry points -------------------------------------------------------------------


def evaluate(
    node: ast.expr,
    globals_: Globals,
    outer: Mapping[str, ast.expr] | None = None,
    hidden: frozenset[str] = frozenset(),
    own: frozenset[str] = frozenset(),
) -> object:
    """The value of an expression written at module or class level; raises Unknown.

    In a class body, ``outer`` maps the names visible there to their expressions,
    ``hidden`` holds every name the body binds (they hide the module's), ``own`` those
    of them bound once to an expression.
    """
    run = _Run()
    try:
        return run.expr(node, _Frame(globals_, outer=outer, hidden=hidden, own=own))
    except (_Return, _Break, _Continue, RecursionError, MemoryError, OverflowError):
        raise Unknown from None


#: Methods of an Enum subclass that change what its members are or how they print.
_ENUM_REFUSED_METHODS = frozenset(
    {
        "__str__",
        "__format__",
        "__new__",
        "__init__",
        "__init_subclass__",
        "__set_name__",
        "__getattr__",
        "__getattribute__",
        "_generate_next_value_",
    }
)
_METHOD_DECORATORS = frozenset({"property", "staticmethod", "classmethod"})
#: Class decorators that leave an Enum's members and their names as they are.
_ENUM_DECORATORS = frozenset({"functools.total_ordering", "enum.unique"})


def enum_class(
    node: ast.ClassDef, qualified: Callable[[ast.expr], str | None], module: str = ""
) -> EnumClass:
    """A plain ``enum.Enum`` subclass whose members are literals; raises Unknown.

    ``qualified`` gives the dotted name an expression of the class's module refers to.
    Anything that could change its members or how they print is refused: another
    base or a metaclass, a class decorator (but ``total_ordering`` and ``unique``),
    ``__str__``, ``__new__`` and the like,
    names starting with an underscore, nested classes, ``auto()`` mixed with values.
    """
    if len(node.bases) != 1 or node.keywords:
        raise Unknown
    if any(qualified(d) not in _ENUM_DECORATORS for d in node.decorator_list):
        raise Unknown
    if qualified(node.bases[0]) != "enum.Enum":
        raise Unknown
    members: list[EnumMember] = []
    values: list[object] = []
    autos = literals = 0
    for stmt in node.body:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # the docstring
        if isinstance(stmt, ast.FunctionDef):
            # Functions are descriptors: never members.
            if stmt.name in _ENUM_REFUSED_METHODS or any(
                not (isinstance(d, ast.Name) and d.id in _METHOD_DECORATORS)
                for d in stmt.decorator_list
            ):
                raise Unknown
            continue
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value_node = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            target, value_node = stmt.target, stmt.value
        else:
            raise Unknown
        if not isinstance(target, ast.Name) or target.id.startswith("_"):
            raise Unknown
        if (
            isinstance(value_node, ast.Call)
            and not value_node.args
            and not value_node.keywords
            and qualified(value_node.func) == "enum.auto"
        ):
            autos += 1
            value: object = len(members) + 1  # 1, 2, ...: only when all are auto()
        else:
            literals += 1
            value = _literal(value_node)
        if any(value == seen for seen in values):
            continue  # an alias of an earlier member: iteration skips it
        values.append(value)
        members.append(EnumMember(node.name, target.id, value, module))
    if autos and literals:
        raise Unknown
    return EnumClass(node.name, tuple(members))


def _literal(node: ast.expr) -> object:
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float, bool, bytes)):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _literal(node.operand)
        if isinstance(inner, (int, float)) and not isinstance(inner, bool):
            return -inner
    if isinstance(node, ast.Tuple):
        return tuple(_literal(e) for e in node.elts)
    raise Unknown
