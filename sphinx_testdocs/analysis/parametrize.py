"""Count parametrize cases and reproduce pytest's case ids, only where that is certain."""

from __future__ import annotations

import ast
import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from sphinx_testdocs.analysis.evaluate import Computing, EnumMember, Known, Opaque
from sphinx_testdocs.analysis.markers import MarkCall, Names, SourceText, written_name

__all__ = [
    "Cases",
    "ParamSpec",
    "argvalues_of",
    "combine_ids",
    "evaluate_cases",
    "parse_parametrize",
]

#: Names bound to a literal at module or class level: name -> value expression.
Constants = Mapping[str, ast.expr]

_MAX_DEPTH = 12
# Past this many cases we still count but stop naming them (ids cost memory, not truth).
_MAX_IDS = 10_000


class _Unknown(Exception):
    """The value is not statically knowable."""


@dataclass(frozen=True)
class Case:
    """One parameter set: its values (AST, or Python constants for expanded iterables)."""

    values: tuple[object, ...] | None  # None: values not individually known
    explicit_id: str | None = None
    has_explicit_id: bool = False
    marks: tuple[MarkCall, ...] = ()


@dataclass(frozen=True)
class Cases:
    """The parameter sets of one parametrization, as far as they are known."""

    count: int | None
    cases: tuple[Case, ...] | None  # None: count known but not the individual sets
    expression: str


@dataclass(frozen=True)
class ParamSpec:
    """A ``parametrize`` call understood."""

    argnames: tuple[str, ...]
    line: int
    cases: Cases
    ids: tuple[str, ...] | None
    indirect: frozenset[str]
    marks: tuple[MarkCall, ...]
    #: ``scope=`` as given: None when not given, "?" when not a string written out.
    scope: str | None = None


_NOT_CONST = object()


def _constant(node: ast.expr) -> object:
    """A literal's value (numbers with a sign included), or _NOT_CONST."""
    if isinstance(node, ast.Constant):
        return node.value
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, (ast.USub, ast.UAdd))
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) in (int, float, complex)
    ):
        number = cast("complex", node.operand.value)  # checked to be int, float or complex
        return -number if isinstance(node.op, ast.USub) else +number
    return _NOT_CONST


def _resolve_name(node: ast.expr, constants: Constants, depth: int) -> ast.expr:
    """Follow names (``CASES``, ``np.typecodes``) and constant subscripts to a literal.

    ``constants`` maps names, and dotted names of attributes, to the literal they are
    bound to (see ``ModuleContext.constants``, which also follows imports).
    """
    while depth < _MAX_DEPTH:
        if isinstance(node, ast.Name) and node.id in constants:
            node = constants[node.id]
        elif isinstance(node, ast.Attribute) and (key := written_name(node)) and key in constants:
            node = constants[key]
        elif isinstance(node, ast.Subscript) and (item := _item(node, constants, depth)):
            node = item
        else:
            break
        depth += 1
    return node


def _item(node: ast.Subscript, constants: Constants, depth: int) -> ast.expr | None:
    """``TABLE["key"]`` or ``CASES[0]`` of a literal: the item's expression, or None."""
    key = _constant(node.slice)
    if key is _NOT_CONST:
        return None
    base = _resolve_name(node.value, constants, depth + 1)
    if isinstance(base, ast.Dict):
        found: ast.expr | None = None
        for k, v in zip(base.keys, base.values, strict=True):
            if k is None:
                return None  # ``**other``: the key could come from it
            value = _constant(k)
            if value is _NOT_CONST:
                return None
            if value == key and type(value) is type(key):
                found = v  # the last one wins, as in a dict display
        return found
    if isinstance(base, (ast.List, ast.Tuple)) and type(key) is int:
        if any(isinstance(e, ast.Starred) for e in base.elts):
            return None
        try:
            return base.elts[key]
        except IndexError:
            return None
    return None


def _int_value(node: ast.expr, constants: Constants, depth: int) -> int:
    node = _resolve_name(node, constants, depth)
    value = _constant(node)
    if type(value) is int:
        return value
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "len"
        and len(node.args) == 1
        and not node.keywords
    ):
        count = _count(node.args[0], constants, depth + 1)
        if count is not None:
            return count
    raise _Unknown


def _count(
    node: ast.expr, constants: Constants, depth: int, names: Names | None = None
) -> int | None:
    try:
        return len(_elements(node, constants, depth, names))
    except _Unknown:
        return None
    except _CountOnly as only:
        return only.count


class _CountOnly(Exception):
    """The number of elements is known but not the elements themselves."""

    def __init__(self, count: int) -> None:
        super().__init__(count)
        self.count = count


def _elements(
    node: ast.expr, constants: Constants, depth: int, names: Names | None
) -> list[object]:
    """The items iterating ``node`` gives: AST nodes, or Python values for expanded ones.

    Raises _Unknown when not knowable, _CountOnly when only the number is. What the
    literal rules cannot tell, pure helpers may (``Computing.computed``).
    """
    try:
        return _literal_elements(node, constants, depth, names)
    except (_Unknown, _CountOnly):
        if not isinstance(constants, Computing) or depth > _MAX_DEPTH:
            raise
        value = constants.computed(node)
        if value is None:
            raise
    return _literal_elements(value, constants, depth + 1, names)


def _literal_elements(
    node: ast.expr, constants: Constants, depth: int, names: Names | None
) -> list[object]:
    if depth > _MAX_DEPTH:
        raise _Unknown
    node = _resolve_name(node, constants, depth)
    if isinstance(node, (ast.List, ast.Tuple)):
        if any(isinstance(e, ast.Starred) for e in node.elts):
            return _starred(node.elts, constants, depth, names)
        return list(node.elts)
    if isinstance(node, ast.Set):
        values = [_constant(e) for e in node.elts]
        if any(v is _NOT_CONST for v in values):
            raise _Unknown
        distinct = set(values)
        # Iteration order of str/bytes sets depends on PYTHONHASHSEED: count only.
        if any(isinstance(v, (str, bytes)) for v in distinct):
            raise _CountOnly(len(distinct))
        return list(distinct)
    if isinstance(node, ast.Dict):
        if any(k is None for k in node.keys):
            raise _Unknown
        keys = [_constant(k) for k in node.keys if k is not None]
        if any(k is _NOT_CONST for k in keys):
            raise _Unknown
        return list(dict.fromkeys(keys))
    value = _constant(node)
    if isinstance(value, (str, bytes)):
        return list(value)
    if isinstance(node, ast.BinOp):
        return _binop(node, constants, depth, names)
    if isinstance(node, ast.Call):
        return _call(node, constants, depth, names)
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
        return _sliced(node, constants, depth, names)
    if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
        if len(node.generators) == 1 and node.generators[0].ifs:
            return _filtered(node, constants, depth, names)
        count = 1
        for gen in node.generators:
            if gen.ifs or gen.is_async:
                raise _Unknown
            inner = _count(gen.iter, constants, depth + 1, names)
            if inner is None:
                raise _Unknown
            count *= inner
        raise _CountOnly(count)
    raise _Unknown


def _sliced(
    node: ast.Subscript, constants: Constants, depth: int, names: Names | None
) -> list[object]:
    """``CASES[1:]``, ``list(text)[::2]``: a slice with constant bounds of known items."""
    assert isinstance(node.slice, ast.Slice)
    bounds: list[int | None] = []
    for part in (node.slice.lower, node.slice.upper, node.slice.step):
        value = None if part is None else _constant(part)
        if value is not None and type(value) is not int:
            raise _Unknown
        bounds.append(value)
    if bounds[2] == 0:
        raise _Unknown
    try:
        items = _elements(node.value, constants, depth + 1, names)
    except _CountOnly as only:
        raise _CountOnly(len(range(only.count)[slice(*bounds)])) from None
    return items[slice(*bounds)]


def _filtered(
    node: ast.ListComp | ast.GeneratorExp, constants: Constants, depth: int, names: Names | None
) -> list[object]:
    """``[x for x in CASES if x != "a"]``: filters over known constants are evaluated."""
    gen = node.generators[0]
    if gen.is_async or not isinstance(gen.target, ast.Name):
        raise _Unknown
    items = _elements(gen.iter, constants, depth + 1, names)
    kept: list[object] = []
    for item in items:
        value = _constant(item) if isinstance(item, ast.expr) else item
        if value is _NOT_CONST:
            raise _Unknown
        scope = {gen.target.id: value}
        if all(_truth(cond, scope) for cond in gen.ifs):
            kept.append(item)
    if isinstance(node.elt, ast.Name) and node.elt.id == gen.target.id:
        return kept
    raise _CountOnly(len(kept))


def _truth(node: ast.expr, scope: Mapping[str, object]) -> bool:
    """A filter over constants: comparisons, ``in``, ``not``, ``and``/``or``."""
    return bool(_filter_value(node, scope))


def _filter_value(node: ast.expr, scope: Mapping[str, object]) -> object:
    value = _constant(node)
    if value is not _NOT_CONST:
        return value
    if isinstance(node, ast.Name) and node.id in scope:
        return scope[node.id]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return tuple(_filter_value(e, scope) for e in node.elts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return not _filter_value(node.operand, scope)
    if isinstance(node, ast.BoolOp):
        values = (_filter_value(v, scope) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        left = _filter_value(node.left, scope)
        right = _filter_value(node.comparators[0], scope)
        op = node.ops[0]
        try:
            if isinstance(op, ast.Eq):
                return left == right
            if isinstance(op, ast.NotEq):
                return left != right
            if isinstance(op, ast.In):
                return left in right  # type: ignore[operator]
            if isinstance(op, ast.NotIn):
                return left not in right  # type: ignore[operator]
            if type(left) is type(right) and isinstance(left, (int, float, str)):
                ordered = {
                    ast.Lt: "__lt__",
                    ast.LtE: "__le__",
                    ast.Gt: "__gt__",
                    ast.GtE: "__ge__",
                }
                method = ordered.get(type(op))
                if method is not None:
                    return getattr(left, method)(right)
        except TypeError:
            raise _Unknown from None
    raise _Unknown


def _starred(
    elts: list[ast.expr], constants: Constants, depth: int, names: Names | None
) -> list[object]:
    out: list[object] = []
    counted = 0  # items of parts whose count alone is known
    for elt in elts:
        if isinstance(elt, ast.Starred):
            try:
                out.extend(_elements(elt.value, constants, depth + 1, names))
            except _CountOnly as only:
                # This part's count, not the whole display's: keep adding up.
                counted += only.count
        else:
            out.append(elt)
    if counted:
        raise _CountOnly(len(out) + counted)
    return out


def _binop(node: ast.BinOp, constants: Constants, depth: int, names: Names | None) -> list[object]:
    if isinstance(node.op, ast.Add):
        left = _resolve_name(node.left, constants, depth)
        right = _resolve_name(node.right, constants, depth)
        if isinstance(left, ast.Constant) or isinstance(right, ast.Constant):
            # Only str + str and bytes + bytes concatenate into something iterable.
            if not (isinstance(left, ast.Constant) and isinstance(right, ast.Constant)):
                raise _Unknown
            if type(left.value) is not type(right.value) or not isinstance(
                left.value, (str, bytes)
            ):
                raise _Unknown
            return list(left.value + right.value)  # type: ignore[operator]
        if isinstance(left, (ast.Set, ast.Dict)) or isinstance(right, (ast.Set, ast.Dict)):
            raise _Unknown
        # Sequences concatenate (a list + tuple mix would fail at import time anyway).
        parts: list[list[object] | int] = []
        for side in (left, right):
            try:
                parts.append(_elements(side, constants, depth + 1, names))
            except _CountOnly as only:
                parts.append(only.count)
        if all(isinstance(p, list) for p in parts):
            return [item for p in parts if isinstance(p, list) for item in p]
        raise _CountOnly(sum(p if isinstance(p, int) else len(p) for p in parts))
    if isinstance(node.op, ast.Mult):
        for seq, times in ((node.left, node.right), (node.right, node.left)):
            resolved = _resolve_name(seq, constants, depth)
            if isinstance(resolved, (ast.List, ast.Tuple)) or (
                isinstance(resolved, ast.Constant) and isinstance(resolved.value, (str, bytes))
            ):
                return _elements(resolved, constants, depth + 1, names) * max(
                    _int_value(times, constants, depth + 1), 0
                )
    raise _Unknown


def _call(node: ast.Call, constants: Constants, depth: int, names: Names | None) -> list[object]:
    func = node.func
    if any(isinstance(a, ast.Starred) for a in node.args):
        raise _Unknown
    dotted = names.dotted(func) if names is not None else None
    if node.keywords:
        # Only itertools.product(..., repeat=n) takes a keyword that is understood.
        (keyword,) = node.keywords if len(node.keywords) == 1 else (None,)
        if dotted != "itertools.product" or keyword is None or keyword.arg != "repeat":
            raise _Unknown
        repeat = _int_value(keyword.value, constants, depth + 1)
        counts = [_count_or_raise(a, constants, depth, names) for a in node.args]
        raise _CountOnly(math.prod(counts) ** max(repeat, 0))
    if isinstance(func, ast.Name):
        if func.id == "range" and 1 <= len(node.args) <= 3:
            bounds = [_int_value(a, constants, depth + 1) for a in node.args]
            if len(bounds) == 3 and bounds[2] == 0:
                raise _Unknown
            return list(range(*bounds))
        if func.id in ("list", "tuple") and len(node.args) == 1:
            return _elements(node.args[0], constants, depth + 1, names)
        if func.id in ("enumerate", "reversed", "sorted") and len(node.args) == 1:
            raise _CountOnly(_count_or_raise(node.args[0], constants, depth, names))
        if func.id == "zip" and node.args:
            raise _CountOnly(min(_count_or_raise(a, constants, depth, names) for a in node.args))
    if isinstance(func, ast.Attribute) and not node.args:
        owner = _resolve_name(func.value, constants, depth)
        if isinstance(owner, ast.Dict) and func.attr in ("keys", "values", "items"):
            keys = _elements(owner, constants, depth + 1, names)  # constants, checked
            if func.attr == "keys":
                return keys
            # As a dict display builds it: a key's first place, its last value.
            # (``**other`` entries were refused above: every key is a constant.)
            consts = [_constant(k) for k in owner.keys if k is not None]
            table = dict(zip(consts, owner.values, strict=True))
            if len(table) != len(keys):
                raise _Unknown
            if func.attr == "values":
                return list(table.values())
            return list(table.items())
    if dotted in ("itertools.product", "itertools.chain") and node.args:
        counts = [_count_or_raise(a, constants, depth, names) for a in node.args]
        raise _CountOnly(math.prod(counts) if dotted.endswith("product") else sum(counts))
    if dotted == "numpy.arange" and 1 <= len(node.args) <= 3:
        # With integer arguments numpy.arange has exactly len(range(...)) elements;
        # their ids are numpy scalars' (not Python ints'), so only the count is given.
        bounds = [_int_value(a, constants, depth + 1) for a in node.args]
        if len(bounds) == 3 and bounds[2] == 0:
            raise _Unknown
        raise _CountOnly(len(range(*bounds)))
    raise _Unknown


def _count_or_raise(
    node: ast.expr, constants: Constants, depth: int, names: Names | None = None
) -> int:
    count = _count(node, constants, depth + 1, names)
    if count is None:
        raise _Unknown
    return count


def evaluate_cases(
    node: ast.expr,
    *,
    nargs: int,
    force_tuple: bool,
    names: Names,
    constants: Constants,
    source: SourceText,
) -> Cases:
    """The parameter sets an argvalues expression gives, or an unknown count."""
    expression = source.span(node)
    try:
        items = _elements(node, constants, 0, names)
    except _CountOnly as only:
        return Cases(max(only.count, 1), None, expression)
    except (_Unknown, RecursionError, ValueError, OverflowError, MemoryError):
        return Cases(None, None, expression)
    if len(items) > 1_000_000:
        return Cases(len(items), None, expression)
    if not items:
        # pytest turns an empty argvalues into one NOTSET case (skipped by default).
        return Cases(1, None, expression)
    cases: list[Case] = []
    for item in items:
        cases.append(_case(item, nargs, force_tuple, names, constants))
    return Cases(len(cases), tuple(cases), expression)


def _case(item: object, nargs: int, force_tuple: bool, names: Names, constants: Constants) -> Case:
    if isinstance(item, ast.Call) and names.is_param(item.func):
        explicit: str | None = None
        has_id = False
        marks: list[MarkCall] = []
        for kw in item.keywords:
            if kw.arg == "id":
                value = _constant(kw.value)
                if isinstance(value, str):
                    explicit, has_id = value, True
                elif value is None:
                    pass
                else:
                    return Case(None, marks=tuple(marks))
            elif kw.arg == "marks":
                from sphinx_testdocs.analysis.markers import marks_from_expr

                found = marks_from_expr(kw.value, names)
                marks.extend(found or ())
            else:
                return Case(None)
        if any(isinstance(a, ast.Starred) for a in item.args):
            return Case(None, explicit, has_id, tuple(marks))
        return Case(tuple(item.args), explicit, has_id, tuple(marks))
    if force_tuple:
        return Case((item,))
    if isinstance(item, ast.expr):
        resolved = _resolve_name(item, constants, 0)
        if isinstance(resolved, (ast.Tuple, ast.List)) and not any(
            isinstance(e, ast.Starred) for e in resolved.elts
        ):
            return Case(tuple(resolved.elts))
        return Case(None)
    if isinstance(item, tuple):
        return Case(item)
    return Case(None)


# --- ids ---------------------------------------------------------------------------


def ascii_escaped(value: str | bytes) -> str:
    """pytest's ``ascii_escaped``: non-ASCII and non-printable characters escaped."""
    if isinstance(value, bytes):
        text = value.decode("ascii", "backslashreplace")
    else:
        text = value.encode("unicode_escape").decode("ascii")
    return text.translate(_NON_PRINTABLE)


_NON_PRINTABLE = {i: f"\\x{i:02x}" for i in range(128) if i not in range(32, 127)}
_NON_PRINTABLE.update({ord("\t"): "\\t", ord("\r"): "\\r", ord("\n"): "\\n"})


@dataclass(frozen=True)
class IdRules:
    """The configuration bits pytest's id maker reads."""

    escape: bool = True
    long_str_strategy: str = "short"
    strict: bool = False


def _value_id(value: object, argname: str, idx: int, rules: IdRules) -> str | None:
    """pytest's ``_idval`` for a statically known value; None when it cannot be told."""
    if isinstance(value, Known):
        return _known_id(value.value, argname, idx)
    if isinstance(value, ast.expr):
        const = _constant(value)
        if const is _NOT_CONST:
            if isinstance(value, ast.Lambda):
                return "<lambda>"
            # Displays never have a __name__, so pytest falls back to argname+index.
            if isinstance(
                value,
                (ast.List, ast.Tuple, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp),
            ):
                return f"{argname}{idx}"
            if isinstance(value, ast.JoinedStr):
                return None
            return None
        value = const
    if isinstance(value, (str, bytes)):
        if len(value) <= 100 or rules.long_str_strategy == "legacy":
            return ascii_escaped(value) if rules.escape else str(value)
        if rules.long_str_strategy == "short":
            return f"{argname}{idx}"
        return None
    if value is None or isinstance(value, (bool, int, float, complex)):
        return str(value)
    if value is Ellipsis:
        return f"{argname}{idx}"
    return None


def _known_id(value: object, argname: str, idx: int) -> str | None:
    """pytest's ``_idval_from_value`` for an evaluated enum member or object."""
    if isinstance(value, EnumMember):
        return str(value)  # a plain Enum's member is no str or int: str(val)
    if isinstance(value, Opaque):
        if value.kind == "function":
            return value.name  # its __name__
        if value.kind == "nameless":
            return f"{argname}{idx}"
    return None


def _explicit_id(value: object, rules: IdRules) -> str | None:
    if isinstance(value, (str, bytes)):
        return ascii_escaped(value) if rules.escape else str(value)
    if isinstance(value, (bool, int, float, complex)):
        return str(value)
    return None


def case_ids(
    spec_argnames: Sequence[str],
    cases: Cases,
    ids: Sequence[object | None] | None,
    rules: IdRules,
) -> tuple[str, ...] | None:
    """pytest's ``IdMaker.make_unique_parameterset_ids`` for known cases, else None."""
    if cases.cases is None:
        if cases.count == 1 and not cases.expression.strip("[]() "):
            return ("NOTSET",)
        return None
    resolved: list[str] = []
    for idx, case in enumerate(cases.cases):
        if case.has_explicit_id:
            assert case.explicit_id is not None
            resolved.append(ascii_escaped(case.explicit_id) if rules.escape else case.explicit_id)
            continue
        if ids is not None and idx < len(ids) and ids[idx] is not None:
            explicit = _explicit_id(ids[idx], rules)
            if explicit is None:
                return None
            resolved.append(explicit)
            continue
        if case.values is None or len(case.values) != len(spec_argnames):
            return None
        parts: list[str] = []
        for value, argname in zip(case.values, spec_argnames, strict=True):
            part = _value_id(value, argname, idx, rules)
            if part is None:
                return None
            parts.append(part)
        resolved.append("-".join(parts))
    return _make_unique(resolved, rules)


def _make_unique(resolved: list[str], rules: IdRules) -> tuple[str, ...] | None:
    counts = Counter(resolved)
    if len(counts) == len(resolved):
        return tuple(resolved)
    if rules.strict:
        return None  # pytest refuses duplicate ids under strict_parametrization_ids
    taken = set(resolved)
    suffixes: dict[str, int] = defaultdict(int)
    for index, ident in enumerate(resolved):
        if counts[ident] > 1:
            suffix = "_" if ident and ident[-1].isdigit() else ""
            new = f"{ident}{suffix}{suffixes[ident]}"
            while new in taken:
                suffixes[ident] += 1
                new = f"{ident}{suffix}{suffixes[ident]}"
            resolved[index] = new
            suffixes[ident] += 1
    return tuple(resolved)


def combine_ids(per_spec: Sequence[tuple[str, ...]]) -> tuple[str, ...]:
    """Ids of the cartesian product, the first parametrization varying slowest."""
    if not per_spec:
        return ("",)
    # An empty id is a real part ("" then "m8" gives "-m8"): only the first has no "-".
    out: list[str] = list(per_spec[0])
    for ids in per_spec[1:]:
        out = [f"{prefix}-{i}" for prefix in out for i in ids]
        if len(out) > _MAX_IDS:
            raise OverflowError
    return tuple(out)


# --- the parametrize call ----------------------------------------------------------


def _argnames(node: ast.expr, constants: Constants) -> tuple[tuple[str, ...], bool] | None:
    node = _resolve_name(node, constants, 0)
    value = _constant(node)
    if isinstance(value, str):
        has_trailing_comma = value.rstrip().endswith(",")
        names = tuple(x.strip() for x in value.split(",") if x.strip())
        return names, len(names) == 1 and not has_trailing_comma
    if isinstance(node, (ast.List, ast.Tuple)):
        out: list[str] = []
        for elt in node.elts:
            item = _constant(elt)
            if not isinstance(item, str):
                return None
            out.append(item)
        return tuple(out), False
    return None


def _ids_list(node: ast.expr, constants: Constants, names: Names) -> list[object | None] | None:
    """``ids=``: pytest takes any iterable (a dict gives its keys), or a callable."""
    try:
        items = _elements(node, constants, 0, names)
    except (_Unknown, _CountOnly, RecursionError, ValueError, OverflowError):
        return None
    out: list[object | None] = []
    for item in items:
        value = _constant(item) if isinstance(item, ast.expr) else item
        if value is _NOT_CONST:
            return None
        out.append(value)
    return out


def argvalues_of(call: ast.Call) -> ast.expr | None:
    """The argvalues a ``parametrize(argnames, argvalues, ...)`` call is given."""
    if len(call.args) > 1:
        return call.args[1]
    return next((k.value for k in call.keywords if k.arg == "argvalues"), None)


def parse_parametrize(
    mark: MarkCall,
    names: Names,
    constants: Constants,
    source: SourceText,
    rules: IdRules,
) -> ParamSpec | None:
    """Understand ``parametrize(argnames, argvalues, indirect=, ids=, scope=)``.

    Returns None when even the argument names cannot be read.
    """
    call = mark.call
    if call is None or any(isinstance(a, ast.Starred) for a in call.args):
        return None
    kwargs = {kw.arg: kw.value for kw in call.keywords if kw.arg is not None}
    if any(kw.arg is None for kw in call.keywords):
        return None
    positional = list(call.args)
    argnames_node = positional[0] if positional else kwargs.get("argnames")
    argvalues_node = argvalues_of(call)
    if argnames_node is None or argvalues_node is None:
        return None
    parsed = _argnames(argnames_node, constants)
    if parsed is None:
        return None
    argnames, force_tuple = parsed
    cases = evaluate_cases(
        argvalues_node,
        nargs=len(argnames),
        force_tuple=force_tuple,
        names=names,
        constants=constants,
        source=source,
    )

    indirect: frozenset[str] = frozenset()
    indirect_node = positional[2] if len(positional) > 2 else kwargs.get("indirect")
    if indirect_node is not None:
        value = _constant(indirect_node)
        if value is True:
            indirect = frozenset(argnames)
        elif value is False:
            pass
        elif isinstance(indirect_node, (ast.List, ast.Tuple)):
            indirect = frozenset(
                v for e in indirect_node.elts if isinstance(v := _constant(e), str)
            )
        else:
            # Unknown: treat every name as possibly indirect, callers see fixtures kept.
            indirect = frozenset(argnames)

    ids_node = positional[3] if len(positional) > 3 else kwargs.get("ids")
    ids: tuple[str, ...] | None
    if ids_node is None or _constant(ids_node) is None:
        ids = case_ids(argnames, cases, None, rules)
    else:
        id_list = _ids_list(ids_node, constants, names)
        ids = None if id_list is None else case_ids(argnames, cases, id_list, rules)
    if ids is not None and cases.count is not None and len(ids) != cases.count:
        ids = None
    scope_node = positional[4] if len(positional) > 4 else kwargs.get("scope")
    scope = None if scope_node is None else _constant(scope_node)
    marks = tuple(m for case in (cases.cases or ()) for m in case.marks)
    return ParamSpec(
        argnames,
        call.lineno,
        cases,
        ids,
        indirect,
        marks,
        scope=scope if scope is None or isinstance(scope, str) else "?",
    )


def fixture_param_spec(
    name: str,
    params: ast.expr,
    *,
    ids_node: ast.expr | None,
    line: int,
    names: Names,
    constants: Constants,
    source: SourceText,
    rules: IdRules,
) -> ParamSpec:
    """The parametrization a fixture's ``params=`` (and ``ids=``) gives its users."""
    cases = evaluate_cases(
        params, nargs=1, force_tuple=True, names=names, constants=constants, source=source
    )
    if cases.cases is None and cases.count == 1 and cases.expression.strip("[]() ") == "":
        # An empty params list means the fixture is simply not parametrized.
        cases = Cases(0, (), cases.expression)
    ids: tuple[str, ...] | None
    if ids_node is None:
        ids = case_ids((name,), cases, None, rules)
    else:
        id_list = _ids_list(ids_node, constants, names)
        ids = None if id_list is None else case_ids((name,), cases, id_list, rules)
    return ParamSpec((name,), line, cases, ids, frozenset(), ())
