"""Docutils settings made once per kind of source, not once per document read.

Since Sphinx 8.2, ``Builder.read_doc`` makes each document's docutils settings afresh
(``sphinx.util.docutils._get_settings``, called by ``_parse_str_to_doctree``): an
``OptionParser`` built from every component's settings spec, and the ``docutils.conf``
files read again, 1.3 ms a document here, a quarter of what reading one of the
extension's pages costs. Sphinx 7 made them once per file type (its cached publisher)
and gave each document a fresh ``record_dependencies``, the one value docutils fills
per document. This lever does the same for the build: the first settings made for a
reader, a parser class and the same defaults are kept, and each later document gets a
copy, with its own lists and dependency record. The doctrees are the same (the test
compares every page and every document's recorded dependencies with the lever off).

Private Sphinx names used: ``sphinx.util.docutils._get_settings`` and
``_parse_str_to_doctree`` (8.2+); without them there is nothing to do. The module's
function is replaced while documents are read and put back once they are.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

import sphinx.util.docutils as sphinx_docutils
from docutils.utils import DependencyList
from sphinx.application import Sphinx

from sphinx_testdocs.run import build_run

#: The attributes through which a docutils component adds to the settings: one
#: instance that sets its own is not like the others of its class.
_SPEC_ATTRIBUTES = frozenset(
    {
        "settings_spec",
        "settings_defaults",
        "settings_default_overrides",
        "relative_path_settings",
        "config_section",
        "config_section_dependencies",
    }
)


def share_settings(app: Sphinx, *args: object) -> None:
    """``env-before-read-docs``: in a large build, make each kind of document's
    settings once while documents are read."""
    current = getattr(sphinx_docutils, "_get_settings", None)
    # Before Sphinx 8.2 its publisher made them once: nothing to do.
    if current is None or not hasattr(sphinx_docutils, "_parse_str_to_doctree"):
        return
    if not build_run(app.env).large:
        return
    # Another build's memo, still reading in this process, is stood in for, not wrapped.
    original = getattr(current, "original", current)
    setattr(sphinx_docutils, "_get_settings", _memoised(original, app.env))  # noqa: B010


def restore_settings(app: Sphinx, *args: object) -> None:
    """``env-updated`` (reading done) and ``build-finished`` (reading failed): put
    Sphinx's function back, if this build's memo stands in."""
    current = getattr(sphinx_docutils, "_get_settings", None)
    memo = getattr(current, "memo", None)
    if memo is not None and memo.env is app.env:
        original = getattr(current, "original")  # noqa: B009 (set by _memoised)
        setattr(sphinx_docutils, "_get_settings", original)  # noqa: B010


class _Memo:
    """What ``_memoised`` keeps: settings by kind of source, and how often they served."""

    def __init__(self, env: Any) -> None:
        #: The build's environment: the only one whose documents it serves.
        self.env = env
        self.kept: dict[tuple[Any, ...], tuple[dict[str, Any], Any]] = {}
        self.hits = 0


def _memoised(original: Callable[..., Any], env: Any) -> Callable[..., Any]:
    memo = _Memo(env)
    kept = memo.kept

    def _get_settings(
        *components: Any, defaults: Mapping[str, Any], read_config_files: bool = False
    ) -> Any:
        key = _key(components, read_config_files)
        if key is not None and defaults.get("env") is memo.env:
            hit = kept.get(key)
            if hit is not None and hit[0] == defaults:
                memo.hits += 1
                return _fresh(hit[1])
        settings = original(*components, defaults=defaults, read_config_files=read_config_files)
        if key is not None and defaults.get("env") is memo.env and _copyable(settings):
            kept[key] = (_snapshot(defaults), _fresh(settings))
        return settings

    # What restore_settings and the tests look at.
    _get_settings.memo = memo  # type: ignore[attr-defined]
    _get_settings.original = original  # type: ignore[attr-defined]
    return _get_settings


def _snapshot(defaults: Mapping[str, Any]) -> dict[str, Any]:
    """The defaults as they are now: a list changed in place later must not match."""
    return {
        name: value if name == "env" else copy.deepcopy(value) for name, value in defaults.items()
    }


def _key(components: tuple[Any, ...], read_config_files: bool) -> tuple[Any, ...] | None:
    """Components by class; None when an instance has settings of its own."""
    key: list[Any] = [read_config_files]
    for component in components:
        if isinstance(component, type):
            key.append(component)
        elif _SPEC_ATTRIBUTES.isdisjoint(getattr(component, "__dict__", ())):
            key.append(type(component))
        else:
            return None
    return tuple(key)


def _copyable(settings: Any) -> bool:
    # A dependency record written to a file (``record_dependencies`` in a
    # docutils.conf) is opened anew for each document by Sphinx: left to it.
    record = getattr(settings, "record_dependencies", None)
    return isinstance(record, DependencyList) and record.file is None


def _fresh(settings: Any) -> Any:
    """A copy sharing no mutable value with *settings*, and its own dependency record."""
    fresh = copy.copy(settings)
    for name, value in vars(fresh).items():
        if type(value) in (list, dict, set):
            setattr(fresh, name, copy.copy(value))
    fresh.record_dependencies = DependencyList()
    return fresh
