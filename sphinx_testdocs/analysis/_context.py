"""A module as the collection sees it: its names, marks, fixtures, classes and imports.

A :class:`ModuleContext` is made for the analysed module and for every other module
read to resolve a name (:class:`ModuleLinks`, shared by every file of a build): a base
class defined elsewhere, what a star import brings, where a decorator comes from.
"""

from __future__ import annotations

import ast
import dataclasses
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sphinx_testdocs.analysis._scope import (
    Binding,
    Scope,
    may_create_names,
    mutated_names,
    mutates,
    scan_scope,
)
from sphinx_testdocs.analysis.decorators import FunctionFacts, function_facts
from sphinx_testdocs.analysis.dialects import Dialect, Role, lookup, may_lead_to_dialect
from sphinx_testdocs.analysis.evaluate import (
    BUILTIN_NAMES,
    Computing,
    Function,
    Unknown,
    builtin,
    enum_class,
    evaluate,
    one_shot,
    to_ast,
    yields_in,
)
from sphinx_testdocs.analysis.fixtures import docstring_summary, function_argnames, value_type
from sphinx_testdocs.analysis.generate_hook import Reach, combine, hook_reach
from sphinx_testdocs.analysis.markers import (
    MarkCall,
    SourceText,
    marker_use,
    marks_from_expr,
    parse_mark,
    scan_names,
    written_name,
)
from sphinx_testdocs.analysis.model import FixtureDef, MarkerUse, Parametrization
from sphinx_testdocs.analysis.modules import SourceLibrary, SourceModule
from sphinx_testdocs.analysis.parametrize import IdRules, fixture_param_spec
from sphinx_testdocs.analysis.parsing import closed_literal
from sphinx_testdocs.analysis.pytest_config import PytestConfig

FuncNode = ast.FunctionDef | ast.AsyncFunctionDef

#: How many import hops and aliases a name is followed through.
_MAX_HOPS = 12
#: pytest's mark effects, for the marker records.
_MARK_EFFECTS = {"skip": "skip", "skipif": "skip", "xfail": "xfail"}
_ROLE_EFFECTS = {Role.SKIP: "skip", Role.XFAIL: "xfail", Role.ONLY_ON: "skip"}
_MARKER_ROLES = frozenset({Role.SKIP, Role.XFAIL, Role.ONLY_ON, Role.PROPERTY})


@dataclass(frozen=True, slots=True)
class Mark:
    """A mark or mark-like decorator as found, with what evaluating it needs.

    ``call`` is the parsed pytest mark (None for other frameworks' decorators),
    ``context`` and ``constants`` the module and names visible where it was written.
    """

    call: MarkCall | None
    use: MarkerUse
    context: ModuleContext
    constants: Mapping[str, ast.expr]
    #: For ``ONLY_ON`` decorators: the device types the test runs on.
    devices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Decoration:
    """What one decorator means to the collection."""

    #: A framework entry that covers it (``parametrize``, ``dtypes``, a skip...).
    dialect: Dialect | None = None
    #: The call carrying its arguments (``@parametrize("x", [1])``), when called.
    call: ast.Call | None = None
    #: The module where ``call`` was written (its names and constants).
    context: ModuleContext | None = None


@dataclass(frozen=True, slots=True)
class Found:
    """A name followed to where it is defined."""

    context: ModuleContext
    name: str
    binding: Binding


#: Marks that change what pytest collects: a decorator named like one is followed to
#: where it is bound (``mark_of``).
_COLLECTION_MARKS = frozenset({"parametrize", "usefixtures"})


@dataclass(eq=False)
class ClassInfo:
    """A class definition, with its bases as far as they could be followed."""

    node: ast.ClassDef
    qualname: str
    scope: Scope
    context: ModuleContext
    local_bases: list[ClassInfo] = field(default_factory=list)
    #: Bases that could not be read, as written (dotted where possible).
    foreign_bases: list[str] = field(default_factory=list)
    unittest_root: bool = False
    abc_root: bool = False
    mro: list[ClassInfo] | None = None
    #: Bases from installed libraries not read yet, with their place among
    #: ``local_bases``: read only if the class turns out to be collected.
    deferred: list[tuple[int, str]] = field(default_factory=list)


class ModuleLinks:
    """Other modules, read as source to resolve names; shared by every file of a build.

    Their contexts are kept for the build (``release`` frees them), so a base class
    that a thousand test modules share is read and understood once. ``recording``
    collects the files read on behalf of the module being analysed: its dependencies.
    """

    def __init__(self, library: SourceLibrary) -> None:
        self.library = library
        self._contexts: dict[tuple[Path, int], ModuleContext | None] = {}
        self._configs: dict[int, PytestConfig] = {}
        self._canonical: dict[tuple[Path | None, str], tuple[str, tuple[Path, ...]]] = {}
        self.recording: set[Path] = set()

    def find(self, module: str, level: int, importer: Path) -> SourceModule | None:
        path = self.library.find(module, level, importer)
        if path is None:
            return None
        source = self.library.read(path)
        if source is not None:
            self.recording.add(path)
        return source

    def context(self, source: SourceModule, config: PytestConfig) -> ModuleContext | None:
        """The context of a module read as source (None while it is being made)."""
        self._configs.setdefault(id(config), config)
        key = (source.path, id(config))
        if key in self._contexts:
            found = self._contexts[key]
            if found is not None:
                self.recording.update(found.reads)
            return found
        self._contexts[key] = None  # guards against import cycles
        context = ModuleContext(
            source.tree,
            source.source,
            nodeid_path="",
            relpath=source.display,
            config=config,
            visible={},
            links=self,
            path=source.path,
            module_name=source.name,
            foreign=True,
            mutated=source.mutated,
            function_facts=source.function_facts,
        )
        self._contexts[key] = context
        return context

    def is_local(self, module: str, importer: Path) -> bool:
        """Whether an absolute import names a module of the project (not installed)."""
        path = self.library.find(module, 0, importer)
        return path is not None and self.library.project_root in path.parents

    def canonical(self, context: ModuleContext, dotted: str) -> str:
        """Where a dotted name is defined, following imports and re-exports."""
        key = (context.path if dotted.startswith(".") else None, dotted)
        cached = self._canonical.get(key)
        if cached is None:
            before = set(self.recording)
            self.recording = set()
            found = context.find(dotted)
            name = dotted
            if found is not None:
                prefix = found.context.module_name
                name = f"{prefix}.{found.name}" if prefix else found.name
            cached = self._canonical[key] = (name, tuple(self.recording))
            self.recording |= before
        self.recording.update(cached[1])
        return cached[0]

    def release(self) -> None:
        """Break the reference cycles of every context (their classes refer to them)."""
        for context in self._contexts.values():
            if context is not None:
                context.release()
        self._contexts.clear()
        self._canonical.clear()


class ModuleContext:
    """Everything about one module that the collection of its tests needs."""

    def __init__(
        self,
        tree: ast.Module,
        source: str,
        *,
        nodeid_path: str,
        relpath: str,
        config: PytestConfig,
        visible: Mapping[str, FixtureDef],
        outer_generate_tests: Reach = (),
        links: ModuleLinks | None = None,
        path: Path | None = None,
        module_name: str = "",
        foreign: bool = False,
        mutated: frozenset[str] | None = None,
        function_facts: Mapping[str, FunctionFacts] | None = None,
    ) -> None:
        self.links = links if path is not None else None
        self.path = path
        self.module_name = module_name
        self.foreign = foreign
        self.source = SourceText(source)
        self.raw_source = source
        self._mutated = mutated
        self._changes: dict[str, bool] = {}
        #: Of a module read from another file, whose bodies are cut: given. Of this
        #: module: worked out per function when asked.
        self._function_facts: dict[str, FunctionFacts | None] = dict(function_facts or {})
        self._facts_given = function_facts is not None
        self.names = scan_names(tree.body)
        self._may_create = may_create_names(source)
        self.scope = scan_scope(tree.body, self.names, may_create=self._may_create)
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
        self.classes: dict[int, ClassInfo] = {}
        #: Files this context read, directly or through the contexts it used.
        self.reads: set[Path] = set()
        #: Star imports that could not be read, as written.
        self.unread_stars: list[str] = []
        self._constant_cache: dict[str, ast.expr | None] = {}
        self._globals: _ModuleGlobals | None = None
        #: Expressions evaluated (``_Constants.computed``), by node and class names.
        self.computed: dict[
            tuple[int, frozenset[str], frozenset[str]], tuple[ast.expr, ast.expr | None]
        ] = {}
        self._found: dict[str, Found | None] = {}
        self._expand_stars()
        hook = self.scope.bindings.get("pytest_generate_tests")
        own: Reach = () if hook is None else hook_reach(hook.node)
        #: Which tests the hooks of the module and the conftests above may parametrize.
        self.generate_tests = combine([outer_generate_tests, own])
        self.module_fixtures = self.fixtures_in(self.scope, None)
        self.module_marks = self.scope_marks(self.scope, "module", self.scope.constants)

    def release(self) -> None:
        """Break this context's reference cycles (classes refer to it and to each other).

        Left alone, every file's syntax tree would outlive its analysis until a full
        garbage collection, and a build of a large suite spends more time in those
        collections than in the analysis itself.
        """
        for cls in self.classes.values():
            cls.mro = None
            cls.local_bases.clear()
        if self._globals is not None:
            self._globals.release()  # its helpers refer back to it
        self.__dict__.clear()

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    def binding_kind(self, name: str) -> str | None:
        binding = self.scope.bindings.get(name)
        return None if binding is None else binding.kind

    # --- other modules ---------------------------------------------------------

    def _read(self, module: str, level: int) -> ModuleContext | None:
        if self.links is None or self.path is None:
            return None
        source = self.links.find(module, level, self.path)
        if source is None:
            return None
        self.reads.add(source.path)
        other = self.links.context(source, self.config)
        if other is not None:
            self.reads |= other.reads
        return other

    def _expand_stars(self) -> None:
        """Replace each star import by the names it binds, where it stands."""
        if not any(b.kind == "star" for b in self.scope.bindings.values()):
            return
        bindings: dict[str, Binding] = {}
        for key, binding in self.scope.bindings.items():
            if binding.kind != "star":
                bindings.pop(key, None)
                bindings[key] = binding
                continue
            stmt = binding.node
            assert isinstance(stmt, ast.ImportFrom)
            written = "." * stmt.level + (stmt.module or "")
            other = self._read(stmt.module or "", stmt.level)
            if other is None:
                self.unread_stars.append(written)
                continue
            prefix = other.module_name
            for name in other.exported_names():
                bindings.pop(name, None)
                bindings[name] = Binding("import", stmt)
                self.names.imported[name] = f"{prefix}.{name}" if prefix else name
        self.scope.bindings = bindings

    def changes(self, name: str) -> bool:
        """Whether this module may change ``name`` after binding it (``mutated``): a
        dotted name (``np.typecodes``) as a whole, not the module it starts from."""
        if self._mutated is not None and "." not in name:
            return name in self._mutated
        known = self._changes.get(name)
        if known is None:
            known = self._changes[name] = mutates(self.raw_source, name)
        return known

    @property
    def mutated(self) -> frozenset[str]:
        """Names this module may change after binding them (see ``mutated_names``)."""
        if self._mutated is None:
            self._mutated = mutated_names(self.raw_source)
        return self._mutated

    def exported_names(self) -> list[str]:
        """The names ``from this_module import *`` binds."""
        declared = None if "__all__" in self.mutated else self.scope.constants.get("__all__")
        if isinstance(declared, (ast.List, ast.Tuple)):
            values = [e.value for e in declared.elts if isinstance(e, ast.Constant)]
            if len(values) == len(declared.elts) and all(isinstance(v, str) for v in values):
                return [str(v) for v in values]
        return [
            name
            for name, binding in self.scope.bindings.items()
            if not name.startswith(("_", "\0")) and binding.kind != "call"
        ]

    def find(self, dotted: str, hops: int = 0) -> Found | None:
        """The definition a dotted name written in this module refers to.

        ``dotted`` is an import-expanded name (``pkg.mod.Class``, ``.sibling.func``, or
        a name of this module). Imports and re-exports are followed through the
        modules they name, read as source.
        """
        if hops > _MAX_HOPS or not dotted:
            return None
        if hops == 0:
            if dotted not in self._found:
                self._found[dotted] = self._find(dotted)
            return self._found[dotted]
        return self._find(dotted, hops)

    def _find(self, dotted: str, hops: int = 0) -> Found | None:
        stripped = dotted.lstrip(".")
        level = len(dotted) - len(stripped)
        parts = stripped.split(".") if stripped else []
        if not level and parts and parts[0] in self.scope.bindings:
            binding = self.scope.bindings[parts[0]]
            if binding.kind != "import" or self.names.imported.get(parts[0]) is None:
                return self._member(self, parts, hops)
        # The longest prefix that names a module; the rest are attributes in it.
        for cut in range(len(parts) - 1, -1 if level else 0, -1):
            other = self._read(".".join(parts[:cut]), level)
            if other is not None:
                return other._member(other, parts[cut:], hops + 1)
        return None

    def _member(self, owner: ModuleContext, attrs: list[str], hops: int) -> Found | None:
        name, rest = attrs[0], attrs[1:]
        binding = owner.scope.bindings.get(name)
        if binding is None:
            return None
        if binding.kind == "import":
            target = owner.names.imported.get(name)
            if target is None:
                return None
            return owner.find(".".join([target, *rest]), hops + 1)
        if rest:
            if binding.kind != "class":
                return None
            node = binding.node
            assert isinstance(node, ast.ClassDef)
            inner = scan_scope(node.body, None, may_create=False).bindings.get(rest[0])
            if inner is None or len(rest) > 1:
                return None
            return Found(owner, f"{name}.{rest[0]}", inner)
        return Found(owner, name, binding)

    def qualified(self, node: ast.expr) -> str | None:
        """The qualified name an expression refers to, imports and re-exports followed."""
        dotted = self.names.dotted(node)
        if dotted is None:
            return None
        if lookup(dotted) is not None or self.links is None:
            return dotted
        first = dotted.split(".", 1)[0]
        binding = self.scope.bindings.get(first)
        if binding is not None and binding.kind != "import":
            return f"{self.module_name}.{dotted}" if self.module_name else dotted
        if not self.names.imported.get(first) and not dotted.startswith("."):
            return dotted  # a builtin or an unknown global
        if not self._worth_following(dotted):
            return dotted
        return self.links.canonical(self, dotted)

    def _worth_following(self, dotted: str) -> bool:
        """Follow a name into other modules only where it could lead somewhere known.

        The project's own modules (relative imports, files under the project root) and
        names that may lead to a dialect entry are followed; any other import is taken
        as written, so that a build never reads every library a test imports from.
        """
        if dotted.startswith(".") or may_lead_to_dialect(dotted):
            return True
        if self.links is None or self.path is None:
            return False
        module = dotted.rpartition(".")[0]
        return bool(module) and self.links.is_local(module, self.path)

    # --- constants ---------------------------------------------------------------

    def constants(self, local: Mapping[str, ast.expr]) -> Mapping[str, ast.expr]:
        """``local`` (names bound to literals where an expression is written), and
        imported names bound to literals in the modules they come from; what is
        computed from them by pure helpers can be evaluated (``Computing``)."""
        return _Constants(self, local)

    @property
    def globals(self) -> _ModuleGlobals:
        """This module's names as the evaluator of helpers sees them (made on demand)."""
        if self._globals is None:
            self._globals = _ModuleGlobals(self)
        return self._globals

    def imported_constant(self, written: str) -> ast.expr | None:
        """The literal an imported name (``CASES``, ``np.typecodes``) is bound to.

        Only literals made of constants alone are taken: names inside another module's
        literal would have to be looked up there, not here.
        """
        first, _, rest = written.partition(".")
        target = self.names.imported.get(first)
        if target is None or self.links is None:
            return None
        dotted = f"{target}.{rest}" if rest else target
        cache = self._constant_cache
        if dotted in cache:
            return cache[dotted]
        cache[dotted] = None  # guards against cycles
        found = self.find(dotted)
        value: ast.expr | None = None
        if found is not None and found.binding.kind == "value":
            candidate = found.context.scope.constants.get(found.name)
            if (
                candidate is not None
                and found.name not in found.context.mutated
                and closed_literal(candidate)
                and not _empty_container(candidate)  # a registry others fill
            ):
                value = candidate
        cache[dotted] = value
        return value

    # --- marks -----------------------------------------------------------------

    def scope_marks(
        self, scope: Scope, origin: str, constants: Mapping[str, ast.expr]
    ) -> list[Mark]:
        if scope.pytestmark is None:
            return []
        found = marks_from_expr(scope.pytestmark, self.names) or []
        return [Mark(m, self.mark_use(m, origin), self, constants) for m in found]

    def mark_use(self, mark: MarkCall, origin: str) -> MarkerUse:
        use = marker_use(mark, self.source, origin, self.declared)
        effect = _MARK_EFFECTS.get(mark.name)
        if effect is None:
            return use
        return MarkerUse(use.name, use.args, use.line, use.origin, use.declared, effect=effect)

    def decorator_marks(
        self, node: FuncNode | ast.ClassDef, origin: str, constants: Mapping[str, ast.expr]
    ) -> list[Mark]:
        """Marks and mark-like decorators, in the order pytest stores them (closest first)."""
        out: list[Mark] = []
        for dec in reversed(node.decorator_list):
            mark = self.mark_of(dec)
            if mark is not None:
                out.append(Mark(mark, self.mark_use(mark, origin), self, constants))
                continue
            found = self.framework_mark(dec, origin)
            if found is not None:
                out.append(Mark(None, found[0], self, constants, found[1]))
        return out

    def mark_of(self, dec: ast.expr) -> MarkCall | None:
        """The pytest mark a decorator is: written here, or called through a name
        another module binds to one (``parametrize = pytest.mark.parametrize`` in
        scikit-image's ``skimage._shared.testing``, used as ``@parametrize(...)``)."""
        mark = parse_mark(dec, self.names)
        if mark is not None or not isinstance(dec, ast.Call):
            return mark
        if not isinstance(dec.func, (ast.Name, ast.Attribute)):
            return None
        dotted = self.names.dotted(dec.func)
        if dotted is None or dotted.rpartition(".")[2] not in _COLLECTION_MARKS:
            return None  # only a name that reads as one is followed, into any module
        found = self._alias(dec.func) or self._bound_in_source(dotted)
        if found is None:
            return None
        where, value = found
        inner = parse_mark(value, where.names)
        if inner is None or inner.call is not None:
            return None  # a mark called there: its arguments are not these
        return MarkCall(inner.name, dec, dec)

    def _bound_in_source(self, dotted: str) -> tuple[ModuleContext, ast.expr] | None:
        """What ``dotted`` is bound to (a value) in the module it is imported from, read
        as source: the project's or an installed library's."""
        if self.links is None:
            return None
        found = self.find(dotted)
        if found is None or found.binding.kind != "value":
            return None
        assert isinstance(found.binding.node, ast.expr)
        return found.context, found.binding.node

    def is_generator(self, node: FuncNode) -> bool:
        """Whether a function of this module yields. Walking every test's body was a
        sixth of the analysis of NumPy's suite; the text says at once that most do not."""
        return self.source.may_hold("yield", node) and yields_in(node.body)

    def opaque_decorator(self, node: FuncNode) -> bool:
        """Whether a decorator of the function is neither a mark, a known framework's,
        ``mock.patch`` nor ``staticmethod``/``classmethod``: it may apply marks itself."""
        for dec in node.decorator_list:
            target = dec.func if isinstance(dec, ast.Call) else dec
            if (
                self.mark_of(dec) is None
                and self.framework_mark(dec, "decorator") is None
                and not self.names.is_patch(target)
                and not (isinstance(dec, ast.Name) and dec.id in ("staticmethod", "classmethod"))
            ):
                return True
        return False

    def decorator_doubt(self, node: FuncNode) -> str | None:
        """Why a decorator of the test, read as source here or in the project module it
        is imported from, may change what pytest collects (``decorators``), if one may:
        it may return something other than a function, or it parametrizes what it
        wraps. A library's decorator is taken to return the test it wraps."""
        for dec in node.decorator_list:
            found = self._decorator_facts(dec)
            if found is None:
                continue
            label, facts = found
            if not isinstance(dec, ast.Call) and facts.may_not_return_a_function:
                return (
                    f"decorator {label} may return something other than a function, "
                    "which pytest does not collect"
                )
            if "parametrize" in facts.marks:
                return f"decorator {label} parametrizes what it wraps: its cases are not known"
        return None

    def dynamic_decorator(self, node: FuncNode | ast.ClassDef) -> tuple[str, int] | None:
        """A decorator, read as source, whose body creates names no statement shows
        (``globals()[name] = type(...)``): its name and the line it is applied on."""
        for dec in node.decorator_list:
            found = self._decorator_facts(dec)
            if found is not None and found[1].creates_names:
                return found[0], dec.lineno
        return None

    def facts_of(self, name: str) -> FunctionFacts | None:
        """The facts of a function defined at the top level of this module."""
        if name not in self._function_facts and not self._facts_given:
            binding = self.scope.bindings.get(name)
            facts = None
            if binding is not None and binding.kind == "func":
                functions = {n: b.node for n, b in self.scope.bindings.items() if b.kind == "func"}
                node = binding.node
                assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                facts = function_facts(node, functions)
            self._function_facts[name] = facts
        return self._function_facts.get(name)

    def _decorator_facts(self, dec: ast.expr) -> tuple[str, FunctionFacts] | None:
        """The function a decorator (or decorator factory, when called) names, and its
        facts: read in this module or in the project module it is imported from; None
        for marks, known frameworks' decorators and what is not read."""
        target = dec.func if isinstance(dec, ast.Call) else dec
        if self.mark_of(dec) is not None or self.framework_mark(dec, "decorator"):
            return None
        if isinstance(target, ast.Name):
            binding = self.scope.bindings.get(target.id)
            if binding is not None and binding.kind == "func":
                facts = self.facts_of(target.id)
                return None if facts is None else (target.id, facts)
            if binding is None or binding.kind != "import":
                return None
        dotted = self.names.dotted(target)
        if dotted is None or self.names.is_patch(target) or not self._worth_following(dotted):
            return None
        found = self.find(dotted)
        if found is None or found.binding.kind != "func":
            return None
        facts = found.context.facts_of(found.name)
        return None if facts is None else (written_name(target) or dotted, facts)

    def unreadable_pytestmark(self, scopes: Sequence[Scope]) -> bool:
        """Whether one of ``scopes`` (of this module) binds a ``pytestmark`` whose marks
        cannot be read."""
        return any(
            scope.pytestmark is not None and marks_from_expr(scope.pytestmark, self.names) is None
            for scope in scopes
        )

    def framework_mark(
        self, dec: ast.expr, origin: str
    ) -> tuple[MarkerUse, tuple[str, ...]] | None:
        """A skip, expected-failure, device or property-based decorator as a marker."""
        decoration = self.decoration(dec)
        dialect = decoration.dialect
        if dialect is None or dialect.role not in _MARKER_ROLES:
            return None
        if dialect.role is Role.PROPERTY:
            # hypothesis' pytest plugin marks every @given test "hypothesis".
            name, args = "hypothesis", ""
        else:
            target = dec.func if isinstance(dec, ast.Call) else dec
            name = _last_name(target) or dialect.id.rpartition(".")[2]
            call = decoration.call
            where = decoration.context or self
            args = where.source.call_args(call) if call is not None else ""
        use = MarkerUse(
            name=name,
            args=args,
            line=dec.lineno,
            origin=origin,
            declared=True,
            framework=dialect.framework,
            effect=_ROLE_EFFECTS.get(dialect.role),
        )
        return use, dialect.devices

    def decoration(self, dec: ast.expr, hops: int = 0) -> Decoration:
        """What a decorator is: a framework's entry (with its call), or nothing known."""
        call = dec if isinstance(dec, ast.Call) else None
        target = call.func if call is not None else dec
        qualname = self.qualified(target)
        dialect = lookup(qualname)
        if dialect is not None:
            return Decoration(dialect, call, self)
        if hops < _MAX_HOPS and isinstance(target, (ast.Name, ast.Attribute)):
            # An alias: ``requires_gpu = unittest.skipUnless(HAS_GPU, "...")``, here
            # or in the module it is imported from.
            found = self._alias(target)
            if found is not None:
                where, value = found
                inner = where.decoration(value, hops + 1)
                if inner.dialect is not None:
                    return inner if call is None else Decoration(inner.dialect, call, self)
            subclassed = self._parametrizer_class(target)
            if subclassed is not None:
                return Decoration(subclassed, call, self)
        return Decoration()

    def _alias(self, target: ast.Name | ast.Attribute) -> tuple[ModuleContext, ast.expr] | None:
        if isinstance(target, ast.Name):
            binding = self.scope.bindings.get(target.id)
            if binding is not None and binding.kind == "value":
                assert isinstance(binding.node, ast.expr)
                return (self, binding.node) if binding.node is not target else None
        dotted = self.names.dotted(target)
        if dotted is None or not self._worth_following(dotted):
            return None
        return self._bound_in_source(dotted)

    def _parametrizer_class(self, target: ast.Name | ast.Attribute) -> Dialect | None:
        """A class that derives from a framework's parametrizer base (its names unknown)."""
        local = self.scope.bindings.get(target.id) if isinstance(target, ast.Name) else None
        if local is not None and local.kind == "class":
            assert isinstance(local.node, ast.ClassDef)
            info = self.class_info(local.node, target.id)  # type: ignore[union-attr]
        else:
            dotted = self.names.dotted(target)
            if dotted is None or not self._worth_following(dotted):
                return None
            imported = self._imported_class(dotted)
            if imported is None:
                return None
            info = imported
        for cls in self.mro(info)[1:]:
            dialect = lookup(cls.qualname)
            if dialect is not None and dialect.role is Role.OPS:
                return dialect
        return None

    # --- fixtures ----------------------------------------------------------------

    def fixture_call(self, node: FuncNode) -> ast.Call | ast.expr | None:
        for dec in node.decorator_list:
            target = dec.func if isinstance(dec, ast.Call) else dec
            if self.names.is_fixture(target):
                return dec
            made = self._fixture_alias(dec, target)
            if made is not None:
                return made
        return None

    def _fixture_alias(self, dec: ast.expr, target: ast.expr) -> ast.expr | None:
        """The fixture decorator a module-level name stands for: ``_engine =
        pytest.fixture(params=[...])`` then ``@_engine`` (dask's test_parquet.py) gives
        that call; ``fx = pytest.fixture`` then ``@fx`` or ``@fx(...)`` gives the
        decorator. Only a name bound once, by a statement every import runs."""
        if not isinstance(target, ast.Name) or target.id not in self.scope.settled:
            return None
        binding = self.scope.bindings.get(target.id)
        if binding is None or binding.kind != "value" or binding.condition is not None:
            return None
        value = binding.node
        if isinstance(value, (ast.Name, ast.Attribute)) and self.names.is_fixture(value):
            return dec
        if isinstance(value, ast.Call) and self.names.is_fixture(value.func) and dec is target:
            return value
        return None

    def fixtures_in(self, scope: Scope, owner: ClassInfo | None) -> dict[str, FixtureDef]:
        """The fixtures a module or class body defines, by the names pytest registers:
        each function a fixture decorator decorates, and each other name bound once to
        one of them by a statement every import runs (``second_file = parquet_file`` in
        dask: pytest registers a fixture under every attribute that holds one, unless
        its decorator names it)."""
        found: dict[str, FixtureDef] = {}
        for attribute, binding in scope.bindings.items():
            value = binding.node
            if binding.kind == "func":
                node = value
            elif (
                binding.kind == "value"
                and binding.condition is None
                and isinstance(value, ast.Name)
                and attribute in scope.settled
                and (target := scope.bindings.get(value.id)) is not None
                and target.kind == "func"
            ):
                node = target.node
            else:
                continue
            assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            dec = self.fixture_call(node)
            if dec is None:
                continue
            fixture = self._fixture_def(node, dec, owner, scope)
            if binding.kind == "value" and fixture.name == node.name:
                fixture = dataclasses.replace(fixture, name=attribute)
            found[fixture.name] = fixture
        return found

    def _fixture_def(
        self, node: FuncNode, dec: ast.expr, owner: ClassInfo | None, scope: Scope
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
                constants=self.constants(constants),
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
        is_method = owner is not None and not is_staticmethod(node)
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
            returns=value_type(node, self.qualified),
        )

    # --- classes -----------------------------------------------------------------

    def class_info(self, node: ast.ClassDef, qualname: str) -> ClassInfo:
        info = self.classes.get(id(node))
        if info is not None:
            return info
        scope = scan_scope(node.body, None, may_create=self._may_create)
        info = ClassInfo(node, qualname, scope, self)
        self.classes[id(node)] = info
        for base in node.bases:
            self._add_base(info, base)
        for kw in node.keywords:
            if kw.arg == "metaclass" and (self.names.dotted(kw.value) or "").endswith("ABCMeta"):
                info.abc_root = True
        return info

    def _add_base(self, info: ClassInfo, base: ast.expr) -> None:
        if isinstance(base, ast.Name):
            binding = self.scope.bindings.get(base.id)
            if binding is not None and binding.kind == "class":
                assert isinstance(binding.node, ast.ClassDef)
                if binding.node is not info.node:
                    local_name = f"{self.module_name}.{base.id}" if self.foreign else base.id
                    info.local_bases.append(self.class_info(binding.node, local_name))
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
        known = lookup(dotted)
        if known is not None and known.role is Role.TEST_CASE:
            # Known to define no test: nothing to read (nor to depend on).
            info.unittest_root = True
            return
        if dotted in ("abc.ABC", "ABC") or dotted.endswith(".ABC"):
            info.abc_root = True
            return
        if dotted.split(".", 1)[0] in _STDLIB and dotted.split(".", 1)[0] != "unittest":
            return  # the standard library's classes define no tests
        if self._may_wait(dotted):
            info.deferred.append((len(info.local_bases), dotted))
            return
        self._resolve_base(info, dotted, len(info.local_bases))

    def _may_wait(self, dotted: str) -> bool:
        """Whether reading a base can wait until its class is known to be collected.

        A library's class (``numpy.ma.MaskedArray``) named like no test base, outside
        the project and the followed framework packages, is read only for a class
        pytest may collect: a helper subclass costs no read of a large library module.
        """
        if self.links is None or self.path is None or dotted.startswith("."):
            return False
        module, _, last = dotted.rpartition(".")
        if not module or "Test" in last or "Case" in last or "test" in module.lower():
            return False
        if may_lead_to_dialect(dotted):
            return False
        return not self.links.is_local(module, self.path)

    def resolve_deferred(self, info: ClassInfo) -> None:
        """Read the library bases of ``info`` and of its bases that were left waiting."""
        chain: list[ClassInfo] = []
        stack = [info]
        while stack:
            cls = stack.pop()
            if cls in chain or len(chain) > _MAX_CLASS_DEPTH:
                continue
            chain.append(cls)
            stack.extend(cls.local_bases)
        if not any(cls.deferred for cls in chain):
            return
        for cls in chain:
            waiting, cls.deferred = cls.deferred, []
            for position, dotted in reversed(waiting):
                cls.context._resolve_base(cls, dotted, position)
            cls.mro = None  # recomputed with the bases now read

    def _resolve_base(self, info: ClassInfo, dotted: str, position: int) -> None:
        imported = self._imported_class(dotted)
        if imported is not None:
            top = imported.context.module_name.split(".", 1)[0]
            if top in _STDLIB:
                # Re-exported from the standard library (``numpy.testing.TestCase`` is
                # ``unittest.TestCase``): taken as such, as when imported from there.
                if top == "unittest" and imported.node.name.endswith("TestCase"):
                    info.unittest_root = True
                return
            info.local_bases.insert(position, imported)
            return
        last = dotted.rsplit(".", 1)[-1]
        if dotted.split(".", 1)[0] in _NO_TEST_MODULES:
            return  # typing's classes define no tests
        if "TestCase" in last:
            # An unread base named like a TestCase is taken to be one, as pytest's
            # unittest plugin would find by issubclass() at import time.
            info.unittest_root = True
        info.foreign_bases.append(dotted)

    def _imported_class(self, dotted: str) -> ClassInfo | None:
        """A base class defined in another module, read as source."""
        if self.links is None or dotted.split(".", 1)[0] in _NO_TEST_MODULES:
            return None
        found = self.find(dotted)
        if found is None or found.binding.kind != "class":
            return None
        node = found.binding.node
        assert isinstance(node, ast.ClassDef)
        prefix = found.context.module_name
        qualname = f"{prefix}.{found.name}" if prefix else found.name
        return found.context.class_info(node, qualname)

    def mro(self, info: ClassInfo, depth: int = 0) -> list[ClassInfo]:
        """C3 linearisation over the classes that could be read."""
        if info.mro is not None:
            return info.mro
        if depth > _MAX_CLASS_DEPTH:
            raise RecursionError("class hierarchy too deep")
        info.mro = [info]  # guards against cycles while computing
        sequences = [list(b.context.mro(b, depth + 1)) for b in info.local_bases]
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

    def is_unittest(self, info: ClassInfo) -> bool:
        return any(c.unittest_root for c in self.mro(info))

    def unread_bases(self, info: ClassInfo) -> list[str]:
        return [b for c in self.mro(info) for b in c.foreign_bases]


#: Nested test classes and base chains deeper than this are not followed.
_MAX_CLASS_DEPTH = 40
#: Top-level modules whose classes never hold tests (not worth reading for a base).
_NO_TEST_MODULES = frozenset({"typing_extensions"})
_STDLIB = frozenset(sys.stdlib_module_names)


class ClassNames(dict[str, ast.expr]):
    """Names bound to literals visible in a class body, and the body's own names."""

    #: Every name the body binds (they hide the module's).
    hidden: frozenset[str] = frozenset()
    #: Those bound once to an expression (``scope.constants``).
    own: frozenset[str] = frozenset()


class _Constants(Computing):
    """Names bound to literals, imported ones followed into their modules on demand."""

    def __init__(self, context: ModuleContext, local: Mapping[str, ast.expr]) -> None:
        self._context = context
        self._local = local

    def computed(self, node: ast.expr) -> ast.expr | None:
        local = self._local
        hidden = own = frozenset[str]()
        if isinstance(local, ClassNames):
            hidden, own = local.hidden, local.own
        # Every test of a class shares its decorators' expressions: evaluated once.
        cache = self._context.computed
        key = (id(node), hidden, own)
        if key in cache:
            return cache[key][1]
        try:
            found: ast.expr | None = to_ast(
                evaluate(node, self._context.globals, local, hidden, own)
            )
        except Unknown:
            found = None
        cache[key] = (node, found)  # the node kept alive: its id is never reused
        return found

    def __getitem__(self, key: str) -> ast.expr:
        # A name the module changes anywhere (``DATA[k] = v`` in a helper it calls on
        # import, ``CASES += [3]`` on an imported list) does not hold its literal. A
        # class's own names are changed in its body or not at all (its scan says so):
        # the same name in other classes of the module is another list.
        local = self._local
        own = isinstance(local, ClassNames) and key in local.own
        if not own and self._context.changes(key):
            raise KeyError(key)
        found = self._local.get(key)
        if found is None:
            found = self._context.imported_constant(key)
        if found is None or _one_shot_expr(found) or _empty_container(found):
            # An iterator bound to a name is used up by the first parametrize that
            # reads it (here, or in a module that imports it and is collected first);
            # an empty table bound to a name is a registry others fill on import.
            raise KeyError(key)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._local)

    def __len__(self) -> int:
        return len(self._local)


_FAILED = object()


class _ModuleGlobals:
    """A module's names for the evaluator: settled helpers, tables, enums and imports.

    Each name is evaluated once per build (the context lives as long), when a
    parametrize first needs it.
    """

    def __init__(self, context: ModuleContext) -> None:
        self._context = context
        self._values: dict[str, object] = {}

    def release(self) -> None:
        self._values.clear()
        del self._context

    def global_value(self, name: str) -> object:
        found = self._values.get(name)
        if found is _FAILED:
            raise Unknown
        if found is not None or name in self._values:
            return found
        self._values[name] = _FAILED  # guards against cycles
        value = self._value(name)  # raises Unknown, leaving _FAILED
        self._values[name] = value
        return value

    def _value(self, name: str) -> object:
        ctx = self._context
        binding = ctx.scope.bindings.get(name)
        if binding is None:
            if name in BUILTIN_NAMES and not ctx.unread_stars:
                return builtin(name)
            raise Unknown
        if name not in ctx.scope.settled:
            raise Unknown
        node = binding.node
        if binding.kind == "value":
            expr = ctx.scope.constants.get(name)
            if expr is None or name in ctx.mutated or _empty_container(expr):
                raise Unknown
            value = evaluate(expr, self)
            if one_shot(value):
                raise Unknown  # an iterator: what it still holds depends on earlier uses
            return value
        if binding.kind == "func" and isinstance(node, ast.FunctionDef):
            return Function(node, self)
        if binding.kind == "class" and isinstance(node, ast.ClassDef):
            return enum_class(node, ctx.qualified, ctx.module_name)
        if binding.kind == "import":
            target = ctx.names.imported.get(name)
            if target is None:
                raise Unknown
            return self._imported(target)
        raise Unknown

    def dotted_value(self, node: ast.Attribute) -> object:
        ctx = self._context
        written = written_name(node)
        if written is None:
            raise Unknown
        first, _, rest = written.partition(".")
        binding = ctx.scope.bindings.get(first)
        target = ctx.names.imported.get(first)
        # ``itertools.product``, ``helpers.CASES``: names of imported modules only.
        if binding is None or binding.kind != "import" or target is None:
            raise Unknown
        return self._imported(f"{target}.{rest}")

    def _imported(self, dotted: str) -> object:
        ctx = self._context
        try:
            return builtin(dotted)
        except Unknown:
            pass
        if ctx.links is None or not ctx._worth_following(dotted):
            raise Unknown
        found = ctx.find(dotted)
        if found is None or "." in found.name:
            raise Unknown
        return found.context.globals.global_value(found.name)


def _last_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


#: Calls that make an iterator (read once), by their last name.
_ITERATOR_CALLS = frozenset(
    {
        "product",
        "permutations",
        "combinations",
        "combinations_with_replacement",
        "chain",
        "islice",
        "cycle",
        "repeat",
        "starmap",
        "zip_longest",
        "accumulate",
        "compress",
        "groupby",
        "map",
        "filter",
        "zip",
        "iter",
        "reversed",
        "enumerate",
    }
)


def _empty_container(expr: ast.expr) -> bool:
    """``{}``, ``[]``, ``dict()``...: a table bound to a name empty, to be filled by
    others on import (``REGISTRY = {}``, filled by every module that registers)."""
    if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
        return False if expr.elts else not isinstance(expr, ast.Tuple)
    if isinstance(expr, ast.Dict):
        return not expr.keys
    return (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Name)
        and expr.func.id in ("dict", "list", "set", "defaultdict", "OrderedDict")
        and not expr.args
        and not expr.keywords
    )


def _one_shot_expr(expr: ast.expr) -> bool:
    """Whether an expression makes an iterator: a generator expression, or a call of
    ``itertools.product``, ``map``, ``zip``... (its values can be read only once)."""
    if isinstance(expr, ast.GeneratorExp):
        return True
    if not isinstance(expr, ast.Call):
        return False
    func = expr.func
    last = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return last in _ITERATOR_CALLS


def is_staticmethod(node: FuncNode) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)


def _yields(node: FuncNode) -> bool:
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
