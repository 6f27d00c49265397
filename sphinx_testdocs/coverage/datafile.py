"""A coverage.py data file, read with ``sqlite3`` in read-only mode.

The schema (coverage.py 5 and later, ``coverage/sqldata.py``): ``file`` (measured
paths), ``context`` (labels), ``line_bits`` (one numbits blob per file and context) or,
when branches were measured, ``arc`` (one row per line transition).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote


class CoverageProblem(Exception):
    """Why a file is not usable coverage data (it is then left out whole)."""


#: No source has this many lines: a row naming a line beyond it is not coverage.py's
#: (a mask holds one bit per line up to the highest: 2**34 would take 2 GB).
MAX_LINE = 10**7


#: Tables every coverage.py data file has.
_TABLES = frozenset({"meta", "file", "context", "line_bits", "arc"})


def numbits_mask(numbits: bytes) -> int:
    """The lines a numbits blob holds, as a bit mask (bit n: line n).

    In coverage.py's format (``coverage/numbits.py``) line n is bit ``n % 8`` of byte
    ``n // 8``: the blob read as a little-endian integer. Decoded here so coverage.py
    need not be imported; masks let a row be matched against each function's lines
    with one ``&``.
    """
    return int.from_bytes(numbits, "little")


@dataclass(frozen=True)
class CoverageData:
    """The measured files and contexts of one data file, and its rows."""

    path: Path
    #: file id -> path as recorded (absolute, or relative with ``relative_files``).
    files: dict[int, str]
    #: context id -> label ("" for code run outside any test).
    contexts: dict[int, str]
    has_arcs: bool

    def rows(self, last_line: Callable[[int], int]) -> Iterator[tuple[int, int, int]]:
        """(file id, context id, mask of the lines run), ordered by file: each file's
        rows together. ``last_line(file id)`` is the last line worth keeping (the
        source's; 0: none): lines beyond it match no function, and are dropped before
        a mask is made of them. A line beyond ``MAX_LINE`` is no source's: the file is
        refused (``CoverageProblem``)."""
        with _connect(self.path) as db:
            if self.has_arcs:
                yield from _arc_rows(db, last_line)
            else:
                query = "SELECT file_id, context_id, numbits FROM line_bits ORDER BY file_id"
                for file_id, context_id, blob in _fetch(db, query):
                    if not isinstance(blob, bytes):
                        raise CoverageProblem("a line_bits row holds no numbits blob")
                    if len(blob) > MAX_LINE // 8 + 1:
                        raise CoverageProblem(_beyond(f"a numbits blob of {len(blob)} bytes"))
                    yield file_id, context_id, numbits_mask(blob[: last_line(file_id) // 8 + 1])


def _beyond(what: str) -> str:
    return f"{what} reaches beyond line {MAX_LINE:,}, which no source has: not coverage.py data"


def _arc_rows(
    db: sqlite3.Connection, last_line: Callable[[int], int]
) -> Iterator[tuple[int, int, int]]:
    # Negative numbers stand for entering or leaving a code object: not lines.
    query = "SELECT file_id, context_id, fromno, tono FROM arc ORDER BY file_id, context_id"
    current: tuple[int, int] | None = None
    mask = last = 0
    for file_id, context_id, start, end in _fetch(db, query):
        if (file_id, context_id) != current:
            if current is not None:
                yield current[0], current[1], mask
            current, mask, last = (file_id, context_id), 0, last_line(file_id)
        for line in (start, end):
            if isinstance(line, int) and line > 0:
                if line > MAX_LINE:
                    raise CoverageProblem(_beyond(f"an arc to or from line {line}"))
                if line <= last:
                    mask |= 1 << line
    if current is not None:
        yield current[0], current[1], mask


def open_coverage(path: Path) -> CoverageData:
    """Read a data file's tables of files and contexts; raise ``CoverageProblem`` if it
    is not coverage.py data (not SQLite, other tables, damaged)."""
    try:
        with path.open("rb") as handle:
            if handle.read(16) != b"SQLite format 3\x00":
                raise CoverageProblem(
                    "not a coverage.py data file (not SQLite: coverage.py before 5.0 wrote "
                    "JSON, and reports such as coverage.xml are not data files)"
                )
    except OSError as error:
        raise CoverageProblem(f"cannot be read ({error.strerror or error})") from error
    with _connect(path) as db:
        # Tables only: a view named like one would run whatever query it was made of.
        query = "SELECT name FROM sqlite_master WHERE type = 'table'"
        tables = {name for (name,) in _fetch(db, query)}
        missing = sorted(_TABLES - tables)
        if missing:
            raise CoverageProblem(
                "an SQLite file without coverage.py's tables (missing: " + ", ".join(missing) + ")"
            )
        for table in sorted(_TABLES):
            # table_xinfo's "hidden" is 2 or 3 for a generated column: a value the file
            # computes on every read (coverage.py makes none).
            if any(row[-1] for row in _fetch(db, f"PRAGMA table_xinfo({table})")):
                raise CoverageProblem(
                    f"its {table} table computes values (generated columns): not coverage.py's"
                )
        meta = dict(_fetch(db, "SELECT key, value FROM meta"))
        files = dict(_fetch(db, "SELECT id, path FROM file"))
        contexts = dict(_fetch(db, "SELECT id, context FROM context"))
    if not all(isinstance(p, str) for p in files.values()) or not all(
        isinstance(c, str) for c in contexts.values()
    ):
        raise CoverageProblem("its file or context table holds something other than text")
    return CoverageData(path, files, contexts, has_arcs=meta.get("has_arcs") in ("1", 1, True))


_VALUE_LIMIT = 1 << 24  # bytes: no text or blob read may be larger
_LIMIT_LENGTH = 0  # SQLITE_LIMIT_LENGTH of sqlite3.h (named in Python's module from 3.11)


class _connect:
    """A read-only connection to an untrusted file, its errors raised as
    ``CoverageProblem``.

    A results or data file can come with the pull request being built. ``mode=ro`` and
    ``query_only``: nothing is ever written, no journal made beside it;
    ``trusted_schema`` off: the file's schema may not call functions with side effects;
    no value larger than coverage.py could write. What the schema could still compute
    (views, generated columns) is refused by ``open_coverage`` before any row is read.
    """

    def __init__(self, path: Path) -> None:
        uri = "file:" + quote(str(path.resolve())) + "?mode=ro"
        try:
            self.db = sqlite3.connect(uri, uri=True)
            self.db.execute("PRAGMA query_only = ON")
            self.db.execute("PRAGMA trusted_schema = OFF")
            setlimit = getattr(self.db, "setlimit", None)  # Python 3.11+
            if setlimit is not None:
                setlimit(_LIMIT_LENGTH, _VALUE_LIMIT)
        except sqlite3.Error as error:
            raise CoverageProblem(f"cannot be opened as SQLite ({error})") from error

    def __enter__(self) -> sqlite3.Connection:
        return self.db

    def __exit__(self, *exc: object) -> None:
        self.db.close()


def _fetch(db: sqlite3.Connection, query: str) -> Iterator[tuple]:  # type: ignore[type-arg]
    try:
        yield from db.execute(query)
    except sqlite3.Error as error:
        raise CoverageProblem(f"damaged or truncated ({error})") from error
