"""Tests pytest finds and then leaves out (``addopts``: ``-m``, ``--deselect``, ``-k``),
and files a conftest.py may leave out: checked against the real pytest.

A test the analysis calls exact must be one ``pytest --collect-only -q`` lists; one
it calls deselected must be one pytest leaves out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sphinx_testdocs import cli
from sphinx_testdocs.analysis.markexpr import parse_markexpr
from tests.helpers import pytest_collect, static_collection, write_tree


@pytest.mark.parametrize(
    ("text", "marks", "selected"),
    [
        ("slow", {"slow"}, True),
        ("slow", set(), False),
        ("not slow", {"slow", "gpu"}, False),
        ("not slow", set(), True),
        ("slow and not (gpu or net)", {"slow"}, True),
        ("slow and not (gpu or net)", {"slow", "net"}, False),
        ("a or b and c", {"a"}, True),  # ``and`` binds tighter
        ("not not a", {"a"}, True),
        ("unit-test or py::x", {"py::x"}, True),
    ],
)
def test_marker_expressions_read_as_pytest_reads_them(
    text: str, marks: set[str], selected: bool
) -> None:
    expression = parse_markexpr(text)
    assert expression is not None
    assert expression.matches(marks) is selected


@pytest.mark.parametrize(
    "text", ["", "   ", "(slow", "slow and", "slow)", "device(kind='gpu')", "a & b", "not"]
)
def test_marker_expressions_not_decided_from_names_read_as_none(text: str) -> None:
    assert parse_markexpr(text) is None


DECIDED = {
    "pyproject.toml": """\
[tool.pytest.ini_options]
addopts = ["-m", "not slow", "--deselect", "test_a.py::test_gone"]
markers = ["slow: long", "fast: short"]
""",
    "test_a.py": """\
import pytest

slow = pytest.mark.slow

def test_plain():
    pass

@pytest.mark.slow
def test_slow():
    pass

@slow
def test_slow_alias():
    pass

def test_gone():
    pass

def test_gone_too():  # --deselect matches prefixes of node IDs
    pass

@pytest.mark.parametrize("n", [1, 2])
def test_numbers(n):
    pass

@pytest.mark.slow
class TestSlowClass:
    def test_method(self):
        pass

class TestMixed:
    @pytest.mark.slow
    def test_out(self):
        pass

    @pytest.mark.fast
    def test_in(self):
        pass
""",
    "test_b.py": """\
import pytest

pytestmark = [pytest.mark.slow]

def test_in_slow_module():
    pass
""",
}


def _collect(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, cwd: Path, *args: str
) -> tuple[list[str], str]:
    monkeypatch.chdir(cwd)
    cli.main(["collect", *args])
    listing, _, rest = capsys.readouterr().out.partition("\n\n")
    return listing.splitlines(), rest.splitlines()[0]


def _tests(cwd: Path) -> dict[str, dict[str, Any]]:
    modules = static_collection(cwd)
    return {test["nodeid"]: test for module in modules for test in module["tests"]}


def test_deselection_decided_as_pytest_decides_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = write_tree(tmp_path / "decided", DECIDED)
    real = pytest_collect(tree)
    assert real.returncode == 0, real.output
    ids, summary = _collect(capsys, monkeypatch, tree)
    # The same list and the same closing line.
    assert ids == real.ids
    assert real.summary.startswith(summary + " in ")
    assert summary == "4/11 tests collected (7 deselected)"
    tests = _tests(tree)
    assert all(t["exact"] for t in tests.values())
    gone = "addopts has --deselect test_a.py::test_gone"
    assert tests["test_a.py::test_gone"]["deselected"] == gone
    assert tests["test_a.py::test_gone_too"]["deselected"] == gone
    assert tests["test_b.py::test_in_slow_module"]["deselected"] == "addopts has -m not slow"
    assert tests["test_a.py::test_plain"]["deselected"] is None


UNDECIDED = {
    "pyproject.toml": """\
[tool.pytest.ini_options]
addopts = ["-m", "not slow"]
markers = ["slow: long"]
""",
    "tests/conftest.py": """\
import sys

collect_ignore = []
if sys.version_info < (3, 99):
    collect_ignore.append("test_maybe_ignored.py")
""",
    "tests/test_maybe_ignored.py": "def test_here():\n    pass\n",
    "tests/test_c.py": """\
import pytest

def mark_it(f):
    return pytest.mark.slow(f)

@mark_it
def test_marked_by_a_function():
    pass

@pytest.mark.parametrize("n", [1, pytest.param(2, marks=pytest.mark.slow)])
def test_some_cases_slow(n):
    pass

def test_kept():
    pass
""",
}


def test_what_cannot_be_decided_is_never_claimed(tmp_path: Path) -> None:
    tree = write_tree(tmp_path / "undecided", UNDECIDED)
    real = pytest_collect(tree)
    assert real.returncode == 0, real.output
    assert real.ids == ["tests/test_c.py::test_some_cases_slow[1]", "tests/test_c.py::test_kept"]
    tests = _tests(tree)
    assert tests["tests/test_c.py::test_kept"]["exact"]
    doubts = {nodeid: t["doubt"] for nodeid, t in tests.items() if not t["exact"]}
    assert doubts == {
        "tests/test_c.py::test_marked_by_a_function": (
            "addopts has -m not slow: pytest may deselect it by its marks"
        ),
        "tests/test_c.py::test_some_cases_slow": (
            "addopts has -m not slow: pytest may deselect it by its marks"
        ),
        "tests/test_maybe_ignored.py::test_here": (
            "tests/conftest.py adds it to collect_ignore (test_maybe_ignored.py) under a "
            "condition (line 5): pytest may not collect it"
        ),
    }
    # Every claim left is right.
    for nodeid, test in tests.items():
        if test["exact"] and not test["deselected"]:
            assert nodeid in real.ids


def test_a_test_whose_cases_are_open_is_still_deselected_by_its_own_marks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = write_tree(
        tmp_path / "open",
        {
            "pytest.ini": "[pytest]\naddopts = -m 'not slow'\nmarkers =\n    slow: long\n",
            "test_o.py": "import pytest\n\nCASES = [1, 2]\nCASES.append(3)\n\n\n"
            "@pytest.mark.slow\n@pytest.mark.parametrize('n', CASES)\n"
            "def test_slow_open(n):\n    pass\n\n\ndef test_kept():\n    pass\n",
        },
    )
    real = pytest_collect(tree)
    assert real.ids == ["test_o.py::test_kept"]
    assert real.summary.startswith("1/4 tests collected (3 deselected)")
    tests = _tests(tree)
    assert tests["test_o.py::test_slow_open"]["deselected"] == "addopts has -m not slow"
    ids, summary = _collect(capsys, monkeypatch, tree)
    assert ids == real.ids
    # Its cases are not known: the deselected total is a lower bound, said so.
    assert summary == "1/2+ tests collected (1+ deselected)"


def test_keyword_selection_and_doctests_leave_claims_open(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path / "k",
        {
            "pytest.ini": "[pytest]\naddopts = -k 'not slow' --doctest-modules\n",
            "test_k.py": '"""\n>>> 1 + 1\n2\n"""\n\ndef test_slow():\n    pass\n\n'
            "def test_fast():\n    pass\n",
        },
    )
    real = pytest_collect(tree)
    assert real.ids == ["test_k.py::test_k", "test_k.py::test_fast"], real.output
    (module,) = static_collection(tree)
    assert not module["complete"]
    assert any("--doctest-modules" in note for note in module["notes"])
    assert [t["exact"] for t in module["tests"]] == [False, False]
    assert {t["doubt"] for t in module["tests"]} == {
        "addopts has -k not slow: pytest may deselect it by keyword"
    }
