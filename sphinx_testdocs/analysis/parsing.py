"""``ast.parse`` made safe for any input on every supported Python."""

from __future__ import annotations

import ast
import gc
import re
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

#: Python 3.10 turns its parse tree into Python objects without a depth check, so a
#: long enough expression (200,000 chained terms) overflows the C stack and kills the
#: process; 3.11 raises RecursionError instead. On 3.10 the parse runs in a thread with
#: a large stack (address space only: pages are used as the recursion reaches them).
_NEEDS_BIG_STACK = sys.version_info < (3, 11)
_BIG_STACK = 1 << 30


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for work that creates no reference cycles.

    Parsing and analysing a file allocate hundreds of thousands of objects (syntax
    tree nodes, then records) that live until the file is done. Each burst makes the
    collector scan them, and the whole heap with them, again and again: measured on
    NumPy's tests, more time than the analysis itself. Syntax trees and the analysis
    hold no cycles (``tests/analysis/test_no_cycles.py`` checks it), so reference
    counting frees everything the same with the collector paused.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def parse_module(source: str | bytes, filename: str = "<unknown>") -> ast.Module:
    """``ast.parse`` that never crashes the process and never warns.

    Raises what ``ast.parse`` raises (SyntaxError, ValueError, RecursionError,
    MemoryError). Invalid escape sequences and similar warn while parsing (an error
    under ``-W error``): they are the analysed file's business, so they are silenced.
    """
    if not _NEEDS_BIG_STACK:
        return _parse(source, filename)
    outcome: list[ast.Module | BaseException] = []

    def work() -> None:
        try:
            outcome.append(_parse(source, filename))
        except BaseException as exc:  # re-raised in the caller's thread
            # Without its traceback: the worker's frames would tie the exception, the
            # thread and everything they hold into a cycle (see cycle_collector_paused).
            outcome.append(exc.with_traceback(None))

    with _STACK_LOCK:
        previous = threading.stack_size(_BIG_STACK)
        try:
            thread = threading.Thread(target=work, name="testdocs-parse")
            thread.start()
        finally:
            threading.stack_size(previous)
    thread.join()
    result = outcome.pop()
    if isinstance(result, BaseException):
        try:
            raise result
        finally:
            del result  # this frame would hold the exception its traceback holds
    return result


_STACK_LOCK = threading.Lock()


def _parse(source: str | bytes, filename: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if isinstance(source, str) and len(source) > PIECE and "\r" not in source:
            return _parse_in_pieces(source, filename)
        return ast.parse(source, filename=filename)


#: Text longer than this is parsed a piece at a time. ``ast.parse`` holds the parser's
#: own tree and the Python one at once: about 55 MB for NumPy's largest test file
#: (410 KB), whose tree alone is 25 MB. That was a docs build's peak memory, a third
#: of it above plain Sphinx's. Pieces of about this size keep the surplus to a few MB.
PIECE = 32 * 1024

#: Where a piece may end: a blank line before a top-level definition (or its first
#: decorator). Where that is inside a string, the piece before it cannot parse.
_PIECE_END = re.compile(r"\n[ \t\f]*\n(?=@|def |class |async def )")


def _parse_in_pieces(source: str, filename: str) -> ast.Module:
    """The tree ``ast.parse(source)`` gives, built from top-level pieces of the text.

    A piece that parses is a complete module ending where the whole text's tokenizer
    is at the top level, so the next piece's statements parse alike on their own.
    Each piece is padded with the lines before it: line numbers stay the file's.
    Should a piece not parse (a syntax error, or a string holding a blank line and
    ``def``: 1 of 1561 files over 32 KB in the standard library and site-packages), the
    whole text is parsed in one, for its tree or Python's own error.
    """
    body: list[ast.stmt] = []
    ignores: list[ast.TypeIgnore] = []
    start, line = 0, 0
    while start < len(source):
        match = _PIECE_END.search(source, start + PIECE)
        end = match.end() if match else len(source)
        try:
            piece = ast.parse("\n" * line + source[start:end], filename=filename)
        except SyntaxError:
            del body, ignores  # before the whole text's parse, not during it
            return ast.parse(source, filename=filename)
        body.extend(piece.body)
        ignores.extend(piece.type_ignores)
        line += source.count("\n", start, end)
        start = end
    return ast.Module(body=body, type_ignores=ignores)


#: Nodes a literal of constants is made of.
_LITERAL_NODES = (
    ast.Constant,
    ast.List,
    ast.Tuple,
    ast.Set,
    ast.Dict,
    ast.UnaryOp,
    ast.USub,
    ast.UAdd,
    ast.Load,
)


def closed_literal(node: ast.expr) -> bool:
    """A literal of constants only (no names, calls or comprehensions inside).

    Checked on the tree rather than with ``ast.literal_eval``, whose nested helper
    functions leave reference cycles (the analysis runs with the collector paused).
    """
    return all(isinstance(n, _LITERAL_NODES) for n in ast.walk(node))
