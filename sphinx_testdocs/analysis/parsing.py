"""``ast.parse`` made safe for any input on every supported Python."""

from __future__ import annotations

import ast
import gc
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
        return ast.parse(source, filename=filename)


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
