"""Names of tests a framework generates at import time, worked out from the source.

PyTorch's test helpers rename and multiply test methods before pytest sees them
(:mod:`.dialects` lists the names involved). This module reproduces their naming rules
(``torch/testing/_internal/common_utils.py`` and ``common_device_type.py``), only where
every value is known statically: otherwise it says the names are computed, and why.
"""

from __future__ import annotations

import ast
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sphinx_testdocs.analysis.evaluate import EnumMember, Known, Opaque
from sphinx_testdocs.analysis.markers import Names, SourceText
from sphinx_testdocs.analysis.parametrize import (
    _NOT_CONST,
    _constant,
    _CountOnly,
    _elements,
    _resolve_name,
    _Unknown,
)

__all__ = [
    "TORCH_DTYPE_NAMES",
    "Parametrizer",
    "Variants",
    "device_variants",
    "dtype_list",
    "parametrized_variants",
    "torch_parametrizer",
]

#: ``torch.<attribute>`` -> the name PyTorch's ``dtype_name`` gives it in test names.
TORCH_DTYPE_NAMES: Mapping[str, str] = {
    **{
        name: name
        for name in [
            "bfloat16",
            "bits16",
            "bits1x8",
            "bits2x4",
            "bits4x2",
            "bits8",
            "bool",
            "complex128",
            "complex32",
            "complex64",
            "float16",
            "float32",
            "float4_e2m1fn_x2",
            "float64",
            "float8_e4m3fn",
            "float8_e4m3fnuz",
            "float8_e5m2",
            "float8_e5m2fnuz",
            "float8_e8m0fnu",
            "int1",
            "int16",
            "int2",
            "int3",
            "int32",
            "int4",
            "int5",
            "int6",
            "int64",
            "int7",
            "int8",
            "qint32",
            "qint8",
            "quint2x4",
            "quint4x2",
            "quint8",
            "uint1",
            "uint16",
            "uint2",
            "uint3",
            "uint32",
            "uint4",
            "uint5",
            "uint6",
            "uint64",
            "uint7",
            "uint8",
        ]
    },
    "bit": "uint1",
    "cdouble": "complex128",
    "cfloat": "complex64",
    "chalf": "complex32",
    "double": "float64",
    "float": "float32",
    "half": "float16",
    "int": "int32",
    "long": "int64",
    "short": "int16",
}

#: How far name functions and aliases are followed.
_MAX_DEPTH = 8
#: Past this many generated names only the count is kept.
_MAX_NAMES = 10_000


@dataclass(frozen=True)
class Parametrizer:
    """One name-giving decorator on a test, as far as it is known.

    ``suffixes`` are the name parts of its value sets in order (None: not knowable);
    ``count`` their number (None: not knowable); ``label`` names the decorator for
    readers and ``expression`` is the source of its values, shown when unknown.
    """

    label: str
    suffixes: tuple[str, ...] | None
    count: int | None
    expression: str = ""
    #: Part of the generated name that stands for the unknown suffix ("<op>").
    placeholder: str = "<param>"


@dataclass(frozen=True)
class Variants:
    """The tests one generic test method becomes."""

    #: Generated method names, sorted as unittest's loader sorts them; None: unknown.
    names: tuple[str, ...] | None
    count: int | None
    #: The names' shape, with placeholders where parts are unknown.
    pattern: str
    #: Why the names or the count are not known; None when they are.
    reason: str | None


def dtype_name(node: ast.expr, names: Names) -> str | None:
    """``torch.float`` -> ``"float32"``; None for anything else."""
    dotted = names.dotted(node)
    if dotted is None or not dotted.startswith("torch."):
        return None
    return TORCH_DTYPE_NAMES.get(dotted[len("torch.") :])


def dtype_list(
    call: ast.Call, names: Names, constants: Mapping[str, ast.expr]
) -> tuple[str, ...] | None:
    """The name suffixes ``@dtypes(...)`` gives, one per variant; None if not knowable.

    A variant is one dtype (``float32``) or a tuple of them (``float32_int64``).
    """
    if call.keywords and any(kw.arg != "device_type" for kw in call.keywords):
        return None
    items: list[object] = []
    try:
        for arg in call.args:
            if isinstance(arg, ast.Starred):
                items.extend(_elements(arg.value, constants, 0, names))
            else:
                items.append(arg)
    except (_Unknown, _CountOnly, RecursionError, ValueError):
        return None
    out: list[str] = []
    for item in items:
        if not isinstance(item, ast.expr):
            return None
        node = _resolve_name(item, constants, 0)
        if isinstance(node, (ast.Tuple, ast.List)):
            parts = [dtype_name(_resolve_name(e, constants, 0), names) for e in node.elts]
            if any(p is None for p in parts):
                return None
            out.append("_".join(p for p in parts if p))
            continue
        single = dtype_name(node, names)
        if single is None:
            return None
        out.append(single)
    return tuple(out)


# --- parametrize's names ---------------------------------------------------------------


class _Opaque:
    """A parameter value known only by its kind (for ``name_fn``)."""

    def __init__(self, name: str | None) -> None:
        self.name = name


@dataclass
class _ValueContext:
    names: Names
    constants: Mapping[str, ast.expr]
    #: Module-level names bound to a def or class (their values are not numbers).
    callables: Mapping[str, ast.AST]
    is_subtest: Callable[[ast.expr], bool]


def _value_repr(node: ast.expr, argname: str, idx: int, vc: _ValueContext) -> str | None:
    """PyTorch's ``parametrize._formatted_str_repr`` for a value known statically."""
    node = _resolve_name(node, vc.constants, 0)
    if isinstance(node, Known):
        # An enum member of a plain Enum, a function, a partial: none of the kinds
        # PyTorch names by value.
        return f"{argname}{idx}" if isinstance(node.value, (EnumMember, Opaque)) else None
    value = _constant(node)
    if value is not _NOT_CONST:
        if isinstance(value, (int, float, str)):  # bool included, as in PyTorch
            return f"{argname}_{str(value).replace('.', '_')}"
        return f"{argname}{idx}"  # None, bytes, complex, Ellipsis: not int/float/str
    dtype = dtype_name(node, vc.names)
    if dtype is not None:
        return dtype
    if isinstance(node, ast.Call) and vc.names.dotted(node.func) == "torch.device":
        device = _device_string(node)
        return device
    if _is_opaque_object(node, vc):
        return f"{argname}{idx}"
    return None


def _device_string(call: ast.Call) -> str | None:
    if call.keywords or not 1 <= len(call.args) <= 2:
        return None
    kind = _constant(call.args[0])
    if not isinstance(kind, str):
        return None
    if len(call.args) == 2:
        index = _constant(call.args[1])
        return f"{kind}:{index}" if isinstance(index, int) else None
    return kind


def _is_opaque_object(node: ast.expr, vc: _ValueContext) -> bool:
    """Values that are certainly not ints, floats, strings, dtypes or devices."""
    if isinstance(
        node,
        (ast.Lambda, ast.Tuple, ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp),
    ):
        return True
    if isinstance(node, ast.Name):
        return node.id in vc.callables or node.id in _BUILTIN_CALLABLES
    target = node.func if isinstance(node, ast.Call) else node
    if isinstance(target, (ast.Name, ast.Attribute)):
        last = target.id if isinstance(target, ast.Name) else target.attr
        if isinstance(node, ast.Call) and isinstance(target, ast.Name):
            # A call of a class defined here makes an instance of it.
            return isinstance(vc.callables.get(target.id), ast.ClassDef)
        # A CamelCase name is a class (calling it makes an instance): never a number,
        # a string, a dtype or a device.
        return last[:1].isupper() and not last.isupper() and "_" not in last[:2]
    return False


_BUILTIN_CALLABLES = frozenset(
    [
        "abs",
        "all",
        "any",
        "bool",
        "bytes",
        "callable",
        "chr",
        "dict",
        "dir",
        "divmod",
        "enumerate",
        "filter",
        "float",
        "format",
        "frozenset",
        "getattr",
        "hasattr",
        "hash",
        "hex",
        "id",
        "int",
        "isinstance",
        "issubclass",
        "iter",
        "len",
        "list",
        "map",
        "max",
        "min",
        "next",
        "object",
        "oct",
        "ord",
        "pow",
        "print",
        "range",
        "repr",
        "reversed",
        "round",
        "set",
        "setattr",
        "slice",
        "sorted",
        "str",
        "sum",
        "tuple",
        "type",
        "vars",
        "zip",
    ]
)


def _call_name_fn(name_fn: ast.expr, values: Sequence[object], vc: _ValueContext) -> str | None:
    """``name_fn(*values)`` for a lambda (or one-line function) over known values."""
    node = _resolve_name(name_fn, vc.constants, 0)
    if isinstance(node, ast.Name) and isinstance(vc.callables.get(node.id), ast.FunctionDef):
        func = vc.callables[node.id]
        assert isinstance(func, ast.FunctionDef)
        body = [s for s in func.body if not _is_docstring(s)]
        if len(body) != 1 or not isinstance(body[0], ast.Return) or body[0].value is None:
            return None
        args, expr = func.args, body[0].value
    elif isinstance(node, ast.Lambda):
        args, expr = node.args, node.body
    else:
        return None
    if args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs or args.defaults:
        return None
    if len(args.args) != len(values):
        return None
    scope = {a.arg: v for a, v in zip(args.args, values, strict=True)}
    try:
        result = _evaluate(expr, scope, vc, 0)
    except _Unknown:
        return None
    return result if isinstance(result, str) else None


def _is_docstring(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _evaluate(
    node: ast.expr, scope: Mapping[str, object], vc: _ValueContext, depth: int
) -> object:
    """A small, safe evaluator for name functions: strings, numbers and their formatting."""
    if depth > _MAX_DEPTH * 4:
        raise _Unknown
    value = _constant(node)
    if value is not _NOT_CONST:
        return value
    if isinstance(node, ast.Name):
        if node.id in scope:
            found = scope[node.id]
            if isinstance(found, _Opaque):
                raise _Unknown
            return found
        raise _Unknown
    if isinstance(node, ast.JoinedStr):
        parts: list[str] = []
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                parts.append(part.value)
            elif isinstance(part, ast.FormattedValue) and part.format_spec is None:
                inner = _evaluate(part.value, scope, vc, depth + 1)
                parts.append(repr(inner) if part.conversion == ord("r") else _str(inner))
            else:
                raise _Unknown
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = _evaluate(node.left, scope, vc, depth + 1)
        right = _evaluate(node.right, scope, vc, depth + 1)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
        if _is_number(left) and _is_number(right):
            return left + right  # type: ignore[operator]
        raise _Unknown
    if isinstance(node, ast.Attribute) and node.attr == "__name__":
        if isinstance(node.value, ast.Name) and isinstance(scope.get(node.value.id), _Opaque):
            opaque = scope[node.value.id]
            assert isinstance(opaque, _Opaque)
            if opaque.name is not None:
                return opaque.name
        raise _Unknown
    if isinstance(node, ast.Call) and not node.keywords:
        func = node.func
        if isinstance(func, ast.Name) and func.id == "str" and len(node.args) == 1:
            return _str(_evaluate(node.args[0], scope, vc, depth + 1))
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "format"
            and isinstance(func.value, ast.Constant)
            and isinstance(func.value.value, str)
        ):
            args = [_evaluate(a, scope, vc, depth + 1) for a in node.args]
            if not all(isinstance(a, (str, int, float, bool)) or a is None for a in args):
                raise _Unknown
            try:
                return func.value.value.format(*args)
            except (IndexError, KeyError, ValueError):
                raise _Unknown from None
    if isinstance(node, ast.IfExp):
        test = _evaluate(node.test, scope, vc, depth + 1)
        return _evaluate(node.body if test else node.orelse, scope, vc, depth + 1)
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        left = _evaluate(node.left, scope, vc, depth + 1)
        right = _evaluate(node.comparators[0], scope, vc, depth + 1)
        op = node.ops[0]
        if isinstance(op, (ast.Eq, ast.Is)):
            return left == right
        if isinstance(op, (ast.NotEq, ast.IsNot)):
            return left != right
    raise _Unknown


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _str(value: object) -> str:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return str(value)
    raise _Unknown


def _value_for_name_fn(node: ast.expr, vc: _ValueContext) -> object:
    node = _resolve_name(node, vc.constants, 0)
    value = _constant(node)
    if value is not _NOT_CONST:
        return value
    if isinstance(node, ast.Name) and node.id in vc.callables:
        definition = vc.callables[node.id]
        return _Opaque(getattr(definition, "name", None))
    return _Opaque(None)


def torch_parametrizer(
    call: ast.Call,
    *,
    names: Names,
    constants: Mapping[str, ast.expr],
    callables: Mapping[str, ast.AST],
    source: SourceText,
    is_subtest: Callable[[ast.expr], bool],
) -> Parametrizer:
    """``parametrize(arg_str, arg_values, name_fn=None)`` understood as far as it can be."""
    expression = source.span(call)
    label = "@parametrize"
    kwargs = {kw.arg: kw.value for kw in call.keywords if kw.arg is not None}
    positional = list(call.args)
    arg_str = positional[0] if positional else kwargs.get("arg_str")
    values_node = positional[1] if len(positional) > 1 else kwargs.get("arg_values")
    name_fn = positional[2] if len(positional) > 2 else kwargs.get("name_fn")
    if arg_str is None or values_node is None or any(kw.arg is None for kw in call.keywords):
        return Parametrizer(label, None, None, expression)
    arg_text = _constant(_resolve_name(arg_str, constants, 0))
    if not isinstance(arg_text, str):
        return Parametrizer(label, None, None, expression)
    argnames = [s.strip() for s in arg_text.split(",") if s != ""]
    values_expression = source.span(values_node)
    try:
        items = _elements(values_node, constants, 0, names)
    except _CountOnly as only:
        return Parametrizer(label, None, only.count, values_expression)
    except (_Unknown, RecursionError, ValueError, OverflowError, MemoryError):
        return Parametrizer(label, None, None, values_expression)
    if not argnames:
        return Parametrizer(label, ("",), 1, values_expression)
    vc = _ValueContext(names, constants, callables, is_subtest)
    suffixes: list[str] | None = []
    for idx, item in enumerate(items):
        suffix = _suffix(item, idx, argnames, name_fn, vc)
        if suffix is None:
            suffixes = None
            break
        assert suffixes is not None
        suffixes.append(suffix)
    return Parametrizer(
        label, tuple(suffixes) if suffixes is not None else None, len(items), values_expression
    )


def _suffix(
    item: object,
    idx: int,
    argnames: Sequence[str],
    name_fn: ast.expr | None,
    vc: _ValueContext,
) -> str | None:
    if not isinstance(item, ast.expr):
        # A value expanded from range() or a string: a plain number or character.
        if isinstance(item, (int, str)) and len(argnames) == 1:
            if name_fn is not None:
                return _call_name_fn(name_fn, [item], vc)
            return f"{argnames[0]}_{item}"
        return None
    node = _resolve_name(item, vc.constants, 0)
    explicit: str | None = None
    if isinstance(node, ast.Call) and vc.is_subtest(node.func):
        arg_values, explicit_node = _subtest_parts(node)
        if arg_values is None:
            return None
        if explicit_node is not None:
            name = _constant(_resolve_name(explicit_node, vc.constants, 0))
            if name is None:
                explicit = None
            elif isinstance(name, str):
                explicit = name
            else:
                return None
        node = _resolve_name(arg_values, vc.constants, 0)
    if len(argnames) > 1:
        if not isinstance(node, (ast.Tuple, ast.List)) or any(
            isinstance(e, ast.Starred) for e in node.elts
        ):
            return None
        values = list(node.elts)
        if len(values) != len(argnames):
            return None
    else:
        values = [node]
    if explicit:
        return explicit
    if name_fn is not None:
        return _call_name_fn(name_fn, [_value_for_name_fn(v, vc) for v in values], vc)
    parts = [_value_repr(v, a, idx, vc) for a, v in zip(argnames, values, strict=True)]
    if any(p is None for p in parts):
        return None
    return "_".join(p for p in parts if p is not None)


def _subtest_parts(call: ast.Call) -> tuple[ast.expr | None, ast.expr | None]:
    kwargs = {kw.arg: kw.value for kw in call.keywords if kw.arg is not None}
    if any(kw.arg is None for kw in call.keywords) or any(
        isinstance(a, ast.Starred) for a in call.args
    ):
        return None, None
    arg_values = call.args[0] if call.args else kwargs.get("arg_values")
    name = call.args[1] if len(call.args) > 1 else kwargs.get("name")
    return arg_values, name


# --- composing -----------------------------------------------------------------------


def _compose(parametrizers: Sequence[Parametrizer]) -> tuple[tuple[str, ...] | None, int | None]:
    """Suffixes of stacked parametrizers (top first), joined as PyTorch joins them."""
    count: int | None = math.prod(p.count for p in parametrizers if p.count is not None)
    if any(p.count is None for p in parametrizers):
        count = None
    if any(p.suffixes is None for p in parametrizers):
        return None, count
    if count is not None and count > _MAX_NAMES:
        return None, count
    suffixes = [p.suffixes for p in parametrizers if p.suffixes is not None]
    joined = tuple("_".join(s for s in combo if s) for combo in itertools.product(*suffixes))
    return joined, len(joined)


def _pattern_suffix(parametrizers: Sequence[Parametrizer]) -> str:
    return "_".join(p.placeholder for p in parametrizers)


def device_variants(
    name: str,
    device: str,
    parametrizers: Sequence[Parametrizer],
    dtypes: tuple[str, ...] | None,
    has_dtypes: bool,
    dtype_reason: str = "",
) -> Variants:
    """What ``instantiate_device_type_tests`` makes of one test for one device type."""
    suffixes, count = _compose(parametrizers)
    dtype_parts: tuple[str, ...] = ("",)
    if has_dtypes:
        dtype_parts = tuple(f"_{d}" if d else "" for d in dtypes) if dtypes is not None else ()
    dtype_count = len(dtype_parts) if not has_dtypes or dtypes is not None else None
    total = count * dtype_count if count is not None and dtype_count is not None else None
    pattern_mid = _pattern_suffix(parametrizers)
    pattern = f"{name}{'_' + pattern_mid if pattern_mid else ''}_{device}"
    if has_dtypes:
        pattern += "_<dtype>"
    reasons = [
        f"{p.label} over {p.expression or 'values computed at import time'}"
        for p in parametrizers
        if p.suffixes is None
    ]
    if has_dtypes and dtypes is None:
        reasons.append(dtype_reason or "dtypes computed at import time")
    if suffixes is None or (has_dtypes and dtypes is None):
        reason = "names depend on " + "; ".join(reasons) if reasons else "too many variants"
        return Variants(None, total, pattern, reason)
    names = sorted(
        f"{name}{'_' + s if s else ''}_{device}{d}" for s in suffixes for d in dtype_parts
    )
    return Variants(tuple(names), len(names), pattern, None)


def parametrized_variants(name: str, parametrizers: Sequence[Parametrizer]) -> Variants:
    """What ``instantiate_parametrized_tests`` makes of one parametrized test."""
    suffixes, count = _compose(parametrizers)
    pattern = f"{name}_{_pattern_suffix(parametrizers)}"
    if suffixes is None:
        reasons = [
            f"{p.label} over {p.expression or 'values computed at import time'}"
            for p in parametrizers
            if p.suffixes is None
        ]
        reason = "names depend on " + "; ".join(reasons) if reasons else "too many variants"
        return Variants(None, count, pattern, reason)
    names = sorted(f"{name}_{s}" for s in suffixes)
    return Variants(tuple(names), len(names), pattern, None)
