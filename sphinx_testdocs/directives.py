"""The directives every page is built from (``testdocs-module``, ``testdocs-folder``), and
those a page of any kind may use (``testdocs-overview``, ``testdocs-tested-by``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar
from urllib.parse import unquote

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective

from sphinx_testdocs._log import Subtype, file_location, warn
from sphinx_testdocs.analysis.analyse import AnalysisContext, analyse_file
from sphinx_testdocs.analysis.importgraph import local_imports
from sphinx_testdocs.analysis.markers import marker_summary
from sphinx_testdocs.analysis.model import MarkerUse, ModuleAnalysis
from sphinx_testdocs.analysis.owners import test_owners, unique_names
from sphinx_testdocs.analysis.summary import FileSummary, Totals
from sphinx_testdocs.config import TestdocsConfig, read_config
from sphinx_testdocs.coverage.measure import MeasuredTest
from sphinx_testdocs.crossfile import CrossFile, TestUse
from sphinx_testdocs.domain import TestDomain, TestObject, domain_of
from sphinx_testdocs.plan import (
    FolderPlan,
    ModulePlan,
    plan_folder,
    plan_loose_module,
    plan_module,
    suites_digest,
)
from sphinx_testdocs.project import Project, TestRoot
from sphinx_testdocs.render.common import doc_link, literal, para
from sphinx_testdocs.render.folder import FolderView, render_folder, totals_sentence
from sphinx_testdocs.render.module import (
    SECTION_KEYS,
    SECTIONS,
    ModulePageContext,
    render_module,
    section_title,
)
from sphinx_testdocs.render.overview import markers_of, render_overview
from sphinx_testdocs.render.testedby import (
    render_measured,
    render_outside_tests,
    render_tested_by,
    render_without_contexts,
)
from sphinx_testdocs.run import FileFacts, build_run
from sphinx_testdocs.tested import lists_digest, tested_by


def _sections(argument: str) -> list[str]:
    keys = [k.strip() for k in argument.replace(",", " ").split()]
    unknown = [k for k in keys if k not in SECTION_KEYS]
    if unknown:
        msg = f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTION_KEYS)}"
        raise ValueError(msg)
    return keys


@dataclass
class Site:
    """Where a page is built: its document, and the source line that asked for it.

    Module and folder pages are built the same way from a directive in a user's page
    and from a generated stub (``stubs.StubParser``, which runs no directive).
    """

    env: BuildEnvironment
    document: nodes.document
    source: str
    line: int | None

    @classmethod
    def of(cls, directive: SphinxDirective) -> Site:
        source, line = directive.get_source_info()
        return cls(directive.env, directive.state.document, source, line)

    @property
    def docname(self) -> str:
        return self.env.docname

    @property
    def testdocs_domain(self) -> TestDomain:
        return domain_of(self.env)

    @property
    def project(self) -> Project | None:
        return build_run(self.env).project

    @property
    def files(self) -> FileFacts:
        """The facts per file, refreshed before reading."""
        return build_run(self.env).files

    def get_location(self) -> str:
        # As SphinxDirective.get_location.
        return f"{self.source}:{self.line or ''}" if self.source else ""

    def target_path(self, argument: str, options: dict[str, Any]) -> Path:
        if "quoted" in options:
            argument = unquote(argument)
        _, absolute = self.env.relfn2path(argument, self.docname)
        return Path(absolute)

    def testdocs_config(self) -> TestdocsConfig:
        if self.project is not None:
            return self.project.config
        return read_config(self.env.config)[0]

    def quiet_generated_page(self) -> None:
        """Skip transforms that cannot change a generated page but walk all of it.

        Smart quotes would curl quotes inside names and messages taken from the analysed
        code (it is 14% of reading time on large suites); the user's own pages keep it.
        """
        self.document.settings.smart_quotes = False

    def problem(self, message: str) -> list[nodes.Node]:
        warn(message, Subtype.directive, self.get_location())
        return []

    def with_source(self, rendered: list[nodes.Node]) -> list[nodes.Node]:
        """Give titles, rubrics and field names the page's source and line.

        Sphinx's ApplySourceWorkaround logs and serialises to XML every such node it
        finds without them (eagerly, even when debug logging is off): about 30 per
        page, and a measurable part of reading a large suite.
        """
        for node in rendered:
            for element in node.findall(_needs_source):
                element.source, element.line = self.source, self.line
        return rendered


def _needs_source(node: nodes.Node) -> bool:
    return isinstance(node, (nodes.title, nodes.rubric, nodes.field_name)) and node.source is None


class ModuleDirective(SphinxDirective):
    """Render every section of a module page for one Python file.

    The path works like ``literalinclude``'s: relative to the document, or ``/``-rooted
    at the source directory.
    """

    required_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        "quoted": directives.flag,
        "sections": _sections,
        "no-title": directives.flag,
    }

    def run(self) -> list[nodes.Node]:
        return module_page(Site.of(self), self.arguments[0], self.options)


def module_page(site: Site, argument: str, options: dict[str, Any]) -> list[nodes.Node]:
    """The nodes of a module page (``testdocs-module``)."""
    project = site.project
    page = project.page(site.env.docname) if project else None
    root: TestRoot | None = None
    if page is not None and not page.is_folder:
        root, relpath = page.root, page.relpath
        path = root.absolute(relpath)
        site.quiet_generated_page()
    else:
        path = site.target_path(argument, options)
        located = project.locate(path) if project else None
        if located:
            root, relpath = located
        else:
            relpath = path.name
    if root is None and not path.is_file():
        return site.problem(f"testdocs-module: no such file: {path}")
    # A generated page keeps its page even if its file vanished since the scan: the
    # analysis reports the read error, and the next build removes the page.
    if project is not None and root is not None:
        analysis = project.analysis(root, relpath)
        read = analysis.collection.dependencies if analysis.collection else ()
        for dependency in root.inputs(relpath, read):
            site.env.note_dependency(str(dependency))
    else:
        site.env.note_dependency(str(path))
        analysis = analyse_file(path, relpath, AnalysisContext())
    _warn_problems(analysis, path)

    config = site.testdocs_config()
    if "sections" in options:
        chosen = set(options["sections"])
        config = _with_sections(config, chosen)
    inline = page is None
    if root is not None and project is not None:
        plan = module_plan(site, project, root, relpath)
    else:
        plan = plan_loose_module(path)
    ctx = ModulePageContext(
        config=config,
        id_prefix=nodes.make_id(relpath) + "-" if inline else "",
        nodeid_path=root.nodeid_path(relpath) if root else relpath,
        plan=plan,
        rootdir=root.rootdir_label() if root else None,
    )
    if root is not None:
        for imp in analysis.imports:
            targets = local_imports(relpath, [imp], root.known, root.tree.root.name)
            if targets:
                ctx.import_pages[imp.display_module] = root.file_docnames[targets[0]]
            elif not imp.level:
                reason = root.context.classifier.why(imp.module)
                if reason:
                    ctx.import_reasons[imp.display_module] = reason
    if page is not None:
        # What the page shows of other files: checked before each build.
        site.testdocs_domain.digests[site.env.docname] = (
            "module",
            (root.key if root else "", relpath),
            plan.digest(),
        )
    elif project is not None:
        # No digest outside the generated pages: any change of the results re-reads.
        for _, results_file in project.result_files:
            site.env.note_dependency(str(results_file))
    title = None if "no-title" in options else relpath
    ctx.plan_anchors(analysis)
    rendered = render_module(analysis, ctx, title)
    if root is not None and page is not None:
        # Only a module's own page defines its objects: inline copies link to it.
        site.testdocs_domain.note_objects(
            site.env.docname, module_objects(analysis, root, relpath, ctx, site.env.docname)
        )
    return site.with_source(rendered)


def module_plan(site: Site, project: Project, root: TestRoot, relpath: str) -> ModulePlan:
    """The plan of a module page, from the summaries stored before reading."""
    stored = site.files.summaries.get(root.key, {}).get(relpath)
    summary = stored[1] if stored else project.summary(root, relpath)
    crossfile = project.crossfile or CrossFile({root.key: {relpath: summary}})
    return plan_module(project, root, relpath, summary, crossfile)


def module_objects(
    analysis: ModuleAnalysis, root: TestRoot, relpath: str, ctx: ModulePageContext, docname: str
) -> list[TestObject]:
    """The domain objects a module page defines: module, test classes, tests, fixtures."""
    collection = analysis.collection
    file_owners = unique_names(ctx.plan.owners)
    owner_markers = ctx.config.owner_markers
    objects = [
        TestObject(
            "module",
            relpath,
            docname,
            ctx.page_anchor,
            root.name,
            analysis.docstring_summary or analysis.comment_summary or "",
            # pytestmark marks every test of the module: one use, on the module.
            _marker_details(collection.module_markers) if collection else (),
            owners=file_owners,
        )
    ]
    if collection is None:
        return objects
    prefix = root.nodeid_path(relpath)

    def fullname(nodeid: str) -> str:
        return relpath + nodeid[len(prefix) :] if nodeid.startswith(prefix) else nodeid

    def anchor_of(line: int, defined_in: str | None) -> str:
        # A line of another file says nothing about this page's anchors.
        return ctx.page_anchor if defined_in else ctx.anchors.get(line, ctx.page_anchor)

    for cls in collection.classes:
        objects.append(
            TestObject(
                "class",
                fullname(cls.nodeid),
                docname,
                anchor_of(cls.line, cls.defined_in),
                root.name,
                cls.docstring_summary or "",
                # A class's marks count once, on the class, not on each of its tests.
                _marker_details(m for m in cls.markers if m.origin == "class"),
            )
        )
    # Without a docstring, the comment above a test says what it is for.
    comments = {d.line: d.comment_summary for d in analysis.all_definitions() if d.comment_summary}
    for test in collection.tests:
        if test.name_is_pattern:
            continue  # no test of that name exists: its names are made at import time
        anchor = anchor_of(test.line, test.defined_in)
        comment = None if test.defined_in else comments.get(test.line)
        markers = _marker_details(m for m in test.markers if m.origin not in ("class", "module"))
        fixtures = tuple(
            f"{f.resolved.relpath}::{f.resolved.name}"
            for f in test.fixtures
            if f.resolved is not None and not f.resolved.builtin
        )
        objects.append(
            TestObject(
                "test",
                fullname(test.nodeid),
                docname,
                anchor,
                root.name,
                test.docstring_summary or comment or "",
                markers,
                fixtures,
                owners=test_owners(file_owners, test, owner_markers),
            )
        )
    for fixture in collection.fixtures:
        anchor = ctx.anchors.get(fixture.line, ctx.page_anchor)
        details = (("scope", fixture.scope), ("autouse", "autouse" if fixture.autouse else ""))
        objects.append(
            TestObject(
                "fixture",
                f"{relpath}::{fixture.name}",
                docname,
                anchor,
                root.name,
                fixture.docstring_summary or "",
                details,
            )
        )
    return objects


def _marker_details(markers: Iterable[MarkerUse]) -> tuple[tuple[str, str], ...]:
    """(name, arguments as the marker index shows them) of each mark."""
    return tuple((m.name, marker_summary(m.name, m.args)) for m in markers)


def _with_sections(config: TestdocsConfig, chosen: set[str]) -> TestdocsConfig:
    titles = {s.key: (section_title(config, s) if s.key in chosen else None) for s in SECTIONS}
    return replace(config, section_titles=titles)


def _warn_problems(analysis: ModuleAnalysis, path: Path) -> None:
    """One warning per bad file, naming its first problem; the page shows them all."""
    if not analysis.problems:
        return
    first = analysis.problems[0]
    subtype = Subtype(first.subtype) if first.subtype in Subtype.__members__ else Subtype.syntax
    location = file_location(path, first.line)
    more = len(analysis.problems) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    warn("%s%s", subtype, location, first.message, suffix)


class FolderDirective(SphinxDirective):
    """Render a folder page: summary table, README, other files and a toctree."""

    required_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {"quoted": directives.flag}

    def run(self) -> list[nodes.Node]:
        return folder_page(Site.of(self), self.arguments[0], self.options)


def folder_page(site: Site, argument: str, options: dict[str, Any]) -> list[nodes.Node]:
    """The nodes of a folder page (``testdocs-folder``)."""
    project = site.project
    page = project.page(site.env.docname) if project else None
    if page is not None and page.is_folder:
        root, relpath = page.root, page.relpath
        site.quiet_generated_page()
    else:
        path = site.target_path(argument, options)
        located = project.locate(path) if project else None
        if not located:
            return site.problem(
                f"testdocs-folder: {path} is not inside a directory listed in testdocs_dirs"
            )
        root, relpath = located
    scanned = root.tree.folder(relpath)
    if scanned is None:
        return site.problem(f"testdocs-folder: no Python files in {root.absolute(relpath)}")
    assert project is not None
    plan = folder_plan(site, project, root, relpath)
    summaries = dict(plan.summaries)
    if page is not None:
        # What the page shows of the files below it: checked before each build.
        site.testdocs_domain.digests[site.env.docname] = (
            "folder",
            (root.key, relpath),
            plan.digest(),
        )
    else:
        for rel, summary in summaries.items():
            for dependency in root.inputs(rel, summary.dependencies):
                site.env.note_dependency(str(dependency))
        # No digest outside the generated pages: any change of the results re-reads.
        for _, results_file in project.result_files:
            site.env.note_dependency(str(results_file))
    subfolder_totals = {
        sub: Totals.of([s for r, s in summaries.items() if r.startswith(sub + "/")])
        for sub in scanned.subfolders
    }
    readme = None
    if scanned.readme:
        readme_path = root.absolute(scanned.readme)
        site.env.note_dependency(str(readme_path))
        try:
            readme_text = readme_path.read_text(encoding="utf-8", errors="replace")
            readme = (PurePosixPath(scanned.readme).name, readme_text)
        except OSError:
            readme = None
    location = root.nodeid_path(relpath).rstrip("/") or root.name
    is_root = relpath == ""
    # What pytest enters depends on the configuration and the conftest.py files: the
    # folder's own verdict, and on the root page what may change the whole collection.
    for rule_file in _rule_files(root, relpath, everything=is_root):
        site.env.note_dependency(str(rule_file))
    view = FolderView(
        title=f"{root.name}/" if is_root else f"{relpath}/",
        docname=site.env.docname,
        folder=scanned,
        is_root=is_root,
        location=location,
        summaries=summaries,
        subfolder_totals=subfolder_totals,
        file_docnames=root.file_docnames,
        folder_docnames=root.folder_docnames,
        readme=readme,
        id_prefix="" if page is not None else nodes.make_id(location) + "-",
        navigation=root.navigation,
        all_folders=root.tree.folders,
        not_collected=root.verdict(relpath, is_dir=True).excluded if relpath else None,
        doubts=root.selection.doubts() if is_root else (),
        results=plan.results,
        owners=plan.owners,
    )
    rendered = render_folder(view)
    if is_root and page is not None:
        site.testdocs_domain.note_objects(
            site.env.docname,
            [
                TestObject("marker", m.name, site.env.docname, m.anchor, root.name)
                for m in markers_of(summaries)
            ],
        )
    return site.with_source(rendered)


def _rule_files(root: TestRoot, relpath: str, *, everything: bool) -> list[Path]:
    """The pytest configuration file and the conftest.py files whose collection rules
    decide whether pytest enters the folder (all of them with ``everything``)."""
    config_file = root.context.pytest_config.config_file
    folder = root.absolute(relpath)
    conftests = [
        path
        for path in root.selection.conftests
        if everything or path.parent == folder or path.parent in folder.parents
    ]
    return sorted([*([config_file] if config_file else []), *conftests])


def folder_plan(site: Site, project: Project, root: TestRoot, relpath: str) -> FolderPlan:
    """The plan of a folder page, from the summaries stored before reading."""
    stored = site.files.summaries.get(root.key, {})

    def summary_of(rel: str) -> FileSummary:
        entry = stored.get(rel)
        return entry[1] if entry else project.summary(root, rel)

    return plan_folder(root, relpath, summary_of, project.results)


class OverviewDirective(SphinxDirective):
    """The suite overview of one test directory, or of every one, on any page.

    ``.. testdocs-overview::`` shows every directory of ``testdocs_dirs``;
    ``.. testdocs-overview:: path`` one of them (the path as ``testdocs-folder``'s).
    """

    optional_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {"quoted": directives.flag}

    def run(self) -> list[nodes.Node]:
        argument = self.arguments[0] if self.arguments else None
        return overview_nodes(Site.of(self), argument, self.options)


def overview_nodes(site: Site, argument: str | None, options: dict[str, Any]) -> list[nodes.Node]:
    """The nodes of ``testdocs-overview``: per directory, its totals and suite overview."""
    project = site.project
    if project is None or not project.roots:
        return [para("No test directories are configured (testdocs_dirs).")]
    roots = project.roots
    if argument is not None:
        path = site.target_path(argument, options)
        located = project.locate(path)
        if located is None or located[1]:
            return site.problem(
                f"testdocs-overview: {path} is not a directory listed in testdocs_dirs"
            )
        roots = [located[0]]
    plans = {root.key: folder_plan(site, project, root, "") for root in roots}
    kind, keys, _ = site.testdocs_domain.digests.get(site.docname, ("overview", (), ""))
    if kind == "overview":
        # What the overview shows of the files: checked before each build, as a
        # folder page's is (a new test file changes it, and no dependency says so).
        keys = (*keys, *(key for key in plans if key not in keys))
        by_key = {root.key: root for root in project.roots}
        site.testdocs_domain.digests[site.docname] = (
            "overview",
            keys,
            suites_digest(
                plans[key] if key in plans else folder_plan(site, project, by_key[key], "")
                for key in keys
            ),
        )
    out: list[nodes.Node] = []
    for root in roots:
        plan = plans[root.key]
        summaries = dict(plan.summaries)
        overview = render_overview(
            summaries,
            [f.relpath for f in plan.folders],
            root.file_docnames,
            root.folder_docnames,
            nodes.make_id(root.name) + "-",
            index_entries=False,
        )
        overview[0] = nodes.title("", f"{root.name}/")
        location = root.nodeid_path("").rstrip("/") or root.name
        overview[1:1] = [
            totals_sentence("The test suite", location, Totals.of(list(summaries.values()))),
            para(
                "Every folder and file has its page, from ",
                doc_link(root.index_docname, literal(f"{root.name}/")),
                ".",
            ),
        ]
        out.append(overview)
    return site.with_source(out)


class TestedByDirective(SphinxDirective):
    """List the tests that import or use an API object: ``.. testdocs-tested-by:: pkg.f``."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        return tested_by_nodes(domain_of(self.env), self.env.docname, self.arguments[0])


def tested_by_nodes(domain: TestDomain, docname: str, name: str) -> list[nodes.Node]:
    """The "tested by" list for ``name``, remembered so the page refreshes with the tests:
    the tests coverage data says ran it where the data measured it, else those found
    statically (``tested.tested_by``)."""
    project = build_run(domain.env).project
    if project is None or project.crossfile is None:
        return [para("No test directories are configured (testdocs_dirs).")]
    tested = tested_by(project, name)
    roots = {root.key: root for root in project.roots}

    def page_of(use: TestUse | MeasuredTest) -> str | None:
        root = roots.get(use.root)
        return root.file_docnames.get(use.relpath) if root else None

    def label_of(use: TestUse) -> str:
        root = roots.get(use.root)
        return root.nodeid_path(use.relpath) if root else use.relpath

    kind, names, _ = domain.digests.get(docname, ("tested-by", (), ""))
    if kind == "tested-by":
        names = (*names, name) if name not in names else names
        domain.digests[docname] = (
            "tested-by",
            names,
            lists_digest(project, names),
        )
    if tested.measured is not None:
        return render_measured(
            name, tested.measured, page_of, partial(_measured_file, roots), _test_target(roots)
        )
    found = render_tested_by(name, tested.static, page_of, label_of)
    if tested.no_contexts:
        return [render_without_contexts(tested.no_contexts), *found]
    if tested.outside_tests:
        return [render_outside_tests(tested.outside_tests), *found]
    return found


def _measured_file(roots: dict[str, TestRoot], test: MeasuredTest) -> str:
    """The file a measured test is in, as node IDs write it."""
    root = roots.get(test.root)
    if root is not None:
        return root.nodeid_path(test.relpath)
    if "::" in test.nodeid:
        return test.nodeid.split("::", 1)[0]
    return "(not in the documented test directories)"


def _test_target(roots: dict[str, TestRoot]) -> Callable[[MeasuredTest], str | None]:
    def target(test: MeasuredTest) -> str | None:
        """The test's ID in the ``test`` domain, for a link to its definition."""
        root = roots.get(test.root)
        if root is None or "::" not in test.nodeid:
            return None
        return f"{root.name}/{test.relpath}::{test.nodeid.split('::', 1)[1]}"

    return target
