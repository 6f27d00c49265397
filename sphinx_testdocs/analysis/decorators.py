"""What a decorator's own code says about the test it decorates, read as source.

pytest collects what a module's namespace holds under a test name once the module has
run, so a decorator decides what is collected: it may return something that is not a
function (pytest collects functions only, and warns "cannot collect ... because it is
not a function"), wrap the test in ``@pytest.mark.parametrize`` (matplotlib's
``image_comparison``: more cases), or make test classes in ``globals()`` (scipy's
``KDTreeTest``). These facts are read from a function's body when it is read; for
modules of other files they are kept when the bodies are cut (``modules.SourceModule``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from sphinx_testdocs.analysis._scope import creates_a_name, run_children

__all__ = ["FunctionFacts", "function_facts", "module_function_facts"]

FuncNode = ast.FunctionDef | ast.AsyncFunctionDef

#: What a decorator may return and still leave a function: its argument or an inner
#: function (names), what a call gives (``functools.wraps(f)(inner)``, another
#: decorator's result: not followed), a lambda, either of two such.
_FUNCTION_LIKE = (ast.Name, ast.Call, ast.Lambda, ast.IfExp, ast.NamedExpr)
#: How many calls deep the marks of the module's functions a function calls are read
#: (``image_comparison`` -> ``_pytest_image_comparison`` -> the wrapper).
_CALL_DEPTH = 2


@dataclass(frozen=True)
class FunctionFacts:
    """What a function's body shows, as a decorator of tests."""

    #: Used as ``@name`` (not called): it may return a value that is surely no
    #: function (a constant, an attribute such as ``pytest.mark.slow``, a container),
    #: or nothing.
    may_not_return_a_function: bool = False
    #: Marks it applies (``pytest.mark.NAME``), in its body, inner functions included,
    #: and in the module's functions it calls.
    marks: frozenset[str] = frozenset()
    #: Its body creates names no statement shows (``globals()[name] = ...``).
    creates_names: bool = False


def module_function_facts(tree: ast.Module, source: str | None = None) -> dict[str, FunctionFacts]:
    """The facts of every function defined at the top level of a module.

    With the module's *source*, a module that never writes ``mark`` is not searched
    for marks: most library modules followed for a name (NumPy's own, for a test's
    ``np.typecodes``) have none, and the search walks every function and its callees.
    """
    functions = {
        stmt.name: stmt
        for stmt in tree.body
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    marks = source is None or "mark" in source
    return {name: function_facts(func, functions, marks=marks) for name, func in functions.items()}


def function_facts(
    func: FuncNode, module_functions: Mapping[str, ast.AST], *, marks: bool = True
) -> FunctionFacts:
    """The facts of ``func``; ``module_functions`` are its module's top-level
    functions by name, whose marks count where ``func`` calls them. With *marks*
    false, the module's text has none to find."""
    return FunctionFacts(
        may_not_return_a_function=_may_not_return_a_function(func),
        marks=frozenset(_marks_inside(func, module_functions)) if marks else frozenset(),
        creates_names=_creates_names_when_run(func),
    )


def _creates_names_when_run(func: FuncNode) -> bool:
    """Whether running ``func`` binds names no statement shows: in its own code, or in
    a function it defines and calls by name (``def make(): globals()[n] = ...`` and
    ``make()``). A wrapper it defines and returns runs when the test does, after
    collection: what it binds, pytest never sees."""
    pending: list[FuncNode] = [func]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        defined: dict[str, FuncNode] = {}
        called: set[str] = set()
        for node in _own_nodes(current):
            if creates_a_name(node):
                return True
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                defined[node.name] = node
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                called.add(node.func.id)
        pending.extend(defined[name] for name in called & defined.keys())
    return False


def _may_not_return_a_function(func: FuncNode) -> bool:
    if isinstance(func, ast.AsyncFunctionDef) or not (func.args.args or func.args.posonlyargs):
        return False  # not a decorator of one function: not judged
    if not _ends_in_branches_that_return(func.body):
        return True  # may run off its end: returns None
    for sub in _own_nodes(func):
        if isinstance(sub, ast.Return):
            value = sub.value
            if value is None or not isinstance(value, _FUNCTION_LIKE):
                return True
            if isinstance(value, ast.IfExp) and not (
                isinstance(value.body, _FUNCTION_LIKE) and isinstance(value.orelse, _FUNCTION_LIKE)
            ):
                return True
    return False


def _ends_in_branches_that_return(body: list[ast.stmt]) -> bool:
    """``if ...: return a`` / ``else: return b`` at the end: no path runs off."""
    if not body:
        return False
    last = body[-1]
    if isinstance(last, (ast.Return, ast.Raise)):
        return True
    if isinstance(last, ast.If):
        return _ends_in_branches_that_return(last.body) and _ends_in_branches_that_return(
            last.orelse
        )
    return False


def _marks_inside(func: FuncNode, module_functions: Mapping[str, ast.AST]) -> set[str]:
    """``pytest.mark.NAME`` and ``mark.NAME`` written in the function (inner functions
    included) and in the module functions it calls, ``_CALL_DEPTH`` deep. Read from the
    text of the names, not their imports: ``import pytest`` is often inside the
    function, and only a doubt rests on it."""
    found: set[str] = set()
    seen: set[int] = set()
    stack: list[tuple[ast.AST, int]] = [(func, _CALL_DEPTH)]
    while stack:
        current, left = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for node in ast.walk(current):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "mark"
            ) or (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "mark"
            ):
                found.add(node.attr)
            elif isinstance(node, ast.Call) and left and isinstance(node.func, ast.Name):
                callee = module_functions.get(node.func.id)
                if isinstance(callee, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    stack.append((callee, left - 1))
    return found


def _own_nodes(func: FuncNode) -> Iterator[ast.AST]:
    """The nodes that run when ``func`` runs: its body's, with the decorators and
    default values of the functions it defines but not their bodies (they run when
    called), and the bodies of the classes it defines (they run at once)."""
    stack: list[ast.AST] = list(func.body)
    while stack:
        node = stack.pop()
        yield node
        stack.extend(run_children(node))
