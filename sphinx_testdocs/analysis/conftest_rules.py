"""What a conftest.py says about collection, read from its syntax tree, never run.

pytest reads ``collect_ignore``, ``collect_ignore_glob`` and ``pytest_plugins`` from a
conftest module's namespace once it is imported. Statically, only what the module
spells out can be known: a literal list, then ``.append`` / ``.extend`` / ``+=`` of
literals at module level. An entry added under a condition (``if sys.platform ...``)
is kept as "maybe"; a list that is computed is an unknown, said as such, never
guessed.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sphinx_testdocs.analysis.generate_hook import Reach, generate_tests_reach
from sphinx_testdocs.analysis.import_stops import (
    ImportStop,
    first_stop,
    import_stops,
)
from sphinx_testdocs.analysis.markers import scan_names
from sphinx_testdocs.analysis.modifyitems import FuncNode, acting_option, drops_items
from sphinx_testdocs.analysis.parsing import closed_literal, parse_module
from sphinx_testdocs.analysis.reading import decode_source

__all__ = [
    "COLLECTION_HOOKS",
    "ConftestRules",
    "IgnoreList",
    "IniDecl",
    "MarkerDecl",
    "OptionDecl",
    "read_conftest",
    "read_conftest_file",
]

#: Hooks a conftest.py can define that change what pytest collects, and how.
COLLECTION_HOOKS = {
    "pytest_ignore_collect": "may ignore other files or folders",
    "pytest_collect_file": "may collect other files, or collect files differently",
    "pytest_collect_directory": "may collect folders differently",
    "pytest_pycollect_makemodule": "may collect modules differently",
    "pytest_pycollect_makeitem": "may collect other names, or names differently",
    "pytest_collection_modifyitems": "may reorder or deselect the tests",
}
_LISTS = ("collect_ignore", "collect_ignore_glob")
_NAMES = frozenset({*_LISTS, "pytest_plugins"})


@dataclass(frozen=True)
class IgnoreList:
    """A conftest's ``collect_ignore`` or ``collect_ignore_glob``, as far as it is known.

    Entries are relative to the conftest's folder, as pytest reads them.
    """

    #: Line of the first statement that binds the name.
    line: int
    #: Entries every run has.
    entries: tuple[str, ...] = ()
    #: (entry, line): added under a condition, so pytest may or may not ignore them.
    maybe: tuple[tuple[str, int], ...] = ()
    #: (line, what): changes that cannot be read statically.
    unknown: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class OptionDecl:
    """A command-line option a ``pytest_addoption`` hook adds (``parser.addoption``)."""

    #: The option strings as written ("--runslow", "-S").
    names: tuple[str, ...]
    line: int
    help: str | None = None
    #: The default's source text when it is a literal; None when none is given or it is
    #: computed (``default_known`` tells which).
    default: str | None = None
    default_known: bool = True
    #: The option group (``parser.getgroup("name")``), when the option is added to one.
    group: str | None = None


@dataclass(frozen=True)
class IniDecl:
    """An ini setting a ``pytest_addoption`` hook declares (``parser.addini``)."""

    name: str
    line: int
    help: str | None = None


@dataclass(frozen=True)
class MarkerDecl:
    """A marker registered with ``config.addinivalue_line("markers", "name: help")``.

    ``name`` is None where the line is computed (a loop over a list, an f-string).
    """

    name: str | None
    line: int
    #: The registration text after the name ("run only with --runslow").
    description: str = ""
    #: The name with its arguments as registered ("gpu(count)"), as ``--markers`` shows.
    usage: str = ""


@dataclass(frozen=True)
class ConftestRules:
    """The collection settings one conftest.py spells out, and what else it adds."""

    collect_ignore: IgnoreList | None = None
    collect_ignore_glob: IgnoreList | None = None
    #: Plugin names ``pytest_plugins`` loads (module names, as written).
    plugins: tuple[str, ...] = ()
    #: (line, under a condition) of the first statement binding ``pytest_plugins``:
    #: pytest refuses it in a conftest.py it loads once started (not at the top level).
    plugins_binding: tuple[int, bool] | None = None
    #: (line, what): ``pytest_plugins`` values that cannot be read statically.
    plugins_unknown: tuple[tuple[int, str], ...] = ()
    #: (hook, line) for the COLLECTION_HOOKS the module defines.
    hooks: tuple[tuple[str, int], ...] = ()
    #: (hook, line) for every ``pytest_*`` function the module defines, in source order.
    hook_functions: tuple[tuple[str, int], ...] = ()
    #: Why its ``pytest_collection_modifyitems`` may leave tests out (:mod:`.modifyitems`),
    #: with the line; None when it has none or it only reads, sorts or marks them.
    drops_items: str | None = None
    #: The option that hook acts only with (``if not config.getoption("--x"): return``).
    drops_items_with: str | None = None
    #: Which tests its ``pytest_generate_tests`` may parametrize (:mod:`.generate_hook`),
    #: for every test below its folder (a plugin module's: every test).
    generate_tests: Reach = ()
    #: What its ``pytest_ignore_collect`` does to the paths below its folder: "all"
    #: (it returns True), "maybe" (anything it may decide), None (no hook, or it
    #: returns nothing).
    ignore_collect: str | None = None
    #: A statement that may stop its import (:mod:`.import_stops`): pytest then collects
    #: nothing below its folder. Read only where modules can be looked up.
    stop: ImportStop | None = None
    options: tuple[OptionDecl, ...] = ()
    ini_settings: tuple[IniDecl, ...] = ()
    markers: tuple[MarkerDecl, ...] = ()

    def ignore_list(self, name: str) -> IgnoreList | None:
        return self.collect_ignore if name == "collect_ignore" else self.collect_ignore_glob


def _strings(node: ast.expr) -> tuple[str, ...] | None:
    """The strings of a literal list, tuple or single string; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return (node.value,)
    if isinstance(node, (ast.List, ast.Tuple)):
        values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
        if len(values) == len(node.elts) and all(isinstance(v, str) for v in values):
            return tuple(str(v) for v in values)
    return None


@dataclass
class _List:
    line: int
    entries: list[str] = field(default_factory=list)
    maybe: list[tuple[str, int]] = field(default_factory=list)
    unknown: list[tuple[int, str]] = field(default_factory=list)

    def add(self, values: tuple[str, ...], line: int, conditional: bool) -> None:
        if conditional:
            self.maybe.extend((v, line) for v in values)
        else:
            self.entries.extend(values)

    def frozen(self) -> IgnoreList:
        return IgnoreList(self.line, tuple(self.entries), tuple(self.maybe), tuple(self.unknown))


class _Reader:
    def __init__(self) -> None:
        self.lists: dict[str, _List] = {}
        self.plugins: list[str] = []
        self.plugins_unknown: list[tuple[int, str]] = []
        self.plugins_binding: tuple[int, bool] | None = None
        self.hooks: list[tuple[str, int]] = []
        self.hook_functions: list[tuple[str, int]] = []
        self.drops_items: str | None = None
        #: The module's top-level functions defined once, by name (``modifyitems``).
        self.helpers: dict[str, FuncNode] = {}
        self.drops_items_with: str | None = None
        self.ignore_collect: str | None = None
        self.options: list[OptionDecl] = []
        self.ini_settings: list[IniDecl] = []
        self.markers: list[MarkerDecl] = []

    def _list(self, name: str, line: int) -> _List:
        return self.lists.setdefault(name, _List(line))

    def _unknown(self, name: str, line: int, what: str) -> None:
        if name == "pytest_plugins":
            self.plugins_unknown.append((line, what))
        else:
            self._list(name, line).unknown.append((line, what))

    def body(self, statements: list[ast.stmt], conditional: bool) -> None:
        for stmt in statements:
            self.statement(stmt, conditional)

    def statement(self, stmt: ast.stmt, conditional: bool) -> None:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if stmt.name in COLLECTION_HOOKS:
                self.hooks.append((stmt.name, stmt.lineno))
            if stmt.name.startswith("pytest_"):
                self.hook_functions.append((stmt.name, stmt.lineno))
            if stmt.name == "pytest_collection_modifyitems" and self.drops_items is None:
                self.drops_items = drops_items(stmt, self.helpers)
                self.drops_items_with = (
                    acting_option(stmt, self.helpers) if self.drops_items else None
                )
            elif stmt.name == "pytest_ignore_collect":
                self.ignore_collect = _ignore_effect(stmt)
            self._in_function(stmt)
            self._declarations(stmt)
            return
        if isinstance(stmt, ast.ClassDef):
            return
        if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            self._binding(stmt, conditional)
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            self._call(stmt.value, stmt.lineno, conditional)
        elif isinstance(stmt, ast.Delete):
            for target in stmt.targets:
                self._touched(target, stmt.lineno, "deleted")
        # Bodies run under a condition, except a with block's (it runs, or raises).
        if isinstance(stmt, ast.With):
            self.body(stmt.body, conditional)
        elif isinstance(stmt, (ast.If, ast.For, ast.While, ast.AsyncFor)):
            self.body(stmt.body, True)
            self.body(stmt.orelse, True)
        elif isinstance(stmt, ast.Try):
            for block in (stmt.body, stmt.orelse, *(h.body for h in stmt.handlers)):
                self.body(block, True)
            self.body(stmt.finalbody, conditional)
        elif isinstance(stmt, ast.Match):
            for case in stmt.cases:
                self.body(case.body, True)

    def _touched(self, target: ast.expr, line: int, how: str) -> None:
        name = _root_name(target)
        if name in _NAMES:
            self._unknown(name, line, f"{name} is {how}")

    def _binding(
        self, stmt: ast.Assign | ast.AnnAssign | ast.AugAssign, conditional: bool
    ) -> None:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        value = stmt.value
        for target in targets:
            if not isinstance(target, ast.Name):
                self._touched(target, stmt.lineno, "changed")
                continue
            name = target.id
            if name not in _NAMES or value is None:
                continue
            if name == "pytest_plugins" and self.plugins_binding is None:
                self.plugins_binding = (stmt.lineno, conditional)
            strings = _strings(value)
            augmented = isinstance(stmt, ast.AugAssign)
            if strings is None or (
                isinstance(stmt, ast.AugAssign) and not isinstance(stmt.op, ast.Add)
            ):
                self._unknown(name, stmt.lineno, f"{name} is computed")
            elif name == "pytest_plugins":
                if conditional:
                    self._unknown(name, stmt.lineno, f"{name} is set under a condition")
                else:
                    self.plugins = [*self.plugins, *strings] if augmented else list(strings)
            else:
                current = self._list(name, stmt.lineno)
                if not augmented and not conditional:
                    # A plain assignment starts the list again.
                    current.entries = []
                current.add(strings, stmt.lineno, conditional)

    def _call(self, call: ast.Call, line: int, conditional: bool) -> None:
        func = call.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
            return
        name = func.value.id
        if name not in _LISTS:
            if name == "pytest_plugins":
                self._unknown(name, line, f"pytest_plugins.{func.attr}() is called")
            return
        values: tuple[str, ...] | None = None
        if func.attr == "append" and len(call.args) == 1:
            values = _strings(call.args[0]) if isinstance(call.args[0], ast.Constant) else None
        elif func.attr == "extend" and len(call.args) == 1:
            values = _strings(call.args[0])
        elif func.attr == "insert" and len(call.args) == 2:
            arg = call.args[1]
            values = _strings(arg) if isinstance(arg, ast.Constant) else None
        if values is None:
            self._unknown(name, line, f"{name}.{func.attr}() is called with computed values")
            return
        self._list(name, line).add(values, line, conditional)

    def _in_function(self, func: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """A function that changes the lists when called: pytest may call it first."""
        for node in ast.walk(func):
            if isinstance(node, ast.Global):
                for name in set(node.names) & _NAMES:
                    self._unknown(name, node.lineno, f"{name} is changed in {func.name}()")
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in _LISTS
                and node.func.attr in {"append", "extend", "insert", "remove", "clear", "pop"}
            ):
                name = node.func.value.id
                self._unknown(name, node.lineno, f"{name} is changed in {func.name}()")

    def _declarations(self, func: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """Options, ini settings and markers a hook declares when pytest calls it."""
        groups: dict[str, str] = {}  # local name -> option group
        calls = sorted(
            (n for n in ast.walk(func) if isinstance(n, (ast.Call, ast.Assign))),
            key=lambda n: (n.lineno, n.col_offset),
        )
        for node in calls:
            if isinstance(node, ast.Assign):
                group = _group_name(node.value)
                for target in node.targets:
                    if group is not None and isinstance(target, ast.Name):
                        groups[target.id] = group
                continue
            called = node.func
            if not isinstance(called, ast.Attribute):
                continue
            if called.attr in ("addoption", "_addoption"):
                receiver = called.value
                group = (
                    groups.get(receiver.id)
                    if isinstance(receiver, ast.Name)
                    else _group_name(receiver)
                )
                self._option(node, group)
            elif called.attr == "addini" and node.args:
                name = _literal_str(node.args[0])
                if name is not None:
                    help_node = node.args[1] if len(node.args) > 1 else _keyword(node, "help")
                    self.ini_settings.append(
                        IniDecl(name, node.lineno, _literal_str(help_node) if help_node else None)
                    )
            elif (
                called.attr == "addinivalue_line"
                and len(node.args) == 2
                and _literal_str(node.args[0]) == "markers"
            ):
                self.markers.append(_marker(node.args[1], node.lineno))

    def _option(self, call: ast.Call, group: str | None) -> None:
        names = tuple(n for a in call.args if (n := _literal_str(a)) is not None)
        if not names:
            return
        help_node = _keyword(call, "help")
        default_node = _keyword(call, "default")
        default: str | None = None
        known = True
        if default_node is not None:
            known = closed_literal(default_node)
            default = ast.unparse(default_node) if known else None
        self.options.append(
            OptionDecl(
                names=names,
                line=call.lineno,
                help=_literal_str(help_node) if help_node is not None else None,
                default=default,
                default_known=known,
                group=group,
            )
        )


def _literal_str(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def _group_name(node: ast.expr) -> str | None:
    """The group of ``parser.getgroup("name")``; None for anything else."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "getgroup"
        and node.args
    ):
        return _literal_str(node.args[0])
    return None


def _marker(line: ast.expr, lineno: int) -> MarkerDecl:
    """``"name(args): description"`` as pytest reads it (the name ends at "(" or ":")."""
    text = _literal_str(line)
    if text is None:
        return MarkerDecl(None, lineno)
    head, _, description = text.partition(":")
    name = head.split("(", 1)[0].strip()
    return MarkerDecl(name or None, lineno, description.strip(), head.strip())


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _ignore_effect(func: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """What a ``pytest_ignore_collect`` hook does: "all" when its body only returns
    True, None when it returns nothing (pytest's own rules then decide), else "maybe"
    (a False, too, would overrule ``collect_ignore``: pytest takes the first answer)."""
    body = [
        s for s in func.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
    ]
    if (
        len(body) == 1
        and isinstance(body[0], ast.Return)
        and isinstance(body[0].value, ast.Constant)
        and body[0].value.value is True
    ):
        return "all"
    returns = [n for n in ast.walk(func) if isinstance(n, ast.Return)]
    if all(
        r.value is None or (isinstance(r.value, ast.Constant) and r.value.value is None)
        for r in returns
    ):
        return None
    return "maybe"


def read_conftest(
    tree: ast.Module, importable: Callable[[str], bool] | None = None
) -> ConftestRules:
    """The collection settings of a parsed conftest.py; ``importable`` tells whether a
    module can be found (``import_stops.module_found``), to read what stops its import."""
    reader = _Reader()
    defined = [s for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))]
    names = [d.name for d in defined]
    reader.helpers = {d.name: d for d in defined if names.count(d.name) == 1}
    reader.body(tree.body, conditional=False)
    stop = None
    if importable is not None:
        stops = import_stops(tree.body, scan_names(tree.body).dotted, importable)
        stop = first_stop(stops)
    lists = {name: reader.lists[name].frozen() for name in _LISTS if name in reader.lists}
    return ConftestRules(
        collect_ignore=lists.get("collect_ignore"),
        collect_ignore_glob=lists.get("collect_ignore_glob"),
        plugins=tuple(reader.plugins),
        plugins_unknown=tuple(reader.plugins_unknown),
        plugins_binding=reader.plugins_binding,
        hooks=tuple(reader.hooks),
        hook_functions=tuple(reader.hook_functions),
        drops_items=reader.drops_items,
        drops_items_with=reader.drops_items_with,
        generate_tests=generate_tests_reach(tree.body),
        ignore_collect=reader.ignore_collect,
        stop=stop,
        options=tuple(reader.options),
        ini_settings=tuple(reader.ini_settings),
        markers=tuple(reader.markers),
    )


def read_conftest_file(
    path: Path, importable: Callable[[str], bool] | None = None
) -> ConftestRules:
    """The settings of the conftest.py at ``path``; none when it cannot be read or parsed.

    pytest stops with an error on a conftest.py it cannot import; the page of that file
    reports why, so nothing is repeated here.
    """
    try:
        decoded = decode_source(path.read_bytes())
        tree = parse_module(decoded.text, filename=str(path))
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return ConftestRules()
    return read_conftest(tree, importable)
