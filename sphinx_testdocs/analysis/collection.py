"""What pytest would collect from one module, worked out from its AST alone.

Other modules are read as source, never imported, where a name leads to them (a base
class, a star import, a framework's decorator): see :mod:`._context`. Frameworks that
make tests at import time are known from :mod:`.dialects`; their naming rules live in
:mod:`.generated`.
"""

from __future__ import annotations

import ast
import fnmatch
import functools
import math
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from sphinx_testdocs.analysis._context import (
    ClassInfo,
    ClassNames,
    FuncNode,
    Mark,
    ModuleContext,
    ModuleLinks,
    is_staticmethod,
)
from sphinx_testdocs.analysis._scope import Binding, Scope, hands_namespace
from sphinx_testdocs.analysis.addopts import parse_addopts
from sphinx_testdocs.analysis.dialects import Role, lookup
from sphinx_testdocs.analysis.fixtures import (
    BUILTIN_FIXTURES,
    conftest_fixtures,
    docstring_summary,
    function_argnames,
)
from sphinx_testdocs.analysis.generate_hook import Reach, combine, hook_reach, reaches
from sphinx_testdocs.analysis.generated import (
    Parametrizer,
    Variants,
    device_variants,
    dtype_list,
    parametrized_variants,
    torch_parametrizer,
)
from sphinx_testdocs.analysis.import_stops import (
    ImportStop,
    first_stop,
    import_stops,
    installed_version,
    module_found,
)
from sphinx_testdocs.analysis.markers import parse_mark, scan_names
from sphinx_testdocs.analysis.model import (
    CollectedClass,
    CollectedTest,
    FixtureDef,
    FixtureRequest,
    MarkerUse,
    ModuleCollection,
    Parametrization,
)
from sphinx_testdocs.analysis.modules import module_name, package_basedir
from sphinx_testdocs.analysis.parametrize import (
    ParamSpec,
    _constant,
    _CountOnly,
    _elements,
    _Unknown,
    argvalues_of,
    combine_ids,
    parse_parametrize,
)
from sphinx_testdocs.analysis.pytest_config import PytestConfig
from sphinx_testdocs.analysis.selection import (
    is_test_file,
    python_files_match,
    python_files_reason,
)
from sphinx_testdocs.analysis.warning_filters import ITERATOR_PARAMETRIZE, is_error

__all__ = [
    "DEFAULT_DEVICE_TYPES",
    "ModuleLinks",
    "collect_module",
    "conftest_fixtures",
    "is_test_file",
]

#: The device types PyTorch instantiates tests for on a machine with only a CPU.
DEFAULT_DEVICE_TYPES: tuple[str, ...] = ("cpu",)
#: Nested test classes deeper than this are not followed (pytest would, but no real
#: suite nests this deep and it bounds the work on adversarial input).
_MAX_CLASS_DEPTH = 40
_SCOPE_ORDER = {"session": 0, "package": 1, "module": 2, "class": 3, "function": 4}
#: What stands for the unknown part of a name, by the decorator's name.
_PLACEHOLDERS = {"ops": "<op>", "modules": "<module>", "optims": "<optim>"}


def _matches(name: str, patterns: Sequence[str]) -> bool:
    """pytest's ``_matches_prefix_or_glob_option``."""
    for option in patterns:
        if name.startswith(option):
            return True
        if ("*" in option or "?" in option or "[" in option) and fnmatch.fnmatch(name, option):
            return True
    return False


def _env(module_constants: Mapping[str, ast.expr], scope: Scope) -> ClassNames:
    """Names visible in a class body: the module's, shadowed by the body's own."""
    merged = ClassNames(module_constants)
    merged.update(scope.constants)
    # Its names (methods, names bound twice too) hide the module's.
    merged.hidden = frozenset(scope.bindings)
    merged.own = frozenset(scope.constants)
    return merged


def _constant_bool(node: ast.AST | None) -> bool | None:
    if isinstance(node, ast.Constant):
        return bool(node.value)
    return None


# --- what the module's top-level calls do ------------------------------------------


@dataclass
class _Instantiation:
    """``instantiate_device_type_tests(Generic, globals(), ...)`` understood."""

    generic: ClassInfo
    devices: tuple[str, ...]
    call: ast.Call
    #: Why the device types are not certain (``only_for`` computed...), else None.
    doubt: str | None = None


@dataclass
class _ModulePlan:
    """What top-level code does to the module's classes before pytest sees them."""

    #: Generic classes ``instantiate_device_type_tests`` removes, by node id.
    removed: set[int] = field(default_factory=set)
    #: Call node id -> the device classes it adds (at the call's place).
    instantiations: dict[int, _Instantiation] = field(default_factory=dict)
    #: Class nodes whose parametrized tests are instantiated (by node id).
    parametrized: set[int] = field(default_factory=set)
    #: Class node id -> why pytest may collect more tests than its body shows.
    added_to: dict[int, str] = field(default_factory=dict)
    #: Class node id -> why the tests its body shows may not be collected as shown.
    changed: dict[int, str] = field(default_factory=dict)
    #: Class node ID -> why pytest fails to collect it (a test of it parametrizes a
    #: name it does not use), and whether surely: none of its tests is collected.
    failed_classes: dict[str, tuple[str, bool]] = field(default_factory=dict)


# --- tests -------------------------------------------------------------------------


@dataclass
class _Holder:
    """A collecting node: the module or a class, with what it passes down to tests."""

    cls: ClassInfo | None
    class_path: tuple[str, ...]
    nodeid: str
    marks: list[Mark]  # class marks, innermost holder first
    fixtures: list[dict[str, FixtureDef]]  # closest first (class MRO, outer classes)
    unittest: bool = False
    #: The device type a PyTorch device class was made for.
    device: str | None = None
    #: Why every test of this holder is uncertain, when it is.
    doubt: str | None = None


def _conditional_doubt(line: int) -> str:
    return (
        f"it is defined under the if/try at line {line}: pytest collects it only if "
        "that code runs on import"
    )


def _note_rebinds(ctx: ModuleContext, scope: Scope, prefix: str) -> None:
    """Say so when which of two definitions pytest sees depends on what runs."""
    for name, line in scope.conditional_rebinds:
        if name.startswith(("test", "Test")):
            ctx.note(
                f"{prefix}{name} is defined again at line {line}, one of the definitions "
                "under an if/try: pytest collects the one that is bound last when the "
                "module runs"
            )


def _if_run(holder: _Holder, binding: Binding) -> _Holder:
    """The holder, for a definition that exists only if its ``if``/``try`` runs."""
    if binding.condition is None or holder.doubt is not None:
        return holder
    return replace(holder, doubt=_conditional_doubt(binding.condition))


@dataclass(frozen=True)
class _Generated:
    """One name a test method is collected under (after a framework renamed it)."""

    name: str
    source_name: str | None = None
    generated_by: str | None = None
    is_pattern: bool = False
    count: int | None = 1
    doubt: str | None = None


#: A stop that ends a module's import: the stop, where it is written (" of
#: pkg/__init__.py", "" in the module) and when it runs ("run on import").
_FoundStop = tuple[ImportStop, str, str]


@dataclass
class _Result:
    tests: list[CollectedTest] = field(default_factory=list)
    classes: list[CollectedClass] = field(default_factory=list)


class _Collector:
    def __init__(
        self,
        ctx: ModuleContext,
        device_types: Sequence[str],
        plugin_fixtures: Mapping[str, FixtureDef],
    ) -> None:
        self.ctx = ctx
        self.device_types = tuple(device_types)
        self.plugin_fixtures = plugin_fixtures
        self.result = _Result()
        self.plan = _ModulePlan()
        #: Why pytest collects none of the module's tests, when every import stops.
        self.stopped: str | None = None
        self.stop_effect: str | None = None
        #: Whether parametrize given an iterator stops collection (:mod:`.warning_filters`).
        self.iterators_fail = _iterators_fail(ctx.config)
        #: Why pytest refuses the module while collecting a test (a parametrize given an
        #: iterator, a generator test), and whether that test is surely collected.
        self.refusal: tuple[str, bool] | None = None
        #: ``ModuleCollection.errors``.
        self.errors: list[str] = []

    # --- module ------------------------------------------------------------------

    def collect_module(self) -> None:
        ctx = self.ctx
        self.plan = self._module_plan()
        holder = _Holder(
            cls=None,
            class_path=(),
            nodeid=ctx.nodeid_path,
            marks=list(ctx.module_marks),
            fixtures=[],
        )
        config = ctx.config
        marked = self._marked_fixture()
        if marked is not None:
            # pytest 9 refuses such a module ("Marks cannot be applied to fixtures"):
            # it collects none of its tests; pytest 8 only warned.
            holder.doubt = (
                f"a mark is applied to fixture {marked[0]} (line {marked[1]}): pytest 9 "
                "and later refuse the module, collecting none of its tests"
            )
            ctx.note(holder.doubt)
        stop, effect = self._import_stop()
        if effect is not None:
            self.stopped, self.stop_effect = stop, effect
        elif stop is not None:
            ctx.note(stop)
            holder.doubt = holder.doubt or stop
        for name, binding in ctx.scope.bindings.items():
            node = binding.node
            if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                dynamic = ctx.dynamic_decorator(node)
                if dynamic is not None:
                    ctx.note(
                        f"decorator {dynamic[0]} (line {dynamic[1]}) creates names when it "
                        "runs on import: pytest may collect tests made there"
                    )
            if binding.kind == "class":
                assert isinstance(binding.node, ast.ClassDef)
                if id(binding.node) not in self.plan.removed:
                    self._maybe_class(binding.node, name, _if_run(holder, binding), depth=0)
            elif binding.kind == "func":
                assert isinstance(binding.node, (ast.FunctionDef, ast.AsyncFunctionDef))
                if self._is_test_function(name, binding.node, ctx.scope):
                    self._add_test(name, binding.node, _if_run(holder, binding), None)
            elif binding.kind == "value":
                self._value_binding(name, binding, holder, ctx.scope)
            elif binding.kind == "import" and config.collect_imported_tests:
                self._imported_binding(name, binding, holder)
            elif binding.kind == "call":
                instantiation = self.plan.instantiations.get(id(binding.node))
                if instantiation is not None:
                    for device in instantiation.devices:
                        self._device_class(instantiation, device, holder)
                elif isinstance(binding.node, ast.Call) and hands_namespace(binding.node):
                    # pyarrow's ``inject_cpp_tests(globals())``: a call no framework
                    # table models, given the namespace pytest collects from.
                    ctx.note(
                        f"code run on import hands the module's namespace to a call "
                        f"(line {binding.node.lineno}): pytest may collect tests made there"
                    )
        _note_rebinds(ctx, ctx.scope, "")
        self._failed_classes()
        self._refused()
        if ctx.scope.dynamic_lines:
            lines = ", ".join(str(n) for n in ctx.scope.dynamic_lines[:3])
            ctx.note(
                f"code run on import creates names no statement shows (line {lines}): "
                "pytest may collect tests made there"
            )
        for star in ctx.unread_stars:
            ctx.note(f"star import from {star} could not be read: it may bring tests")

    def _iterator_to_a_decorator(self, node: FuncNode, owner_ctx: ModuleContext) -> None:
        """A decorator not read as a mark (``@testing.parametrize``, an alias made in
        another module) given an iterator: if it parametrizes, collection stops."""
        for dec in node.decorator_list:
            if not isinstance(dec, ast.Call) or owner_ctx.mark_of(dec) is not None:
                continue
            given = next((a for a in dec.args if _is_iterator(a, owner_ctx)), None)
            if given is not None:
                self.refusal = (
                    f"decorator {_short(dec.func)} of {node.name} (line {dec.lineno}) is "
                    f"given an iterator ({_short(given)}): if it parametrizes, pytest 9.1 "
                    "and later warn, and filterwarnings makes that an error, so pytest "
                    "collects none of the module's tests",
                    False,
                )
                return

    def _uses_no_argument(
        self,
        node: FuncNode,
        holder: _Holder,
        argname: str,
        owner_ctx: ModuleContext,
        closure_known: bool,
    ) -> None:
        """A parametrize naming what the test neither takes nor requests through its
        fixtures: pytest fails "function uses no argument" while collecting the test's
        collector, its class (none of the class's tests is collected) or the module."""
        what = (
            f"the parametrize of {node.name} (line {node.lineno}) names {argname!r}, which "
            "it neither takes nor requests through a fixture: pytest reports an error and "
            "collects none of"
        )
        # Surely, where every fixture it requests was found and nothing rewrites it.
        surely = closure_known and holder.doubt is None and not owner_ctx.opaque_decorator(node)
        if holder.cls is None:
            if self.refusal is None:
                self.refusal = (f"{what} the module's tests", surely)
            return
        why = f"class {holder.class_path[-1]}: {what} the class's tests"
        self.plan.failed_classes.setdefault(holder.nodeid, (why, surely))

    def _wide_spec(self, spec: ParamSpec, chain: list[Mapping[str, FixtureDef]]) -> bool:
        """Whether a parametrize's scope may be wider than the test's, as pytest decides
        it: ``scope=`` where given; otherwise, with every name indirect, the narrowest
        scope of the fixtures it names (a fixture not found may be wider); else the
        function."""
        if spec.scope is not None:
            return spec.scope != "function"
        if not spec.argnames or not all(a in spec.indirect for a in spec.argnames):
            return False
        fixtures = [self._resolve(a, chain, 0) for a in spec.argnames]
        return all(f is None or f.scope != "function" for f in fixtures)

    def _failed_classes(self) -> None:
        """The tests of a class pytest fails to collect: surely, none (an error); or
        not as listed."""
        result = self.result
        for nodeid, (why, surely) in self.plan.failed_classes.items():
            self.ctx.note(why)  # the tests' doubt too: said once for the module
            inside = nodeid + "::"
            if surely:
                self.errors.append(why)
                result.tests = [t for t in result.tests if not t.nodeid.startswith(inside)]
                result.classes = [
                    c
                    for c in result.classes
                    if c.nodeid != nodeid and not c.nodeid.startswith(inside)
                ]
                continue
            result.tests = [
                replace(t, exact=False, doubt=why)
                if t.exact and t.nodeid.startswith(inside)
                else t
                for t in result.tests
            ]

    def _refused(self) -> None:
        """A test whose collection fails ends the module's (:attr:`refusal`): surely,
        if that test is surely collected."""
        if self.refusal is None:
            return
        why, certain = self.refusal
        if certain:
            if self.stopped is None:  # pytest reports the refusal as an error
                self.stopped, self.stop_effect = why, "error"
            return
        self.ctx.note(why)
        self.result.tests = [
            replace(t, exact=False, doubt=why) if t.exact else t for t in self.result.tests
        ]

    def _import_stop(self) -> tuple[str | None, str | None]:
        """Why pytest may import the module only to collect none of its tests (a skip,
        a raise or an exit run on import: :mod:`.import_stops`), and, when every import
        runs it, what pytest does then (``ImportStop.effect``; None: it may not run).

        The ``__init__.py`` of each package the module is in runs first (astropy's
        ``visualization/wcsaxes/__init__.py`` skips on import where matplotlib is
        missing), and the modules of its own packages it imports run at their import: a
        stop every import runs there stops the module as its own would. One that may
        not run guards its environment (numpy's "raise ImportError" where its C
        extension is missing), and is not taken from there."""
        ctx = self.ctx
        found = self._package_stop()
        if found is None:
            own = first_stop(
                import_stops(ctx.scope.body, ctx.names.dotted, self._importable, self._version)
            )
            if own is None or not own.certain:
                found = self._imported_stop()
            if found is None and own is not None:
                found = own, "", "run on import"
        if found is None:
            return None, None
        stop, where, runs = found
        what = f"{stop.what} at line {stop.line}{where}"
        if stop.certain:
            return f"{what}, {runs}, {stop.does}", stop.effect
        if stop.condition is None:  # it runs, and may let the import go on
            return f"{what}, {runs}, {stop.does}: pytest then collects none of its tests", None
        return (
            f"{what} runs on import if the if/try/loop at line {stop.condition} lets it: "
            f"pytest then {stop.does} and collects none of its tests"
        ), None

    def _package_stop(self) -> _FoundStop | None:
        """A stop every import runs in an ``__init__.py`` pytest imports before the
        module (every package folder above it), outermost first."""
        ctx = self.ctx
        if ctx.links is None or ctx.path is None:
            return None
        inits = []
        folder = ctx.path.parent
        while (folder / "__init__.py").is_file() and folder.parent != folder:
            inits.append(folder / "__init__.py")
            folder = folder.parent
        for init in reversed(inits):
            stop = self._certain_stop(init)
            if stop is not None:
                where = f" of {ctx.links.library.display(init)}"
                return stop, where, "run when pytest imports the package"
        return None

    def _imported_stop(self) -> _FoundStop | None:
        """A stop every import runs in a module the module imports on every import (a
        top-level ``import pkg.sub`` or ``from pkg.sub import x``: each package on the
        way runs first; or the packages a ``pkgutil.walk_packages(pkg.__path__)``
        imports), read as source: it ends the module's import too."""
        ctx = self.ctx
        if ctx.links is None or ctx.path is None:
            return None
        library = ctx.links.library
        basedir = package_basedir(ctx.path)
        # The module's own packages and the modules beside it, not libraries: a library
        # that stops on import stops every test that imports it (and they are many).
        package = (
            module_name(ctx.path, basedir).partition(".")[0]
            if ctx.path.parent != basedir
            else None
        )
        local = basedir not in library.site_path
        runs = "run when the module imports it"
        for stmt in ctx.scope.body:
            if isinstance(stmt, ast.Import):
                wanted = [(alias.name, 0) for alias in stmt.names]
            elif isinstance(stmt, ast.ImportFrom):
                wanted = [(stmt.module or "", stmt.level)]
            else:
                walked = _walked_package(stmt, ctx.names.dotted)
                found = self._walked_stop(walked, package, basedir) if walked else None
                if found is not None:
                    init, walked_stop = found
                    where = (
                        f" of {library.display(init)}, imported by pkgutil.walk_packages "
                        f"at line {stmt.lineno}"
                    )
                    return walked_stop, where, runs
                continue
            for module, level in wanted:
                parts = module.split(".") if module else []
                if not level and parts and parts[0] != package and not local:
                    continue
                for end in range(0 if level else 1, len(parts) + 1):
                    path = library.find(".".join(parts[:end]), level, ctx.path)
                    if path is None:
                        continue
                    if not level and parts[0] != package and basedir not in path.parents:
                        break  # found elsewhere (a library): not followed
                    stop = self._certain_stop(path)
                    if stop is not None:
                        where = f" of {library.display(path)}, imported at line {stmt.lineno}"
                        return stop, where, runs
        return None

    def _walked_stop(
        self, walked: str, package: str | None, basedir: Path
    ) -> tuple[Path, ImportStop] | None:
        """The first stop every import runs in a package ``pkgutil.walk_packages``
        imports under ``walked`` (one of the module's own packages), in its order: it
        imports every package to look inside it, and a skip is no ImportError its
        ``onerror`` would take (astropy's test_leap_second.py walks all of astropy)."""
        assert self.ctx.links is not None and self.ctx.path is not None
        init = self.ctx.links.library.find(walked, 0, self.ctx.path)
        if init is None or init.name != "__init__.py":
            return None
        if walked.partition(".")[0] != package and basedir not in init.parents:
            return None  # a library's packages: not followed
        folders = [init.parent]
        while folders:
            folder = folders.pop()
            stop = self._certain_stop(folder / "__init__.py")
            if stop is not None:
                return folder / "__init__.py", stop
            try:
                inside = sorted(p for p in folder.iterdir() if (p / "__init__.py").is_file())
            except OSError:
                continue
            folders.extend(reversed(inside))  # depth first, in name order
        return None

    def _certain_stop(self, path: Path) -> ImportStop | None:
        """The stop every import of the module at ``path`` runs, if any (memoised for the
        build: most test modules import the same packages)."""
        assert self.ctx.links is not None
        library = self.ctx.links.library
        # An input of this module's collection whether it stops or not: it may come to.
        self.ctx.reads.add(path)
        if path not in library.certain_stops:
            source = library.read(path) if _may_stop(path) else None
            stop = None
            if source is not None:
                body = source.tree.body
                importable = functools.partial(module_found, library=library, importer=path)
                stop = first_stop(
                    import_stops(body, scan_names(body).dotted, importable, self._version)
                )
            library.certain_stops[path] = stop if stop is not None and stop.certain else None
        found = library.certain_stops[path]
        return found if isinstance(found, ImportStop) else None

    def _importable(self, module: str) -> bool:
        """Whether ``import module`` finds it here, looked up and never imported."""
        ctx = self.ctx
        if ctx.links is None or ctx.path is None:
            return module.partition(".")[0] in sys.builtin_module_names
        return module_found(module, ctx.links.library, ctx.path)

    def _version(self, module: str) -> str | None:
        """The version of a top-level module installed here, read from its metadata."""
        links = self.ctx.links
        return installed_version(module, links.library) if links is not None else None

    def _marked_fixture(self) -> tuple[str, int] | None:
        """A fixture of the module (or of a class in it) that a mark decorates."""
        ctx = self.ctx
        functions: list[FuncNode] = []
        for binding in ctx.scope.bindings.values():
            node = binding.node
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions.append(node)
            elif isinstance(node, ast.ClassDef):
                functions.extend(
                    n for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                )
        for func in functions:
            if ctx.fixture_call(func) is not None and any(
                parse_mark(dec, ctx.names) is not None for dec in func.decorator_list
            ):
                return func.name, func.lineno
        return None

    def _module_plan(self) -> _ModulePlan:
        """Read the top-level calls and class decorators that change test classes."""
        ctx = self.ctx
        plan = _ModulePlan()
        for binding in ctx.scope.bindings.values():
            if binding.kind == "class":
                node = binding.node
                assert isinstance(node, ast.ClassDef)
                for dec in node.decorator_list:
                    dialect = ctx.decoration(dec).dialect
                    if dialect is not None and dialect.role is Role.INSTANTIATE_PARAMETRIZED:
                        plan.parametrized.add(id(node))
            if binding.kind != "call":
                continue
            call = binding.node
            assert isinstance(call, ast.Call)
            if not call.args or not isinstance(call.args[0], ast.Name):
                continue  # only calls given a class can change one
            dialect = ctx.decoration(call.func).dialect
            role = dialect.role if dialect is not None else None
            if role is Role.INSTANTIATE_DEVICES:
                generic = self._class_argument(call)
                if generic is not None:
                    devices, doubt = self._devices(call)
                    plan.removed.add(id(generic.node))
                    plan.instantiations[id(call)] = _Instantiation(generic, devices, call, doubt)
                    continue
            elif role is Role.INSTANTIATE_PARAMETRIZED:
                generic = self._class_argument(call)
                if generic is not None:
                    plan.parametrized.add(id(generic.node))
                    continue
            if role is None and not (
                isinstance(call.func, ast.Name) and call.func.id == "setattr"
            ):
                callee = ctx.source.span(call.func)
                for arg in call.args:
                    info = self._class_named(arg)
                    if info is not None:
                        plan.changed.setdefault(
                            id(info.node),
                            f"it is passed to {callee}() at import time, which may change "
                            "its tests",
                        )
        for target, line in ctx.scope.setattr_targets:
            info = self._class_named(ast.Name(id=target))
            if info is not None:
                plan.added_to.setdefault(
                    id(info.node), f"setattr() at line {line} may add tests to it at import time"
                )
        return plan

    def _class_named(self, node: ast.expr) -> ClassInfo | None:
        if not isinstance(node, ast.Name):
            return None
        binding = self.ctx.scope.bindings.get(node.id)
        if binding is None or binding.kind != "class":
            return None
        assert isinstance(binding.node, ast.ClassDef)
        return self.ctx.class_info(binding.node, node.id)

    def _class_argument(self, call: ast.Call) -> ClassInfo | None:
        """The class a dialect call is given first (defined here or imported)."""
        first = call.args[0] if call.args else None
        if first is None:
            return None
        local = self._class_named(first)
        if local is not None:
            return local
        dotted = self.ctx.names.dotted(first)
        found = self.ctx.find(dotted) if dotted else None
        if found is None or found.binding.kind != "class":
            return None
        node = found.binding.node
        assert isinstance(node, ast.ClassDef)
        prefix = found.context.module_name
        return found.context.class_info(node, f"{prefix}.{found.name}" if prefix else found.name)

    def _devices(self, call: ast.Call) -> tuple[tuple[str, ...], str | None]:
        """The device types ``instantiate_device_type_tests`` makes classes for."""
        names = ("generic_test_class", "scope", "except_for", "only_for", "include_lazy")
        given: dict[str, ast.expr] = dict(zip(names, call.args, strict=False))
        given.update({kw.arg: kw.value for kw in call.keywords if kw.arg is not None})
        values: dict[str, object] = {}
        for key in ("except_for", "only_for", "include_lazy", "allow_mps", "allow_xpu"):
            node = given.get(key)
            if node is None:
                continue
            value = _device_option(node)
            if value is _UNKNOWN:
                doubt = f"{key}={self.ctx.source.span(node)} is computed at import time"
                return self.device_types, doubt
            values[key] = value
        devices = [
            d
            for d in self.device_types
            if (d != "mps" or values.get("allow_mps")) and (d != "xpu" or values.get("allow_xpu"))
        ]
        except_for = values.get("except_for") or ()
        only_for = values.get("only_for")
        devices = [d for d in devices if d not in except_for]  # type: ignore[operator]
        if only_for:
            devices = [d for d in devices if d in only_for]  # type: ignore[operator]
        if values.get("include_lazy") and "lazy" not in devices:
            devices.append("lazy")
        return tuple(devices), None

    def _imported_binding(self, name: str, binding: Binding, holder: _Holder) -> None:
        ctx = self.ctx
        config = ctx.config
        stmt = binding.node
        assert isinstance(stmt, (ast.Import, ast.ImportFrom))
        if not (_matches(name, config.python_functions) or _matches(name, config.python_classes)):
            return
        if isinstance(stmt, ast.Import):
            return  # a module object is never collected
        module = stmt.module or ""
        if not stmt.level and module.split(".")[0] in ("unittest", "pytest", "_pytest"):
            return  # these modules export no collectable tests
        dotted = ctx.names.imported.get(name)
        known = lookup(dotted)
        if known is not None and known.role is Role.TEST_CASE:
            return  # a framework's TestCase: no test of its own to collect here
        found = ctx.find(dotted) if dotted and ctx.links is not None else None
        if found is None:
            if ctx.links is None or dotted is None or not _is_module_name(ctx, dotted):
                ctx.note(f"imported name {name!r} could not be read; it may be collected")
            return
        node = found.binding.node
        if found.binding.kind == "class":
            assert isinstance(node, ast.ClassDef)
            self._maybe_class(node, name, holder, depth=0, owner=found.context)
        elif found.binding.kind == "func":
            assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            other = found.context
            if self._is_test_function(name, node, other.scope, other):
                self._add_test(name, node, holder, None, owner_ctx=other)

    def _value_binding(self, name: str, binding: Binding, holder: _Holder, scope: Scope) -> None:
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
        self, name: str, node: FuncNode, scope: Scope, ctx: ModuleContext | None = None
    ) -> bool:
        test_attr = _constant_bool(scope.test_attrs.get(name))
        if test_attr is False:
            return False
        if not (_matches(name, self.ctx.config.python_functions) or test_attr is True):
            return False
        return (ctx or self.ctx).fixture_call(node) is None

    # --- classes -------------------------------------------------------------------

    def _maybe_class(
        self,
        node: ast.ClassDef,
        name: str,
        holder: _Holder,
        depth: int,
        owner: ModuleContext | None = None,
    ) -> None:
        ctx = self.ctx
        where = owner or ctx
        if owner is not None and owner is not ctx:
            prefix = owner.module_name
            qualname = f"{prefix}.{node.name}" if prefix else node.name
        else:
            qualname = node.name if holder.cls is None else f"{holder.cls.qualname}.{node.name}"
        info = where.class_info(node, qualname)
        if _matches(name, ctx.config.python_classes) or where.is_unittest(info):
            # Collected: its library bases are read now (they may hold tests).
            where.resolve_deferred(info)
        mro = where.mro(info)
        unittest = where.is_unittest(info)
        dunder_test = self._class_attr(mro, "__test__")
        unread = where.unread_bases(info)
        if not unittest and not (_matches(name, ctx.config.python_classes) or dunder_test is True):
            if unread and any(n.startswith("test") for n, _, _ in self._members(mro)):
                ctx.note(
                    f"class {name} inherits from {', '.join(unread)}, which could not be "
                    "read: pytest collects its tests if that is a unittest.TestCase"
                )
            return
        if self._is_abstract(mro):
            return
        if depth >= _MAX_CLASS_DEPTH:
            ctx.note(f"class {qualname} is nested too deeply to follow")
            return
        nodeid = f"{holder.nodeid}::{name}"
        class_marks = self._class_marks(mro)
        doubt = self.plan.changed.get(id(node)) or self.plan.added_to.get(id(node))
        if unread:
            doubt = (
                f"it inherits from {', '.join(unread)}, which could not be read: tests "
                "defined there are not listed"
            )
        if doubt is not None:
            ctx.note(f"class {name}: {doubt}")
        record = CollectedClass(
            name=name,
            nodeid=nodeid,
            line=node.lineno,
            style="unittest" if unittest else "pytest",
            markers=tuple(m.use for m in class_marks),
            docstring_summary=docstring_summary(node),
            defined_in=where.relpath if where is not ctx else None,
            doubt=doubt,
        )
        self.result.classes.append(record)
        if dunder_test is False:
            return
        if not unittest:
            for dunder in ("__init__", "__new__"):
                if self._class_attr_binding(mro, dunder) is not None:
                    # pytest warns "cannot collect test class ... because it has a
                    # __init__ constructor" and collects nothing from it.
                    return
        class_fixtures = [cls.context.fixtures_in(cls.scope, cls) for cls in mro]
        child = _Holder(
            cls=info,
            class_path=(*holder.class_path, name),
            nodeid=nodeid,
            marks=class_marks + holder.marks,
            fixtures=class_fixtures + holder.fixtures,
            unittest=unittest,
            doubt=self.plan.changed.get(id(node)) or holder.doubt,
        )
        tests_before = len(self.result.tests)
        if unittest:
            self._unittest_methods(info, mro, child)
        else:
            self._pytest_members(info, mro, child, depth)
        if where is not ctx and len(self.result.tests) == tests_before and holder.cls is None:
            # An imported base (``from ... import TestCase``) gives pytest nothing to
            # list: it is not a test class of this module.
            self.result.classes.remove(record)

    def _device_class(self, inst: _Instantiation, device: str, holder: _Holder) -> None:
        """One class ``instantiate_device_type_tests`` makes: TestFoo -> TestFooCPU."""
        generic = inst.generic
        where = generic.context
        where.resolve_deferred(generic)
        mro = where.mro(generic)
        name = generic.node.name + device.upper()
        nodeid = f"{holder.nodeid}::{name}"
        class_marks = self._class_marks(mro)
        unread = where.unread_bases(generic)
        doubt = inst.doubt
        if unread:
            doubt = (
                f"it inherits from {', '.join(unread)}, which could not be read: tests "
                "defined there are not listed"
            )
        if doubt is not None:
            self.ctx.note(f"class {name}: {doubt}")
        self.result.classes.append(
            CollectedClass(
                name=name,
                nodeid=nodeid,
                line=generic.node.lineno,
                style="unittest",
                markers=tuple(m.use for m in class_marks),
                docstring_summary=docstring_summary(generic.node),
                defined_in=where.relpath if where is not self.ctx else None,
                generated_from=generic.node.name,
                doubt=doubt,
            )
        )
        child = _Holder(
            cls=generic,
            class_path=(*holder.class_path, name),
            nodeid=nodeid,
            marks=class_marks + holder.marks,
            fixtures=[],
            unittest=True,
            device=device,
            doubt=inst.doubt,
        )
        self._unittest_methods(generic, mro, child)

    def _class_hook(self, holder: _Holder) -> Reach:
        """What the ``pytest_generate_tests`` method of the test's class (its own or
        inherited; pytest asks the innermost class) may parametrize."""
        if holder.cls is None or holder.unittest:
            return ()
        binding = self._class_attr_binding(
            holder.cls.context.mro(holder.cls), "pytest_generate_tests"
        )
        return () if binding is None else hook_reach(binding.node)

    def _class_attr_binding(self, mro: list[ClassInfo], name: str) -> Binding | None:
        for cls in mro:
            binding = cls.scope.bindings.get(name)
            if binding is not None:
                return binding
        return None

    def _class_attr(self, mro: list[ClassInfo], name: str) -> bool | None:
        binding = self._class_attr_binding(mro, name)
        if binding is None or binding.kind != "value":
            return None
        assert isinstance(binding.node, ast.expr)
        return _constant_bool(binding.node)

    def _is_abstract(self, mro: list[ClassInfo]) -> bool:
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
                        dotted = cls.context.names.dotted(dec) or ""
                        if dotted.endswith("abstractmethod"):
                            return True
        return False

    def _class_marks(self, mro: list[ClassInfo]) -> list[Mark]:
        """Marks of a class including its bases', in pytest's ``iter_markers`` order."""
        out: list[Mark] = []
        # pytest stores base-class marks first (reversed MRO); within a class the
        # body's ``pytestmark`` comes before decorators (applied bottom-up). A body sees
        # its own names and the module's; decorators only the module's.
        for cls in reversed(mro):
            module_constants = cls.context.scope.constants
            out.extend(
                cls.context.scope_marks(cls.scope, "class", _env(module_constants, cls.scope))
            )
            out.extend(cls.context.decorator_marks(cls.node, "class", module_constants))
        return out

    def _members(self, mro: list[ClassInfo]) -> Iterator[tuple[str, Binding, ClassInfo]]:
        """Members in pytest's order: base classes' first, each in definition order."""
        seen: set[str] = set()
        per_class: list[list[tuple[str, Binding, ClassInfo]]] = []
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
        self, info: ClassInfo, mro: list[ClassInfo], holder: _Holder, depth: int
    ) -> None:
        for cls in mro:
            _note_rebinds(self.ctx, cls.scope, f"{cls.qualname}.")
        for name, binding, owner in self._members(mro):
            if binding.kind == "func":
                node = binding.node
                assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                if self._is_test_function(name, node, owner.scope, owner.context):
                    inherited = owner if owner is not info else None
                    self._add_test(name, node, _if_run(holder, binding), inherited)
            elif binding.kind == "class":
                assert isinstance(binding.node, ast.ClassDef)
                owner_ctx = owner.context if owner.context is not self.ctx else None
                self._maybe_class(
                    binding.node, name, _if_run(holder, binding), depth + 1, owner=owner_ctx
                )
            elif binding.kind == "value":
                self._value_binding(name, binding, holder, owner.scope)

    def _unittest_methods(self, info: ClassInfo, mro: list[ClassInfo], holder: _Holder) -> None:
        found: list[tuple[_Generated, FuncNode, ClassInfo, _Holder]] = []
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
            for generated in self._generated_names(name, node, owner, info, holder):
                found.append((generated, node, owner, _if_run(holder, binding)))
        # unittest's TestLoader sorts test method names.
        found.sort(key=lambda item: item[0].name)
        if not found:
            run_test = self._class_attr_binding(mro, "runTest")
            if run_test is not None and isinstance(
                run_test.node, (ast.FunctionDef, ast.AsyncFunctionDef)
            ):
                owner = next(c for c in mro if "runTest" in c.scope.bindings)
                found.append((_Generated("runTest"), run_test.node, owner, holder))
        for generated, node, owner, method_holder in found:
            self._add_test(
                generated.name,
                node,
                method_holder,
                owner if owner is not info else None,
                generated=generated,
            )

    # --- tests made by frameworks ------------------------------------------------------

    def _generated_names(
        self, name: str, node: FuncNode, owner: ClassInfo, info: ClassInfo, holder: _Holder
    ) -> list[_Generated]:
        """The names a unittest method is collected under (PyTorch may rename it)."""
        device = holder.device if owner is info else None
        instantiated = id(owner.node) in self.plan.parametrized or (
            id(info.node) in self.plan.parametrized
        )
        if device is None and not instantiated:
            return [_Generated(name)]
        where = owner.context
        parametrizers: list[Parametrizer] = []
        dtypes: dict[str, tuple[str, ...] | None] = {}
        dtype_sources: dict[str, str] = {}
        ops_dtypes = False
        labels: list[str] = []
        for dec in node.decorator_list:
            decoration = where.decoration(dec)
            dialect = decoration.dialect
            if dialect is None or (decoration.call is None and dialect.role is not Role.OPS):
                continue
            call = decoration.call
            label = "@" + (where.source.span(dec.func if isinstance(dec, ast.Call) else dec))
            if dialect.role is Role.PARAMETRIZE and call is not None:
                parametrizers.append(self._torch_parametrizer(call, where, owner))
                labels.append(label)
            elif dialect.role is Role.PASS_THROUGH:
                parametrizers.append(Parametrizer(label, ("",), 1))
                labels.append(label)
            elif dialect.role is Role.SWAP and call is not None:
                parametrizers.append(self._swap(call, where, label))
                labels.append(label)
            elif dialect.role is Role.OPS:
                expression = where.source.span(call.args[0]) if call and call.args else ""
                written = label.rpartition(".")[2].lstrip("@")
                placeholder = _PLACEHOLDERS.get(written, "<param>")
                parametrizers.append(Parametrizer(label, None, None, expression, placeholder))
                labels.append(label)
                ops_dtypes = ops_dtypes or not _opdtypes_none(call)
            elif dialect.role is Role.DTYPES and device is not None and call is not None:
                for target in dialect.devices or ("all",):
                    dtypes[target] = dtype_list(
                        call,
                        where.names,
                        where.constants(_env(where.scope.constants, owner.scope)),
                    )
                    dtype_sources[target] = where.source.call_args(call)
                labels.append(label)
        if device is not None:
            chosen = device if device in dtypes else "all"
            has_dtypes = chosen in dtypes or ops_dtypes
            dtype_names = dtypes.get(chosen) if chosen in dtypes else None
            dtype_reason = (
                f"@dtypes({dtype_sources[chosen]})"
                if chosen in dtype_sources
                else "the dtypes each operator supports"
            )
            variants = device_variants(
                name, device, parametrizers, dtype_names, has_dtypes, dtype_reason
            )
            how = ", ".join([f"instantiate_device_type_tests ({device})", *labels])
        else:
            if not parametrizers:
                return [_Generated(name)]
            variants = parametrized_variants(name, parametrizers)
            how = ", ".join(["instantiate_parametrized_tests", *labels])
        return _from_variants(name, variants, how)

    def _torch_parametrizer(
        self, call: ast.Call, where: ModuleContext, owner: ClassInfo
    ) -> Parametrizer:
        callables = {
            n: b.node
            for n, b in where.scope.bindings.items()
            if b.kind in ("func", "class") and isinstance(b.node, ast.AST)
        }

        def is_subtest(func: ast.expr) -> bool:
            dialect = where.decoration(func).dialect
            return dialect is not None and dialect.role is Role.SUBTEST

        return torch_parametrizer(
            call,
            names=where.names,
            constants=where.constants(_env(where.scope.constants, owner.scope)),
            callables=callables,
            source=where.source,
            is_subtest=is_subtest,
        )

    def _swap(self, call: ast.Call, where: ModuleContext, label: str) -> Parametrizer:
        expression = where.source.span(call.args[0]) if call.args else ""
        if len(call.args) != 1 or call.keywords:
            return Parametrizer(label, None, None, expression)
        try:
            items = _elements(call.args[0], where.constants(where.scope.constants), 0, where.names)
        except _CountOnly as only:
            return Parametrizer(label, None, only.count, expression)
        except (_Unknown, RecursionError, ValueError):
            return Parametrizer(label, None, None, expression)
        suffixes: list[str] = []
        for item in items:
            value = _constant(item) if isinstance(item, ast.expr) else item
            if not isinstance(value, (bool, int, str)):
                return Parametrizer(label, None, len(items), expression)
            suffixes.append(f"swap_{value}")
        return Parametrizer(label, tuple(suffixes), len(suffixes), expression)

    # --- one test --------------------------------------------------------------------

    def _add_test(
        self,
        name: str,
        node: FuncNode,
        holder: _Holder,
        inherited: ClassInfo | None,
        *,
        owner_ctx: ModuleContext | None = None,
        generated: _Generated | None = None,
    ) -> None:
        ctx = self.ctx
        defined_in = inherited or holder.cls
        if owner_ctx is None:
            owner_ctx = defined_in.context if defined_in is not None else ctx
        constants = (
            _env(owner_ctx.scope.constants, defined_in.scope)
            if defined_in is not None
            else owner_ctx.scope.constants
        )
        own_marks = owner_ctx.decorator_marks(node, "decorator", constants)
        all_marks = own_marks + holder.marks
        markers: list[MarkerUse] = [_on_device(m, holder.device) for m in all_marks]

        specs: list[ParamSpec] = []
        unreadable: list[Parametrization] = []
        usefixtures: list[str] = []
        if not holder.unittest and self.iterators_fail and self.refusal is None:
            self._iterator_to_a_decorator(node, owner_ctx)
        if (
            not holder.unittest
            and self.refusal is None
            and ctx.config.version >= (8, 4)
            and isinstance(node, ast.FunctionDef)
            and owner_ctx.is_generator(node)
        ):
            # pytest 8.4 and later: "'yield' keyword is allowed in fixtures, but not in
            # tests", an error for the whole module (unless a decorator wraps it).
            self.refusal = (
                f"test {node.name} (line {node.lineno}) is a generator: pytest 8.4 and "
                "later refuse it, so pytest collects none of the module's tests",
                holder.doubt is None and not owner_ctx.opaque_decorator(node),
            )
        if not holder.unittest:
            for mark in all_marks:
                if mark.call is None or mark.call.name != "parametrize":
                    continue
                mctx = mark.context
                if self.iterators_fail and self.refusal is None:
                    call = mark.call.call
                    argvalues = argvalues_of(call) if call is not None else None
                    if argvalues is not None and _is_iterator(argvalues, mctx):
                        self.refusal = (
                            f"the parametrize of {node.name} (line {mark.use.line}) is given "
                            f"an iterator ({_short(argvalues)}): pytest 9.1 and later warn, "
                            "and filterwarnings makes that an error, so pytest collects "
                            "none of the module's tests",
                            holder.doubt is None,
                        )
                spec = parse_parametrize(
                    mark.call, mctx.names, mctx.constants(mark.constants), mctx.source, ctx.rules
                )
                if spec is None:
                    unreadable.append(
                        Parametrization(
                            argnames=(),
                            line=mark.use.line,
                            cases=None,
                            expression=mark.use.args,
                        )
                    )
                    continue
                specs.append(spec)
                for param_mark in spec.marks:
                    markers.append(mctx.mark_use(param_mark, "param"))
        for mark in all_marks:
            if mark.call is not None and mark.call.name == "usefixtures" and mark.call.call:
                for arg in mark.call.call.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        usefixtures.append(arg.value)

        # Fixture requests, in pytest's initialnames order.
        direct: set[str] = set()
        for spec in specs:
            direct.update(a for a in spec.argnames if a not in spec.indirect)
        parametrized: set[str] = {a for spec in specs for a in spec.argnames}
        argnames: list[str] = []
        if not holder.unittest:
            is_method = holder.cls is not None and not is_staticmethod(node)
            argnames = function_argnames(
                node, drop_first=is_method, mock_patches=self._mock_patches(node, owner_ctx)
            )
            argnames = self._minus_given(node, argnames, owner_ctx)
        chain = self._fixture_chain(holder)
        autouse = self._autouse(chain)
        initial: list[str] = [*autouse, *ctx.config.usefixtures, *usefixtures]
        initial.extend(a for a in argnames if a not in direct)
        closure, unresolved = self._closure(initial, direct, chain)
        via = dict.fromkeys(autouse, "autouse")
        via.update(dict.fromkeys(ctx.config.usefixtures, "config"))
        via.update(dict.fromkeys(usefixtures, "usefixtures"))
        via.update(dict.fromkeys(argnames, "argument"))
        requests = [
            FixtureRequest(fname, self._resolve(fname, chain, 0), via.get(fname, "argument"))
            for fname in dict.fromkeys(initial)
        ]

        unused = [
            a for spec in specs for a in spec.argnames if a not in argnames and a not in closure
        ]
        if unused and not holder.unittest:
            self._uses_no_argument(node, holder, unused[0], owner_ctx, unresolved is None)

        # Parametrized fixtures used by the test multiply its cases.
        fixture_params: list[Parametrization] = []
        wide: list[bool] = []  # each parametrization's: wider than the test (a class...)
        unknown_fixture_params: str | None = None
        if not holder.unittest:
            for fname in closure:
                if fname in parametrized:
                    continue
                level = 0
                while True:
                    fdef = self._resolve(fname, chain, level)
                    if fdef is None:
                        if level > 0:
                            unknown_fixture_params = fname
                        break
                    if fdef.params is not None:
                        fixture_params.append(fdef.params)
                        wide.append(fdef.scope != "function")
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
        doubt: str | None = None
        reach = combine([ctx.generate_tests, self._class_hook(holder)])
        if not holder.unittest and reaches(reach, [*closure, *argnames, *parametrized]):
            if reach is None:
                doubt = "a pytest_generate_tests hook may parametrize it at collection"
            else:
                needs = ", ".join(repr(n) for n in reach)
                doubt = (
                    f"a pytest_generate_tests hook parametrizes the tests that need "
                    f"{needs} (this one does) at collection"
                )
        elif unknown_fixture_params is not None:
            doubt = (
                f"fixture {unknown_fixture_params!r} requests a definition it overrides "
                "that could not be found; it may be parametrized"
            )
        elif any(c is None for c in counts):
            unknown = next(p for p in parametrizations if p.cases is None)
            computed = _one_line(unknown.expression) or "values"
            doubt = f"its cases are computed at collection from {computed}"
        cases = None if doubt is not None else math.prod(c for c in counts if c is not None)
        if unresolved and doubt is None:
            # A decorator that parametrizes gives the arguments no fixture provides
            # (scikit-learn's parametrize_with_checks): the better reason to give.
            doubt = owner_ctx.decorator_doubt(node) or (
                f"no definition of fixture {unresolved!r} is found (in a conftest.py, the "
                "module or a known plugin): if it is parametrized, pytest collects more cases"
            )

        case_ids: tuple[str, ...] | None = None
        # pytest reorders items to share the setup of parameters wider than a function
        # (a class- or module-scoped fixture or parametrize), across the tests that use
        # them: a test's cases may come in any order (matplotlib's TestSpectral; in
        # statsmodels a test's only one, reversed after the test before it ended on its
        # last value), so only their number is known.
        wide += [self._wide_spec(spec, chain) for spec in specs]
        if cases is not None and parametrizations and not any(wide) and not ctx.config.shuffled_by:
            id_lists = [p.ids for p in parametrizations]
            if all(ids is not None for ids in id_lists):
                try:
                    case_ids = combine_ids([ids for ids in id_lists if ids is not None])
                except OverflowError:
                    case_ids = None
                if case_ids is not None and len(case_ids) != cases:
                    case_ids = None

        if generated is not None and generated.is_pattern:
            cases = generated.count
            doubt = generated.doubt
        doubt = doubt or holder.doubt
        if doubt is None:
            doubt = owner_ctx.decorator_doubt(node)
        if (
            doubt is None
            and isinstance(node, ast.AsyncFunctionDef)
            and any(m.name == "anyio" and m.framework == "pytest" for m in markers)
        ):
            # anyio's plugin (installed with anyio, on by default) gives such a test its
            # module-scoped ``anyio_backend`` fixture, parametrized by the backends that
            # can be imported where pytest runs.
            doubt = (
                "the anyio plugin runs it once per available backend (asyncio, and trio "
                "where it is installed)"
            )
        foreign = owner_ctx is not ctx
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
                exact=doubt is None and cases is not None,
                # Only an exact test's: a doubt (a fixture not found, which a plugin may
                # parametrize; anyio's backends) may add a part to every case's ID.
                case_ids=case_ids if doubt is None else None,
                docstring_summary=docstring_summary(node),
                inherited_from=inherited.qualname if inherited is not None else None,
                defined_in=owner_ctx.relpath if foreign else None,
                source_name=generated.source_name if generated is not None else None,
                generated_by=generated.generated_by if generated is not None else None,
                name_is_pattern=generated is not None and generated.is_pattern,
                doubt=doubt,
                marks_known=not (
                    owner_ctx.opaque_decorator(node)
                    or ctx.unreadable_pytestmark(
                        [ctx.scope, holder.cls.scope] if holder.cls else [ctx.scope]
                    )
                ),
            )
        )

    def _mock_patches(self, node: FuncNode, ctx: ModuleContext) -> int:
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

    def _minus_given(self, node: FuncNode, argnames: list[str], ctx: ModuleContext) -> list[str]:
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
            # A conftest fixture may override a plugin's and request it (``def
            # pytester(pytester)``): the plugin's is the next level down.
            self.plugin_fixtures,
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
    ) -> tuple[list[str], str | None]:
        """Every fixture the test needs, in pytest's order, and the first one no
        definition was found for.

        The order decides the order of parametrized fixtures' ids in node IDs. pytest 9
        walks the dependencies depth first, following override chains (a fixture that
        requests the one it overrides); earlier versions breadth first.
        """
        if self.ctx.config.closure_depth_first:
            return self._closure_depth_first(initial, ignore, chain)
        closure = list(dict.fromkeys(initial))
        unresolved: str | None = None
        index = 0
        while index < len(closure):
            fname = closure[index]
            index += 1
            if fname in ignore:
                continue
            fixture = self._resolve(fname, chain, 0)
            if fixture is None:
                unresolved = unresolved or fname
                continue
            for arg in fixture.requests:
                if arg not in closure:
                    closure.append(arg)

        def scope_key(fname: str) -> int:
            fixture = self._resolve(fname, chain, 0)
            return _SCOPE_ORDER.get(fixture.scope, 4) if fixture is not None else 4

        closure.sort(key=scope_key)
        return closure, unresolved

    def _closure_depth_first(
        self, initial: list[str], ignore: set[str], chain: list[Mapping[str, FixtureDef]]
    ) -> tuple[list[str], str | None]:
        """pytest 9's ``traverse_fixture_closure``, then its stable sort by scope."""
        walk = _DepthFirst(self, ignore, chain)
        for name in initial:
            walk.visit(name, 0)
        order = walk.order

        def scope_key(fname: str) -> int:
            fixture = self._resolve(fname, chain, 0)
            return _SCOPE_ORDER.get(fixture.scope, 4) if fixture is not None else 4

        order.sort(key=scope_key)
        return order, walk.unresolved[0] if walk.unresolved else None


@dataclass
class _DepthFirst:
    """The walk of pytest 9's fixture closure (a class: a recursive closure would be a
    reference cycle holding the whole syntax tree; see parsing.cycle_collector_paused)."""

    collector: _Collector
    ignore: set[str]
    chain: list[Mapping[str, FixtureDef]]
    order: list[str] = field(default_factory=list)
    #: How deep in its override chain each name is being resolved (0: closest).
    depth: dict[str, int] = field(default_factory=dict)
    unresolved: list[str] = field(default_factory=list)

    def visit(self, name: str, level: int) -> None:
        if level > _MAX_CLASS_DEPTH * 4:
            return  # pathological override chains: stop, as a bound on the work
        current = self.depth.get(name)
        if current == 0:
            return
        if current is None:
            self.order.append(name)
            self.depth[name] = 0
        if name in self.ignore:
            return
        skip = self.depth.get(name, 0)
        fixture = self.collector._resolve(name, self.chain, skip)
        if fixture is None:
            if skip == 0:
                self.unresolved.append(name)
            return
        self.depth[name] = skip + 1
        for dep in fixture.requests:
            self.visit(dep, level + 1)
        self.depth[name] = skip


def _from_variants(name: str, variants: Variants, how: str) -> list[_Generated]:
    if variants.names is not None:
        return [_Generated(n, name, how) for n in variants.names]
    return [
        _Generated(
            variants.pattern,
            name,
            how,
            is_pattern=True,
            count=variants.count,
            doubt=variants.reason,
        )
    ]


def _opdtypes_none(call: ast.Call | None) -> bool:
    """``@ops(..., dtypes=OpDTypes.none)``: no dtype part in the names."""
    if call is None:
        return False
    for kw in call.keywords:
        if kw.arg == "dtypes" and isinstance(kw.value, ast.Attribute):
            return kw.value.attr == "none"
    return False


def _on_device(mark: Mark, device: str | None) -> MarkerUse:
    """A device-restricting decorator skips nothing on the devices it runs on."""
    use = mark.use
    if device is not None and mark.devices and device in mark.devices and use.effect:
        return MarkerUse(
            use.name, use.args, use.line, use.origin, use.declared, use.framework, None
        )
    return use


_UNKNOWN = object()


def _device_option(node: ast.expr) -> object:
    """A device option's value: a string, a sequence of strings, a bool, or None."""
    value = _constant(node)
    if isinstance(value, str):
        return (value,)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        items = [_constant(e) for e in node.elts]
        if all(isinstance(i, str) for i in items):
            return tuple(str(i) for i in items)
    return _UNKNOWN


def _is_module_name(ctx: ModuleContext, dotted: str) -> bool:
    """Whether ``dotted`` names a module that could be read (an imported submodule)."""
    stripped = dotted.lstrip(".")
    if ctx.links is None or ctx.path is None:
        return False
    return ctx.links.library.find(stripped, len(dotted) - len(stripped), ctx.path) is not None


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
    outer_generate_tests: Reach = (),
    links: ModuleLinks | None = None,
    path: Path | None = None,
    module_name: str = "",
    device_types: Sequence[str] = DEFAULT_DEVICE_TYPES,
    plugin_fixtures: Mapping[str, FixtureDef] | None = None,
) -> ModuleCollection:
    """What pytest would collect from one parsed module, without importing it.

    ``filename`` is the base name (matched against ``python_files``), ``nodeid_path``
    the node-id prefix, ``relpath`` is recorded on the fixtures defined here, and
    ``visible_fixtures`` are the conftest fixtures visible from the module's directory
    (see :func:`conftest_fixtures`). ``outer_generate_tests`` says which tests the
    ``pytest_generate_tests`` hooks of the conftests above may parametrize.

    ``links`` (with the module's absolute ``path``) lets names be followed into other
    modules, read as source: base classes, star imports, imported tests, framework
    decorators. ``device_types`` are the device types PyTorch's device-generic tests are
    instantiated for. ``plugin_fixtures`` are those of the plugins the project loads by
    name (:mod:`.plugins`). Never raises.
    """
    config_file = _config_file_label(config)
    if links is not None:
        links.recording = set()
    try:
        ctx = ModuleContext(
            tree,
            source,
            nodeid_path=nodeid_path,
            relpath=relpath,
            config=config,
            visible=visible_fixtures,
            outer_generate_tests=outer_generate_tests,
            links=links,
            path=path,
            module_name=module_name,
        )
    except (RecursionError, MemoryError):
        return ModuleCollection(
            is_test_module=False,
            reason="The module is too deeply nested to analyse.",
            config_file=config_file,
            complete=False,
        )
    try:
        return _collect(ctx, filename, config, config_file, device_types, plugin_fixtures or {})
    finally:
        ctx.release()


def _collect(
    ctx: ModuleContext,
    filename: str,
    config: PytestConfig,
    config_file: str | None,
    device_types: Sequence[str],
    plugin_fixtures: Mapping[str, FixtureDef],
) -> ModuleCollection:
    fixtures = tuple(ctx.module_fixtures.values())
    module_markers = tuple(m.use for m in ctx.module_marks)

    def done(is_test: bool, reason: str, collector: _Collector | None = None) -> ModuleCollection:
        reads = set(ctx.reads)
        if ctx.links is not None:
            reads |= ctx.links.recording
        reads.discard(ctx.path)
        return ModuleCollection(
            is_test_module=is_test,
            reason=reason,
            tests=tuple(collector.result.tests) if collector else (),
            classes=tuple(collector.result.classes) if collector else (),
            fixtures=fixtures,
            module_markers=module_markers,
            config_file=config_file,
            complete=not ctx.notes
            and (collector is None or all(t.exact for t in collector.result.tests)),
            notes=tuple(ctx.notes),
            stopped=collector.stopped if collector else None,
            stop_effect=collector.stop_effect if collector else None,
            errors=tuple(collector.errors) if collector else (),
            dependencies=tuple(sorted(p.as_posix() for p in reads)),
        )

    if filename == "conftest.py":
        return done(
            False, "conftest.py holds fixtures and hooks; pytest collects no tests from it."
        )
    # The whole path, when known: python_files patterns may name folders.
    pattern = python_files_match(ctx.path or filename, config)
    if pattern is None:
        return done(False, python_files_reason(None, config) + ".")
    dunder_test = ctx.scope.bindings.get("__test__")
    if (
        dunder_test is not None
        and dunder_test.kind == "value"
        and _constant_bool(dunder_test.node) is False
    ):
        return done(True, "pytest imports this module but __test__ = False disables collection.")
    collector = _Collector(ctx, device_types, plugin_fixtures)
    try:
        collector.collect_module()
    except (RecursionError, MemoryError):
        ctx.note("the module is too deeply nested to analyse completely")
    count = len(collector.result.tests)
    reason = (
        f"{python_files_reason(pattern, config)}; "
        f"{count} test function{'s' if count != 1 else ''} found."
    )
    return done(True, reason, collector)


@functools.cache
def _iterators_fail(config: PytestConfig) -> bool:
    """Whether parametrize given an iterator stops a module's collection: pytest 9.1
    warns, and the warning filters make it an error (the warnings plugin left on)."""
    if config.version < (9, 1):
        return False
    commandline = parse_addopts(config.addopts)
    if ("warnings", False) in commandline.plugins:
        return False
    return is_error(ITERATOR_PARAMETRIZE, config.filterwarnings, commandline.warning_filters)


#: Builtins that return an iterator, not a Collection.
_ITERATOR_BUILTINS = frozenset({"enumerate", "filter", "iter", "map", "reversed", "zip"})


def _is_iterator(expr: ast.expr, ctx: ModuleContext, depth: int = 0) -> bool:
    """Whether ``expr`` surely evaluates to an iterator (no ``len``): a generator
    expression, ``itertools``' and the iterator builtins' results, a call of a
    generator function of the module, a name bound once to one of those."""
    if isinstance(expr, ast.GeneratorExp):
        return True
    if isinstance(expr, ast.Name) and depth < 3 and expr.id in ctx.scope.settled:
        binding = ctx.scope.bindings.get(expr.id)
        if binding is not None and binding.kind == "value" and isinstance(binding.node, ast.expr):
            return _is_iterator(binding.node, ctx, depth + 1)
        return False
    if not isinstance(expr, ast.Call):
        return False
    dotted = ctx.names.dotted(expr.func)
    if dotted is None:
        return False
    if dotted.startswith("itertools.") and dotted != "itertools.tee":  # tee: a tuple
        return True
    binding = ctx.scope.bindings.get(dotted)
    if dotted in _ITERATOR_BUILTINS and binding is None:
        return True
    if binding is not None and binding.kind == "func":
        assert isinstance(binding.node, (ast.FunctionDef, ast.AsyncFunctionDef))
        return ctx.is_generator(binding.node)
    return False


def _short(expr: ast.expr) -> str:
    text = ast.unparse(expr)
    return text if len(text) <= 40 else text[:37] + "..."


def _walked_package(stmt: ast.stmt, dotted: Callable[[ast.expr], str | None]) -> str | None:
    """The package a module-level statement hands to ``pkgutil.walk_packages`` as
    ``pkg.__path__``, if it does (``for _, name, _ in walk_packages(astropy.__path__)``)."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return None
    for node in ast.walk(stmt):
        if (
            isinstance(node, ast.Call)
            and dotted(node.func) == "pkgutil.walk_packages"
            and node.args
            and isinstance(node.args[0], ast.Attribute)
            and node.args[0].attr == "__path__"
        ):
            return dotted(node.args[0].value)
    return None


#: Words a statement that stops an import on every run is written with, in the text
#: (``raise`` only at the start of a line: the top level).
_STOP_WORDS = re.compile(rb"skip|exit\(|fail\(|quit\(|^raise\b", re.MULTILINE)


def _may_stop(path: Path) -> bool:
    """Whether the module's text may hold a stop every import runs: most modules
    imported have none of these words, and need not be parsed for it."""
    try:
        return _STOP_WORDS.search(path.read_bytes()) is not None
    except OSError:
        return False


def _one_line(source: str, limit: int = 80) -> str:
    """Source text quoted in a sentence: on one line, as a doubt is one line of
    ``collect``'s notes and of a page's list (a list literal written over ten lines
    broke both), and cut after ``limit`` characters."""
    text = " ".join(source.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _config_file_label(config: PytestConfig) -> str | None:
    if config.config_file is None:
        return None
    try:
        return config.config_file.relative_to(config.rootdir).as_posix()
    except ValueError:
        return config.config_file.as_posix()
