"""Predicates and detail extractors the rule table plugs into its matchers."""

from __future__ import annotations

import ast
import re

from sphinx_testdocs.analysis._matchers import Index
from sphinx_testdocs.analysis._walk import dotted_name

__all__ = [
    "array_detail",
    "check_hostname_off",
    "credential_name",
    "credential_value",
    "cuda_device",
    "examples_detail",
    "first_arg_is_cuda",
    "hardcoded_credential",
    "large_array",
    "large_range",
    "literal_int",
    "many_examples",
    "no_positional_args",
    "range_detail",
    "range_length",
    "sleep_detail",
    "yaml_load_unsafe",
]

# Guards for evaluating literal arithmetic such as ``10**6``: a source line like
# ``range(10**10**10)`` must not make the documentation build compute a huge number.
_MAX_LITERAL_DEPTH = 8
_MAX_POW_BASE = 10**6
_MAX_EXPONENT = 64
_LARGE_RANGE = 10**5


def literal_int(node: ast.expr, depth: int = 0) -> int | None:
    """The value of an integer literal or small literal arithmetic, else None."""
    if depth > _MAX_LITERAL_DEPTH:
        return None
    if isinstance(node, ast.Constant):
        value = node.value
        return value if type(value) is int else None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = literal_int(node.operand, depth + 1)
        if operand is None:
            return None
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left = literal_int(node.left, depth + 1)
        right = literal_int(node.right, depth + 1)
        if left is None or right is None:
            return None
        op = node.op
        if isinstance(op, ast.Add):
            return left + right
        if isinstance(op, ast.Sub):
            return left - right
        if isinstance(op, ast.Mult):
            return left * right
        if isinstance(op, ast.FloorDiv) and right:
            return left // right
        if isinstance(op, ast.Pow) and abs(left) <= _MAX_POW_BASE and 0 <= right <= _MAX_EXPONENT:
            return int(left**right)
        if isinstance(op, ast.LShift) and 0 <= right <= _MAX_EXPONENT:
            return left << right
    return None


def range_length(call: ast.Call) -> int | None:
    if call.keywords or not 1 <= len(call.args) <= 3:
        return None
    values = [literal_int(arg) for arg in call.args]
    if any(v is None for v in values):
        return None
    ints = [v for v in values if v is not None]
    start, stop, step = (
        (0, ints[0], 1) if len(ints) == 1 else (*ints[:2], ints[2] if len(ints) == 3 else 1)
    )
    if not step:
        return None
    # Arithmetic rather than len(range(...)): literals may exceed a C ssize_t.
    span = stop - start if step > 0 else start - stop
    return max(0, (span + abs(step) - 1) // abs(step))


def large_range(call: ast.Call, index: Index) -> bool:
    length = range_length(call)
    return length is not None and length >= _LARGE_RANGE


def range_detail(call: ast.Call) -> str | None:
    length = range_length(call)
    return f"{length:,} items" if length is not None else None


# Arrays of this many elements or more: at 8 bytes each, 800 MB and up.
_LARGE_ARRAY = 10**8
_MANY_EXAMPLES = 1000


def _literal_size(shape: ast.expr) -> int | None:
    """Elements of a literal shape: ``2**31`` or ``(10**5, 10**4)``."""
    if isinstance(shape, (ast.Tuple, ast.List)):
        size = 1
        for dim in shape.elts:
            value = literal_int(dim)
            if value is None or value < 0:
                return None
            size *= value
        return size
    return literal_int(shape)


def _array_size(call: ast.Call) -> int | None:
    """Elements of ``zeros(2**31)``, ``ones((10**5, 10**4))``, ``torch.ones(10**4, 10**4)``.

    Several literal integers as positional arguments are dimensions (torch's
    ``zeros(*size)``); otherwise the first argument, or ``shape=``/``size=``, is the shape.
    """
    shape: ast.expr | None = call.args[0] if call.args else None
    for kw in call.keywords:
        if kw.arg in {"shape", "size"}:
            shape = kw.value
    if len(call.args) > 1 and all(type(literal_int(a)) is int for a in call.args):
        return _literal_size(ast.Tuple(elts=list(call.args)))
    return None if shape is None else _literal_size(shape)


def large_array(call: ast.Call, index: Index) -> bool:
    size = _array_size(call)
    return size is not None and size >= _LARGE_ARRAY


def array_detail(call: ast.Call) -> str | None:
    size = _array_size(call)
    return f"{size:,} elements" if size is not None else None


def _max_examples(call: ast.Call) -> int | None:
    for kw in call.keywords:
        if kw.arg == "max_examples":
            return literal_int(kw.value)
    return None


def many_examples(call: ast.Call, index: Index) -> bool:
    count = _max_examples(call)
    return count is not None and count >= _MANY_EXAMPLES


def examples_detail(call: ast.Call) -> str | None:
    """``10,000 examples``, with a literal deadline when one is raised or removed."""
    count = _max_examples(call)
    if count is None:
        return None
    for kw in call.keywords:
        if kw.arg == "deadline":
            if isinstance(kw.value, ast.Constant) and kw.value.value is None:
                return f"{count:,} examples without a deadline"
            deadline = literal_int(kw.value)
            if deadline is not None:
                return f"{count:,} examples with a {deadline:,} ms deadline"
    return f"{count:,} examples"


def no_positional_args(call: ast.Call) -> bool:
    """``model.compile()`` or ``model.compile(backend="eager")``, not ``re.compile(p)``."""
    return not call.args


def sleep_detail(call: ast.Call) -> str | None:
    arg: ast.expr | None = call.args[0] if call.args else None
    for kw in call.keywords:
        if kw.arg in {"secs", "seconds", "delay"}:
            arg = kw.value
    if isinstance(arg, ast.Constant):
        value = arg.value
        # True is an int, but not a duration.
        if isinstance(value, float):
            return f"{value:g} s"
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value} s"
    return None


def first_arg_is_cuda(call: ast.Call) -> bool:
    first = call.args[0] if call.args else None
    return (
        isinstance(first, ast.Constant)
        and isinstance(first.value, str)
        and first.value.startswith("cuda")
    )


def cuda_device(call: ast.Call, index: Index) -> bool:
    return first_arg_is_cuda(call)


_YAML_UNSAFE_LOADERS = frozenset(
    f"yaml{sub}.{name}"
    for sub in ("", ".loader", ".cyaml")
    for name in ("Loader", "UnsafeLoader", "CLoader", "CUnsafeLoader")
)


def yaml_load_unsafe(call: ast.Call, index: Index) -> bool:
    """No loader given (unsafe before PyYAML 5.1), or an explicitly unsafe one.

    A loader passed as a variable is not flagged: what it holds is not visible.
    """
    loader: ast.expr | None = call.args[1] if len(call.args) > 1 else None
    for kw in call.keywords:
        if kw.arg == "Loader":
            loader = kw.value
    if loader is None:
        return True
    if isinstance(loader, (ast.Name, ast.Attribute)):
        dotted = dotted_name(loader)
        return dotted is not None and any(q in _YAML_UNSAFE_LOADERS for q in index.resolve(dotted))
    return False


# Credential heuristic, documented in HARDCODED_CREDENTIAL's explanation. Name words are
# split on underscores and camelCase; the *last* word decides, so ``token_type`` or
# ``password_file`` (which name something about a secret, not a secret) are left alone.
_CREDENTIAL_WORDS = frozenset({"password", "passwd", "passphrase", "secret", "token", "apikey"})
_KEY_QUALIFIERS = frozenset({"api", "secret", "access", "private", "auth"})
# Tokenizer vocabulary (``eos_token = "</s>"``) is common in ML test suites and is not a
# credential.
_NOT_SECRET_TOKENS = frozenset({"bos", "eos", "pad", "unk", "mask", "sep", "cls", "special"})
_PLACEHOLDER_WORDS = frozenset(
    {
        "password",
        "passwd",
        "secret",
        "token",
        "changeme",
        "change_me",
        "dummy",
        "fake",
        "test",
        "example",
        "placeholder",
        "none",
        "null",
        "redacted",
    }
)
# <...>, [...], {...}, $VAR, ${VAR}, %(name)s templates, and ALL_CAPS identifiers (the
# name of an environment variable or setting, not its value).
_PLACEHOLDER_RE = re.compile(
    r"(<[^>]*>|\[[^\]]*\]|\{[^}]*\}|\$\{?\w+\}?|%\(\w+\)s|[A-Z][A-Z0-9_]*)\Z"
)
_CAMEL_RE = re.compile(r"([a-z0-9])([A-Z])")


def credential_name(name: str) -> bool:
    words = [w for w in _CAMEL_RE.sub(r"\1_\2", name).lower().split("_") if w]
    if not words:
        return False
    last = words[-1]
    before = words[-2] if len(words) > 1 else ""
    if last == "token" and before in _NOT_SECRET_TOKENS:
        return False
    return last in _CREDENTIAL_WORDS or (last == "key" and before in _KEY_QUALIFIERS)


def credential_value(name: str, value: object) -> bool:
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if not isinstance(value, str):
        return False
    text = value.strip()
    if not text or len(set(text)) == 1:
        return False
    if text.lower() in _PLACEHOLDER_WORDS or text.lower() == name.lower():
        return False
    return _PLACEHOLDER_RE.match(text) is None


def hardcoded_credential(name: str, value: object) -> bool:
    return credential_name(name) and credential_value(name, value)


def check_hostname_off(name: str, value: object) -> bool:
    return name == "check_hostname" and value is False
