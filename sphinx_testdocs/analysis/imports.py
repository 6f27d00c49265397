"""Decide whether an imported module is standard library, third party, the project's
own (first party) or a module of the test tree (local), and say why when it is not
obvious.

The evidence is read from files, never by importing: the project's packages at its
root (or under ``src/``) and the name its packaging metadata declares; the modules
pytest makes importable by bare name when it imports a test file in its default
``prepend`` mode (each file's *basedir*, the first folder upward without
``__init__.py``, goes on ``sys.path``) and the folders of its ``pythonpath`` option.
"""

from __future__ import annotations

import ast
import configparser
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from sphinx_testdocs.analysis.model import ImportOrigin
from sphinx_testdocs.analysis.modules import package_basedir

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

# ``sys.stdlib_module_names`` is the interpreter's own list (3.10+); a few modules that
# are commonly imported but missing from some builds are added so the grouping does not
# depend on how this Python was compiled.
_STDLIB = frozenset(sys.stdlib_module_names) | {"__future__", "_typeshed", "typing_extensions"}
_STDLIB = _STDLIB - {"typing_extensions"}  # third party, despite the name

#: Largest packaging file read for the project's name (they are a few kilobytes).
_MAX_METADATA_BYTES = 1024 * 1024


@dataclass(frozen=True)
class ImportClassifier:
    """Classifies modules by their top-level name.

    ``first_party`` and ``local`` map top-level names to why they are the project's own
    or the test tree's (shown where a reader could not tell).
    """

    first_party: tuple[tuple[str, str], ...] = ()
    local: tuple[tuple[str, str], ...] = ()

    @cached_property
    def _first_party(self) -> dict[str, str]:
        return dict(self.first_party)

    @cached_property
    def _local(self) -> dict[str, str]:
        return dict(self.local)

    def __call__(self, module: str, level: int) -> ImportOrigin:
        if level:
            return ImportOrigin.LOCAL
        top = module.partition(".")[0]
        # The project's package first: its tests may live inside it (numpy/core/tests),
        # which makes it importable from their basedir too.
        if top in self._first_party:
            return ImportOrigin.FIRST_PARTY
        if top in self._local:
            return ImportOrigin.LOCAL
        if top in _STDLIB:
            return ImportOrigin.STDLIB
        return ImportOrigin.THIRD_PARTY

    def why(self, module: str) -> str | None:
        """Why an absolute import is first party or local; None for the others."""
        top = module.partition(".")[0]
        return self._first_party.get(top) or self._local.get(top)


def first_party_names(
    project_root: Path,
    configured: Iterable[str] = (),
    tests_root: Path | None = None,
    site_path: Iterable[Path] = (),
) -> dict[str, str]:
    """The project's own top-level packages, each with the evidence for it.

    Tests inside an installed package (NumPy's, in site-packages) are that package's:
    the package holding ``tests_root`` is first party when it is found on ``site_path``.
    """
    names: dict[str, str] = {}
    for name in configured:
        names.setdefault(name, "named in testdocs_first_party")
    if tests_root is not None and (tests_root / "__init__.py").is_file():
        basedir = package_basedir(tests_root / "__init__.py")
        if basedir in set(site_path):
            top = tests_root.relative_to(basedir).parts[0]
            names.setdefault(top, "the installed package these tests are part of")
    declared = declared_name(project_root)
    if declared is not None:
        name, source = declared
        names.setdefault(name, f"the project's name in {source}")
    for base, where in ((project_root, "at the project root"), (project_root / "src", "in src/")):
        for name in sorted(_importable(base, modules=base.name == "src")):
            names.setdefault(name, f"a package {where}")
    return names


def tree_module_names(
    root: Path,
    relpaths: Iterable[str],
    pythonpath: Iterable[Path] = (),
    outer_conftests: Iterable[Path] = (),
    site_path: Iterable[Path] = (),
) -> dict[str, str]:
    """Top-level names a test file imports from the test tree, each with the folder that
    makes it importable: every test file's basedir (pytest's ``prepend`` import mode),
    those of the conftest.py files above the tree, and the ``pythonpath`` folders.

    A basedir among ``site_path`` (the tests of an installed package, NumPy's in
    site-packages) gives nothing: what is there is installed, and the package holding
    the tests is first party (:func:`first_party_names`).
    """
    installed = set(site_path)
    basedirs: dict[Path, None] = {}
    for path in (*outer_conftests, *(root / relpath for relpath in sorted(relpaths))):
        basedirs.setdefault(package_basedir(path), None)
    names: dict[str, str] = {}
    for folder in basedirs:
        label = _label(folder, root)
        if folder in installed:
            continue
        for name in sorted(_importable(folder, modules=True)):
            names.setdefault(
                name, f"in {label}, on sys.path as pytest imports the test files there"
            )
    for folder in pythonpath:
        for name in sorted(_importable(folder, modules=True)):
            names.setdefault(name, f"in {folder.name}/, on pytest's pythonpath")
    return names


def declared_name(project_root: Path) -> tuple[str, str] | None:
    """The import name the project's packaging declares, and the file that says so:
    ``[project] name`` of pyproject.toml, ``[metadata] name`` of setup.cfg or a literal
    ``name=`` given to ``setup()`` in setup.py (read, never run). A distribution name
    is taken as its import name once normalised (``my-pkg`` -> ``my_pkg``)."""
    for source, read in (
        ("pyproject.toml", _pyproject_name),
        ("setup.cfg", _setup_cfg_name),
        ("setup.py", _setup_py_name),
    ):
        text = _read_small(project_root / source)
        name = read(text) if text is not None else None
        if name and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
            return re.sub(r"[-.]+", "_", name), source
    return None


def _pyproject_name(text: str) -> str | None:
    try:
        project = tomllib.loads(text).get("project")
    except tomllib.TOMLDecodeError:
        return None
    name = project.get("name") if isinstance(project, dict) else None
    return name if isinstance(name, str) else None


def _setup_cfg_name(text: str) -> str | None:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    return parser.get("metadata", "name", fallback=None)


def _setup_py_name(text: str) -> str | None:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _called_name(node.func) == "setup":
            for keyword in node.keywords:
                if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                    value = keyword.value.value
                    return value if isinstance(value, str) else None
    return None


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _read_small(path: Path) -> str | None:
    try:
        if path.stat().st_size > _MAX_METADATA_BYTES:
            return None
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _importable(folder: Path, *, modules: bool) -> set[str]:
    """Names importable from ``folder``: its packages and, with ``modules``, its ``.py``
    files and the folders holding some (namespace packages: Python imports them too).
    Without ``modules``, only folders with ``__init__.py`` count: at a project root any
    folder would otherwise (docs/, scripts/...)."""
    names: set[str] = set()
    try:
        with os.scandir(folder) as found:
            entries = list(found)
    except OSError:
        return names
    for entry in entries:
        if modules and entry.name.endswith(".py") and entry.name[:-3].isidentifier():
            names.add(entry.name[:-3])
        elif (
            entry.name.isidentifier()
            and entry.is_dir()
            and (Path(entry.path, "__init__.py").is_file() or (modules and _has_python(entry)))
        ):
            names.add(entry.name)
    return names


def _has_python(folder: os.DirEntry[str]) -> bool:
    try:
        with os.scandir(folder.path) as entries:
            return any(e.name.endswith(".py") for e in entries)
    except OSError:
        return False


def _label(folder: Path, root: Path) -> str:
    try:
        relative = folder.relative_to(root).as_posix()
    except ValueError:
        return f"{folder.name}/"
    return f"{root.name}/" if relative == "." else f"{root.name}/{relative}/"
