"""What pytest would collect from one module, worked out from its AST alone."""

from __future__ import annotations

import ast
import fnmatch
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from sphinx_testdocs.analysis.fixtures import (
    BUILTIN_FIXTURES,
    docstring_summary,
    function_argnames,
)
from sphinx_testdocs.analysis.markers import (
    MarkCall,
    Names,
    SourceText,
    _module_statements,
    marker_use,
    marks_from_expr,
    parse_mark,
    scan_names,
    unittest_marker,
)
from sphinx_testdocs.analysis.model import (
    CollectedClass,
    CollectedTest,
    FixtureDef,
    FixtureRequest,
    MarkerUse,
    ModuleCollection,
    Parametrization,
)
from sphinx_testdocs.analysis.parametrize import (
    IdRules,
    ParamSpec,
    combine_ids,
    fixture_param_spec,
    parse_parametrize,
)
from sphinx_testdocs.analysis.pytest_config import PytestConfig, path_matches_patterns

__all__ = [
    "ImportResolver",
    "ResolvedModule",
    "collect_module",
    "conftest_fixtures",
    "is_test_file",
]

from sphinx_testdocs.analysis.fixtures import conftest_fixtures

_FuncNode = ast.FunctionDef | ast.AsyncFunctionDef
# Nested test classes deeper than this are not followed (pytest would, but no real suite
# nests this deep and it bounds the work on adversarial input).
_MAX_CLASS_DEPTH = 40
# unittest bases from the standard library: they add no test methods of their own.
_STD_UNITTEST_BASES = frozenset({"TestCase", "IsolatedAsyncioTestCase", "FunctionTestCase"})
_SCOPE_ORDER = {"session": 0, "package": 1, "module": 2, "class": 3, "function": 4}


def _matches(name: str, patterns: Sequence[str]) -> bool:
    """pytest's ``_matches_prefix_or_glob_option``."""
    for option in patterns:
        if name.startswith(option):
            return True
        if ("*" in option or "?" in option or "[" in option) and fnmatch.fnmatch(name, option):
            return True
    return False


def is_test_file(filename: str, config: PytestConfig) -> bool:
    """Whether pytest collects a file of this name when it walks a directory."""
    return filename.endswith(".py") and path_matches_patterns(filename, config.python_files)


# --- bindings ----------------------------------------------------------------------


@dataclass
class _Binding:
    kind: str  # "func", "class", "value", "import"
    node: ast.AST


@dataclass
class _Scope:
    """The names a module or class body binds, in pytest's ``__dict__`` order."""

    bindings: dict[str, _Binding] = field(default_factory=dict)
    constants: dict[str, ast.expr] = field(default_factory=dict)
    #: ``f.__test__ = value`` assignments in the same body.
    test_attrs: dict[str, ast.expr] = field(default_factory=dict)
    pytestmark: ast.expr | None = None


def _scan_scope(body: list[ast.stmt], names: Names | None) -> _Scope:
    scope = _Scope()
    assigned: dict[str, int] = {}
    spoiled: set[str] = set()
    for stmt in _module_statements(body):
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            scope.bindings[stmt.name] = _Binding("func", stmt)
            spoiled.add(stmt.name)
        elif isinstance(stmt, ast.ClassDef):
            scope.bindings[stmt.name] = _Binding("class", stmt)
            spoiled.add(stmt.name)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            value = stmt.value
            if value is None:
                continue
            for target in targets:
                if isinstance(target, ast.Name):
                    scope.bindings[target.id] = _Binding("value", value)
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
                            scope.bindings[elt.id] = _Binding("value", elt)
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
            func = stmt.value.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                spoiled.add(func.value.id)  # x.append(...), x.update(...), ...
            # shuffle(x), fill(x): a call may mutate what it is given.
            spoiled.update(a.id for a in stmt.value.args if isinstance(a, ast.Name))
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for alias in stmt.names:
                if alias.name != "*":
                    local = alias.asname or alias.name.split(".")[0]
                    scope.bindings[local] = _Binding("import", stmt)
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
    for name, count in assigned.items():
        if count > 1 or name in spoiled:
            scope.constants.pop(name, None)
    return scope


def _spoil_target(target: ast.expr, spoiled: set[str]) -> None:
    # ``x[0] = ...`` or ``x.attr = ...`` mutate x: it is no longer a known literal.
    node = target
    while isinstance(node, (ast.Subscript, ast.Attribute, ast.Starred)):
        node = node.value
    if isinstance(node, ast.Name):
        spoiled.add(node.id)


# --- classes -----------------------------------------------------------------------


@dataclass(frozen=True)
class ResolvedModule:
    """Another module of the project, handed to the collection to follow imported bases."""

    tree: ast.Module
    source: str
    relpath: str
    #: Dotted module name, used to name classes inherited from it.
    name: str = ""


#: ``resolver(module, level)`` -> the project module an import names, or None.
ImportResolver = Callable[[str, int], "ResolvedModule | None"]

#: A mark as found: parsed call (None for unittest decorators), its record, and the
#: module context and names visible where it was written (to evaluate its arguments).
_Mark = tuple[MarkCall | None, MarkerUse, "_Context", Mapping[str, ast.expr]]


@dataclass(eq=False)
class _Class:
    node: ast.ClassDef
    qualname: str
    scope: _Scope
    ctx: _Context
    local_bases: list[_Class] = field(default_factory=list)
    #: Bases defined elsewhere, as written (dotted where possible).
    foreign_bases: list[str] = field(default_factory=list)
    unittest_root: bool = False
    abc_root: bool = False
    mro: list[_Class] | None = None


class _Context:
    """Everything about the module the per-test work needs."""

    def __init__(
        self,
        tree: ast.Module,
        source: str,
        nodeid_path: str,
        relpath: str,
        config: PytestConfig,
        visible: Mapping[str, FixtureDef],
        outer_generate_tests: bool,
        resolver: ImportResolver | None = None,
        foreign: dict[str, _Context | None] | None = None,
        module_name: str = "",
    ) -> None:
        self.resolver = resolver
        # Contexts of other modules, shared by every context of one collect_module call.
        self.foreign_modules: dict[str, _Context | None] = {} if foreign is None else foreign
        self.module_name = module_name
        self.source = SourceText(source)
        self.raw_source = source
        self.names = scan_names(tree.body)
        self.scope = _scan_scope(tree.body, self.names)
        self.nodeid_path = nodeid_path
        self.relpath = relpath
        self.config = config
        self.visible = visible
        self.rules = IdRules(
            escape=not config.disable_test_id_escaping,
            long_str_strategy=config.long_str_id_strategy,
            strict=config.parametrization_ids_strict,
        )
        self.declared = frozenset(config.markers) if config.declares_markers else None
        self.notes: list[str] = []
        self.classes: dict[int, _Class] = {}
        self.generate_tests = outer_generate_tests or (
            _binding_kind(self.scope, "pytest_generate_tests") == "func"
        )
        self.module_fixtures = self._fixtures_in(self.scope, None)
        self.module_marks = self._scope_marks(self.scope, "module", self.scope.constants)

    def release(self) -> None:
        """Break the reference cycles of this context and of those it opened.

        Classes refer to their context and to themselves (through ``mro``), and marks
        to the context that found them: left alone, every file's syntax tree would
        outlive its analysis until a full garbage collection, and a build of a large
        suite spends more time in those collections than in the analysis itself.
        """
        contexts = [self, *(c for c in self.foreign_modules.values() if c is not None)]
        for context in contexts:
            for cls in context.classes.values():
                cls.mro = None
                cls.local_bases.clear()
            context.__dict__.clear()

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    # --- marks -----------------------------------------------------------------

    def _scope_marks(
        self, scope: _Scope, origin: str, constants: Mapping[str, ast.expr]
    ) -> list[_Mark]:
        if scope.pytestmark is None:
            return []
        found = marks_from_expr(scope.pytestmark, self.names) or []
        return [
            (m, marker_use(m, self.source, origin, self.declared), self, constants) for m in found
        ]

    def decorator_marks(
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef,
        origin: str,
        constants: Mapping[str, ast.expr],
    ) -> list[_Mark]:
        """Marks from decorators, in the order pytest stores them (closest first)."""
        out: list[_Mark] = []
        for dec in reversed(node.decorator_list):
            mark = parse_mark(dec, self.names)
            if mark is not None:
                use = marker_use(mark, self.source, origin, self.declared)
                out.append((mark, use, self, constants))
                continue
            unittest_mark = unittest_marker(dec, self.names, self.source)
            if unittest_mark is not None:
                out.append((None, unittest_mark, self, constants))
        return out

    # --- fixtures ----------------------------------------------------------------

    def fixture_call(self, node: _FuncNode) -> ast.Call | ast.expr | None:
        for dec in node.decorator_list:
            target = dec.func if isinstance(dec, ast.Call) else dec
            if self.names.is_fixture(target):
                return dec
        return None

    def _fixtures_in(self, scope: _Scope, owner: _Class | None) -> dict[str, FixtureDef]:
        found: dict[str, FixtureDef] = {}
        for binding in scope.bindings.values():
            if binding.kind != "func":
                continue
            node = binding.node
            assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            dec = self.fixture_call(node)
            if dec is None:
                continue
            fixture = self._fixture_def(node, dec, owner, scope)
            found[fixture.name] = fixture
        return found

    def _fixture_def(
        self, node: _FuncNode, dec: ast.expr, owner: _Class | None, scope: _Scope
    ) -> FixtureDef:
        kwargs: dict[str, ast.expr] = {}
        if isinstance(dec, ast.Call):
            kwargs = {kw.arg: kw.value for kw in dec.keywords if kw.arg is not None}
        name = node.name
        name_node = kwargs.get("name")
        if isinstance(name_node, ast.Constant) and isinstance(name_node.value, str):
            name = name_node.value
        scope_name = "function"
        scope_node = kwargs.get("scope")
        if isinstance(scope_node, ast.Constant) and isinstance(scope_node.value, str):
            scope_name = scope_node.value
        elif scope_node is not None:
            scope_name = "dynamic"
        autouse_node = kwargs.get("autouse")
        autouse = isinstance(autouse_node, ast.Constant) and autouse_node.value is True
        params: Parametrization | None = None
        params_node = kwargs.get("params")
        if params_node is not None and not (
            isinstance(params_node, ast.Constant) and params_node.value is None
        ):
            constants = dict(self.scope.constants)
            if owner is not None:
                constants.update(scope.constants)
            spec = fixture_param_spec(
                name,
                params_node,
                ids_node=kwargs.get("ids"),
                line=params_node.lineno,
                names=self.names,
                constants=constants,
                source=self.source,
                rules=self.rules,
            )
            params = Parametrization(
                argnames=(name,),
                line=spec.line,
                cases=spec.cases.count,
                expression=spec.cases.expression,
                ids=spec.ids,
            )
        is_method = owner is not None and not _is_staticmethod(node)
        return FixtureDef(
            name=name,
            function=node.name if owner is None else f"{owner.qualname}.{node.name}",
            relpath=self.relpath,
            line=node.lineno,
            scope=scope_name,
            autouse=autouse,
            params=params,
            yields=_yields(node),
            docstring_summary=docstring_summary(node),
            requests=tuple(function_argnames(node, drop_first=is_method)),
        )

    # --- classes -----------------------------------------------------------------

    def class_info(self, node: ast.ClassDef, qualname: str) -> _Class:
        info = self.classes.get(id(node))
        if info is not None:
            return info
        info = _Class(node, qualname, _scan_scope(node.body, None), self)
        self.classes[id(node)] = info
        for base in node.bases:
            self._add_base(info, base)
        for kw in node.keywords:
            if kw.arg == "metaclass" and (self.names.dotted(kw.value) or "").endswith("ABCMeta"):
                info.abc_root = True
        return info

    def _add_base(self, info: _Class, base: ast.expr) -> None:
        if isinstance(base, ast.Name):
            binding = self.scope.bindings.get(base.id)
            if binding is not None and binding.kind == "class":
                assert isinstance(binding.node, ast.ClassDef)
                if binding.node is not info.node:
                    info.local_bases.append(self.class_info(binding.node, binding.node.name))
                    return
            if base.id == "object":
                return
        if isinstance(base, ast.Subscript):
            # Generic[T] and friends add no tests.
            return
        attr = self.names.unittest_attr(base)
        if attr is not None and attr.endswith("TestCase"):
            info.unittest_root = True
            return
        dotted = self.names.dotted(base) or self.source.span(base)
        imported = self._imported_class(dotted)
        if imported is not None:
            info.local_bases.append(imported)
            return
        last = dotted.rsplit(".", 1)[-1]
        if dotted in ("abc.ABC", "ABC") or dotted.endswith(".ABC"):
            info.abc_root = True
            return
        if "TestCase" in last:
            # An imported base named like a TestCase is taken to be one, as pytest's
            # unittest plugin would find by issubclass() at import time.
            info.unittest_root = True
        info.foreign_bases.append(dotted)

    def _imported_class(self, dotted: str) -> _Class | None:
        """A base class defined in another module of the project, through the resolver."""
        if self.resolver is None or "." not in dotted:
            return None
        module, _, name = dotted.rpartition(".")
        stripped = module.lstrip(".")
        level = len(module) - len(stripped)
        key = f"{level}:{stripped}"
        if key not in self.foreign_modules:
            self.foreign_modules[key] = None  # also guards against import cycles
            try:
                resolved = self.resolver(stripped, level)
            except Exception:  # the resolver is the caller's code; never let it break us
                resolved = None
            if resolved is not None:
                self.foreign_modules[key] = _Context(
                    resolved.tree,
                    resolved.source,
                    "",
                    resolved.relpath,
                    self.config,
                    {},
                    outer_generate_tests=False,
                    resolver=self.resolver,
                    foreign=self.foreign_modules,
                    module_name=resolved.name or stripped,
                )
        other = self.foreign_modules[key]
        if other is None:
            return None
        binding = other.scope.bindings.get(name)
        if binding is None or binding.kind != "class":
            return None
        assert isinstance(binding.node, ast.ClassDef)
        qualname = f"{other.module_name}.{name}" if other.module_name else name
        return other.class_info(binding.node, qualname)

    def mro(self, info: _Class, depth: int = 0) -> list[_Class]:
        """C3 linearisation over the classes defined in this module."""
        if info.mro is not None:
            return info.mro
        if depth > _MAX_CLASS_DEPTH:
            raise RecursionError("class hierarchy too deep")
        info.mro = [info]  # guards against cycles while computing
        sequences = [list(self.mro(b, depth + 1)) for b in info.local_bases]
        sequences.append(list(info.local_bases))
        result = [info]
        while True:
            sequences = [s for s in sequences if s]
            if not sequences:
                break
            for seq in sequences:
                head = seq[0]
                if not any(head in s[1:] for s in sequences):
                    break
            else:
                # Inconsistent hierarchy (Python raises TypeError): keep a DFS order.
                for seq in sequences:
                    result.extend(c for c in seq if c not in result)
                break
            result.append(head)
            for s in sequences:
                if s and s[0] is head:
                    del s[0]
        info.mro = result
        return result

    def is_unittest(self, info: _Class) -> bool:
        return any(c.unittest_root for c in self.mro(info))

    def foreign(self, info: _Class) -> list[str]:
        return [b for c in self.mro(info) for b in c.foreign_bases]


def _env(module_constants: Mapping[str, ast.expr], scope: _Scope) -> dict[str, ast.expr]:
    """Names visible in a class body: the module's, shadowed by the body's own."""
    merged = dict(module_constants)
    merged.update(scope.constants)
    return merged


def _creates_names_dynamically(source: str) -> bool:
    """Whether the module may add tests pytest sees but its statements do not show.

    A text search, not an AST walk: cheap, and a false alarm only costs a note.
    """
    return "globals()" in source or "exec(" in source or "setattr(sys.modules" in source


def _binding_kind(scope: _Scope, name: str) -> str | None:
    binding = scope.bindings.get(name)
    return None if binding is None else binding.kind


def _is_staticmethod(node: _FuncNode) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)


def _yields(node: _FuncNode) -> bool:
    """Whether the function body yields (statements only, nested defs excluded)."""
    stack: list[ast.stmt] = list(node.body)
    while stack:
        stmt = stack.pop()
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        value = getattr(stmt, "value", None)
        if isinstance(value, (ast.Yield, ast.YieldFrom)) or (
            isinstance(value, ast.Await) and isinstance(value.value, (ast.Yield, ast.YieldFrom))
        ):
            return True
        for attr in ("body", "orelse", "finalbody", "handlers", "cases"):
            children = getattr(stmt, attr, None)
            if children:
                stack.extend(children)
    return False


def _constant_bool(node: ast.AST | None) -> bool | None:
    if isinstance(node, ast.Constant):
        return bool(node.value)
    return None


# --- tests -------------------------------------------------------------------------


@dataclass
class _Holder:
    """A collecting node: the module or a class, with what it passes down to tests."""

    cls: _Class | None
    class_path: tuple[str, ...]
    nodeid: str
    marks: list[_Mark]  # class marks, innermost holder first
    fixtures: list[dict[str, FixtureDef]]  # closest first (class MRO, outer classes)
    unittest: bool = False


@dataclass
class _Result:
    tests: list[CollectedTest] = field(default_factory=list)
    classes: list[CollectedClass] = field(default_factory=list)


class _Collector:
    def __init__(self, ctx: _Context) -> None:
        self.ctx = ctx
        self.result = _Result()

    # --- module ------------------------------------------------------------------

    def collect_module(self) -> None:
        ctx = self.ctx
        holder = _Holder(
            cls=None,
            class_path=(),
            nodeid=ctx.nodeid_path,
            marks=list(ctx.module_marks),
            fixtures=[],
        )
        config = ctx.config
        for name, binding in ctx.scope.bindings.items():
            if binding.kind == "class":
                assert isinstance(binding.node, ast.ClassDef)
                self._maybe_class(binding.node, name, holder, depth=0)
            elif binding.kind == "func":
                assert isinstance(binding.node, (ast.FunctionDef, ast.AsyncFunctionDef))
                if self._is_test_function(name, binding.node, ctx.scope):
                    self._add_test(name, binding.node, holder, None)
            elif binding.kind == "value":
                self._value_binding(name, binding, holder, ctx.scope)
            elif binding.kind == "import" and config.collect_imported_tests:
                assert isinstance(binding.node, (ast.Import, ast.ImportFrom))
                self._imported_binding(name, binding.node)
        if _creates_names_dynamically(ctx.raw_source):
            ctx.note("the module creates names at import time (exec, globals(), setattr)")
        if ctx.names.star_imports:
            ctx.note(
                "star import from "
                + ", ".join(ctx.names.star_imports)
                + " may bring tests pytest collects here"
            )

    def _imported_binding(self, name: str, stmt: ast.Import | ast.ImportFrom) -> None:
        config = self.ctx.config
        if not (_matches(name, config.python_functions) or _matches(name, config.python_classes)):
            return
        module = stmt.module if isinstance(stmt, ast.ImportFrom) else None
        if module is not None and module.split(".")[0] in ("unittest", "pytest", "_pytest"):
            return  # these modules export no collectable tests
        if isinstance(stmt, ast.Import):
            return  # a module object is never collected
        self.ctx.note(f"imported name {name!r} may be collected as a test")

    def _value_binding(self, name: str, binding: _Binding, holder: _Holder, scope: _Scope) -> None:
        config = self.ctx.config
        if not _matches(name, config.python_functions):
            if _matches(name, config.python_classes) and isinstance(binding.node, ast.Call):
                self.ctx.note(f"{name!r} is computed and may be a test class")
            return
        value = binding.node
        if isinstance(value, ast.Name):
            target = scope.bindings.get(value.id) or self.ctx.scope.bindings.get(value.id)
            if target is not None and target.kind == "func":
                assert isinstance(target.node, (ast.FunctionDef, ast.AsyncFunctionDef))
                if self.ctx.fixture_call(target.node) is None:
                    self._add_test(name, target.node, holder, None)
                return
            if target is not None and target.kind == "value":
                return
        if isinstance(value, ast.Lambda):
            # A lambda is a plain function to pytest, collected under the bound name.
            func = ast.FunctionDef(
                name=name, args=value.args, body=[], decorator_list=[], returns=None
            )
            ast.copy_location(func, value)
            self._add_test(name, func, holder, None)
            return
        if isinstance(
            value,
            (
                ast.Constant,
                ast.List,
                ast.Tuple,
                ast.Dict,
                ast.Set,
                ast.ListComp,
                ast.DictComp,
                ast.SetComp,
                ast.GeneratorExp,
                ast.JoinedStr,
                ast.BinOp,
                ast.Compare,
                ast.BoolOp,
            ),
        ):
            return  # not callable: pytest skips it
        self.ctx.note(f"{name!r} is assigned a computed value pytest may collect as a test")

    def _is_test_function(
        self, name: str, node: _FuncNode, scope: _Scope, ctx: _Context | None = None
    ) -> bool:
        test_attr = _constant_bool(scope.test_attrs.get(name))
        if test_attr is False:
            return False
        if not (_matches(name, self.ctx.config.python_functions) or test_attr is True):
            return False
        return (ctx or self.ctx).fixture_call(node) is None

    # --- classes -------------------------------------------------------------------

    def _maybe_class(self, node: ast.ClassDef, name: str, holder: _Holder, depth: int) -> None:
        ctx = self.ctx
        qualname = node.name if holder.cls is None else f"{holder.cls.qualname}.{node.name}"
        info = ctx.class_info(node, qualname)
        mro = ctx.mro(info)
        unittest = ctx.is_unittest(info)
        dunder_test = self._class_attr(mro, "__test__")
        if unittest:
            if self._is_abstract(mro):
                return
        else:
            if not (_matches(name, ctx.config.python_classes) or dunder_test is True):
                return
            if self._is_abstract(mro):
                return
        if depth >= _MAX_CLASS_DEPTH:
            ctx.note(f"class {qualname} is nested too deeply to follow")
            return
        nodeid = f"{holder.nodeid}::{name}"
        class_marks = self._class_marks(mro)
        self.result.classes.append(
            CollectedClass(
                name=name,
                nodeid=nodeid,
                line=node.lineno,
                style="unittest" if unittest else "pytest",
                markers=tuple(m[1] for m in class_marks),
                docstring_summary=docstring_summary(node),
            )
        )
        foreign = ctx.foreign(info)
        if foreign:
            ctx.note(f"class {name} inherits from {', '.join(foreign)}, defined elsewhere")
        if dunder_test is False:
            return
        if not unittest:
            for dunder in ("__init__", "__new__"):
                if self._class_attr_binding(mro, dunder) is not None:
                    # pytest warns "cannot collect test class ... because it has a
                    # __init__ constructor" and collects nothing from it.
                    return
        class_fixtures = [cls.ctx._fixtures_in(cls.scope, cls) for cls in mro]
        child = _Holder(
            cls=info,
            class_path=(*holder.class_path, name),
            nodeid=nodeid,
            marks=class_marks + holder.marks,
            fixtures=class_fixtures + holder.fixtures,
            unittest=unittest,
        )
        if unittest:
            self._unittest_methods(info, mro, child)
        else:
            self._pytest_members(info, mro, child, depth)

    def _class_attr_binding(self, mro: list[_Class], name: str) -> _Binding | None:
        for cls in mro:
            binding = cls.scope.bindings.get(name)
            if binding is not None:
                return binding
        return None

    def _class_attr(self, mro: list[_Class], name: str) -> bool | None:
        binding = self._class_attr_binding(mro, name)
        if binding is None or binding.kind != "value":
            return None
        assert isinstance(binding.node, ast.expr)
        return _constant_bool(binding.node)

    def _is_abstract(self, mro: list[_Class]) -> bool:
        if not any(c.abc_root for c in mro):
            return False
        seen: set[str] = set()
        for cls in mro:
            for name, binding in cls.scope.bindings.items():
                if name in seen:
                    continue
                seen.add(name)
                node = binding.node
                if binding.kind == "func" and isinstance(
                    node, (ast.FunctionDef, ast.AsyncFunctionDef)
                ):
                    for dec in node.decorator_list:
                        dotted = cls.ctx.names.dotted(dec) or ""
                        if dotted.endswith("abstractmethod"):
                            return True
        return False

    def _class_marks(self, mro: list[_Class]) -> list[_Mark]:
        """Marks of a class including its bases', in pytest's ``iter_markers`` order."""
        out: list[_Mark] = []
        # pytest stores base-class marks first (reversed MRO); within a class the
        # body's ``pytestmark`` comes before decorators (applied bottom-up). A body sees
        # its own names and the module's; decorators only the module's.
        for cls in reversed(mro):
            module_constants = cls.ctx.scope.constants
            out.extend(cls.ctx._scope_marks(cls.scope, "class", _env(module_constants, cls.scope)))
            out.extend(cls.ctx.decorator_marks(cls.node, "class", module_constants))
        return out

    def _members(self, mro: list[_Class]) -> Iterator[tuple[str, _Binding, _Class]]:
        """Members in pytest's order: base classes' first, each in definition order."""
        seen: set[str] = set()
        per_class: list[list[tuple[str, _Binding, _Class]]] = []
        for cls in mro:
            items = []
            for name, binding in cls.scope.bindings.items():
                if name in seen:
                    continue
                seen.add(name)
                items.append((name, binding, cls))
            per_class.append(items)
        for items in reversed(per_class):
            yield from items

    def _pytest_members(
        self, info: _Class, mro: list[_Class], holder: _Holder, depth: int
    ) -> None:
        for name, binding, owner in self._members(mro):
            if binding.kind == "func":
                node = binding.node
                assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                if self._is_test_function(name, node, owner.scope, owner.ctx):
                    self._add_test(name, node, holder, owner if owner is not info else None)
            elif binding.kind == "class":
                assert isinstance(binding.node, ast.ClassDef)
                self._maybe_class(binding.node, name, holder, depth + 1)
            elif binding.kind == "value":
                self._value_binding(name, binding, holder, owner.scope)

    def _unittest_methods(self, info: _Class, mro: list[_Class], holder: _Holder) -> None:
        found: list[tuple[str, _FuncNode, _Class]] = []
        for name, binding, owner in self._members(mro):
            if not name.startswith("test"):
                continue
            node = binding.node
            if binding.kind == "value" and isinstance(node, ast.Name):
                target = owner.scope.bindings.get(node.id)
                if target is not None and target.kind == "func":
                    node = target.node
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if binding.kind == "value" and isinstance(node, (ast.Call, ast.Attribute)):
                    self.ctx.note(f"{info.qualname}.{name} is computed and may be a test")
                continue
            if _constant_bool(owner.scope.test_attrs.get(name)) is False:
                continue
            found.append((name, node, owner))
        # unittest's TestLoader sorts test method names.
        found.sort(key=lambda item: item[0])
        if not found:
            run_test = self._class_attr_binding(mro, "runTest")
            if run_test is not None and isinstance(
                run_test.node, (ast.FunctionDef, ast.AsyncFunctionDef)
            ):
                owner = next(c for c in mro if "runTest" in c.scope.bindings)
                found.append(("runTest", run_test.node, owner))
        for name, node, owner in found:
            self._add_test(name, node, holder, owner if owner is not info else None)

    # --- one test --------------------------------------------------------------------

    def _add_test(
        self, name: str, node: _FuncNode, holder: _Holder, inherited: _Class | None
    ) -> None:
        ctx = self.ctx
        defined_in = inherited or holder.cls
        owner_ctx = defined_in.ctx if defined_in is not None else ctx
        constants = (
            _env(owner_ctx.scope.constants, defined_in.scope)
            if defined_in is not None
            else owner_ctx.scope.constants
        )
        own_marks = owner_ctx.decorator_marks(node, "decorator", constants)
        all_marks = own_marks + holder.marks
        markers: list[MarkerUse] = [m[1] for m in all_marks]

        specs: list[ParamSpec] = []
        unreadable: list[Parametrization] = []
        usefixtures: list[str] = []
        if not holder.unittest:
            for mark, use, mctx, mconstants in all_marks:
                if mark is None or mark.name != "parametrize":
                    continue
                spec = parse_parametrize(mark, mctx.names, mconstants, mctx.source, ctx.rules)
                if spec is None:
                    unreadable.append(
                        Parametrization(
                            argnames=(),
                            line=use.line,
                            cases=None,
                            expression=use.args,
                        )
                    )
                    continue
                specs.append(spec)
                for param_mark in spec.marks:
                    markers.append(marker_use(param_mark, mctx.source, "param", ctx.declared))
        for mark, *_rest in all_marks:
            if mark is not None and mark.name == "usefixtures" and mark.call is not None:
                for arg in mark.call.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        usefixtures.append(arg.value)

        # Fixture requests, in pytest's initialnames order.
        direct: set[str] = set()
        for spec in specs:
            direct.update(a for a in spec.argnames if a not in spec.indirect)
        parametrized: set[str] = {a for spec in specs for a in spec.argnames}
        argnames: list[str] = []
        if not holder.unittest:
            is_method = holder.cls is not None and not _is_staticmethod(node)
            argnames = function_argnames(
                node, drop_first=is_method, mock_patches=self._mock_patches(node, owner_ctx)
            )
            argnames = self._minus_given(node, argnames, owner_ctx)
        chain = self._fixture_chain(holder)
        initial: list[str] = [*self._autouse(chain), *ctx.config.usefixtures, *usefixtures]
        initial.extend(a for a in argnames if a not in direct)
        closure, unresolved = self._closure(initial, direct, chain)
        requests: list[FixtureRequest] = []
        for fname in dict.fromkeys([*initial]):
            requests.append(FixtureRequest(fname, self._resolve(fname, chain, 0)))

        # Parametrized fixtures used by the test multiply its cases.
        fixture_params: list[Parametrization] = []
        unknown_fixture_params = False
        if not holder.unittest:
            for fname in closure:
                if fname in parametrized:
                    continue
                level = 0
                while True:
                    fdef = self._resolve(fname, chain, level)
                    if fdef is None:
                        if level > 0:
                            unknown_fixture_params = True
                        break
                    if fdef.params is not None:
                        fixture_params.append(fdef.params)
                        break
                    if fname not in fdef.requests:
                        break
                    level += 1

        # pytest applies parametrized fixtures before the parametrize marks, so their
        # ids come first in the case id and they vary slowest.
        parametrizations = list(fixture_params)
        parametrizations += [
            Parametrization(
                argnames=s.argnames,
                line=s.line,
                cases=s.cases.count,
                expression=s.cases.expression,
                ids=s.ids,
            )
            for s in specs
        ]
        parametrizations.extend(unreadable)

        counts = [p.cases for p in parametrizations]
        cases: int | None
        hooked = ctx.generate_tests and not holder.unittest
        if hooked or unknown_fixture_params or any(c is None for c in counts):
            cases = None
        else:
            cases = math.prod(c for c in counts if c is not None)
        exact = cases is not None and not unresolved

        case_ids: tuple[str, ...] | None = None
        if cases is not None and parametrizations:
            id_lists = [p.ids for p in parametrizations]
            if all(ids is not None for ids in id_lists):
                try:
                    case_ids = combine_ids([ids for ids in id_lists if ids is not None])
                except OverflowError:
                    case_ids = None
                if case_ids is not None and len(case_ids) != cases:
                    case_ids = None

        self.result.tests.append(
            CollectedTest(
                name=name,
                nodeid=f"{holder.nodeid}::{name}",
                line=node.lineno,
                class_path=holder.class_path,
                is_async=isinstance(node, ast.AsyncFunctionDef),
                markers=tuple(markers),
                parametrizations=tuple(parametrizations),
                fixtures=tuple(requests),
                cases=cases,
                exact=exact,
                case_ids=case_ids,
                docstring_summary=docstring_summary(node),
                inherited_from=inherited.qualname if inherited is not None else None,
            )
        )

    def _mock_patches(self, node: _FuncNode, ctx: _Context) -> int:
        count = 0
        for dec in node.decorator_list:
            if not isinstance(dec, ast.Call) or not ctx.names.is_patch(dec.func):
                continue
            func = dec.func
            if isinstance(func, ast.Attribute) and func.attr in ("multiple", "dict"):
                continue
            # The replacement object is positional argument 2 for patch.object, 1 for patch.
            new_index = 2 if isinstance(func, ast.Attribute) and func.attr == "object" else 1
            has_new = len(dec.args) > new_index or any(kw.arg == "new" for kw in dec.keywords)
            if not has_new:
                count += 1
        return count

    def _minus_given(self, node: _FuncNode, argnames: list[str], ctx: _Context) -> list[str]:
        """Hypothesis' ``@given`` hides the arguments it provides from pytest."""
        for dec in node.decorator_list:
            if isinstance(dec, ast.Call) and ctx.names.is_given(dec.func):
                given_kw = {kw.arg for kw in dec.keywords if kw.arg is not None}
                argnames = [a for a in argnames if a not in given_kw]
                if dec.args:
                    argnames = argnames[: max(len(argnames) - len(dec.args), 0)]
        return argnames

    # --- fixture resolution ------------------------------------------------------------

    def _fixture_chain(self, holder: _Holder) -> list[Mapping[str, FixtureDef]]:
        return [
            *holder.fixtures,
            self.ctx.module_fixtures,
            self.ctx.visible,
            BUILTIN_FIXTURES,
        ]

    def _resolve(
        self, name: str, chain: list[Mapping[str, FixtureDef]], skip: int
    ) -> FixtureDef | None:
        """The definition ``name`` resolves to, skipping ``skip`` overridden ones."""
        for level in chain:
            fixture = level.get(name)
            if fixture is not None:
                if skip == 0:
                    return fixture
                skip -= 1
        return None

    def _autouse(self, chain: list[Mapping[str, FixtureDef]]) -> list[str]:
        names: list[str] = []
        # pytest lists autouse fixtures from the outermost node inwards.
        for level in reversed(chain):
            for fixture in level.values():
                if fixture.autouse and fixture.name not in names:
                    names.append(fixture.name)
        return names

    def _closure(
        self, initial: list[str], ignore: set[str], chain: list[Mapping[str, FixtureDef]]
    ) -> tuple[list[str], bool]:
        closure = list(dict.fromkeys(initial))
        unresolved = False
        index = 0
        while index < len(closure):
            fname = closure[index]
            index += 1
            if fname in ignore:
                continue
            fixture = self._resolve(fname, chain, 0)
            if fixture is None:
                unresolved = True
                continue
            for arg in fixture.requests:
                if arg not in closure:
                    closure.append(arg)

        def scope_key(fname: str) -> int:
            fixture = self._resolve(fname, chain, 0)
            return _SCOPE_ORDER.get(fixture.scope, 4) if fixture is not None else 4

        closure.sort(key=scope_key)
        return closure, unresolved


# --- entry point -------------------------------------------------------------------


def collect_module(
    tree: ast.Module,
    *,
    source: str,
    filename: str,
    nodeid_path: str,
    relpath: str,
    config: PytestConfig,
    visible_fixtures: Mapping[str, FixtureDef],
    outer_generate_tests: bool = False,
    resolver: ImportResolver | None = None,
) -> ModuleCollection:
    """What pytest would collect from one parsed module, without importing it.

    ``filename`` is the base name (matched against ``python_files``), ``nodeid_path``
    the node-id prefix, ``relpath`` is recorded on the fixtures defined here, and
    ``visible_fixtures`` are the conftest fixtures visible from the module's directory
    (see :func:`conftest_fixtures`). ``outer_generate_tests`` says a conftest above
    defines ``pytest_generate_tests``, which makes case counts unknowable. ``resolver``
    lets test classes inherit from classes in other project modules: it is called with
    an import's module name and level and returns that module parsed, or None.
    Never raises.
    """
    config_file = _config_file_label(config)
    try:
        ctx = _Context(
            tree,
            source,
            nodeid_path,
            relpath,
            config,
            visible_fixtures,
            outer_generate_tests,
            resolver=resolver,
        )
    except (RecursionError, MemoryError):
        return ModuleCollection(
            is_test_module=False,
            reason="The module is too deeply nested to analyse.",
            config_file=config_file,
            complete=False,
        )
    try:
        return _collect(ctx, filename, config, config_file)
    finally:
        ctx.release()


def _collect(
    ctx: _Context, filename: str, config: PytestConfig, config_file: str | None
) -> ModuleCollection:
    fixtures = tuple(ctx.module_fixtures.values())
    module_markers = tuple(m[1] for m in ctx.module_marks)
    generate_tests_hook = _binding_kind(ctx.scope, "pytest_generate_tests") == "func"

    def done(is_test: bool, reason: str, collector: _Collector | None = None) -> ModuleCollection:
        return ModuleCollection(
            is_test_module=is_test,
            reason=reason,
            tests=tuple(collector.result.tests) if collector else (),
            classes=tuple(collector.result.classes) if collector else (),
            fixtures=fixtures,
            module_markers=module_markers,
            config_file=config_file,
            complete=not ctx.notes,
            notes=tuple(ctx.notes),
            generate_tests_hook=generate_tests_hook,
        )

    if filename == "conftest.py":
        return done(
            False, "conftest.py holds fixtures and hooks; pytest collects no tests from it."
        )
    if not is_test_file(filename, config):
        patterns = " ".join(config.python_files)
        return done(
            False,
            f"The file name does not match python_files ({patterns}), so pytest does not "
            "collect it when walking directories.",
        )
    dunder_test = ctx.scope.bindings.get("__test__")
    if (
        dunder_test is not None
        and dunder_test.kind == "value"
        and _constant_bool(dunder_test.node) is False
    ):
        return done(True, "pytest imports this module but __test__ = False disables collection.")
    collector = _Collector(ctx)
    try:
        collector.collect_module()
    except (RecursionError, MemoryError):
        ctx.note("the module is too deeply nested to analyse completely")
    count = len(collector.result.tests)
    patterns = " ".join(config.python_files)
    reason = (
        f"The file name matches python_files ({patterns}); "
        f"{count} test function{'s' if count != 1 else ''} found."
    )
    return done(True, reason, collector)


def _config_file_label(config: PytestConfig) -> str | None:
    if config.config_file is None:
        return None
    try:
        return config.config_file.relative_to(config.rootdir).as_posix()
    except ValueError:
        return config.config_file.as_posix()
