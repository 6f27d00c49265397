"""The ``sphinx-testdocs`` command: real builds of a tiny test tree, errors and titles."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import alabaster
import pytest
import sphinx
from docutils import nodes
from docutils.core import publish_doctree
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sphinx_testdocs import cli

ALPHA = '''"""Tests for the alpha feature."""

import pytest


@pytest.mark.parametrize("n", [1, 2])
def test_alpha_counts(n):
    """Alpha counts up."""
    assert n
'''

BETA = """def test_beta_nested():
    assert True
"""


@pytest.fixture(autouse=True)
def no_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plain output, as in a log: Sphinx colours its output when CI=true (and the
    tests compare text), as it would for any ``sphinx-build`` in CI."""
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    """A tiny test folder: one file at the top, one in a subfolder."""
    root = tmp_path / "mytests"
    (root / "sub").mkdir(parents=True)
    (root / "test_alpha.py").write_text(ALPHA, encoding="utf-8")
    (root / "sub" / "test_beta.py").write_text(BETA, encoding="utf-8")
    return root


def _page(site: Path, suite_name: str, relpath: str) -> Path:
    return site / "testdocs" / suite_name / f"{relpath}.html"


def test_build_in_process(suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    assert cli.main([str(suite), "-o", str(site), "-W"]) == 0
    out, err = capsys.readouterr()
    # Not a terminal: no progress, only the summary.
    assert out == (
        "5 of 5 pages written (2 test modules, 2 tests), no warnings: "
        f"{site.resolve() / 'index.html'}\n"
    )
    assert err == ""

    index = (site / "index.html").read_text(encoding="utf-8")
    assert cli.DEFAULT_TITLE in index
    assert "testdocs/mytests/index.html" in index  # the suite is linked from the root
    # The landing page is the suite overview itself, not a link to it.
    text = " ".join(re.sub(r"<[^>]+>", " ", index).split())
    assert "The test suite at mytests/ holds 2 Python files (2 test modules) with 2 tests" in text
    assert "Tests per folder" in text
    assert "Largest modules" in text
    assert 'href="testdocs/mytests/test_alpha.py.html"' in index
    assert "Markers (1)" in text  # parametrize counts as a marker use
    alpha = _page(site, "mytests", "test_alpha.py").read_text(encoding="utf-8")
    assert "test_alpha_counts" in alpha
    assert "Tests for the alpha feature." in alpha
    beta = _page(site, "mytests", "sub/test_beta.py").read_text(encoding="utf-8")
    assert "test_beta_nested" in beta
    # The generated sources and doctrees stay inside the output folder.
    assert (site / cli.SOURCE_SUBDIR / "index.rst").is_file()
    assert (site / cli.DOCTREE_SUBDIR).is_dir()


def test_rebuild_reads_nothing_new(
    suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site"
    assert cli.main([str(suite), "-o", str(site), "-q"]) == 0
    index_mtime = (site / cli.SOURCE_SUBDIR / "index.rst").stat().st_mtime_ns
    capsys.readouterr()
    assert cli.main([str(suite), "-o", str(site), "-v"]) == 0
    out = capsys.readouterr().out
    assert "0 added, 0 changed, 0 removed" in out
    landing = site.resolve() / "index.html"
    assert out.endswith(
        f"0 of 5 pages written (2 test modules, 2 tests), no warnings: {landing}\n"
    )
    assert (site / cli.SOURCE_SUBDIR / "index.rst").stat().st_mtime_ns == index_mtime


def test_landing_page_follows_the_suite(
    suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site"
    assert cli.main([str(suite), "-o", str(site), "-q"]) == 0
    (suite / "sub" / "test_gamma.py").write_text(
        "def test_one():\n    pass\n\n\ndef test_two():\n    pass\n", encoding="utf-8"
    )
    assert cli.main([str(suite), "-o", str(site), "-q", "-W"]) == 0
    index = (site / "index.html").read_text(encoding="utf-8")
    # The index.rst did not change: the overview's digest made it stale.
    assert "holds 3 Python files (3 test modules) with 4 tests" in " ".join(
        re.sub(r"<[^>]+>", " ", index).split()
    )
    assert 'href="testdocs/mytests/sub/test_gamma.py.html"' in index


def test_verbose_shows_sphinx_output(
    suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main([str(suite), "-o", str(tmp_path / "site"), "-v"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "reading sources... [100%] testdocs/mytests/test_alpha.py" in lines
    assert "build succeeded." in lines
    assert len(lines) > 20
    assert lines[-1].startswith("5 of 5 pages written")


def test_warnings_are_shown_and_counted(
    suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (suite / "test_broken.py").write_text("def test_x(:\n    pass\n", encoding="utf-8")
    assert cli.main([str(suite), "-o", str(tmp_path / "site"), "-W"]) == 1
    out, err = capsys.readouterr()
    assert err.count("test_broken.py") == 1
    assert out.startswith(
        "6 of 6 pages written (3 test modules, 2 tests), 1 warning (build failed): "
    )


def _run_on_a_terminal(args: list[str]) -> str:
    """The command's standard output when it is a terminal (a pseudo-terminal)."""
    import pty

    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "60", "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    with subprocess.Popen(
        [sys.executable, "-m", "sphinx_testdocs", *args],
        stdout=follower,
        stderr=subprocess.DEVNULL,
        env=env,
    ) as process:
        os.close(follower)
        chunks = []
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:  # the other end is closed
                break
            if not data:
                break
            chunks.append(data)
        assert process.wait(timeout=120) == 0
    os.close(leader)
    return b"".join(chunks).decode("utf-8")


@pytest.mark.skipif(sys.platform == "win32", reason="no pseudo-terminals on Windows")
def test_terminal_sees_one_progress_line(suite: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    out = _run_on_a_terminal([str(suite), "-o", str(site)])
    erase = "\r\x1b[2K"
    # Sphinx's steps, each written over the one before, then the summary on its own.
    step = "reading sources... [100%] testdocs/mytests/test_alpha.py"
    if sphinx.version_info >= (8,):
        assert erase + step in out
    else:  # Sphinx 7 erases the line itself first, and cuts the name to the terminal
        assert erase + "\x1b[2Kreading sources... [100%]" in out
    assert out.count("\n") == 1
    *_, last = out.split(erase)
    assert last.startswith("5 of 5 pages written (2 test modules, 2 tests), no warnings: ")
    assert last.endswith("index.html\r\n")
    assert all(len(step) <= 59 for step in out.split(erase)[:-1])  # fits the terminal


def test_quiet_prints_no_progress(
    suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main([str(suite), "-o", str(tmp_path / "site"), "-q"]) == 0
    assert capsys.readouterr() == ("", "")


def test_module_entry_point_in_subprocess(suite: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    env = {**os.environ, "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "sphinx_testdocs", str(suite), "-o", str(site), "-W", "-j", "2"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("5 of 5 pages written (2 test modules, 2 tests)")
    assert "test_alpha_counts" in _page(site, "mytests", "test_alpha.py").read_text("utf-8")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing", "no such directory: "),
        (lambda tmp: tmp / "mytests" / "test_alpha.py", "not a directory: "),
    ],
    ids=["missing", "file"],
)
def test_bad_path_is_one_line_error(
    suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], make: object, message: str
) -> None:
    assert callable(make)
    bad = make(tmp_path)
    site = tmp_path / "site"
    assert cli.main([str(suite), str(bad), "-o", str(site)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"sphinx-testdocs: error: {message}{bad}\n"
    assert not site.exists()  # nothing built, nothing written


@pytest.mark.parametrize(
    ("files", "found"),
    [
        ({}, "no Python file"),
        (
            {"helpers.py": "X = 1\n"},
            "no test pytest would collect (1 Python file, 0 test modules)",
        ),
        (
            {"test_nothing.py": "X = 1\n"},
            "no test pytest would collect (1 Python file, 1 test module)",
        ),
        (
            {
                "conftest.py": "collect_ignore = ['test_left_out.py']\n",
                "test_left_out.py": "def test_a():\n    pass\n",
            },
            "no test pytest would collect (2 Python files, 0 test modules); pytest, as "
            "configured, does not collect the 1 test of 1 test module",
        ),
    ],
    ids=["empty", "helpers-only", "test-module-without-tests", "not-collected"],
)
def test_folder_without_tests_warns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str], found: str
) -> None:
    folder = tmp_path / "quiet"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    assert cli.main([str(folder), "-o", str(tmp_path / "site"), "-q"]) == 0
    warning = f"{folder}: WARNING: test directory {str(folder)!r} holds {found} [testdocs.empty]\n"
    assert capsys.readouterr().err == warning
    assert cli.main([str(folder), "-o", str(tmp_path / "strict"), "-W"]) == 1
    out, err = capsys.readouterr()
    assert err == warning
    assert "1 warning (build failed)" in out


def test_output_that_is_a_file(
    suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "taken"
    target.write_text("", encoding="utf-8")
    assert cli.main([str(suite), "-o", str(target)]) == 2
    assert capsys.readouterr().err.startswith("sphinx-testdocs: error: output is not a directory")


@pytest.mark.parametrize("inside", [".", "site"])
def test_output_inside_a_test_folder_is_refused(
    suite: Path, capsys: pytest.CaptureFixture[str], inside: str
) -> None:
    before = sorted(suite.rglob("*"))
    assert cli.main([str(suite), "-o", str(suite / inside)]) == 2
    err = capsys.readouterr().err
    message = f"the output folder must be outside the test folder {suite.resolve()}"
    assert err == f"sphinx-testdocs: error: {message}\n"
    assert sorted(suite.rglob("*")) == before  # nothing written among the tests


def test_help_names_the_collect_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    assert out.startswith("usage: sphinx-testdocs PATH... -o OUTDIR [options]\n")
    assert out.splitlines()[1].strip().startswith("sphinx-testdocs collect [PATH...]")
    assert "'sphinx-testdocs collect [PATH...]'" in " ".join(out.split())


def test_unknown_builder_is_one_line_error(
    suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main([str(suite), "-o", str(tmp_path / "s"), "-b", "nosuch", "-q"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sphinx-testdocs: error: ")
    assert "nosuch" in err
    assert err.count("\n") == 1


def test_warning_is_error_returns_sphinx_status(
    suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (suite / "test_broken.py").write_text("def test_x(:\n    pass\n", encoding="utf-8")
    site = tmp_path / "site"
    assert cli.main([str(suite), "-o", str(site), "-q"]) == 0
    assert "test_broken.py" in capsys.readouterr().err
    assert cli.main([str(suite), "-o", str(tmp_path / "strict"), "-q", "-W"]) == 1


def test_default_theme_is_fluid_alabaster(suite: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert cli.main([str(suite), "-o", str(site), "-q", "-W"]) == 0
    assert "_static/alabaster.css" in (site / "index.html").read_text(encoding="utf-8")
    css = (site / "_static" / "alabaster.css").read_text(encoding="utf-8")
    # The page takes the window's width, and the narrow layout still applies below 940px.
    assert "width: max(940px, 100vw - 60px);" in css
    if alabaster.__version__ >= "1":  # 0.7 switches to its narrow layout at a fixed width
        assert "@media screen and (max-width: max(940px, 100vw - 60px))" in css
    assert "max-width: 800px" not in (site / "_static" / "basic.css").read_text("utf-8")


def test_theme_option_uses_an_installed_theme(suite: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert cli.main([str(suite), "-o", str(site), "-q", "-W", "--theme", "nature"]) == 0
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "_static/nature.css" in index
    assert "alabaster.css" not in index
    assert "Tests per folder" in index


def test_unknown_theme_is_one_line_error(
    suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main([str(suite), "-o", str(tmp_path / "s"), "--theme", "no-such-theme"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sphinx-testdocs: error: no HTML theme named 'no-such-theme' is ")
    assert "alabaster" in err and "nature" in err  # what can be chosen instead
    assert err.count("\n") == 1


def test_include_and_exclude_choose_the_pages(suite: Path, tmp_path: Path) -> None:
    (suite / "helpers.py").write_text("X = 1\n", encoding="utf-8")
    excluded = tmp_path / "excluded"
    assert cli.main([str(suite), "-o", str(excluded), "-q", "-W", "--exclude", "sub/**"]) == 0
    pages = excluded / "testdocs" / "mytests"
    assert (pages / "test_alpha.py.html").is_file()
    assert (pages / "helpers.py.html").is_file()
    assert not (pages / "sub").exists()
    included = tmp_path / "included"
    args = ["--include", "test_*.py", "--include", "sub/*.py"]
    assert cli.main([str(suite), "-o", str(included), "-q", "-W", *args]) == 0
    pages = included / "testdocs" / "mytests"
    assert (pages / "test_alpha.py.html").is_file()
    assert (pages / "sub" / "test_beta.py.html").is_file()
    assert not (pages / "helpers.py.html").exists()


def test_missing_output_option_is_a_usage_error(suite: Path) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main([str(suite)])
    assert info.value.code == 2


TRICKY_TITLES = [
    "*Title* `and` :ref:`x`",
    ".. raw:: html\n\n   <script>alert(1)</script>",
    "<b>bold</b> & |sub| [#]_ _target `link <http://x>`_",
    "\\backslash\\ and trailing\\",
    "\\\\\\\\",
    "-",
    "1. not a list",
    "漢字のタイトル",
]


@pytest.mark.parametrize("title", TRICKY_TITLES)
def test_title_appears_literally(suite: Path, tmp_path: Path, title: str) -> None:
    site = tmp_path / "site"
    assert cli.main([str(suite), "-o", str(site), "--title", title, "-q", "-W"]) == 0
    expected = html.escape(" ".join(title.split()), quote=False)
    index = (site / "index.html").read_text(encoding="utf-8")
    h1 = index[index.index("<h1>") + 4 : index.index("</h1>")]
    assert h1.startswith(expected + '<a class="headerlink"')
    assert "<script>alert" not in index
    assert "<b>bold" not in index


def test_empty_title_is_refused(
    suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main([str(suite), "-o", str(tmp_path / "s"), "--title", "  "]) == 2
    assert capsys.readouterr().err == "sphinx-testdocs: error: --title must not be empty\n"


_TITLE_TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn")), min_size=1
).filter(lambda t: t.strip())


@settings(max_examples=300, deadline=None)
@given(_TITLE_TEXT)
@example("\\")
@example("\\" * 8)
@example("=")
def test_index_title_round_trips_through_docutils(title: str) -> None:
    clean = cli.normalise_title(title)
    doctree = publish_doctree(
        cli.index_text(clean), settings_overrides={"report_level": 5, "halt_level": 5}
    )
    assert not list(doctree.findall(nodes.system_message))
    sections = list(doctree.findall(nodes.section))
    if not sections:  # docutils promotes a lone section's title to the document title
        assert doctree["title"] == clean
        return
    assert len(sections) == 1
    assert sections[0][0].astext() == clean


def test_subcommands_dispatch_on_the_first_word(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    monkeypatch.setitem(cli.SUBCOMMANDS, "collect", lambda argv: seen.append(argv) or 0)
    assert cli.main(["collect", "some/tests", "--format", "json"]) == 0
    assert seen == [["some/tests", "--format", "json"]]
