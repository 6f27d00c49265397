"""What binds each name in one scope, read from the source.

The one collector behind the class of a test's names (:mod:`.receivers`) and of what a
fixture gives (:func:`.fixtures.value_type`): a name is typed only where every binding
here gives the same class, so a binding missed here is a confident wrong fact there.
Python's scoping is followed as written, erring on "unknown":

- parameters, assignments, ``for``/``with``/``except ... as`` targets, walrus, ``del``,
  imports, ``def``/``class`` names, ``match`` captures (``case C() as x``, ``*rest``,
  ``**rest``) bind in the scope; comprehension targets are counted here too (a
  comprehension is its own scope in Python: counting them here only makes more unknown);
- a nested ``def``, ``lambda`` or ``class`` is its own scope, but what its decorators,
  defaults, annotations and bases evaluate is bound here, and a name it declares
  ``global`` or ``nonlocal`` (at any depth) is unknown here, as is any ``a.b`` it
  assigns (attributes are not scoped: ``self.app = Other()`` in a nested helper changes
  the test's ``self.app``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import partial

from sphinx_testdocs.analysis._walk import dotted_name

__all__ = ["IMPORTED", "SCOPES", "UNKNOWN", "Binding", "bindings", "own_nodes"]

#: Nodes whose bodies are scopes of their own.
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
#: A binding whose value is unknown.
UNKNOWN = None
#: A binding by an import statement.
IMPORTED = "import"

#: What one binding gives: the call assigned (``x = f(...)``), ``("with", call)``
#: (``with f(...) as x``), the parameter, :data:`IMPORTED` or :data:`UNKNOWN`.
Binding = ast.Call | ast.arg | tuple[str, ast.Call] | str | None


def own_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    """Every node evaluated in ``scope`` itself: a nested scope is yielded (its name is
    bound here), with what it evaluates here, but its body is not entered."""
    if isinstance(scope, ast.Lambda):
        stack: list[ast.AST] = [scope.body]
    else:
        stack = list(getattr(scope, "body", ()))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, SCOPES):
            stack.extend(_evaluated_outside(node))
        else:
            stack.extend(ast.iter_child_nodes(node))


def _evaluated_outside(node: ast.AST) -> list[ast.AST]:
    """The parts of a nested scope its enclosing scope evaluates."""
    out: list[ast.AST] = list(getattr(node, "decorator_list", ()))
    if isinstance(node, ast.ClassDef):
        return [*out, *node.bases, *node.keywords]
    args = node.args  # type: ignore[attr-defined]
    out.extend(args.defaults)
    out.extend(d for d in args.kw_defaults if d is not None)
    if not isinstance(node, ast.Lambda):
        every = (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg)
        out.extend(a.annotation for a in every if a is not None and a.annotation is not None)
        if node.returns is not None:  # type: ignore[attr-defined]
            out.append(node.returns)  # type: ignore[attr-defined]
    return out


def bindings(scope: ast.AST) -> dict[str, list[Binding]]:
    """Name (or ``a.b``) -> what each binding of it in ``scope`` gives."""
    out: dict[str, list[Binding]] = {}
    # Plain functions, not closures: a recursive closure is a reference cycle, and the
    # analysis runs with the cyclic collector paused.
    bind = partial(_bind, out)
    bind_target = partial(_bind_target, out)
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        args = scope.args
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
            bind(arg.arg, arg)
        for extra in (args.vararg, args.kwarg):
            if extra is not None:
                bind(extra.arg, UNKNOWN)
    for node in own_nodes(scope):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            made = node.value if isinstance(node.value, ast.Call) else UNKNOWN
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                bind_target(target, made)
        elif isinstance(node, (ast.AugAssign, ast.For, ast.AsyncFor, ast.comprehension)):
            bind_target(node.target, UNKNOWN)
        elif isinstance(node, ast.withitem):
            if node.optional_vars is not None:
                expr = node.context_expr
                entered = ("with", expr) if isinstance(expr, ast.Call) else UNKNOWN
                bind_target(node.optional_vars, entered)
        elif isinstance(node, ast.NamedExpr):
            bind_target(node.target, UNKNOWN)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            for name in node.names:
                bind(name, UNKNOWN)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bind((alias.asname or alias.name).partition(".")[0], IMPORTED)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bind(node.name, UNKNOWN)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                bind_target(target, UNKNOWN)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            bind(node.name, UNKNOWN)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            bind(node.rest, UNKNOWN)
        elif isinstance(node, SCOPES):
            if not isinstance(node, ast.Lambda):
                bind(node.name, UNKNOWN)
            for name in _escaping(node):
                bind(name, UNKNOWN)
    return out


def _bind(out: dict[str, list[Binding]], name: str, value: Binding) -> None:
    out.setdefault(name, []).append(value)


def _bind_target(out: dict[str, list[Binding]], target: ast.expr, value: Binding) -> None:
    if isinstance(target, ast.Name):
        _bind(out, target.id, value)
    elif isinstance(target, ast.Attribute):
        written = dotted_name(target)
        if written is not None and written.count(".") == 1:
            _bind(out, written, value)
    elif isinstance(target, ast.Starred):
        _bind_target(out, target.value, UNKNOWN)
    elif isinstance(target, (ast.Tuple, ast.List)):
        for elt in target.elts:
            _bind_target(out, elt, UNKNOWN)


def _escaping(nested: ast.AST) -> Iterator[str]:
    """Names a nested scope (at any depth) may rebind in the scopes around it: those it
    declares ``global``/``nonlocal``, and the ``a.b`` attributes it assigns or deletes."""
    for node in ast.walk(nested):
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            yield from node.names
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, (ast.Store, ast.Del)):
            written = dotted_name(node)
            if written is not None and written.count(".") == 1:
                yield written
