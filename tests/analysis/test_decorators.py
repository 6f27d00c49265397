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

    def maker(func):
        def make():
            globals()["test_made"] = func
        make()
        return func

    def in_a_class(func):
        class Holder:  # a class body runs as it is defined
            vars().update(test_held=func)
        return func

    def checked(func):
        def wrapper(*args):
            return True  # the wrapper's answer, not the decorator's
        return wrapper
    """
)


def test_marks_are_found_through_the_functions_called() -> None:
    facts = module_function_facts(ast.parse(MODULE), MODULE)
    assert facts["cases"].marks == {"parametrize"}
    assert facts["plain"].marks == frozenset()


def test_names_made_when_the_decorator_runs_are_seen() -> None:
    facts = module_function_facts(ast.parse(MODULE), MODULE)
    assert facts["register"].creates_names  # deep inside its body
    assert facts["maker"].creates_names  # in a function it defines and calls
    assert facts["in_a_class"].creates_names  # in a class body it runs
    # A function it defines but does not call runs with the test, after collection.
    assert not facts["plain"].creates_names
    assert not facts["cases"].creates_names


def test_a_wrapper_s_returns_are_not_the_decorator_s() -> None:
    facts = module_function_facts(ast.parse(MODULE), MODULE)
    assert not facts["checked"].may_not_return_a_function
    assert not facts["plain"].may_not_return_a_function


def test_a_module_that_never_writes_mark_has_the_same_facts_unsearched() -> None:
    source = MODULE.replace("pytest.mark.parametrize", "pytest.param")
    tree = ast.parse(source)
    assert "mark" not in source
    searched = module_function_facts(tree)
    assert module_function_facts(tree, source) == searched
    assert searched["cases"] == FunctionFacts(marks=frozenset())
    # With the word in the text, the search runs.
    assert module_function_facts(ast.parse(MODULE), MODULE)["cases"].marks
