"""pytest_generate_tests hooks, checked against the real pytest: a hook that
parametrizes only the tests needing a fixture (scikit-learn's ``global_random_seed``)
leaves every other test's count exact; a class's own hook is asked too."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import pytest_collect, static_collection, write_tree

TREE = {
    "pytest.ini": "[pytest]\n",
    "conftest.py": """\
import os

import pytest

SEEDS = [int(s) for s in os.environ.get("SEEDS", "1 2 3").split()]


@pytest.fixture
def seed(request):
    return request.param


@pytest.fixture
def uses_seed(seed):
    return seed


def pytest_generate_tests(metafunc):
    if "seed" in metafunc.fixturenames:
        metafunc.parametrize("seed", SEEDS, indirect=True)
""",
    "test_guarded.py": """\
import pytest


def test_plain():
    pass


@pytest.mark.parametrize("x", [1, 2])
def test_param(x):
    pass


def test_seed(seed):
    pass


def test_indirect(uses_seed):
    pass


@pytest.mark.usefixtures("seed")
def test_use():
    pass


class TestOwnHook:
    def pytest_generate_tests(self, metafunc):
        if "y" in metafunc.fixturenames:
            metafunc.parametrize("y", range(int("4")))

    def test_y(self, y):
        pass

    def test_other(self):
        pass


class TestAnyHook:
    def pytest_generate_tests(self, metafunc):
        metafunc.parametrize("z", [1, 2])

    def test_z(self, z):
        pass
""",
    # A hook bound by an import is not read: it may touch any test.
    "hooks.py": """\
def pytest_generate_tests(metafunc):
    if "w" in metafunc.fixturenames:
        metafunc.parametrize("w", [1, 2])
""",
    "test_imported_hook.py": """\
from hooks import pytest_generate_tests  # noqa: F401


def test_w(w):
    pass


def test_no_w():
    pass
""",
}


def test_only_what_a_hook_reaches_is_partly_known(tmp_path: Path) -> None:
    tree = write_tree(tmp_path / "hooks", TREE)
    real = pytest_collect(tree)
    assert real.returncode == 0, real.output
    cases = real.cases
    tests = [t for m in static_collection(tree) for t in m["tests"]]
    exact = {t["nodeid"]: t["cases"] for t in tests if t["exact"]}
    assert exact == {
        "test_guarded.py::test_plain": 1,
        "test_guarded.py::test_param": 2,
        "test_guarded.py::TestOwnHook::test_other": 1,
    }
    assert all(cases[nodeid] == count for nodeid, count in exact.items())
    doubts = {t["nodeid"].split("::", 1)[1]: t["doubt"] for t in tests if not t["exact"]}
    assert set(doubts) == {
        "test_seed",
        "test_indirect",  # through uses_seed
        "test_use",  # through usefixtures
        "TestOwnHook::test_y",
        "TestAnyHook::test_z",
        "test_w",
        "test_no_w",
    }
    assert doubts["test_indirect"] == (
        "a pytest_generate_tests hook parametrizes the tests that need 'seed' (this one "
        "does) at collection"
    )
    assert doubts["TestOwnHook::test_y"] == (
        "a pytest_generate_tests hook parametrizes the tests that need 'seed', 'y' (this "
        "one does) at collection"
    )
    assert doubts["test_no_w"] == "a pytest_generate_tests hook may parametrize it at collection"
    # What pytest really made of the doubtful ones: more than one case each.
    assert cases["test_guarded.py::test_indirect"] == 3
    assert cases["test_guarded.py::TestOwnHook::test_y"] == 4


def test_the_hooks_of_a_plugin_loaded_by_name_are_read(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path / "plugin",
        {
            "pytest.ini": "[pytest]\n",
            "conftest.py": 'pytest_plugins = ["backends"]\n',
            "backends.py": (
                "def pytest_generate_tests(metafunc):\n"
                "    if 'backend' in metafunc.fixturenames:\n"
                "        metafunc.parametrize('backend', ['a', 'b'])\n\n\n"
                "def pytest_collection_modifyitems(config, items):\n"
                "    items.sort(key=lambda item: item.name)\n"
            ),
            "test_p.py": "def test_backend(backend):\n    pass\n\n\ndef test_plain():\n    pass\n",
        },
    )
    real = pytest_collect(tree)
    assert real.returncode == 0, real.output
    tests = {t["nodeid"]: t for m in static_collection(tree) for t in m["tests"]}
    assert real.cases["test_p.py::test_backend"] == 2
    assert not tests["test_p.py::test_backend"]["exact"]
    assert tests["test_p.py::test_plain"]["exact"]  # sorting keeps every test
    # A plugin that may drop tests leaves none exact.
    (tree / "backends.py").write_text(
        "def pytest_collection_modifyitems(config, items):\n    items.pop()\n"
    )
    tests = {t["nodeid"]: t for m in static_collection(tree) for t in m["tests"]}
    assert tests["test_p.py::test_plain"]["doubt"] == (
        "backends.py defines pytest_collection_modifyitems, which calls items.pop (line 2): "
        "pytest may leave it out"
    )
