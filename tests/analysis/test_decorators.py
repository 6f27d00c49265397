"""What a function's body shows as a decorator of tests (``analysis/decorators.py``)."""

from __future__ import annotations

import ast
import textwrap

from sphinx_testdocs.analysis.decorators import FunctionFacts, module_function_facts

MODULE = textwrap.dedent(
    """
    import pytest

    def cases(func):
        return _apply(func)

    def _apply(func):
        return pytest.mark.parametrize("x", [1, 2])(func)

    def register(func):
        if func.__name__.startswith("make"):
            for n in range(3):
                globals()[f"test_{n}"] = func
        return func

    def plain(func):
        def inner():
            globals()["ignored"] = 1  # runs when called: no name made on import
        return func
    """
)


def test_marks_are_found_through_the_functions_called() -> None:
    facts = module_function_facts(ast.parse(MODULE), MODULE)
    assert facts["cases"].marks == {"parametrize"}
    assert facts["plain"].marks == frozenset()


def test_names_made_deep_inside_the_body_are_seen_but_not_inside_inner_functions() -> None:
    facts = module_function_facts(ast.parse(MODULE), MODULE)
    assert facts["register"].creates_names
    assert not facts["plain"].creates_names
    assert not facts["cases"].creates_names


def test_a_module_that_never_writes_mark_has_the_same_facts_unsearched() -> None:
    source = MODULE.replace("pytest.mark.parametrize", "pytest.param")
    tree = ast.parse(source)
    assert "mark" not in source
    searched = module_function_facts(tree)
    assert module_function_facts(tree, source) == searched
    assert searched["cases"] == FunctionFacts(marks=frozenset())
    # With the word in the text, the search runs.
    assert module_function_facts(ast.parse(MODULE), MODULE)["cases"].marks
