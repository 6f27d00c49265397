"""Whether a pytest_collection_modifyitems hook may leave tests out, read from its body."""

from __future__ import annotations

import ast
import textwrap

import pytest

from sphinx_testdocs.analysis.modifyitems import drops_items


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
