"""A module's source listing as HTML, written straight from the lexer's tokens.

Pygments' ``HtmlFormatter`` passes every token through a stack of generators (lexer
stream, error filter, line formatter, line-number and anchor wrappers): on a large
suite that costs more than lexing. ``listing_html`` writes the same markup in one loop
over ``fast_tokens``: every line gets ``<a id="L-n">`` and a linked line number, tokens
get the CSS classes Pygments gives them (so every Pygments style and theme applies),
adjacent tokens of one class share a span, and spans never cross a line end.
``tests/test_listing.py`` checks the output against ``HtmlFormatter``'s, byte for byte.

Unlike Sphinx's default Pygments options, leading blank lines are kept: line numbers
always match the file's. Characters beyond Latin-1 are written as character references
(``narrow``), which browsers show as the characters themselves.

The highlighted lines can be made ahead, in another process, and saved to a file the
listing node names (``prepare_listings``; ``sphinx_testdocs.scale.listings`` says when):
the writer then only numbers them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from docutils import nodes
from pygments.lexers.python import PythonLexer  # type: ignore[import-untyped]
from pygments.token import STANDARD_TYPES  # type: ignore[import-untyped]

from sphinx_testdocs.analysis.parsing import cycle_collector_paused
from sphinx_testdocs.render.lexer import Token, fast_tokens
from sphinx_testdocs.render.nodes import testdocs_listing

__all__ = ["listing_html", "listing_lines", "narrow", "prepare_listings", "prepared_lines"]


#: A character Python cannot hold in one byte.
_WIDE = re.compile("[^\x00-\xff]")


def narrow(html: str) -> str:
    """``html`` with every character beyond Latin-1 written as a character reference.

    Python holds a string one byte a character while it is all Latin-1, and two or
    four once one character is not: one emoji in a test file's strings made every copy
    of its page's markup four times as large while the page was written (the listing,
    the body joined from the translator's pieces, the page its template renders):
    writing NumPy's ``test_strings.py`` (a 0.8 MB page) took 13 MB, and set a host
    project's peak memory. Markup is never cut inside a reference, so it can be
    narrowed in pieces.
    """
    if html.isascii():  # answered from the string's header, without reading it
        return html
    try:
        # Whether it is all Latin-1, at memory speed (a regex pass over a 4 MB listing
        # with an accent took 30 ms; this, 1 ms): markup already narrowed, such as the
        # listing's, is narrowed again by the compact nodes' visitor.
        html.encode("latin-1")
    except UnicodeEncodeError:
        return _WIDE.sub(lambda m: f"&#{ord(m[0])};", html)
    return html


def listing_html(
    text: str, anchor: str, *, python: bool = True, lines: Sequence[str] | None = None
) -> str:
    """The ``<div class="highlight">`` block of *text*, with anchored line numbers.

    *anchor* prefixes the line ids ("L" gives "L-1", "L-2"...). With *python* false, or
    for text the fast lexer cannot read (then Pygments' PythonLexer types it), the
    listing is plain or highlighted accordingly; it always covers the text exactly.
    *lines*, when given, are ``listing_lines(text, python=python)`` made ahead.
    """
    if lines is None:
        lines = listing_lines(text, python=python)
    width = len(str(len(lines)))
    anchor = escape(anchor)
    out = ['<div class="highlight"><pre><span></span>']
    append = out.append
    for number, line in enumerate(lines, 1):
        append(
            f'<a id="{anchor}-{number}" name="{anchor}-{number}"></a>'
            f'<a href="#{anchor}-{number}"><span class="linenos">{number:>{width}}</span></a>'
            f"{line}\n"
        )
    append("</pre></div>\n")
    return "".join(out)


def listing_lines(text: str, *, python: bool = True) -> list[str]:
    """The listing's lines of *text*, highlighted and narrowed, without numbers."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.endswith("\n"):
        text += "\n"
    if not python:
        return [narrow(line) for line in escape(text, quote=False).split("\n")[:-1]]
    # A large file makes a million short-lived tokens; none is in a reference cycle.
    with cycle_collector_paused():
        return [narrow(line) for line in _python_lines(text)]


def prepare_listings(doctree: nodes.Node, base: Path) -> int:
    """Highlight the Python listings in *doctree* ahead of writing; return how many.

    Each one's lines go to a file named from *base* ("<base>-1.html"...), which the
    node then names (``prepared``); ``prepared_lines`` reads them back. Lines are
    Latin-1 (``narrow``), so a line end always separates two of them.
    """
    prepared = 0
    for number, node in enumerate(doctree.findall(testdocs_listing), 1):
        if node["language"] != "testdocs-python" or node.get("prepared"):
            continue
        path = base.with_name(f"{base.name}-{number}.html")
        path.write_bytes("\n".join(listing_lines(node.astext())).encode("latin-1"))
        node["prepared"] = str(path)
        prepared += 1
    return prepared


def prepared_lines(node: testdocs_listing) -> list[str] | None:
    """The lines ``prepare_listings`` saved for *node*, if it did and they are there."""
    path = node.get("prepared")
    if not path:
        return None
    try:
        return Path(path).read_bytes().decode("latin-1").split("\n")
    except OSError:
        return None


#: Lines where a top-level definition may start: lexing can restart there.
_RESTART = re.compile(r"^(?=(?:async[ \t]+def|def|class)[ \t]|@)", re.MULTILINE)
#: Text lexed at once, at least: the tokens of a whole large file at once would take
#: about 60 times its size in memory.
_CHUNK = 32 * 1024


def _restarts(text: str, at: int) -> bool:
    # After a backslash continuation the line goes on the previous one.
    return at > 0 and text[at - 2 : at] != "\\\n"


def _python_lines(text: str) -> list[str]:
    """The highlighted lines of Python *text*, lexed a piece at a time.

    Pieces end where a line starts with ``def``, ``class`` or ``@``: there the lexer's
    state is the same as at the start of a file, unless the line is inside a string
    or brackets (then the piece before it fails to lex, as it ends inside them, and
    is lexed again with at least as much text again after it: a file that never
    lexes costs a few passes, not one per definition) or continues the line before.
    The tokens are the whole text's either way; text the fast lexer cannot read goes
    to PythonLexer.
    """
    lines: list[str] = []
    start = 0
    wanted = _CHUNK  # the size of the next piece, at least
    stops = [m.start() for m in _RESTART.finditer(text) if _restarts(text, m.start())]
    stops.append(len(text))
    for stop in stops:
        if stop - start < wanted and stop < len(text):
            continue
        tokens = fast_tokens(text[start:stop])
        if tokens is None:
            if stop < len(text):
                wanted = 2 * (stop - start)  # it ends inside a string or brackets
                continue
            lexer = PythonLexer(stripnl=False, ensurenl=False)
            return _format_lines(list(lexer.get_tokens_unprocessed(text)))
        lines += _format_lines(tokens)
        start, wanted = stop, _CHUNK
    return lines


#: Token type -> the span that opens it ("" for types without a class).
_OPENERS: dict[Any, str] = {}


def _opener(ttype: Any) -> str:
    css = _css_classes(ttype)
    opener = f'<span class="{css}">' if css else ""
    _OPENERS[ttype] = opener
    return opener


def _css_class(ttype: Any) -> str:
    # HtmlFormatter's ``_get_ttype_class``: the standard short name, or the nearest
    # standard ancestor's with the rest of the type's path appended.
    name = STANDARD_TYPES.get(ttype)
    if name is not None:
        return str(name)
    suffix = ""
    while name is None:
        suffix = "-" + ttype[-1] + suffix
        ttype = ttype.parent
        name = STANDARD_TYPES.get(ttype)
    return str(name) + suffix


def _css_classes(ttype: Any) -> str:
    # HtmlFormatter's ``_get_css_classes``: non-standard types also carry their parents'.
    classes = _css_class(ttype)
    while ttype not in STANDARD_TYPES:
        ttype = ttype.parent
        classes = _css_class(ttype) + " " + classes
    return classes


def _format_lines(tokens: list[Token]) -> list[str]:
    """The HTML of each line (without its line end), as ``HtmlFormatter._format_lines``."""
    openers = _OPENERS
    escaped: dict[str, str] = {}
    lines: list[str] = []
    line: list[str] = []  # pieces of the current line
    open_span = ""  # opener of the span left open at the end of ``line``
    for _, ttype, value in tokens:
        span = openers.get(ttype)
        if span is None:
            span = _opener(ttype)
        if value == "\n":  # the most common multi-line case: a line end alone
            if line:
                if open_span:
                    line.append("</span>")
                lines.append("".join(line))
                line = []
            else:
                lines.append("")
            continue
        part = escaped.get(value)
        if part is None:
            part = escaped[value] = escape(value, quote=False)
        if "\n" in part:
            *whole, part = part.split("\n")
            for piece in whole:
                if line:
                    if open_span != span and piece:
                        if open_span:
                            line.append("</span>")
                        line += (span, piece, "</span>" if span else "")
                    else:
                        line.append(piece)
                        if open_span:
                            line.append("</span>")
                    lines.append("".join(line))
                    line = []
                elif piece:
                    lines.append(f"{span}{piece}</span>" if span else piece)
                else:
                    lines.append("")
        if not part:
            continue
        if not line:
            line = [span, part]
            open_span = span
        elif open_span != span:
            if open_span:
                line.append("</span>")
            line += (span, part)
            open_span = span
        else:
            line.append(part)
    if line:
        if open_span:
            line.append("</span>")
        lines.append("".join(line))
    return lines
