"""Which files pytest collects, and why not: one test per rule, on real trees on disk.

``tests/test_collection_rules.py`` checks the same rules against a real pytest run.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from sphinx_testdocs.analysis.addopts import parse_addopts
from sphinx_testdocs.analysis.conftest_rules import IgnoreList, read_conftest
from sphinx_testdocs.analysis.plugins import active_plugins, plugin_fixtures
from sphinx_testdocs.analysis.pytest_config import find_pytest_config
from sphinx_testdocs.analysis.selection import Selection, Verdict
from tests.helpers import write_tree


def selection(folder: Path, *, explicit: bool = True, invocation: Path | None = None) -> Selection:
    """The walk over ``folder`` with every conftest.py in it, as the project builds it."""
    config = find_pytest_config([folder], invocation_dir=invocation or folder)
    conftests = {
        path: read_conftest(ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(folder.rglob("conftest.py"))
    }
    return Selection(
        config=config,
        folder=folder,
        invocation_dir=invocation or folder,
        explicit=explicit,
        conftests=conftests,
    )


def excluded(sel: Selection, rel: str, *, is_dir: bool = False) -> str | None:
    return sel.verdict(sel.folder / rel, is_dir=is_dir).excluded


# --- addopts ----------------------------------------------------------------------------


def test_addopts_plugins_as_pytest_preparses_them() -> None:
    line = parse_addopts(["-rfEX", "-p", "pytester", "-pxdist", "-p", "no:cacheprovider"])
    assert line.plugins == (("pytester", True), ("xdist", True), ("cacheprovider", False))
    # The last mention of a name wins, as in pytest's consider_pluginarg.
    assert active_plugins(parse_addopts(["-p", "pytester", "-p", "no:pytester"]), ()) == ()
    assert active_plugins(parse_addopts(["-pno:x", "-p", "x"]), ()) == ("x",)
    assert parse_addopts(["-p"]).plugins == ()  # a dangling -p names nothing


def test_addopts_ignores_and_what_is_not_modelled() -> None:
    line = parse_addopts(
        ["--ignore=a", "--ignore", "b/c", "--ignore-glob=*_slow.py", "-k", "not net", "-mgpu"]
    )
    assert line.ignore == ("a", "b/c")
    assert line.ignore_glob == ("*_slow.py",)
    assert line.unmodelled == (("-k not net", "selects tests by keyword expression"),)
    # Modelled per test (analysis/deselection.py): the last -m wins, as in pytest.
    assert (line.keywordexpr, line.markexpr) == ("not net", "gpu")
    assert parse_addopts(["-m", "a", "--deselect=x.py::t", "-m", "b"]).markexpr == "b"
    assert parse_addopts(["--deselect", "x.py::t", "--deselect=y.py"]).deselect == (
        "x.py::t",
        "y.py",
    )
    assert parse_addopts(["--tb=short", "--maxfail", "3", "-x"]).unmodelled == ()


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("pytest.ini", "[pytest]\naddopts = -rfEX -p pytester --ignore=legacy\n"),
        (
            "pyproject.toml",
            '[tool.pytest]\naddopts = ["-rfEX", "-p", "pytester", "--ignore=legacy"]\n',
        ),
        (
            "pyproject.toml",
            '[tool.pytest.ini_options]\naddopts = "-rfEX -p pytester --ignore=legacy"\n',
        ),
    ],
)
def test_addopts_read_from_ini_strings_and_toml_lists(
    tmp_path: Path, name: str, text: str
) -> None:
    write_tree(tmp_path, {name: text})
    config = find_pytest_config([tmp_path])
    assert config.addopts == ("-rfEX", "-p", "pytester", "--ignore=legacy")
    line = parse_addopts(config.addopts)
    assert active_plugins(line, ()) == ("pytester",)
    assert line.ignore == ("legacy",)


# --- plugins ------------------------------------------------------------------------------


def test_plugins_from_addopts_and_conftest() -> None:
    assert active_plugins(parse_addopts(["-p", "pytester"]), ()) == ("pytester",)
    assert active_plugins(parse_addopts([]), ["pytester"]) == ("pytester",)
    # -p no:NAME blocks a conftest's pytest_plugins too.
    assert active_plugins(parse_addopts(["-p", "no:pytester"]), ["pytester"]) == ()
    fixtures = plugin_fixtures(["pytester"])
    assert {"pytester", "testdir", "linecomp", "LineMatcher", "_sys_snapshot"} <= set(fixtures)
    assert fixtures["pytester"].requests == ("request", "tmp_path_factory", "monkeypatch")
    assert all(f.builtin for f in fixtures.values())
    # legacypath's testdir comes only with the plugin registered as "pytester".
    assert "testdir" not in plugin_fixtures(["_pytest.pytester"])
    assert plugin_fixtures(["some_unknown_plugin"]) == {}


# --- conftest.py ------------------------------------------------------------------------


def rules_of(source: str) -> IgnoreList | None:
    return read_conftest(ast.parse(textwrap.dedent(source))).collect_ignore


def test_conftest_literal_lists_and_their_changes() -> None:
    found = rules_of(
        """
        collect_ignore = ["setup.py"]
        collect_ignore.append("legacy")
        collect_ignore.extend(["a.py", "b.py"])
        collect_ignore += ["c.py"]
        """
    )
    assert found == IgnoreList(line=2, entries=("setup.py", "legacy", "a.py", "b.py", "c.py"))
    # A plain assignment starts the list again.
    assert rules_of("collect_ignore = ['a']\ncollect_ignore = ['b']\n") == IgnoreList(1, ("b",))


def test_conftest_conditional_entries_are_maybe_computed_ones_unknown() -> None:
    found = rules_of(
        """
        import sys
        collect_ignore = []
        if sys.version_info < (3, 12):
            collect_ignore.append("test_new_syntax.py")
        try:
            import numpy
        except ImportError:
            collect_ignore += ["numpy_tests"]
        collect_ignore.extend(str(p) for p in [])
        """
    )
    assert found is not None
    assert found.entries == ()
    assert found.maybe == (("test_new_syntax.py", 5), ("numpy_tests", 9))
    assert found.unknown == ((10, "collect_ignore.extend() is called with computed values"),)
    assert rules_of("collect_ignore = [str(x) for x in range(3)]\n") == IgnoreList(
        1, unknown=((1, "collect_ignore is computed"),)
    )
    changed_later = rules_of(
        "collect_ignore = []\ndef pytest_configure(config):\n    collect_ignore.append('x')\n"
    )
    assert changed_later is not None
    assert changed_later.unknown == ((3, "collect_ignore is changed in pytest_configure()"),)


def test_conftest_plugins_globs_and_hooks() -> None:
    rules = read_conftest(
        ast.parse(
            textwrap.dedent(
                """
                pytest_plugins = "pytester"
                collect_ignore_glob = ["*_py2.py"]
                def pytest_collection_modifyitems(items):
                    pass
                def pytest_ignore_collect(collection_path):
                    return None
                """
            )
        )
    )
    assert rules.plugins == ("pytester",)
    assert rules.collect_ignore_glob == IgnoreList(3, ("*_py2.py",))
    assert rules.hooks == (("pytest_collection_modifyitems", 4), ("pytest_ignore_collect", 6))
    listed = read_conftest(ast.parse("pytest_plugins = ['pytester', 'myplugin']\n"))
    assert listed.plugins == ("pytester", "myplugin")
    computed = read_conftest(ast.parse("pytest_plugins = load()\n"))
    assert computed.plugins_unknown == ((1, "pytest_plugins is computed"),)


# --- the walk -------------------------------------------------------------------------------


def test_norecursedirs_by_name_and_by_path(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "proj",
        {
            "pytest.ini": "[pytest]\nnorecursedirs = data testing/example_scripts .*\n",
            "testing/example_scripts/test_x.py": "",
            "testing/unit/data/test_y.py": "",
            "testing/unit/test_z.py": "",
        },
    )
    sel = selection(root)
    assert excluded(sel, "testing/example_scripts/test_x.py") == (
        "folder testing/example_scripts/ matches norecursedirs (testing/example_scripts)"
    )
    assert excluded(sel, "testing/unit/data/test_y.py") == (
        "folder testing/unit/data/ matches norecursedirs (data)"
    )
    assert excluded(sel, "testing/unit/test_z.py") is None
    # The folder pytest is given is always entered, whatever its name.
    given = selection(root / "testing" / "example_scripts")
    assert excluded(given, "test_x.py") is None


def test_testpaths_only_without_arguments_from_the_rootdir(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "proj",
        {
            "pyproject.toml": '[tool.pytest]\ntestpaths = ["tests", "more*"]\n',
            "tests/test_a.py": "",
            "more_tests/test_b.py": "",
            "src/test_helpers.py": "",
        },
    )
    implicit = selection(root, explicit=False)
    assert implicit.initial_paths == (root / "tests", root / "more_tests")
    assert excluded(implicit, "tests/test_a.py") is None
    assert excluded(implicit, "src/test_helpers.py") == (
        "it is outside testpaths (tests more*): pytest, run without arguments from its "
        "rootdir, collects only there"
    )
    assert implicit.initial_index(root / "more_tests" / "test_b.py") == 1
    # A folder given explicitly: pytest ignores testpaths.
    assert excluded(selection(root), "src/test_helpers.py") is None
    # testpaths that match nothing: pytest collects from where it runs.
    write_tree(root, {"pyproject.toml": '[tool.pytest]\ntestpaths = ["missing"]\n'})
    missing = selection(root, explicit=False)
    assert missing.initial_paths == (root,)
    assert missing.problems == (
        "testpaths (missing) match no file or folder: pytest collects from its rootdir instead",
    )


def test_collect_ignore_innermost_conftest_wins_and_globs(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "proj",
        {
            "conftest.py": 'collect_ignore = ["test_top.py", "sub/test_listed.py"]\n'
            'collect_ignore_glob = ["*_py2.py"]\n',
            "test_top.py": "",
            "test_old_py2.py": "",
            "sub/conftest.py": 'collect_ignore = ["test_inner.py"]\n',
            "sub/test_inner.py": "",
            "sub/test_listed.py": "",
            "sub/deep/test_other_py2.py": "",
        },
    )
    sel = selection(root)
    assert excluded(sel, "test_top.py") == "conftest.py lists it in collect_ignore (test_top.py)"
    assert excluded(sel, "test_old_py2.py") == (
        "conftest.py lists it in collect_ignore_glob (*_py2.py)"
    )
    assert excluded(sel, "sub/test_inner.py") == (
        "sub/conftest.py lists it in collect_ignore (test_inner.py)"
    )
    # pytest reads collect_ignore from the innermost conftest that has one: sub's list
    # replaces the top one below sub/, and the glob list still comes from the top.
    assert excluded(sel, "sub/test_listed.py") is None
    assert excluded(sel, "sub/deep/test_other_py2.py") == (
        "conftest.py lists it in collect_ignore_glob (*_py2.py)"
    )


def test_conditional_collect_ignore_is_a_doubt(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "proj",
        {
            "conftest.py": "import sys\ncollect_ignore = []\n"
            "if sys.platform == 'win32':\n    collect_ignore.append('posix')\n",
            "posix/test_fork.py": "",
            "test_plain.py": "",
        },
    )
    sel = selection(root)
    assert sel.verdict(root / "posix" / "test_fork.py") == Verdict(
        None,
        "conftest.py adds it to collect_ignore (posix) under a condition (line 4): "
        "pytest may not collect it",
    )
    assert sel.verdict(root / "test_plain.py") == Verdict()


def test_addopts_ignore_is_relative_to_where_pytest_runs(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "proj",
        {
            "pytest.ini": "[pytest]\naddopts = --ignore=tests/legacy --ignore-glob=*_wip.py\n",
            "tests/legacy/test_old.py": "",
            "tests/test_new_wip.py": "",
            "tests/test_new.py": "",
        },
    )
    sel = selection(root / "tests", invocation=root)
    assert excluded(sel, "legacy", is_dir=True) == "addopts has --ignore tests/legacy"
    assert excluded(sel, "legacy/test_old.py") == "addopts has --ignore tests/legacy"
    assert excluded(sel, "test_new_wip.py") == "addopts has --ignore-glob *_wip.py"
    assert excluded(sel, "test_new.py") is None


def test_virtual_environments_are_not_entered(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "proj", {"env/pyvenv.cfg": "", "env/test_in_env.py": ""})
    assert excluded(selection(root), "env/test_in_env.py") == (
        "folder env/ holds a virtual environment"
    )


def test_doubts_for_the_whole_folder(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "proj",
        {
            "pytest.ini": "[pytest]\naddopts = -k 'not slow' --doctest-modules\n"
            "norecursedirs = ignored\n",
            "conftest.py": "collect_ignore = find()\n"
            "def pytest_collection_modifyitems(items):\n    items.reverse()\n",
            # Never loaded: pytest does not enter its folder.
            "ignored/conftest.py": "def pytest_collect_file(file_path, parent):\n    pass\n",
        },
    )
    assert selection(root).doubts() == (
        "addopts has -k not slow: pytest selects tests by keyword expression",
        "addopts has --doctest-modules: pytest also collects the doctests of every module",
        "conftest.py (line 1): collect_ignore is computed, so pytest may ignore other files",
        # items.reverse() keeps every test: only their order changes.
        "conftest.py defines pytest_collection_modifyitems (line 2): pytest may reorder the tests",
    )
