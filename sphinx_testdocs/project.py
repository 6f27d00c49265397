"""The documented test trees of one build: scans, document names and analysis results.

Built once per build in the main process (``builder-inited``); parallel reader processes
inherit it by fork, so no file is scanned or analysed twice in one build.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath

from sphinx_testdocs.analysis.analyse import AnalysisContext, Surroundings, analyse_file
from sphinx_testdocs.analysis.collection import ModuleLinks
from sphinx_testdocs.analysis.fixtures import conftest_fixtures
from sphinx_testdocs.analysis.imports import ImportClassifier
from sphinx_testdocs.analysis.model import ModuleAnalysis, ModuleCollection
from sphinx_testdocs.analysis.modules import SourceLibrary, existing_dirs, python_search_path
from sphinx_testdocs.analysis.pytest_config import find_pytest_config
from sphinx_testdocs.analysis.scan import (
    DEFAULT_EXCLUDE,
    ScannedFolder,
    ScannedTree,
    find_project_root,
    scan_tree,
)
from sphinx_testdocs.analysis.summary import FileSummary, summarise
from sphinx_testdocs.config import TestdocsConfig
from sphinx_testdocs.crossfile import CrossFile
from sphinx_testdocs.docnames import assign_docnames, safe_segment


@dataclass
class TestRoot:
    """One configured test directory and everything found in it."""

    name: str  # unique display name, e.g. "tests"
    configured: str  # as written in conf.py
    tree: ScannedTree
    project_root: Path
    docname_prefix: str  # e.g. "testdocs/tests"
    file_docnames: dict[str, str]  # relpath -> docname
    folder_docnames: dict[str, str]  # folder relpath -> docname of its index page
    context: AnalysisContext
    #: conftest.py files between the project root and this root, outermost first.
    outer_conftests: tuple[Path, ...] = ()

    @property
    def path(self) -> Path:
        return self.tree.root

    files_in_toctree: bool = True

    @property
    def index_docname(self) -> str:
        return self.folder_docnames[""]

    @cached_property
    def known(self) -> frozenset[str]:
        """Relpaths of every file of the tree (asked for each file: made once)."""
        return frozenset(f.relpath for f in self.tree.files)

    @property
    def key(self) -> str:
        """How stored data refers to this root."""
        return str(self.tree.root)

    def nodeid_path(self, relpath: str) -> str:
        """The path pytest prints for a file of this root (relative to the project root)."""
        return self.context.nodeid_prefix + relpath

    def absolute(self, relpath: str) -> Path:
        return self.tree.root.joinpath(*PurePosixPath(relpath).parts)

    def conftest_chain(self, relpath: str) -> list[Path]:
        """The conftest.py files that apply to a file, outermost first (not itself)."""
        chain = list(self.outer_conftests)
        parts = PurePosixPath(relpath).parts[:-1]
        for depth in range(len(parts) + 1):
            candidate = "/".join([*parts[:depth], "conftest.py"])
            if candidate != relpath and self.tree.file(candidate) is not None:
                chain.append(self.absolute(candidate))
        return chain

    def inputs(self, relpath: str, dependencies: Sequence[str] = ()) -> list[Path]:
        """Every file a page's content depends on: itself, its conftests, the config,
        and the ``dependencies`` its analysis read to resolve names (other modules)."""
        paths = [self.absolute(relpath), *self.conftest_chain(relpath)]
        config_file = self.context.pytest_config.config_file
        if config_file is not None:
            paths.append(config_file)
        paths.extend(Path(d) for d in dependencies)
        return paths


@dataclass(frozen=True, slots=True)
class PageRef:
    """What a generated document shows: a file, or a folder (``is_folder``)."""

    root: TestRoot
    relpath: str
    is_folder: bool


@dataclass
class Project:
    """All configured roots, and the analyses made during this build."""

    config: TestdocsConfig
    srcdir: Path
    roots: list[TestRoot]
    problems: list[tuple[str, str, Path | None]] = field(default_factory=list)
    #: Reverse maps over all summaries, set once summaries are fresh (before reading).
    crossfile: CrossFile | None = None
    #: Whether any file's testdocs.json entry changed in this build.
    collection_changed: bool = False
    _pages: dict[str, PageRef] = field(default_factory=dict)
    _analyses: dict[Path, ModuleAnalysis] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for root in self.roots:
            for rel, doc in root.file_docnames.items():
                self._pages[doc] = PageRef(root, rel, False)
            for rel, doc in root.folder_docnames.items():
                self._pages[doc] = PageRef(root, rel, True)

    @property
    def generated_dir(self) -> Path:
        return self.srcdir / self.config.output_dir

    def page(self, docname: str) -> PageRef | None:
        """The generated page behind ``docname``, if it is one."""
        return self._pages.get(docname)

    def pages(self) -> Iterator[tuple[str, PageRef]]:
        yield from sorted(self._pages.items())

    def locate(self, path: Path) -> tuple[TestRoot, str] | None:
        """The root and relpath of an absolute path inside a configured root."""
        for root in self.roots:
            try:
                rel = path.relative_to(root.path)
            except ValueError:
                try:
                    rel = path.resolve().relative_to(root.path.resolve())
                except ValueError:
                    continue
            return root, rel.as_posix() if str(rel) != "." else ""
        return None

    def analysis(self, root: TestRoot, relpath: str) -> ModuleAnalysis:
        """The analysis of a file, made at most once per build."""
        path = root.absolute(relpath)
        cached = self._analyses.get(path)
        if cached is None:
            cached = analyse_file(path, relpath, root.context, self.surroundings(root, relpath))
            self._analyses[path] = cached
        return cached

    def forget_analyses(self) -> None:
        """Let the analyses go once every page is read: writing needs only the doctrees."""
        self._analyses.clear()
        for root in self.roots:
            links = root.context.links
            if links is not None:
                links.release()
                links.library.forget()

    def surroundings(self, root: TestRoot, relpath: str) -> Surroundings:
        """Fixtures and hooks the conftest.py files above a file give it (closest wins)."""
        collections: list[ModuleCollection] = []
        for path in root.conftest_chain(relpath):
            located = self.locate(path)
            if located is not None and located[0] is root:
                analysis = self.analysis(root, located[1])
            else:
                analysis = self._outer_analysis(root, path)
            if analysis.collection is not None:
                collections.append(analysis.collection)
        return Surroundings(
            fixtures=conftest_fixtures(collections),
            generate_tests_hook=any(c.generate_tests_hook for c in collections),
        )

    def _outer_analysis(self, root: TestRoot, path: Path) -> ModuleAnalysis:
        """A conftest.py above the documented folder: analysed, never given a page."""
        cached = self._analyses.get(path)
        if cached is None:
            try:
                rel = path.relative_to(root.project_root).as_posix()
            except ValueError:
                rel = path.name
            # Outer conftests are ordered outermost first: the ones before this one
            # are exactly those above it.
            above = root.outer_conftests[: root.outer_conftests.index(path)]
            collections = [self._outer_analysis(root, p).collection for p in above]
            surroundings = Surroundings(
                fixtures=conftest_fixtures([c for c in collections if c is not None]),
                generate_tests_hook=any(c.generate_tests_hook for c in collections if c),
            )
            cached = analyse_file(path, rel, root.context, surroundings)
            self._analyses[path] = cached
        return cached

    def summary(self, root: TestRoot, relpath: str) -> FileSummary:
        return summarise(self.analysis(root, relpath), root.known, root.tree.root.name)


def _unique_names(paths: list[Path]) -> list[str]:
    names: list[str] = []
    for path in paths:
        base = safe_segment(path.name or "root")
        name, n = base, 2
        while name in names:
            name, n = f"{base}-{n}", n + 1
        names.append(name)
    return names


def build_project(
    config: TestdocsConfig, srcdir: Path, confdir: Path, skip_dirs: list[Path]
) -> Project:
    """Scan every configured directory; report the ones that cannot be documented."""
    problems: list[tuple[str, str, Path | None]] = []
    paths: list[Path] = []
    for configured in config.dirs:
        path = Path(os.path.normpath(confdir / configured))
        if not path.is_dir():
            what = "does not exist" if not path.exists() else "is not a folder"
            problems.append(("missing_dir", f"test directory {configured!r} {what}", path))
            continue
        if path.resolve() in {p.resolve() for p in paths}:
            problems.append(("config", f"test directory {configured!r} is listed twice", path))
            continue
        paths.append(path)

    roots: list[TestRoot] = []
    generated = srcdir / config.output_dir
    for configured, path, name in zip(config.dirs, paths, _unique_names(paths), strict=False):
        tree = scan_tree(
            path,
            include=config.include,
            exclude=(*DEFAULT_EXCLUDE, *config.exclude),
            skip_dirs=[generated, *skip_dirs],
            follow_symlinks=config.follow_symlinks,
        )
        project_root = (
            Path(os.path.normpath(confdir / config.project_root))
            if config.project_root
            else find_project_root(path)
        )
        pytest_config = find_pytest_config([path], invocation_dir=project_root)
        if pytest_config.config_file is not None and not config.project_root:
            # pytest's rootdir is where node IDs are relative to: trust its choice.
            project_root = pytest_config.rootdir
        if config.pytest_options:
            pytest_config = pytest_config.with_overrides(config.pytest_options)
        for problem in pytest_config.problems:
            problems.append(("pytest_config", problem, pytest_config.config_file))
        try:
            prefix_path = path.relative_to(project_root).as_posix()
            nodeid_prefix = "" if prefix_path == "." else prefix_path + "/"
        except ValueError:
            nodeid_prefix = ""
        prefix = f"{config.output_dir}/{name}"
        file_docnames = assign_docnames((f.relpath for f in tree.files), prefix)
        folder_docnames = {
            rel: doc + "/index"
            for rel, doc in assign_docnames((f.relpath for f in tree.folders), prefix).items()
        }
        local = _local_names(tree, project_root) | set(config.local_packages)
        library = SourceLibrary(
            project_root=project_root,
            extra_roots=existing_dirs(
                [*pytest_config.pythonpath, project_root, project_root / "src"]
            ),
            site_path=python_search_path(),
        )
        context = AnalysisContext(
            classifier=ImportClassifier(frozenset(local)),
            nodeid_prefix=nodeid_prefix,
            pytest_config=pytest_config,
            links=ModuleLinks(library),
            device_types=config.device_types,
        )
        roots.append(
            TestRoot(
                name=name,
                configured=configured,
                tree=tree,
                project_root=project_root,
                docname_prefix=prefix,
                file_docnames=file_docnames,
                folder_docnames=folder_docnames,
                context=context,
                outer_conftests=_outer_conftests(path, project_root),
                files_in_toctree=config.toctree_files < 0
                or len(tree.files) <= config.toctree_files,
            )
        )
    return Project(config=config, srcdir=srcdir, roots=roots, problems=problems)


def _outer_conftests(root: Path, project_root: Path) -> tuple[Path, ...]:
    """conftest.py files from the project root down to, not including, ``root``."""
    try:
        between = root.relative_to(project_root).parts
    except ValueError:
        return ()
    found = []
    for depth in range(len(between)):
        candidate = project_root.joinpath(*between[:depth], "conftest.py")
        if candidate.is_file():
            found.append(candidate)
    return tuple(found)


def _local_names(tree: ScannedTree, project_root: Path) -> set[str]:
    """Top-level import names that resolve inside the project rather than site-packages.

    pytest puts test folders on ``sys.path`` (rootdir-relative "prepend" import mode), so
    sibling modules import by bare name; packages at the project root (or under ``src/``)
    are the project's own code.
    """
    names = {PurePosixPath(f.relpath).stem for f in tree.files}
    names |= {PurePosixPath(f.relpath).parts[0] for f in tree.folders if f.relpath}
    names.add(tree.root.name)
    for base in (project_root, project_root / "src"):
        try:
            entries = list(os.scandir(base))
        except OSError:
            continue
        for entry in entries:
            if entry.name.endswith(".py"):
                names.add(entry.name[:-3])
            elif entry.is_dir() and Path(entry.path, "__init__.py").exists():
                names.add(entry.name)
    return names


def summary_folders(root: TestRoot, relpath: str) -> list[ScannedFolder]:
    """The folder at ``relpath`` and every folder below it, in sorted order."""
    prefix = relpath + "/" if relpath else ""
    return [f for f in root.tree.folders if f.relpath == relpath or f.relpath.startswith(prefix)]
