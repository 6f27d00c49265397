"""Turn a file's bytes into text the way Python itself would, without losing anything."""

from __future__ import annotations

import codecs
import io
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


def looks_binary(data: bytes) -> bool:
    """Heuristic for content that is not source code at all (images, archives...)."""
    sample = data[:8192]
    if not sample:
        return False
    if b"\x00" in sample:
        # A few NUL bytes occur in broken text files; binary formats are full of them.
        return sample.count(b"\x00") > len(sample) // 100
    return False


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
            problems.append(Problem("decode", f"cannot determine the encoding: {exc.msg}"))
            encoding = None
    text: str | None = None
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            problems.append(Problem("decode", _describe_decode_error(exc, data, encoding)))
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


def _describe_decode_error(exc: Exception, data: bytes, encoding: str) -> str:
    if isinstance(exc, UnicodeDecodeError):
        line = data.count(b"\n", 0, exc.start) + 1
        return (
            f"bytes are not valid {encoding} at line {line} (byte offset {exc.start}): "
            f"{exc.reason}"
        )
    return f"unknown encoding {encoding!r}"
