"""Whether a pytest_collection_modifyitems hook may leave tests out, read from its body."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from sphinx_testdocs.analysis.modifyitems import acting_option, drops_items
from sphinx_testdocs.analysis.plugins import installed_plugin_declares


def why(body: str, params: str = "config, items") -> str | None:
    source = f"def pytest_collection_modifyitems({params}):\n" + textwrap.indent(body, "    ")
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.FunctionDef)
    return drops_items(node)


@pytest.mark.parametrize(
    "body",
    [
        # Marking, sorting and reading leave pytest's list of tests as it is.
        'for item in items:\n    if "slow" in item.keywords:\n        item.add_marker(SKIP)',
        "items.sort(key=lambda item: item.name)",
        "items.reverse()",
        "n = len(items)\nfirst = items[0]\nnames = [i.name for i in items]\nkept = list(items)",
        "if items and not items[0].name:\n    pass",
        "items = sorted(items)",  # rebinds the name: pytest's list is untouched
        "pass",
    ],
)
def test_hooks_that_keep_every_test(body: str) -> None:
    assert why(body) is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("items[:] = [i for i in items if FAST]", "changes the list of tests (line 2)"),
        ("del items[0]", "changes the list of tests (line 2)"),
        ("items += EXTRA", "changes the list of tests (line 2)"),
        ("items.remove(items[0])", "calls items.remove (line 2)"),
        ("items.clear()", "calls items.clear (line 2)"),
        ("_deselect(config, items)", "hands the list of tests to a call (line 2)"),
        ("kept = items\nkept.pop()", "hands the list of tests on (line 2)"),
        ("config.hook.pytest_deselected(items=[])", "reports tests as deselected"),
    ],
)
def test_hooks_that_may_drop_tests(body: str, expected: str) -> None:
    assert why(body) == expected


def test_arguments_taken_as_a_whole() -> None:
    assert why("pass", "*args") == "takes its arguments as * or **"


def acting(body: str) -> str | None:
    source = "def pytest_collection_modifyitems(config, items):\n" + textwrap.indent(body, "    ")
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.FunctionDef)
    return acting_option(node)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # urllib3's emscripten conftest.
        (
            '"""Doc."""\nruntime = config.getoption("--runtime", default=None)\n'
            "if not runtime:\n    return\nitems[:] = []",
            "--runtime",
        ),
        ('if not config.getoption("--gpu"):\n    return\nitems.clear()', "--gpu"),
        # The list is used first, or the guard is not an option's.
        ('items.pop()\nif not config.getoption("--gpu"):\n    return', None),
        ("if not FLAG:\n    return\nitems.clear()", None),
        ('if not config.getoption("--gpu"):\n    pass\nitems.clear()', None),
    ],
)
def test_the_option_a_hook_acts_only_with(body: str, expected: str | None) -> None:
    assert acting(body) == expected


def test_an_installed_plugin_declares_an_option_if_its_source_says_it(tmp_path: Path) -> None:
    (tmp_path / "plug").mkdir()
    (tmp_path / "plug/__init__.py").write_text("")
    (tmp_path / "plug/options.py").write_text('parser.addoption("--runtime")\n')
    (tmp_path / "single.py").write_text('parser.addoption("--other")\n')
    files = {"plug": tmp_path / "plug/__init__.py", "single": tmp_path / "single.py"}
    assert installed_plugin_declares("--runtime", files.get, ["plug.hooks", "single"])
    assert not installed_plugin_declares("--nowhere", files.get, ["plug.hooks", "single"])
    # A plugin whose source is not found may declare anything.
    assert installed_plugin_declares("--nowhere", files.get, ["missing"])


HELPERS = """\
def reads(config, items):
    return len(items)


def splits(config, items):
    split = config.getoption("--split")
    if not split:
        return
    del items[1:]


def renamed(config, tests):
    tests.clear()
"""


def hook_with_helpers(body: str) -> tuple[str | None, str | None]:
    module = ast.parse(
        HELPERS
        + "\n\ndef pytest_collection_modifyitems(config, items):\n"
        + textwrap.indent(body, "    ")
    )
    functions = [n for n in module.body if isinstance(n, ast.FunctionDef)]
    helpers = {f.name: f for f in functions}
    hook = functions[-1]
    return drops_items(hook, helpers), acting_option(hook, helpers)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # A helper of the same file given the list as its own items: read one call deep.
        ("reads(config, items)", (None, None)),
        # sympy's conftest: process_split(config, items), which returns without --split.
        (
            "splits(config, items)",
            (
                "hands the list to splits (line 17), which changes the list of tests (line 9)",
                "--split",
            ),
        ),
        # The helper calls the list something else, or it is not handed over plainly.
        ("renamed(config, items)", ("hands the list of tests to a call (line 17)", None)),
        ("splits(config, items=items)", ("hands the list of tests on (line 17)", None)),
        (
            "splits(config, items)\nitems.clear()",
            (
                "hands the list to splits (line 17), which changes the list of tests (line 9)",
                None,
            ),
        ),
    ],
)
def test_a_hook_handing_the_list_to_a_helper(
    body: str, expected: tuple[str | None, str | None]
) -> None:
    assert hook_with_helpers(body) == expected
