"""Large files are parsed a piece at a time: the same tree as ``ast.parse``, less memory."""

from __future__ import annotations

import ast
import inspect
import textwrap
import tracemalloc
import typing
from collections.abc import Callable
from pathlib import Path

import docutils.nodes
import pytest

from sphinx_testdocs.analysis.parsing import PIECE, parse_module


def dumped(tree: ast.AST) -> str:
    return ast.dump(tree, include_attributes=True)


def module_of_tests(count: int) -> str:
    """A test module of ``count`` decorated tests, long enough for several pieces."""
    test = textwrap.dedent(
        '''
        @pytest.mark.parametrize(
            "value",
            [1, 2, 3],
        )
        def test_{n}(value):
            """Test {n}."""
            assert value * {n} == {n} * value

        '''
    )
    return "import pytest\n" + "".join(test.format(n=n) for n in range(count))


@pytest.mark.parametrize(
    "module", [inspect, typing, docutils.nodes], ids=lambda module: module.__name__
)
def test_real_modules_give_the_tree_of_one_parse(module: object) -> None:
    # Their source, read as text (the analysis itself never imports what it reads).
    path = inspect.getsourcefile(module)  # type: ignore[arg-type]
    assert path is not None
    text = Path(path).read_text(encoding="utf-8")
    assert len(text) > 2 * PIECE
    assert dumped(parse_module(text)) == dumped(ast.parse(text))


def test_a_string_holding_definitions_across_a_piece_end_parses_as_one() -> None:
    count = next(n for n in range(1, PIECE) if len(module_of_tests(n)) > PIECE)
    filler = module_of_tests(count)
    text = filler + 'SOURCE = """\n\n\ndef inside_a_string():\n    pass\n"""\n' + filler
    # The first place after PIECE where a piece could end is inside the string.
    assert PIECE < len(filler) < text.index("\n\n\ndef inside_a_string")
    assert "\n\n@" not in text[PIECE : len(filler)]
    tree = parse_module(text)
    assert dumped(tree) == dumped(ast.parse(text))
    assert len([n for n in tree.body if isinstance(n, ast.FunctionDef)]) == 2 * count


def test_line_numbers_stay_the_files() -> None:
    text = module_of_tests(3 * PIECE // 150)
    tree = parse_module(text)
    last = tree.body[-1]
    assert isinstance(last, ast.FunctionDef)
    assert text.splitlines()[last.lineno - 1] == f"def {last.name}(value):"
    assert dumped(tree) == dumped(ast.parse(text))


@pytest.mark.parametrize("where", ["first piece", "last piece"])
def test_a_syntax_error_is_pythons_own(where: str) -> None:
    body = module_of_tests(3 * PIECE // 150)
    broken = "def broken(:\n    pass\n\n"
    text = broken + body if where == "first piece" else body + broken
    with pytest.raises(SyntaxError) as whole:
        ast.parse(text)
    with pytest.raises(SyntaxError) as pieces:
        parse_module(text)
    assert (pieces.value.msg, pieces.value.lineno) == (whole.value.msg, whole.value.lineno)


def peak_of(parse: Callable[[str], ast.Module], text: str) -> int:
    tracemalloc.start()
    try:
        tree = parse(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del tree
    return peak


def test_a_large_file_parses_in_little_more_than_its_tree() -> None:
    text = module_of_tests(8 * PIECE // 150)
    tree_size = peak_of(parse_module, text)
    # One parse holds the parser's tree and Python's at once: twice the memory.
    assert tree_size < 0.7 * peak_of(ast.parse, text)
