"""The build's lifecycle: check the options, scan and write stubs, analyse before
reading, let go after it. What is stale is decided in ``freshness.py``; what the
extension adds to pages of any kind, in ``page_events.py``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sphinx.project import Project as SphinxProject

from sphinx_testdocs._log import Subtype, file_location, logger, warn
from sphinx_testdocs.analysis.parsing import cycle_collector_paused
from sphinx_testdocs.analysis.summary import Totals
from sphinx_testdocs.config import read_config
from sphinx_testdocs.pages import STUB_SUFFIX, write_stubs
from sphinx_testdocs.project import build_project
from sphinx_testdocs.render.common import plural
from sphinx_testdocs.run import build_run, start_run
from sphinx_testdocs.scale import is_large

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment


STATIC_DIR = Path(__file__).parent / "static"


def check_config(app: Sphinx, config: Config) -> None:
    """Report every bad option at once (each falls back to its default)."""
    _, errors = read_config(config)
    for error in errors:
        warn("%s", Subtype.config, None, error)


def scan_and_write_stubs(app: Sphinx) -> None:
    """Scan the configured folders and bring the generated stub pages up to date."""
    config, _ = read_config(app.config)
    if not config.dirs:
        return
    srcdir, outdir, doctreedir = Path(app.srcdir), Path(app.outdir), Path(app.doctreedir)
    confdir = Path(app.confdir) if app.confdir else srcdir
    # Never document the documentation: skip Sphinx's own folders (and, through them,
    # everything generated inside the source directory).
    skip = [srcdir, outdir, doctreedir]
    project = build_project(
        config, srcdir, confdir, skip, host_pages=_own_pages(app, config.output_dir)
    )
    for subtype, message, path, line in project.problems:
        warn("%s", Subtype(subtype), file_location(path, line) if path else None, message)
    for root in project.roots:
        for problem in root.tree.problems:
            warn("%s", Subtype(problem.subtype), file_location(problem.path), problem.message)
    written, removed = write_stubs(project)
    files = sum(len(r.tree.files) for r in project.roots)
    logger.info(
        "[testdocs] %d files in %d folders; %d pages written, %d removed",
        files,
        sum(len(r.tree.folders) for r in project.roots),
        written,
        removed,
    )
    start_run(app.env, project, large=is_large(config.scale_levers, files))
    if app.builder.format == "html":
        app.config.html_static_path.append(str(STATIC_DIR))
        app.add_css_file("testdocs.css")


def hide_stubs(app: Sphinx) -> None:
    """Keep the stub pages out of other extensions' setup (``builder-inited``).

    Some look at every found document when the builder starts: with
    ``autosummary_generate = True``, ``sphinx.ext.autosummary`` opens each one on every
    build to look for autosummary directives, thousands of stubs on a large suite
    that can hold none. Sphinx finds its documents again when reading starts; they
    are put back before that all the same (``show_stubs``).
    """
    env = app.env
    run = build_run(env)
    stubs = {d for d in env.found_docs if str(env.doc2path(d)).endswith(STUB_SUFFIX)}
    env.project.docnames.difference_update(stubs)
    run.hidden_stubs = stubs


def show_stubs(app: Sphinx) -> None:
    """Put the stub pages back among the found documents, once others are set up."""
    run = build_run(app.env)
    if run.hidden_stubs:
        app.env.project.docnames.update(run.hidden_stubs)
    run.hidden_stubs = None


def _own_pages(app: Sphinx, output_dir: str) -> int:
    """How many documents the project has besides the generated ones (a host or not)."""
    found = SphinxProject(app.srcdir, app.config.source_suffix).discover(
        [*app.config.exclude_patterns, f"{output_dir}/**"], app.config.include_patterns
    )
    return len(found)


def warn_empty_suites(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Warn, on every build, about a test directory with nothing for pytest to collect.

    Such a site builds without error but documents nothing: most often a wrong path,
    or a folder pytest's configuration leaves out.
    """
    run = build_run(env)
    if run.project is None:
        return
    for root in run.project.roots:
        stored = run.files.summaries.get(root.key, {})
        totals = Totals.of([summary for _, summary in stored.values()])
        # A file that does not parse has its own warning, and pytest reports it.
        if totals.tests or totals.unparsed:
            continue
        if not root.tree.files:
            found = "no Python file"
        else:
            found = (
                f"no test pytest would collect ({plural(totals.files, 'Python file')}, "
                f"{plural(totals.test_modules, 'test module')})"
            )
        if totals.not_collected_tests:
            found += (
                f"; pytest, as configured, does not collect the "
                f"{plural(totals.not_collected_tests, 'test')} of "
                f"{plural(totals.not_collected, 'test module')}"
            )
        warn(
            "test directory %r holds %s",
            Subtype.empty,
            file_location(root.path),
            root.configured,
            found,
        )


def analyse_before_reading(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Analyse, once, every file whose page is about to be read.

    Runs in the main process before parallel readers fork, so they share the results
    instead of each analysing the same files again.
    """
    project = build_run(env).project
    if project is None:
        return
    with cycle_collector_paused():
        for docname in docnames:
            page = project.page(docname)
            if page is not None and not page.is_folder:
                project.analysis(page.root, page.relpath)
    # Before readers fork: they need the analyses, not the modules read to make them.
    project.forget_other_modules()


def rewrite_for_new_commit(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Every generated module page, to be written again, when the commit its links to
    the forge are at has changed: pages are read without it (``FillForgeCommit`` fills
    it as they are written), so a new commit costs writing them, not reading them."""
    run = build_run(env)
    project = run.project
    if project is None:
        return []
    commits = project.forge_commits()
    if commits == run.files.forge_commits:
        return []
    run.files.forge_commits = commits
    return sorted(doc for doc, page in project.pages() if not page.is_folder)


def finish_reading(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Once every page is read, keep nothing the writer does not need, and put the facts
    per file back into the environment, to be saved with it."""
    build_run(env).finish_reading(env)
    return []
