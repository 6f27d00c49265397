"""The documented test trees of one build: scans, document names and analysis results.

Built once per build in the main process (``builder-inited``); parallel reader processes
inherit it by fork, so no file is scanned or analysed twice in one build.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, cached_property, partial
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from sphinx_testdocs.analysis.addopts import parse_addopts
from sphinx_testdocs.analysis.analyse import AnalysisContext, Surroundings, analyse_file
from sphinx_testdocs.analysis.canonical import ProjectNames
from sphinx_testdocs.analysis.collection import ModuleLinks
from sphinx_testdocs.analysis.conftest_rules import ConftestRules, read_conftest_file
from sphinx_testdocs.analysis.fixtures import conftest_fixtures
from sphinx_testdocs.analysis.forge import GitCheckout, file_url, find_checkout
from sphinx_testdocs.analysis.generate_hook import combine
from sphinx_testdocs.analysis.import_stops import module_found
from sphinx_testdocs.analysis.imports import (
    ImportClassifier,
    first_party_names,
    tree_module_names,
)
from sphinx_testdocs.analysis.model import ModuleAnalysis, ModuleCollection
from sphinx_testdocs.analysis.modules import SourceLibrary, existing_dirs, python_search_path
from sphinx_testdocs.analysis.owners import CodeOwners, Owner, read_codeowners
from sphinx_testdocs.analysis.plugins import (
    active_plugins,
    installed_plugin_declares,
    plugin_fixtures,
    pytest_declares,
    pytest_source,
    shuffling_plugin,
)
from sphinx_testdocs.analysis.pytest_config import PytestConfig, find_pytest_config
from sphinx_testdocs.analysis.scan import (
    DEFAULT_EXCLUDE,
    ScannedFolder,
    ScannedTree,
    find_project_root,
    scan_tree,
    without_folders,
)
from sphinx_testdocs.analysis.selection import Selection, Verdict, confcutdir
from sphinx_testdocs.analysis.summary import FileSummary, summarise
from sphinx_testdocs.config import TestdocsConfig
from sphinx_testdocs.coverage.measure import MeasuredTests
from sphinx_testdocs.crossfile import CrossFile
from sphinx_testdocs.docnames import assign_docnames, safe_segment
from sphinx_testdocs.results.join import JoinedResults
from sphinx_testdocs.results.load import find_results


@dataclass
class TestRoot:
    """One configured test directory and everything found in it."""

    name: str  # unique display name, e.g. "tests"
    configured: str  # as written in conf.py
    tree: ScannedTree
    #: The project's own folder: where its packages are found (``import pkg``).
    project_root: Path
    docname_prefix: str  # e.g. "testdocs/tests"
    file_docnames: dict[str, str]  # relpath -> docname
    folder_docnames: dict[str, str]  # folder relpath -> docname of its index page
    context: AnalysisContext
    #: What pytest reaches, walking from its initial paths (the one place that decides).
    selection: Selection
    #: conftest.py files pytest loads above this root (from its confcutdir), outermost
    #: first.
    outer_conftests: tuple[Path, ...] = ()
    #: The CODEOWNERS file that governs the tree, parsed; None when there is none.
    codeowners: CodeOwners | None = None
    #: The git checkout the tree is in (for links to the forge); None outside one.
    checkout: GitCheckout | None = None
    #: ``testdocs_source_url``, when a link can be made from it (see ``source_url``).
    source_template: str | None = None

    @property
    def path(self) -> Path:
        return self.tree.root

    #: What of this tree goes into the navigation (``choose_navigation``).
    navigation: Navigation = "files"

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

    @property
    def rootdir(self) -> Path:
        """pytest's rootdir: node IDs are relative to it."""
        return self.context.pytest_config.rootdir

    def nodeid_path(self, relpath: str) -> str:
        """The path pytest prints for a file of this root (relative to its rootdir)."""
        return self.context.nodeid_prefix + relpath

    def rootdir_label(self) -> str:
        """Where pytest's rootdir is, from this folder, and how pytest chose it."""
        config = self.context.pytest_config
        if config.config_file is not None and config.config_file.parent == self.rootdir:
            how = f"the folder of {config.config_file.name}"
        elif (self.rootdir / "setup.py").is_file():
            how = "the nearest folder with a setup.py"
        else:
            how = "the common ancestor of the test folder and the folder pytest runs from"
        return f"{relative_posix(self.rootdir, self.path)} ({how})"

    def verdict(self, relpath: str, *, is_dir: bool = False) -> Verdict:
        """Whether pytest reaches a file (or folder) of this root, and why not."""
        return self.selection.verdict(self.absolute(relpath), is_dir=is_dir)

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

    def owners(self, relpath: str, written: Sequence[Owner] = ()) -> tuple[Owner, ...]:
        """A file's owners: those ``written`` in it (its header, owner marks on the
        module), then CODEOWNERS'."""
        found = [o for o in written if o.source != "CODEOWNERS"]
        if self.codeowners is not None:
            path = self.absolute(relpath)
            try:
                rel = path.relative_to(self.codeowners.base).as_posix()
            except ValueError:
                rel = None
            if rel is not None:
                found += self.codeowners.owners_of(rel)
        return tuple(found)

    def source_url(self, relpath: str) -> str | None:
        """The address of a file on the forge, ``{commit}`` and ``{line}`` left to fill
        (``analysis.forge.file_url``); None without ``testdocs_source_url`` or a commit
        it needs."""
        if self.source_template is None or self.checkout is None:
            return None
        try:
            rel = self.absolute(relpath).relative_to(self.checkout.root)
        except ValueError:
            return None
        return file_url(self.source_template, PurePosixPath(rel.as_posix()))

    def inputs(self, relpath: str, dependencies: Sequence[str] = ()) -> list[Path]:
        """Every file a page's content depends on: itself, its conftests, the config,
        and the ``dependencies`` its analysis read to resolve names (other modules)."""
        paths = [
            self.absolute(relpath),
            *self.conftest_chain(relpath),
            *self.selection.plugin_modules,
        ]
        config_file = self.context.pytest_config.config_file
        if config_file is not None:
            paths.append(config_file)
        paths.extend(Path(d) for d in dependencies)
        return paths


#: A problem found while setting up: (warning subtype, message, file, line).
Problem = tuple[str, str, Path | None, int | None]


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
    #: (warning subtype, message, file or None, line or None) of each problem found.
    problems: list[Problem] = field(default_factory=list)
    #: Reverse maps over all summaries, set once summaries are fresh (before reading).
    crossfile: CrossFile | None = None
    #: Whether any file's testdocs.json entry changed in this build.
    collection_changed: bool = False
    #: The results files (``testdocs_results``): (label, path), in order.
    result_files: list[tuple[str, Path]] = field(default_factory=list)
    #: Those results joined to the known tests, set before reading (None: no results).
    results: JoinedResults | None = None
    #: The coverage data files (``testdocs_coverage``): (label, path), in order.
    coverage_files: list[tuple[str, Path]] = field(default_factory=list)
    #: What they measured, set before reading (None: no coverage data).
    coverage: MeasuredTests | None = None
    #: "Tested by" facts looked up so far, with the cross-file facts and coverage data
    #: they were made from (``tested.tested_by``).
    tested_by_memo: tuple[object, object, dict[str, Any]] | None = None
    _pages: dict[str, PageRef] = field(default_factory=dict)
    _analyses: dict[Path, ModuleAnalysis] = field(default_factory=dict)
    _names: dict[str, ProjectNames] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for root in self.roots:
            for rel, doc in root.file_docnames.items():
                self._pages[doc] = PageRef(root, rel, False)
            for rel, doc in root.folder_docnames.items():
                self._pages[doc] = PageRef(root, rel, True)

    @property
    def generated_dir(self) -> Path:
        return self.srcdir / self.config.output_dir

    def forge_commits(self) -> dict[str, str]:
        """Checkout (its root, as pages name it) -> the commit its forge links are at."""
        return {
            str(root.checkout.root): root.checkout.commit
            for root in self.roots
            # A template without {commit} (a branch) links without one, and a new
            # commit changes none of its links.
            if root.source_template
            and "{commit}" in root.source_template
            and root.checkout
            and root.checkout.commit
        }

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

    def defined_as(self, name: str) -> str:
        """Where a project object is defined (``pkg.Flask`` -> ``pkg.app.Flask``), read
        from the project's source as each test directory imports it; other names, and
        names that cannot be followed, as written."""
        for root in self.roots:
            if not root.context.classifier(name, 0).is_project or root.context.links is None:
                continue
            names = self._names.get(root.key)
            if names is None:
                names = self._names[root.key] = ProjectNames(
                    root.context.links, root.path / "conftest.py", root.context.pytest_config
                )
            found = names.canonical(name)
            if found.kind is not None:
                return found.name
        return name

    def adopt_analyses(self, analyses: Iterable[tuple[Path, ModuleAnalysis]]) -> None:
        """Keep analyses made elsewhere (forked workers, ``scale.workers``)
        as if made here."""
        self._analyses.update(analyses)

    def forget_analyses(self) -> None:
        """Let the analyses go once every page is read: writing needs only the doctrees."""
        self._analyses.clear()
        self.forget_other_modules()

    def forget_other_modules(self) -> None:
        """Let the modules read to follow names go: the analyses that needed them are
        made. Another analysis reads them again if it needs them."""
        self._names.clear()
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
            generate_tests=combine(
                root.selection.conftests[path].generate_tests
                for path in root.conftest_chain(relpath)
                if path in root.selection.conftests
            ),
            verdict=root.verdict(relpath),
            commandline=root.selection.commandline,
        )

    def _outer_analysis(self, root: TestRoot, path: Path) -> ModuleAnalysis:
        """A conftest.py above the documented folder: analysed, never given a page."""
        cached = self._analyses.get(path)
        if cached is None:
            try:
                rel = path.relative_to(root.rootdir).as_posix()
            except ValueError:
                rel = path.name
            # Outer conftests are ordered outermost first: the ones before this one
            # are exactly those above it.
            above = root.outer_conftests[: root.outer_conftests.index(path)]
            collections = [self._outer_analysis(root, p).collection for p in above]
            surroundings = Surroundings(
                fixtures=conftest_fixtures([c for c in collections if c is not None]),
                generate_tests=combine(
                    root.selection.conftests[p].generate_tests
                    for p in above
                    if p in root.selection.conftests
                ),
            )
            cached = analyse_file(path, rel, root.context, surroundings)
            self._analyses[path] = cached
        return cached

    def summary(self, root: TestRoot, relpath: str) -> FileSummary:
        summary = summarise(
            self.analysis(root, relpath),
            root.known,
            root.tree.root.name,
            self.config.owner_markers,
        )
        # CODEOWNERS' owners too: checked against the file before each build
        # (``freshness``), so a changed CODEOWNERS re-reads the pages it changes.
        return replace(
            summary,
            owners=root.owners(relpath, summary.owners),
            verdict=root.verdict(relpath),
        )


def _unique_names(paths: list[Path]) -> list[str]:
    names: list[str] = []
    for path in paths:
        base = safe_segment(path.name or "root")
        name, n = base, 2
        while name in names:
            name, n = f"{base}-{n}", n + 1
        names.append(name)
    return names


#: What of a test tree goes into the navigation: every page, folder pages, or only the
#: suite page (the tree's root page).
Navigation = Literal["files", "folders", "suite"]
#: A project with at least this many pages of its own is a host: its sidebar is drawn
#: on the suite's pages too, and every suite page in it is drawn on all of them.
HOST_PAGES = 10
#: Without a host, the largest test directory whose file pages all go in the navigation.
STANDALONE_FILES = 200


def choose_navigation(toctree_files: int | None, files: int, host_pages: int) -> Navigation:
    """What of a tree of ``files`` files goes into the navigation (see the option).

    A sidebar's cost is its entries times the pages that draw it. In a host project
    the suite's pages each draw the host's whole tree already; putting them in it as
    well (each with its sections) made furo's build of a 256-page project with 156
    test files 2.5 times the project's own, against 1.3 times with the suite page only
    (``benchmarks/README-host.md``).
    """
    if toctree_files is None:
        if host_pages >= HOST_PAGES:
            return "suite"
        toctree_files = STANDALONE_FILES
    return "files" if toctree_files < 0 or files <= toctree_files else "folders"


def build_project(
    config: TestdocsConfig,
    srcdir: Path,
    confdir: Path,
    skip_dirs: list[Path],
    *,
    invocation_dir: Path | None = None,
    explicit: bool | None = None,
    host_pages: int = 0,
    pytest_args: Sequence[Path] = (),
) -> Project:
    """Scan every configured directory; report the ones that cannot be documented.

    ``invocation_dir`` is where pytest is taken to run from (``sphinx-testdocs collect``
    passes its own working directory, as pytest would have); by default
    :confval:`testdocs_project_root`, or the nearest folder above a test directory that
    looks like a project root. ``explicit`` says each directory is given to pytest as
    an argument, or not (pytest runs with no argument from it, so its ``testpaths``
    apply when it is pytest's rootdir); by default, it is given unless it is where
    pytest runs. ``host_pages`` is how many pages the documentation has besides the
    generated ones (it decides the navigation). ``pytest_args`` are all the paths
    pytest is given, when there are others than each directory (they decide its
    rootdir together).
    """
    problems: list[Problem] = []
    paths: list[Path] = []
    for configured in config.dirs:
        path = Path(os.path.normpath(confdir / configured))
        if not path.is_dir():
            what = "does not exist" if not path.exists() else "is not a folder"
            problems.append(("missing_dir", f"test directory {configured!r} {what}", path, None))
            continue
        if path.resolve() in {p.resolve() for p in paths}:
            problems.append(
                ("config", f"test directory {configured!r} is listed twice", path, None)
            )
            continue
        paths.append(path)

    roots: list[TestRoot] = []
    generated = srcdir / config.output_dir
    warned: set[Path] = set()  # a file several roots share is reported once
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
        # pytest runs there: ``pytest`` alone when that is the test folder itself,
        # ``pytest FOLDER`` otherwise (then testpaths do not apply).
        invocation = invocation_dir or project_root
        given = explicit if explicit is not None else path != invocation
        pytest_config = find_pytest_config(list(pytest_args) or [path], invocation_dir=invocation)
        if pytest_config.config_file is not None and not config.project_root:
            project_root = pytest_config.rootdir
        if config.pytest_options:
            pytest_config = pytest_config.with_overrides(config.pytest_options)
        for problem in pytest_config.problems:
            problems.append(("pytest_config", problem, pytest_config.config_file, None))
        outer = _outer_conftests(path, confcutdir(pytest_config))
        site_path = python_search_path()
        library = SourceLibrary(
            project_root=project_root,
            extra_roots=existing_dirs(
                [*pytest_config.pythonpath, project_root, project_root / "src"]
            ),
            pythonpath=existing_dirs(pytest_config.pythonpath),
            site_path=site_path,
        )
        shuffler = shuffling_plugin(parse_addopts(pytest_config.addopts), pytest_config.addopts)
        if shuffler is not None:
            pytest_config = replace(pytest_config, shuffled_by=shuffler)
        selection = _selection(tree, pytest_config, invocation, given, outer, library)
        for problem in selection.problems:
            problems.append(("pytest_config", problem, pytest_config.config_file, None))
        if not config.uncollected_folders:
            tree = without_folders(tree, partial(_never_entered, selection, tree.root))
        plugins = active_plugins(selection.commandline, selection.top_level_plugins())
        prefix = f"{config.output_dir}/{name}"
        file_docnames = assign_docnames((f.relpath for f in tree.files), prefix)
        folder_docnames = {
            rel: doc + "/index"
            for rel, doc in assign_docnames((f.relpath for f in tree.folders), prefix).items()
        }
        classifier = ImportClassifier(
            first_party=tuple(
                first_party_names(project_root, config.first_party, tree.root, site_path).items()
            ),
            local=tuple(
                tree_module_names(
                    tree.root,
                    (f.relpath for f in tree.files),
                    existing_dirs(pytest_config.pythonpath),
                    outer,
                    site_path,
                ).items()
            ),
        )
        plugin_modules = _plugin_modules(plugins, library, tree.root)
        selection.plugin_modules = plugin_modules
        find = partial(library.find, level=0, importer=tree.root / "conftest.py")
        selection.installed_declares = cache(partial(installed_plugin_declares, find=find))
        selection.pytest_declares = partial(
            pytest_declares, source=cache(partial(pytest_source, find))
        )
        context = AnalysisContext(
            classifier=classifier,
            nodeid_prefix=_nodeid_prefix(path, pytest_config.rootdir),
            pytest_config=pytest_config,
            links=ModuleLinks(library),
            device_types=config.device_types,
            plugin_fixtures=plugin_fixtures(plugins),
            plugin_generate_tests=combine(r.generate_tests for r in plugin_modules.values()),
        )
        checkout = find_checkout(path, os.environ)
        codeowners = read_codeowners(path, _top(project_root, checkout))
        if codeowners is not None and codeowners.path not in warned:
            warned.add(codeowners.path)
            for line, message in codeowners.problems:
                problems.append(("owners", f"line left out: {message}", codeowners.path, line))
        template = config.source_url
        if template is not None:
            template = _usable_template(template, path, checkout, warned, problems)
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
                selection=selection,
                outer_conftests=outer,
                navigation=choose_navigation(config.toctree_files, len(tree.files), host_pages),
                codeowners=codeowners,
                checkout=checkout,
                source_template=template,
            )
        )
    result_files = [
        (relative_posix(path, confdir), path) for path in find_results(config.results, confdir)
    ]
    coverage_files = [
        (relative_posix(path, confdir), path) for path in find_results(config.coverage, confdir)
    ]
    return Project(
        config=config,
        srcdir=srcdir,
        roots=roots,
        problems=problems,
        result_files=result_files,
        coverage_files=coverage_files,
    )


def _top(project_root: Path, checkout: GitCheckout | None) -> Path:
    """Where the search for CODEOWNERS stops: the repository's root when the project
    lies in one (a monorepo's CODEOWNERS sits above its projects), else the project's."""
    if checkout is not None and checkout.root in (project_root, *project_root.parents):
        return checkout.root
    return project_root


def _usable_template(
    template: str,
    folder: Path,
    checkout: GitCheckout | None,
    warned: set[Path],
    problems: list[Problem],
) -> str | None:
    """``testdocs_source_url`` if links can be made for ``folder``; else None, with one
    warning per checkout (or folder) saying why."""
    if checkout is None:
        problems.append(
            ("source_url", "no links to the forge: the folder is in no git checkout", folder, None)
        )
        return None
    if "{commit}" in template and checkout.commit is None:
        if checkout.root not in warned:
            warned.add(checkout.root)
            problems.append(
                (
                    "source_url",
                    "no links to the forge: no commit found for {commit} (none of "
                    "READTHEDOCS_GIT_COMMIT_HASH, GITHUB_SHA, CI_COMMIT_SHA... is set, and "
                    ".git/HEAD names no commit)",
                    checkout.root,
                    None,
                )
            )
        return None
    return template


def relative_posix(path: Path, start: Path) -> str:
    """``path`` relative to ``start`` in POSIX form, with ``..`` when it lies above."""
    try:
        return path.relative_to(start).as_posix()
    except ValueError:
        pass
    try:
        return PurePosixPath(*Path(os.path.relpath(path, start)).parts).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()


def _nodeid_prefix(folder: Path, rootdir: Path) -> str:
    """What node IDs put before a path relative to ``folder``: its path from the rootdir.

    A folder outside the rootdir gets none: pytest then prints IDs relative to the
    argument itself.
    """
    try:
        prefix = folder.relative_to(rootdir).as_posix()
    except ValueError:
        return ""
    return "" if prefix == "." else prefix + "/"


def _selection(
    tree: ScannedTree,
    config: PytestConfig,
    invocation_dir: Path,
    explicit: bool,
    outer_conftests: tuple[Path, ...],
    library: SourceLibrary,
) -> Selection:
    """pytest's walk over one tree, with the rules of every conftest.py it may load
    (what stops one's import looked up with ``library``)."""
    paths = [*outer_conftests, *(f.path for f in tree.files if f.name == "conftest.py")]
    return Selection(
        config=config,
        folder=tree.root,
        invocation_dir=invocation_dir,
        explicit=explicit,
        conftests={
            path: read_conftest_file(path, partial(module_found, library=library, importer=path))
            for path in paths
        },
    )


def _plugin_modules(
    plugins: Sequence[str], library: SourceLibrary, root: Path
) -> dict[Path, ConftestRules]:
    """The plugins loaded by name that are found here as source, read as conftests are
    (their hooks apply to every test); the others are not read."""
    found: dict[Path, ConftestRules] = {}
    for name in plugins:
        path = library.find(name, 0, root / "conftest.py")
        if path is not None:
            found[path] = read_conftest_file(path)
    return found


def _never_entered(selection: Selection, root: Path, relpath: str) -> str | None:
    """Why pytest never enters a folder of the tree, or None when it does."""
    return selection.verdict(root.joinpath(*PurePosixPath(relpath).parts), is_dir=True).excluded


def _outer_conftests(root: Path, confcutdir: Path) -> tuple[Path, ...]:
    """conftest.py files from pytest's confcutdir down to, not including, ``root``."""
    try:
        between = root.relative_to(confcutdir).parts
    except ValueError:
        return ()
    found = []
    for depth in range(len(between)):
        candidate = confcutdir.joinpath(*between[:depth], "conftest.py")
        if candidate.is_file():
            found.append(candidate)
    return tuple(found)


def summary_folders(root: TestRoot, relpath: str) -> list[ScannedFolder]:
    """The folder at ``relpath`` and every folder below it, in sorted order."""
    prefix = relpath + "/" if relpath else ""
    return [f for f in root.tree.folders if f.relpath == relpath or f.relpath.startswith(prefix)]
