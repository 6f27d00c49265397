"""Turn a file's bytes into text the way Python itself would, without losing anything."""

from __future__ import annotations

import codecs
import io
import re
import tokenize
from dataclasses import dataclass

from sphinx_testdocs.analysis.model import Problem


@dataclass(frozen=True, slots=True)
class DecodedSource:
    """The text of a file, or as much of it as could be shown, and how it was decoded."""

    #: Source with every line ending normalised to "\n" (so line numbers agree with ``ast``).
    text: str
    #: The encoding Python would use, or None when the bytes do not decode with it.
    encoding: str | None
    has_bom: bool
    newline: str | None
    line_count: int
    #: True when ``text`` is an exact decoding (False: shown with replacement characters).
    exact: bool
    problems: tuple[Problem, ...] = ()


def count_lines(text: str) -> int:
    """Lines as editors count them: a final line without a newline still counts."""
    if not text:
        return 0
    return text.count("\n") + (0 if text.endswith("\n") else 1)


def _newline_style(data: bytes) -> str | None:
    crlf = data.count(b"\r\n")
    cr = data.count(b"\r") - crlf
    lf = data.count(b"\n") - crlf
    styles = [name for name, n in (("LF", lf), ("CRLF", crlf), ("CR", cr)) if n]
    if not styles:
        return None
    return styles[0] if len(styles) == 1 else "mixed"


def _normalise_newlines(text: str) -> str:
    # Python's tokenizer treats \r\n and lone \r as line ends; normalising keeps the
    # listing's line numbers identical to the ones ``ast`` reports.
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


#: Control bytes that occur in real source files: tab, newlines, form feed, vertical tab
#: and escape (ANSI colour codes in string literals).
_TEXT_CONTROLS = b"\t\n\r\x0b\x0c\x1b"
#: Every byte except the control characters text files do not contain.
_NOT_ODD = bytes(b for b in range(256) if (b >= 0x20 and b != 0x7F) or b in _TEXT_CONTROLS)


def looks_binary(data: bytes) -> bool:
    """Heuristic for content that is not source code at all (images, archives...).

    Binary formats are full of control bytes (about one byte in nine for compressed or
    random data); a broken text file holds a few (a stray NUL in a string literal). More
    than a handful, and more than one in twenty of the first 8 KiB, means binary: such a
    file gets a page with its metadata, while a text file with a few NUL bytes keeps its
    listing.
    """
    sample = data[:8192]
    odd = len(sample.translate(None, _NOT_ODD))
    return odd > 8 and odd * 20 > len(sample)


def decode_source(data: bytes) -> DecodedSource:
    """Decode bytes as Python does (BOM, PEP 263 cookie, else UTF-8).

    Never raises: undecodable content is returned with replacement characters, marked
    inexact, and described in ``problems``.
    """
    newline = _newline_style(data)
    has_bom = data.startswith(codecs.BOM_UTF8)
    problems: list[Problem] = []
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if exc.msg.startswith("invalid or missing encoding declaration"):
            # No cookie and the first lines are not UTF-8: decoding below says where.
            encoding = "utf-8"
        else:
            # An unknown codec, or a cookie that contradicts the BOM.
            reason = exc.msg
            if has_bom and reason.startswith("encoding problem"):
                reason = "a UTF-8 byte order mark and a coding cookie that names another encoding"
            problems.append(
                Problem("decode", f"cannot determine the encoding: {reason}", _cookie_line(data))
            )
            encoding = None
    text: str | None = None
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            problems.append(
                Problem(
                    "decode",
                    f"bytes are not valid {encoding} at byte offset {exc.start}: {exc.reason}",
                    _line_at(data, exc.start),
                )
            )
            encoding = None
        except LookupError:
            # detect_encoding accepts any registered codec; Python's own tokenizer
            # refuses the ones that are not text encodings (rot13, zlib_codec...).
            problems.append(
                Problem(
                    "decode",
                    f"cannot determine the encoding: {encoding!r} is not a text encoding",
                    _cookie_line(data),
                )
            )
            encoding = None
        except UnicodeError as exc:
            # Codecs such as punycode and idna fail without a position.
            problems.append(
                Problem("decode", f"bytes do not decode as {encoding}: {exc}", _cookie_line(data))
            )
            encoding = None
    exact = text is not None
    if text is None:
        text = data.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    text = _normalise_newlines(text)
    return DecodedSource(
        text=text,
        encoding=encoding,
        has_bom=has_bom,
        newline=newline,
        line_count=count_lines(text),
        exact=exact,
        problems=tuple(problems),
    )


#: PEP 263: a comment on line 1 or 2 naming the encoding (the tokenizer's own pattern).
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


def _cookie_line(data: bytes) -> int | None:
    """The line of the coding cookie, when one of the first two lines holds it."""
    data = data.removeprefix(codecs.BOM_UTF8)
    for number, line in enumerate(data.splitlines()[:2], start=1):
        if _COOKIE.match(line):
            return number
    return None


def _line_at(data: bytes, offset: int) -> int:
    """The 1-based line of a byte offset, counting CRLF, CR and LF as Python does."""
    prefix = data[:offset]
    return prefix.count(b"\n") + prefix.count(b"\r") - prefix.count(b"\r\n") + 1
