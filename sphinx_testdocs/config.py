"""Every ``testdocs_*`` option, declared once: the fields of ``TestdocsConfig``.

Each field gives its type, default, help text and check; the Sphinx registrations
(``OPTIONS``), the validated build config and the configuration reference in the
documentation are all made from those declarations.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal


def _str_list(value: Any) -> str | None:
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return None
    return "a list of strings"


def _section_titles(value: Any) -> str | None:
    # Imported here: the page sections are defined with their renderers, which read
    # this module's TestdocsConfig.
    from sphinx_testdocs.render.module import SECTION_KEYS

    if not isinstance(value, Mapping):
        return "a dict mapping section keys to a title or None"
    unknown = sorted(set(value) - set(SECTION_KEYS))
    if unknown:
        return f"section keys among {', '.join(SECTION_KEYS)} (unknown: {', '.join(unknown)})"
    if not all(v is None or isinstance(v, str) for v in value.values()):
        return "titles that are strings, or None to drop a section"
    return None


def _source_url(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        return "None or a string"
    # Imported here: the analysis package imports this module's neighbours only.
    from sphinx_testdocs.analysis.forge import template_problem

    return template_problem(value)


#: Object types of the Python domain a "Tested by" list can be given to.
PY_OBJTYPES = (
    "module",
    "class",
    "exception",
    "function",
    "method",
    "classmethod",
    "staticmethod",
    "property",
    "attribute",
    "data",
)


def _objtypes(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if _str_list(value) is None:
        unknown = sorted(set(value) - set(PY_OBJTYPES))
        if not unknown:
            return None
        return f"True, False or object types among {', '.join(PY_OBJTYPES)} (unknown: " + (
            ", ".join(unknown) + ")"
        )
    return "True, False or a list of Python object types"


def objtypes_of(value: bool | tuple[str, ...]) -> frozenset[str]:
    """The object types an option that takes True, False or a list of types names."""
    if isinstance(value, bool):
        return frozenset(PY_OBJTYPES) if value else frozenset()
    return frozenset(value)


def _typed(*types: type) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, types) and not (bool not in types and isinstance(value, bool)):
            return None
        return " or ".join(t.__name__ for t in types)

    return check


#: What Sphinx re-reads when an option changes: everything, or nothing.
Rebuild = Literal["", "env"]


def option(
    default: Any,
    help: str,
    *,
    types: tuple[type, ...],
    check: Callable[[Any], str | None] | None = None,
    rebuild: Rebuild = "env",
) -> Any:
    """Declare one option as a field of ``TestdocsConfig``.

    ``default`` is what Sphinx registers (lists as users write them); the field holds
    it frozen (a tuple). ``check`` returns what the value must be, or None when it is
    good; by default, an instance of ``types``. ``rebuild`` is what Sphinx re-reads when
    the value changes: "" for options that change no output.
    """
    metadata = {
        "default": default,
        "help": help,
        "check": check or _typed(*types),
        "types": types,
        "rebuild": rebuild,
    }
    if isinstance(default, dict):
        if default:
            raise ValueError("an option's dict default must be empty (it is shared)")
        return field(default_factory=dict, metadata=metadata)
    frozen = tuple(default) if isinstance(default, list) else default
    return field(default=frozen, metadata=metadata)


@dataclass(frozen=True)
class TestdocsConfig:
    """The validated options, read from Sphinx's config once per build."""

    dirs: tuple[str, ...] = option(
        [],
        "Test directories to document, relative to conf.py or absolute.",
        types=(list, tuple),
        check=_str_list,
    )
    output_dir: str = option(
        "testdocs",
        "Folder under the Sphinx source directory that receives the generated pages.",
        types=(str,),
    )
    include: tuple[str, ...] = option(
        ["**/*.py"],
        "Globs (relative to each test directory) of files that get a page.",
        types=(list, tuple),
        check=_str_list,
    )
    exclude: tuple[str, ...] = option(
        [],
        "Globs of files and folders to leave out, added to the built-in "
        "exclusions (hidden folders, __pycache__, virtual environments, build output).",
        types=(list, tuple),
        check=_str_list,
    )
    add_to_toctree: bool = option(
        True,
        "Add each test directory's page to the root document's toctree.",
        types=(bool,),
    )
    toctree_caption: str = option(
        "Test suite",
        "Caption of the toctree added to the root document.",
        types=(str,),
    )
    toctree_files: int | None = option(
        None,
        "What goes into the navigation (toctrees, sidebar, previous/next links). A "
        "sidebar is drawn on every page and themes such as furo draw all of it, so its "
        "cost is its entries times the pages that draw it. None (the default) decides by "
        "that cost: in a project with pages of its own (10 or more), only each test "
        "directory's suite page, every other page being reached from the suite's "
        "tables; in a site of the suite alone (the command line's), every page of a test "
        "directory of at most 200 files, else its folder pages. A number N: every page "
        "of test directories with at most N files, folder pages of larger ones; 0: "
        "folder pages only; -1: every page.",
        types=(int, type(None)),
    )
    index_tests: bool = option(
        False,
        "Also list every test function in the general index (test modules, test classes, "
        "fixtures and markers always are). Tests are found through the search box, their "
        "module's page and the :test:test: role either way; on large suites thousands of "
        "test_* entries make the index page long and cost time on every build.",
        types=(bool,),
    )
    section_titles: Mapping[str, str | None] = option(
        {},
        "Rename sections ({'security': 'Safety'}) or drop them "
        "({'architecture': None}); keys are listed in the documentation.",
        types=(dict,),
        check=_section_titles,
    )
    collapse_source_lines: int = option(
        40,
        "Source listings longer than this many lines are "
        "collapsed in HTML (still fully present); 0 collapses every listing.",
        types=(int,),
    )
    project_root: str | None = option(
        None,
        "Folder pytest is taken to run from: pytest's rootdir, which node IDs and test "
        "commands are relative to, is found from it and the test directory as pytest finds "
        "it; default: the nearest folder above each test directory with pyproject.toml, "
        "setup.py, setup.cfg, tox.ini, pytest.ini or .git.",
        types=(str, type(None)),
    )
    follow_symlinks: bool = option(
        False,
        "Follow symbolic links that lead outside the test directory.",
        types=(bool,),
    )
    pytest_options: Mapping[str, object] = option(
        {},
        "pytest settings that override the project's own "
        "configuration file (keys as in pytest.ini: python_files, python_classes, "
        "python_functions, markers, usefixtures, ...).",
        types=(dict,),
    )
    tested_by_autodoc: bool | tuple[str, ...] = option(
        False,
        'Add a "Tested by" list to every Python object the documentation describes '
        "(autodoc, sphinx-autoapi or py: directives): the tests that import or use it, "
        "or that ran it when testdocs_coverage is given. True: objects of every type; "
        "a list of Python object types (['function', 'method', 'class']): those only.",
        types=(bool, list, tuple),
        check=_objtypes,
    )
    tested_by_hide_empty: bool | tuple[str, ...] = option(
        ["attribute", "data"],
        'Python object types whose "Tested by" list is left out where it would only '
        "say that no test uses the object (testdocs_tested_by_autodoc): a test rarely "
        "names an attribute, so such lists are mostly noise. True: every type; False or "
        "[]: show every empty list.",
        types=(bool, list, tuple),
        check=_objtypes,
    )
    coverage: tuple[str, ...] = option(
        [],
        "coverage.py data files recorded with per-test contexts (pytest --cov=PKG "
        "--cov-context=test, or [run] dynamic_context = test_function): globs relative "
        'to conf.py. "Tested by" then lists the tests that ran each documented '
        "function, class and module the data measured; the static list remains for "
        "the rest. Read as data (SQLite); the measured code is never imported. A "
        "changed file re-reads only the pages whose lists change.",
        types=(list, tuple),
        check=_str_list,
        rebuild="",
    )
    untested_exclude: tuple[str, ...] = option(
        ["__*__"],
        "Names the untested-API list (testdocs-untested) leaves out, as fnmatch "
        "patterns: a pattern with a dot is matched against the full name "
        "('pkg.compat.*'), one without against the object's own name ('__*__': "
        "dunder methods, __init__ included, which every test runs).",
        types=(list, tuple),
        check=_str_list,
        rebuild="",
    )
    device_types: tuple[str, ...] = option(
        ["cpu"],
        "Device types that PyTorch's device-generic tests (instantiate_device_type_tests) "
        "are documented for, as on the machine pytest would run on: ['cpu'] is what a "
        "machine without a GPU collects; ['cpu', 'cuda'] one with CUDA.",
        types=(list, tuple),
        check=_str_list,
    )
    scale_levers: bool | None = option(
        None,
        "The memory and speed levers for large suites (collector handling, doctree "
        "caches, packed pages, shared sidebars: see Performance). None turns them on "
        "for suites of 100 files or more; True or False forces them on or off. Some "
        "change process-wide state for the build's duration, which is why small "
        "suites go without.",
        types=(bool, type(None)),
        rebuild="",
    )
    uncollected_folders: bool = option(
        False,
        "Give pages to the folders pytest never enters, and to their files: those "
        "matching norecursedirs (its defaults too: build, dist, *.egg...) or a "
        "collect_ignore entry, and, when pytest runs from its rootdir without arguments, "
        "those outside testpaths. By default they are left out (sample applications and "
        "fixture data kept beside the tests); their parent folder's page lists each "
        "with the reason.",
        types=(bool,),
    )
    first_party: tuple[str, ...] = option(
        [],
        "Top-level import names of the project's own packages (listed as first-party "
        "dependencies), besides those found statically: the packages at the project "
        "root or under src/, and the name its pyproject.toml, setup.cfg or setup.py "
        "declares. For a project whose package lives elsewhere (PyTorch's tests "
        "documented without torch/ beside them: ['torch']).",
        types=(list, tuple),
        check=_str_list,
    )
    results: tuple[str, ...] = option(
        [],
        "Test results to lay over the pages: globs of files, relative to conf.py, in "
        "JUnit XML (pytest --junitxml, unittest-xml-reporting, PyTorch's CI) or "
        "pytest's report log (pytest-reportlog's --report-log). Each file is one "
        "column, a job of a matrix. They are joined to the tests by node ID; a changed "
        "file re-reads only the pages whose results it changes.",
        types=(list, tuple),
        check=_str_list,
        rebuild="",
    )
    owner_markers: tuple[str, ...] = option(
        [],
        "Names of marks (or decorators acting as marks) whose string arguments name a "
        "test's owners: ['owner'] reads @pytest.mark.owner('team-x') on a module "
        "(pytestmark), a class or a test. Owners also come from PyTorch's "
        "'# Owner(s): [...]' header and from a CODEOWNERS file, always.",
        types=(list, tuple),
        check=_str_list,
    )
    source_url: str | None = option(
        None,
        "Address of a file's line on the forge, with {commit}, {path} (relative to the "
        "repository root) and {line}: "
        "'https://github.com/ORG/REPO/blob/{commit}/{path}#L{line}'. Definitions, "
        "findings and File Metadata then link there. {commit} is read from the build's "
        "environment (Read the Docs, CI) or the checkout's .git files; without one, no "
        "link is made and one warning says why.",
        types=(str, type(None)),
        check=_source_url,
    )


@dataclass(frozen=True)
class Option:
    """One configuration value as registered: ``testdocs_<name>``."""

    name: str
    default: Any
    help: str
    check: Callable[[Any], str | None]
    types: tuple[type, ...]
    rebuild: Rebuild


#: Every option, in the order of the declarations.
OPTIONS: tuple[Option, ...] = tuple(
    Option(f.name, *(f.metadata[k] for k in ("default", "help", "check", "types", "rebuild")))
    for f in fields(TestdocsConfig)
)


def read_config(config: Any) -> tuple[TestdocsConfig, list[str]]:
    """Validate every option; return the usable config and one message per bad option.

    A bad value falls back to its default, so one typo does not cost the whole build.
    """
    errors: list[str] = []
    values: dict[str, Any] = {}
    for option in OPTIONS:
        value = getattr(config, f"testdocs_{option.name}", option.default)
        problem = option.check(value)
        if problem:
            errors.append(f"testdocs_{option.name} must be {problem}, not {value!r}")
            value = option.default
        values[option.name] = tuple(value) if isinstance(value, list | tuple) else value
    return TestdocsConfig(**values), errors
