"""Owners and links to the forge in real builds of a project that is a git checkout.

The checkout is made by running git in the test (``tests/analysis/test_forge.py``);
the extension reads ``.git`` as files.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from sphinx_testdocs import cli
from sphinx_testdocs.analysis.forge import COMMIT_VARIABLES
from tests.helpers import html_files, recording_reads
from tests.test_hostile import warning_lines
from tests.test_xref import inventory

ROOT = Path(__file__).parent / "roots" / "test-owners"
TORCH_DOC = "testdocs/suite/test_torch.py"
SUB_DOC = "testdocs/suite/sub/test_sub.py"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not on PATH")


def git(cwd: Path, *args: str) -> str:
    config = [
        "-c",
        "user.name=T",
        "-c",
        "user.email=t@example.com",
        "-c",
        "init.defaultBranch=main",
    ]
    result = subprocess.run(
        ["git", *config, *args], cwd=cwd, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


@pytest.fixture(autouse=True)
def _no_ci_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    # A CI run of these tests sets its own commit: the one of .git is under test here.
    for variable in COMMIT_VARIABLES:
        monkeypatch.delenv(variable, raising=False)


def checkout(tmp_path: Path, name: str = "project") -> tuple[Path, str]:
    """A copy of the test root committed to a fresh repository: (folder, commit)."""
    srcdir = tmp_path / name
    shutil.copytree(ROOT, srcdir)
    git(srcdir, "init", "-q")
    git(srcdir, "add", ".")
    git(srcdir, "commit", "-q", "-m", "suite")
    return srcdir, git(srcdir, "rev-parse", "HEAD")


def test_owners_and_forge_links(make_app: Any, tmp_path: Path) -> None:
    srcdir, commit = checkout(tmp_path)
    app = make_app("html", srcdir=srcdir, freshenv=True)
    app.build()
    assert app._warning.getvalue() == ""
    out = Path(app.outdir)
    page = (out / f"{TORCH_DOC}.html").read_text()
    # File Metadata: the header's owners then CODEOWNERS', each linked to its section
    # of the owners index, with where it is written.
    assert 'href="../../test-ownerindex.html#cap-M" title="module: nn"' in page
    assert "(# Owner(s) header, line 1)" in page
    assert "(.github/CODEOWNERS, line 3)" in page  # /suite/ @org/suite
    # Links to the forge at the commit: the file, each definition, each finding.
    base = f"https://github.com/org/repo/blob/{commit}/suite/test_torch.py"
    assert f'href="{base}"' in page
    assert f'href="{base}#L6"' in page  # class TestLinear
    assert f'href="{base}#L7"' in page  # test_forward
    assert f'href="{base}#L10"' in page  # assertTrue: a finding's first evidence line
    assert f'href="{base}#L14"' in page  # the __main__ block, in File Purpose
    assert page.count('title="view on the forge"') >= 5

    unowned = (out / "testdocs/suite/unowned/test_none.py.html").read_text()
    assert "no owner: no" in unowned  # the last matching pattern names no one
    sub = (out / f"{SUB_DOC}.html").read_text()
    assert "&#64;org/sub" in sub and "&#64;org/suite" not in sub  # last match wins

    marked = (out / "testdocs/suite/test_marked.py.html").read_text()
    assert "team-module" in marked and "(owner mark, line 3)" in marked

    folder = (out / "testdocs/suite/index.html").read_text()
    # Each owner with its number of files at and below the folder, most first.
    assert "&#64;org/suite</span></code></a> (2 files), <a" in folder
    assert "&#64;org/sub</span></code></a> (1 file)" in folder
    assert "no owner (1 file)" in folder

    index = (out / "test-ownerindex.html").read_text()
    for owner in ("module: nn", "oncall: jit", "@org/suite", "@org/sub", "team-test"):
        assert f'<code class="xref">{owner}</code>' in index
    assert "@org/suite</code> <em>(2 files, 5 tests)</em>" in index  # torch 2, marked 3
    assert 'id="cap-unowned"' in index
    # A test mark's owner owns that test, not its file.
    assert "test_marked.py::test_marked</code>" in index

    home = (out / "index.html").read_text()
    assert 'href="test-ownerindex.html#cap-M"' in home
    assert 'href="test-ownerindex.html#cap-O"' in home  # @org/suite

    modules = {m["path"]: m for m in json.loads((out / "testdocs.json").read_text())["modules"]}
    assert [o["name"] for o in modules["test_torch.py"]["owners"]] == [
        "module: nn",
        "oncall: jit",
        "@org/suite",
    ]
    tests = {t["nodeid"]: t["owners"] for t in modules["test_marked.py"]["tests"]}
    assert tests["test_marked.py::test_marked"] == ["team-module", "@org/suite", "team-test"]
    assert tests["test_marked.py::TestGroup::test_in_class"] == [
        "team-module",
        "@org/suite",
        "team-class",
    ]
    assert tests["test_marked.py::test_plain"] == ["team-module", "@org/suite"]


@pytest.mark.parametrize("builder", ["singlehtml", "latex"])
def test_forge_links_carry_the_commit_for_other_builders(
    make_app: Any, tmp_path: Path, builder: str
) -> None:
    """Payloads built when written (the Detailed Analysis, findings) link to the forge at
    the commit for builders other than HTML too: single-page HTML builds them where it
    inlines the page, LaTeX before references resolve."""
    srcdir, commit = checkout(tmp_path)
    app = make_app(builder, srcdir=srcdir, freshenv=True)
    app.build()
    written = "".join(
        p.read_text()
        for p in Path(app.outdir).glob("*.html" if builder == "singlehtml" else "*.tex")
    )
    base = f"https://github.com/org/repo/blob/{commit}/suite/test_torch.py"
    for line in (6, 7, 10):  # class TestLinear, test_forward, assertTrue's first evidence
        link = f"{base}#L{line}"
        if builder == "latex":
            link = link.replace("_", r"\_").replace("#", r"\#")
        assert link in written
    assert "{commit}" not in written


def test_a_changed_codeowners_rereads_the_pages_it_changes(make_app: Any, tmp_path: Path) -> None:
    srcdir, _ = checkout(tmp_path)
    make_app("html", srcdir=srcdir, freshenv=True).build()
    codeowners = srcdir / ".github" / "CODEOWNERS"
    codeowners.write_text(codeowners.read_text().replace("@org/sub", "@org/new-sub"))
    again = make_app("html", srcdir=srcdir)
    with recording_reads(again) as read:
        again.build()
    # The file whose owner changed, and the folder pages that count owners above it.
    assert sorted(read) == ["testdocs/suite/index", "testdocs/suite/sub/index", SUB_DOC]
    out = Path(again.outdir)
    assert "&#64;org/new-sub" in (out / f"{SUB_DOC}.html").read_text()
    assert "@org/new-sub" in (out / "test-ownerindex.html").read_text()
    modules = json.loads((out / "testdocs.json").read_text())["modules"]
    sub = next(m for m in modules if m["path"] == "sub/test_sub.py")
    assert [o["name"] for o in sub["owners"]] == ["@org/new-sub"]


def test_parallel_build_is_identical(make_app: Any, tmp_path: Path) -> None:
    serial_dir, _ = checkout(tmp_path, "serial")
    parallel_dir, _ = checkout(tmp_path, "parallel")
    # The same commit in both copies: the links must not differ by folder.
    git(parallel_dir, "fetch", "-q", str(serial_dir), "main")
    git(parallel_dir, "reset", "-q", "--hard", "FETCH_HEAD")
    serial = make_app("html", srcdir=serial_dir, freshenv=True)
    serial.build()
    # With the levers for large suites (pages packed for parallel writers) on.
    parallel = make_app(
        "html",
        srcdir=parallel_dir,
        freshenv=True,
        parallel=2,
        confoverrides={"testdocs_scale_levers": True},
    )
    parallel.build()
    assert html_files(Path(parallel.outdir)) == html_files(Path(serial.outdir))


def test_malformed_codeowners_lines_warn_and_the_rest_applies(
    make_app: Any, tmp_path: Path
) -> None:
    srcdir, _ = checkout(tmp_path)
    codeowners = srcdir / ".github" / "CODEOWNERS"
    codeowners.write_text(codeowners.read_text() + "/suite/sub/ not-an-owner\n[unclosed\n")
    app = make_app("html", srcdir=srcdir, freshenv=True)
    app.build()
    warnings = warning_lines(app)
    assert len(warnings) == 2
    assert f"{codeowners}:6: WARNING: line left out: 'not-an-owner' is not an owner" in warnings[0]
    assert warnings[0].endswith("[testdocs.owners]")
    assert f"{codeowners}:7:" in warnings[1]
    assert "&#64;org/sub" in (Path(app.outdir) / f"{SUB_DOC}.html").read_text()


def test_no_commit_no_links_one_warning(make_app: Any, tmp_path: Path) -> None:
    srcdir = tmp_path / "project"
    shutil.copytree(ROOT, srcdir)
    git(srcdir, "init", "-q")  # a branch with no commit yet
    app = make_app("html", srcdir=srcdir, freshenv=True)
    app.build()
    warnings = warning_lines(app)
    assert len(warnings) == 1
    assert "no links to the forge: no commit found for {commit}" in warnings[0]
    assert warnings[0].endswith("[testdocs.source_url]")
    page = (Path(app.outdir) / f"{TORCH_DOC}.html").read_text()
    assert "view on the forge" not in page
    assert " \N{MIDDLE DOT} " not in page  # nor the separator a link would follow

    # A template without {commit} (a branch) needs no commit: its links stay.
    branch = "https://github.com/org/repo/blob/main/{path}#L{line}"
    app = make_app(
        "html", srcdir=srcdir, freshenv=True, confoverrides={"testdocs_source_url": branch}
    )
    app.build()
    page = (Path(app.outdir) / f"{TORCH_DOC}.html").read_text()
    assert 'href="https://github.com/org/repo/blob/main/suite/test_torch.py#L6"' in page


def test_collect_json_carries_owners(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    srcdir, _ = checkout(tmp_path)
    monkeypatch.chdir(srcdir / "suite")
    assert cli.main(["collect", "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    modules = {m["path"]: m for m in json.loads(out)["modules"]}
    assert modules["test_torch.py"]["owners"][0] == {
        "name": "module: nn",
        "source": "header",
        "where": "line 1",
    }
    assert modules["sub/test_sub.py"]["owners"] == [
        {"name": "@org/sub", "source": "CODEOWNERS", "where": ".github/CODEOWNERS, line 4"}
    ]
    assert modules["unowned/test_none.py"]["owners"] == []
    marked = modules["test_marked.py"]
    assert [o["name"] for o in marked["owners"]] == ["@org/suite"]  # marks not named
    assert cli.main(["collect", "--format", "json", "--owner-marker", "owner"]) == 0
    marked = {m["path"]: m for m in json.loads(capsys.readouterr().out)["modules"]}[
        "test_marked.py"
    ]
    assert [o["name"] for o in marked["owners"]] == ["team-module", "@org/suite"]
    assert marked["tests"][0]["owners"] == ["team-module", "@org/suite", "team-class"]


def test_hostile_owner_names_stay_text(make_app: Any, tmp_path: Path) -> None:
    srcdir, _ = checkout(tmp_path)
    hostile = srcdir / "suite" / "test_hostile.py"
    hostile.write_text(
        "# Owner(s): ['<b>x</b>', '\"><script>alert(1)</script>', '`rst` *text*']\n"
        "def test_h():\n    pass\n"
    )
    app = make_app("html", srcdir=srcdir, freshenv=True)
    app.build()
    assert warning_lines(app) == []
    out = Path(app.outdir)
    for page in (out / "testdocs/suite/test_hostile.py.html", out / "test-ownerindex.html"):
        html = page.read_text()
        assert "<b>x</b>" not in html and "<script>alert" not in html
        assert "&lt;b&gt;x&lt;/b&gt;" in html
        assert "`rst` *text*" in html  # not read as markup


@pytest.mark.parametrize("builder", ["text", "singlehtml"])
def test_owner_references_elsewhere_stay_text(make_app: Any, tmp_path: Path, builder: str) -> None:
    # The owners index is a page HTML builders write: elsewhere a reference is its name.
    srcdir, _ = checkout(tmp_path)
    app = make_app(builder, srcdir=srcdir, freshenv=True)
    app.build()
    assert warning_lines(app) == []
    out = Path(app.outdir)
    if builder == "text":
        assert 'belong to "module: nn";' in (out / "index.txt").read_text()
    else:
        html = (out / "index.html").read_text()
        assert "test-ownerindex" not in html.split("belong to", 1)[1].split("</p>", 1)[0]


def test_owners_in_the_inventory(make_app: Any, tmp_path: Path) -> None:
    srcdir, _ = checkout(tmp_path)
    app = make_app("html", srcdir=srcdir, freshenv=True)
    app.build()
    owners = inventory(Path(app.outdir))["test:owner"]
    assert set(owners) == {
        "@org/sub",
        "@org/suite",
        "module: nn",
        "oncall: jit",
        "team-class",
        "team-module",
        "team-test",
    }
    item = owners["module: nn"]
    uri = item.uri if hasattr(item, "uri") else item[2]  # Sphinx 8.2+: an object
    assert uri.endswith("test-ownerindex.html#cap-M")


@pytest.mark.sphinx("html", testroot="basic")
def test_a_suite_without_owners_says_so_once(app: Any) -> None:
    app.build()
    index = (Path(app.outdir) / "test-ownerindex.html").read_text()
    assert "No file names an owner" in index
    assert "test_alpha.py" not in index  # not every file listed as unowned
    page = (Path(app.outdir) / "testdocs/suite/test_alpha.py.html").read_text()
    assert "no owner: no" in page
    folder = (Path(app.outdir) / "testdocs/suite/index.html").read_text()
    assert "no owner (5 files)" in folder


def test_a_new_commit_rewrites_pages_without_reading_them(make_app: Any, tmp_path: Path) -> None:
    srcdir, first = checkout(tmp_path)
    make_app("html", srcdir=srcdir, freshenv=True).build()
    (srcdir / "NOTES.txt").write_text("not documented\n")
    git(srcdir, "add", "NOTES.txt")
    git(srcdir, "commit", "-q", "-m", "notes")
    second = git(srcdir, "rev-parse", "HEAD")
    again = make_app("html", srcdir=srcdir)
    with recording_reads(again) as read:
        again.build()
    assert read == []  # the pages read keep no commit
    page = (Path(again.outdir) / f"{TORCH_DOC}.html").read_text()
    assert f"/blob/{second}/suite/test_torch.py#L7" in page
    assert first not in page
    # And an unchanged commit writes nothing again.
    written: list[str] = []
    last = make_app("html", srcdir=srcdir)
    last.connect("html-page-context", lambda app, name, *args: written.append(name))
    last.build()
    assert TORCH_DOC not in written


def test_owner_role_in_myst(make_app: Any, tmp_path: Path) -> None:
    srcdir, _ = checkout(tmp_path)
    (srcdir / "owners.md").write_text(
        "---\norphan: true\n---\n# Owners in MyST\n\nAsk {test:owner}`module: nn`.\n"
    )
    app = make_app(
        "html",
        srcdir=srcdir,
        freshenv=True,
        confoverrides={"extensions": ["sphinx_testdocs", "myst_parser"]},
    )
    app.build()
    assert warning_lines(app) == []
    page = (Path(app.outdir) / "owners.html").read_text()
    assert 'href="test-ownerindex.html#cap-M" title="module: nn"' in page
