"""Methods a test calls on objects whose class the source shows: light, honest inference.

A name's class is known where every binding of it in its scope makes the same class:

- ``x = Cls(...)`` in the test (or at module level: ``app = App(__name__)``);
- ``with Cls(...) as x``, when ``Cls.__enter__`` is written in the class and returns
  ``self`` (otherwise what ``as`` binds is unknown);
- ``self.x = Cls(...)`` in ``setUp``/``setup_method``/``setUpClass``/``setup_class`` of
  the test's class, and nowhere in the class a different value;
- a parameter: the fixture it requests, when the fixture's source says what it gives
  (``-> Cls``, ``return Cls(...)``, ``yield Cls(...)``: ``FixtureDef.returns``, along
  the conftest chain, pytest's own fixtures included), or its annotation (``x: Cls``).

Any other binding of the name in the same scope (a reassignment to something else, a
loop target, ``global``, an unpacking...) makes its class unknown: no use is claimed.
Then ``x.method(...)`` and ``x.attr`` in a test are uses of ``Cls.method``/``Cls.attr``.
Nothing is imported; classes are found by reading the project's source
(:class:`.canonical.ProjectNames`).
"""

from __future__ import annotations

import ast
import bisect
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from sphinx_testdocs.analysis._matchers import Index
from sphinx_testdocs.analysis._walk import dotted_name
from sphinx_testdocs.analysis.model import Exercise, FixtureDef

__all__ = ["Classes", "typed_uses"]

_SETUP_METHODS = frozenset(
    {"setUp", "asyncSetUp", "setUpClass", "setup_method", "setup_class", "setup"}
)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
#: A binding whose class is unknown.
_UNKNOWN = None


@dataclass(frozen=True)
class Classes:
    """What the inference asks of the project's source."""

    #: The canonical name of the class an absolute dotted name names, else None.
    class_name: Callable[[str], str | None]
    #: Whether ``with Cls() as x`` binds the instance (``__enter__`` returns self).
    enters_self: Callable[[str], bool]
    #: Whether a qualified name belongs to the documented project.
    is_project: Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class _Type:
    cls: str
    how: str  # "instance" or "fixture NAME"


@dataclass
class _Inference:
    index: Index
    tree: ast.Module
    classes: Classes
    fixtures: Mapping[str, Mapping[str, FixtureDef]]  # test node ID -> name -> fixture
    _callees: dict[str, str | None] = field(default_factory=dict)
    _scopes: dict[int, dict[str, list[object]]] = field(default_factory=dict)

    # --- classes ---------------------------------------------------------------

    def project_class(self, qualified: str | None) -> str | None:
        if not qualified or not self.classes.is_project(qualified):
            return None
        return self.classes.class_name(qualified)

    def class_of_callee(self, func: ast.expr) -> str | None:
        """The project class a callee names, through the module's imports."""
        dotted = dotted_name(func)
        if dotted is None:
            return None
        if dotted not in self._callees:
            found = self.index.resolve(dotted)
            self._callees[dotted] = self.project_class(found[0]) if len(found) == 1 else None
        return self._callees[dotted]

    def class_of_annotation(self, annotation: ast.expr | None) -> str | None:
        return None if annotation is None else self.class_of_callee(annotation)

    # --- bindings --------------------------------------------------------------

    def bindings(self, scope: ast.AST) -> dict[str, list[object]]:
        """Name (or ``self.attr``) -> what each binding in the scope's own body gives:
        a call, a ``("with", call)``, an ``ast.arg``, or ``_UNKNOWN``."""
        found = self._scopes.get(id(scope))
        if found is None:
            found = self._scopes[id(scope)] = _bindings(scope)
        return found

    def type_of(self, values: Sequence[object], test: str | None, name: str) -> _Type | None:
        """The one class every binding gives, or None."""
        types: set[_Type | None] = set()
        for value in values:
            types.add(self._value_type(value, test, name))
            if len(types) > 1:
                return None
        return next(iter(types), None)

    def _value_type(self, value: object, test: str | None, name: str) -> _Type | None:
        if isinstance(value, ast.Call):
            cls = self.class_of_callee(value.func)
            return _Type(cls, "instance") if cls else None
        if isinstance(value, tuple):  # ("with", call)
            cls = self.class_of_callee(value[1].func)
            return _Type(cls, "instance") if cls and self.classes.enters_self(cls) else None
        if isinstance(value, ast.arg):
            fixture = self.fixtures.get(test or "", {}).get(name)
            if fixture is not None and fixture.returns:
                cls = self.project_class(fixture.returns)
                return _Type(cls, f"fixture {name}") if cls else None
            cls = self.class_of_annotation(value.annotation)
            return _Type(cls, f"fixture {name}" if fixture else "instance") if cls else None
        return None


def typed_uses(
    index: Index,
    tree: ast.Module,
    spans: Sequence[tuple[int, int, str]],
    fixtures: Mapping[str, Mapping[str, FixtureDef]],
    classes: Classes,
) -> list[Exercise]:
    """Uses of project classes' attributes through names whose class is known.

    ``spans`` are the tests' (first line, last line, node ID), sorted; ``fixtures`` the
    fixtures each test requests by argument.
    """
    if not spans:
        return []
    facts = index.facts
    inference = _Inference(index, tree, classes, fixtures)
    # Names that may hold an instance of a project class: only their uses are followed
    # further, so a module with none costs one pass over its calls and no walk.
    typed = {t for t, call in facts.constructed if inference.class_of_callee(call.func)}
    for requested in fixtures.values():
        typed.update(n for n, f in requested.items() if inference.project_class(f.returns))
    for name, params in facts.params.items():
        if any(inference.class_of_annotation(p.annotation) for p in params):
            typed.add(name)
    starts = [start for start, _, _ in spans]

    def test_at(line: int) -> str | None:
        i = bisect.bisect_right(starts, line) - 1
        return spans[i][2] if i >= 0 and spans[i][1] >= line else None

    out: list[Exercise] = []
    # ``Cls(...).method()``: the receiver is the construction itself.
    for attr, calls in facts.methods.items():
        for call in calls:
            made = call.func.value if isinstance(call.func, ast.Attribute) else None
            if isinstance(made, ast.Call) and (test := test_at(call.lineno)) is not None:
                cls = inference.class_of_callee(made.func)
                if cls is not None:
                    out.append(Exercise(f"{cls}.{attr}", call.lineno, test, "instance"))
    receivers = _receivers(facts.calls, facts.refs, facts.aliases, typed) if typed else []
    if not receivers:
        return out
    places = _Places(tree)
    for receiver, attr, line in receivers:
        i = bisect.bisect_right(starts, line) - 1
        if i < 0 or spans[i][1] < line:
            continue  # only uses inside a test count
        test = spans[i][2]
        found = _type_at(inference, places, receiver, spans[i][0], test)
        if found is not None:
            out.append(Exercise(f"{found.cls}.{attr}", line, test, found.how))
    return out


def _receivers(
    calls: Mapping[str, list[ast.Call]],
    refs: Mapping[str, list[ast.expr]],
    aliases: Mapping[str, object],
    typed: set[str],
) -> list[tuple[str, str, int]]:
    """(receiver as written, attribute, line) for ``x.attr...`` and ``self.x.attr...``
    where the receiver is in ``typed`` and no import."""
    out: list[tuple[str, str, int]] = []
    for table in (calls, refs):
        for dotted, nodes in table.items():
            head, dot, rest = dotted.partition(".")
            if not dot or head in aliases:
                continue
            if head in ("self", "cls"):
                attr, dot, rest = rest.partition(".")
                if not dot:
                    continue
                head = f"{head}.{attr}"
            if head not in typed:
                continue
            attr = rest.partition(".")[0]
            out.extend((head, attr, node.lineno) for node in nodes)
    return out


def _type_at(
    inference: _Inference, places: _Places, receiver: str, test_line: int, test: str
) -> _Type | None:
    function = places.function_at(test_line)
    if function is None:
        return None
    if receiver.startswith(("self.", "cls.")):
        owner = places.class_of(function)
        return _attribute_type(inference, owner, receiver) if owner is not None else None
    own = inference.bindings(function).get(receiver)
    if own:
        return inference.type_of(own, test, receiver)
    module = inference.bindings(inference.tree).get(receiver)
    return inference.type_of(module, None, receiver) if module else None


def _attribute_type(inference: _Inference, owner: ast.ClassDef, receiver: str) -> _Type | None:
    """``self.x``'s class: set in a setup method, the same everywhere in the class."""
    attr = receiver.partition(".")[2]
    values: list[object] = list(inference.bindings(owner).get(attr, ()))
    in_setup = bool(values)
    for stmt in owner.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            bound = inference.bindings(stmt)
            for key in (f"self.{attr}", f"cls.{attr}"):
                mine = bound.get(key, ())
                values.extend(mine)
                in_setup = in_setup or bool(mine and stmt.name in _SETUP_METHODS)
    if not in_setup:
        return None
    return inference.type_of(values, None, receiver)


class _Places:
    """Test functions and the classes holding them, found by line, on demand."""

    def __init__(self, tree: ast.Module) -> None:
        self._functions: dict[int, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        self._owners: dict[int, ast.ClassDef] = {}
        for node, owner in _definitions(tree.body, None):
            self._functions.setdefault(node.lineno, node)
            if owner is not None:
                self._owners[id(node)] = owner

    def function_at(self, line: int) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        return self._functions.get(line)

    def class_of(self, function: ast.AST) -> ast.ClassDef | None:
        return self._owners.get(id(function))


def _definitions(
    body: list[ast.stmt], owner: ast.ClassDef | None
) -> Iterator[tuple[ast.FunctionDef | ast.AsyncFunctionDef, ast.ClassDef | None]]:
    """Functions at module level and in classes (blocks entered, functions not)."""
    stack: list[tuple[ast.stmt, ast.ClassDef | None]] = [(s, owner) for s in body]
    while stack:
        node, holder = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node, holder
        elif isinstance(node, ast.ClassDef):
            stack.extend((s, node) for s in node.body)
        else:
            for name in ("body", "orelse", "finalbody", "handlers"):
                for child in getattr(node, name, ()):
                    if isinstance(child, ast.ExceptHandler):
                        stack.extend((s, holder) for s in child.body)
                    else:
                        stack.append((child, holder))


def _bindings(scope: ast.AST) -> dict[str, list[object]]:
    out: dict[str, list[object]] = {}

    def bind(name: str, value: object) -> None:
        out.setdefault(name, []).append(value)

    def bind_target(target: ast.expr, value: object) -> None:
        if isinstance(target, ast.Name):
            bind(target.id, value)
        elif isinstance(target, ast.Attribute):
            written = dotted_name(target)
            if written is not None and written.count(".") == 1:
                bind(written, value)
        elif isinstance(target, ast.Starred):
            bind_target(target.value, _UNKNOWN)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                bind_target(elt, _UNKNOWN)

    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        args = scope.args
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
            bind(arg.arg, arg)
        for extra in (args.vararg, args.kwarg):
            if extra is not None:
                bind(extra.arg, _UNKNOWN)
    stack: list[ast.AST] = list(getattr(scope, "body", ()))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            made = node.value if isinstance(node.value, ast.Call) else _UNKNOWN
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                bind_target(target, made)
        elif isinstance(node, (ast.AugAssign, ast.For, ast.AsyncFor, ast.comprehension)):
            bind_target(node.target, _UNKNOWN)
        elif isinstance(node, ast.withitem):
            if node.optional_vars is not None:
                expr = node.context_expr
                entered = ("with", expr) if isinstance(expr, ast.Call) else _UNKNOWN
                bind_target(node.optional_vars, entered)
        elif isinstance(node, ast.NamedExpr):
            bind_target(node.target, _UNKNOWN)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            for name in node.names:
                bind(name, _UNKNOWN)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bind((alias.asname or alias.name).partition(".")[0], _UNKNOWN)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bind(node.name, _UNKNOWN)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                bind_target(target, _UNKNOWN)
        if isinstance(node, _SCOPES):
            if node is not scope and not isinstance(node, ast.Lambda):
                bind(node.name, _UNKNOWN)
            continue  # its body is another scope
        stack.extend(ast.iter_child_nodes(node))
    return out
