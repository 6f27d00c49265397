"""Keep the static collection honest: compare node ids with a real ``pytest --collect-only``."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

from sphinx_testdocs.analysis.collection import collect_module, conftest_fixtures
from sphinx_testdocs.analysis.pytest_config import PytestConfig, find_pytest_config
from tests.helpers import pytest_collect

CONFTEST = """
import pytest

@pytest.fixture(params=["x", "y"])
def shared(request):
    return request.param
"""

TEST_ONE = """
import unittest
import pytest
from pytest import mark

pytestmark = mark.filterwarnings("ignore")

@pytest.fixture(params=[0, 1], ids=["zero", "one"])
def level(request, shared):
    return request.param

@pytest.mark.parametrize("a", [1, 2.5, "s", None, True, -3, (1, 2), ..., "\\u00e9"])
@pytest.mark.parametrize(("b", "c"), [(1, 2), pytest.param(3, 4, id="custom")])
def test_grid(a, b, c):
    pass

@pytest.mark.parametrize("n", range(3))
def test_with_fixture(n, level):
    pass

@pytest.mark.parametrize("x", [1, 1, "q", "q"])
def test_dups(x):
    pass

@pytest.mark.parametrize("x", [])
def test_empty(x):
    pass

@pytest.mark.parametrize("x", "ab")
@pytest.mark.parametrize("y", {"k": 1})
def test_iterables(x, y):
    pass

test_lambda = lambda: None

class Base:
    def test_inherited(self, k):
        pass

@pytest.mark.parametrize("k", [3, 4])
class TestChild(Base):
    def test_own(self, k):
        pass

class TestOuter:
    class TestNested:
        def test_inner(self):
            pass

class TestInit:
    def __init__(self):
        pass

    def test_never(self):
        pass

class Case(unittest.TestCase):
    def test_b(self):
        pass

    def test_a(self):
        pass

class TestOff:
    __test__ = False

    def test_off(self):
        pass

async def test_async():
    pass
"""

HELPER = "def test_in_helper():\n    pass\n"


def _pytest_ids(root: Path) -> set[str]:
    result = pytest_collect(root)
    assert result.returncode == 0, result.output
    return set(result.ids)


def _static_ids(root: Path) -> set[str]:
    config = find_pytest_config([root])
    conftest_text = (root / "conftest.py").read_text()
    conftest = collect_module(
        ast.parse(conftest_text),
        source=conftest_text,
        filename="conftest.py",
        nodeid_path="conftest.py",
        relpath="conftest.py",
        config=config,
        visible_fixtures={},
    )
    visible = conftest_fixtures([conftest])
    ids: set[str] = set()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        text = path.read_text()
        collection = collect_module(
            ast.parse(text),
            source=text,
            filename=path.name,
            nodeid_path=rel,
            relpath=rel,
            config=config,
            visible_fixtures=visible,
        )
        for test in collection.tests:
            assert test.exact, test.nodeid
            if test.case_ids is None:
                assert test.cases == 1, test.nodeid
                ids.add(test.nodeid)
            else:
                assert len(test.case_ids) == test.cases
                ids.update(f"{test.nodeid}[{case}]" for case in test.case_ids)
    return ids


def test_node_ids_match_real_pytest(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "conftest.py").write_text(textwrap.dedent(CONFTEST))
    pkg = tmp_path / "tests"
    pkg.mkdir()
    (pkg / "test_one.py").write_text(textwrap.dedent(TEST_ONE))
    (pkg / "helpers.py").write_text(HELPER)
    real = _pytest_ids(tmp_path)
    assert "tests/test_one.py::test_lambda" in real  # the fixture tree is as intended
    assert _static_ids(tmp_path) == real


ORDER = """
import pytest

@pytest.fixture(params=["c1", "c2"])
def c(request):
    return request.param

@pytest.fixture
def a(c):
    return c

@pytest.fixture(params=["b1", "b2"])
def b(request):
    return request.param

def test_x(a, b):
    pass
"""


def test_fixture_order_follows_the_pytest_version() -> None:
    """pytest 9 walks fixture dependencies depth first: ``a``'s ``c`` comes before ``b``
    (``pytest --collect-only -q`` with pytest 9.2 prints ``test_x[c1-b1]`` first)."""
    text = textwrap.dedent(ORDER)

    def ids(version: tuple[int, int]) -> tuple[str, ...] | None:
        collection = collect_module(
            ast.parse(text),
            source=text,
            filename="test_order.py",
            nodeid_path="test_order.py",
            relpath="test_order.py",
            config=PytestConfig(version=version),
            visible_fixtures={},
        )
        return collection.tests[0].case_ids

    assert ids((9, 2)) == ("c1-b1", "c1-b2", "c2-b1", "c2-b2")
    # pytest 8 walked breadth first: b before a's dependency c.
    assert ids((8, 4)) == ("b1-c1", "b1-c2", "b2-c1", "b2-c2")
