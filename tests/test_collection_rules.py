"""Every collection rule against a real pytest run: ``sphinx-testdocs collect`` must print
the node IDs ``pytest --collect-only -q`` prints, from the same folder, line by line.

One tree exercises every rule at once (testpaths, norecursedirs by name and by path,
collect_ignore and collect_ignore_glob with the innermost conftest winning, --ignore and
--ignore-glob in addopts, path-style python_files, a plugin named in addopts and a
conftest fixture overriding the plugin's): one pytest run checks them all.
``tests/analysis/test_selection.py`` checks each rule's reason, without pytest.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from sphinx_testdocs import cli, config
from sphinx_testdocs.project import build_project
from tests.helpers import pytest_collect, recording_reads, write_tree

PYPROJECT = """\
[tool.pytest]
addopts = ["-rfEX", "-p", "pytester", "--ignore=tests/by_option", "--ignore-glob=*_wip.py"]
testpaths = ["tests", "extra"]
python_files = ["test_*.py", "tests/checks/*.py"]
norecursedirs = ["fixtures_data", "tests/examples", ".*"]
"""

CONFTEST = """\
import pytest

collect_ignore = ["test_listed.py", "sub/test_shadowed.py"]
collect_ignore.append("legacy")
collect_ignore_glob = ["*_py2.py"]


@pytest.fixture
def pytester(pytester, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    return pytester
"""

MAIN = """\
import pytest


def test_uses_pytester(pytester):
    pass


def test_uses_testdir(testdir):
    pass


def test_plain(linecomp):
    pass


@pytest.mark.parametrize("n", [1, 2])
def test_numbers(n, pytester):
    pass


class TestGroup:
    def test_method(self, LineMatcher):
        pass
"""

ONE_TEST = "def test_one():\n    pass\n"

TREE = {
    "pyproject.toml": PYPROJECT,
    "src/test_not_in_testpaths.py": ONE_TEST,
    "tests/conftest.py": CONFTEST,
    "tests/test_main.py": MAIN,
    "tests/test_listed.py": ONE_TEST,
    "tests/legacy/test_old.py": ONE_TEST,
    "tests/test_thing_py2.py": ONE_TEST,
    "tests/test_feature_wip.py": ONE_TEST,
    "tests/by_option/test_option.py": ONE_TEST,
    "tests/examples/test_example.py": ONE_TEST,
    "tests/unit/fixtures_data/test_data.py": ONE_TEST,
    "tests/unit/test_unit.py": ONE_TEST,
    "tests/checks/consistency.py": ONE_TEST,
    "tests/sub/conftest.py": 'collect_ignore = ["test_inner.py"]\n',
    "tests/sub/test_inner.py": ONE_TEST,
    "tests/sub/test_shadowed.py": ONE_TEST,
    "extra/test_extra.py": ONE_TEST,
}

#: What pytest lists for TREE run without arguments from its rootdir (checked below).
EXPECTED = """\
tests/checks/consistency.py::test_one
tests/sub/test_shadowed.py::test_one
tests/test_main.py::test_uses_pytester
tests/test_main.py::test_uses_testdir
tests/test_main.py::test_plain
tests/test_main.py::test_numbers[1]
tests/test_main.py::test_numbers[2]
tests/test_main.py::TestGroup::test_method
tests/unit/test_unit.py::test_one
extra/test_extra.py::test_one
"""


def collect(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, cwd: Path, *args: str
) -> tuple[int, list[str], str]:
    """``sphinx-testdocs collect`` run from ``cwd``: status, node IDs, summary line."""
    monkeypatch.chdir(cwd)
    status = cli.main(["collect", *args])
    out = capsys.readouterr().out
    listing, _, rest = out.partition("\n\n")
    return status, listing.splitlines(), rest.splitlines()[0] if rest else listing


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "proj", TREE)


def test_every_rule_as_pytest_applies_it(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pytest_collect(tree)
    assert real.returncode == 0, real.output
    assert real.ids == EXPECTED.splitlines()
    status, ids, summary = collect(capsys, monkeypatch, tree)
    # Same IDs, same order, same count: every case is known, none of them is guessed.
    assert (status, ids) == (0, real.ids)
    assert summary == "10 tests collected"
    assert real.summary.startswith("10 tests collected in ")
    # A folder given explicitly: pytest ignores testpaths (``_decide_args``), and IDs
    # stay relative to the rootdir. (No second pytest run: it takes a second.)
    status, ids, _ = collect(capsys, monkeypatch, tree / "extra", "../src")
    assert (status, ids) == (0, ["src/test_not_in_testpaths.py::test_one"])


def test_rootdir_is_the_common_ancestor_of_cwd_and_argument(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No configuration file: from ``b/``, ``../a/tests`` gives IDs relative to their
    common ancestor, as pytest 9 does (the experiment in the ground truth's README)."""
    root = write_tree(tmp_path / "rootexp", {"a/tests/test_x.py": ONE_TEST, "b/.keep": ""})
    real = pytest_collect(root / "b", "../a/tests")
    assert real.ids == ["a/tests/test_x.py::test_one"]
    status, ids, _ = collect(capsys, monkeypatch, root / "b", "../a/tests")
    assert (status, ids) == (0, real.ids)


REPRO = {
    "pytest.ini": "[pytest]\naddopts = -p pytester\n",
    "conftest.py": "import pytest\n\n\n@pytest.fixture\n"
    "def pytester(pytester, monkeypatch):\n    return pytester\n",
    "test_mod.py": "def test_a(pytester):\n    pass\n\n\ndef test_b():\n    pass\n",
}


def test_conftest_overriding_a_plugin_fixture_of_addopts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's repro: ``def pytester(pytester, ...)`` in conftest.py over ``-p pytester``
    in addopts. collect said "1 test collected (1 test function with an unknown number of
    cases)"; pytest collects 2, and so must the analysis, exactly."""
    root = write_tree(tmp_path / "repro", REPRO)
    assert "def pytester(pytester, monkeypatch)" in REPRO["conftest.py"]
    real = pytest_collect(root)
    assert real.ids == ["test_mod.py::test_a", "test_mod.py::test_b"]
    assert real.summary.startswith("2 tests collected")
    monkeypatch.chdir(root)
    assert cli.main(["collect"]) == 0
    assert (
        capsys.readouterr().out
        == "test_mod.py::test_a\ntest_mod.py::test_b\n\n2 tests collected\n"
    )


def test_pages_overview_json_and_collect_give_the_same_totals(
    make_app: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One suite, one number: a build of the same tree counts what pytest collects
    (10 tests), says why the rest is left out, and writes collect's own JSON."""
    srcdir = write_tree(
        tmp_path / "site",
        {
            "conf.py": 'extensions = ["sphinx_testdocs"]\ntestdocs_dirs = ["proj"]\n'
            'exclude_patterns = ["proj", "_build"]\n',
            "index.rst": "Site\n====\n",
        },
    )
    write_tree(srcdir / "proj", TREE)
    app = make_app("html", srcdir=srcdir)
    app.build()
    out = Path(app.outdir)
    root = (out / "testdocs/proj/index.html").read_text(encoding="utf-8")
    fields = re.findall(r"<dt[^>]*>([^<]+)<span[^>]*>:</span></dt>\s*<dd[^>]*><p>([^<]+)", root)
    assert ("Tests", "9") in fields  # test functions: test_numbers has two cases
    assert ("Test cases", "10") in fields
    # Files pytest leaves out where it goes; the folders it never enters have no pages.
    assert "Not counted: 4 test modules with 4 tests that pytest" in root
    assert "tests/conftest.py defines" not in root  # no hook: nothing in doubt
    assert not (out / "testdocs/proj/tests/examples").exists()
    tests_page = (out / "testdocs/proj/tests/index.html").read_text()
    assert (
        "folder pytest never enters: folder tests/examples/ matches norecursedirs (tests/examples)"
    ) in tests_page
    assert "folder pytest never enters: tests/conftest.py lists it in collect_ignore" in (
        tests_page
    )
    listed = (out / "testdocs/proj/tests/test_listed.py.html").read_text()
    assert "tests/conftest.py lists it in collect_ignore (test_listed.py)" in listed
    main = (out / "testdocs/proj/tests/test_main.py.html").read_text()
    assert ". (the folder of pyproject.toml)" in main  # the rootdir row
    assert "tests/test_main.py::TestGroup::test_method" in main

    # The build runs pytest, in its model, from the project root it finds (the tree's
    # own, with pyproject.toml): collect run from there writes the same JSON.
    monkeypatch.chdir(srcdir / "proj")
    assert cli.main(["collect", "--format", "json"]) == 0
    assert (out / "testdocs.json").read_text(encoding="utf-8") == capsys.readouterr().out


def test_a_build_runs_pytest_from_the_project_root(tmp_path: Path) -> None:
    """A build of the project root is ``pytest`` there, with no argument: testpaths
    apply. A build of a folder below it is ``pytest FOLDER``: they do not."""
    tree = write_tree(tmp_path / "proj", TREE)

    def initial_paths(folder: Path) -> tuple[Path, ...]:
        # (The class by its module: a Test* name imported here would be collected.)
        options = config.TestdocsConfig(dirs=(str(folder),))
        project = build_project(options, Path(os.devnull), tree, [])
        return project.roots[0].selection.initial_paths

    assert initial_paths(tree) == (tree / "tests", tree / "extra")
    assert initial_paths(tree / "src") == (tree / "src",)


def test_a_testpath_that_appears_rereads_the_pages_it_changes(
    make_app: Any, tmp_path: Path
) -> None:
    """No file changes when a folder named in testpaths is made: the verdict itself is
    checked, and the pages it changes are read again."""
    srcdir = write_tree(
        tmp_path / "site",
        {
            "conf.py": 'extensions = ["sphinx_testdocs"]\ntestdocs_dirs = ["proj"]\n'
            'exclude_patterns = ["proj", "_build"]\n',
            "index.rst": "Site\n====\n",
            "proj/pytest.ini": "[pytest]\ntestpaths = later\n",
            "proj/test_top.py": ONE_TEST,
        },
    )
    make_app("html", srcdir=srcdir).build()
    page = Path(srcdir, "_build/html/testdocs/proj/test_top.py.html")
    assert "collects nothing from this file" not in page.read_text(encoding="utf-8")
    write_tree(srcdir / "proj", {"later/.keep": ""})
    again = make_app("html", srcdir=srcdir)
    with recording_reads(again) as read:
        again.build()
    assert "testdocs/proj/test_top.py" in read
    assert "it is outside testpaths (later)" in page.read_text(encoding="utf-8")
