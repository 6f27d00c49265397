"""Real builds of small projects: pages, sections, warnings, rebuilds and parallel reads."""

from __future__ import annotations

import gc
import io
import os
import pickle
import re
import shutil
import subprocess
import sys
import time
import weakref
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import sphinx
import sphinx.search
from docutils import nodes
from sphinx.application import ENV_PICKLE_FILENAME
from sphinx.util.console import strip_colors

from sphinx_testdocs.domain import STORES
from sphinx_testdocs.pages import STUB_SUFFIX
from sphinx_testdocs.render.module import SECTIONS
from sphinx_testdocs.run import FILE_FACTS, build_run
from sphinx_testdocs.scale.listings import LISTINGS_DIR
from sphinx_testdocs.scale.packing import PACKED_DIR, testdocs_packed
from sphinx_testdocs.scale.workers import SHARED_FROM
from tests.helpers import html_files, recording_reads, search_index, section_titles, shown_sections

ROOTS = Path(__file__).parent / "roots"
MODULE_DOC = "testdocs/suite/test_alpha.py"
FOLDER_DOC = "testdocs/suite/index"
SUB_DOC = "testdocs/suite/sub/index"


@pytest.mark.sphinx("html", testroot="basic")
def test_every_file_gets_a_page_with_all_sections(app: Any, warning: Any) -> None:
    app.build()
    assert warning.getvalue() == ""
    docs = sorted(d for d in app.env.found_docs if d.startswith("testdocs/"))
    assert docs == [
        "testdocs/suite/conftest.py",
        "testdocs/suite/helpers.py",
        "testdocs/suite/index",
        "testdocs/suite/sub/__init__.py",
        "testdocs/suite/sub/index",
        "testdocs/suite/sub/test_beta.py",
        "testdocs/suite/test_alpha.py",
    ]
    doctree = app.env.get_doctree(MODULE_DOC)
    assert section_titles(doctree, depth=1) == ["test_alpha.py"]
    assert shown_sections(doctree) == [s.title for s in SECTIONS]
    sub = app.env.get_doctree("testdocs/suite/sub/test_beta.py")
    assert section_titles(sub, depth=1) == ["sub/test_beta.py"]


@pytest.mark.sphinx("html", testroot="basic")
def test_module_page_content(app: Any) -> None:
    app.build()
    html = (app.outdir / "testdocs/suite/test_alpha.py.html").read_text()
    # Counts include nested definitions: TestGroup, Helper, LegacyTests.
    assert "This file contains 3 classes and 6 functions" in html
    # The whole source is present, collapsed, with per-line anchors.
    assert '<details class="testdocs-details">' in html
    assert 'id="L-41"' in html
    assert 'href="#L-11"' in html  # the structure tree links into the listing
    # Imports grouped by origin.
    for group in ("Standard library (3)", "Third party (1)", "Local (1)"):
        assert group in html
    # How to run it, relative to the project root (the root holds conf.py only, so the
    # suite's parent is the project root).
    assert "python -m pytest suite/test_alpha.py" in html
    assert "python suite/test_alpha.py" in html
    # Related files: every other file of the folder, linked or listed.
    assert 'href="conftest.py.html"' in html
    assert 'href="helpers.py.html"' in html


@pytest.mark.sphinx("html", testroot="basic")
def test_folder_pages(app: Any) -> None:
    app.build()
    sub = (app.outdir / "testdocs/suite/sub/index.html").read_text()
    assert "Tests for the beta feature." in sub  # README
    assert "data.json" in sub and "application/json" in sub
    root = (app.outdir / "testdocs/suite/index.html").read_text()
    assert 'href="sub/index.html"' in root
    assert "table.csv" not in root  # data-only folders are listed, not their files
    assert "data/" in root
    # The root page is linked from the root document's toctree.
    index = (app.outdir / "index.html").read_text()
    assert 'href="testdocs/suite/index.html"' in index
    assert "Test suite" in index


@pytest.mark.sphinx(
    "html",
    testroot="basic",
    confoverrides={"testdocs_section_titles": {"security": "Safety", "architecture": None}},
)
def test_sections_can_be_renamed_and_dropped(app: Any) -> None:
    app.build()
    titles = shown_sections(app.env.get_doctree(MODULE_DOC))
    assert "Safety" in titles
    assert "Security & Safety" not in titles
    assert "Architecture & Design" not in titles
    assert len(titles) == len(SECTIONS) - 1


def _touch(path: Path) -> None:
    # Some file systems store mtimes coarsely; make sure the change is visible.
    future = time.time() + 5
    import os

    os.utime(path, (future, future))


@pytest.mark.sphinx("html", testroot="basic", srcdir="incremental")
def test_incremental_rebuilds(app: Any, make_app: Any) -> None:
    app.build()
    srcdir = Path(app.srcdir)

    again = make_app("html", srcdir=srcdir)
    with recording_reads(again) as read:
        again.build()
    assert read == []

    _touch(srcdir / "suite/test_alpha.py")
    touched = make_app("html", srcdir=srcdir)
    with recording_reads(touched) as read:
        touched.build()
    # The folder page shows the file's totals, which a touch does not change.
    assert read == [MODULE_DOC]

    path = srcdir / "suite/test_alpha.py"
    path.write_text(path.read_text() + "\n\ndef test_added():\n    pass\n")
    _touch(path)
    edited = make_app("html", srcdir=srcdir)
    with recording_reads(edited) as read:
        edited.build()
    # New totals: the folder page above shows them (the sub-folder's page does not).
    assert sorted(read) == [FOLDER_DOC, MODULE_DOC]
    assert "test_added" in (edited.outdir / f"{MODULE_DOC}.html").read_text()

    (srcdir / "suite/sub/test_beta.py").unlink()
    deleted = make_app("html", srcdir=srcdir)
    with recording_reads(deleted) as read:
        deleted.build()
    # The folder pages that listed it and the pages that name it as a sibling.
    assert "testdocs/suite/sub/test_beta.py" not in deleted.env.all_docs
    assert not (srcdir / f"testdocs/suite/sub/test_beta.py{STUB_SUFFIX}").exists()
    assert "testdocs/suite/sub/index" in read
    index = search_index(Path(deleted.outdir))
    assert not any("test_beta" in d for d in index["docnames"])
    # Sphinx keeps a pruned term with no documents; it must point nowhere.
    assert index["terms"].get("test_beta", []) == []
    assert "test_beta" not in (deleted.outdir / "testdocs/suite/sub/index.html").read_text()


@pytest.mark.sphinx("html", testroot="basic", srcdir="serial")
def test_parallel_build_is_identical(app: Any, make_app: Any, tmp_path: Path) -> None:
    app.build()
    copy = tmp_path / "parallel"
    shutil.copytree(app.srcdir, copy, ignore=shutil.ignore_patterns("_build", "testdocs"))
    # The levers for large suites on (packing for parallel writers among them): the
    # pages must be those of the serial build without them, byte for byte.
    parallel = make_app(
        "html", srcdir=copy, parallel=2, confoverrides={"testdocs_scale_levers": True}
    )
    packed: dict[str, int] = {}  # docname -> parts packed for the writer (packing.py)
    files: set[Path] = set()
    words: dict[str, str] = {}  # docname -> the text its packed parts keep for search
    before: list[weakref.ref[nodes.Element]] = []
    kept_alive: dict[str, int] = {}  # docname -> packed elements the main process keeps

    def watch_elements(app: Any, doctree: nodes.document, docname: str) -> None:
        before[:] = [weakref.ref(node) for node in doctree.findall(nodes.Element)]

    def count_packed(app: Any, doctree: nodes.document, docname: str) -> None:
        parts = list(doctree.findall(testdocs_packed))
        packed[docname] = len(parts)
        files.update(Path(part["file"]) for part in parts if Path(part["file"]).is_file())
        words[docname] = " ".join(part.astext() for part in parts)
        # What was packed is gone from the main process (once cycles are collected).
        gc.collect()
        still_in = {id(node) for node in doctree.findall(nodes.Element)}
        alive = [ref() for ref in before]
        kept_alive[docname] = sum(1 for n in alive if n is not None and id(n) not in still_in)

    parallel.connect("doctree-resolved", watch_elements, priority=899)
    parallel.connect("doctree-resolved", count_packed, priority=999)
    parallel.build()
    serial_out, parallel_out = Path(app.outdir), Path(parallel.outdir)
    assert html_files(parallel_out) == html_files(serial_out)
    if sphinx.version_info >= (8,):  # older versions index "no-search" parts: not packed
        assert packed[MODULE_DOC] >= 5
        # One file per page in the doctree folder while pages are written, none after.
        assert len(files) == sum(1 for n in packed.values() if n)
        assert {f.parent for f in files} == {Path(parallel.doctreedir, PACKED_DIR)}
        assert not any(f.exists() for f in files)
        # Searchable content is packed too: its words stay in the doctree for the index.
        assert "Tests for the alpha feature" in words[MODULE_DOC]
        assert set(kept_alive.values()) == {0}
    assert packed["index"] == 0  # the user's own page
    if sphinx.version_info >= (7, 3):
        assert (parallel_out / "searchindex.js").read_bytes() == (
            serial_out / "searchindex.js"
        ).read_bytes()
    else:
        # Sphinx 7.2 writes "alltitles" in worker completion order (fixed in 7.3).
        assert _sorted_titles(search_index(parallel_out)) == _sorted_titles(
            search_index(serial_out)
        )


@pytest.mark.sphinx("html", testroot="basic", srcdir="analysed-here")
def test_files_analysed_by_parallel_workers_give_the_same_site(
    app: Any, make_app: Any, tmp_path: Path
) -> None:
    # Enough files to share out among workers (-j 2, levers on): tests that use the
    # conftest's fixture and import one another, so cross-file facts show on pages.
    suite = Path(app.srcdir) / "suite"
    for n in range(SHARED_FROM + 3):
        uses = f"from suite.test_many_{n - 1:02} import SIZE\n\n" if n else "SIZE = 3\n\n"
        (suite / f"test_many_{n:02}.py").write_text(
            f"{uses}def test_size_{n}(numbers):\n    assert len(numbers) == SIZE\n"
        )
    copy = tmp_path / "analysed-by-workers"
    shutil.copytree(app.srcdir, copy, ignore=shutil.ignore_patterns("_build", "testdocs"))
    # The suite is scanned as the app is made: the serial build is made afresh too.
    serial = make_app("html", srcdir=app.srcdir, freshenv=True)
    serial.build()
    status = io.StringIO()
    parallel = make_app(
        "html",
        srcdir=copy,
        parallel=2,
        status=status,
        confoverrides={"testdocs_scale_levers": True},
    )
    parallel.build()
    assert f"{SHARED_FROM + 3 + 5} file(s) analysed by 2 worker processes" in status.getvalue()
    assert "analysed by" not in serial._status.getvalue()
    # With one writer process, the main process highlighted the listings for it.
    said = status.getvalue()
    highlighted = re.search(r"(\d+) listing\(s\) highlighted by the main process", said)
    assert highlighted and int(highlighted[1]) >= SHARED_FROM + 3
    assert "highlighted by" not in serial._status.getvalue()
    assert not (Path(parallel.doctreedir) / LISTINGS_DIR).exists()
    serial_out, parallel_out = Path(serial.outdir), Path(parallel.outdir)
    assert html_files(parallel_out) == html_files(serial_out)
    assert (parallel_out / "testdocs.json").read_bytes() == (
        serial_out / "testdocs.json"
    ).read_bytes()
    # The cross-file facts made from the workers' analyses are on the pages.
    page = (parallel_out / "testdocs/suite/test_many_00.py.html").read_text()
    assert "test_many_01.py" in page


@pytest.mark.skipif(sphinx.version_info < (8,), reason="older versions pack nothing")
@pytest.mark.sphinx(
    "html", testroot="basic", srcdir="serial-ja", confoverrides={"html_search_language": "ja"}
)
def test_parallel_build_with_another_word_splitter(
    app: Any, make_app: Any, tmp_path: Path
) -> None:
    # Japanese splits words its own way: texts joined into one might not split into the
    # same words, so only what the index skips is packed, and the index is unchanged.
    app.build()
    copy = tmp_path / "parallel-ja"
    shutil.copytree(app.srcdir, copy, ignore=shutil.ignore_patterns("_build", "testdocs"))
    parallel = make_app(
        "html",
        srcdir=copy,
        parallel=2,
        confoverrides={"html_search_language": "ja", "testdocs_scale_levers": True},
    )
    parts: list[testdocs_packed] = []
    parallel.connect(
        "doctree-resolved",
        lambda app, doctree, docname: parts.extend(doctree.findall(testdocs_packed)),
        priority=999,
    )
    parallel.build()
    assert parts
    assert all(not part.astext() for part in parts)
    serial_out, parallel_out = Path(app.outdir), Path(parallel.outdir)
    assert (parallel_out / "searchindex.js").read_bytes() == (
        serial_out / "searchindex.js"
    ).read_bytes()
    assert html_files(parallel_out) == html_files(serial_out)


@pytest.mark.parametrize(
    "levers",
    [
        pytest.param(on, id=name, marks=pytest.mark.sphinx("html", srcdir=f"parallel-{name}"))
        for on, name in [(True, "levers"), (False, "no-levers")]
    ],
)
@pytest.mark.sphinx("html", testroot="basic")
def test_parallel_readers_send_back_only_their_own_pages(
    app: Any, make_app: Any, levers: bool
) -> None:
    # Enough pages for three chunks, so that the third reader forks once the first
    # chunk is merged (Sphinx's make_chunks; two processes).
    suite = Path(app.srcdir) / "suite"
    for n in range(20):
        (suite / f"test_extra_{n:02}.py").write_text(f"def test_{n}():\n    pass\n")
    parallel = make_app(
        "html", srcdir=app.srcdir, parallel=2, confoverrides={"testdocs_scale_levers": levers}
    )
    # The facts per file are made before reading, in the main process, and are the
    # build's run state while pages are read: readers that sent them back would make
    # the main process unpickle and drop a copy of them for every chunk of pages.
    # With the levers on, nor the records of the pages merged before they forked.
    sent_back: list[set[str]] = []
    carried_facts: list[bool] = []
    records_of_others: list[set[str]] = []

    def record(app: Any, env: Any, docnames: Any, other: Any) -> None:
        data = other.domaindata["test"]
        sent_back.append(set(data))
        carried_facts.append(hasattr(other, FILE_FACTS))
        records_of_others.append({*data["objects"], *data["digests"]} - set(docnames))

    parallel.connect("env-merge-info", record)
    parallel.build()
    assert len(sent_back) >= 3
    # The domain's data holds records per document, and nothing else.
    assert sent_back == [{"version", *STORES}] * len(sent_back)
    assert carried_facts == [False] * len(sent_back)
    if levers:
        assert records_of_others == [set()] * len(sent_back)
    # ...and every page's records are merged all the same, and saved.
    domain = parallel.env.get_domain("test")
    assert set(domain.data) == {"version", *STORES}
    extra = "testdocs/suite/test_extra_19.py"
    assert {MODULE_DOC, extra} <= set(domain.data["objects"])
    assert {MODULE_DOC, FOLDER_DOC, extra} <= set(domain.data["digests"])
    assert all(set(domain.data[key]) <= set(parallel.env.all_docs) for key in STORES)
    # The facts per file are saved with the environment, under one attribute: a
    # rebuild loads them (rather than summarising every file again) and reads nothing.
    facts = build_run(parallel.env).files
    assert facts.summaries and facts.collected
    saved = _saved_environment(parallel)
    assert getattr(saved, FILE_FACTS) == facts
    assert saved.domaindata["test"]["objects"] == domain.data["objects"]
    rebuild = make_app("html", srcdir=app.srcdir, parallel=2)
    with recording_reads(rebuild) as reads:
        rebuild.build()
    assert reads == []
    assert build_run(rebuild.env).files == facts


def _saved_environment(app: Any) -> Any:
    """The environment a build saved, as the next build loads it."""
    with (Path(app.doctreedir) / ENV_PICKLE_FILENAME).open("rb") as f:
        return pickle.load(f)


def _save_environment(app: Any, env: Any) -> None:
    with (Path(app.doctreedir) / ENV_PICKLE_FILENAME).open("wb") as f:
        pickle.dump(env, f, pickle.HIGHEST_PROTOCOL)


@pytest.mark.sphinx("html", testroot="basic", srcdir="old-environment")
def test_an_environment_saved_by_an_earlier_version_is_rebuilt(app: Any, make_app: Any) -> None:
    app.build()
    expected = html_files(Path(app.outdir))
    # As version 8 saved it: the facts per file among the domain's records.
    old = _saved_environment(app)
    facts = getattr(old, FILE_FACTS)
    delattr(old, FILE_FACTS)
    old.domaindata["test"].update(summaries=facts.summaries, collected=facts.collected)
    old.version = {**old.version, "sphinx_testdocs": 8}
    _save_environment(app, old)
    again = make_app("html", srcdir=app.srcdir)
    with recording_reads(again) as reads:
        again.build()
    assert MODULE_DOC in reads and FOLDER_DOC in reads  # a fresh environment
    assert set(again.env.domaindata["test"]) == {"version", *STORES}
    assert html_files(Path(again.outdir)) == expected


@pytest.mark.sphinx("html", testroot="basic", srcdir="lost-facts")
def test_an_environment_without_the_facts_per_file_summarises_again(
    app: Any, make_app: Any
) -> None:
    app.build()
    saved = _saved_environment(app)
    delattr(saved, FILE_FACTS)
    _save_environment(app, saved)
    again = make_app("html", srcdir=app.srcdir)
    with recording_reads(again) as reads:
        again.build()
    # Every file is summarised again; no page shows anything new, so none is read.
    assert reads == []
    assert build_run(again.env).files == build_run(app.env).files


def _sorted_titles(index: dict[str, Any]) -> dict[str, Any]:
    index["alltitles"] = {k: sorted(v) for k, v in index["alltitles"].items()}
    return index


@pytest.mark.sphinx("html", testroot="basic", srcdir="stubs")
def test_stubs_are_rewritten_only_when_changed(app: Any, make_app: Any) -> None:
    app.build()
    stub = Path(app.srcdir) / f"testdocs/suite/test_alpha.py{STUB_SUFFIX}"
    before = stub.stat().st_mtime_ns
    make_app("html", srcdir=app.srcdir).build()
    assert stub.stat().st_mtime_ns == before
    assert (Path(app.srcdir) / "testdocs/.gitignore").read_text().endswith("*\n")


@pytest.mark.sphinx("html", testroot="basic", srcdir="old-stubs")
def test_stubs_of_earlier_versions_are_removed(app: Any, make_app: Any, warning: Any) -> None:
    # Earlier versions wrote reStructuredText stubs (".rst"): left in place, each would
    # be a second source for its page. Files of the user's own there stay.
    app.build()
    generated = Path(app.srcdir) / "testdocs/suite"
    stub = generated / f"test_alpha.py{STUB_SUFFIX}"
    old = generated / "test_alpha.py.rst"
    old.write_text(stub.read_text().replace(STUB_SUFFIX, ".rst"))
    mine = generated / "notes.rst"
    mine.write_text("Notes\n=====\n")
    rebuilt = make_app("html", srcdir=app.srcdir, warning=warning)
    rebuilt.build()
    assert not old.exists() and stub.exists() and mine.exists()
    assert "multiple files found" not in warning.getvalue()


@pytest.mark.sphinx("html", testroot="basic", srcdir="foreign-stub")
def test_a_testdocs_file_not_written_by_the_extension_warns(app: Any, warning: Any) -> None:
    # Any *.testdocs file goes to the stub parser; one the extension did not write (no
    # header) gets a page saying so and a warning with the file, not a traceback.
    (Path(app.srcdir) / "notes.testdocs").write_text(".. testdocs-module:: /suite/x.py\n")
    with (Path(app.srcdir) / "index.rst").open("a") as fh:
        fh.write("\n.. toctree::\n\n   notes\n")
    app.build()
    assert "not a stub sphinx-testdocs wrote" in warning.getvalue()
    assert "[testdocs.directive]" in warning.getvalue()
    assert "notes.testdocs" in warning.getvalue()
    page = (Path(app.outdir) / "notes.html").read_text(encoding="utf-8")
    assert "not a stub sphinx-testdocs wrote (.testdocs)" in page


def test_stub_text_reads_back(tmp_path: Path) -> None:
    from sphinx_testdocs.config import TestdocsConfig
    from sphinx_testdocs.pages import read_stub, stub_text
    from sphinx_testdocs.project import build_project

    suite = tmp_path / "src/odd dir #1"
    (suite / "sub").mkdir(parents=True)
    (suite / "test_a.py").write_text("def test_a():\n    pass\n")
    (suite / "sub/test_b.py").write_text("def test_b():\n    pass\n")
    config = TestdocsConfig(dirs=(str(suite),), toctree_files=1)
    project = build_project(config, tmp_path / "src", tmp_path / "src", [])
    stubs = {docname: read_stub(stub_text(project, ref)) for docname, ref in project.pages()}
    module = next(s for d, s in stubs.items() if d.endswith("test_a.py"))
    folder = next(s for d, s in stubs.items() if d.endswith("sub/index"))
    assert module is not None and folder is not None
    assert module.directive == "testdocs-module" and folder.directive == "testdocs-folder"
    assert module.quoted and unquote(module.argument) == "/odd dir #1/test_a.py"
    assert module.orphan and not folder.orphan  # over testdocs_toctree_files: no toctree
    # Warnings about a page point at the stub's directive line (after the header).
    text = stub_text(project, project.page(next(d for d in stubs if d.endswith("test_a.py"))))
    assert text.splitlines()[module.line - 1].startswith(".. testdocs-module:: ")
    assert read_stub("Title\n=====\n\n.. testdocs-module:: /x.py\n") is None


@pytest.mark.sphinx("html", testroot="myst")
def test_rst_and_myst_give_the_same_doctree(app: Any, warning: Any) -> None:
    app.build()
    assert warning.getvalue() == ""

    def directive_output(docname: str) -> str:
        doctree = app.env.get_doctree(docname)
        page = doctree.next_node(nodes.section)
        module = page.next_node(
            lambda n: isinstance(n, nodes.section) and "testdocs-module" in n["classes"]
        )
        assert module is not None
        return module.pformat()

    rst = directive_output("in_rst")
    assert rst == directive_output("in_myst")
    assert "File Metadata" in rst and "Detailed Analysis" in rst
    assert "Original Source" not in rst  # :sections: picks three of them
    assert "test_value" in rst


@pytest.mark.sphinx("text", testroot="basic", srcdir="text-builder")
def test_compact_nodes_expand_for_other_builders(app: Any, warning: Any) -> None:
    app.build()
    assert warning.getvalue() == ""
    text = (Path(app.outdir) / "testdocs/suite/test_alpha.py.txt").read_text()
    # Definition headlines, evidence lines and sibling links, as ordinary text.
    assert 'test "test_sum" \N{EM DASH} line 12\N{EN DASH}14' in text
    assert 'test class "LegacyTests"(unittest.TestCase) \N{EM DASH} line 36\N{EN DASH}38' in text
    assert "Evidence: lines 14, 19" in text or "Evidence: line" in text
    assert "* helpers.py" in text


@pytest.mark.sphinx("html", testroot="basic")
def test_compact_nodes_in_html(app: Any) -> None:
    app.build()
    html = (Path(app.outdir) / "testdocs/suite/test_alpha.py.html").read_text()
    assert (
        '<span class="testdocs-badge testdocs-kind-test">test</span> <code class="docutils '
        'literal notranslate testdocs-name"><span class="pre">test_sum</span></code> '
        '&#8212; <a class="reference internal testdocs-line" href="#L-12">line 12</a>'
        "&#8211;14"
    ) in html
    assert '<p class="testdocs-def" id="def-test-sum">' in html
    # Headlines, one per definition, write their dashes as references: a page of ASCII
    # source stays Latin-1, one byte a character in memory (render/html.py says why).
    headlines = re.findall(r'<p class="testdocs-def".*?</p>', html, re.DOTALL)
    assert len(headlines) > 5 and all(max(map(ord, h)) < 256 for h in headlines)


@pytest.mark.sphinx(
    "html", testroot="basic", srcdir="folders-only", confoverrides={"testdocs_toctree_files": 0}
)
def test_large_trees_navigate_by_folder(app: Any, warning: Any) -> None:
    app.build()
    # File pages are orphans reached from their folder's table: no "not in any toctree".
    assert warning.getvalue() == ""
    assert app.env.metadata[MODULE_DOC].get("orphan") is not None
    assert app.env.toctree_includes[FOLDER_DOC] == [SUB_DOC]
    folder = (Path(app.outdir) / "testdocs/suite/index.html").read_text()
    assert 'href="test_alpha.py.html"' in folder


@pytest.mark.sphinx("html", testroot="basic", srcdir="related")
def test_related_files_are_computed_and_kept_fresh(app: Any, make_app: Any) -> None:
    app.build()
    srcdir = Path(app.srcdir)
    alpha = (Path(app.outdir) / "testdocs/suite/test_alpha.py.html").read_text()
    related = alpha.split('id="related-files"')[1].split("</section>")[0]
    assert "conftest.py files in effect (1)" in related
    assert "Imports from the test tree (1)" in related
    assert 'href="helpers.py.html"' in related.split("Same folder")[0]
    helpers = (Path(app.outdir) / "testdocs/suite/helpers.py.html").read_text()
    assert "Imported by (2)" in helpers
    assert 'href="sub/test_beta.py.html"' in helpers  # a relative import, resolved

    # A new importer changes nothing in helpers.py itself, yet its page must say so.
    (srcdir / "suite/test_new.py").write_text("from helpers import make_value\n")
    again = make_app("html", srcdir=srcdir)
    with recording_reads(again) as read:
        again.build()
    assert "testdocs/suite/helpers.py" in read
    helpers = (Path(again.outdir) / "testdocs/suite/helpers.py.html").read_text()
    assert "Imported by (3)" in helpers


def test_a_process_that_built_freezes_its_heap_when_it_exits(tmp_path: Path) -> None:
    # Python's exit runs full collections over whatever is alive; after a build that
    # is a large heap, and nothing they free matters then (see scale/heap.py). A handler
    # registered before the build runs after the extension's own exit handler, and
    # finds the heap frozen; at the build's end, it was handed back (the test below).
    srcdir = tmp_path / "src"
    shutil.copytree(ROOTS / "test-basic", srcdir, ignore=shutil.ignore_patterns("testdocs"))
    with (srcdir / "conf.py").open("a") as conf:
        conf.write("\ntestdocs_scale_levers = True\n")  # a small suite: forced on
    script = f"""
import atexit, gc, sys
from sphinx.cmd.build import main
atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count()))
status = main(["-q", "-b", "html", {str(srcdir)!r}, {str(tmp_path / "out")!r}])
print("frozen after build:", gc.get_freeze_count())
sys.exit(status)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    after_build, at_exit = (int(line.split(":")[1]) for line in done.stdout.splitlines())
    assert after_build == 0
    assert at_exit > 10_000


@pytest.mark.sphinx(
    "html", testroot="basic", freshenv=True, confoverrides={"testdocs_scale_levers": True}
)
def test_stable_heap_is_frozen_while_writing_and_handed_back_after(
    app: Any, make_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    # The root is small: lower the number of pages worth freezing for (scale/heap.py).
    monkeypatch.setattr("sphinx_testdocs.scale.heap.SMALL_BUILD", 2)

    young: dict[str, int] = {}

    def recording(app: Any) -> dict[str, int]:
        frozen: dict[str, int] = {}

        def record(stage: str) -> Any:
            def handler(*args: Any) -> None:
                frozen.setdefault(stage, gc.get_freeze_count())
                young.setdefault(stage, gc.get_threshold()[0])

            return handler

        app.connect("env-updated", record("read"), 900)
        app.connect("doctree-resolved", record("write"))
        app.connect("build-finished", record("finished"), 950)
        return frozen

    before = gc.get_threshold()
    frozen = recording(app)
    app.build()
    # Everything alive once reading ended is out of the collector's sight while pages
    # are written (see sphinx_testdocs/scale/heap.py), and given back when the build ends.
    assert frozen["read"] > 10_000 and frozen["write"] > 10_000
    assert frozen["finished"] == gc.get_freeze_count() == 0
    # The youngest generation is collected less often meanwhile, and as before after.
    assert young["read"] == young["write"] == max(before[0], 2000)
    assert young["finished"] == before[0] and gc.get_threshold() == before
    # A rebuild loads the saved environment with the collector paused, and freezes
    # what it loaded (a collection resumed then would walk all of it), and hands it
    # back at the end too.
    collections: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            collections.append(1)

    gc.callbacks.append(count)
    try:
        again = make_app("html", srcdir=app.srcdir, confoverrides={"testdocs_scale_levers": True})
        assert gc.isenabled() and gc.get_freeze_count() > 10_000
        assert not collections  # no full pass while loading
        frozen = recording(again)
        again.build()
    finally:
        gc.callbacks.remove(count)
    assert frozen["finished"] == gc.get_freeze_count() == 0


def test_the_users_own_doctrees_are_freed_once_written_in_a_frozen_build(
    make_app: Any, rootdir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host project's own pages are read into Sphinx's write cache; frozen with the
    heap after reading, each would outlive its writing (a doctree is a web of cycles)."""
    monkeypatch.setattr("sphinx_testdocs.scale.heap.SMALL_BUILD", 2)
    srcdir = tmp_path / "host"
    shutil.copytree(rootdir / "test-basic", srcdir)
    guide = [f"page{n}" for n in range(3)]
    for name in guide:
        (srcdir / f"{name}.rst").write_text(
            f"{name}\n=====\n\nSome prose.\n\nPart\n----\n\nMore.\n"
        )
    index = srcdir / "index.rst"
    index.write_text(index.read_text() + "\n.. toctree::\n\n   " + "\n   ".join(guide) + "\n")
    app = make_app("html", srcdir=srcdir, confoverrides={"testdocs_scale_levers": True})
    read: dict[str, weakref.ref[nodes.document]] = {}
    alive: dict[str, list[str]] = {}

    def watch(app: Any, doctree: nodes.document) -> None:
        if app.env.docname in guide:
            read[app.env.docname] = weakref.ref(doctree)

    def check(stage: str) -> Any:
        def handler(*args: Any) -> None:
            gc.collect()  # what is not frozen and unreachable goes; the frozen stays
            alive[stage] = sorted(name for name, ref in read.items() if ref() is not None)

        return handler

    app.connect("doctree-read", watch)
    # While reading, each is let go once the next page is read (what reading keeps
    # alive, each full collection walks); at the end none is left but perhaps the last
    # one read, which Sphinx's reused publisher holds on some versions (7.4).
    app.connect("env-updated", check("read"), priority=1)
    app.connect("build-finished", check("built"), priority=100)  # before the heap thaws
    app.build()
    assert sorted(read) == guide
    last = list(read)[-1]
    assert alive["read"] in ([], [last])
    assert alive["built"] in ([], [last])
    assert all((Path(app.outdir) / f"{name}.html").is_file() for name in guide)


def _freeze_counts_in_writers(app: Any) -> tuple[int, set[int]]:
    """Build; the main process's frozen-object count as pages are resolved, and those
    its forked writers see as they start writing."""
    main_process = os.getpid()
    record = Path(app.outdir).parent / f"{Path(app.outdir).name}-writers.txt"
    in_main: list[int] = []

    def resolved(*args: Any) -> None:
        in_main.append(gc.get_freeze_count())

    def page(*args: Any) -> None:
        if os.getpid() != main_process:  # a writer: tell the main process in a file
            with record.open("a") as out:
                out.write(f"{gc.get_freeze_count()}\n")

    app.connect("doctree-resolved", resolved)
    app.connect("html-page-context", page)
    app.build()
    return max(in_main), {int(line) for line in record.read_text().split()}


@pytest.mark.skipif(not hasattr(os, "register_at_fork"), reason="no fork")
def test_parallel_writers_of_a_large_build_freeze_what_they_inherit(
    make_app: Any, tmp_path: Path
) -> None:
    # Each writer inherits the main process's heap, resolved pages queued for writing
    # among it; its collector would walk all of that on every full pass (scale/heap.py).
    for levers in (True, False):
        srcdir = tmp_path / f"levers-{levers}"
        shutil.copytree(ROOTS / "test-basic", srcdir, ignore=shutil.ignore_patterns("testdocs"))
        app = make_app(
            "html", srcdir=srcdir, parallel=2, confoverrides={"testdocs_scale_levers": levers}
        )
        in_main, in_writers = _freeze_counts_in_writers(app)
        if levers:
            assert min(in_writers) > in_main + 1000
        else:  # nothing process-wide in a build that does not need it
            assert in_writers == {in_main}
    # Once the build is over, a forked process starts with the heap as it was.
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (the child reports through the pipe)
        os.write(write, str(gc.get_freeze_count()).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    with os.fdopen(read) as pipe:
        assert int(pipe.read()) == gc.get_freeze_count() == 0


@pytest.mark.sphinx("html", testroot="basic")
def test_generated_titles_rubrics_and_fields_carry_their_source(app: Any) -> None:
    # Without it Sphinx's ApplySourceWorkaround patches each one, serialising it to XML
    # for a debug message first: a measurable share of reading a large suite.
    app.build()
    # Field lists are kept as data until the page is written (after that transform),
    # and so are module pages' rubrics; the suite's folder page has rubrics.
    for docname, kinds in (
        (MODULE_DOC, (nodes.title,)),
        (FOLDER_DOC, (nodes.title, nodes.rubric)),
    ):
        doctree = app.env.get_doctree(docname)
        for kind in kinds:
            found = list(doctree.findall(kind))
            assert found, (docname, kind)
            assert all(n.source and n.source.endswith(STUB_SUFFIX) for n in found), (docname, kind)


#: Sphinx 8+ skips "no-search" content when indexing; older versions index everything.
_SKIPS_NO_SEARCH = "no-search" in Path(sphinx.search.__file__).read_text(encoding="utf-8")


@pytest.mark.skipif(not _SKIPS_NO_SEARCH, reason="this Sphinx indexes no-search content")
@pytest.mark.sphinx("html", testroot="basic", srcdir="search-terms")
def test_search_finds_what_pages_say_not_what_every_page_repeats(app: Any) -> None:
    app.build()
    terms = search_index(Path(app.outdir))["terms"]
    # Docstrings, imported modules, finding titles, test names: searchable.
    for term in ("alpha", "featur", "subprocess", "spawn", "test_alpha"):
        assert term in terms, term
    # The sentences every page repeats ("This file contains ... nested definitions
    # included", a finding's explanation, the Dependencies headings) and the source
    # listing are not.
    for term in ("nest", "rewrit", "deselect", "number", "param", "librari", "parti"):
        assert term not in terms, term


@pytest.mark.sphinx(
    "html",
    testroot="basic",
    srcdir="freed-doctrees",
    confoverrides={"testdocs_scale_levers": True},
)
def test_generated_doctrees_are_freed_without_the_cycle_collector(app: Any) -> None:
    # Doctrees are webs of reference cycles: dropped as they are, each would wait for
    # a full collection. Generated ones are taken apart once pickled and once written.
    import gc

    def generated_nodes() -> list[Any]:
        # Of this build's pages (other tests' apps may still be alive in this process).
        srcdir = str(app.srcdir)
        return [
            o
            for o in gc.get_objects()
            if isinstance(o, nodes.Element)
            and str(getattr(o, "attributes", {}).get("source", "")).startswith(srcdir)
            and str(o.attributes["source"]).endswith(STUB_SUFFIX)
        ]

    gc.collect()
    gc.disable()
    try:
        app.build()
        left = generated_nodes()
    finally:
        gc.enable()
    assert [type(n).__name__ for n in left] == []
    # The user's own index page is left to the collector as usual.
    assert app.env.get_doctree("index").get("source", "").endswith("index.rst")


@pytest.mark.sphinx("html", testroot="basic", srcdir="small-suite-no-levers")
def test_a_small_suite_changes_nothing_process_wide(app: Any) -> None:
    # The levers for large suites change the collector's state and a shared logger:
    # a small suite's build goes without them (testdocs_scale_levers: None).
    import gc

    from sphinx_testdocs.run import build_run
    from sphinx_testdocs.scale import LARGE_SUITE, is_large

    seen: dict[str, Any] = {}

    def during_writing(*args: Any) -> None:
        seen.setdefault("enabled", gc.isenabled())
        seen.setdefault("frozen", gc.get_freeze_count())

    app.connect("doctree-resolved", during_writing)
    app.build()
    assert build_run(app.env).large is False
    assert seen == {"enabled": True, "frozen": 0}
    assert not list(Path(app.doctreedir).glob("testdocs-packed*"))
    assert is_large(None, LARGE_SUITE) and not is_large(None, LARGE_SUITE - 1)
    assert is_large(True, 1) and not is_large(False, 10 * LARGE_SUITE)


def test_navigation_is_chosen_by_what_the_sidebar_costs() -> None:
    from sphinx_testdocs.project import HOST_PAGES, STANDALONE_FILES, choose_navigation

    # A site of the suite alone: every page while the tree is small, folders beyond.
    assert choose_navigation(None, STANDALONE_FILES, host_pages=1) == "files"
    assert choose_navigation(None, STANDALONE_FILES + 1, host_pages=1) == "folders"
    # In a project with pages of its own, whatever the suite's size: its page only.
    assert choose_navigation(None, 3, host_pages=HOST_PAGES) == "suite"
    # A number given is obeyed, host or not.
    assert choose_navigation(-1, 10_000, host_pages=500) == "files"
    assert choose_navigation(0, 1, host_pages=500) == "folders"


def test_a_host_project_gets_the_suite_page_in_its_navigation_only(
    make_app: Any, tmp_path: Path
) -> None:
    # A project with prose of its own: each page it has draws the sidebar, so the
    # suite adds one entry to it, not one per file and section (testdocs_toctree_files).
    srcdir = tmp_path / "host"
    shutil.copytree(ROOTS / "test-basic", srcdir, ignore=shutil.ignore_patterns("testdocs"))
    guide = [f"guide{n}" for n in range(10)]
    for name in guide:
        (srcdir / f"{name}.rst").write_text(f"{name}\n{'=' * len(name)}\n\nProse.\n")
    index = (srcdir / "index.rst").read_text()
    (srcdir / "index.rst").write_text(index + "\n.. toctree::\n\n   " + "\n   ".join(guide) + "\n")
    app = make_app("html", srcdir=srcdir)
    app.build()
    assert "toctree" not in app.warning.getvalue()  # no page left out of every toctree
    generated = {d for d in app.env.all_docs if d.startswith("testdocs/")}
    in_toctrees = {d for docs in app.env.toctree_includes.values() for d in docs}
    assert generated & in_toctrees == {"testdocs/suite/index"}
    assert app.env.metadata["testdocs/suite/sub/index"].get("orphan") is not None
    assert app.env.metadata[MODULE_DOC].get("orphan") is not None
    # Every page stays reachable: the suite page links its folders and files.
    suite = (Path(app.outdir) / "testdocs/suite/index.html").read_text()
    assert 'href="sub/index.html"' in suite and 'href="test_alpha.py.html"' in suite


def test_a_large_saved_environment_loads_with_the_collector_paused(tmp_path: Path) -> None:
    # testdocs_scale_levers = None: the size of the environment about to be loaded
    # decides, before the suite is scanned (scale/heap.py).
    import gc
    from types import SimpleNamespace

    from sphinx_testdocs.scale import heap

    app = SimpleNamespace(doctreedir=str(tmp_path))
    config = SimpleNamespace(testdocs_scale_levers=None)
    (tmp_path / "environment.pickle").write_bytes(b"x" * (heap.LARGE_ENVIRONMENT - 1))
    heap.pause_for_environment_load(app, config)
    assert gc.isenabled()
    (tmp_path / "environment.pickle").write_bytes(b"x" * heap.LARGE_ENVIRONMENT)
    try:
        heap.pause_for_environment_load(app, config)
        assert not gc.isenabled()
    finally:
        heap.resume_after_environment_load()
        heap.unfreeze_heap(SimpleNamespace(env=None), None)
    assert gc.isenabled() and gc.get_freeze_count() == 0


@pytest.mark.sphinx("html", testroot="basic", srcdir="overview")
def test_overview_directive_on_any_page(app: Any, make_app: Any, warning: Any) -> None:
    srcdir = Path(app.srcdir)
    (srcdir / "overview.rst").write_text(
        ":orphan:\n\nOverview\n========\n\n.. testdocs-overview:: suite\n\n"
        ".. testdocs-overview:: suite/sub\n",
        encoding="utf-8",
    )
    built = make_app("html", srcdir=srcdir)
    built.build()
    page = (built.outdir / "overview.html").read_text()
    assert "Tests per folder" in page and "Largest modules" in page
    assert 'href="testdocs/suite/test_alpha.py.html"' in page
    # Only the suite page gives markers their index entries.
    genindex = (built.outdir / "genindex.html").read_text()
    assert "overview.html#suite-marker" not in genindex
    warnings = built.warning.getvalue()
    assert "testdocs-overview: " in warnings and "sub is not a directory listed" in warnings

    path = srcdir / "suite/sub/test_new.py"
    path.write_text("def test_new():\n    pass\n", encoding="utf-8")
    again = make_app("html", srcdir=srcdir)
    with recording_reads(again) as read:
        again.build()
    assert "overview" in read  # a new file changes the overview: its digest says so
    assert (
        'href="testdocs/suite/sub/test_new.py.html"'
        in (again.outdir / "overview.html").read_text()
    )


@pytest.mark.sphinx("html", testroot="basic", srcdir="empty-suite")
def test_empty_test_directory_warns_in_a_project(app: Any, make_app: Any) -> None:
    srcdir = Path(app.srcdir)
    (srcdir / "nothing").mkdir()
    (srcdir / "nothing" / "util.py").write_text("X = 1\n", encoding="utf-8")
    overrides = {"testdocs_dirs": ["suite", "nothing"], "exclude_patterns": ["suite", "nothing"]}
    built = make_app("html", srcdir=srcdir, confoverrides=overrides)
    built.build()
    # Coloured when an earlier build in this process turned colour on.
    warnings = strip_colors(built.warning.getvalue()).splitlines()
    assert [w for w in warnings if "testdocs.empty" in w] == [
        f"{srcdir / 'nothing'}: WARNING: test directory 'nothing' holds no test pytest would "
        "collect (1 Python file, 0 test modules) [testdocs.empty]"
    ]
    # Silenced as every testdocs warning is, by its subtype.
    quiet = make_app(
        "html",
        srcdir=srcdir,
        confoverrides={**overrides, "suppress_warnings": ["testdocs.empty"]},
    )
    quiet.build()
    assert "testdocs.empty" not in quiet.warning.getvalue()
