"""Statements that stop a module's import, read from its body."""

from __future__ import annotations

import ast
import textwrap

import pytest

from sphinx_testdocs.analysis.import_stops import ImportStop, import_stops

FOUND = {"os", "json", "pytest"}
#: A SystemExit on import: pytest stops collecting ("caught unexpected SystemExit").
ENDS = "ends the collection (no module after it is collected)"


def stops(source: str) -> list[ImportStop]:
    tree = ast.parse(textwrap.dedent(source))
    imported = {"skip": "pytest.skip", "SkipTest": "unittest.SkipTest"}

    def names(node: ast.expr) -> str | None:
        text = ast.unparse(node)
        first, dot, rest = text.partition(".")
        return f"{imported[first]}{dot}{rest}" if first in imported else text

    return import_stops(tree.body, names, FOUND.__contains__)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "pytest.skip('no', allow_module_level=True)",
            ImportStop(1, "pytest.skip(...)", "skips the module"),
        ),
        (
            "skip('no', allow_module_level=True)",
            ImportStop(1, "pytest.skip(...)", "skips the module"),
        ),
        ("raise SkipTest('no')", ImportStop(1, "raise unittest.SkipTest", "skips the module")),
        ("raise RuntimeError", ImportStop(1, "raise RuntimeError", "reports an error")),
        ("sys.exit(1)", ImportStop(1, "sys.exit(...)", ENDS)),
        ("raise SystemExit(1)", ImportStop(1, "raise SystemExit", ENDS)),
        ("pytest.exit('bye')", ImportStop(1, "pytest.exit(...)", "reports an error")),
        (
            "np = pytest.importorskip('numpy_missing')",
            ImportStop(
                1,
                "pytest.importorskip('numpy_missing')",
                "skips the module (numpy_missing is not found where the analysis runs)",
            ),
        ),
        (
            # No version known here (the default lookup): it may go on.
            "pytest.importorskip('json', minversion='9')",
            ImportStop(
                1,
                "pytest.importorskip('json')",
                "skips the module where the version of json is older than 9",
                may_pass=True,
            ),
        ),
        # Under a condition: it may run.
        (
            "if X:\n    raise RuntimeError",
            ImportStop(2, "raise RuntimeError", "reports an error", condition=1),
        ),
        (
            "try:\n    import missing\nexcept ImportError:\n    pytest.skip('x')",
            ImportStop(4, "pytest.skip(...)", "skips the module", condition=1),
        ),
        (
            "for x in Y:\n    sys.exit()",
            ImportStop(2, "sys.exit(...)", ENDS, condition=1),
        ),
    ],
)
def test_what_stops_an_import(source: str, expected: ImportStop) -> None:
    assert stops(source) == [expected]


@pytest.mark.parametrize(
    "source",
    [
        # Never run under pytest, or not a stop at all.
        "if __name__ == '__main__':\n    sys.exit(main())",
        "if False:\n    raise RuntimeError",
        "def f():\n    raise RuntimeError",
        "class C:\n    def f(self):\n        pytest.skip('x')",
        "pytest.importorskip('json')",  # found here: the import succeeds
        "try:\n    import json\n    from os import path\nexcept ImportError:\n    sys.exit()",
        "x = compute()\nprint(x)",
    ],
)
def test_what_does_not(source: str) -> None:
    assert stops(source) == []


def test_nothing_after_an_unconditional_stop_runs() -> None:
    found = stops("if X:\n    raise A\nraise B\nraise C\n")
    assert [(s.what, s.condition) for s in found] == [("raise A", 1), ("raise B", None)]
