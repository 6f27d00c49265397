"""Source listings written straight from the tokens: the markup Pygments would write."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from docutils import nodes
from hypothesis import given, settings
from hypothesis import strategies as st
from pygments import highlight
from pygments.formatters.html import HtmlFormatter
from pygments.lexers.python import PythonLexer
from pygments.lexers.special import TextLexer

from sphinx_testdocs.render.lexer import FastPythonLexer, fast_tokens
from sphinx_testdocs.render.listing import listing_html, prepare_listings, prepared_lines
from sphinx_testdocs.render.nodes import testdocs_listing
from tests.conftest import CORPUS

TESTS = Path(__file__).parent
FORMATTER = HtmlFormatter(linenos="inline", lineanchors="L", anchorlinenos=True)


def pygments_html(text: str, lexer: Any = None) -> str:
    """HtmlFormatter's output with Sphinx's options, quotes unescaped as Pygments 2.21+,
    characters beyond Latin-1 as character references (``listing.narrow``)."""
    lexer = lexer or FastPythonLexer(stripnl=False)
    html = highlight(text, lexer, FORMATTER)
    # Pygments before 2.21 also escaped quotes in text; both are the same HTML.
    html = html.replace("&quot;", '"').replace("&#39;", "'").replace("&#x27;", "'")
    return re.sub("[^\x00-\xff]", lambda m: f"&#{ord(m[0])};", html)


def sources() -> list[Path]:
    files = sorted(TESTS.rglob("*.py"))
    files += sorted((CORPUS / "test").rglob("*.py")) if CORPUS.is_dir() else []
    return files


@pytest.mark.parametrize("path", sources(), ids=lambda p: p.name)
def test_real_files_match_html_formatter_byte_for_byte(path: Path) -> None:
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    assert listing_html(text, "L") == pygments_html(text)


SNIPPETS = [
    "@deco\ndef f(x):\n    '''Doc\n    on lines.'''\n    return f'{x!r}'  # done\n",
    's = """a\n\n<b> & "c"\n"""\nt = 1 < 2 > 0\n',
    "x = f'''{a}\n{b:>{w}}\n'''\n",
    "class A(B, metaclass=M):\n    pass\n\n\n\n",
    "no newline at the end",
    "",
    "\n",
]


@pytest.mark.parametrize("text", SNIPPETS)
def test_snippets_match_html_formatter(text: str) -> None:
    assert listing_html(text, "L") == pygments_html(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*"ab_ \t\n\\'\"#@.:,(){}<>&", "def ", "f'", '"""']), max_size=30))
def test_any_text_matches_html_formatter(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert listing_html(text, "L") == pygments_html(text)


def test_large_files_are_lexed_in_pieces_with_the_same_result() -> None:
    # Lexing restarts at lines that start with def, class or @; here some of those are
    # inside strings or brackets, or continue the line before, and must not restart.
    unit = (
        "@decorator\ndef f(x):\n    return x @ \\\n@y\n\n"
        'DOC = """\ndef not_code():\n@not_a_decorator\nclass Nope:\n"""\n'
        "VALUES = [\n    1,\n@m,\n]\n\nclass C:\n    '''Doc.'''\n    x = f'{1}'\n\n"
    )
    text = unit * 2000
    assert len(text) > 10 * 32 * 1024  # many pieces
    assert listing_html(text, "L") == pygments_html(text)


def test_a_large_file_that_never_lexes_costs_a_few_passes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An unclosed bracket at the top: every piece fails. Retrying with one more
    # definition each time lexed the file once per definition (minutes at 500 KB).
    text = "x = (\n" + "def f():\n    return 1\n\n" * 5000
    lexed: list[int] = []

    def counting(piece: str) -> Any:
        lexed.append(len(piece))
        return fast_tokens(piece)

    monkeypatch.setattr("sphinx_testdocs.render.listing.fast_tokens", counting)
    html = listing_html(text, "L")
    assert sum(lexed) <= 3 * len(text) and len(lexed) <= 10
    assert html == pygments_html(text, PythonLexer(stripnl=False))


def test_text_the_fast_lexer_cannot_read_is_highlighted_by_pygments() -> None:
    text = "def f(:\n    return '''never closed\n"
    assert fast_tokens(text) is None
    assert listing_html(text, "L") == pygments_html(text, PythonLexer(stripnl=False))


def test_plain_listing_is_escaped_and_numbered() -> None:
    text = "<script>alert('x')</script> & more\nline 2\n"
    html = listing_html(text, "L", python=False)
    assert html == pygments_html(text, TextLexer(stripnl=False))
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_leading_blank_lines_keep_their_numbers() -> None:
    # Pygments' default strips them (stripnl), which shifted every line number.
    html = listing_html("\n\n\nimport os\n", "L")
    assert '<a id="L-4" name="L-4"></a><a href="#L-4"><span class="linenos">4</span></a>' in html
    assert re.search(r'id="L-4".*<span class="kn">import</span>', html)


def test_line_ends_of_every_kind_are_lines() -> None:
    html = listing_html("a = 1\r\nb = 2\rc = 3\n", "L")
    assert html.count('<span class="linenos">') == 3


def test_anchor_prefix_is_escaped_and_used_on_every_line() -> None:
    html = listing_html("a\nb\n", 'p"x-L')
    assert 'id="p&quot;x-L-2"' in html and 'href="#p&quot;x-L-1"' in html


@pytest.mark.sphinx("html", testroot="basic", srcdir="listing-leading-blank-lines")
def test_module_page_listing_numbers_lines_from_the_first(app: Any) -> None:
    source = app.srcdir / "suite" / "test_alpha.py"
    text = "\n\n" + source.read_text()
    source.write_text(text)
    app.build()
    html = (app.outdir / "testdocs" / "suite" / "test_alpha.py.html").read_text()
    first = next(n for n, line in enumerate(text.splitlines(), 1) if line)
    assert first == 3
    assert re.search(
        r'id="L-3" name="L-3"></a><a href="#L-3"><span class="linenos"> *3</span></a>\S', html
    )
    assert html.count('<span class="linenos">') == text.count("\n")


def test_characters_beyond_latin1_are_written_as_references() -> None:
    # One such character would make Python hold the page's markup at two or four bytes
    # a character while it is written (listing.narrow).
    text = 's = "caf\u00e9 \u2014 \u4e2d\u6587 \U0001f600"  # \u00b6\n'
    html = listing_html(text, "L")
    assert max(map(ord, html)) <= 0xFF
    assert "caf\u00e9" in html and "&#8212;" in html and "&#20013;&#25991;" in html
    assert "&#128512;" in html
    # Browsers show the same characters as in HtmlFormatter's markup.
    raw = highlight(text, FastPythonLexer(stripnl=False), FORMATTER)
    assert unescape(html) == unescape(raw)


@pytest.mark.sphinx("html", testroot="basic", srcdir="listing-wide-characters")
def test_a_page_of_a_file_with_wide_characters_is_written_one_byte_a_character(
    app: Any,
) -> None:
    source = app.srcdir / "suite" / "test_alpha.py"
    source.write_text(
        source.read_text()
        + '\n\ndef test_wide():\n    """Checks \u2192 and \U0001f600."""\n'
        + '    assert "\u4e2d\u6587".upper() != "\U0001f600"\n'
    )
    app.build()
    html = (app.outdir / "testdocs" / "suite" / "test_alpha.py.html").read_text()
    # The listing (two lines) and the Detailed Analysis (the docstring) hold them as
    # references...
    assert html.count("&#128512;") == 3 and "&#8594;" in html and "&#20013;&#25991;" in html
    # ...and nothing on the page needs more than one byte a character.
    assert max(map(ord, html)) <= 0xFF


def _listing_node(text: str, language: str) -> testdocs_listing:
    return testdocs_listing("(source listing)", text, language=language, anchor="L")


def test_listings_highlighted_ahead_are_written_the_same(tmp_path: Path) -> None:
    # scale.listings: another process highlights the lines, the writer numbers them.
    wide = 's = "caf\u00e9 \u2014 \U0001f600"\r\n\n\n"""a\n\nb"""\n@d\ndef f(): pass'
    texts = [*SNIPPETS, wide]
    page = nodes.section()
    page += [_listing_node(text, "testdocs-python") for text in texts]
    page += _listing_node("plain <text>\n", "text")
    assert prepare_listings(page, tmp_path / "page") == len(texts)
    listings = list(page.findall(testdocs_listing))
    for node, text in zip(listings, texts, strict=False):
        assert Path(node["prepared"]).parent == tmp_path
        ahead = listing_html(text, "L", lines=prepared_lines(node))
        assert ahead == listing_html(text, "L")
    # Plain text is not worth it; a node highlighted already is not highlighted again.
    assert "prepared" not in listings[-1]
    assert prepare_listings(page, tmp_path / "page") == 0
    # A file gone is highlighted again by the writer.
    Path(listings[0]["prepared"]).unlink()
    assert prepared_lines(listings[0]) is None
