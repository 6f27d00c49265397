"""Methods a test calls on objects whose class the source shows: light, honest inference.

A name's class is known where every binding of it in its scope makes the same class:

- ``x = Cls(...)`` in the test (or at module level: ``app = App(__name__)``);
- ``with Cls(...) as x``, when ``Cls.__enter__`` is written in the class and returns
  ``self`` (otherwise what ``as`` binds is unknown);
- ``self.x = Cls(...)`` in a setup method of the test's class (``_SETUP_METHODS``), or
  ``x = Cls(...)`` in its body, and nowhere in the class a different value;
- a parameter: the fixture it requests, when the fixture's source says what it gives
  (``-> Cls``, ``return Cls(...)``, ``yield Cls(...)``: ``FixtureDef.returns``, along
  the conftest chain, pytest's own fixtures included), or its annotation (``x: Cls``).

Any other binding of the name in the same scope (a reassignment to something else, a
loop target, ``global``, an unpacking, a ``match`` capture...: :mod:`.bindings`) makes its
class unknown: no use is claimed. Inside a def, lambda or class nested in the test that
binds the name itself, it is another variable: nothing is claimed.
Then ``x.method(...)`` and ``x.attr`` in a test are uses of ``Cls.method``/``Cls.attr``.
Nothing is imported; classes are found by reading the project's source
(:class:`.canonical.ProjectNames`).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from sphinx_testdocs.analysis._matchers import Index
from sphinx_testdocs.analysis._walk import dotted_name
from sphinx_testdocs.analysis.bindings import IMPORTED, SCOPES, Binding, bindings
from sphinx_testdocs.analysis.model import Exercise, FixtureDef
from sphinx_testdocs.analysis.usage import Span, Spans

__all__ = ["Classes", "typed_uses"]

#: unittest's and pytest's setup methods (``setup`` is nose-style, run by pytest < 8).
_SETUP_METHODS = frozenset(
    {"setUp", "asyncSetUp", "setUpClass", "setup_method", "setup_class", "setup"}
)


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
    _scopes: dict[int, dict[str, list[Binding]]] = field(default_factory=dict)

    # --- classes ---------------------------------------------------------------

    def project_class(self, qualified: str | None) -> str | None:
        if not qualified or not self.classes.is_project(qualified):
            return None
        return self.classes.class_name(qualified)

    def class_of_callee(self, func: ast.expr) -> str | None:
        """The project class a callee names, through the module's imports; None when the
        module binds the name itself (:meth:`local`)."""
        dotted = dotted_name(func)
        if dotted is None:
            return None
        if dotted not in self._callees:
            found = self.index.resolve(dotted)
            cls = self.project_class(found[0]) if len(found) == 1 else None
            # Whether the module binds the name itself costs a walk of the module: asked
            # only of a name that would otherwise be a project class.
            self._callees[dotted] = cls if cls and not self.local(func, self.tree) else None
        return self._callees[dotted]

    def class_of_annotation(self, annotation: ast.expr | None) -> str | None:
        return None if annotation is None else self.class_of_callee(annotation)

    # --- bindings --------------------------------------------------------------

    def bindings(self, scope: ast.AST) -> dict[str, list[Binding]]:
        """Name (or ``self.attr``) -> what each binding in the scope gives."""
        found = self._scopes.get(id(scope))
        if found is None:
            found = self._scopes[id(scope)] = bindings(scope)
        return found

    def local(self, func: ast.expr, scope: ast.AST) -> bool:
        """Whether a callee's first name is bound in ``scope`` other than by an import
        (``class Flask(Flask)``, ``Flask = make()``): then it is not the imported class."""
        head = dotted_name(func)
        if head is None:
            return True
        return any(b != IMPORTED for b in self.bindings(scope).get(head.partition(".")[0], ()))

    def type_of(
        self, values: Sequence[tuple[Binding, ast.AST]], test: str | None, name: str
    ) -> _Type | None:
        """The one class every binding (with the scope it is in) gives, or None."""
        types: set[_Type | None] = set()
        for value, scope in values:
            types.add(self._value_type(value, scope, test, name))
            if len(types) > 1:
                return None
        return next(iter(types), None)

    def _value_type(
        self, value: Binding, scope: ast.AST, test: str | None, name: str
    ) -> _Type | None:
        if isinstance(value, ast.Call):
            cls = None if self.local(value.func, scope) else self.class_of_callee(value.func)
            return _Type(cls, "instance") if cls else None
        if isinstance(value, tuple):  # ("with", call)
            call = value[1]
            cls = None if self.local(call.func, scope) else self.class_of_callee(call.func)
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
    spans: Spans,
    fixtures: Mapping[str, Mapping[str, FixtureDef]],
    classes: Classes,
) -> list[Exercise]:
    """Uses of project classes' attributes through names whose class is known.

    ``spans`` are where the tests are written; ``fixtures`` the fixtures each test
    requests by argument.
    """
    if not spans.spans:
        return []
    facts = index.facts
    inference = _Inference(index, tree, classes, fixtures)
    # Names that may hold an instance of a project class: only their uses are followed
    # further, so a module with none costs one pass over its calls and no walk.
    typed = {t for t, call in facts.constructed if inference.class_of_callee(call.func)}
    # ``app = Cls(...)`` in a test class's body is ``self.app`` in its methods.
    typed.update(f"{head}.{t}" for t in list(typed) if "." not in t for head in ("self", "cls"))
    for requested in fixtures.values():
        typed.update(n for n, f in requested.items() if inference.project_class(f.returns))
    for name, params in facts.params.items():
        if any(inference.class_of_annotation(p.annotation) for p in params):
            typed.add(name)
    out: list[Exercise] = []
    # ``Cls(...).method()``: the receiver is the construction itself.
    made: list[tuple[str, int, ast.Call, Span]] = []
    for attr, calls in facts.methods.items():
        for call in calls:
            value = call.func.value if isinstance(call.func, ast.Attribute) else None
            if isinstance(value, ast.Call) and (span := spans.at(call.lineno)) is not None:
                cls = inference.class_of_callee(value.func)
                if cls is not None:
                    made.append((f"{cls}.{attr}", call.lineno, value, span))
    receivers = _receivers(facts.calls, facts.refs, facts.aliases, typed) if typed else []
    if not made and not receivers:
        return out
    places = _Places(tree)
    for name, line, value, span in made:
        if not _local_at(inference, places, value, span.start):
            out.append(Exercise(name, line, span.test, "instance"))
    for receiver, attr, node in receivers:
        span = spans.at(node.lineno)
        if span is None:
            continue  # only uses inside a test count
        found = _type_at(inference, places, receiver, node, span.start, span.test)
        if found is not None:
            out.append(Exercise(f"{found.cls}.{attr}", node.lineno, span.test, found.how))
    return out


def _receivers(
    calls: Mapping[str, list[ast.Call]],
    refs: Mapping[str, list[ast.expr]],
    aliases: Mapping[str, object],
    typed: set[str],
) -> list[tuple[str, str, ast.expr]]:
    """(receiver as written, attribute, node) for ``x.attr...`` and ``self.x.attr...``
    where the receiver is in ``typed`` and no import."""
    out: list[tuple[str, str, ast.expr]] = []
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
            out.extend((head, attr, node) for node in nodes)
    return out


def _type_at(
    inference: _Inference,
    places: _Places,
    receiver: str,
    use: ast.expr,
    test_line: int,
    test: str,
) -> _Type | None:
    function = places.function_at(test_line)
    if function is None:
        return None
    # Inside a def, lambda or class nested in the test that binds the name itself
    # (``def helper(app)``, ``def go(self)``), the name is another variable.
    head = receiver.partition(".")[0]
    if any(head in inference.bindings(s) for s in places.nested_around(function, use)):
        return None
    if receiver.startswith(("self.", "cls.")):
        owner = places.class_of(function)
        return _attribute_type(inference, owner, receiver) if owner is not None else None
    own = inference.bindings(function).get(receiver)
    if own:
        return inference.type_of([(v, function) for v in own], test, receiver)
    module = inference.bindings(inference.tree).get(receiver)
    if not module:
        return None
    return inference.type_of([(v, inference.tree) for v in module], None, receiver)


def _local_at(inference: _Inference, places: _Places, made: ast.Call, test_line: int) -> bool:
    """Whether ``Cls(...)`` in a test calls a name the test (or a scope in it around the
    call) binds itself."""
    function = places.function_at(test_line)
    if function is None:
        return True
    scopes = [function, *places.nested_around(function, made)]
    return any(inference.local(made.func, scope) for scope in scopes)


def _attribute_type(inference: _Inference, owner: ast.ClassDef, receiver: str) -> _Type | None:
    """``self.x``'s class: set in a setup method or the class body, the same everywhere
    in the class."""
    attr = receiver.partition(".")[2]
    values: list[tuple[Binding, ast.AST]] = [
        (v, owner) for v in inference.bindings(owner).get(attr, ())
    ]
    # A class attribute is what ``self.x`` reads only if no instance attribute hides
    # it: a base class's setup could set one, so only classes with no other base count.
    in_setup = bool(values) and all(_sets_no_attributes(base) for base in owner.bases)
    for stmt in owner.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            bound = inference.bindings(stmt)
            for key in (f"self.{attr}", f"cls.{attr}"):
                mine = bound.get(key, ())
                values.extend((v, stmt) for v in mine)
                in_setup = in_setup or bool(mine and stmt.name in _SETUP_METHODS)
    if not in_setup:
        return None
    return inference.type_of(values, None, receiver)


def _sets_no_attributes(base: ast.expr) -> bool:
    """``object`` and unittest's test cases: bases that set no attribute of a test."""
    written = dotted_name(base) or ""
    return written == "object" or written.rpartition(".")[2].endswith("TestCase")


class _Places:
    """Test functions and the classes holding them, found by line, on demand."""

    def __init__(self, tree: ast.Module) -> None:
        self._functions: dict[int, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        self._owners: dict[int, ast.ClassDef] = {}
        self._nested: dict[int, list[tuple[ast.AST, tuple[int, int], tuple[int, int]]]] = {}
        for node, owner in _definitions(tree.body, None):
            self._functions.setdefault(node.lineno, node)
            if owner is not None:
                self._owners[id(node)] = owner

    def function_at(self, line: int) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        return self._functions.get(line)

    def class_of(self, function: ast.AST) -> ast.ClassDef | None:
        return self._owners.get(id(function))

    def nested_around(self, function: ast.AST, use: ast.expr) -> list[ast.AST]:
        """The defs, lambdas and classes inside ``function`` whose source holds ``use``."""
        nested = self._nested.get(id(function))
        if nested is None:
            nested = self._nested[id(function)] = [
                (
                    node,
                    (node.lineno, node.col_offset),
                    (node.end_lineno or 0, node.end_col_offset or 0),
                )
                for node in ast.walk(function)
                if isinstance(node, SCOPES) and node is not function
            ]
        at = (use.lineno, use.col_offset)
        return [node for node, start, end in nested if start <= at <= end]


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
