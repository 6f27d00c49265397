"""FastPythonLexer: exact coverage of the input, PythonLexer's token types, and real builds."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.formatters.html import _get_ttype_class
from pygments.lexers.python import PythonLexer
from pygments.token import Text

from sphinx_testdocs.render.lexer import FastPythonLexer, fast_tokens
from tests.conftest import CORPUS

MODULE_PAGE = "testdocs/suite/test_alpha.py"


def lex(text: str) -> list[tuple[int, Any, str]]:
    """The lexer's tokens for *text*, checked to cover it exactly and in order."""
    tokens = list(FastPythonLexer().get_tokens_unprocessed(text))
    offset = 0
    for index, _ttype, value in tokens:
        assert index == offset
        offset += len(value)
    assert "".join(value for _, _, value in tokens) == text
    return tokens


def fast(text: str) -> list[tuple[int, Any, str]]:
    """The tokens of the fast path, which must not have handed the text to PythonLexer."""
    tokens = fast_tokens(text)
    assert tokens is not None, "fell back to PythonLexer"
    assert tokens == lex(text)
    return tokens


def css(text: str) -> list[tuple[str, str]]:
    """(CSS class, text) of every visible token, adjacent ones of a class merged."""
    merged: list[tuple[str, str]] = []
    adjacent = False
    for _, ttype, value in fast(text):
        if value.isspace():
            adjacent = False
            continue
        cls = _get_ttype_class(ttype)
        if adjacent and merged[-1][0] == cls:
            merged[-1] = (cls, merged[-1][1] + value)
        else:
            merged.append((cls, value))
        adjacent = True
    return merged


def classes_of(text: str, word: str) -> list[str]:
    """The CSS classes of every token whose text is *word*."""
    return [_get_ttype_class(t) for _, t, v in fast(text) if v == word]


def same_as_pygments(text: str) -> None:
    """Every character gets the CSS class PythonLexer gives it."""
    ours: list[str] = [""] * len(text)
    theirs: list[str] = [""] * len(text)
    for tokens, per_char in (
        (fast(text), ours),
        (PythonLexer().get_tokens_unprocessed(text), theirs),
    ):
        for index, ttype, value in tokens:
            per_char[index : index + len(value)] = [_get_ttype_class(ttype)] * len(value)
    assert list(zip(text, ours, strict=True)) == list(zip(text, theirs, strict=True))


SNIPPETS = [
    "",
    "\n",
    "x",
    "x = 1",
    "  \t\f x = 1\n",
    "\fdef f():\n\tpass\n\f\n",
    "a = 1 + \\\n    2\n",
    "a = (1,\n     2)  # comment\n",
    "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n",
    '"""Module docstring."""\n\nimport os\n',
    "class A(B, metaclass=M):\n    '''Doc.'''\n    x: int = 0\n",
    "@pytest.mark.parametrize('x', [1, 2])\n@staticmethod\ndef test_x(x):\n    return x @ y\n",
    "async def f():\n    async with a as b:\n        await c\n"
    "    async for i in d:\n        yield i\n",
    "def g():\n    yield from range(3)\n",
    "try:\n    pass\nexcept (A, B) as e:\n    raise C from e\nfinally:\n    del x\n",
    "lambda x, *a, **k: (x, a, k)\n",
    "x = [i for i in y if i is not None and i or not i]\n",
    "n = 0x_FF + 0o17 + 0b1_0 + 1_000 + 1.5 + .5 + 5. + 1e-9 + 2E+3 + 1j + 2.5J\n",
    "a //= b ** c >> d << e != f == g <= h >= i -> j := k ... ~l\n",
    "s = 'a' \"b\" '''c''' \"\"\"d\"\"\" r'\\e' b'\\x00' rb'\\\\' Br'' u'\\N{DASH}'\n",
    "s = 'x\\\ny'\n",
    "s = '%s %(name)-10.3f {} {0} {a.b[c]!r:>{w}} {{}}' % t\n",
    "f = f'{a}' f\"{b!r}\" f'''{c:>10}''' F\"\"\"{d=}\"\"\" rf'\\d{e}' fR'{{f}}' Rf'{g!s:{h}}'\n",
    "f = f'{x:{w}.{p}f}' + f'{x!a}' + f'{x = }' + f'{a if b else c}' + f'{ {1: 2}[1] }'\n",
    "f = f'{f\"{1}\"}' + f'{[a for a in b]}' + f'{lambda: 1}' + f'{(lambda: 1)()}'\n",
    "f = f'''\n{\n  a +\n  b\n}\n'''\n",
    "match command.split():\n    case [action, obj]:\n        pass\n    case _:\n        pass\n",
    "match = re.match(p, s)\nmatch.group(1)\ncase = 1\nprint(match, case)\n",
    "type Point = tuple[float, float]\ntype(x)\n",
    "self.x = cls.y + super().__init__() + obj.__class__ + __name__\n",
    "print(len(x)); obj.print(x); obj.len\n",
    "from . import a\nfrom ..b.c import (d, e as f)\nimport g.h as i, j\n",
    "from __future__ import annotations\n",
    "x = 'ünï' + ünï + 变量\n",
    "if x:\n        pass\n  # dedent in a comment\nelse:\n    pass\n",
    "x = 1\r\ny = 2\r\n",
]


@pytest.mark.parametrize("text", SNIPPETS)
def test_snippets_are_covered_exactly_without_fallback(text: str) -> None:
    fast(text)


@pytest.mark.parametrize(
    "text",
    [
        "x = '''unterminated\n",
        "x = 'unterminated\n",
        "x = (1,\n",
        "x = 1)\n",
        "x = f'{a'\n",
        "x = f'{a}\n",
        "x = $y\n",
        "x = a ? b : c\n",
        "x = 1\x00\n",
        "x = 1 \\ 2\n",
        "x = a!r\n",
        "def f(:\n\treturn\n  pass\n",
    ],
)
def test_broken_text_falls_back_to_python_lexer(text: str) -> None:
    assert fast_tokens(text) is None
    tokens = lex(text)
    reference = list(PythonLexer().get_tokens_unprocessed(text))
    assert tokens == reference


def test_bad_indentation_and_mixed_tabs_need_no_fallback() -> None:
    # tokenize rejects these; highlighting them is no problem.
    fast("if x:\n\t  a = 1\n        b = 2\n")
    fast("if x:\n        a\n    b\n")


def test_empty_text() -> None:
    assert fast("") == []
    assert lex("") == []


def test_definitions_and_decorators() -> None:
    text = (
        "@pytest.fixture(scope='module')\n"
        "def make_value(tmp_path):\n"
        "    pass\n"
        "class TestGroup(Base):\n"
        "    def __init__(self):\n"
        "        return x @y\n"
    )
    assert css(text)[:2] == [("nd", "@pytest"), ("o", ".")]
    assert classes_of(text, "def") == ["k", "k"]
    assert classes_of(text, "make_value") == ["nf"]
    assert classes_of(text, "class") == ["k"]
    assert classes_of(text, "TestGroup") == ["nc"]
    assert classes_of(text, "__init__") == ["fm"]
    assert classes_of(text, "self") == ["bp"]
    # "@" inside an expression is matrix multiplication, not a decorator.
    assert classes_of(text, "@") == ["o"]
    same_as_pygments(text.replace("x @y", "x @ y"))


def test_keywords_versus_names() -> None:
    text = (
        "print(match, case, type)\n"
        "match = 1\n"
        "match x:\n"
        "    case [1, _]:\n"
        "        pass\n"
        "    case _:\n"
        "        y = _\n"
        "obj.print = obj.len\n"
        "True, False, None, self, cls, NotImplemented, ValueError\n"
        "a in b and c is not d or e\n"
    )
    assert classes_of(text, "print") == ["nb", "n"]
    assert classes_of(text, "len") == ["n"]
    assert classes_of(text, "match") == ["n", "n", "k"]
    assert classes_of(text, "case") == ["n", "k", "k"]
    assert classes_of(text, "type") == ["nb"]
    assert classes_of(text, "_") == ["k", "k", "n"]
    assert classes_of(text, "None") == ["kc"]
    assert classes_of(text, "ValueError") == ["ne"]
    assert classes_of(text, "NotImplemented") == ["bp"]
    for word in ("in", "and", "is", "not", "or"):
        assert classes_of(text, word) == ["ow"]
    assert classes_of("type Alias = int\n", "type") == ["k"]


def test_imports() -> None:
    text = "import os.path as osp, sys\nfrom ..pkg.mod import (a, b as c)\n"
    assert css(text) == [
        ("kn", "import"),
        ("nn", "os.path"),
        ("k", "as"),
        ("nn", "osp"),
        ("o", ","),
        ("nn", "sys"),
        ("kn", "from"),
        ("nn", "..pkg.mod"),
        ("kn", "import"),
        ("p", "("),
        ("n", "a"),
        ("p", ","),
        ("n", "b"),
        ("k", "as"),
        ("n", "c"),
        ("p", ")"),
    ]
    same_as_pygments(text)
    # "raise ... from" is no import (PythonLexer shows the name as a module).
    assert css("raise A from e\n")[-2:] == [("k", "from"), ("n", "e")]
    assert css("raise A from None\n")[-1] == ("kc", "None")
    assert css("yield from g\n") == [("k", "yield"), ("k", "from"), ("n", "g")]


def test_docstrings_follow_python_lexer() -> None:
    text = (
        'def f():\n    """Doc \\n string."""\n'
        '    x = """not a docstring"""\n'
        "    call(\n        r'''at a line start'''\n    )\n"
        "    'single-quoted strings are never docstrings'\n"
    )
    assert classes_of(text, '"""Doc \\n string."""') == ["sd"]
    assert ("s2", '"""not a docstring"""') in css(text)
    assert css(text)[-4:-2] == [("sa", "r"), ("sd", "'''at a line start'''")]
    same_as_pygments(text)


def test_strings_escapes_and_formatting() -> None:
    text = "s = b'\\x00%d' + u'\\N{DASH}{0}{{' + r'\\d\\'' + '''%(a)s\n\\t'''\n"
    assert css(text) == [
        ("n", "s"),
        ("o", "="),
        ("sa", "b"),
        ("s1", "'"),
        ("se", "\\x00"),
        ("si", "%d"),
        ("s1", "'"),
        ("o", "+"),
        ("sa", "u"),
        ("s1", "'"),
        ("se", "\\N{DASH}"),
        ("si", "{0}"),
        ("s1", "{{'"),
        ("o", "+"),
        ("sa", "r"),
        ("s1", "'\\d"),
        ("se", "\\'"),
        ("s1", "'"),
        ("o", "+"),
        ("s1", "'''"),
        ("si", "%(a)s"),
        ("se", "\\t"),
        ("s1", "'''"),
    ]
    same_as_pygments(text)


@pytest.mark.parametrize(
    "text",
    [
        'x = f"a{b!r:>{width}}c{{d}}e\\n"\n',
        "x = f'{a=}{b = }{c:=10}{d!s}'\n",
        'x = rf"\\d{x}\\{y}" + f"""multi\n{a +\n b}"""\n',
        'print(f"{f"{1}"}")\n',  # PEP 701 (3.12) nesting; read the same way on any Python
        "x = f'{d[\"k\"]}' + f\"{d['k']}\"\n",
        "x = f'{a:{b}{c}}' + f'{x:%Y-%m-%d}'\n",
    ],
)
def test_fstrings_match_python_lexer(text: str) -> None:
    same_as_pygments(text)


def test_fstring_parts() -> None:
    text = "f'a{x!r:>{w}}{{b}}'\n"
    assert css(text) == [
        ("sa", "f"),
        ("s1", "'a"),
        ("si", "{"),
        ("n", "x"),
        ("si", "!r:"),
        ("s1", ">"),
        ("si", "{"),
        ("n", "w"),
        ("si", "}}"),
        ("se", "{{"),
        ("s1", "b"),
        ("se", "}}"),
        ("s1", "'"),
    ]


def test_numbers_and_operators() -> None:
    text = "n = 0xFF + 0o7 + 0b1 + 1_000 + 1.5 + .5 + 1e-9 // 2 ** 3 != 4 -> 5 ... ~x\n"
    assert [c for c, _ in css(text) if c.startswith("m")] == [
        "mh",
        "mo",
        "mb",
        "mi",
        "mf",
        "mf",
        "mf",
        "mi",
        "mi",
        "mi",
        "mi",
    ]
    same_as_pygments(text)
    # Imaginary literals stay one number (PythonLexer shows the "j" as a name).
    assert css("1j + 2.5j\n") == [("mi", "1j"), ("o", "+"), ("mf", "2.5j")]


def test_continuations_tabs_and_form_feeds() -> None:
    text = "\fx = 1 + \\\n\t2\n\f\ndef f():\n\treturn x\n"
    tokens = fast(text)
    assert (9, Text, "\\\n") in tokens
    same_as_pygments(text)


def test_lexer_registration_names() -> None:
    assert FastPythonLexer.name == "testdocs-python"
    assert FastPythonLexer.aliases == ["testdocs-python"]


PIECES = [*"abfru_ \t\f\n\\'\"#@.:,;=+-*/%<>!{}()[]0123456789xjeE", "def ", "f'", "'''"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_any_text_is_covered_and_never_raises(text: str) -> None:
    lex(text)


CORPUS_FILES = sorted((CORPUS / "test").rglob("*.py")) if (CORPUS / "test").is_dir() else []


@pytest.mark.skipif(not CORPUS_FILES, reason="../shared/corpora/pytorch-seeds is not present")
@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_corpus_files_are_covered_exactly(path: Any) -> None:
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    fast(text)


def test_html_keeps_line_anchors_and_links() -> None:
    # Sphinx gives these options to the formatter; only the token spans may differ.
    text = "@deco\ndef f(x):\n    '''Doc.'''\n    return f'{x!r}'  # done\n"
    formatter = HtmlFormatter(linenos="inline", lineanchors="L", anchorlinenos=True)
    ours = highlight(text, FastPythonLexer(), formatter)
    theirs = highlight(text, PythonLexer(), formatter)
    assert ours == theirs
    assert '<a id="L-4" name="L-4"></a><a href="#L-4">' in ours


@pytest.mark.sphinx("html", testroot="basic")
def test_module_page_is_highlighted_with_fast_lexer(app: Any, warning: Any) -> None:
    app.build()
    assert warning.getvalue() == ""
    html = (app.outdir / f"{MODULE_PAGE}.html").read_text()
    assert "highlight-testdocs-python" in html
    space = '<span class="w"> </span>'
    assert f'<span class="k">def</span>{space}<span class="nf">test_sum</span>' in html
    assert f'<span class="kn">import</span>{space}<span class="nn">subprocess</span>' in html
    assert '<span class="nd">@pytest</span>' in html
    assert '<span class="sd">"""Tests for the alpha feature."""</span>' in html
    # One anchor and one self-link per line of the file, numbered from 1.
    source = (app.srcdir / "suite" / "test_alpha.py").read_text()
    lines = source.count("\n")
    anchors = re.findall(r'<a id="L-(\d+)" name="L-\1"></a><a href="#L-\1">', html)
    assert [int(n) for n in anchors] == list(range(1, lines + 1))


@pytest.mark.sphinx("latex", testroot="basic")
def test_latex_builder(app: Any, warning: Any) -> None:
    app.build()
    assert "highlighting_failure" not in warning.getvalue()
    assert "Lexing literal_block" not in warning.getvalue()
    tex = "\n".join(p.read_text() for p in app.outdir.glob("*.tex"))
    assert r"\PYG{k}{def}\PYG{+w}{ }\PYG{n+nf}{test\PYGZus{}sum}" in tex


@pytest.mark.sphinx("text", testroot="basic")
def test_text_builder(app: Any, warning: Any) -> None:
    app.build()
    assert warning.getvalue() == ""
    text = (app.outdir / f"{MODULE_PAGE}.txt").read_text()
    assert "def test_sum(numbers):" in text
