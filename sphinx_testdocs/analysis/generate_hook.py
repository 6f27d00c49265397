"""Which tests a ``pytest_generate_tests`` hook may parametrize, read from its body.

Most hooks parametrize only the tests that need a fixture (scikit-learn's
``global_random_seed``)::

    def pytest_generate_tests(metafunc):
        if "backend" in metafunc.fixturenames:
            metafunc.parametrize("backend", BACKENDS)

Every other test keeps the cases its own marks give, so its count stays exact. The
*reach* of a hook is the names of the fixtures a test must need (in its closure, as
``metafunc.fixturenames`` holds them) for the hook to touch it: ``()`` touches no test,
``None`` may touch any. Anything the hook does with ``metafunc`` other than reading it
(``parametrize``, handing it to a helper, keeping it) counts as touching, guarded or not;
whatever is not understood reaches every test.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping

from sphinx_testdocs.analysis._scope import scan_scope

__all__ = ["Reach", "combine", "generate_tests_reach", "hook_reach", "reaches"]

#: Fixture names (sorted) a test needs one of to be touched; ``None``: any test.
Reach = tuple[str, ...] | None

#: Calls on ``metafunc`` that only read (``metafunc.config.getoption("--runslow")``).
_READING_CALLS = frozenset(
    {
        "config.getoption",
        "config.getini",
        "config.getvalue",
        "definition.get_closest_marker",
        "definition.iter_markers",
        "definition.iter_markers_with_node",
    }
)
#: Builtins that only read what they are given (``getattr(metafunc.cls, "x", None)``).
_READING_BUILTINS = frozenset(
    {"all", "any", "bool", "getattr", "hasattr", "isinstance", "issubclass", "len"}
    | {"list", "repr", "set", "sorted", "str", "tuple"}
)


def combine(reaches_: Iterable[Reach]) -> Reach:
    """The reach of several hooks that all run (module, class, conftests above)."""
    names: set[str] = set()
    for reach in reaches_:
        if reach is None:
            return None
        names.update(reach)
    return tuple(sorted(names))


def reaches(reach: Reach, fixturenames: Iterable[str]) -> bool:
    """Whether a hook of that reach may parametrize a test needing these fixtures."""
    if reach is None:
        return True
    wanted = set(reach)
    return any(name in wanted for name in fixturenames)


def generate_tests_reach(body: list[ast.stmt]) -> Reach:
    """The reach of the hook a module body binds (the binding import leaves last, of
    whatever kind: an imported or assigned hook is not read); ``()`` without one."""
    binding = scan_scope(body, None, may_create=False).bindings.get("pytest_generate_tests")
    return () if binding is None else hook_reach(binding.node)


def hook_reach(node: ast.AST | None) -> Reach:
    """The reach of a hook bound to ``node`` (a ``def``, else unknown: ``None``)."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    args = node.args
    if args.vararg is not None or args.kwarg is not None:
        return None
    # pluggy passes the hook's arguments by name: the parameter is ``metafunc``.
    if not any(a.arg == "metafunc" for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)):
        return ()
    reader = _Reader()
    reader.block(node.body, frozenset())
    return None if reader.unguarded else tuple(sorted(reader.names))


_NO_LOOP: Mapping[str, frozenset[str]] = {}


class _Reader:
    def __init__(self) -> None:
        self.names: set[str] = set()
        self.unguarded = False

    def block(
        self,
        body: list[ast.stmt],
        guard: frozenset[str],
        loop: Mapping[str, frozenset[str]] = _NO_LOOP,
    ) -> None:
        """Read ``body``, run only for tests needing one of ``guard`` (empty: any);
        ``loop`` names the loop variables that take literal fixture names."""
        for stmt in body:
            if self.unguarded:
                return
            if isinstance(stmt, ast.If):
                self.expression(stmt.test, guard)
                needed = _needed(stmt.test, loop)
                self.block(stmt.body, guard | needed, loop)
                self.block(stmt.orelse, guard, loop)
                if not needed and _exits(stmt.body) and not stmt.orelse:
                    # ``if "x" not in metafunc.fixturenames: return``: what follows
                    # runs only for tests that need x.
                    guard = guard | _missing(stmt.test)
            elif isinstance(stmt, ast.For):
                self.expression(stmt.iter, guard)
                self.block(stmt.body, guard, {**loop, **_loop_values(stmt)})
                self.block(stmt.orelse, guard, loop)
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.expression(stmt, guard)
            elif _has_body(stmt):
                for field_name, value in ast.iter_fields(stmt):
                    if field_name in ("body", "orelse", "finalbody"):
                        self.block(value, guard, loop)
                    elif field_name == "handlers":
                        for handler in value:
                            self.block(handler.body, guard, loop)
                    elif field_name == "cases":
                        for case in value:
                            if case.guard is not None:
                                self.expression(case.guard, guard)
                            self.block(case.body, guard, loop)
                    elif isinstance(value, ast.AST):
                        self.expression(value, guard)
                    elif isinstance(value, list):
                        for item in value:
                            if isinstance(item, ast.AST):
                                self.expression(item, guard)
            else:
                self.expression(stmt, guard)

    def expression(self, node: ast.AST, guard: frozenset[str]) -> None:
        """Record what the uses of ``metafunc`` in ``node`` may touch."""
        if _touches(node):
            if guard:
                self.names.update(guard)
            else:
                self.unguarded = True


def _has_body(stmt: ast.stmt) -> bool:
    return any(f in ("body", "handlers", "cases") for f in stmt._fields)


def _exits(body: list[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], (ast.Return, ast.Continue, ast.Raise))


def _is_fixturenames(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "fixturenames"
        and isinstance(node.value, ast.Name)
        and node.value.id == "metafunc"
    )


def _membership(node: ast.expr, op: type[ast.cmpop]) -> ast.expr | None:
    """``X in metafunc.fixturenames`` (or ``not in``, by ``op``): X."""
    if (
        isinstance(node, ast.Compare)
        and len(node.ops) == 1
        and isinstance(node.ops[0], op)
        and _is_fixturenames(node.comparators[0])
    ):
        return node.left
    return None


def _conjuncts(test: ast.expr) -> Iterator[ast.expr]:
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        for value in test.values:
            yield from _conjuncts(value)
    else:
        yield test


def _needed(test: ast.expr, loop: Mapping[str, frozenset[str]]) -> frozenset[str]:
    """Fixture names a test must need one of for ``test`` to hold (empty: unknown)."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        alternatives = [_needed(value, loop) for value in test.values]
        return frozenset().union(*alternatives) if all(alternatives) else frozenset()
    for part in _conjuncts(test):
        left = _membership(part, ast.In)
        if isinstance(left, ast.Constant) and isinstance(left.value, str):
            return frozenset({left.value})
        if isinstance(left, ast.Name) and left.id in loop:
            return loop[left.id]
    return frozenset()


def _missing(test: ast.expr) -> frozenset[str]:
    """A test that holds whenever a fixture is not needed (``"x" not in
    metafunc.fixturenames``, alone or as one of ``or``'s terms): that fixture."""
    terms = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or) else [test]
    for term in terms:
        left = _membership(term, ast.NotIn)
        if isinstance(left, ast.Constant) and isinstance(left.value, str):
            return frozenset({left.value})
    return frozenset()


def _loop_values(stmt: ast.For) -> dict[str, frozenset[str]]:
    """``for name in ("a", "b"):``: the loop name and the strings it takes."""
    if not isinstance(stmt.target, ast.Name):
        return {}
    if not isinstance(stmt.iter, (ast.Tuple, ast.List, ast.Set)):
        return {}
    values = [
        e.value for e in stmt.iter.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
    ]
    if len(values) != len(stmt.iter.elts):
        return {}
    if any(_rebinds(node, stmt.target.id) for node in stmt.body):
        return {}
    return {stmt.target.id: frozenset(values)}


def _rebinds(node: ast.AST, name: str) -> bool:
    return any(
        isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store)
        for n in ast.walk(node)
    )


def _touches(node: ast.AST) -> bool:
    """Whether ``node`` does anything with ``metafunc`` but read it."""
    parents: dict[int, ast.AST] = {}
    for parent in ast.walk(node):
        for child in ast.iter_child_nodes(parent):
            parents[id(child)] = parent
    for name in ast.walk(node):
        if not (isinstance(name, ast.Name) and name.id == "metafunc"):
            continue
        top: ast.AST = name
        path: list[str] = []
        while isinstance(up := parents.get(id(top)), ast.Attribute):
            top = up
            path.append(up.attr)
        if top is name:
            return True  # handed on, kept or rebound: anything may follow
        assert isinstance(top, ast.Attribute)
        if not isinstance(top.ctx, ast.Load):
            return True
        user = parents.get(id(top))
        if isinstance(user, ast.Call) and user.func is top:
            if ".".join(path) not in _READING_CALLS:
                return True
        elif (
            isinstance(user, ast.Call)
            and path[0] != "fixturenames"
            and not (isinstance(user.func, ast.Name) and user.func.id in _READING_BUILTINS)
        ):
            # ``helper(metafunc.definition)``: the node itself is handed on.
            return True
    return False
