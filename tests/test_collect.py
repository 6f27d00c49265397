"""``sphinx-testdocs collect`` and the HTML build's ``testdocs.json``, on tiny trees."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from sphinx_testdocs import cli
from sphinx_testdocs.export import JSON_FILENAME
from sphinx_testdocs.run import build_run
from tests.helpers import pytest_collect, recording_reads, static_collection, write_tree

TREE = {
    "pytest.ini": """\
[pytest]
markers =
    slow: tests that take long
""",
    "conftest.py": '''\
import pytest


@pytest.fixture
def numbers():
    """Three numbers."""
    return [1, 2, 3]


@pytest.fixture(params=["a", "b"])
def letter(request):
    return request.param
''',
    "test_top.py": """\
import pytest

VALUES = list(map(int, "1234"))


def test_plain(numbers, tmp_path):
    assert numbers


@pytest.mark.parametrize("x", [1, 2, 3])
def test_known(x):
    assert x


@pytest.mark.parametrize("x", VALUES[1:])
def test_computed(x):
    assert x


@pytest.mark.slow
@pytest.mark.skip(reason="not yet")
def test_marked():
    pass


@pytest.mark.flaky
class TestGroup:
    @pytest.mark.parametrize("a, b", [(1, 2), pytest.param(3, 4, id="three")])
    def test_pair(self, a, b, letter):
        assert a < b

    def test_method(self):
        pass


def helper():
    pass
""",
    "sub/test_unit.py": """\
import unittest


class Legacy(unittest.TestCase):
    def test_z(self):
        pass

    def test_a(self):
        pass


async def test_async():
    pass
""",
    "sub/helpers.py": "def test_not_collected():\n    pass\n",
}

TEXT = """\
sub/test_unit.py::Legacy::test_a
sub/test_unit.py::Legacy::test_z
sub/test_unit.py::test_async
test_top.py::test_plain
test_top.py::test_known[1]
test_top.py::test_known[2]
test_top.py::test_known[3]
test_top.py::test_computed
test_top.py::test_marked
test_top.py::TestGroup::test_pair[a-1-2]
test_top.py::TestGroup::test_pair[a-three]
test_top.py::TestGroup::test_pair[b-1-2]
test_top.py::TestGroup::test_pair[b-three]
test_top.py::TestGroup::test_method

13+ tests collected (1 test function with an unknown number of cases)

partly known (1 module; pytest may collect other names or more cases):
  test_top.py: 1 test: its cases are computed at collection from VALUES[1:]
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "tree", TREE)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = cli.main(["collect", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_text(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, str(tree)) == (0, TEXT, "")


def _test(
    nodeid: str,
    line: int,
    cases: int | None = 1,
    *,
    ids: list[str] | None = None,
    markers: tuple[tuple[str, str, str, bool | None], ...] = (),
    fixtures: tuple[tuple[str, str | None, bool], ...] = (),
    doubt: str | None = None,
) -> dict[str, Any]:
    return {
        "nodeid": nodeid,
        "cases": cases,
        "exact": cases is not None,
        "doubt": doubt,
        "deselected": None,
        "case_ids": ids,
        "markers": [
            {
                "name": n,
                "args": a,
                "origin": o,
                "declared": d,
                "framework": "pytest",
                "effect": {"skip": "skip", "xfail": "xfail"}.get(n),
            }
            for n, a, o, d in markers
        ],
        "fixtures": [{"name": n, "defined_in": p, "builtin": b} for n, p, b in fixtures],
        "line": line,
        "defined_in": None,
        "function": nodeid.rpartition("::")[2],
        "generated_by": None,
        "name_is_pattern": False,
        "owners": [],
    }


def _module(path: str, tests: list[dict[str, Any]]) -> dict[str, Any]:
    doubts = [t["doubt"] for t in tests if t["doubt"]]
    return {
        "path": path,
        "root": "tree",
        "rootdir": ".",
        "pytest_path": path,
        "config_file": "pytest.ini",
        "status": "ok",
        "complete": not doubts,
        "notes": [f"1 test: {d}" for d in doubts],
        "errors": [],
        "owners": [],
        "tests": tests,
    }


FLAKY = ("flaky", "", "class", False)
EXPECTED_JSON = {
    "modules": [
        _module(
            "sub/test_unit.py",
            [
                # unittest's loader sorts methods by name; pytest follows it.
                _test("sub/test_unit.py::Legacy::test_a", 8),
                _test("sub/test_unit.py::Legacy::test_z", 5),
                _test("sub/test_unit.py::test_async", 12),
            ],
        ),
        _module(
            "test_top.py",
            [
                _test(
                    "test_top.py::test_plain",
                    6,
                    fixtures=(("numbers", "conftest.py", False), ("tmp_path", None, True)),
                ),
                _test(
                    "test_top.py::test_known",
                    11,
                    3,
                    ids=["1", "2", "3"],
                    markers=(("parametrize", '"x", [1, 2, 3]', "decorator", True),),
                ),
                _test(
                    "test_top.py::test_computed",
                    16,
                    None,
                    markers=(("parametrize", '"x", VALUES[1:]', "decorator", True),),
                    doubt="its cases are computed at collection from VALUES[1:]",
                ),
                _test(
                    "test_top.py::test_marked",
                    22,
                    markers=(
                        ("skip", 'reason="not yet"', "decorator", True),
                        ("slow", "", "decorator", True),
                    ),
                ),
                _test(
                    "test_top.py::TestGroup::test_pair",
                    29,
                    4,
                    ids=["a-1-2", "a-three", "b-1-2", "b-three"],
                    markers=(
                        (
                            "parametrize",
                            '"a, b", [(1, 2), pytest.param(3, 4, id="three")]',
                            "decorator",
                            True,
                        ),
                        FLAKY,
                    ),
                    fixtures=(("letter", "conftest.py", False),),
                ),
                _test("test_top.py::TestGroup::test_method", 32, markers=(FLAKY,)),
            ],
        ),
    ]
}


def test_json(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, str(tree), "--format", "json")
    assert (status, err) == (0, "")
    assert json.loads(out) == EXPECTED_JSON
    # Stable text: the documented key order, two-space indents, a final newline.
    assert out == json.dumps(EXPECTED_JSON, indent=2) + "\n"


def test_json_schema_types(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, str(tree), "--format", "json")
    data = json.loads(out)
    assert list(data) == ["modules"]
    module_keys = [
        "path",
        "root",
        "rootdir",
        "pytest_path",
        "config_file",
        "status",
        "complete",
        "notes",
        "errors",
        "owners",
    ]
    test_keys = [
        "nodeid",
        "cases",
        "exact",
        "doubt",
        "deselected",
        "case_ids",
        "markers",
        "fixtures",
        "line",
        "defined_in",
        "function",
        "generated_by",
        "name_is_pattern",
        "owners",
    ]
    for module in data["modules"]:
        assert list(module) == [*module_keys, "tests"]
        assert isinstance(module["path"], str) and isinstance(module["root"], str)
        assert module["config_file"] is None or isinstance(module["config_file"], str)
        assert module["status"] in {"ok", "partial", "failed"}
        assert isinstance(module["complete"], bool)
        assert all(isinstance(note, str) for note in module["notes"])
        assert all(isinstance(error, str) for error in module["errors"])
        for test in module["tests"]:
            assert list(test) == test_keys
            assert test["nodeid"].startswith(module["path"] + "::")
            assert test["cases"] is None or isinstance(test["cases"], int)
            assert isinstance(test["exact"], bool) and isinstance(test["line"], int)
            assert not (test["exact"] and test["cases"] is None)
            assert test["deselected"] is None or isinstance(test["deselected"], str)
            ids = test["case_ids"]
            assert ids is None or (
                len(ids) == test["cases"] and all(isinstance(i, str) for i in ids)
            )
            for marker in test["markers"]:
                assert list(marker) == [
                    "name",
                    "args",
                    "origin",
                    "declared",
                    "framework",
                    "effect",
                ]
            for fixture in test["fixtures"]:
                assert list(fixture) == ["name", "defined_in", "builtin"]


def test_output_file(tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out.json"
    assert run(capsys, str(tree), "--format", "json", "-o", str(target)) == (0, "", "")
    assert json.loads(target.read_text(encoding="utf-8")) == EXPECTED_JSON
    assert run(capsys, str(tree), "-o", str(target)) == (0, "", "")
    assert target.read_text(encoding="utf-8") == TEXT


def test_relative_path_and_empty_tree(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tree / "sub")
    status, out, _ = run(capsys, ".")
    assert status == 0
    # pytest.ini above makes the tree pytest's rootdir: node IDs are relative to it.
    assert out.splitlines()[0] == "sub/test_unit.py::Legacy::test_a"
    (tree / "empty").mkdir()
    # Nothing collected: pytest's exit status 5.
    assert run(capsys, str(tree / "empty")) == (5, "no tests collected\n", "")


def test_modules_skipped_on_import_are_named_after_what_pytest_lists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """pytest lists nothing of a module skipped on import, and neither does the text;
    after the summary it says which modules stop and why (networkx: 27 modules import
    scipy or pandas through importorskip, found or not where the analysis runs)."""
    tree = write_tree(
        tmp_path / "skips",
        {
            "pytest.ini": "[pytest]\n",
            "test_a.py": "def test_a():\n    pass\n",
            "test_missing.py": "import pytest\n\npytest.importorskip('no_such_module_xyz')\n"
            "\n\ndef test_m():\n    pass\n",
            "test_skipped.py": "import pytest\n\npytest.skip('later', allow_module_level=True)"
            "\n\n\ndef test_s():\n    pass\n",
            "test_wrong.py": "raise ValueError('no')\n\n\ndef test_w():\n    pass\n",
        },
    )
    real = pytest_collect(tree)
    monkeypatch.chdir(tree)
    status, out, err = run(capsys)
    listing, summary, skipped = out.split("\n\n")
    assert (status, err) == (0, "")
    assert listing.splitlines() == real.ids == ["test_a.py::test_a"]
    assert real.summary.startswith(summary.strip() + " in ")
    assert summary.strip() == "1 test collected, 1 error"  # pytest counts the error
    assert skipped.splitlines() == [
        "stopped on import (3 modules; pytest lists none of their tests):",
        "  test_missing.py: pytest.importorskip('no_such_module_xyz') at line 3, run on "
        "import, skips the module (no_such_module_xyz is not found where the analysis runs)",
        "  test_skipped.py: pytest.skip(...) at line 3, run on import, skips the module",
        "  test_wrong.py: raise ValueError at line 1, run on import, reports an error",
    ]
    # A file given by name: pytest collects nothing from it, and it is named.
    status, out, _ = run(capsys, "test_missing.py")
    assert status == 5
    assert "  test_missing.py: pytest.importorskip" in out
    # A SystemExit on import ends pytest's collection: no module after it is collected
    # (nor its error counted), and no file named after it.
    (tree / "test_b.py").write_text("import sys\n\nsys.exit(3)\n", encoding="utf-8")
    (tree / "test_c.py").write_text("def test_c():\n    pass\n", encoding="utf-8")
    real = pytest_collect(tree)
    status, out, _ = run(capsys)
    listing, summary, skipped = out.split("\n\n")
    assert listing.splitlines() == real.ids == ["test_a.py::test_a"]
    assert real.summary.startswith(summary.strip() + " in ")
    assert skipped.splitlines() == [
        "stopped on import (1 module; pytest lists none of its tests):",
        "  test_b.py: sys.exit(...) at line 3, run on import, ends the collection "
        "(no module after it is collected)",
    ]


def test_importorskip_minversion_is_compared_with_the_installed_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """pytest.importorskip(module, minversion=...) skips only where the module's version
    is older: the version installed here is read from its metadata (matplotlib's
    test_sphinxext.py and xarray's test_array_api.py were said to be skipped always).
    A submodule's own __version__ cannot be read: its module is then partly known."""
    tree = write_tree(
        tmp_path / "minversion",
        {
            "pytest.ini": "[pytest]\n",
            "test_new.py": "import pytest\n\npytest.importorskip('pytest', minversion='1.0')"
            "\n\n\ndef test_new():\n    pass\n",
            "test_old.py": "import pytest\n\npt = pytest.importorskip('pytest', '99.0')"
            "\n\n\ndef test_old():\n    pass\n",
            "test_sub.py": "import pytest\n\n"
            "pytest.importorskip('packaging.version', minversion='1.0')"
            "\n\n\ndef test_sub():\n    pass\n",
            # Installed by the distribution "pytest": found through its top_level.txt.
            "test_under.py": "import pytest\n\npytest.importorskip('_pytest', minversion='1.0')"
            "\n\n\ndef test_under():\n    pass\n",
        },
    )
    real = pytest_collect(tree)
    # packaging.version has no __version__: pytest skips it.
    assert real.ids == ["test_new.py::test_new", "test_under.py::test_under"]
    status, out, _ = run(capsys, str(tree), "--format", "json")
    modules = {m["pytest_path"]: m for m in json.loads(out)["modules"]}
    assert status == 0
    assert [t["exact"] for t in modules["test_new.py"]["tests"]] == [True]
    assert [t["exact"] for t in modules["test_under.py"]["tests"]] == [True]
    assert "test_old.py" not in modules
    assert modules["test_sub.py"]["complete"] is False
    assert modules["test_sub.py"]["notes"] == [
        "pytest.importorskip('packaging.version') at line 3, run on import, skips the module "
        "where the version of packaging.version is older than 1.0: pytest then collects none "
        "of its tests"
    ]
    status, out, _ = run(capsys, str(tree))
    assert out.split("stopped on import", 1)[1].splitlines()[1:] == [
        "  test_old.py: pytest.importorskip('pytest') at line 3, run on import, skips the "
        f"module (pytest {pytest.__version__} is installed here, older than 99.0)"
    ]


UNUSED_ARGUMENT = """\
import pytest


def test_a():
    pass


@pytest.fixture
def inner():
    return 1


@pytest.fixture
def outer(inner):
    return inner


@pytest.mark.parametrize("inner", [7])
def test_through_a_fixture(outer):
    pass


class TestK:
    @pytest.mark.parametrize("y", [1])
    def test_k(self, y):
        pass

    @pytest.mark.parametrize("z", [1, 2])
    def test_l(self):
        pass
"""


def test_a_parametrize_naming_no_argument_fails_its_collector(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """pytest fails "function uses no argument 'z'" while collecting the test's class
    (none of its tests is collected) or, for a function, its module (an error; found
    in matplotlib's suite). A name a requested fixture requests is used."""
    module_level = UNUSED_ARGUMENT.replace(
        "def test_a():", '@pytest.mark.parametrize("x", [1])\ndef test_a():'
    )
    tree = write_tree(
        tmp_path / "unused",
        {"pytest.ini": "[pytest]\n", "test_cls.py": UNUSED_ARGUMENT, "test_mod.py": module_level},
    )
    real = pytest_collect(tree)
    assert real.ids == ["test_cls.py::test_a", "test_cls.py::test_through_a_fixture[7]"]
    assert real.summary.startswith("2 tests collected, 2 errors")
    status, out, _ = run(capsys, str(tree), "--format", "json")
    modules = {m["pytest_path"]: m for m in json.loads(out)["modules"]}
    assert status == 0
    assert "test_mod.py" not in modules  # pytest reports it as an error
    exact = {t["nodeid"]: t["exact"] for t in modules["test_cls.py"]["tests"]}
    assert exact == {"test_cls.py::test_a": True, "test_cls.py::test_through_a_fixture": True}
    why = (
        "class TestK: the parametrize of test_l (line 29) names 'z', which it neither takes "
        "nor requests through a fixture: pytest reports an error and collects none of the "
        "class's tests"
    )
    assert modules["test_cls.py"]["errors"] == modules["test_cls.py"]["notes"] == [why]
    status, out, _ = run(capsys, str(tree))
    listing, summary = out.split("\n\n")[:2]
    assert listing.splitlines() == real.ids
    assert real.summary.startswith(summary.strip() + " in ")  # "2 tests collected, 2 errors"
    # Where a fixture it requests is not found, it may be the one that takes the name.
    (tree / "test_cls.py").write_text(
        UNUSED_ARGUMENT.replace("def test_l(self):", "def test_l(self, unknown):"),
        encoding="utf-8",
    )
    status, out, _ = run(capsys, str(tree / "test_cls.py"), "--format", "json")
    (module,) = json.loads(out)["modules"]
    assert module["errors"] == []
    assert [t["nodeid"] for t in module["tests"] if not t["exact"]] == [
        "test_cls.py::TestK::test_k",
        "test_cls.py::TestK::test_l",
    ]


WIDE_PARAMETERS = """\
import pytest


@pytest.fixture(scope="module", params=["p", "q"])
def engine(request):
    return request.param


@pytest.mark.parametrize("a", [1, 2])
def test_fixture_and_mark(engine, a):
    pass


@pytest.fixture(scope="module", params=["a1", "a2"])
def first(request):
    return request.param


@pytest.fixture(scope="module", params=["b1", "b2"])
def second(request):
    return request.param


def test_both_fixtures(first, second):
    pass


def test_second_fixture(second):
    pass


@pytest.mark.parametrize("b", ["x", "y"], scope="module")
@pytest.mark.parametrize("a", [1, 2])
def test_mark_scoped_slow(a, b):
    pass


@pytest.mark.parametrize("a", [1, 2], scope="module")
@pytest.mark.parametrize("b", ["x", "y"])
def test_mark_scoped_fast(a, b):
    pass


@pytest.mark.parametrize("b", ["x", "y"], scope="class")
@pytest.mark.parametrize("a", [1, 2], scope="class")
class TestBoth:
    def test_both(self, a, b):
        pass


@pytest.fixture(scope="module")
def wide(request):
    return request.param


@pytest.fixture
def narrow(request):
    return request.param


@pytest.mark.parametrize("wide", [1, 2], indirect=True)
@pytest.mark.parametrize("b", ["x", "y"])
def test_indirect_wide(wide, b):
    pass


@pytest.mark.parametrize("b", ["x", "y"])
@pytest.mark.parametrize("narrow", [1, 2], indirect=["narrow"])
def test_indirect_narrow(narrow, b):
    pass
"""


def test_cases_reordered_by_wider_parameters_are_counted_not_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """pytest reorders the items of class- or module-scoped parameters to share their
    setup, across the tests that use them (matplotlib's TestSpectral: two class-scoped
    parametrizes; statsmodels: a module-scoped fixture's values reversed in the test
    after one that ended on its last). Such a test's number of cases is exact; their IDs
    are not given. An indirect parametrize has the scope of the fixture it names."""
    tree = write_tree(
        tmp_path / "wide", {"pytest.ini": "[pytest]\n", "test_w.py": WIDE_PARAMETERS}
    )
    real = pytest_collect(tree)
    cases: dict[str, list[str]] = {}
    for nodeid in real.ids:
        test, _, case = nodeid.partition("[")
        cases.setdefault(test, []).append(case.removesuffix("]"))
    status, out, _ = run(capsys, str(tree), "--format", "json")
    tests = {t["nodeid"]: t for t in json.loads(out)["modules"][0]["tests"]}
    assert status == 0
    assert {n: (t["exact"], t["cases"]) for n, t in tests.items()} == {
        n: (True, len(c)) for n, c in cases.items()
    }
    assert {n: t["case_ids"] for n, t in tests.items()} == {
        "test_w.py::test_fixture_and_mark": None,
        "test_w.py::test_both_fixtures": None,
        "test_w.py::test_second_fixture": None,
        "test_w.py::test_mark_scoped_slow": None,
        "test_w.py::test_mark_scoped_fast": None,
        "test_w.py::TestBoth::test_both": None,
        # Indirect: the scope of the fixture it names.
        "test_w.py::test_indirect_wide": None,
        "test_w.py::test_indirect_narrow": ["1-x", "1-y", "2-x", "2-y"],
    }
    assert cases["test_w.py::test_both_fixtures"] == ["a1-b1", "a1-b2", "a2-b2", "a2-b1"]
    # After test_both_fixtures[a2-b1]: a test's one parametrization, in another order.
    assert cases["test_w.py::test_second_fixture"] == ["b2", "b1"]
    assert cases["test_w.py::test_mark_scoped_slow"] != ["1-x", "1-y", "2-x", "2-y"]
    assert cases["test_w.py::test_indirect_wide"] != ["x-1", "x-2", "y-1", "y-2"]
    assert cases["test_w.py::test_indirect_narrow"] == ["1-x", "1-y", "2-x", "2-y"]


def test_a_listing_of_uncertain_tests_is_not_called_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tests listed with none surely counted make a lower bound, not "no tests
    collected" (sympy's whole suite was said to collect nothing)."""
    tree = write_tree(
        tmp_path / "uncertain",
        {
            "pytest.ini": "[pytest]\n",
            "test_if.py": "import os\n\nif os.sep:\n\n    def test_cond():\n        pass\n",
        },
    )
    real = pytest_collect(tree)
    status, out, _ = run(capsys, str(tree))
    listing, summary = out.split("\n\n")[:2]
    assert real.ids == listing.splitlines() == ["test_if.py::test_cond"]
    assert (status, summary) == (0, "0+ tests collected (1 case count not certain)")


PACKAGE_STOPS = {
    # astropy's visualization/wcsaxes/__init__.py: a skip escapes "except ImportError".
    "mypkg/__init__.py": "",
    "mypkg/plotting/__init__.py": "try:\n    import pytest\n\n"
    "    pytest.importorskip('no_such_module_xyz')\nexcept ImportError:\n    pass\n",
    "mypkg/plotting/tests/__init__.py": "",
    "mypkg/plotting/tests/test_plot.py": "def test_plot():\n    pass\n",
    # A test module importing that package is skipped with it.
    "mypkg/other/__init__.py": "",
    "mypkg/other/tests/__init__.py": "",
    "mypkg/other/tests/test_direct.py": "import mypkg.plotting\n\n\n"
    "def test_direct():\n    pass\n",
    "mypkg/other/tests/test_kept.py": "import os\n\nimport mypkg.io\n\n\n"
    "def test_kept():\n    pass\n",
    # astropy's test_leap_second.py: walk_packages imports every package under mypkg.
    "mypkg/other/tests/test_walk.py": "import pkgutil\n\nimport mypkg\n\n"
    "for finder, name, _ in pkgutil.walk_packages(mypkg.__path__, prefix='mypkg.'):\n"
    "    finder.find_spec(name)\n\n\ndef test_walk():\n    pass\n",
    # A name found beside the tests' package, which pytest does not put on sys.path.
    "mypkg/io/__init__.py": "",
    "mypkg/io/no_such_module_abc/__init__.py": "",
    "mypkg/io/tests/__init__.py": "",
    "mypkg/io/tests/test_io.py": "import pytest\n\npytest.importorskip('no_such_module_abc')"
    "\n\n\ndef test_io():\n    pass\n",
}


@pytest.mark.parametrize("folder", ["mypkg", "mypkg/io/tests"])
def test_skips_in_the_packages_a_module_imports(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    folder: str,
) -> None:
    """What stops the import of a package stops the test modules it holds and those that
    import it (astropy: 11 wcsaxes test modules and test_leap_second.py, 274 tests said
    exact); and importorskip finds only what is on pytest's sys.path, not a folder of
    the same name beside the tests (astropy.io.misc.pandas, for "pandas")."""
    tree = write_tree(tmp_path / "pkgstops", PACKAGE_STOPS)
    real = pytest_collect(tree, folder)
    monkeypatch.chdir(tree)
    _, out, _ = run(capsys, folder)
    listing, _, stopped = out.partition("stopped on import")
    assert [line for line in listing.splitlines() if "::" in line] == real.ids
    if folder == "mypkg":
        assert real.ids == ["mypkg/other/tests/test_kept.py::test_kept"]
        assert (
            "  mypkg/plotting/tests/test_plot.py: pytest.importorskip('no_such_module_xyz') at "
            "line 4 of mypkg/plotting/__init__.py, run when pytest imports the package, skips "
            "the module (no_such_module_xyz is not found where the analysis runs)"
        ) in stopped.splitlines()
        assert (
            "  mypkg/other/tests/test_direct.py: pytest.importorskip('no_such_module_xyz') at "
            "line 4 of mypkg/plotting/__init__.py, imported at line 1, run when the module "
            "imports it, skips the module (no_such_module_xyz is not found where the "
            "analysis runs)"
        ) in stopped.splitlines()
        assert (
            "  mypkg/other/tests/test_walk.py: pytest.importorskip('no_such_module_xyz') at "
            "line 4 of mypkg/plotting/__init__.py, imported by pkgutil.walk_packages at line "
            "5, run when the module imports it, skips the module (no_such_module_xyz is not "
            "found where the analysis runs)"
        ) in stopped.splitlines()
    else:
        assert real.ids == []
    assert (
        "  mypkg/io/tests/test_io.py: pytest.importorskip('no_such_module_abc') at line 3, run "
        "on import, skips the module (no_such_module_abc is not found where the analysis runs)"
    ) in stopped.splitlines()


@pytest.mark.parametrize(
    ("addopts", "declared"),
    [
        ("--no-such-option-xyz", False),
        ("--strict-markers --durations=5 --my-flag", True),  # pytest's, a conftest.py's
    ],
)
def test_an_option_nothing_declares_may_stop_pytest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], addopts: str, declared: bool
) -> None:
    """pytest stops with a usage error on an addopts option no one declares (statsmodels'
    --randomly-dont-reset-seed without pytest-randomly): then every test is in doubt."""
    tree = write_tree(
        tmp_path / "options",
        {
            "pytest.ini": f"[pytest]\naddopts = {addopts}\n",
            "conftest.py": "def pytest_addoption(parser):\n"
            "    parser.addoption('--my-flag', action='store_true')\n",
            "test_o.py": "def test_o():\n    pass\n",
        },
    )
    real = pytest_collect(tree)
    assert (real.returncode == 0, real.ids) == (declared, ["test_o.py::test_o"] * declared)
    _, out, _ = run(capsys, str(tree), "--format", "json")
    (module,) = json.loads(out)["modules"]
    assert [t["exact"] for t in module["tests"]] == [declared]
    assert (
        module["notes"] == []
        if declared
        else [
            "addopts has --no-such-option-xyz, which neither pytest, a conftest.py nor an "
            "installed plugin is found to declare: pytest may stop with a usage error, "
            "collecting nothing"
        ]
    )


def test_the_packages_read_for_stops_are_inputs_of_the_module(tmp_path: Path) -> None:
    """A package __init__.py or an own module read for a stop is an input of the test
    module's collection even where it has none: it may come to have one (an edit there
    then reads the module again)."""
    from sphinx_testdocs.config import TestdocsConfig
    from sphinx_testdocs.project import build_project

    tree = write_tree(tmp_path / "inputs", PACKAGE_STOPS)
    folder = tree / "mypkg"
    project = build_project(TestdocsConfig(dirs=(str(folder),)), tmp_path / "none", folder, [])
    (root,) = project.roots
    collection = project.analysis(root, "other/tests/test_kept.py").collection
    assert collection is not None
    assert {
        (tree / "mypkg/__init__.py").as_posix(),
        (tree / "mypkg/other/__init__.py").as_posix(),
        (tree / "mypkg/other/tests/__init__.py").as_posix(),
    } <= set(collection.dependencies)
    # Imported, without a stop: an input all the same.
    assert (tree / "mypkg/io/__init__.py").as_posix() in collection.dependencies


def test_a_doubt_quoting_source_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A computed argvalues written over several lines is quoted on one line: each
    partly known module is one line of the notes (NumPy's test_scalar_methods.py quoted
    an eight-line list literal, which broke the notes into lines of source)."""
    values = "[\n" + "".join(f"    *GROUPS[{i}],\n" for i in range(12)) + "]"
    tree = write_tree(
        tmp_path / "multiline",
        {
            "pytest.ini": "[pytest]\n",
            "test_m.py": "import pytest\n\nGROUPS = make()\n\n\n"
            f"@pytest.mark.parametrize('x', {values})\ndef test_m(x):\n    pass\n",
        },
    )
    status, out, _ = run(capsys, str(tree))
    notes = out.split("partly known", 1)[1].splitlines()[1:]
    assert status == 0
    assert notes == [
        "  test_m.py: 1 test: its cases are computed at collection from [ *GROUPS[0], "
        "*GROUPS[1], *GROUPS[2], *GROUPS[3], *GROUPS[4], *GROUPS[5], *GR..."
    ]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("missing", "file or directory not found: {}"),
        ("pytest.ini", "not found: {} (not a Python file)"),
        ("test_top.py::nothing_of_that_name", "not found: test_top.py::nothing_of_that_name"),
    ],
)
def test_bad_path(
    tree: Path,
    path: str,
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tree)
    status, out, err = run(capsys, path)
    # pytest's usage error: its exit status 4 too.
    assert (status, out) == (4, "")
    assert err == f"sphinx-testdocs collect: error: {message.format(path)}\n"
    assert pytest_collect(tree, path).returncode == 4


PATHS_TREE = {
    "pytest.ini": "[pytest]\n",
    "tests/test_a.py": """\
import pytest


class TestA:
    def test_x(self):
        pass

    def test_y(self):
        pass


@pytest.mark.parametrize("n", [1, 2])
def test_p(n):
    pass
""",
    "tests/sub/test_b.py": "def test_b():\n    pass\n",
    "tests/helpers.py": "def test_h():\n    pass\n",
    "other/test_o.py": "def test_o():\n    pass\n",
    "empty/README": "nothing here\n",
}


@pytest.mark.parametrize(
    "args",
    [
        ["tests", "other"],
        ["other", "tests"],
        ["tests/test_a.py"],
        ["tests/sub/test_b.py", "other"],
        ["tests", "tests/test_a.py"],
        ["tests/test_a.py", "tests"],
        ["tests/helpers.py"],  # a file given is collected whatever its name
        ["tests", "tests/helpers.py"],
        ["tests/test_a.py::TestA"],
        ["tests/test_a.py::TestA::test_y", "other/test_o.py"],
        ["tests/test_a.py::test_p"],
        ["tests/test_a.py::test_p[2]"],
        ["empty"],
        ["empty", "other"],
    ],
    ids=" ".join,
)
def test_paths_and_files_as_pytest(
    tmp_path: Path,
    args: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = write_tree(tmp_path / "proj", PATHS_TREE)
    monkeypatch.chdir(root)
    status, out, err = run(capsys, *args)
    expected = pytest_collect(root, *args)
    assert err == ""
    ids = [line for line in out.split("\n\n", 1)[0].splitlines() if "::" in line]
    assert (status, ids) == (expected.returncode, expected.ids), expected.output
    assert expected.ids or out == "no tests collected\n"


def test_text_matches_pytest(tree: Path) -> None:
    """The static text equals pytest's own --collect-only -q, bare IDs standing for cases."""
    result = pytest_collect(tree)
    assert result.returncode == 0, result.output
    pytest_ids = result.ids
    assert result.summary.startswith(f"{len(pytest_ids)} tests collected")
    ours = TEXT.split("\n\n", 1)[0].splitlines()
    # Each of our lines is one of pytest's, or a bare node ID standing for all its cases.
    expanded = [p for line in ours for p in pytest_ids if p == line or p.startswith(line + "[")]
    assert expanded == pytest_ids
    assert len(ours) == len(pytest_ids) - 2  # test_computed's three cases, not counted


FIXTURE_ALIASES = {
    "pytest.ini": "[pytest]\n",
    # dask's test_parquet.py: the fixture decorator bound to a name first.
    "test_alias.py": """\
import os

import pytest

_engine = pytest.fixture(params=["a", "b"])
fx = pytest.fixture


@_engine
def engine(request):
    return request.param


@fx(params=[1, 2, 3])
def other(request):
    return request.param


@pytest.mark.parametrize("flag", [True, False])
def test_local(engine, flag):
    pass


def test_other(other):
    pass


# pytest registers the fixture under this name too.
second_engine = engine

# ...and under this one only where the condition holds (here it does not): not read.
if os.environ.get("NO_SUCH_VARIABLE_XYZ"):
    third_engine = engine


def test_second(second_engine):
    pass


def test_third(third_engine):
    pass
""",
    # A decorator that returns a parametrize mark (scikit-learn's parametrize_with_checks)
    # gives the arguments: it is the reason given, not a fixture not found.
    "checks.py": """\
import pytest


def with_checks(items):
    return pytest.mark.parametrize("estimator, check", [(i, i) for i in items])
""",
    "test_checks.py": """\
from checks import with_checks


@with_checks([1, 2])
def test_common(estimator, check):
    pass
""",
    # A fixture made by calling the decorator: not read.
    "test_called.py": """\
import pytest


def engine(request):
    return request.param


engine = pytest.fixture(params=["a", "b"])(engine)


@pytest.mark.parametrize("flag", [True, False])
def test_local(engine, flag):
    pass
""",
}


def test_fixture_decorators_bound_to_names_are_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fixture decorator bound to a name, and a fixture bound to a second name, are
    read (dask's test_parquet.py files); where a fixture is not found, the test's case
    IDs are not given: it may have more cases, each with a longer ID (the text printed
    ``test_local[False]``, which pytest never collects)."""
    tree = write_tree(tmp_path / "aliases", FIXTURE_ALIASES)
    real = pytest_collect(tree)
    monkeypatch.chdir(tree)
    _, out, _ = run(capsys)
    ours = out.split("\n\n", 1)[0].splitlines()
    # Each line is one of pytest's, or a bare node ID standing for all its cases.
    expanded = [p for line in ours for p in real.ids if p == line or p.startswith(line + "[")]
    assert expanded == real.ids
    assert ours == [
        *(f"test_alias.py::test_local[{e}-{f}]" for e in "ab" for f in ("True", "False")),
        *(f"test_alias.py::test_other[{n}]" for n in (1, 2, 3)),
        *(f"test_alias.py::test_second[{e}]" for e in "ab"),
        "test_alias.py::test_third",
        "test_called.py::test_local",
        "test_checks.py::test_common",
    ]
    tests = {t["nodeid"]: t for m in static_collection(tree) for t in m["tests"]}
    assert all(tests[f"test_alias.py::test_{n}"]["exact"] for n in ("local", "other", "second"))
    called = tests["test_called.py::test_local"]
    assert (called["exact"], called["case_ids"]) == (False, None)
    assert called["doubt"].startswith("no definition of fixture 'engine' is found")
    third = tests["test_alias.py::test_third"]
    assert (third["exact"], third["doubt"][:40]) == (
        False,
        "no definition of fixture 'third_engine' ",
    )
    checks = tests["test_checks.py::test_common"]
    assert checks["doubt"] == (
        "decorator with_checks parametrizes what it wraps: its cases are not known"
    )


def test_never_imports_the_tree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(
        tmp_path / "t",
        {"test_boom.py": "raise SystemExit('imported!')\n\ndef test_x():\n    pass\n"},
    )
    # From the folder itself: node IDs depend on where pytest runs, as pytest's do.
    monkeypatch.chdir(root)
    # Imported (as pytest does), the module would end this process. Read, it is known
    # to give pytest nothing to collect: pytest's own exit status for that is 5.
    assert run(capsys, str(root)) == (
        5,
        "no tests collected\n\nstopped on import (1 module; pytest lists none of its tests):"
        "\n  test_boom.py: raise SystemExit at line 1, run on import, ends the collection "
        "(no module after it is collected)\n",
        "",
    )


def test_subprocess_without_sphinx_project(tree: Path) -> None:
    """The installed command: no conf.py, no Sphinx import needed to collect."""
    code = (
        "import sys; from sphinx_testdocs.cli import main; s = main(sys.argv[1:]); "
        "assert 'sphinx.application' not in sys.modules; sys.exit(s)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "collect", str(tree)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, TEXT, "")


# --- testdocs.json in the HTML build -----------------------------------------------------


def collected(folder: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """``collect`` run from the folder a build takes pytest to run from: the project root
    it finds above the test folder (here none is marked: the folder holding it)."""
    cwd = Path.cwd()
    os.chdir(folder.parent)
    try:
        status, out, _ = run(capsys, str(folder), "--format", "json")
    finally:
        os.chdir(cwd)
    assert status == 0
    return out


def _touch(path: Path) -> None:
    future = time.time() + 5  # coarse mtimes: make the change visible
    os.utime(path, (future, future))


@pytest.mark.sphinx("html", testroot="basic", srcdir="collect-json")
def test_build_writes_testdocs_json(
    app: Any, make_app: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    app.build()
    srcdir = Path(app.srcdir)
    target = Path(app.outdir) / JSON_FILENAME
    written = target.read_text(encoding="utf-8")
    assert written == collected(srcdir / "suite", capsys)
    paths = [m["path"] for m in json.loads(written)["modules"]]
    assert paths == ["sub/test_beta.py", "test_alpha.py"]
    # The entries a build keeps for the next are packed: a fraction of the text.
    kept = build_run(app.env).files.collected
    packed = [entry for files in kept.values() for entry in files.values() if entry]
    assert len(packed) == 2 and 3 * sum(map(len, packed)) < len(written)

    # Unchanged rebuild: the file is left as it is.
    stamp = target.stat().st_mtime_ns
    make_app("html", srcdir=srcdir).build()
    assert target.stat().st_mtime_ns == stamp
    # A file whose mtime moved but not its text is analysed again, and gives the same
    # JSON: still left as it is, and the text streamed out for the comparison is gone.
    # (Moved back in time, so that Sphinx does not also re-read its page.)
    alpha = srcdir / "suite/test_alpha.py"
    past = alpha.stat().st_mtime - 60
    os.utime(alpha, (past, past))
    make_app("html", srcdir=srcdir).build()
    assert target.stat().st_mtime_ns == stamp
    assert sorted(p.name for p in target.parent.glob(JSON_FILENAME + "*")) == [JSON_FILENAME]

    # One file changed: only its page is read, yet the JSON still covers every module.
    beta = srcdir / "suite/sub/test_beta.py"
    beta.write_text(beta.read_text(encoding="utf-8") + "\n\ndef test_more():\n    pass\n")
    _touch(beta)
    again = make_app("html", srcdir=srcdir)
    with recording_reads(again) as read:
        again.build()
    assert "testdocs/suite/test_alpha.py" not in read
    rewritten = target.read_text(encoding="utf-8")
    assert rewritten == collected(srcdir / "suite", capsys)
    tests = [t["nodeid"] for m in json.loads(rewritten)["modules"] for t in m["tests"]]
    # Relative to pytest's rootdir, as pytest prints them (here the folder above).
    assert "suite/sub/test_beta.py::test_more" in tests
    assert "suite/test_alpha.py::test_sum" in tests


@pytest.mark.sphinx("html", testroot="basic", srcdir="collect-json-serial")
def test_parallel_build_writes_the_same_json(app: Any, make_app: Any, tmp_path: Path) -> None:
    app.build()
    copy = tmp_path / "parallel"
    shutil.copytree(app.srcdir, copy, ignore=shutil.ignore_patterns("_build", "testdocs"))
    parallel = make_app("html", srcdir=copy, parallel=2)
    parallel.build()
    serial_json = (Path(app.outdir) / JSON_FILENAME).read_bytes()
    assert (Path(parallel.outdir) / JSON_FILENAME).read_bytes() == serial_json


@pytest.mark.sphinx("text", testroot="basic", srcdir="collect-json-text")
def test_only_html_builds_write_it(app: Any) -> None:
    app.build()
    assert not (Path(app.outdir) / JSON_FILENAME).exists()


def test_skipped_folders_and_broken_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_tree(
        tmp_path / "t",
        {
            "build/test_built.py": "def test_in_build():\n    pass\n",  # norecursedirs
            "test_broken.py": "def test_ok():\n    pass\n\ndef test_bad(:\n",
        },
    )
    status, out, _ = run(capsys, str(root), "--format", "json")
    assert status == 0
    (module,) = json.loads(out)["modules"]
    assert module["path"] == "test_broken.py"
    assert module["status"] in {"partial", "failed"}
    assert module["complete"] is False
    assert module["notes"]
