"""Find and read the modules a test file imports, as source text: never imported or run.

pytest imports a test module with its folder (or its package's parent folder) put on
``sys.path``; the module then imports helpers from the test tree, the project's own
packages and installed packages. To know what a test class inherits, or what a star
import brings, the analysis needs those modules too. :class:`SourceLibrary` finds them
the way Python's path-based import would, with file-system lookups only, and parses each
at most once per build; reading a file's bytes is all it ever does with them.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sphinx_testdocs.analysis._scope import mutated_names
from sphinx_testdocs.analysis.decorators import FunctionFacts, module_function_facts
from sphinx_testdocs.analysis.evaluate import yields_in
from sphinx_testdocs.analysis.parsing import parse_module
from sphinx_testdocs.analysis.reading import decode_source, looks_binary

__all__ = ["SourceLibrary", "SourceModule", "package_basedir", "python_search_path"]

#: Larger files are not read to resolve names: no real base-class module comes close,
#: and parsing one would cost more than the whole analysis of a small suite.
MAX_SOURCE_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True, eq=False)
class SourceModule:
    """A module read as source to resolve names (identity is its path)."""

    path: Path
    #: Dotted name as the import system would give it ("torch.testing._internal.x").
    name: str
    #: The path shown to readers: relative to the project root, else to the search-path
    #: folder it was found in ("torch/testing/_internal/common_utils.py").
    display: str
    is_package: bool
    #: The module with every function body cut to what the collection reads (its
    #: docstring, whether it yields, a single ``return``): bodies are most of a
    #: syntax tree, and a build holds the modules it read until the analysis ends.
    tree: ast.Module
    source: str
    #: Names the module may change after binding them (``_scope.mutated_names``),
    #: worked out before the bodies were cut.
    mutated: frozenset[str] = frozenset()
    #: What its top-level functions' bodies show as decorators of tests
    #: (``decorators.FunctionFacts``), worked out before the bodies were cut.
    function_facts: Mapping[str, FunctionFacts] = field(default_factory=dict)


def package_basedir(path: Path) -> Path:
    """The folder pytest puts on ``sys.path`` to import ``path`` (``prepend`` mode).

    The parent of the outermost package (folder with ``__init__.py``) holding the file,
    or the file's own folder when that is no package.
    """
    folder = path.parent
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        folder = folder.parent
    return folder


def module_name(path: Path, basedir: Path) -> str:
    """The dotted name of ``path`` when imported from ``basedir``."""
    try:
        parts = list(path.relative_to(basedir).with_suffix("").parts)
    except ValueError:
        return path.stem
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def python_search_path() -> tuple[Path, ...]:
    """The running Python's ``sys.path`` folders, where installed packages are found.

    The current folder (an empty entry) and zip files are left out: what a build reads
    must not depend on where it was started from.
    """
    out: list[Path] = []
    for entry in sys.path:
        if not entry:
            continue
        path = Path(entry)
        if path.is_dir() and path not in out:
            out.append(path)
    return tuple(out)


@dataclass
class SourceLibrary:
    """Modules found by path and parsed once, shared by every file of a build.

    ``project_root`` is where display paths are taken from; ``extra_roots`` are folders
    searched after the importing file's own (pytest's ``pythonpath``, the project root
    and its ``src``); ``site_path`` the installed packages' folders, searched last.
    """

    project_root: Path
    extra_roots: tuple[Path, ...] = ()
    #: pytest's ``pythonpath`` folders (among ``extra_roots``): on ``sys.path`` surely.
    pythonpath: tuple[Path, ...] = ()
    site_path: tuple[Path, ...] = ()
    max_bytes: int = MAX_SOURCE_BYTES
    _modules: dict[Path, SourceModule | None] = field(default_factory=dict)
    _lookups: dict[tuple[Path, str], Path | None] = field(default_factory=dict)
    _basedirs: dict[Path, Path] = field(default_factory=dict)
    _conftest_dirs: dict[Path, bool] = field(default_factory=dict)
    #: (importing folder, module, level) -> the file found: every file of a folder
    #: imports from the same places, and most import the same modules.
    _found: dict[tuple[Path, str, int], Path | None] = field(default_factory=dict)
    #: Module file -> the import stop every import of it runs, or None
    #: (``collection._Collector._certain_stop``), read once per build.
    certain_stops: dict[Path, object] = field(default_factory=dict)
    #: Top-level module -> the versions of the installed distributions that provide
    #: it (``import_stops.installed_version``), read once per build.
    top_level_versions: dict[str, tuple[str, ...]] | None = None

    # --- where a file imports from -------------------------------------------------

    def search_path(self, importer: Path, *, sure: bool = False) -> list[Path]:
        """Folders an absolute import in ``importer`` is looked up in, in order.

        ``sure``: only those pytest puts on ``sys.path`` however it is run (no project
        root or ``src`` guessed, which only ``python -m pytest`` from there adds, or
        ``pythonpath``): what decides whether an import on collection succeeds."""
        roots: list[Path] = [self._basedir(importer)]
        # pytest imports every conftest.py above a test first, putting its folder (or
        # its package's parent) on sys.path too.
        folder = importer.parent
        while True:
            if self._has_conftest(folder):
                roots.append(self._basedir(folder / "conftest.py"))
            if folder in (self.project_root, folder.parent):
                break
            if self.project_root not in folder.parents:
                break
            folder = folder.parent
        roots.extend(self.pythonpath if sure else self.extra_roots)
        roots.extend(self.site_path)
        return list(dict.fromkeys(roots))

    def _basedir(self, path: Path) -> Path:
        found = self._basedirs.get(path.parent)
        if found is None:
            found = self._basedirs[path.parent] = package_basedir(path)
        return found

    def _has_conftest(self, folder: Path) -> bool:
        found = self._conftest_dirs.get(folder)
        if found is None:
            found = self._conftest_dirs[folder] = (folder / "conftest.py").is_file()
        return found

    # --- finding -------------------------------------------------------------------

    def find(self, module: str, level: int, importer: Path) -> Path | None:
        """The file ``import module`` (``level`` dots) in ``importer`` would load."""
        key = (importer.parent, module, level)
        if key not in self._found:
            self._found[key] = self._find(module, level, importer)
        return self._found[key]

    def _find(self, module: str, level: int, importer: Path) -> Path | None:
        parts = [p for p in module.split(".") if p]
        if level:
            base = importer.parent
            for _ in range(level - 1):
                base = base.parent
            return self._in_folder(base, parts) if parts else _init_of(base)
        if not parts:
            return None
        for root in self.search_path(importer):
            key = (root, module)
            if key not in self._lookups:
                self._lookups[key] = self._in_folder(root, parts)
            found = self._lookups[key]
            if found is not None:
                return found
            if self._top_level_exists(root, parts[0]):
                # A regular package or module shadows later entries: stop here, as
                # the import system does (namespace packages aside).
                return None
        return None

    def _top_level_exists(self, root: Path, top: str) -> bool:
        return (root / f"{top}.py").is_file() or (root / top / "__init__.py").is_file()

    def _in_folder(self, base: Path, parts: Sequence[str]) -> Path | None:
        folder = base
        for part in parts[:-1]:
            folder = folder / part
            if not folder.is_dir():
                return None
        last = folder / parts[-1]
        for candidate in (last / "__init__.py", last.with_name(parts[-1] + ".py")):
            if candidate.is_file():
                return candidate
        return None

    # --- reading -------------------------------------------------------------------

    def read(self, path: Path) -> SourceModule | None:
        """The module at ``path`` parsed (cached); None when it cannot be read as Python."""
        if path in self._modules:
            return self._modules[path]
        module = self._modules[path] = self._load(path)
        return module

    def _load(self, path: Path) -> SourceModule | None:
        try:
            if path.stat().st_size > self.max_bytes:
                return None
            data = path.read_bytes()
        except OSError:
            return None
        if looks_binary(data):
            return None
        decoded = decode_source(data)
        if not decoded.exact:
            return None
        try:
            tree = parse_module(decoded.text, filename=str(path))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        mutated = mutated_names(decoded.text)
        facts = module_function_facts(tree, decoded.text)
        _cut_bodies(tree)
        basedir = self._basedir(path)
        return SourceModule(
            path=path,
            name=module_name(path, basedir),
            display=self.display(path, basedir),
            is_package=path.name == "__init__.py",
            tree=tree,
            source=decoded.text,
            mutated=mutated,
            function_facts=facts,
        )

    def display(self, path: Path, basedir: Path | None = None) -> str:
        """How a read file is named on pages: relative to the project when inside it."""
        try:
            return path.relative_to(self.project_root).as_posix()
        except ValueError:
            pass
        for root in self.site_path:
            if root in path.parents:
                return path.relative_to(root).as_posix()
        base = basedir or self._basedir(path)
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            return path.as_posix()

    def forget(self) -> None:
        """Drop every parsed module (the analyses that needed them are done)."""
        self._modules.clear()


def _cut_bodies(tree: ast.Module) -> None:
    """Keep of each function body only what the collection reads (see SourceModule).

    Statements are walked down to function definitions, whose bodies are not entered:
    what is cut needs no visit. Short undecorated functions at module level keep their
    body: they may be helpers whose values a parametrize takes (``evaluate``).
    """
    stack: list[ast.AST] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef) and _may_be_evaluated(stmt):
            continue
        stack.append(stmt)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            _cut(node)
        elif isinstance(node, ast.stmt):
            for name in ("body", "orelse", "finalbody", "handlers", "cases"):
                stack.extend(getattr(node, name, ()))
        elif isinstance(node, (ast.ExceptHandler, ast.match_case)):
            stack.extend(node.body)


#: Longest helper (in lines) whose body is kept for evaluation.
_MAX_HELPER_LINES = 40
#: Stands where statements were cut: evaluating it fails, so a cut body is never run.
CUT_MARK = "\0cut"


def _may_be_evaluated(node: ast.FunctionDef) -> bool:
    end = node.end_lineno or node.lineno
    return not node.decorator_list and end - node.lineno <= _MAX_HELPER_LINES


def _cut(node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
    body = node.body
    kept: list[ast.stmt] = []
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        kept.append(body[0])  # the docstring
    rest = body[len(kept) :]
    if len(rest) == 1 and isinstance(rest[0], ast.Return):
        kept.append(rest[0])  # a one-line function may name parametrized tests
        node.body = kept
        return
    if node.decorator_list and yields_in(rest):
        kept.append(ast.Expr(ast.Yield()))  # a fixture with teardown
    kept.append(ast.Expr(ast.Name(CUT_MARK, ast.Load())))
    node.body = kept


def _init_of(folder: Path) -> Path | None:
    init = folder / "__init__.py"
    return init if init.is_file() else None


def existing_dirs(paths: Iterable[Path]) -> tuple[Path, ...]:
    """The folders among ``paths`` that exist, once each, in order."""
    return tuple(dict.fromkeys(p for p in paths if p.is_dir()))
