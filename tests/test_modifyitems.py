"""pytest_collection_modifyitems, checked against the real pytest and a real build.

pytest hands every loaded conftest's hook the whole session's list of tests: a hook
that changes the list may leave out a test of any file, so no test is exact; a hook
that only marks or sorts the tests leaves every claim as it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import pytest_collect, static_collection, write_tree

TESTS = """\
def test_fast():
    pass


def test_slow():
    pass
"""
MARKING = """\
import pytest


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "slow" in item.name:
            item.add_marker(pytest.mark.skip(reason="slow"))
    items.sort(key=lambda item: item.name)
"""
DROPPING = """\
def pytest_collection_modifyitems(config, items):
    items[:] = [item for item in items if "slow" not in item.name]
"""


def _exact(tree: Path) -> dict[str, bool]:
    return {t["nodeid"]: t["exact"] for m in static_collection(tree) for t in m["tests"]}


def test_a_hook_that_marks_or_sorts_leaves_every_claim(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path / "marking",
        {"pytest.ini": "[pytest]\n", "a/conftest.py": MARKING, "b/test_b.py": TESTS},
    )
    real = pytest_collect(tree)
    assert sorted(real.ids) == ["b/test_b.py::test_fast", "b/test_b.py::test_slow"]
    assert _exact(tree) == {"b/test_b.py::test_fast": True, "b/test_b.py::test_slow": True}


def test_a_hook_that_drops_tests_leaves_no_claim_in_any_folder(tmp_path: Path) -> None:
    # The hook is in a/conftest.py; the tests it drops are in b/.
    tree = write_tree(
        tmp_path / "dropping",
        {"pytest.ini": "[pytest]\n", "a/conftest.py": DROPPING, "b/test_b.py": TESTS},
    )
    real = pytest_collect(tree)
    assert real.ids == ["b/test_b.py::test_fast"]
    assert _exact(tree) == {"b/test_b.py::test_fast": False, "b/test_b.py::test_slow": False}
    (module,) = [m for m in static_collection(tree) if m["tests"]]
    assert module["tests"][1]["doubt"] == (
        "a/conftest.py defines pytest_collection_modifyitems, which changes the list of "
        "tests (line 2): pytest may leave it out"
    )


@pytest.mark.sphinx("html", testroot="basic", srcdir="modifyitems")
def test_a_hook_added_in_another_folder_reads_the_pages_again(app: Any, make_app: Any) -> None:
    app.build()
    srcdir = Path(app.srcdir)
    page = "testdocs/suite/test_alpha.py"
    assert "pytest may leave it out" not in (app.outdir / f"{page}.html").read_text()
    # suite/test_alpha.py is not below suite/sub/: its conftest chain does not change.
    (srcdir / "suite/sub/conftest.py").write_text(DROPPING)
    again = make_app("html", srcdir=srcdir)
    again.build()
    assert "pytest may leave it out" in (again.outdir / f"{page}.html").read_text()
    (srcdir / "suite/sub/conftest.py").write_text(MARKING)
    marking = make_app("html", srcdir=srcdir)
    marking.build()
    assert "pytest may leave it out" not in (marking.outdir / f"{page}.html").read_text()


def test_a_conftest_that_ignores_paths(tmp_path: Path) -> None:
    hook = "def pytest_ignore_collect(collection_path, config):\n"
    tree = write_tree(
        tmp_path / "ignoring",
        {
            "pytest.ini": "[pytest]\n",
            # sklearn/externals: everything below is ignored.
            "a/conftest.py": hook + "    return True\n",
            "a/test_a.py": TESTS,
            "b/conftest.py": hook + "    return collection_path.name == 'test_x.py'\n",
            "b/test_x.py": TESTS,
            "b/test_y.py": TESTS,
            "c/conftest.py": hook + "    '''Nothing to say.'''\n    return None\n",
            "c/test_c.py": TESTS,
        },
    )
    real = pytest_collect(tree)
    assert {i.split("::")[0] for i in real.ids} == {"b/test_y.py", "c/test_c.py"}
    exact = _exact(tree)
    assert not any(nodeid.startswith("a/") for nodeid in exact)  # not collected
    assert {n: e for n, e in exact.items() if n.startswith("b/")} == dict.fromkeys(
        [f"b/test_{m}.py::test_{t}" for m in "xy" for t in ("fast", "slow")], False
    )
    assert exact["c/test_c.py::test_fast"] and exact["c/test_c.py::test_slow"]


GUARDED = """\
def pytest_collection_modifyitems(config, items):
    runtime = config.getoption("--runtime", default=None)
    if not runtime:
        return
    items[:] = [item for item in items if "slow" not in item.name]
"""
#: sympy's conftest: the hook hands the list to a helper that returns without --split.
GUARDED_IN_A_HELPER = """\
def process_split(config, items):
    split = config.getoption("--split")
    if not split:
        return
    items[:] = [item for item in items if "slow" not in item.name]


def pytest_collection_modifyitems(config, items):
    \"\"\"Handle splits.\"\"\"
    process_split(config, items)
"""
DECLARES = """\
def pytest_addoption(parser):
    parser.addoption("--runtime", default="node")
"""


@pytest.mark.parametrize(
    ("files", "dropped"),
    [
        # urllib3: the option is declared by a plugin not installed here.
        ({}, False),
        ({"conftest.py": DECLARES.replace('"node"', "None")}, False),
        ({"conftest.py": DECLARES}, True),
        ({"pytest.ini": "[pytest]\naddopts = --runtime=node\n", "conftest.py": DECLARES}, True),
    ],
)
@pytest.mark.parametrize("hook", [GUARDED, GUARDED_IN_A_HELPER])
def test_a_hook_that_acts_only_with_an_option(
    tmp_path: Path, files: dict[str, str], dropped: bool, hook: str
) -> None:
    if hook is GUARDED_IN_A_HELPER:  # the same shapes, with sympy's option
        files = {name: text.replace("--runtime", "--split") for name, text in files.items()}
    tree = write_tree(
        tmp_path / "guarded",
        {"pytest.ini": "[pytest]\n", "a/conftest.py": hook, "b/test_b.py": TESTS, **files},
    )
    real = pytest_collect(tree)
    assert ("b/test_b.py::test_slow" not in real.ids) is dropped, real.output
    assert set(_exact(tree).values()) == {not dropped}
