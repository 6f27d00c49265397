"""Event handlers: scan and write stubs, analyse before reading, link the root toctree."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes

from sphinx_testdocs._log import Subtype, file_location, logger, warn
from sphinx_testdocs.analysis.parsing import cycle_collector_paused
from sphinx_testdocs.config import read_config
from sphinx_testdocs.crossfile import CrossFile, digest
from sphinx_testdocs.directives import tested_by_nodes
from sphinx_testdocs.domain import TestDomain
from sphinx_testdocs.export import module_entry, module_fragment
from sphinx_testdocs.pages import write_stubs
from sphinx_testdocs.project import build_project
from sphinx_testdocs.render.folder import toctree
from sphinx_testdocs.run import build_run, start_run
from sphinx_testdocs.scale import is_large

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment

    from sphinx_testdocs.project import Project

STATIC_DIR = Path(__file__).parent / "static"


def _domain(env: BuildEnvironment) -> TestDomain:
    domain = env.get_domain("test")
    assert isinstance(domain, TestDomain)
    return domain


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
    project = build_project(config, srcdir, confdir, skip)
    for subtype, message, path in project.problems:
        warn("%s", Subtype(subtype), file_location(path) if path else None, message)
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


def refresh_summaries(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Bring per-file summaries up to date; return pages whose cross-file facts changed.

    A page shows facts about other files (who imports it, who shares its fixtures, which
    tests use an API object). Sphinx cannot know that, so each page stores a digest of
    those facts when read, and any page whose digest no longer matches is re-read.
    Runs in the main process, before reading.
    """
    domain = _domain(env)
    project = build_run(env).project
    if project is None:
        return []
    to_read = added | changed
    roots = {root.key for root in project.roots}
    for store in (domain.summaries, domain.collected):
        for key in [k for k in store if k not in roots]:
            del store[key]
    # The analyses and summaries make no reference cycles: no collection passes over
    # the growing heap between one file and the next (see cycle_collector_paused).
    with cycle_collector_paused():
        _refresh(project, domain, to_read)
    crossfile = project.crossfile = CrossFile(
        {
            key: {rel: entry[1] for rel, entry in files.items()}
            for key, files in domain.summaries.items()
        }
    )
    stale = []
    for docname, (kind, args, old) in sorted(domain.digests.items()):
        if docname in to_read or docname in removed:
            continue
        if cross_file_digest(crossfile, kind, args) != old:
            stale.append(docname)
    return stale


def _refresh(project: Project, domain: TestDomain, to_read: set[str]) -> None:
    """Re-summarise every file whose inputs changed (or whose page is read anyway)."""
    for root in project.roots:
        stored = domain.summaries.setdefault(root.key, {})
        collected = domain.collected.setdefault(root.key, {})
        current = root.known
        for rel in [r for r in stored if r not in current]:
            del stored[rel]
            collected.pop(rel, None)
            project.collection_changed = True
        for rel in sorted(current):
            entry = stored.get(rel)
            known = entry[1].dependencies if entry else ()
            fingerprint = _fingerprint(root.inputs(rel, known))
            if (
                entry is None
                or entry[0] != fingerprint
                or root.file_docnames[rel] in to_read
                # Whether pytest reaches the file also depends on folders existing
                # (testpaths): checked itself, as no file's stamp shows it.
                or entry[1].not_collected != root.verdict(rel).excluded
            ):
                summary = project.summary(root, rel)
                if summary.dependencies != known:
                    fingerprint = _fingerprint(root.inputs(rel, summary.dependencies))
                stored[rel] = (fingerprint, summary)
                # testdocs.json is written from these, so unchanged files are never
                # analysed again just to list them.
                json_entry = module_entry(project, root, rel)
                collected[rel] = module_fragment(json_entry) if json_entry else None
                project.collection_changed = True


def cross_file_digest(crossfile: CrossFile, kind: str, args: tuple[str, ...]) -> str:
    """The digest of the facts a page of ``kind`` shows about other files."""
    if kind == "module":
        return digest(crossfile.module_facts(*args))
    if kind == "folder":
        return digest(crossfile.folder_facts(*args))
    if kind == "tested-by":
        return digest(tuple(crossfile.uses(name)) for name in args)
    return ""


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


def _fingerprint(paths: list[Path]) -> tuple[tuple[int, int], ...]:
    """Sizes and mtimes of a page's inputs: the file, its conftests, the pytest config."""
    stamps = []
    for path in paths:
        try:
            st = path.stat()
        except OSError:
            stamps.append((-1, -1))
        else:
            stamps.append((st.st_size, st.st_mtime_ns))
    return tuple(stamps)


def add_root_toctree(app: Sphinx, doctree: nodes.document) -> None:
    """Link each test suite's page from the root document (before toctrees are collected)."""
    env = app.env
    project = build_run(env).project
    if project is None or not project.config.add_to_toctree or not project.roots:
        return
    if env.docname != app.config.root_doc:
        return
    target: nodes.Element = doctree
    for child in doctree.children:
        if isinstance(child, nodes.section):
            target = child
            break
    docnames = [root.index_docname for root in project.roots]
    target += toctree(env.docname, docnames, hidden=False, caption=project.config.toctree_caption)


def warn_missing_test_reference(
    app: Sphinx, env: BuildEnvironment, node: addnodes.pending_xref, contnode: nodes.TextElement
) -> nodes.Node | None:
    """A clear warning for a dangling ``:test:`` role; optional links stay plain text.

    Runs after intersphinx (priority 900), so only what nobody could resolve gets here.
    Returning ``contnode`` tells Sphinx the reference is handled: no second, nitpicky
    warning for the same thing.
    """
    if node.get("testdocs_optional"):
        return contnode
    if node.get("refdomain") != "test":
        return None
    warn(
        "no test object %r for :test:%s: (check the ID or the testdocs_dirs setting)",
        Subtype.ref,
        node,
        node["reftarget"],
        node["reftype"],
    )
    return contnode


def finish_reading(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Once every page is read, keep nothing the writer does not need."""
    build_run(env).finish_reading()
    return []


def hide_stub_source(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: object
) -> None:
    """A generated page's source is a one-line stub, not the test file: do not offer it.

    Sphinx would copy the stub to ``_sources/`` and link it as the page's source ("Show
    Source"); the page shows the test file's own source already. An empty
    ``sourcename`` drops both the link and the copy (a file written per page).
    """
    if build_run(app.env).page(pagename) is not None:
        context["sourcename"] = ""


#: Object types of the Python domain that get a "Tested by" list when opted in.
_TESTED_OBJTYPES = frozenset(
    {
        "function",
        "class",
        "exception",
        "method",
        "classmethod",
        "staticmethod",
        "property",
        "attribute",
        "data",
        "module",
    }
)


def add_tested_by(app: Sphinx, domain: str, objtype: str, content: addnodes.desc_content) -> None:
    """With ``testdocs_tested_by_autodoc``, list the tests of each documented Python object.

    Works for autodoc, sphinx-autoapi and hand-written ``py:`` directives alike: they
    all describe objects through the Python domain's object descriptions.
    """
    if domain != "py" or objtype not in _TESTED_OBJTYPES:
        return
    if not app.config.testdocs_tested_by_autodoc:
        return
    signature = content.parent[0] if content.parent is not None and len(content.parent) else None
    if not isinstance(signature, addnodes.desc_signature):
        return
    module, fullname = signature.get("module") or "", signature.get("fullname") or ""
    name = ".".join(part for part in (module, fullname) if part)
    if not name:
        return
    testdocs = _domain(app.env)
    found = tested_by_nodes(testdocs, app.env.docname, name)
    rubric = nodes.rubric("Tested by", "Tested by")
    content += [rubric, *found]
