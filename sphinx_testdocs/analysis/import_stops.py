"""Statements that stop a test module's import, and with it pytest's collection of it.

pytest imports a module to collect it. A ``pytest.skip(..., allow_module_level=True)``,
``pytest.importorskip("x")`` where x is missing, a ``raise`` or ``sys.exit()`` run on
import leaves pytest with none of the module's tests (skipped, or an error). Such a
statement under an ``if`` or ``try`` may or may not run: the module's tests are then
only partly known. What never runs under pytest (``if __name__ == "__main__":``) is
decided, as are ``try``/``except ImportError`` blocks around imports found here.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from importlib.machinery import PathFinder
from pathlib import Path

from packaging.version import InvalidVersion, Version

from sphinx_testdocs.analysis._scope import decided
from sphinx_testdocs.analysis.modules import SourceLibrary

__all__ = [
    "ImportStop",
    "first_stop",
    "import_stops",
    "installed_version",
    "module_found",
]

#: What pytest does when importing the module raises (other than a skip or a
#: SystemExit): it reports the module as an error and collects the next (pytest.exit
#: included, checked with pytest 8.4 and 9).
REPORTS_ERROR = "reports an error"
#: A SystemExit on import ends pytest's collection there ("caught unexpected
#: SystemExit", no error counted): no module after it is collected.
ENDS_SESSION = "ends the collection (no module after it is collected)"
#: Calls that end the import, by the name they are called by (``pytest.skip``), and
#: what pytest does then.
_STOPPING_CALLS = {
    "pytest.skip": "skips the module",
    "pytest.fail": REPORTS_ERROR,
    "pytest.exit": REPORTS_ERROR,
    "sys.exit": ENDS_SESSION,
    "exit": ENDS_SESSION,
    "quit": ENDS_SESSION,
    "os._exit": "ends the process (nothing is printed)",
}
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})


@dataclass(frozen=True)
class ImportStop:
    """A statement that, run on import, leaves pytest none of the module's tests."""

    line: int
    #: The statement, as a reader knows it (``pytest.skip(...)``, ``raise ValueError``).
    what: str
    #: What pytest does then ("skips the module").
    does: str
    #: The line of the ``if``/``try``/loop it runs under; None: it runs on every import.
    condition: int | None = None
    #: It may not stop even when it runs: what it checks cannot be decided here (the
    #: version of a module where pytest runs); ``does`` says when it stops.
    may_pass: bool = False

    @property
    def certain(self) -> bool:
        """Whether every import of the module stops here."""
        return self.condition is None and not self.may_pass

    @property
    def skips(self) -> bool:
        """Whether pytest skips the module (rather than reporting an error or stopping)."""
        return self.does.startswith("skips")

    @property
    def effect(self) -> str:
        """``"skip"``, ``"error"`` (counted in pytest's summary) or ``"end"`` (pytest's
        collection, or the process, ends there): ``ModuleCollection.stop_effect``."""
        if self.skips:
            return "skip"
        return "error" if self.does == REPORTS_ERROR else "end"


#: The version of an installed top-level module (``installed_version``), or None.
Versions = Callable[[str], str | None]


def import_stops(
    body: list[ast.stmt],
    names: Callable[[ast.expr], str | None],
    importable: Callable[[str], bool],
    versions: Versions = lambda module: None,
) -> list[ImportStop]:
    """The statements of a module body that may stop its import, in source order.

    ``names`` gives the dotted name a callee stands for (``skip`` imported from pytest
    is ``pytest.skip``); ``importable`` tells whether a module can be found here (read
    as source, never imported): ``importorskip`` of one passes, and an ``except
    ImportError`` around imports of such modules does not run. ``versions`` gives an
    installed module's version, for ``importorskip(..., minversion=...)``.
    """
    return list(_walk(body, None, names, (importable, versions)))


#: What tells whether a module is found, and its version.
_Lookups = tuple[Callable[[str], bool], Versions]


def _walk(
    body: list[ast.stmt],
    condition: int | None,
    names: Callable[[ast.expr], str | None],
    lookups: _Lookups,
) -> Iterator[ImportStop]:
    importable = lookups[0]
    for stmt in body:
        stop = _stop(stmt, condition, names, lookups)
        if stop is not None:
            yield stop
            if stop.certain:
                return  # nothing after it runs
        if isinstance(stmt, ast.If):
            known = decided(stmt.test)
            if known is None:
                yield from _walk(stmt.body, stmt.lineno, names, lookups)
                yield from _walk(stmt.orelse, stmt.lineno, names, lookups)
            else:
                yield from _walk(stmt.body if known else stmt.orelse, condition, names, lookups)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            for stop in _try_body(stmt, condition, names, lookups):
                yield stop
                if stop.certain:
                    return  # it escapes the handlers: nothing after it runs
            if not _imports_that_succeed(stmt, importable):
                for handler in stmt.handlers:  # type: ignore[attr-defined]
                    yield from _walk(handler.body, stmt.lineno, names, lookups)
                yield from _walk(stmt.orelse, stmt.lineno, names, lookups)  # type: ignore[attr-defined]
            yield from _walk(stmt.finalbody, condition, names, lookups)  # type: ignore[attr-defined]
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            yield from _walk(stmt.body, condition, names, lookups)
        elif isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)):
            yield from _walk(stmt.body, stmt.lineno, names, lookups)
            yield from _walk(stmt.orelse, stmt.lineno, names, lookups)


def _try_body(
    stmt: ast.stmt,
    condition: int | None,
    names: Callable[[ast.expr], str | None],
    lookups: _Lookups,
) -> Iterator[ImportStop]:
    """The stops in a ``try`` body. Where its handlers catch import errors only, a stop
    that raises something else (a skip, an exit) escapes them, and runs as surely as the
    ``try`` does while the statements before it are imports of modules found here
    (astropy's ``try: import pytest; pytest.importorskip("matplotlib") except
    ImportError: pass``); otherwise it runs under the ``try``'s condition."""
    body = stmt.body  # type: ignore[attr-defined]
    escaping = _catches_import_errors_only(stmt)
    for inner in body:
        sure = escaping and condition is None
        if sure and _raised_name(inner, names).rpartition(".")[2] in _IMPORT_ERRORS:
            return  # caught: the handlers run instead, and nothing after it in the body
        yield from _walk([inner], condition if sure else stmt.lineno, names, lookups)
        if not _import_found(inner, lookups[0]) and not isinstance(inner, ast.Pass):
            escaping = False


def _catches_import_errors_only(stmt: ast.stmt) -> bool:
    handlers = stmt.handlers  # type: ignore[attr-defined]
    for handler in handlers:
        caught = handler.type
        kinds = caught.elts if isinstance(caught, ast.Tuple) else [caught]
        if not all(isinstance(k, ast.Name) and k.id in _IMPORT_ERRORS for k in kinds):
            return False
    return bool(handlers)


def _raised_name(stmt: ast.stmt, names: Callable[[ast.expr], str | None]) -> str:
    """The name of what a ``raise`` statement raises ("" for anything else)."""
    if not isinstance(stmt, ast.Raise) or stmt.exc is None:
        return ""
    exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
    return names(exc) or ast.unparse(exc)


def _import_found(stmt: ast.stmt, importable: Callable[[str], bool]) -> bool:
    """An import statement whose modules are all found here: it does not raise."""
    if isinstance(stmt, ast.Import):
        return all(importable(alias.name) for alias in stmt.names)
    if isinstance(stmt, ast.ImportFrom):
        return not stmt.level and bool(stmt.module) and importable(stmt.module or "")
    return False


def _stop(
    stmt: ast.stmt,
    condition: int | None,
    names: Callable[[ast.expr], str | None],
    lookups: _Lookups,
) -> ImportStop | None:
    if isinstance(stmt, ast.Raise):
        name = _raised_name(stmt, names)
        if name.endswith("SkipTest"):
            does = "skips the module"
        elif name.rpartition(".")[2] == "SystemExit":
            does = ENDS_SESSION
        else:
            does = REPORTS_ERROR
        return ImportStop(stmt.lineno, f"raise {name}".rstrip(), does, condition)
    call = None
    if isinstance(stmt, (ast.Expr, ast.Assign, ast.AnnAssign)) and isinstance(
        stmt.value, ast.Call
    ):
        call = stmt.value
    if call is None:
        return None
    callee = names(call.func)
    if callee is not None and ".pytest." in f".{callee}":
        # ``testing.pytest.importorskip``: pytest reached through a helper module.
        callee = "pytest." + callee.rpartition("pytest.")[2]
    if callee in _STOPPING_CALLS:
        return ImportStop(stmt.lineno, f"{callee}(...)", _STOPPING_CALLS[callee], condition)
    if callee == "pytest.importorskip":
        return _importorskip(stmt.lineno, call, condition, lookups)
    return None


def _importorskip(
    line: int, call: ast.Call, condition: int | None, lookups: _Lookups
) -> ImportStop | None:
    """``pytest.importorskip``: it skips the module where the module it names is not
    found or, with ``minversion``, where that module's ``__version__`` is older."""
    importable, versions = lookups
    module = _first_string(call)
    shown = f"pytest.importorskip({module!r})" if module else "pytest.importorskip(...)"
    if module is None:
        does = "skips the module where the module it names cannot be imported"
        return ImportStop(line, shown, does, condition)
    if not importable(module):
        does = f"skips the module ({module} is not found where the analysis runs)"
        return ImportStop(line, shown, does, condition)
    minimum = call.args[1] if len(call.args) > 1 else None
    minimum = next((k.value for k in call.keywords if k.arg == "minversion"), minimum)
    if minimum is None:
        return None  # found here: the import succeeds
    wanted = minimum.value if isinstance(minimum, ast.Constant) else None
    installed = versions(module) if "." not in module else None
    if isinstance(wanted, str) and installed is not None:
        try:
            older = Version(installed) < Version(wanted)
        except InvalidVersion:
            pass
        else:
            if not older:
                return None
            does = (
                f"skips the module ({module} {installed} is installed here, older than {wanted})"
            )
            return ImportStop(line, shown, does, condition)
    # No version to compare (a submodule, whose own __version__ pytest reads, or no
    # package metadata): pytest may go on, so the module's tests are only partly known.
    asked = f" {wanted}" if isinstance(wanted, str) else " it asks"
    does = f"skips the module where the version of {module} is older than{asked}"
    return ImportStop(line, shown, does, condition, may_pass=True)


def _first_string(call: ast.Call) -> str | None:
    arg = (
        call.args[0]
        if call.args
        else next((k.value for k in call.keywords if k.arg == "modname"), None)
    )
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    return None


def _imports_that_succeed(stmt: ast.stmt, importable: Callable[[str], bool]) -> bool:
    """A ``try`` whose handlers catch only import errors, around imports of modules
    found here: the handlers never run."""
    if not _catches_import_errors_only(stmt):
        return False
    body = stmt.body  # type: ignore[attr-defined]
    return all(_import_found(inner, importable) or isinstance(inner, ast.Pass) for inner in body)


def first_stop(stops: list[ImportStop]) -> ImportStop | None:
    """The stop that decides: the first every import runs, else the first that may run."""
    return next((s for s in stops if s.certain), stops[0] if stops else None)


def installed_version(module: str, library: SourceLibrary) -> str | None:
    """The version of the distribution that installs top-level ``module`` in the
    library's site-packages folders, read from its metadata: nothing is imported.
    pytest compares the module's ``__version__``, which is the distribution's version
    in every package seen; None where not exactly one distribution provides it."""
    places = [str(p) for p in library.site_path]
    # Most distributions are named as the module they install (numpy, sphinx): looked
    # up by name first, as reading every distribution's metadata takes 50 ms or more.
    named = list(metadata.Distribution.discover(name=module, path=places))
    if len(named) == 1:
        return named[0].version
    if library.top_level_versions is None:
        library.top_level_versions = _top_level_versions(library.site_path)
    found = library.top_level_versions.get(module, ())
    return found[0] if len(found) == 1 else None


def _top_level_versions(places: Sequence[Path]) -> dict[str, tuple[str, ...]]:
    """Top-level module name -> the versions of the distributions in ``places`` that
    provide it (their ``top_level.txt``, else the first part of their files' paths)."""
    out: dict[str, list[str]] = {}
    for dist in metadata.distributions(path=[str(p) for p in places]):
        declared = dist.read_text("top_level.txt")
        if declared:
            tops = {name.strip() for name in declared.splitlines() if name.strip()}
        else:
            tops = {
                f.parts[0].removesuffix(".py")
                for f in dist.files or ()
                if (len(f.parts) > 1 or f.suffix == ".py")
                and f.parts[0] != ".."
                and not f.parts[0].endswith((".dist-info", ".egg-info", ".data"))
            }
        for top in tops:
            out.setdefault(top, []).append(dist.version)
    return {top: tuple(versions) for top, versions in out.items()}


def module_found(module: str, library: SourceLibrary, importer: Path) -> bool:
    """Whether ``import module`` in ``importer`` finds it here: looked up, never
    imported. Compiled modules have no source to find (``PIL._webp``): the path
    finder looks for any module file, package by package, and runs nothing."""
    if module.partition(".")[0] in sys.builtin_module_names:
        return True
    places = [str(p) for p in library.search_path(importer, sure=True)]
    name = ""
    for part in module.split("."):
        name = f"{name}.{part}" if name else part
        try:
            spec = PathFinder.find_spec(name, places)
        except (ImportError, ValueError, OSError):
            return False
        if spec is None:
            return False
        places = list(spec.submodule_search_locations or [])
    return True
