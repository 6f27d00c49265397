"""Every ``testdocs_*`` option, declared once: name, type, default and meaning."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

#: The page sections, in order: key -> default title (the titles of the seed pages).
SECTIONS: dict[str, str] = {
    "metadata": "File Metadata",
    "purpose": "File Purpose",
    "source": "Original Source",
    "overview": "High-Level Overview",
    "analysis": "Detailed Analysis",
    "architecture": "Architecture & Design",
    "dependencies": "Dependencies",
    "patterns": "Code Patterns & Idioms",
    "performance": "Performance Considerations",
    "security": "Security & Safety",
    "testing": "Testing & Usage",
    "related": "Related Files",
    "xrefs": "Cross-References",
}


def _str_list(value: Any) -> str | None:
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return None
    return "a list of strings"


def _section_titles(value: Any) -> str | None:
    if not isinstance(value, Mapping):
        return "a dict mapping section keys to a title or None"
    unknown = sorted(set(value) - set(SECTIONS))
    if unknown:
        return f"section keys among {', '.join(SECTIONS)} (unknown: {', '.join(unknown)})"
    if not all(v is None or isinstance(v, str) for v in value.values()):
        return "titles that are strings, or None to drop a section"
    return None


def _typed(*types: type) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, types) and not (bool not in types and isinstance(value, bool)):
            return None
        return " or ".join(t.__name__ for t in types)

    return check


@dataclass(frozen=True)
class Option:
    """One configuration value: registered as ``testdocs_<name>``."""

    name: str
    default: Any
    help: str
    check: Callable[[Any], str | None]
    types: tuple[type, ...] = ()


OPTIONS: tuple[Option, ...] = (
    Option(
        "dirs",
        [],
        "Test directories to document, relative to conf.py or absolute.",
        _str_list,
        types=(list, tuple),
    ),
    Option(
        "output_dir",
        "testdocs",
        "Folder under the Sphinx source directory that receives the generated pages.",
        _typed(str),
        types=(str,),
    ),
    Option(
        "include",
        ["**/*.py"],
        "Globs (relative to each test directory) of files that get a page.",
        _str_list,
        types=(list, tuple),
    ),
    Option(
        "exclude",
        [],
        "Globs of files and folders to leave out, added to the built-in "
        "exclusions (hidden folders, __pycache__, virtual environments, build output).",
        _str_list,
        types=(list, tuple),
    ),
    Option(
        "add_to_toctree",
        True,
        "Add each test directory's page to the root document's toctree.",
        _typed(bool),
        types=(bool,),
    ),
    Option(
        "toctree_caption",
        "Test suite",
        "Caption of the toctree added to the root document.",
        _typed(str),
        types=(str,),
    ),
    Option(
        "toctree_files",
        200,
        "Test directories with at most this many Python files put every file page in "
        "the navigation (toctrees, sidebar, previous/next links); larger ones put only "
        "folder pages there, and file pages are reached from their folder's table. A "
        "sidebar listing every page costs time on every page, so thousands of entries "
        "make builds slow, notably with themes that expand the whole tree (furo). "
        "0: never list files; -1: always.",
        _typed(int),
        types=(int,),
    ),
    Option(
        "index_tests",
        False,
        "Also list every test function in the general index (test modules, test classes, "
        "fixtures and markers always are). Tests are found through the search box, their "
        "module's page and the :test:test: role either way; on large suites thousands of "
        "test_* entries make the index page long and cost time on every build.",
        _typed(bool),
        types=(bool,),
    ),
    Option(
        "section_titles",
        {},
        "Rename sections ({'security': 'Safety'}) or drop them "
        "({'architecture': None}); keys are listed in the documentation.",
        _section_titles,
        types=(dict,),
    ),
    Option(
        "collapse_source_lines",
        40,
        "Source listings longer than this many lines are "
        "collapsed in HTML (still fully present); 0 collapses every listing.",
        _typed(int),
        types=(int,),
    ),
    Option(
        "project_root",
        None,
        "Folder pytest is taken to run from: pytest's rootdir, which node IDs and test "
        "commands are relative to, is found from it and the test directory as pytest finds "
        "it; default: the nearest folder above each test directory with pyproject.toml, "
        "setup.py, setup.cfg, tox.ini, pytest.ini or .git.",
        _typed(str, type(None)),
        types=(str, type(None)),
    ),
    Option(
        "follow_symlinks",
        False,
        "Follow symbolic links that lead outside the test directory.",
        _typed(bool),
        types=(bool,),
    ),
    Option(
        "pytest_options",
        {},
        "pytest settings that override the project's own "
        "configuration file (keys as in pytest.ini: python_files, python_classes, "
        "python_functions, markers, usefixtures, ...).",
        _typed(dict),
        types=(dict,),
    ),
    Option(
        "tested_by_autodoc",
        False,
        'Add a "Tested by" list to every Python object the documentation describes '
        "(autodoc, sphinx-autoapi or py: directives): the tests that import or use it.",
        _typed(bool),
        types=(bool,),
    ),
    Option(
        "device_types",
        ["cpu"],
        "Device types that PyTorch's device-generic tests (instantiate_device_type_tests) "
        "are documented for, as on the machine pytest would run on: ['cpu'] is what a "
        "machine without a GPU collects; ['cpu', 'cuda'] one with CUDA.",
        _str_list,
        types=(list, tuple),
    ),
    Option(
        "local_packages",
        [],
        "Top-level import names to group as local dependencies, "
        "besides those found in the test tree and at the project root.",
        _str_list,
        types=(list, tuple),
    ),
)


@dataclass(frozen=True)
class TestdocsConfig:
    """The validated options, read from Sphinx's config once per build."""

    dirs: tuple[str, ...] = ()
    output_dir: str = "testdocs"
    include: tuple[str, ...] = ("**/*.py",)
    exclude: tuple[str, ...] = ()
    add_to_toctree: bool = True
    toctree_caption: str = "Test suite"
    toctree_files: int = 200
    index_tests: bool = False
    section_titles: Mapping[str, str | None] = field(default_factory=dict)
    collapse_source_lines: int = 40
    project_root: str | None = None
    follow_symlinks: bool = False
    local_packages: tuple[str, ...] = ()
    device_types: tuple[str, ...] = ("cpu",)
    pytest_options: Mapping[str, object] = field(default_factory=dict)
    tested_by_autodoc: bool = False

    def title(self, section: str) -> str | None:
        """The title of a section, or None when the user dropped it."""
        if section in self.section_titles:
            return self.section_titles[section]
        return SECTIONS[section]


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
    known = {f.name for f in fields(TestdocsConfig)}
    return TestdocsConfig(**{k: v for k, v in values.items() if k in known}), errors
