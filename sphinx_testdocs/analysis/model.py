"""Frozen records describing one analysed file: the contract between analysis and rendering.

Nothing here imports Sphinx or docutils. Every record is immutable and picklable, so
results can cross process boundaries (parallel reads) and be cached between builds.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # conftest_rules reads files, whose records live here
    from sphinx_testdocs.analysis.conftest_rules import ConftestRules


class FileKind(enum.Enum):
    """What role a Python file plays in a test suite."""

    TEST_MODULE = "test module"
    CONFTEST = "conftest"
    PACKAGE_MARKER = "package marker"
    HELPER = "helper module"


class ParseStatus(enum.Enum):
    """How much of a file's structure the analysis could recover."""

    #: The running Python parsed the file.
    OK = "ok"
    #: The file did not parse; the structure shown was recovered by a tolerant fallback.
    PARTIAL = "partial"
    #: Nothing could be parsed (binary content, undecodable, or nothing recoverable).
    FAILED = "failed"


class ImportOrigin(enum.Enum):
    """Where an imported module comes from, as far as static analysis can tell."""

    STDLIB = "standard library"
    THIRD_PARTY = "third party"
    #: The project's own packages (the code under test).
    FIRST_PARTY = "first party"
    #: Modules of the test tree, and relative imports.
    LOCAL = "local"

    @property
    def is_project(self) -> bool:
        """The project's code or its tests: what its tests can exercise and import."""
        return self in (ImportOrigin.FIRST_PARTY, ImportOrigin.LOCAL)


class DefKind(enum.Enum):
    """The kind of a definition in the structure tree."""

    CLASS = "class"
    FUNCTION = "function"
    ASYNC_FUNCTION = "async function"


@dataclass(frozen=True, slots=True)
class Problem:
    """Something that went wrong while reading or analysing a file.

    ``subtype`` is the warning subtype shown to users (``testdocs.<subtype>``).
    """

    subtype: str
    message: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class ImportedName:
    """One name an import statement binds (``from m import name as asname``)."""

    name: str
    asname: str | None = None


@dataclass(frozen=True, slots=True)
class Import:
    """One imported module and the names taken from it.

    ``import a.b as c`` gives ``module="a.b", names=(), asname="c"``;
    ``from .x import y`` gives ``module="x", level=1, names=(ImportedName("y"),)``.
    """

    module: str
    line: int
    origin: ImportOrigin
    names: tuple[ImportedName, ...] = ()
    asname: str | None = None
    level: int = 0
    #: False for imports nested in functions, classes or ``if`` blocks.
    top_level: bool = True

    @property
    def display_module(self) -> str:
        """The module as written, with leading dots for relative imports."""
        return "." * self.level + self.module


@dataclass(frozen=True, slots=True)
class Definition:
    """A class or function definition, with the definitions nested in it."""

    kind: DefKind
    name: str
    qualname: str
    line: int
    end_line: int
    decorators: tuple[str, ...] = ()
    bases: tuple[str, ...] = ()
    docstring_summary: str | None = None
    children: tuple[Definition, ...] = ()
    #: Without a docstring: the comment block directly above it (``analysis.comments``).
    comment_summary: str | None = None

    def walk(self) -> tuple[Definition, ...]:
        """This definition and every definition nested in it, in source order."""
        out: list[Definition] = []
        stack: list[Definition] = [self]
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(reversed(node.children))
        return tuple(out)


@dataclass(frozen=True, slots=True)
class Finding:
    """An evidence-backed observation for the patterns, performance or security sections."""

    rule: str
    section: str  # "patterns" | "performance" | "security"
    title: str
    explanation: str
    lines: tuple[int, ...]
    #: "risk" or "note" for performance and security findings (a note: every line is in
    #: a context that defuses it, such as a CUDA check or a file the test wrote); None
    #: for patterns, which describe and do not weigh.
    severity: str | None = None
    #: The context the rule saw, as a sentence ("Every line is under a CUDA
    #: availability check."); empty when it saw none.
    context: str = ""
    #: When the context defuses only some lines: the others, which keep it a risk.
    risky: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Exercise:
    """A use of a project object: an import of it, or a reference inside a test.

    ``name`` is the qualified name (``pkg.module.function``); ``test`` the node ID of
    the test whose body uses it, or None for a module-level import. ``how`` says how
    it was found: ``"import"`` (a module-level import), ``"direct"`` (the name itself,
    referenced or called), ``"instance"`` (a method called on a local or ``self``
    attribute that the test made from the class) or ``"fixture NAME"`` (a method
    called on a fixture whose class is known).
    """

    name: str
    line: int
    test: str | None = None
    how: str = "direct"


@dataclass(frozen=True, slots=True)
class FileFacts:
    """Facts about the bytes of a file, independent of parsing."""

    relpath: str  # POSIX path relative to the configured root
    size: int
    encoding: str | None
    line_count: int
    newline: str | None = None  # "LF", "CRLF", "CR" or "mixed"
    has_bom: bool = False


# --- pytest collection -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MarkerUse:
    """A mark applied to a test, class or module (``@pytest.mark.skip(reason=...)``).

    ``args`` is the source text of the call's arguments (empty when there is no call).
    ``origin`` says where it was written: ``"decorator"`` (on the test), ``"class"``
    (on its class or a base), ``"module"`` (``pytestmark``) or ``"param"``
    (``pytest.param(marks=...)``). ``framework`` says whose it is: ``"pytest"`` for
    marks, else the framework of a decorator that acts like one (``"unittest"``,
    ``"PyTorch"``, ``"hypothesis"``: see :mod:`.dialects`), named as written.
    """

    name: str
    args: str
    line: int
    origin: str = "decorator"
    #: False when the project's configuration declares markers and this one is not
    #: among them nor built in; None when that cannot be told.
    declared: bool | None = None
    framework: str = "pytest"
    #: ``"skip"`` or ``"xfail"`` when it skips the test or expects it to fail (always
    #: or under a condition), else None.
    effect: str | None = None


@dataclass(frozen=True, slots=True)
class Parametrization:
    """One ``parametrize`` applied to a test (decorator, class mark or fixture params)."""

    argnames: tuple[str, ...]
    line: int
    #: Number of cases, or None when it is not statically knowable.
    cases: int | None
    #: Source text of the argvalues expression, shown when ``cases`` is None.
    expression: str = ""
    #: Case ids when they can be named statically, in order.
    ids: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class FixtureDef:
    """A fixture definition: where it lives and how it behaves."""

    name: str
    function: str
    relpath: str  # file that defines it, relative to the configured root ("" = builtin)
    line: int
    scope: str = "function"
    autouse: bool = False
    params: Parametrization | None = None
    yields: bool = False
    docstring_summary: str | None = None
    builtin: bool = False
    #: Fixtures this fixture itself requests (its arguments), in order.
    requests: tuple[str, ...] = ()
    #: The qualified name of the class its value is an instance of, when the source
    #: says so (``-> Cls``, or every ``return``/``yield`` makes a ``Cls(...)``).
    returns: str | None = None


@dataclass(frozen=True, slots=True)
class FixtureRequest:
    """A fixture a test asks for and the definition it resolves to (closest wins)."""

    name: str
    resolved: FixtureDef | None
    #: Why the test gets it: ``"argument"`` (it names it), ``"usefixtures"`` (a mark),
    #: ``"config"`` (the ``usefixtures`` setting of the pytest configuration) or
    #: ``"autouse"``. A fixture requested several ways counts as the test's own first.
    via: str = "argument"

    @property
    def own(self) -> bool:
        """Whether the test itself asks for it (an argument or a ``usefixtures`` mark)."""
        return self.via in ("argument", "usefixtures")


@dataclass(frozen=True, slots=True)
class CollectedTest:
    """One test function or method as pytest would collect it."""

    name: str
    nodeid: str  # "path::Class::test"
    line: int
    class_path: tuple[str, ...] = ()
    is_async: bool = False
    markers: tuple[MarkerUse, ...] = ()
    parametrizations: tuple[Parametrization, ...] = ()
    fixtures: tuple[FixtureRequest, ...] = ()
    #: Number of cases pytest generates (1 when not parametrized), None if unknowable.
    cases: int | None = 1
    #: True when ``cases`` is known to be exactly what pytest collects.
    exact: bool = True
    case_ids: tuple[str, ...] | None = None
    docstring_summary: str | None = None
    #: Qualified name of the class the method is defined in, when inherited.
    inherited_from: str | None = None
    #: The file the function is defined in (a display path), when not this module.
    defined_in: str | None = None
    #: The function's own name when a framework renamed it (``test_add`` for
    #: ``test_add_cpu_float32``); None when ``name`` is the function's name.
    source_name: str | None = None
    #: What generated or renamed the test (``instantiate_device_type_tests (cpu),
    #: @dtypes``); None for a test written as collected.
    generated_by: str | None = None
    #: True when ``name`` is a pattern with placeholders (``test_x_<op>_cpu_<dtype>``):
    #: the real names are computed at import time.
    name_is_pattern: bool = False
    #: Why ``exact`` is False: what pytest may collect differently; None when exact.
    doubt: str | None = None
    #: False when pytest may give it marks not listed in ``markers`` (a decorator that
    #: is not a mark, a ``pytestmark`` that cannot be read): selecting by marks
    #: (``-m``) cannot be decided for it.
    marks_known: bool = True
    #: Why pytest leaves it out after collecting it (``-m`` or ``--deselect`` in
    #: ``addopts``), when it surely does: ``pytest --collect-only`` does not list it.
    deselected: str | None = None


@dataclass(frozen=True, slots=True)
class CollectedClass:
    """A class pytest collects tests from."""

    name: str
    nodeid: str
    line: int
    style: str  # "pytest" or "unittest"
    markers: tuple[MarkerUse, ...] = ()
    docstring_summary: str | None = None
    #: The file the class is defined in (a display path), when not this module.
    defined_in: str | None = None
    #: The class written in the source when a framework generated this one from it
    #: (``TestFoo`` for ``TestFooCPU``); None otherwise.
    generated_from: str | None = None
    #: Why the tests listed for it may not be all pytest collects; None when known.
    doubt: str | None = None


@dataclass(frozen=True, slots=True)
class ModuleCollection:
    """What pytest would collect from one module, known statically."""

    is_test_module: bool
    reason: str
    tests: tuple[CollectedTest, ...] = ()
    classes: tuple[CollectedClass, ...] = ()
    fixtures: tuple[FixtureDef, ...] = ()
    module_markers: tuple[MarkerUse, ...] = ()
    #: The pytest configuration file in effect, relative to the project root.
    config_file: str | None = None
    #: False when pytest may collect tests the analysis cannot see (a base class or
    #: star import that could not be read, names made at import time...); ``notes``
    #: says why. Only what changes what pytest collects makes a module incomplete.
    complete: bool = True
    notes: tuple[str, ...] = ()
    #: Why pytest imports the module only to collect none of its tests: a statement
    #: every import runs skips, raises or exits (:mod:`.import_stops`); None otherwise.
    stopped: str | None = None
    #: What pytest does then: ``"skip"``, ``"error"`` (counted in its summary: ``1
    #: error``) or ``"end"`` (a SystemExit ends its collection: no module after this one
    #: is collected); None when the module is not stopped.
    stop_effect: str | None = None
    #: Classes of the module pytest surely fails to collect, as ``"Class: why"`` (a
    #: test of it parametrizes a name it does not use): each is an error in pytest's
    #: summary, and none of their tests is in ``tests``.
    errors: tuple[str, ...] = ()
    #: Other files read to resolve names (absolute POSIX paths, sorted): a change to
    #: any of them can change what is collected here.
    dependencies: tuple[str, ...] = ()

    @property
    def uncertain_tests(self) -> tuple[CollectedTest, ...]:
        """Tests whose name or case count is not known exactly."""
        return tuple(t for t in self.tests if not t.exact)

    def fixtures_for_all(self) -> tuple[FixtureRequest, ...]:
        """Fixtures every test of the module gets without naming them (autouse ones, the
        configuration's ``usefixtures``), in pytest's order: a page says these once.

        A fixture counts when every test has it and at least one gets it unasked (a test
        may also name an autouse fixture). Class-level autouse fixtures, which only some
        tests get, are left to those tests.
        """
        if not self.tests:
            return ()
        common = {f.name for f in self.tests[0].fixtures}
        unasked: dict[str, FixtureRequest] = {}
        for test in self.tests:
            common &= {f.name for f in test.fixtures}
            for request in test.fixtures:
                if not request.own:
                    unasked.setdefault(request.name, request)
        order = [f.name for f in self.tests[0].fixtures if f.name in common]
        return tuple(unasked[name] for name in order if name in unasked)

    def why_partial(self) -> tuple[str, ...]:
        """Why pytest may collect more or other than listed: module notes, then the
        tests' doubts (one line per distinct doubt, with how many tests it concerns)."""
        reasons = list(self.notes)
        counts: dict[str, int] = {}
        for test in self.uncertain_tests:
            doubt = test.doubt or "its cases are computed at collection"
            if doubt in self.notes:  # said for the whole module already
                continue
            counts[doubt] = counts.get(doubt, 0) + 1
        for doubt, count in counts.items():
            who = "1 test" if count == 1 else f"{count} tests"
            reasons.append(f"{who}: {doubt}")
        return tuple(reasons)


@dataclass(frozen=True)
class ModuleAnalysis:
    """Everything the analysis knows about one Python file."""

    facts: FileFacts
    kind: FileKind
    kind_reason: str
    status: ParseStatus
    text: str | None  # decoded source with newlines normalised to "\n"
    docstring_summary: str | None = None
    definitions: tuple[Definition, ...] = ()
    imports: tuple[Import, ...] = ()
    #: Without a module docstring: the first comment block at the top of the file.
    comment_summary: str | None = None
    main_guard_line: int | None = None
    findings: tuple[Finding, ...] = ()
    problems: tuple[Problem, ...] = ()
    #: What pytest would collect from this file (``analysis.collection``); ``None``
    #: when the file could not be parsed.
    collection: ModuleCollection | None = None
    #: Project (local) objects this file imports or its tests use, in source order.
    exercises: tuple[Exercise, ...] = ()
    #: Why pytest, run as configured, collects nothing from this file: it never reaches
    #: it (``norecursedirs``, ``collect_ignore``, ``testpaths``...), or its import
    #: stops (``ModuleCollection.stopped``); None when it collects it. Its tests are
    #: then listed on its page but counted nowhere.
    not_collected: str | None = None
    #: What a conftest.py adds (options, hooks, markers, plugins); None for other files.
    conftest: ConftestRules | None = None

    def all_definitions(self) -> tuple[Definition, ...]:
        """Every definition in the file, nested ones included, in source order."""
        out: list[Definition] = []
        for top in self.definitions:
            out.extend(top.walk())
        return tuple(out)

    @property
    def class_count(self) -> int:
        return sum(1 for d in self.all_definitions() if d.kind is DefKind.CLASS)

    @property
    def function_count(self) -> int:
        return sum(1 for d in self.all_definitions() if d.kind is not DefKind.CLASS)
