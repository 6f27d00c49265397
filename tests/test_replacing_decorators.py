"""A decorator that may not return a function: pytest collects functions only.

Checked against the real pytest: a test whose decorator (defined in its module) may
return something else is never claimed exact; one whose decorator returns a function
keeps its claim.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sphinx_testdocs import cli
from tests.helpers import pytest_collect, write_tree

MODULE = """\
import functools
import sys

import pytest


def returns_none(f):
    return None


def mark_without_applying(f):
    return pytest.mark.slow


def when_imported(f):  # scikit-learn's shape: a mark object while pytest runs
    pytest = sys.modules.get("pytest")
    if pytest is not None:
        return pytest.mark.no_check
    else:
        return f


def runs_off_its_end(f):
    f.checked = True


def returns_lambda(f):
    return lambda: None


def wrapping(f):
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        return f(*args, **kwargs)

    return wrapper


def either(f):
    if f.__doc__:
        return f
    return wrapping(f)


@returns_none
def test_none():
    pass


@pytest.mark.parametrize("x", [1, 2])
@mark_without_applying
def test_mark_object(x):
    pass


@when_imported
def test_when_imported():
    pass


@runs_off_its_end
def test_runs_off():
    pass


@returns_lambda
def test_lambda():
    pass


@wrapping
def test_wrapped():
    pass


@either
def test_either():
    pass
"""


def test_decorators_that_may_not_return_a_function(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = write_tree(tmp_path / "decorated", {"pytest.ini": "[pytest]\n", "test_d.py": MODULE})
    real = pytest_collect(tree)
    assert real.ids == [
        "test_d.py::test_lambda",
        "test_d.py::test_wrapped",
        "test_d.py::test_either",
    ]
    assert "cannot collect 'test_when_imported' because it is not a function" in real.output
    monkeypatch.chdir(tree)
    cli.main(["collect", "--format", "json"])
    (module,) = json.loads(capsys.readouterr().out)["modules"]
    exact = [t["nodeid"] for t in module["tests"] if t["exact"]]
    assert exact == real.ids
    doubts = {t["function"]: t["doubt"] for t in module["tests"] if not t["exact"]}
    assert doubts == {
        name: f"decorator {decorator} may return something other than a function, "
        "which pytest does not collect"
        for name, decorator in [
            ("test_none", "returns_none"),
            ("test_mark_object", "mark_without_applying"),
            ("test_when_imported", "when_imported"),
            ("test_runs_off", "runs_off_its_end"),
        ]
    }
