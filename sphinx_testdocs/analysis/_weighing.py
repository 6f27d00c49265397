"""Context that turns a finding's line from a risk into a note: a guard, a file the test made.

A rule with a ``weigh`` function (see :class:`.rules.Rule`) asks, for each line of
evidence, whether what surrounds it defuses it: the CUDA calls of a test sit under
``if torch.cuda.is_available():``, or the pickle it loads is the one it just wrote into
its own temporary directory. Only what the source shows is weighed; a line whose context
says nothing stays a risk.
"""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sphinx_testdocs.analysis._matchers import Hit, Index, callee_name

__all__ = [
    "Frame",
    "built_text",
    "cuda_guard",
    "cuda_only_decorators",
    "enclosing",
    "self_built_code",
    "self_made_data",
]

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_BLOCKS = ("body", "orelse", "handlers", "finalbody", "cases")


@dataclass(frozen=True, slots=True)
class Frame:
    """A statement holding the line, and which of its blocks holds it.

    ``block`` is "body", "orelse", "handlers", "finalbody" or "cases", or "" when the line
    is in the statement itself (its header, a decorator, or a simple statement);
    ``stmts[at]`` is the statement of that block holding the line.
    """

    node: ast.stmt
    block: str
    stmts: list[ast.stmt] = field(default_factory=list)
    at: int = 0


def _first_line(stmt: ast.stmt) -> int:
    decorators = getattr(stmt, "decorator_list", None)
    return min([stmt.lineno, *(d.lineno for d in decorators)]) if decorators else stmt.lineno


def _holding(stmts: list[ast.stmt], line: int) -> int | None:
    # Statements of a block start in source order: a bisection, not a scan, so weighing
    # every line of a 10,000-line block stays cheap.
    i = bisect.bisect_right(stmts, line, key=_first_line) - 1
    if i >= 0 and line <= (stmts[i].end_lineno or stmts[i].lineno):
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
                    frames.append(Frame(stmt, block, body, j))
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
        if frame.block and _first_exit(index, frame.stmts) < frame.at:
            return "after a check that ends the test without CUDA"
    skipped = index.memo.get("cuda_module_skip")
    if skipped is None:
        skipped = index.memo["cuda_module_skip"] = _module_skip_line(index.tree)
    if isinstance(skipped, int) and 0 < skipped < line:
        return "in a module skipped where CUDA is not available"
    return None


def _first_exit(index: Index, stmts: list[ast.stmt]) -> int:
    """Index of the block's first early exit without CUDA (its length if none), once."""
    key = f"cuda-exit-{id(stmts)}"
    found = index.memo.get(key)
    if not isinstance(found, int):
        found = next((i for i, s in enumerate(stmts) if _exits_without_cuda(s)), len(stmts))
        index.memo[key] = found
    return found


def _exits_without_cuda(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.If) and cuda_polarity(stmt.test) is False and _leaves(stmt.body)


def _module_skip_line(tree: ast.Module) -> int:
    """The line of ``pytestmark = pytest.mark.skipif(not TEST_CUDA, ...)`` or of a
    module-level ``if not TEST_CUDA: raise unittest.SkipTest(...)``; 0 if none."""
    for stmt in tree.body:
        marks: list[ast.expr] = []
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in stmt.targets
        ):
            value = stmt.value
            marks = list(value.elts) if isinstance(value, (ast.List, ast.Tuple)) else [value]
        if any(map(_skips_without_cuda, marks)) or _exits_without_cuda(stmt):
            return stmt.end_lineno or stmt.lineno
    return 0


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


def _writes(call: ast.expr) -> bool:
    return isinstance(call, ast.Call) and bool(_WRITES.match(callee_name(call) or ""))


_Step = ast.Assign | ast.Call | ast.With | ast.AsyncWith


class _Bound:
    """Names a function binds to something of interest, followed in source order.

    ``absorb`` adds to the set what one statement or call binds; lines are asked in
    order, so each function's statements are gone through once however many lines of
    evidence it holds.
    """

    def __init__(
        self,
        function: ast.FunctionDef | ast.AsyncFunctionDef,
        seed: set[str],
        absorb: Callable[[_Step, set[str]], None],
    ) -> None:
        self.names, self._initial, self._absorb = set(seed), seed, absorb
        self._steps: list[_Step] = sorted(
            (n for n in ast.walk(function) if isinstance(n, _Step)),
            key=lambda n: (n.lineno, n.col_offset),
        )
        self._next = 0
        self._line = 0

    def before(self, line: int) -> set[str]:
        if line < self._line:  # asked out of order: start again
            self.names, self._next = set(self._initial), 0
        self._line = line
        steps = self._steps
        while self._next < len(steps) and steps[self._next].lineno < line:
            self._absorb(steps[self._next], self.names)
            self._next += 1
        return self.names


def _bound_before(
    index: Index,
    frames: list[Frame],
    line: int,
    kind: str,
    absorb: Callable[[_Step, set[str]], None],
) -> set[str]:
    """What the innermost function around ``line`` has bound (kind: which follower)."""
    functions = [f.node for f in frames if isinstance(f.node, _FUNCTIONS)]
    if not functions:
        return set()
    function = functions[-1]
    key = f"{kind}-{id(function)}"
    bound = index.memo.get(key)
    if not isinstance(bound, _Bound):
        seed: set[str] = set()
        if kind == "made":
            args = function.args
            every = (*args.posonlyargs, *args.args, *args.kwonlyargs)
            seed = {a.arg for a in every if a.arg in _TEMP_FIXTURES}
        bound = index.memo[key] = _Bound(function, seed, absorb)
    return bound.before(line)


def _absorb_made(step: _Step, made: set[str]) -> None:
    """Temporary paths and data the test wrote: ``with TemporaryDirectory() as d``, the
    buffers passed to a save/dump call, names assigned from an expression using them."""
    if isinstance(step, ast.Call):
        if _writes(step):
            made |= {a.id for a in step.args if isinstance(a, ast.Name)}
    elif isinstance(step, (ast.With, ast.AsyncWith)):
        # ``with NamedTemporaryFile(delete=False) as f:`` ... ``load(f.name)``.
        made |= _temp_targets(step)
    elif _self_made(step.value, made):
        for target in step.targets:
            made |= _names_in(target)


def _made_names(index: Index, frames: list[Frame], line: int) -> set[str]:
    return _bound_before(index, frames, line, "made", _absorb_made)


def _temp_targets(node: ast.With | ast.AsyncWith) -> set[str]:
    names: set[str] = set()
    for item in node.items:
        expr = item.context_expr
        if (
            isinstance(expr, ast.Call)
            and callee_name(expr) in _TEMP_MAKERS
            and item.optional_vars is not None
        ):
            names |= _names_in(item.optional_vars)
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
    made = _made_names(index, frames, line)
    if all(_self_made(_data_argument(call), made) for call in loads):
        return _SELF_MADE
    return None


# --- code the test builds itself ------------------------------------------------------

_CODE_RUNNERS = frozenset({"eval", "exec", "compile"})
#: Calls that make text from the test's own values: ``repr(x)`` for a round trip.
_REPRS = frozenset({"repr", "str"})
#: String methods whose result is built text when their receiver and arguments are.
_TEXT_METHODS = frozenset({"join", "format", "replace", "strip", "lower", "upper"})


def built_text(expr: ast.expr, built: set[str]) -> bool:
    """``expr`` is text the test builds from literals and its own values: a literal, an
    f-string, ``+``/``%``/``*`` of such, ``repr(x)``/``str(x)``, a string method on
    such, or a name earlier bound to such. Anything read from elsewhere (a parameter,
    a file, an unknown call) is not."""
    if isinstance(expr, ast.Constant):
        return isinstance(expr.value, (str, bytes, int))
    if isinstance(expr, ast.Name):
        return expr.id in built
    if isinstance(expr, ast.JoinedStr):
        return all(built_text(v, built) for v in expr.values)
    if isinstance(expr, ast.FormattedValue):
        return expr.conversion == ord("r") or built_text(expr.value, built)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.Mod, ast.Mult)):
        return built_text(expr.left, built) and built_text(expr.right, built)
    if isinstance(expr, (ast.List, ast.Tuple)):
        return all(built_text(e, built) for e in expr.elts)
    if isinstance(expr, ast.Call):
        name = callee_name(expr)
        if isinstance(expr.func, ast.Name) and name in _REPRS:
            return True
        if isinstance(expr.func, ast.Attribute) and name in _TEXT_METHODS:
            parts = [expr.func.value, *expr.args, *(kw.value for kw in expr.keywords)]
            return all(built_text(p, built) for p in parts)
    return False


def _absorb_built(step: _Step, built: set[str]) -> None:
    if isinstance(step, ast.Assign) and built_text(step.value, built):
        for target in step.targets:
            built |= _names_in(target)


_BUILT = "code the test builds itself (literals, f-strings, repr round trips)"


def self_built_code(line: int, index: Index) -> str | None:
    """Why what ``line`` evaluates is code the test built itself, if the source shows it."""
    frames = enclosing(index.tree, line)
    if not frames:
        return None
    runs = [
        node
        for node in ast.walk(frames[-1].node)
        if isinstance(node, ast.Call)
        and node.lineno == line
        and isinstance(node.func, ast.Name)
        and node.func.id in _CODE_RUNNERS
    ]
    if not runs:
        return None
    built = _bound_before(index, frames, line, "built", _absorb_built)
    if all(run.args and built_text(run.args[0], built) for run in runs):
        return _BUILT
    return None
