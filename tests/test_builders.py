"""Every builder and theme: clean builds of clean roots, with the content each output needs.

Each build copies its root afresh (no environment shared between builders), and "-W
clean" is checked as strictly as it can be: the warning stream is empty.
"""

from __future__ import annotations

import json
import posixpath
import re
import shutil
import socket
import subprocess
import zipfile
from collections.abc import Callable
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import sphinx
import sphinx.util.docutils as sphinx_docutils
from defusedxml import ElementTree  # type: ignore[import-untyped]
from docutils import nodes
from sphinx.testing.util import SphinxTestApp

from sphinx_testdocs.render.module import SECTIONS
from tests.helpers import build_cleanly

#: A root and its richest module page.
MODULES = {"basic": "testdocs/suite/test_alpha.py", "xref": "testdocs/tests/test_core.py"}
ROOTS = tuple(MODULES)
#: EPUB 3 requires both; Sphinx warns when they are empty (not about the extension).
EPUB_CONF = {"copyright": "2025, sphinx-testdocs", "version": "0.1"}

Build = Callable[..., SphinxTestApp]


@pytest.fixture
def build(rootdir: Path, tmp_path: Path) -> Build:
    """Build a fresh copy of a root with a builder; assert that nothing was warned."""

    def run(builder: str, root: str, *, parallel: int = 0, **confoverrides: Any) -> SphinxTestApp:
        srcdir = tmp_path / f"{root}-{builder}"
        shutil.copytree(rootdir / f"test-{root}", srcdir)
        return build_cleanly(builder, srcdir, confoverrides, parallel=parallel)

    return run


# --- HTML pages: every relative link lands on a file and an id -------------------------


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("id", "name") and value:
                self.ids.add(value)
            elif name in ("href", "src") and value and tag != "link":
                self.links.append(value)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def broken_links(outdir: Path, suffix: str = ".html") -> list[str]:
    """Relative links of every page whose file or fragment does not exist."""
    pages = {
        p: _parse(p)
        for p in sorted(outdir.rglob(f"*{suffix}"))
        if p.relative_to(outdir).parts[0] not in ("_static", "_sources")  # theme files
    }
    broken = []
    for path, page in pages.items():
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("mailto:", "javascript:")):
                continue
            target = path if not parts.path else path.parent / unquote(parts.path)
            if target.is_dir():
                target /= "index.html"  # dirhtml's "page/" links
            target = target.resolve()
            if not target.is_file():
                broken.append(f"{path.relative_to(outdir)}: {link} (no file)")
            elif parts.fragment and target.suffix == suffix:
                ids = pages[target].ids if target in pages else _parse(target).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{path.relative_to(outdir)}: {link} (no id)")
    return broken


@pytest.mark.parametrize("root", ROOTS)
@pytest.mark.parametrize("builder", ["html", "dirhtml"])
def test_html_and_dirhtml_links_resolve(build: Build, builder: str, root: str) -> None:
    app = build(builder, root)
    outdir = Path(app.outdir)
    page = MODULES[root] + ("/index.html" if builder == "dirhtml" else ".html")
    html = (outdir / page).read_text(encoding="utf-8")
    assert '<details class="testdocs-details"' in html
    assert 'id="L-3"' in html and 'href="#L-3"' in html
    assert broken_links(outdir) == []


@pytest.mark.parametrize("root", ROOTS)
def test_singlehtml_holds_every_page(build: Build, root: str) -> None:
    app = build("singlehtml", root)
    html = (Path(app.outdir) / "index.html").read_text(encoding="utf-8")
    for docname in sorted(app.env.found_docs - {"index"}):
        assert f'id="document-{docname}"' in html, docname
    page = _parse(Path(app.outdir) / "index.html")
    # Sphinx itself writes a cross-document reference as "#document-<doc>#<id>" here (a
    # plain :ref: does the same): the id after the last "#" is the one that must exist.
    local = {link.rpartition("#")[2] for link in page.links if link.startswith("#")}
    assert local - {""} <= page.ids
    assert "test_sum" in html or "test_add" in html


@pytest.mark.parametrize("parallel", [0, 2], ids=["serial", "parallel-levers"])
def test_singlehtml_line_ids_are_unique(build: Build, parallel: int) -> None:
    # In parallel with the levers for large suites on, too (packed parts among them).
    levers = {"testdocs_scale_levers": True} if parallel else {}
    app = build("singlehtml", "basic", parallel=parallel, **levers)
    html = (Path(app.outdir) / "index.html").read_text(encoding="utf-8")
    ids = re.findall(r'\bid="([\w-]*L-\d+)"', html)
    assert ids  # every listing is there...
    assert len(ids) == len(set(ids))  # ...with ids of its own
    # and every line link lands in the listing of its own page.
    links = re.findall(r'href="#([\w-]*L-\d+)"', html)
    assert links and set(links) <= set(ids)


@pytest.mark.parametrize("root", ROOTS)
def test_text_expands_every_custom_node(build: Build, root: str) -> None:
    app = build("text", root)
    text = (Path(app.outdir) / f"{MODULES[root]}.txt").read_text(encoding="utf-8")
    for title in (s.title for s in SECTIONS):
        # A heading, or named by the one line for the sections with nothing to show.
        assert f"\n{title}\n{'=' * len(title)}\n" in text or f"**{title}**" in text, title
    # Compact nodes and link lists, expanded into ordinary text.
    assert re.search(r'test "test_\w+" \N{EM DASH} line \d+', text)
    assert "* conftest.py" in text  # the related-files link list
    assert "Show the whole source" not in text  # the <details> summary is HTML-only
    assert "def test_" in text  # the listing itself


def test_man_page(build: Build) -> None:
    app = build("man", "basic")
    man = (Path(app.outdir) / "basic.1").read_text(encoding="utf-8")
    assert '.\\" Man page generated from reStructuredText' in man
    assert "\n.SH " in man
    # Docutils before 0.21 sets the link text in italics: "\fI\%line 12\fP".
    assert re.search(r"test \\fBtest_sum\\fP \N{EM DASH} \S*line 12\S*\N{EN DASH}14", man)
    assert "suite/test_alpha.py::LegacyTests::test_run" in man
    assert "def test_sum(numbers):" in man


@pytest.mark.parametrize("root", ROOTS)
def test_epub_is_well_formed(build: Build, root: str) -> None:
    app = build("epub", root, **EPUB_CONF)
    book = Path(app.outdir) / f"{root}.epub"
    with zipfile.ZipFile(book) as epub:
        names = epub.namelist()
        assert names[0] == "mimetype"
        assert epub.read("mimetype") == b"application/epub+zip"
        pages = [n for n in names if n.endswith(".xhtml")]
        for name in pages:
            ElementTree.fromstring(epub.read(name))  # XHTML must parse as XML
        module = epub.read(f"{MODULES[root]}.xhtml").decode()
    assert "Original Source" in module and 'id="L-3"' in module


# --- LaTeX ---------------------------------------------------------------------------


def _latex(build: Build, root: str) -> tuple[Path, str]:
    app = build("latex", root)
    tex = Path(app.outdir) / f"{root}.tex"
    return tex, tex.read_text(encoding="utf-8")


@pytest.mark.parametrize("root", ROOTS)
def test_latex_source(build: Build, root: str) -> None:
    _, tex = _latex(build, root)
    for title in (s.title for s in SECTIONS):
        latex_title = title.replace("&", r"\&").replace("-", r"\sphinxhyphen{}")
        assert "{" + latex_title + "}" in tex, title
    assert r"\begin{sphinxVerbatim}[commandchars=\\\{\}" in tex
    assert "testdocs_" not in tex  # no custom node reached the writer unexpanded


_LABEL = re.compile(r"\\label\{\\detokenize\{([^}]*)\}\}")
_HYPERREF = re.compile(r"\\hyperref\[\\detokenize\{([^}]*)\}\]")


@pytest.mark.parametrize("root", ROOTS)
def test_latex_links_have_targets(build: Build, root: str) -> None:
    _, tex = _latex(build, root)
    assert set(_HYPERREF.findall(tex)) - set(_LABEL.findall(tex)) == set()


def _tex_engine() -> list[str] | None:
    if shutil.which("latexmk"):
        return ["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error"]
    if shutil.which("pdflatex"):
        return ["pdflatex", "-interaction=nonstopmode", "-halt-on-error"]
    return None


@pytest.mark.parametrize("root", ROOTS)
def test_latex_compiles_to_pdf(build: Build, root: str) -> None:
    engine = _tex_engine()
    if engine is None:
        pytest.skip("no TeX installation (latexmk or pdflatex) on PATH")
    tex, _ = _latex(build, root)
    runs = 1 if engine[0] == "latexmk" else 2  # pdflatex: once more for the references
    for _ in range(runs):
        done = subprocess.run(
            [*engine, tex.name],
            cwd=tex.parent,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stdout[-3000:]
    pdf = tex.with_suffix(".pdf")
    assert pdf.read_bytes().startswith(b"%PDF-")
    log = tex.with_suffix(".log").read_text(errors="replace")
    assert "! " not in log and "Emergency stop" not in log


# --- linkcheck and dummy -------------------------------------------------------------


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Refuse (and record) any connection to an address other than loopback."""
    attempts: list[Any] = []
    real_connect = socket.socket.connect

    def guarded(sock: socket.socket, address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else address
        if sock.family in (socket.AF_INET, socket.AF_INET6) and host not in (
            "127.0.0.1",
            "::1",
            "localhost",
        ):
            attempts.append(address)
            raise OSError(f"network access in a test: {address}")
        real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded)
    return attempts


@pytest.mark.parametrize("root", ROOTS)
def test_linkcheck_checks_only_local_anchors(
    build: Build, root: str, loopback_only: list[Any]
) -> None:
    # Sphinx 7.3/7.4 warn (RemovedInSphinx80Warning) unless this option is set; 8.0
    # removed it, and an unknown option would warn there instead.
    legacy = {"linkcheck_report_timeouts_as_broken": False} if sphinx.version_info < (8,) else {}
    app = build("linkcheck", root, **legacy)
    report = (Path(app.outdir) / "output.json").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in report.splitlines()]
    # The pages hold no external link: every row is a local anchor, never fetched.
    # (Sphinx before 7.3 reports a link to another page with an empty URI.)
    assert all(row["uri"] == "" or row["uri"].startswith("#") for row in rows), rows
    assert {row["status"] for row in rows} <= {"unchecked"}
    assert loopback_only == []
    assert (Path(app.outdir) / "output.txt").read_text() == ""  # nothing broken


def test_dummy_builder(build: Build) -> None:
    app = build("dummy", "basic")
    assert MODULES["basic"] in app.env.found_docs
    assert not any(Path(app.outdir).rglob("*.html"))


# --- themes --------------------------------------------------------------------------

THEMES = ["alabaster", "furo", "sphinx_rtd_theme", "pydata_sphinx_theme"]


@pytest.mark.parametrize("theme", THEMES)
def test_themes(build: Build, theme: str) -> None:
    app = build("html", "basic", html_theme=theme)
    outdir = Path(app.outdir)
    html = (outdir / "testdocs/suite/test_alpha.py.html").read_text(encoding="utf-8")
    assert "_static/testdocs.css" in html
    assert '<details class="testdocs-details">' in html
    assert '<span class="linenos">12</span>' in html and 'id="L-12"' in html
    assert '<span class="testdocs-badge testdocs-kind-test">test</span>' in html
    assert '<dl class="testdocs-fields' in html
    folder = (outdir / "testdocs/suite/index.html").read_text(encoding="utf-8")
    assert 'class="testdocs-table' in folder and 'class="testdocs-bar"' in folder
    assert broken_links(outdir) == []
    # A generated page's source is its stub: neither copied nor offered. The user's own
    # pages keep theirs.
    assert "_sources/" not in html and "_sources/" not in folder
    assert [p.name for p in (outdir / "_sources").rglob("*.txt")] == ["index.rst.txt"]


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("builder", ["html", "dirhtml"])
def test_shared_sidebars_are_the_pages_own(
    rootdir: Path, tmp_path: Path, theme: str, builder: str
) -> None:
    """Pages outside every toctree share one sidebar toctree per folder depth
    (sidebar.py): every page comes out as when each computes its own, its links
    written from the site's root but leading to the same places."""
    from sphinx_testdocs.run import build_run

    def build(name: str, levers: bool) -> tuple[Path, Any]:
        srcdir = tmp_path / name
        shutil.copytree(rootdir / "test-basic", srcdir)
        # A second folder at the depth of suite/sub/, to share its sidebar.
        shutil.copytree(srcdir / "suite" / "sub", srcdir / "suite" / "sub2")
        # File pages out of the toctree, as on suites of more than 200 files; the
        # levers for large suites on (shared sidebars among them), or off.
        overrides = {
            "html_theme": theme,
            "testdocs_toctree_files": 0,
            "testdocs_scale_levers": levers,
        }
        app = SphinxTestApp(builder, srcdir=srcdir, confoverrides=overrides, status=StringIO())
        app.build()
        app.cleanup()
        return Path(app.outdir), build_run(app.env)

    shared, run = build("shared", levers=True)
    own, _ = build("own", levers=False)
    pages = sorted(p.relative_to(shared) for p in shared.rglob("*.html"))
    assert pages == sorted(p.relative_to(own) for p in own.rglob("*.html"))
    rewritten = 0
    for page in pages:
        mine = (shared / page).read_text(encoding="utf-8")
        theirs = (own / page).read_text(encoding="utf-8")
        rewritten += mine != theirs
        assert _links_resolved(mine, page) == _links_resolved(theirs, page), page
    assert broken_links(shared) == []
    # Three folders of file pages (suite/, sub/, sub2/) at two depths: two answers per
    # set of arguments (pydata's theme builds its navigation without toctree()).
    if theme != "pydata_sphinx_theme":
        assert rewritten
        assert len({name for name, _ in run.sidebar_toctrees}) == 2


def test_the_search_index_stems_each_word_once_and_is_the_same(
    rootdir: Path, tmp_path: Path
) -> None:
    """With the levers for large suites, the search language's ``stem`` is memoised for
    the whole build (scale/stems.py): the index comes out byte for byte the same."""

    def build(name: str, levers: bool) -> tuple[bytes, Any]:
        srcdir = tmp_path / name
        shutil.copytree(rootdir / "test-basic", srcdir)
        overrides = {"testdocs_scale_levers": levers}
        app = SphinxTestApp("html", srcdir=srcdir, confoverrides=overrides, status=StringIO())
        app.build()
        app.cleanup()
        return (Path(app.outdir) / "searchindex.js").read_bytes(), app.builder.indexer.lang.stem

    memoised, stem = build("levers", levers=True)
    plain, plain_stem = build("plain", levers=False)
    assert memoised == plain
    assert not hasattr(plain_stem, "cache_info")
    # Words met on several pages were stemmed once.
    assert stem.cache_info().hits > 0


@pytest.mark.skipif(
    not hasattr(sphinx_docutils, "_parse_str_to_doctree"),
    reason="Sphinx before 8.2 makes settings once per file type itself",
)
def test_docutils_settings_are_made_once_per_kind_and_pages_are_the_same(
    rootdir: Path, tmp_path: Path
) -> None:
    """With the levers for large suites, each document read gets a copy of settings
    made once (scale/settings.py): the pages and every document's recorded
    dependencies are what they are without it, and Sphinx's function stands in again
    once documents are read (an application that never builds never replaces it)."""
    original = sphinx_docutils._get_settings

    def project(name: str) -> Path:
        srcdir = tmp_path / name
        shutil.copytree(rootdir / "test-basic", srcdir)
        # docutils records an included file in the including document's settings.
        (srcdir / "snippet.txt").write_text("Included *text*.\n")
        (srcdir / "inc.rst").write_text("Inc\n===\n\n.. include:: snippet.txt\n")
        (srcdir / "other.rst").write_text("Other\n=====\n\nText.\n")
        index = srcdir / "index.rst"
        index.write_text(index.read_text() + "\n.. toctree::\n\n   inc\n   other\n")
        return srcdir

    def app_for(name: str, levers: bool) -> Any:
        overrides = {"testdocs_scale_levers": levers}
        return SphinxTestApp(
            "html", srcdir=project(name), confoverrides=overrides, status=StringIO()
        )

    def build(name: str, levers: bool) -> tuple[dict[str, bytes], dict[str, set[str]], Any]:
        """The pages, each document's dependencies (file names), the memo read with."""
        memos: list[Any] = []
        app = app_for(name, levers)
        app.connect(
            "doctree-read",
            lambda *_: memos.append(getattr(sphinx_docutils._get_settings, "memo", None)),
        )
        app.connect(
            "env-updated",
            lambda *_: memos.append(sphinx_docutils._get_settings is original),
        )
        app.build()
        app.cleanup()
        outdir = Path(app.outdir)
        pages = {p.relative_to(outdir).as_posix(): p.read_bytes() for p in outdir.rglob("*.html")}
        deps = {
            doc: {Path(path).name for path in paths} for doc, paths in app.env.dependencies.items()
        }
        deps["(documents)"] = set(app.env.all_docs)
        assert memos[-1] is True  # put back once every document is read
        return pages, deps, memos[0]

    unbuilt = app_for("unbuilt", levers=True)
    unbuilt.cleanup()
    assert sphinx_docutils._get_settings is original
    shared, shared_deps, memo = build("levers", levers=True)
    own, own_deps, no_memo = build("plain", levers=False)
    assert memo is not None and no_memo is None
    assert shared == own
    assert shared_deps == own_deps
    assert "snippet.txt" in shared_deps["inc"]
    assert "snippet.txt" not in shared_deps.get("other", set())
    # Two kinds of source (the user's rST pages, the generated stubs), each made once.
    assert len(memo.kept) == 2
    assert memo.hits == len(own_deps["(documents)"]) - 2  # every other document


def test_each_title_is_rendered_once_and_pages_are_the_same(rootdir: Path, tmp_path: Path) -> None:
    """With the levers for large suites, the HTML builder renders each environment
    title once for the build (scale/titles.py): every page comes out byte for byte
    the same, relation bars and breadcrumbs included."""

    def build(name: str, levers: bool) -> tuple[dict[str, bytes], Any]:
        srcdir = tmp_path / name
        shutil.copytree(rootdir / "test-basic", srcdir)
        # Nested pages of the user's own, titles with inline markup, shown as parents,
        # previous and next pages of one another.
        (srcdir / "guide").mkdir()
        (srcdir / "guide" / "index.rst").write_text(
            "The ``guide`` *itself*\n======================\n\n.. toctree::\n\n   one\n   two\n"
        )
        for page in ("one", "two"):
            (srcdir / "guide" / f"{page}.rst").write_text(f"Page **{page}**\n=========\n")
        index = srcdir / "index.rst"
        index.write_text(index.read_text() + "\n.. toctree::\n\n   guide/index\n")
        app = SphinxTestApp(
            "html",
            srcdir=srcdir,
            confoverrides={"testdocs_scale_levers": levers, "html_theme": "classic"},
            status=StringIO(),
        )
        app.build()
        app.cleanup()
        outdir = Path(app.outdir)
        pages = {p.relative_to(outdir).as_posix(): p.read_bytes() for p in outdir.rglob("*.html")}
        return pages, app.builder.render_partial

    shared, render = build("levers", levers=True)
    own, own_render = build("plain", levers=False)
    assert shared == own
    assert not hasattr(own_render, "kept")
    assert (
        b'<code class="docutils literal notranslate"><span class="pre">guide</span>'
        in (shared["guide/one.html"])
    )
    # Titles shown on several pages were rendered once.
    assert render.hits[0] > 0
    assert len(render.kept) <= len(
        [p for p in shared if p not in ("genindex.html", "search.html")]
    )


def _links_resolved(html: str, page: Path) -> str:
    """The page with each relative link written as the path it leads to."""
    folder = PurePosixPath(page.as_posix()).parent

    def resolved(match: re.Match[str]) -> str:
        target, anchor = match[1], match[2] or ""
        if not target:
            return match[0]
        path = posixpath.normpath(posixpath.join(str(folder), target))
        return f'href="/{path}{"/" if target.endswith("/") else ""}{anchor}"'

    return re.sub(r'href="(?![a-z]+:|/)([^"#]*)(#[^"]*)?"', resolved, html)


def test_relative_links_helper_sees_breakage(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text('<a href="b.html#x">b</a><a href="#here">h</a>')
    (tmp_path / "b.html").write_text('<p id="y"></p>')
    assert broken_links(tmp_path) == ["a.html: b.html#x (no id)", "a.html: #here (no id)"]


RICH_MODULE = """\
import pytest
from docutils import nodes


@pytest.fixture(params=[1, 2], autouse=True)
def number(request):
    yield request.param


class Base:
    def test_inherited(self):
        pass


class TestChild(Base):
    \"\"\"Docstring with <markup> & 'quotes'.\"\"\"

    @pytest.mark.undeclared_marker("x")
    @pytest.mark.parametrize("a, b", CASES)
    def test_computed(self, a, b, tmp_path, number):
        pass

    @pytest.mark.parametrize("x", [pytest.param(1, id="one"), 2])
    def test_ids(self, x):
        pass


def test_deep():
    def l1():
        def l2():
            def l3():
                def l4():
                    def l5():
                        def l6():
                            def l7():
                                def l8():
                                    def l9():
                                        def l10():
                                            pass
"""


def _normal(html: str, *, lists: bool = False) -> str:
    """Markup up to the order of classes and how a character is written (a character
    reference or itself); with ``lists``, docutils' "simple" class and line breaks
    between tags, which depend on how a list was built."""
    html = re.sub(r"&#(\d+);", lambda m: chr(int(m[1])), html)
    if lists:
        html = re.sub(r">\s+<", "><", html.replace(" simple", "")).strip()
    return re.sub(r'class="([^"]*)"', lambda m: f'class="{sorted(m[1].split())}"', html)


@pytest.mark.sphinx("html", testroot="basic", srcdir="structure-html")
def test_lazy_structure_is_built_when_written(app: Any, make_app: Any) -> None:
    """The Detailed Analysis tree stays analysis records in the doctree (small pickles,
    nothing for the reading transforms to walk) and is built as nodes when written."""
    from sphinx_testdocs.render.module import testdocs_structure

    (app.srcdir / "suite" / "test_rich.py").write_text(RICH_MODULE)
    app = make_app("html", srcdir=app.srcdir)  # scans the folder again
    app.build()
    doctree = app.env.get_doctree("testdocs/suite/test_rich.py")
    lazy = list(doctree.findall(testdocs_structure))
    assert len(lazy) == 1 and all(isinstance(c, nodes.Text) for c in lazy[0].children)
    page = (app.outdir / "testdocs/suite/test_rich.py.html").read_text(encoding="utf-8")
    for shown in ("inherited test", "markers: ", "computed at collection", "l10", "autouse"):
        assert shown in page
    assert '<p class="testdocs-def" id="def-' in page
    assert "<strong>pytest fixtures defined</strong>" in page


@pytest.mark.parametrize("compact", [True, False])
@pytest.mark.sphinx("html", testroot="basic", srcdir="structure-html-exact")
def test_structure_written_by_hand_is_the_translators_markup(
    app: Any, make_app: Any, compact: bool
) -> None:
    """The Detailed Analysis tree, written from its items, is the markup Sphinx's HTML
    translator writes for the nodes of the same items, compact ("simple") lists and
    line breaks included; here in a module with docstrings, facts, inherited tests and
    nesting deeper than the tree shows."""
    from docutils.utils import new_document

    from sphinx_testdocs.render.html import structure_html
    from sphinx_testdocs.render.listing import narrow
    from sphinx_testdocs.render.module import structure_items, testdocs_structure, tree_nodes

    (app.srcdir / "suite" / "test_rich.py").write_text(RICH_MODULE)
    overrides = {"html_compact_lists": compact}
    app = make_app("html", srcdir=app.srcdir, confoverrides=overrides, freshenv=True)
    app.build()
    (node,) = app.env.get_doctree("testdocs/suite/test_rich.py").findall(testdocs_structure)
    items = structure_items(node["payload"])
    document = new_document("<structure>", app.builder.docsettings)
    document.extend(tree_nodes(items))
    app.builder.current_docname = "testdocs/suite/test_rich.py"
    translator = app.builder.create_translator(document, app.builder)
    document.walkabout(translator)
    translated = "".join(translator.body)
    direct = structure_html(items, translator.encode, compact_lists=compact)
    assert ("simple" in direct) is compact and '<ul class="testdocs-tree">' in direct
    assert _normal(direct) == _normal(translated)
    page = (app.outdir / "testdocs/suite/test_rich.py.html").read_text(encoding="utf-8")
    # As the page holds it: characters beyond Latin-1 as references (listing.narrow).
    assert narrow(direct) in page and narrow(direct) != direct


@pytest.mark.parametrize("builder", ["html", "text"])
def test_field_lists_are_rows_until_written(build: Build, builder: str) -> None:
    """File Metadata's and High-Level Overview's field lists stay rows in the doctree
    (half of a module page's nodes as nodes); the owners cell, a reference, stays a node
    and resolves where it stands; the written page has every row."""
    from sphinx_testdocs.render.pieces import testdocs_fields

    app = build(builder, "basic")
    doctree = app.env.get_doctree(MODULES["basic"])
    assert not list(doctree.findall(nodes.field_list))
    kept = list(doctree.findall(testdocs_fields))
    assert len(kept) == 2 and all(not n.expanded() for n in kept)
    assert [name for name, _ in kept[0]["rows"]][:3] == ["Path", "Size", "Lines"]
    suffix = ".html" if builder == "html" else ".txt"
    page = (Path(app.outdir) / (MODULES["basic"] + suffix)).read_text(encoding="utf-8")
    for shown in ("Path", "test_alpha.py", "Encoding", "utf-8", "Owners", "Fixtures defined"):
        assert shown in page
    if builder == "html":
        assert page.count('<dl class="testdocs-fields field-list simple">') == 2


@pytest.mark.parametrize("builder", ["html", "gettext"])
def test_a_listing_holds_its_source_once_and_is_not_a_message(build: Build, builder: str) -> None:
    """Sphinx copies the text of each element without a ``rawsource`` into it: a
    listing's would put every file in its doctree twice, and make the whole source one
    message of the translation catalogue."""
    from sphinx_testdocs.render.nodes import LISTING_RAWSOURCE, testdocs_listing

    app = build(builder, "basic")
    docname = MODULES["basic"]
    line = "class LegacyTests(unittest.TestCase):"
    pickled = (Path(app.doctreedir) / f"{docname}.doctree").read_bytes()
    assert pickled.count(line.encode()) == 1
    (listing,) = app.env.get_doctree(docname).findall(testdocs_listing)
    assert listing.rawsource == LISTING_RAWSOURCE and line in listing.astext()
    if builder == "gettext":
        catalogue = "".join(p.read_text() for p in Path(app.outdir).rglob("*.pot"))
        assert "test_alpha.py" in catalogue  # the page's own messages are there
        assert line not in catalogue and LISTING_RAWSOURCE not in catalogue


@pytest.mark.parametrize("root", ROOTS)
def test_pieces_html_is_what_the_translator_writes_for_their_nodes(
    build: Build, root: str
) -> None:
    """Dependencies are written from pieces in HTML, and as nodes for every other builder.

    Translated by Sphinx's HTML writer once references resolve, the nodes give the same
    markup, links to other pages included; pieces whose Python names something
    documents are resolved as nodes in both (the xref root documents ``mypkg.core``).
    """
    from docutils.utils import new_document

    from sphinx_testdocs.render.nodes import testdocs_compact
    from sphinx_testdocs.render.pieces import (
        documented_python_names,
        testdocs_piecelists,
        testdocs_pieces,
    )

    app = build("html", root)
    docname = MODULES[root]

    def dependencies_html(*, as_nodes: bool) -> str:
        doctree = app.env.get_doctree(docname)
        if as_nodes:
            for deferred in list(doctree.findall(testdocs_compact)):
                if deferred.holds_references:
                    deferred.replace_self(deferred.expand())
            for lists in list(doctree.findall(testdocs_piecelists)):
                lists.replace_self(lists.expand())
            linkable = documented_python_names(app.env)
            for kept in list(doctree.findall(testdocs_pieces)):
                kept.replace_self(kept.expand(linkable))
        app.env.apply_post_transforms(doctree, docname)
        (section,) = [s for s in doctree.findall(nodes.section) if "dependencies" in s["ids"]]
        kept_whole = list(section.findall(testdocs_piecelists))
        kept_pieces = list(section.findall(testdocs_pieces))
        if as_nodes:
            assert not kept_whole and not kept_pieces
        elif root == "basic":  # nothing links to a Python object: the lists stay whole
            assert kept_whole and not kept_pieces
        else:  # a name may link: the lists are expanded, paragraphs without one stay
            assert kept_pieces and not kept_whole
        document = new_document("<dependencies>", app.builder.docsettings)
        document += section.deepcopy()
        app.builder.current_docname = docname
        translator = app.builder.create_translator(document, app.builder)
        document.walkabout(translator)
        return "".join(translator.body)

    direct, translated = dependencies_html(as_nodes=False), dependencies_html(as_nodes=True)
    assert _normal(direct) == _normal(translated)
    assert 'class="reference internal testdocs-line"' in direct
    if root == "basic":  # an import of another file of the tree links to its page
        assert re.search(r'<a class="reference internal" href="helpers\.py\.html"><span', direct)
    else:
        assert 'href="../../api.html#mypkg.core.add"' in direct


@pytest.mark.parametrize("root", ROOTS)
def test_compact_nodes_written_by_hand_are_what_the_translator_writes(
    build: Build, root: str
) -> None:
    """Every kind ``render/html.py`` writes directly gives the markup Sphinx's HTML
    translator writes for its expansion, on a module page and a folder page.

    Listings and bars are left whole on both sides: a listing expanded is written by
    Sphinx's highlighter (the lexer tests cover its markup), and a bar exists in HTML
    only (elsewhere the number beside it remains).
    """
    from docutils.utils import new_document

    from sphinx_testdocs.render.html import _WRITERS
    from sphinx_testdocs.render.nodes import testdocs_bar, testdocs_compact, testdocs_listing
    from sphinx_testdocs.render.pieces import documented_python_names

    app = build("html", root)
    folder = MODULES[root].rsplit("/", 1)[0] + "/index"
    written_by_hand: set[str] = set()

    def page_html(docname: str, *, as_nodes: bool) -> str:
        doctree = app.env.get_doctree(docname)
        if as_nodes:
            linkable = documented_python_names(app.env)
            pending = list(doctree.findall(testdocs_compact))
            while pending:
                node = pending.pop()
                if isinstance(node, (testdocs_listing, testdocs_bar)):
                    continue
                written_by_hand.add(type(node).__name__)
                expansion = node.expand(linkable)
                node.replace_self(expansion)
                for new in expansion:
                    pending.extend(new.findall(testdocs_compact))
        app.env.apply_post_transforms(doctree, docname)
        document = new_document(docname, app.builder.docsettings)
        document += doctree.children
        app.builder.current_docname = docname
        translator = app.builder.create_translator(document, app.builder)
        document.walkabout(translator)
        return "".join(translator.body)

    # The xref root's API page carries a "Tested by" list per object.
    api = ("api",) if root == "xref" else ()
    for docname in (MODULES[root], folder, *api):
        direct = page_html(docname, as_nodes=False)
        assert _normal(direct, lists=True) == _normal(
            page_html(docname, as_nodes=True), lists=True
        ), docname
    hand = {kind.__name__ for kind in _WRITERS} - {"testdocs_listing", "testdocs_bar"}
    if not api:
        hand.discard("testdocs_testedby")
    assert hand <= written_by_hand  # the pages hold every kind compared here
