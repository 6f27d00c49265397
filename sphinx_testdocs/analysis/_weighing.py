"""Context that turns a finding's line from a risk into a note: a guard, a file the test made.

A rule with a ``weigh`` function (see :class:`.rules.Rule`) asks, for each line of
evidence, whether what surrounds it defuses it: the CUDA calls of a test sit under
``if torch.cuda.is_available():``, or the pickle it loads is the one it just wrote into
its own temporary directory. Only what the source shows is weighed; a line whose context
says nothing stays a risk.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from sphinx_testdocs.analysis._matchers import Hit, Index, callee_name

__all__ = ["Frame", "cuda_guard", "cuda_only_decorators", "enclosing", "self_made_data"]

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_BLOCKS = ("body", "orelse", "handlers", "finalbody", "cases")


@dataclass(frozen=True, slots=True)
class Frame:
    """A statement holding the line, and which of its blocks holds it.

    ``block`` is "body", "orelse", "handlers", "finalbody" or "cases", or "" when the line
    is in the statement itself (its header, a decorator, or a simple statement);
    ``before`` are the statements of that block that come before the line's.
    """

    node: ast.stmt
    block: str
    before: tuple[ast.stmt, ...] = ()


def _first_line(stmt: ast.stmt) -> int:
    decorators = getattr(stmt, "decorator_list", None)
    return min([stmt.lineno, *(d.lineno for d in decorators)]) if decorators else stmt.lineno


def _holding(stmts: list[ast.stmt], line: int) -> int | None:
    for i, stmt in enumerate(stmts):
        if _first_line(stmt) <= line <= (stmt.end_lineno or stmt.lineno):
            return i
    return None


def enclosing(tree: ast.Module, line: int) -> list[Frame]:
    """The statements holding ``line``, outermost first (a descent, not a walk)."""
    frames: list[Frame] = []
    stmts: list[ast.stmt] = tree.body
    while True:
        i = _holding(stmts, line)
        if i is None:
            return frames
        stmt = stmts[i]
        for block in _BLOCKS:
            inner = getattr(stmt, block, None)
            if not inner:
                continue
            # Handlers and match cases hold their own bodies.
            bodies = (
                [inner] if block in ("body", "orelse", "finalbody") else [h.body for h in inner]
            )
            for body in bodies:
                j = _holding(body, line)
                if j is not None:
                    frames.append(Frame(stmt, block, tuple(body[:j])))
                    stmts = body
                    break
            else:
                continue
            break
        else:
            frames.append(Frame(stmt, ""))
            return frames


# --- CUDA guards -------------------------------------------------------------------

_CUDA_WORD = re.compile(r"cuda|gpu", re.IGNORECASE)
# Decorators that, by name, run a test only where CUDA is: @onlyCUDA, @requires_cuda,
# @requires_multi_gpu, @skipIfNoCuda, @skip_unless_gpu...
_CUDA_ONLY_DECORATOR = re.compile(
    r"(only|requires?|needs)_?(multi_?)?(cuda|gpu)|if_?no_?(cuda|gpu)|unless_?(cuda|gpu)",
    re.IGNORECASE,
)
_POSITIVE_OPS = (ast.Eq, ast.In, ast.Is, ast.Gt, ast.GtE)
_NEGATIVE_OPS = (ast.NotEq, ast.NotIn, ast.IsNot, ast.Lt, ast.LtE)


def _mentions_cuda(expr: ast.expr) -> bool:
    for node in ast.walk(expr):
        text = (
            node.id
            if isinstance(node, ast.Name)
            else node.attr
            if isinstance(node, ast.Attribute)
            else node.value
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            else None
        )
        if text is not None and _CUDA_WORD.search(text):
            return True
    return False


def cuda_polarity(test: ast.expr) -> bool | None:
    """True if ``test`` holds where CUDA is available, False if where it is not.

    None when the test does not speak of CUDA (or its parts disagree): ``TEST_CUDA``,
    ``torch.cuda.is_available()``, ``device == "cuda"``, ``torch.cuda.device_count() >= 2``
    are True; ``not TEST_CUDA`` and ``device != "cuda"`` are False.
    """
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = cuda_polarity(test.operand)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        known = {p for p in map(cuda_polarity, test.values) if p is not None}
        return known.pop() if len(known) == 1 else None
    if not _mentions_cuda(test):
        return None
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        op = test.ops[0]
        if isinstance(op, _NEGATIVE_OPS):
            return False
        return True if isinstance(op, _POSITIVE_OPS) else None
    return True


def _skips_without_cuda(decorator: ast.expr) -> bool:
    name = callee_name(decorator) if isinstance(decorator, ast.Call) else None
    if isinstance(decorator, ast.Call) and name in {"skipIf", "skipif", "skipUnless"}:
        condition = decorator.args[0] if decorator.args else None
        for kw in decorator.keywords:
            if kw.arg == "condition":
                condition = kw.value
        wanted = name == "skipUnless"
        return condition is not None and cuda_polarity(condition) is wanted
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    last = (
        target.attr
        if isinstance(target, ast.Attribute)
        else target.id
        if isinstance(target, ast.Name)
        else ""
    )
    return bool(_CUDA_ONLY_DECORATOR.search(last))


def cuda_only_decorators(index: Index) -> Iterator[Hit]:
    """Decorators that, by name, run a test only on a GPU (``@onlyCUDA``,
    ``@requires_gpu``): the test is a GPU test even if no line in it says "cuda"."""
    for dotted, decorators in index.facts.decorators.items():
        if _CUDA_ONLY_DECORATOR.search(dotted.rpartition(".")[2]):
            for decorator in decorators:
                yield decorator.lineno, None


def _leaves(body: list[ast.stmt]) -> bool:
    """The block ends the test early: return, raise, or a skip call."""
    last = body[-1]
    if isinstance(last, (ast.Return, ast.Raise)):
        return True
    return (
        isinstance(last, ast.Expr)
        and isinstance(last.value, ast.Call)
        and (callee_name(last.value) or "").lower() in {"skiptest", "skip"}
    )


_CUDA_QUERIES = frozenset({"is_available", "device_count"})


def _checks_cuda(frame: Frame, line: int) -> bool:
    """The line asks whether CUDA is there: an ``if``/``while`` test, ``HAS_CUDA = ...``."""
    node = frame.node
    if isinstance(node, (ast.If, ast.While)):
        test = node.test
        return test.lineno <= line <= (test.end_lineno or test.lineno) and (
            cuda_polarity(test) is not None
        )
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        value = node.value
        if isinstance(value, ast.Call):
            return callee_name(value) in _CUDA_QUERIES and _mentions_cuda(value.func)
        return isinstance(value, (ast.Compare, ast.BoolOp, ast.UnaryOp)) and (
            cuda_polarity(value) is not None
        )
    return False


def cuda_guard(line: int, index: Index) -> str | None:
    """Why ``line`` runs only where CUDA is available, if its context shows it."""
    frames = enclosing(index.tree, line)
    if frames and _checks_cuda(frames[-1], line):
        return "a check whether CUDA is available"
    for frame in frames:
        node = frame.node
        if (
            isinstance(node, ast.If)
            and frame.block in ("body", "orelse")
            and cuda_polarity(node.test) is (frame.block == "body")
        ):
            return "under a CUDA availability check"
        if isinstance(node, (*_FUNCTIONS, ast.ClassDef)) and any(
            map(_skips_without_cuda, node.decorator_list)
        ):
            return "in a test skipped where CUDA is not available"
        for stmt in frame.before:
            if _exits_without_cuda(stmt):
                return "after a check that ends the test without CUDA"
    return _module_skipped(index.tree, line)


def _exits_without_cuda(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.If) and cuda_polarity(stmt.test) is False and _leaves(stmt.body)


def _module_skipped(tree: ast.Module, line: int) -> str | None:
    """``pytestmark = pytest.mark.skipif(not TEST_CUDA, ...)`` or a module-level
    ``if not TEST_CUDA: raise unittest.SkipTest(...)`` before the line."""
    for stmt in tree.body:
        if stmt.lineno >= line:
            break
        marks: list[ast.expr] = []
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in stmt.targets
        ):
            value = stmt.value
            marks = list(value.elts) if isinstance(value, (ast.List, ast.Tuple)) else [value]
        if any(map(_skips_without_cuda, marks)) or _exits_without_cuda(stmt):
            return "in a module skipped where CUDA is not available"
    return None


# --- data the test made itself --------------------------------------------------------

#: Callees (last name) whose ``with`` target is a temporary file or directory.
_TEMP_MAKERS = frozenset(
    {
        "TemporaryDirectory",
        "NamedTemporaryFile",
        "TemporaryFile",
        "SpooledTemporaryFile",
        "mkdtemp",
        "mkstemp",
        "TemporaryFileName",
        "TemporaryDirectoryName",
        "tempdir",
        "temppath",
    }
)
#: pytest's temporary-directory fixtures, requested as parameters.
_TEMP_FIXTURES = frozenset({"tmp_path", "tmpdir", "tmp_path_factory", "tmpdir_factory"})
#: A call whose last name starts so writes or produces serialised data:
#: ``torch.save(obj, buf)``, ``pickle.dumps(x)``, ``config.save_config()``.
_WRITES = re.compile(r"(save|dump|serial)", re.IGNORECASE)
_LOADS = frozenset({"load", "loads", "Unpickler", "read_pickle", "decode", "open"})
_DATA_KEYWORDS = frozenset({"f", "file", "fp", "fname", "filename", "path", "data", "buffer"})


def _names_in(expr: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(expr) if isinstance(n, ast.Name)}


def _targets(target: ast.expr) -> set[str]:
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}


def _writes(call: ast.expr) -> bool:
    return isinstance(call, ast.Call) and bool(_WRITES.match(callee_name(call) or ""))


def _made_names(frames: list[Frame], line: int) -> set[str]:
    """Names that hold a temporary path or data the test wrote, before ``line``.

    Seeded by ``with <temp maker>() as name``, pytest's tmp fixtures and the buffers
    passed to a save/dump call; then every name assigned from an expression that uses
    one of them (``path = os.path.join(tmpdir, "m.pt")``), in source order.
    """
    made: set[str] = set()
    scope: ast.AST | None = None
    for frame in frames:
        node = frame.node
        if isinstance(node, (ast.With, ast.AsyncWith)) and frame.block == "body":
            made |= _temp_targets(node)
        if isinstance(node, _FUNCTIONS):
            scope = node
            args = node.args
            made |= {
                a.arg
                for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)
                if a.arg in _TEMP_FIXTURES
            }
    if scope is None:
        return made
    earlier: list[ast.Assign | ast.Call | ast.With | ast.AsyncWith] = sorted(
        (n for n in ast.walk(scope) if isinstance(n, _TRACKED) and n.lineno < line),
        key=lambda n: (n.lineno, n.col_offset),
    )
    for step in earlier:
        if isinstance(step, ast.Call):
            if _writes(step):
                made |= {a.id for a in step.args if isinstance(a, ast.Name)}
        elif isinstance(step, (ast.With, ast.AsyncWith)):
            # ``with NamedTemporaryFile(delete=False) as f:`` ... then ``load(f.name)``.
            made |= _temp_targets(step)
        elif _self_made(step.value, made):
            for target in step.targets:
                made |= _targets(target)
    return made


_TRACKED = (ast.Assign, ast.Call, ast.With, ast.AsyncWith)


def _temp_targets(node: ast.With | ast.AsyncWith) -> set[str]:
    names: set[str] = set()
    for item in node.items:
        expr = item.context_expr
        if (
            isinstance(expr, ast.Call)
            and callee_name(expr) in _TEMP_MAKERS
            and item.optional_vars is not None
        ):
            names |= _targets(item.optional_vars)
    return names


def _load_calls(frames: list[Frame], line: int) -> Iterator[ast.Call]:
    if not frames:
        return
    for node in ast.walk(frames[-1].node):
        if isinstance(node, ast.Call) and node.lineno == line and callee_name(node) in _LOADS:
            yield node


def _data_argument(call: ast.Call) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg in _DATA_KEYWORDS:
            return kw.value
    return call.args[0] if call.args else None


def _self_made(arg: ast.expr | None, made: set[str]) -> bool:
    if arg is None:
        return False
    if _writes(arg) or (isinstance(arg, ast.Constant) and isinstance(arg.value, bytes)):
        return True
    if isinstance(arg, ast.Call) and callee_name(arg) == "BytesIO" and arg.args:
        return _self_made(arg.args[0], made)
    return bool(_names_in(arg) & made)


_SELF_MADE = (
    "a load of data the test itself wrote (a temporary file, a buffer, bytes in its source)"
)


def self_made_data(line: int, index: Index) -> str | None:
    """Why what ``line`` loads is what the test itself wrote, if the source shows it."""
    frames = enclosing(index.tree, line)
    loads = list(_load_calls(frames, line))
    if not loads:
        return None
    made = _made_names(frames, line)
    if all(_self_made(_data_argument(call), made) for call in loads):
        return _SELF_MADE
    return None
