"""Facts a page shows about other files: who imports it, who shares its fixtures, who
tests an API object. Derived from the per-file summaries, never from re-analysis.
"""

from __future__ import annotations

import bisect
import hashlib
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from sphinx_testdocs.analysis.summary import FileSummary


@dataclass(frozen=True, slots=True)
class TestUse:
    """A test module that imports an object, or a test that uses it."""

    root: str  # root path key
    relpath: str
    line: int
    test: str | None  # node ID, None for a module-level import
    #: How it was found (``Exercise.how``): "import", "direct", "instance", "fixture NAME".
    how: str = "direct"


@dataclass
class CrossFile:
    """Reverse maps over every summary of the build, computed once on first use."""

    summaries: Mapping[str, Mapping[str, FileSummary]]  # root key -> relpath -> summary
    #: A name -> the name of the object where it is defined (``pkg.Flask`` ->
    #: ``pkg.app.Flask``), read from the project's source; None: names as written.
    canonical: Callable[[str], str] | None = None
    _imported_by: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    _fixture_users: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    _uses: dict[str, list[TestUse]] = field(default_factory=dict)
    _use_keys: list[str] = field(default_factory=list)
    _canonical: dict[str, str] = field(default_factory=dict)
    _ready: bool = False
    _uses_ready: bool = False

    def _build(self) -> None:
        if self._ready:
            return
        for root, relpath, summary in self._in_order():
            for target in summary.imports:
                self._imported_by.setdefault((root, target), []).append(relpath)
            for fixture in summary.fixtures_used:
                self._fixture_users.setdefault((root, fixture), []).append(relpath)
        self._ready = True

    def _build_uses(self) -> None:
        # Separate from _build: tens of thousands of records on a large suite, needed
        # only by "tested by" lists, not by the digests every build checks.
        if self._uses_ready:
            return
        for root, relpath, summary in self._in_order():
            if summary.not_collected is not None:
                continue  # pytest never runs its tests: they test nothing in this suite
            for name, line, test, how in summary.exercises:
                use = TestUse(root, relpath, line, test, how)
                self._uses.setdefault(self.defined_as(name), []).append(use)
        # Sorted keys: the uses of a name and of everything inside it are one range.
        self._use_keys = sorted(self._uses)
        self._uses_ready = True

    def defined_as(self, name: str) -> str:
        """The name of the object ``name`` leads to, where it is defined."""
        found = self._canonical.get(name)
        if found is None:
            found = name if self.canonical is None else self.canonical(name)
            found = self._canonical[name] = sys.intern(found)
        return found

    def _in_order(self) -> Iterator[tuple[str, str, FileSummary]]:
        # Roots and files in sorted order: lists come out sorted, whatever order the
        # summaries were computed in (-j 1 and -j 2 give the same pages).
        for root in sorted(self.summaries):
            files = self.summaries[root]
            for relpath in sorted(files):
                yield root, relpath, files[relpath]

    def imported_by(self, root: str, relpath: str) -> list[str]:
        self._build()
        return self._imported_by.get((root, relpath), [])

    def fixture_users(self, root: str, fixture: str) -> list[str]:
        """Files whose tests use a fixture definition ("relpath::name")."""
        self._build()
        return self._fixture_users.get((root, fixture), [])

    def uses(self, name: str) -> list[TestUse]:
        """Imports and test uses of ``name`` or anything inside it (``name.attr``),
        under any name that leads to the same object (re-exports, aliases)."""
        self._build_uses()
        wanted = self.defined_as(name)
        found = list(self._uses.get(wanted, ()))
        prefix = wanted + "."
        keys = self._use_keys
        i = bisect.bisect_left(keys, prefix)
        while i < len(keys) and keys[i].startswith(prefix):
            found.extend(self._uses[keys[i]])
            i += 1
        return sorted(set(found), key=lambda u: (u.root, u.relpath, u.line, u.test or "", u.how))


def digest(facts: Iterable[object]) -> str:
    """A stable digest of plain data (tuples, strings, numbers)."""
    return hashlib.sha1(repr(tuple(facts)).encode(), usedforsecurity=False).hexdigest()
