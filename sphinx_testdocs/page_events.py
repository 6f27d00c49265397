"""What the extension adds to pages of any kind: the root toctree, "Tested by" lists on
Python objects, clear warnings for dangling ``:test:`` references, and no "Show Source"
link on generated pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes

from sphinx_testdocs._log import Subtype, warn
from sphinx_testdocs.config import objtypes_of
from sphinx_testdocs.directives import tested_by_nodes
from sphinx_testdocs.domain import domain_of
from sphinx_testdocs.render.folder import toctree
from sphinx_testdocs.run import build_run
from sphinx_testdocs.tested import tested_by

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment


def add_root_toctree(app: Sphinx, doctree: nodes.document) -> None:
    """Link each test suite's page from the root document (before toctrees are collected),
    unless one of the project's own toctrees lists it already.

    Only the documents read so far are known here; :func:`settle_root_toctree` reads the
    root again once all are, if what it added turns out wrong.
    """
    env = app.env
    if env.docname != app.config.root_doc:
        return
    wanted = _unlisted_suites(app, env, doctree)
    domain_of(env).note_toctree(env.docname, wanted)
    if not wanted:
        return
    target: nodes.Element = doctree
    for child in doctree.children:
        if isinstance(child, nodes.section):
            target = child
            break
    project = build_run(env).project
    assert project is not None  # wanted is empty without one
    caption = project.config.toctree_caption
    target += _suite_links(wanted, caption)
    # Hidden, and of any depth, for the sidebar alone: a theme that draws the global tree
    # to the toctree's own depth (alabaster) then lists the current folder's pages; the
    # page itself shows only the suites' links above, not the whole tree.
    target += toctree(env.docname, wanted, hidden=True, caption=caption, maxdepth=-1)


def _suite_links(docnames: tuple[str, ...], caption: str) -> nodes.compound:
    """What a visible toctree of depth 1 shows: the caption and a link per suite page,
    each titled by Sphinx with the page's own title."""
    wrapper = nodes.compound(classes=["toctree-wrapper", "testdocs-suites"])
    if caption:
        wrapper += nodes.paragraph(
            "", "", nodes.inline(caption, caption, classes=["caption-text"]), classes=["caption"]
        )
    links = nodes.bullet_list()
    for docname in docnames:
        ref = addnodes.pending_xref(
            "", refdomain="std", reftype="doc", reftarget="/" + docname, refexplicit=False
        )
        ref += nodes.inline(docname, docname)
        links += nodes.list_item("", addnodes.compact_paragraph("", "", ref))
    wrapper += links
    return wrapper


def settle_root_toctree(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Once every document is read, read the root again if the suites it links are not
    the ones nobody else lists (a toctree in a page read after the root, or removed since).

    Without this, a suite the user lists in a page of their own would have two parents:
    twice in the sidebar, and Sphinx's "referenced in multiple toctrees".
    """
    root = app.config.root_doc
    if root not in env.all_docs:
        return []
    added = domain_of(env).toctree_of(root)
    if _unlisted_suites(app, env, None, added=added) == added:
        return []
    app.events.emit("env-purge-doc", env, root)
    env.clear_doc(root)
    app.builder.read_doc(root)
    return [root]


def _unlisted_suites(
    app: Sphinx,
    env: BuildEnvironment,
    root_doctree: nodes.document | None,
    added: tuple[str, ...] = (),
) -> tuple[str, ...]:
    """The suite pages no toctree of the project lists (``added``: what the extension
    itself put in the root's toctree, not counted as the project's)."""
    project = build_run(env).project
    if project is None or not project.config.add_to_toctree:
        return ()
    root = app.config.root_doc
    listed: set[str] = set()
    for parent, children in env.toctree_includes.items():
        listed.update(c for c in children if parent != root or c not in added)
    if root_doctree is not None:
        for node in root_doctree.findall(addnodes.toctree):
            listed.update(node["includefiles"])
    return tuple(r.index_docname for r in project.roots if r.index_docname not in listed)


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


def add_tested_by(app: Sphinx, domain: str, objtype: str, content: addnodes.desc_content) -> None:
    """With ``testdocs_tested_by_autodoc``, list the tests of each documented Python object
    of the types it names; a list that would only say "none" is left out for the types
    ``testdocs_tested_by_hide_empty`` names.

    Works for autodoc, sphinx-autoapi and hand-written ``py:`` directives alike: they
    all describe objects through the Python domain's object descriptions.
    """
    project = build_run(app.env).project
    # The checked options (a misspelt type falls back to the default with a warning).
    config = project.config if project is not None else None
    if domain != "py" or config is None or objtype not in objtypes_of(config.tested_by_autodoc):
        return
    signature = content.parent[0] if content.parent is not None and len(content.parent) else None
    if not isinstance(signature, addnodes.desc_signature):
        return
    module, fullname = signature.get("module") or "", signature.get("fullname") or ""
    name = ".".join(part for part in (module, fullname) if part)
    if not name:
        return
    testdocs = domain_of(app.env)
    # Made (and its page's digest noted) even when left out: the page is read again
    # when a test starts using the object.
    found = tested_by_nodes(testdocs, app.env.docname, name)
    if (
        project is not None
        and project.crossfile is not None
        and objtype in objtypes_of(config.tested_by_hide_empty)
        and tested_by(project, name).empty
    ):
        return
    rubric = nodes.rubric("Tested by", "Tested by")
    content += [rubric, *found]
