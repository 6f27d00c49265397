"""Plugins a project loads by name (``-p`` in ``addopts``, ``pytest_plugins``) and their
fixtures, so a test that requests one resolves to its definition.

Only plugins whose fixtures are known are tabled; a test requesting a fixture of any
other plugin keeps its doubt ("defined in no conftest.py, module or known plugin").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib import metadata
from pathlib import Path

from sphinx_testdocs.analysis.addopts import CommandLine
from sphinx_testdocs.analysis.fixtures import _builtin
from sphinx_testdocs.analysis.model import FixtureDef

__all__ = [
    "PLUGIN_FIXTURES",
    "active_plugins",
    "installed_plugin_declares",
    "plugin_fixtures",
    "pytest_declares",
    "pytest_source",
    "shuffling_plugin",
]


# Shipped with pytest itself: built in, as far as a reader is concerned.
_PYTESTER = (
    _builtin("_pytest", summary="A helper to record hook calls.", requests=("request",)),
    _builtin(
        "linecomp",
        summary="A LineComp, to check that text holds lines in order.",
        returns="_pytest.pytester.LineComp",
    ),
    _builtin(
        "LineMatcher", summary="The LineMatcher class, to match lines.", requests=("request",)
    ),
    _builtin(
        "pytester",
        summary="Write files and run pytest in isolation, then match its output.",
        requests=("request", "tmp_path_factory", "monkeypatch"),
        returns="_pytest.pytester.Pytester",
    ),
    _builtin("_sys_snapshot", summary="Restore sys.path and sys.modules after.", yields=True),
    _builtin("_config_for_test", summary="A fresh pytest Config, cleaned up after.", yields=True),
)
#: legacypath registers ``testdir`` once a plugin registered as "pytester" is loaded.
_TESTDIR = _builtin(
    "testdir",
    summary="Like pytester, with py.path results.",
    requests=("pytester",),
    returns="_pytest.legacypath.Testdir",
)

#: Fixtures of the plugins this project knows, by the name pytest registers them under
#: (``_pytest/pytester.py`` and ``_pytest/legacypath.py``, pytest 9).
PLUGIN_FIXTURES: Mapping[str, tuple[FixtureDef, ...]] = {
    "pytester": (*_PYTESTER, _TESTDIR),
    "_pytest.pytester": _PYTESTER,
}


def active_plugins(commandline: CommandLine, conftest_plugins: Iterable[str]) -> tuple[str, ...]:
    """The plugins loaded by name, in loading order.

    ``-p`` arguments come first (pytest pre-parses them; the last mention of a name
    wins). ``pytest_plugins`` of the top-level conftest.py files come after, unless
    ``-p no:NAME`` blocked them.
    """
    state: dict[str, bool] = {}
    for name, enabled in commandline.plugins:
        state[name] = enabled
    active = [name for name, enabled in state.items() if enabled]
    for name in conftest_plugins:
        if state.get(name) is not False and name not in active:
            active.append(name)
    return tuple(active)


def plugin_fixtures(plugins: Iterable[str]) -> dict[str, FixtureDef]:
    """The fixtures the given plugins define, by name (a later plugin's win)."""
    fixtures: dict[str, FixtureDef] = {}
    for plugin in plugins:
        for fixture in PLUGIN_FIXTURES.get(plugin, ()):
            fixtures[fixture.name] = fixture
    return fixtures


def installed_plugin_declares(
    option: str, find: Callable[[str], Path | None], entry_points: Iterable[str] | None = None
) -> bool:
    """Whether an installed pytest plugin (entry point group ``pytest11``) may declare
    a command-line option: its package's source mentions it. Read as text, never
    imported; a plugin whose source cannot be found may declare anything.

    ``find`` gives the file of a module name (``SourceLibrary.find``); ``entry_points``
    the plugins' module names (default: the installed ones).
    """
    modules = (
        entry_points
        if entry_points is not None
        else [ep.value.partition(":")[0] for ep in metadata.entry_points(group="pytest11")]
    )
    for module in sorted(set(modules)):
        top = module.partition(".")[0]
        path = find(top)
        if path is None:
            return True
        files = sorted(path.parent.rglob("*.py")) if path.name == "__init__.py" else [path]
        for file in files:
            try:
                if option in file.read_text(encoding="utf-8", errors="replace"):
                    return True
            except OSError:
                return True
    return False


def pytest_source(find: Callable[[str], Path | None]) -> str | None:
    """pytest's own source (the ``_pytest`` package, found by ``find``) as one text, to
    tell which command-line options it declares; None where it cannot be read (then it
    may declare anything). Read as text, never imported."""
    path = find("_pytest")
    if path is None:
        return None
    texts = []
    for file in sorted(path.parent.rglob("*.py")):
        try:
            texts.append(file.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            return None
    return "\n".join(texts)


def pytest_declares(option: str, source: Callable[[], str | None]) -> bool:
    """Whether pytest itself may declare ``option``: its ``source`` (``pytest_source``)
    mentions it, or cannot be read."""
    text = source()
    return text is None or option in text


#: Plugins that shuffle the session's tests when loaded: their entry point name, their
#: distribution, and the option that keeps the order.
_SHUFFLERS = (("randomly", "pytest-randomly", "--randomly-dont-reorganize"),)


def shuffling_plugin(
    commandline: CommandLine, addopts: Sequence[str], entry_points: Iterable[str] | None = None
) -> str | None:
    """The installed plugin that shuffles the order of the tests and of their cases as
    pytest collects them (pytest-randomly: its entry point loads it unasked), unless
    ``addopts`` turns it off (``-p no:randomly``) or keeps the order; None otherwise.
    Read from the installed packages' metadata (``entry_points``: the names of the
    installed ``pytest11`` entry points, by default looked up), never imported."""
    state = dict(commandline.plugins)
    for name, distribution, keeps_order in _SHUFFLERS:
        if state.get(name) is False or keeps_order in addopts:
            continue
        installed = (
            name in entry_points
            if entry_points is not None
            else _declares_entry_point(distribution, name)
        )
        if installed:
            return distribution
    return None


def _declares_entry_point(distribution: str, name: str) -> bool:
    # One distribution looked up by name: reading every one's entry points took 50 ms.
    try:
        found = metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        return False
    return any(ep.group == "pytest11" and ep.name == name for ep in found.entry_points)
