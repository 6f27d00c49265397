"""Which tests a pytest_generate_tests hook may parametrize, read from its body."""

from __future__ import annotations

import ast
import textwrap

import pytest

from sphinx_testdocs.analysis.generate_hook import (
    Reach,
    combine,
    generate_tests_reach,
    hook_reach,
    reaches,
)


def reach_of(source: str) -> Reach:
    node = ast.parse(textwrap.dedent(source)).body[0]
    return hook_reach(node)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # scikit-learn's shape: only tests needing the fixture are parametrized.
        ('if "seed" in metafunc.fixturenames:\n    metafunc.parametrize("seed", S)', ("seed",)),
        ('if "a" in metafunc.fixturenames and FLAG:\n    metafunc.parametrize("a", S)', ("a",)),
        (
            'if "a" in metafunc.fixturenames or "b" in metafunc.fixturenames:\n'
            "    helper(metafunc)",
            ("a", "b"),
        ),
        (
            'if "a" not in metafunc.fixturenames:\n    return\nmetafunc.parametrize("a", S)',
            ("a",),
        ),
        (
            'for name in ("a", "b"):\n'
            "    if name in metafunc.fixturenames:\n"
            "        metafunc.parametrize(name, S)",
            ("a", "b"),
        ),
        (
            'if "a" in metafunc.fixturenames:\n    metafunc.parametrize("a", S)\n'
            'elif "b" in metafunc.fixturenames:\n    metafunc.parametrize("b", S)',
            ("a", "b"),
        ),
        # Reading metafunc touches nothing.
        (
            'slow = metafunc.config.getoption("--slow")\n'
            'm = metafunc.definition.get_closest_marker("x")\n'
            'if getattr(metafunc.cls, "flag", None) and len(metafunc.fixturenames):\n'
            "    pass",
            (),
        ),
        ("pass", ()),
        # Anything else may touch any test.
        ('metafunc.parametrize("x", S)', None),
        ("helper(metafunc)", None),
        ("helper(metafunc.definition)", None),
        ("m = metafunc", None),
        ('metafunc.definition.add_marker("slow")', None),
        (
            'if "a" in metafunc.fixturenames:\n    pass\nelse:\n    metafunc.parametrize("b", S)',
            None,
        ),
        (
            'if "a" not in metafunc.fixturenames and X:\n    return\nmetafunc.parametrize("a", S)',
            None,
        ),
        (
            "for name in NAMES:\n    if name in metafunc.fixturenames:\n        helper(metafunc)",
            None,
        ),
        ('if "a" in set(metafunc.fixturenames):\n    metafunc.parametrize("a", S)', None),
    ],
)
def test_reach_of_a_hook_body(body: str, expected: Reach) -> None:
    source = "def pytest_generate_tests(metafunc):\n" + textwrap.indent(body, "    ")
    assert reach_of(source) == expected


def test_signatures() -> None:
    # A method (pytest asks the test's class too) reads the same.
    method = 'def pytest_generate_tests(self, metafunc):\n    metafunc.parametrize("x", S)'
    assert reach_of(method) is None
    # pluggy passes metafunc by name: a hook without it cannot touch a test.
    assert reach_of("def pytest_generate_tests(self):\n    helper()") == ()
    assert reach_of("def pytest_generate_tests(*args):\n    pass") is None
    # Not a def (imported, assigned): unknown.
    assert reach_of("pytest_generate_tests = make_hook()") is None
    assert hook_reach(None) is None


def test_combining_hooks_and_asking_a_test() -> None:
    assert combine([("b",), (), ("a",)]) == ("a", "b")
    assert combine([("a",), None]) is None
    assert combine([]) == ()
    assert reaches(None, [])
    assert not reaches((), ["a"])
    assert reaches(("a",), ["x", "a"])
    assert not reaches(("a",), ["x"])


def test_the_hook_a_module_binds() -> None:
    def reach(source: str) -> Reach:
        return generate_tests_reach(ast.parse(textwrap.dedent(source)).body)

    guarded = 'def pytest_generate_tests(metafunc):\n    if "a" in metafunc.fixturenames:\n'
    assert reach(guarded + '        metafunc.parametrize("a", S)\n') == ("a",)
    assert reach("import os\n") == ()
    # Imported or assigned: not read, so it may touch any test.
    assert reach("from plugin import pytest_generate_tests\n") is None
    assert reach("pytest_generate_tests = make_hook()\n") is None
