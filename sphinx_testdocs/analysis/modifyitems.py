"""Whether a ``pytest_collection_modifyitems`` hook may leave tests out, read from its body.

pytest calls every loaded conftest's hook with the session's whole list of items once
collection is done: a hook that changes the list (``items[:] = kept``, ``items.remove``,
handing it to a helper) decides which tests run, whatever file they are in. Most hooks
only mark items (``item.add_marker(skip)``) or sort them: the tests pytest lists stay
the same, and nothing is in doubt.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

__all__ = ["acting_option", "drops_items"]

FuncNode = ast.FunctionDef | ast.AsyncFunctionDef

#: Builtins that read a list without changing it (``len(items)``, ``list(items)``).
_READERS = frozenset(
    {"all", "any", "bool", "enumerate", "filter", "frozenset", "id", "iter", "len", "list"}
    | {"map", "print", "reversed", "set", "sorted", "tuple", "zip"}
)
#: List methods that leave its items as they are (``sort`` changes the order only).
_KEEPING_METHODS = frozenset({"copy", "count", "index", "reverse", "sort"})


#: Functions defined once at the top of the hook's module, by name: a list handed to
#: one of them as its own ``items`` is read there (one call deep).
Helpers = Mapping[str, FuncNode]


def drops_items(func: FuncNode, helpers: Helpers | None = None) -> str | None:
    """Why the hook may change which tests pytest keeps; ``None`` when it only reads
    the list, sorts it or marks its items."""
    args = func.args
    if args.vararg is not None or args.kwarg is not None:
        return "takes its arguments as * or **"
    parents: dict[int, ast.AST] = {}
    for parent in ast.walk(func):
        for child in ast.iter_child_nodes(parent):
            parents[id(child)] = parent
    for node in ast.walk(func):
        if isinstance(node, ast.Attribute) and node.attr == "pytest_deselected":
            return "reports tests as deselected"
        # pluggy passes the hook's arguments by name: the list is ``items``.
        if not (isinstance(node, ast.Name) and node.id == "items"):
            continue
        if isinstance(node.ctx, ast.Load):
            user = parents.get(id(node))
            helper = (
                _helper_given_items(user, node, helpers or {})
                if isinstance(user, ast.Call) and node in user.args
                else None
            )
            if helper is not None:  # what it does with the list, one call deep
                inner = drops_items(helper)
                if inner is not None:
                    return f"hands the list to {helper.name} (line {node.lineno}), which {inner}"
                continue
            why = _use(node, parents)
        else:
            # ``items += more`` changes the list; ``items = ...`` only rebinds the name.
            augmented = isinstance(parents.get(id(node)), ast.AugAssign)
            why = "changes the list of tests" if augmented else None
        if why is not None:
            return f"{why} (line {node.lineno})"
    return None


def _use(name: ast.Name, parents: dict[int, ast.AST]) -> str | None:
    """What a use of ``items`` may do to the list (``None``: it only reads it)."""
    user = parents.get(id(name))
    if isinstance(user, (ast.For, ast.AsyncFor, ast.comprehension)) and user.iter is name:
        return None
    if isinstance(user, (ast.Compare, ast.BoolOp, ast.UnaryOp, ast.If, ast.While)):
        return None
    if isinstance(user, ast.Subscript) and user.value is name:
        return None if isinstance(user.ctx, ast.Load) else "changes the list of tests"
    if isinstance(user, ast.Call) and name in user.args:
        if isinstance(user.func, ast.Name) and user.func.id in _READERS:
            return None
        return "hands the list of tests to a call"
    if isinstance(user, ast.Attribute) and user.value is name:
        call = parents.get(id(user))
        if user.attr in _KEEPING_METHODS and isinstance(call, ast.Call) and call.func is user:
            return None
        return f"calls items.{user.attr}"
    return "hands the list of tests on"


def _helper_given_items(call: ast.Call, name: ast.Name, helpers: Helpers) -> FuncNode | None:
    """The helper a call hands the list to as its own ``items`` parameter, if it does."""
    helper = helpers.get(call.func.id) if isinstance(call.func, ast.Name) else None
    if helper is None or call.keywords or any(isinstance(a, ast.Starred) for a in call.args):
        return None
    params = [*helper.args.posonlyargs, *helper.args.args]
    at = call.args.index(name)
    return helper if at < len(params) and params[at].arg == "items" else None


def acting_option(func: FuncNode, helpers: Helpers | None = None) -> str | None:
    """The command-line option the hook acts only with: its body starts by returning
    when the option is not set (urllib3's ``runtime = config.getoption("--runtime",
    default=None)`` then ``if not runtime: return``), or it hands the list to helpers
    that do (sympy's ``process_split(config, items)``)."""
    options: dict[str, str] = {}  # local name -> the option it holds
    through: set[str] = set()  # the options of helpers the list was handed to
    for stmt in func.body:
        helper_option = _helper_option(stmt, helpers or {})
        if helper_option is not None:
            through.add(helper_option)
            continue
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, option = stmt.targets[0], _getoption(stmt.value)
            if isinstance(target, ast.Name) and option is not None:
                options[target.id] = option
                continue
        if (
            isinstance(stmt, ast.If)
            and not stmt.orelse
            and len(stmt.body) == 1
            and isinstance(stmt.body[0], ast.Return)
            and isinstance(stmt.test, ast.UnaryOp)
            and isinstance(stmt.test.op, ast.Not)
        ):
            operand = stmt.test.operand
            if isinstance(operand, ast.Name) and operand.id in options:
                return options[operand.id]
            return _getoption(operand)
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # the docstring
        if any(isinstance(n, ast.Name) and n.id == "items" for n in ast.walk(stmt)):
            return None  # the list is used before any such guard
    return through.pop() if len(through) == 1 else None


def _helper_option(stmt: ast.stmt, helpers: Helpers) -> str | None:
    """``helper(config, items)`` as a statement, where the helper acts only with an
    option (:func:`acting_option`): that option."""
    if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)):
        return None
    call = stmt.value
    given = [a for a in call.args if isinstance(a, ast.Name) and a.id == "items"]
    helper = _helper_given_items(call, given[0], helpers) if len(given) == 1 else None
    return acting_option(helper) if helper is not None else None


def _getoption(node: ast.expr | None) -> str | None:
    """``config.getoption("--name", ...)``: "--name"."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "getoption"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "config"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
        and node.args[0].value.startswith("-")
    ):
        return node.args[0].value
    return None
