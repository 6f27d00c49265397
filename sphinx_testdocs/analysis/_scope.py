"""The names a module or class body binds, in the order pytest sees them."""

from __future__ import annotations

import ast
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from sphinx_testdocs.analysis.markers import Names, _module_statements, parse_mark

__all__ = ["Binding", "Scope", "may_create_names", "mutated_names", "scan_scope"]


@dataclass
class Binding:
    """What a name is bound to.

    ``kind`` is ``"func"``, ``"class"``, ``"value"`` or ``"import"``, or one of two
    placeholders keeping a statement's place in the order: ``"star"`` (a star import,
    expanded once the imported module is read) and ``"call"`` (a call at module level,
    which a framework may use to add or replace tests there).
    """

    kind: str
    node: ast.AST
    #: The line of the ``if`` or ``try`` the statement sits in, when it may not run on
    #: import (a test defined there exists only if it does); None when it always runs.
    condition: int | None = None


@dataclass
class Scope:
    """The names a module or class body binds, in pytest's ``__dict__`` order."""

    bindings: dict[str, Binding] = field(default_factory=dict)
    constants: dict[str, ast.expr] = field(default_factory=dict)
    #: ``f.__test__ = value`` assignments in the same body.
    test_attrs: dict[str, ast.expr] = field(default_factory=dict)
    pytestmark: ast.expr | None = None
    #: Lines of import-time code that creates names no statement shows: ``exec()``,
    #: ``globals()[...] = ``, ``globals().update()``, ``setattr(sys.modules[...])``.
    dynamic_lines: list[int] = field(default_factory=list)
    #: ``setattr(Name, ...)`` calls run at import time (loops included) that may add a
    #: test: the object's name and the line, for names computed or starting "test".
    setattr_targets: list[tuple[str, int]] = field(default_factory=list)
    #: (name, line) of functions and classes bound again where one of the bindings sits
    #: under an ``if``/``try``: which one pytest sees depends on what runs.
    conditional_rebinds: list[tuple[str, int]] = field(default_factory=list)
    #: The body scanned, for ``settled`` (worked out only when an evaluation asks).
    body: list[ast.stmt] = field(default_factory=list, repr=False)
    _settled: frozenset[str] | None = field(default=None, repr=False)

    @property
    def settled(self) -> frozenset[str]:
        """Names bound by exactly one statement at this level (in an ``if``, ``try`` or
        ``with`` block too: if it does not run, the name does not exist and the import
        fails), never rebound, changed or deleted there: the helpers and tables an
        evaluation may read (see ``evaluate``)."""
        if self._settled is None:
            binds: dict[str, int] = {}  # binding statements per name
            for stmt in _module_statements(self.body):
                for bound in _bound_names(stmt):
                    binds[bound] = binds.get(bound, 0) + 1
            self._settled = frozenset(name for name, count in binds.items() if count == 1)
        return self._settled


def scan_scope(body: list[ast.stmt], names: Names | None, *, may_create: bool = True) -> Scope:
    """The bindings of a body; ``names`` (module bodies only) collects mark aliases.

    With ``may_create`` false (the module's text shows none of the words that make
    names at import, see ``may_create_names``; or only the bindings are wanted),
    statements are not searched for such code: ``dynamic_lines`` stays empty.
    """
    scope = Scope()
    assigned: dict[str, int] = {}
    spoiled: set[str] = set()
    scope.body = body
    for stmt, condition in _run_statements(body):
        # The bodies of if, try and with come next on their own; a class body runs here.
        runs_here = not isinstance(stmt, _BLOCKS) or isinstance(stmt, _DEFINITIONS)
        if may_create and runs_here and creates_names(stmt):
            scope.dynamic_lines.append(stmt.lineno)
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            earlier = scope.bindings.get(stmt.name)
            if earlier is not None and (condition is not None or earlier.condition is not None):
                scope.conditional_rebinds.append((stmt.name, stmt.lineno))
            kind = "class" if isinstance(stmt, ast.ClassDef) else "func"
            scope.bindings[stmt.name] = Binding(kind, stmt, condition)
            spoiled.add(stmt.name)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            value = stmt.value
            if value is None:
                continue
            for target in targets:
                if isinstance(target, ast.Name):
                    scope.bindings[target.id] = Binding("value", value, condition)
                    assigned[target.id] = assigned.get(target.id, 0) + 1
                    scope.constants[target.id] = value
                    if target.id == "pytestmark":
                        scope.pytestmark = value
                    elif names is not None and parse_mark(value, names) is not None:
                        names.mark_aliases[target.id] = value
                elif (
                    isinstance(target, ast.Attribute)
                    and target.attr == "__test__"
                    and isinstance(target.value, ast.Name)
                ):
                    scope.test_attrs[target.value.id] = value
                elif isinstance(target, (ast.Tuple, ast.List)):
                    for elt in ast.walk(target):
                        if isinstance(elt, ast.Name):
                            scope.bindings[elt.id] = Binding("value", elt, condition)
                            spoiled.add(elt.id)
                else:
                    _spoil_target(target, spoiled)
        elif isinstance(stmt, ast.AugAssign):
            _spoil_target(stmt.target, spoiled)
            if isinstance(stmt.target, ast.Name):
                spoiled.add(stmt.target.id)
        elif isinstance(stmt, ast.Delete):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    scope.bindings.pop(target.id, None)
                    spoiled.add(target.id)
                else:
                    _spoil_target(target, spoiled)
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            call = stmt.value
            func = call.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                spoiled.add(func.value.id)  # x.append(...), x.update(...), ...
            # shuffle(x), fill(x): a call may mutate what it is given.
            spoiled.update(a.id for a in call.args if isinstance(a, ast.Name))
            scope.bindings[f"\0call:{call.lineno}:{call.col_offset}"] = Binding("call", call)
            _note_setattr(call, scope)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for alias in stmt.names:
                if alias.name == "*":
                    key = f"\0star:{stmt.lineno}:{stmt.col_offset}"
                    scope.bindings[key] = Binding("star", stmt)
                    continue
                local = alias.asname or alias.name.split(".")[0]
                scope.bindings[local] = Binding("import", stmt)
                spoiled.add(local)
        elif isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)):
            # Loop bodies may rebind or mutate anything they touch: no constants there.
            for sub in ast.walk(stmt):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    spoiled.add(sub.id)
                elif isinstance(sub, (ast.Subscript, ast.Attribute)) and isinstance(
                    sub.ctx, (ast.Store, ast.Del)
                ):
                    _spoil_target(sub, spoiled)
                elif isinstance(sub, ast.Call):
                    _spoil_target(sub.func, spoiled)
                    spoiled.update(a.id for a in sub.args if isinstance(a, ast.Name))
                    _note_setattr(sub, scope)
    for name, count in assigned.items():
        if count > 1 or name in spoiled:
            scope.constants.pop(name, None)
    return scope


def _run_statements(body: list[ast.stmt]) -> Iterator[tuple[ast.stmt, int | None]]:
    """The statements import runs, as ``_module_statements``, each with the line of the
    ``if`` or ``try`` that may keep it from running (None: it runs, or the import fails).

    A condition known without running anything is decided: a constant, ``not`` one,
    ``TYPE_CHECKING`` (false at run time) and ``__name__ == "__main__"`` (false when
    pytest imports the module). A ``try`` body may stop at any statement, and its
    handlers and ``else`` run only then; ``finally`` and ``with`` bodies always run.
    """
    stack: list[tuple[Iterator[ast.stmt], int | None]] = [(iter(body), None)]
    while stack:
        statements, condition = stack[-1]
        for stmt in statements:
            yield stmt, condition
            blocks: list[tuple[list[ast.stmt], int | None]] = []
            if isinstance(stmt, ast.If):
                known = decided(stmt.test)
                if known is None:
                    blocks = [(stmt.body, stmt.lineno), (stmt.orelse, stmt.lineno)]
                else:
                    blocks = [(stmt.body if known else stmt.orelse, condition)]
            elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
                handled = [s for h in stmt.handlers for s in h.body]  # type: ignore[attr-defined]
                blocks = [
                    (stmt.body, stmt.lineno),  # type: ignore[attr-defined]
                    (handled, stmt.lineno),
                    (stmt.orelse, stmt.lineno),  # type: ignore[attr-defined]
                    (stmt.finalbody, condition),  # type: ignore[attr-defined]
                ]
            elif isinstance(stmt, (ast.With, ast.AsyncWith)):
                blocks = [(stmt.body, condition)]
            if blocks:
                # Pushed in reverse: the first block's statements come out first.
                for block, where in reversed(blocks):
                    stack.append((iter(block), where))
                break
        else:
            stack.pop()


def decided(test: ast.expr) -> bool | None:
    """The value of an ``if`` test known without running anything, else None."""
    if isinstance(test, ast.Constant):
        return bool(test.value)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = decided(test.operand)
        return None if inner is None else not inner
    if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    ):
        return False
    if (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], (ast.Eq, ast.NotEq))
    ):
        sides = {_main_side(test.left), _main_side(test.comparators[0])}
        if sides == {"name", "main"}:
            return isinstance(test.ops[0], ast.NotEq)
    return None


def _main_side(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name) and node.id == "__name__":
        return "name"
    if isinstance(node, ast.Constant) and node.value == "__main__":
        return "main"
    return None


def _bound_names(stmt: ast.stmt) -> Iterator[str]:
    """Names a statement binds or changes at its own level (bodies of defs not entered)."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield stmt.name
        return
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        for alias in stmt.names:
            yield alias.asname or alias.name.split(".")[0]
        return
    if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        for target in targets:
            yield from _stored(target)
        if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            yield stmt.target.id  # read and rebound: never settled
        return
    if isinstance(stmt, (ast.If, ast.Try, ast.With, ast.AsyncWith)) or (
        type(stmt).__name__ == "TryStar"
    ):
        # Their own statements are visited one by one; only what the header binds here.
        for item in getattr(stmt, "items", ()):
            if item.optional_vars is not None:
                yield from _stored(item.optional_vars)
                yield from _stored(item.optional_vars)
        for handler in getattr(stmt, "handlers", ()):
            if handler.name:
                yield handler.name
                yield handler.name
        return
    # Loops, deletes, global statements, match, walrus: every name they store counts twice.
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            yield node.id
            yield node.id
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            for name in node.names:
                yield name
                yield name


def _stored(target: ast.expr) -> Iterator[str]:
    """Names an assignment target binds (``x``), or changes (``x[0]``, ``x.attr``)."""
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List, ast.Starred)):
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                yield node.id
    else:
        node = target
        while isinstance(node, (ast.Subscript, ast.Attribute)):
            node = node.value
        if isinstance(node, ast.Name):
            yield node.id
            yield node.id  # a change of an existing name unsettles it


#: Statements that define a name as they run (a class body runs then).
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
#: Statements whose bodies ``_module_statements`` visits on its own.
_BLOCKS = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.If,
    ast.Try,
    ast.With,
    ast.AsyncWith,
)
_NAMESPACE_CALLS = frozenset({"globals", "vars", "locals"})


def creates_names(stmt: ast.stmt) -> bool:
    """Whether import-time code in ``stmt`` may bind names its statements do not show.

    Function bodies are not entered: they run when called, not on import (their
    decorators and default values run as they are defined). Class bodies run as the
    class is defined: ``globals()[name] = ...`` there binds a module name, and
    ``locals()[name] = ...`` a method.
    """
    stack: list[ast.AST] = [stmt]
    while stack:
        node = stack.pop()
        if creates_a_name(node):
            return True
        stack.extend(run_children(node))
    return False


#: The names without which no statement can make names at import (``creates_a_name``).
_CREATING_NAMES = ("exec", "setattr", "globals", "locals", "vars")
_CREATING_WORDS = re.compile(r"\b(?:{})\b".format("|".join(_CREATING_NAMES)))


def may_create_names(source: str) -> bool:
    """Whether code in *source* may make names no statement shows (``creates_names``).

    Each such statement calls ``exec``, ``setattr``, ``globals``, ``locals`` or
    ``vars`` by name, so a text without those words has none: one search of the text
    instead of a walk of every statement's nodes (7 % of the analysis of
    NumPy's suite, where 1 module in 14 has one of the words). Python reads identifiers
    in NFKC form (fullwidth ``exec`` is ``exec``): non-ASCII text is searched in that form.
    """
    if not source.isascii():
        source = unicodedata.normalize("NFKC", source)
    # Substrings first: a pattern that starts with ``\b`` is tried at every position.
    if not any(name in source for name in _CREATING_NAMES):
        return False
    return _CREATING_WORDS.search(source) is not None


def run_children(node: ast.AST) -> Iterator[ast.AST]:
    """The child nodes that run when *node* runs: of a function or lambda, its
    decorators and default values (the body runs when it is called); of anything else,
    every child (a class body runs as the class is defined)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        if not isinstance(node, ast.Lambda):
            yield from node.decorator_list
        yield from (d for d in (*node.args.defaults, *node.args.kw_defaults) if d)
    else:
        yield from ast.iter_child_nodes(node)


def creates_a_name(node: ast.AST) -> bool:
    """Whether this one node binds a name no statement shows: ``exec()``,
    ``globals()[name] = ...``, ``vars().update(...)``, ``setattr(sys.modules[...], ...)``."""
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name):
            return func.id == "exec" or (
                func.id == "setattr"
                and bool(node.args)
                and "sys.modules" in ast.unparse(node.args[0])
            )
        return (
            isinstance(func, ast.Attribute)
            and func.attr in ("update", "setdefault", "__setitem__")
            and _is_namespace(func.value)
        )
    return (
        isinstance(node, ast.Subscript)
        and isinstance(node.ctx, ast.Store)
        and _is_namespace(node.value)
    )


def hands_namespace(call: ast.Call) -> bool:
    """Whether a call is given the module's namespace (``inject(globals())``): the
    callee may bind anything there."""
    return any(_is_namespace(arg) for arg in call.args) or any(
        _is_namespace(kw.value) for kw in call.keywords
    )


def _is_namespace(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _NAMESPACE_CALLS
    )


def _note_setattr(call: ast.Call, scope: Scope) -> None:
    """Remember ``setattr(Obj, name, ...)`` that may add a test to ``Obj``."""
    func = call.func
    if not (isinstance(func, ast.Name) and func.id == "setattr" and len(call.args) >= 2):
        return
    target, name = call.args[0], call.args[1]
    literal = isinstance(name, ast.Constant) and isinstance(name.value, str)
    if isinstance(target, ast.Name) and (not literal or str(name.value).startswith("test")):  # type: ignore[attr-defined]
        scope.setattr_targets.append((target.id, call.lineno))


def _spoil_target(target: ast.expr, spoiled: set[str]) -> None:
    # ``x[0] = ...`` or ``x.attr = ...`` mutate x: it is no longer a known literal.
    node = target
    while isinstance(node, (ast.Subscript, ast.Attribute, ast.Starred)):
        node = node.value
    if isinstance(node, ast.Name):
        spoiled.add(node.id)


#: A name changed after it is bound: ``NAME.append(``, ``NAME[...] =``, ``NAME +=``
#: (and the other mutating methods and augmented assignments), or ``global NAME``.
_CHANGE = (
    r"\s*(?:"
    r"\.\s*(?:append|extend|insert|update|setdefault|pop|popitem|remove|clear|add|discard"
    r"|sort|reverse|__setitem__|__delitem__|__iadd__)\s*\("
    r"|\[[^\]\n]*\]\s*=(?!=)"
    r"|(?:\+|-|\*|/|//|%|\||&|\^|<<|>>|\*\*|@)=)"
)
#: What ``_CHANGE`` matches after the spaces: searched for on its own, the name before
#: it read back (``_changed_names``).
_CHANGE_PART = re.compile(_CHANGE.removeprefix(r"\s*"))
#: A second name for a value (``_reg = FORMATS``, ``_registry = FORMATS`` in a class):
#: changes through it are changes of the value.
_ALIAS_END = r"\s*(?:#[^\n]*)?$"
_ALIAS = r"(?<![=!<>])=\s*{}" + _ALIAS_END
#: ``_ALIAS`` for any name, its look-behind moved after the ``=`` (the same matches):
#: a pattern that starts with ``=`` is searched for by that character.
_ALIASES = re.compile(r"=(?<![=!<>]=)\s*([A-Za-z_]\w*)" + _ALIAS_END, re.MULTILINE)
# Matched without a leading ``\b`` (see ``mutates``); ``_declared`` checks the boundary.
_GLOBAL = re.compile(r"(?:global|nonlocal)[ \t]+([\w \t,]+)")
_WORD = re.compile(r"\w")


def _declared(source: str) -> Iterator[str]:
    """Names written in ``global`` and ``nonlocal`` statements."""
    for match in _GLOBAL.finditer(source):
        start = match.start()
        if start and _WORD.match(source, start - 1):
            continue  # the end of a longer word (``myglobal x``)
        yield from (n.strip() for n in match.group(1).split(",") if n.strip())


def mutated_names(source: str) -> frozenset[str]:
    """Names the module may change after binding them, anywhere, functions included.

    A helper called at import time (``extend_all(module)`` appending to ``__all__``)
    changes a module-level literal no top-level statement shows; a literal of another
    module is only trusted when nothing in that module could have changed it. A name
    given to a second name (``_reg = FORMATS``) may be changed through that one. A text
    search, not a walk of the whole tree: it may name more than are changed (in a
    string, a comment), which only costs a literal not being used.
    """
    found = _changed_names(source)
    found.update(m.group(1) for m in _ALIASES.finditer(source))
    found.update(_declared(source))
    return frozenset(found)


def _changed_names(source: str) -> set[str]:
    """The names ``\\b([A-Za-z_]\\w*)`` + ``_CHANGE`` finds, found twice as fast.

    That pattern starts with ``\\b``, so it is tried at every position of the text.
    Here the change itself (``.append(``, ``[...] =``, ``+=``) is searched for, and
    the name read back from it across spaces: the same names, as the pattern gives
    them (tests/analysis/test_mutations.py compares the two).
    """
    found: set[str] = set()
    pos = 0
    while (match := _CHANGE_PART.search(source, pos)) is not None:
        end = match.start()
        while end and source[end - 1].isspace():  # what ``\s`` matches
            end -= 1
        begin = end
        while begin and (source[begin - 1].isalnum() or source[begin - 1] == "_"):  # ``\w``
            begin -= 1
        first = source[begin : begin + 1]
        if first and first.isascii() and (first.isalpha() or first == "_") and begin < end:
            found.add(source[begin:end])
            pos = match.end()  # as the pattern goes on after a match
        else:
            pos = match.start() + 1  # a name may start inside what did not match
    return found


def mutates(source: str, name: str) -> bool:
    """Whether ``name`` is among ``mutated_names(source)``: one name, one search (the
    whole set costs a pass over every name of a large module)."""
    # Each pattern is tried first without what comes before the name: a pattern that
    # starts with the name is searched for by its text (a pattern that starts with
    # ``\b`` or a look-behind is tried at every position: 30 times slower).
    escaped = re.escape(name)
    if re.search(escaped + _CHANGE, source) and re.search(rf"\b{escaped}" + _CHANGE, source):
        return True
    if re.search(escaped + _ALIAS_END, source, re.MULTILINE) and re.search(
        _ALIAS.format(escaped), source, re.MULTILINE
    ):
        return True
    return name in _declared(source)
