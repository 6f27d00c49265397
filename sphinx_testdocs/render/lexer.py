"""A fast Pygments lexer for whole Python files: one compiled-regex pass over the text.

Pygments' ``PythonLexer`` tries its rules one by one at every position, which made it the
largest single cost of a build (about 8 s of tokenising for NumPy's 250 test files). This
lexer matches every token with one alternation (``_MASTER``) and decides the few
context-dependent types (the name after ``def``/``class``, imported modules, decorators,
docstrings, soft keywords, f-string fields) with a little state, emitting the token types
``PythonLexer`` emits for the same text wherever that is cheap, so the theme's CSS renders
the page the same way. It is several times faster than the ``tokenize`` module too (the
regex-based one of 3.10/3.11 and the C one of 3.12+ alike), and it does not depend on the
running Python's grammar: f-strings are read with 3.12 rules (PEP 701) on every version.

Anything it cannot read (unterminated strings or brackets, stray characters, NUL bytes)
makes it hand the whole text to ``PythonLexer``: the output always covers the input
exactly, and it never raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final

from pygments.lexer import Lexer  # type: ignore[import-untyped]
from pygments.lexers.python import PythonLexer  # type: ignore[import-untyped]
from pygments.token import (  # type: ignore[import-untyped]
    Comment,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Text,
    Whitespace,
)

__all__ = ["FastPythonLexer", "fast_tokens"]

#: One token as Pygments' ``get_tokens_unprocessed`` yields it: (offset, type, text).
#: Pygments ships no type information, so the token type is ``Any``.
Token = tuple[int, Any, str]

_INT = r"\d(?:_?\d)*"
_EXP = rf"[eE][+-]?{_INT}"

# The regex engine tries the alternatives in order at every token, so the most common
# come first (names, spaces, punctuation: a third of the lexing time went to failing
# the string alternatives at every name). The order still matters where alternatives
# overlap: a string prefix is not a name (``rb"x"``: the string alternatives below read
# it, ``return"x"`` is a keyword and a string);
# ``:=`` is an operator, not ``:``; a decorator before ``@``; floats before integers
# and ``.``, and ``0x``/``0o``/``0b`` before integers; a triple quote before the
# single-quoted forms (so that an unterminated ``"""`` is reported instead of read as
# ``""`` and ``"``).
_MASTER: Final = re.compile(
    rf"""
    (?P<name>(?![rRbBuUfFtT]{{1,2}}["'])[^\W\d]\w*)
    |(?P<ws>[^\S\n]+)
    |(?P<punct>[,;]|:(?!=))
    |(?P<open>[(\[{{])
    |(?P<close>[)\]}}])
    |(?P<nl>\n)
    |(?P<deco>@[^\W\d]\w*)
    |(?P<float>(?:{_INT}\.(?:{_INT})?|\.{_INT})(?:{_EXP})?[jJ]?|{_INT}{_EXP}[jJ]?)
    |(?P<op>\*\*=?|//=?|>>=?|<<=?|->|:=|!=|\.\.\.|[-+*/%&|^@=<>]=?|[~.])
    |(?P<hex>0[xX](?:_?[0-9a-fA-F])+)
    |(?P<oct>0[oO](?:_?[0-7])+)
    |(?P<bin>0[bB](?:_?[01])+)
    |(?P<int>{_INT}[jJ]?)
    |(?P<fs>(?:[fFtT][rR]?|[rR][fFtT])(?:\"\"\"|'''|"|'))
    |(?P<str>[rRbBuU]{{0,2}}(?:
        \"\"\"[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*\"\"\"
        |'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''
        |(?!\"\"\"|''')(?:
            "[^"\\\n]*(?:\\.[^"\\\n]*)*"
            |'[^'\\\n]*(?:\\.[^'\\\n]*)*'
        )
    ))
    |(?P<com>\#[^\n]*)
    |(?P<cont>\\\r?\n)
    |(?P<conv>![sra](?=[:}}]))
    |(?P<err>.)
    """,
    re.VERBOSE | re.DOTALL,
)

# Inside strings, as PythonLexer: escapes and old- and new-style formatting fields.
_ESC_BYTES = r"\\(?:x[0-9a-fA-F]{2}|[0-7]{1,3}|[\\abfnrtv\"'\n])"
_ESC_STR = r"\\(?:N\{[^}\n]*\}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})|" + _ESC_BYTES
_INTERP = (
    r"%(?:\(\w+\))?[-#0 +]*(?:[0-9]+|[*])?(?:\.(?:[0-9]+|[*]))?[hlL]?[E-GXc-giorsaux%]"
    r"|\{(?:\w+(?:\.\w+|\[[^\]]+\])*)?(?:![sra])?"
    r"(?::(?:.?[<>=^])?[-+ ]?#?0?(?:\d+)?,?(?:\.\d+)?[E-GXb-gnosx%]?)?\}"
)


def _inner(escape: str | None) -> re.Pattern[str]:
    # ``{{`` is its own (unnamed) alternative: PythonLexer shows it as plain string text.
    esc = f"(?P<e>{escape})|" if escape else ""
    return re.compile(rf"{esc}(?P<i>{_INTERP})|\{{\{{")


def _body(raw: bool, is_bytes: bool, quote: str) -> re.Pattern[str]:
    # PythonLexer marks \\, \<quote> and \<newline> as escapes even in single-quoted raw
    # strings, and nothing in triple-quoted raw ones.
    if not raw:
        return _inner(_ESC_BYTES if is_bytes else _ESC_STR)
    return _inner(None if len(quote) == 3 else rf"\\[\\{quote}\n]")


#: The patterns for the body of a string, by (raw, bytes, quote).
_BODY: Final = {
    (raw, is_bytes, quote): _body(raw, is_bytes, quote)
    for raw in (False, True)
    for is_bytes in (False, True)
    for quote in ('"', "'", '"""', "'''")
}


def _fstring_literal(quote: str, raw: bool) -> re.Pattern[str]:
    char = re.escape(quote[0])
    newline = "" if len(quote) == 3 else r"\n"
    if not raw:
        escape = f"|{_ESC_STR}"
    elif len(quote) == 1:
        escape = rf"|\\[\\{char}\n]"
    else:
        escape = ""
    return re.compile(
        rf"(?P<end>{re.escape(quote)})|(?P<esc>\{{\{{|\}}\}}{escape})"
        rf"|(?P<open>\{{)|(?P<close>\}})"
        rf"|(?P<text>[^{{}}\\{char}{newline}]+|{char}|\\[^{{}}]?)"
    )


#: The literal parts of f-strings, by (quote, raw).
_FLITERAL: Final = {
    (q, raw): _fstring_literal(q, raw) for q in ('"', "'", '"""', "'''") for raw in (False, True)
}

# ``match``/``case`` are keywords when they start a line that ends in ``:`` and are not
# followed by what makes them a name (assignment, attribute, call arguments, operators).
_SOFT_STATEMENT: Final = re.compile(
    r"(?=[ \t(\[{'\"\-~])"
    r"(?![ \t]*(?:[=.:,;)\]}]|[-+*/%&|^@<>!]=|->|(?:and|or|in|is|if|else|not|for)\b))"
    r"[^\n]*:[ \t]*(?:#[^\n]*)?$",
    re.MULTILINE,
)
_TYPE_STATEMENT: Final = re.compile(r"[ \t]+[^\W\d]\w*[ \t]*(?:\[[^\n]*\])?[ \t]*=(?!=)")


def _split(words: str) -> list[str]:
    return words.split()


# PythonLexer's word lists (Pygments 2.21).
_BUILTINS = _split(
    """
    __import__ abs aiter all any bin bool bytearray breakpoint bytes callable chr
    classmethod compile complex delattr dict dir divmod enumerate eval filter float format
    frozendict frozenset getattr globals hasattr hash hex id input int isinstance issubclass
    iter len list locals map max memoryview min next object oct open ord pow print property
    range repr reversed round sentinel set setattr slice sorted staticmethod str sum super
    tuple type vars zip
    """
)
_PSEUDO = ["self", "cls", "Ellipsis", "NotImplemented"]
_EXCEPTIONS = _split(
    """
    ArithmeticError AssertionError AttributeError BaseException BufferError BytesWarning
    DeprecationWarning EOFError EnvironmentError Exception FloatingPointError FutureWarning
    GeneratorExit IOError ImportError ImportWarning IndentationError IndexError KeyError
    KeyboardInterrupt LookupError MemoryError NameError NotImplementedError OSError
    OverflowError PendingDeprecationWarning ReferenceError ResourceWarning RuntimeError
    RuntimeWarning StopIteration SyntaxError SyntaxWarning SystemError SystemExit TabError
    TypeError UnboundLocalError UnicodeDecodeError UnicodeEncodeError UnicodeError
    UnicodeTranslateError UnicodeWarning UserWarning ValueError VMSError Warning
    WindowsError ZeroDivisionError BlockingIOError ChildProcessError ConnectionError
    BrokenPipeError ConnectionAbortedError ConnectionRefusedError ConnectionResetError
    FileExistsError FileNotFoundError InterruptedError IsADirectoryError NotADirectoryError
    PermissionError ProcessLookupError TimeoutError StopAsyncIteration ModuleNotFoundError
    RecursionError EncodingWarning
    """
)
_MAGIC_FUNCS: Final = frozenset(
    f"__{name}__"
    for name in _split(
        """
        abs add aenter aexit aiter and anext await bool bytes call complex contains del
        delattr delete delitem dir divmod enter eq exit float floordiv format ge get getattr
        getattribute getitem gt hash iadd iand ifloordiv ilshift imatmul imod imul index
        init instancecheck int invert ior ipow irshift isub iter itruediv ixor le len
        length_hint lshift lt matmul missing mod mul ne neg new next or pos pow prepare radd
        rand rdivmod repr reversed rfloordiv rlshift rmatmul rmod rmul ror round rpow
        rrshift rshift rsub rtruediv rxor set setattr setitem str sub subclasscheck truediv
        xor
        """
    )
)
_MAGIC_VARS = [
    f"__{name}__"
    for name in _split(
        """
        annotations bases class closure code defaults dict doc file func globals kwdefaults
        module mro name objclass qualname self slots weakref
        """
    )
]
_KEYWORDS = _split(
    """
    assert async await break continue del elif else except finally for global if lambda pass
    raise nonlocal return try while yield as with def class
    """
)

#: Every name whose type is not plain ``Name``. Names in ``_SPECIAL`` need context.
_WORDS: Final[dict[str, Any]] = {
    **dict.fromkeys(_BUILTINS, Name.Builtin),
    **dict.fromkeys(_PSEUDO, Name.Builtin.Pseudo),
    **dict.fromkeys(_EXCEPTIONS, Name.Exception),
    **dict.fromkeys(_MAGIC_FUNCS, Name.Function.Magic),
    **dict.fromkeys(_MAGIC_VARS, Name.Variable.Magic),
    **dict.fromkeys(_KEYWORDS, Keyword),
    **dict.fromkeys(("True", "False", "None"), Keyword.Constant),
    **dict.fromkeys(("in", "is", "and", "or", "not"), Operator.Word),
    **dict.fromkeys(("import", "from"), Keyword.Namespace),
    **dict.fromkeys(("match", "case", "_"), Name),
}
#: Names that are builtins only when not an attribute (PythonLexer's ``(?<!\.)``).
_NOT_AFTER_DOT: Final = frozenset(_BUILTINS + _PSEUDO + _EXCEPTIONS)
_SPECIAL: Final = frozenset(("def", "class", "import", "from", "match", "case", "type", "_"))

_NUMBERS: Final = {
    "int": Number.Integer,
    "float": Number.Float,
    "hex": Number.Hex,
    "oct": Number.Oct,
    "bin": Number.Bin,
}

# What the name after a keyword is (PythonLexer's funcname/classname/import states).
_FUNC, _CLASS, _IMPORT, _FROM = 1, 2, 3, 4


class _Unlexable(Exception):
    """The text is not Python this lexer can read; PythonLexer gets it instead."""


def fast_tokens(text: str) -> list[Token] | None:
    """Tokens of *text* as ``PythonLexer`` would type them, or None if it cannot be read.

    The tokens' values concatenate to *text* exactly.
    """
    out: list[Token] = []
    try:
        _lex(text, 0, out, fexpr=False)
    except (_Unlexable, RecursionError):
        return None
    return out


def _lex(text: str, pos: int, out: list[Token], fexpr: bool) -> int:
    """Append the tokens from *pos* on; return where lexing stopped.

    At top level (*fexpr* false) that is the end of the text; inside an f-string
    replacement field it is just after the ``}`` or ``:`` that ends the expression.
    """
    append = out.append
    words = _WORDS
    depth = 0
    line_start = not fexpr  # no token but whitespace yet on this line
    case_line = False
    expect = 0
    while True:
        end = pos
        for m in _MASTER.finditer(text, pos):
            # The matches are contiguous (``err`` matches any character), so offsets are
            # counted rather than asked of each match.
            kind = m.lastgroup
            value = m[0]
            start = end
            end += len(value)
            if kind == "name":
                if expect:
                    if expect == _FUNC:
                        t = Name.Function.Magic if value in _MAGIC_FUNCS else Name.Function
                        expect = 0
                    elif expect == _CLASS:
                        t = Name.Class
                        expect = 0
                    elif expect == _IMPORT:
                        t = Keyword if value == "as" else Name.Namespace
                    elif value == "import":
                        t = Keyword.Namespace
                        expect = 0
                    elif value == "None":  # as PythonLexer, which reads "from None" so
                        t = Keyword.Constant
                        expect = 0
                    else:
                        t = Name.Namespace
                else:
                    t = words.get(value)
                    if t is None:
                        t = Name
                    elif value in _SPECIAL:
                        t, expect, case_line = _special(
                            text, value, end, line_start and depth == 0 and not fexpr, case_line
                        )
                        if t is Name.Builtin and text[start - 1 : start] == ".":
                            t = Name
                    elif value in _NOT_AFTER_DOT and text[start - 1 : start] == ".":
                        t = Name
                line_start = False
                append((start, t, value))
            elif kind == "ws":
                if expect:
                    t = _whitespace_after_keyword(text, end, out)
                    if t is Text:
                        expect = 0
                elif fexpr:
                    # PythonLexer counts the spaces after a debugging "=" as part of it.
                    t = (
                        String.Interpol
                        if out[-1] == (start - 1, String.Interpol, "=")
                        else Whitespace
                    )
                else:
                    t = Text
                append((start, t, value))
            elif kind == "op":
                line_start = False
                if expect >= _IMPORT and value[0] == ".":
                    append((start, Name.Namespace, value))
                    continue
                expect = 0
                if fexpr and depth == 0:
                    if value == ":=":  # `{x:=10}`: a format spec that starts with "="
                        append((start, String.Interpol, ":"))
                        return start + 1
                    if value == "=":  # `{x=}`: self-documenting expression
                        append((start, String.Interpol, value))
                        continue
                append((start, Operator, value))
            elif kind == "open":
                depth += 1
                line_start = False
                expect = 0
                append((start, Punctuation, value))
            elif kind == "close":
                line_start = False
                expect = 0
                if depth == 0:
                    if fexpr and value == "}":
                        append((start, String.Interpol, "}"))
                        return end
                    raise _Unlexable
                depth -= 1
                append((start, Punctuation, value))
            elif kind == "nl":
                if not fexpr:
                    line_start = True
                    case_line = False
                    expect = 0
                append((start, Whitespace, "\n"))
            elif kind == "punct":
                line_start = False
                if expect == _IMPORT and value == ",":
                    append((start, Operator, value))
                    continue
                expect = 0
                if fexpr and depth == 0 and value == ":":
                    append((start, String.Interpol, value))
                    return end
                append((start, Punctuation, value))
            elif kind == "str":
                _string(text, value, start, line_start, out)
                line_start = False
                expect = 0
            elif kind == "fs":
                line_start = False
                expect = 0
                quote_at = 1 if value[1] in "\"'" else 2
                quote = value[quote_at:]
                ttype = String.Double if quote[0] == '"' else String.Single
                append((start, String.Affix, value[:quote_at]))
                append((start + quote_at, ttype, quote))
                raw = "r" in value[:quote_at].lower()
                pos = _fstring(text, end, quote, raw, ttype, out)
                break  # the f-string was read past this iterator's position
            elif kind in _NUMBERS:
                line_start = False
                expect = 0
                append((start, _NUMBERS[kind], value))
            elif kind == "com":
                hashbang = start == 0 and value.startswith("#!")
                append((start, Comment.Hashbang if hashbang else Comment.Single, value))
            elif kind == "deco":
                expect = 0
                if line_start and depth == 0 and not fexpr:
                    append((start, Name.Decorator, value))
                else:  # matrix multiplication, `a @b`
                    append((start, Operator, "@"))
                    append((start + 1, words.get(value[1:], Name), value[1:]))
                line_start = False
            elif kind == "cont":
                append((start, Text, value))
            elif kind == "conv" and fexpr and depth == 0:
                append((start, String.Interpol, value))
            else:  # err, a stray conversion: not Python
                raise _Unlexable
        else:
            if fexpr or depth:
                raise _Unlexable  # the text ends inside brackets or an f-string
            return len(text)


def _special(
    text: str, value: str, end: int, statement_start: bool, case_line: bool
) -> tuple[Any, int, bool]:
    """Type a name whose type depends on context; return it, what to expect, case_line."""
    if value == "def":
        return Keyword, _FUNC, case_line
    if value == "class":
        return Keyword, _CLASS, case_line
    if value == "import":
        return Keyword.Namespace, _IMPORT, case_line
    if value == "from":
        # `yield from` and `raise ... from` are plain keywords.
        return (Keyword.Namespace, _FROM, case_line) if statement_start else (Keyword, 0, False)
    if value == "type":
        keyword = statement_start and _TYPE_STATEMENT.match(text, end)
        return (Keyword if keyword else Name.Builtin), 0, case_line
    if value == "_":
        return (Keyword if case_line else Name), 0, case_line
    # match, case
    if statement_start and _SOFT_STATEMENT.match(text, end):
        return Keyword, 0, value == "case"
    return Name, 0, case_line


def _whitespace_after_keyword(text: str, end: int, out: list[Token]) -> Any:
    """PythonLexer's type for whitespace in its funcname/classname/import states."""
    previous = out[-1][2] if out else ""
    if previous in ("def", "class", "import", "from", "as", ","):
        return Whitespace
    if text.startswith(("import", "as", ","), end):
        return Whitespace
    return Text


def _string(text: str, value: str, start: int, line_start: bool, out: list[Token]) -> None:
    """Append the tokens of one (not formatted) string literal."""
    append = out.append
    first = value[0]
    prefix_len = 0 if first in "\"'" else 1 if value[1] in "\"'" else 2
    quote = value[prefix_len]
    if len(value) - prefix_len >= 6 and value[prefix_len + 1] == value[prefix_len + 2] == quote:
        quote *= 3
    docstring = len(quote) == 3 and line_start
    if docstring and out and out[-1][1] is Text and out[-1][2].isspace():
        # PythonLexer's docstring rule: any triple-quoted string that starts a line, even
        # an argument on a line of its own (followed here so that pages look as before);
        # its indentation is Whitespace rather than Text.
        out[-1] = (out[-1][0], Whitespace, out[-1][2])
    if prefix_len:
        append((start, String.Affix, value[:prefix_len]))
        start += prefix_len
        value = value[prefix_len:]
    if docstring:
        append((start, String.Doc, value))
        return
    ttype = String.Double if quote[0] == '"' else String.Single
    prefix = text[start - prefix_len : start].lower()
    raw = "r" in prefix
    body = _BODY[raw, "b" in prefix, quote]
    stop = start + len(value) - len(quote)
    first_special = body.search(text, start + len(quote), stop)
    if first_special is None:
        append((start, ttype, value))
        return
    done = start
    for m in body.finditer(text, first_special.start(), stop):
        kind = m.lastgroup
        if kind is None:  # "{{", plain text
            continue
        at, end = m.span()
        if at > done:
            append((done, ttype, text[done:at]))
        append((at, String.Escape if kind == "e" else String.Interpol, m[0]))
        done = end
    end = start + len(value)
    append((done, ttype, text[done:end]))


def _fstring(text: str, pos: int, quote: str, raw: bool, ttype: Any, out: list[Token]) -> int:
    """Append the tokens of an f-string from just after its opening quote; return its end."""
    literal = _FLITERAL[quote, raw]
    append = out.append
    while True:
        m = literal.match(text, pos)
        if m is None:  # the end of the text, or a newline in a single-quoted string
            raise _Unlexable
        kind = m.lastgroup
        end = m.end()
        if kind == "text":
            append((pos, ttype, m[0]))
        elif kind == "end":
            append((pos, ttype, m[0]))
            return end
        elif kind == "esc":
            append((pos, String.Escape, m[0]))
        elif kind == "open":
            append((pos, String.Interpol, "{"))
            end = _lex(text, end, out, fexpr=True)
        else:  # a lone "}"
            append((pos, String.Interpol, "}"))
        pos = end


class FastPythonLexer(Lexer):  # type: ignore[misc]
    """Python lexer for whole source files, typed like Pygments' PythonLexer but faster.

    Registered with Sphinx as ``testdocs-python``. Text it cannot read is lexed by
    ``PythonLexer`` instead.
    """

    name = "testdocs-python"
    aliases = ["testdocs-python"]  # noqa: RUF012 (Pygments' class attribute)
    filenames: list[str] = []  # noqa: RUF012
    mimetypes: list[str] = []  # noqa: RUF012

    def get_tokens_unprocessed(self, text: str) -> Iterator[Token]:
        """Yield (offset, token type, value) covering *text* exactly."""
        tokens = fast_tokens(text)
        if tokens is None:
            yield from PythonLexer(**self.options).get_tokens_unprocessed(text)
        else:
            yield from tokens
