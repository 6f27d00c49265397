"""Find and read a project's pytest configuration the way pytest does, without running it."""

from __future__ import annotations

import configparser
import dataclasses
import fnmatch
import functools
import importlib.metadata
import os
import shlex
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

__all__ = ["PytestConfig", "find_pytest_config", "marker_name", "path_matches_patterns"]

#: pytest's own defaults (``_pytest/python.py``, ``_pytest/main.py``).
DEFAULT_PYTHON_FILES = ("test_*.py", "*_test.py")
DEFAULT_PYTHON_CLASSES = ("Test",)
DEFAULT_PYTHON_FUNCTIONS = ("test",)
DEFAULT_NORECURSEDIRS = (
    "*.egg",
    ".*",
    "_darcs",
    "build",
    "CVS",
    "dist",
    "node_modules",
    "venv",
    "{arch}",
)

# How pytest types each option we read (``parser.addini(..., type=...)``); the type
# decides how an ini string becomes a value.
_ARGS_OPTIONS = {
    "python_files",
    "python_classes",
    "python_functions",
    "testpaths",
    "norecursedirs",
    "usefixtures",
    "pythonpath",
    "addopts",
}
_LINELIST_OPTIONS = {"markers", "filterwarnings"}
_BOOL_OPTIONS = {
    "collect_imported_tests",
    "strict",
    "strict_markers",
    "strict_parametrization_ids",
    "disable_test_id_escaping_and_forfeit_all_rights_to_community_support",
}
_STRING_OPTIONS = {"parametrize_long_str_id_strategy", "empty_parameter_set_mark"}
_ALIASES = {
    "disable_test_id_escaping_and_forfeit_all_rights_to_community_support": (
        "disable_test_id_escaping"
    ),
    "parametrize_long_str_id_strategy": "long_str_id_strategy",
}


#: Assumed when no pytest is installed where the documentation is built.
NEWEST_RULES = (9, 0)


@functools.cache
def installed_pytest_version() -> tuple[int, int]:
    """The installed pytest's (major, minor), from its distribution metadata."""
    try:
        text = importlib.metadata.version("pytest")
    except importlib.metadata.PackageNotFoundError:
        return NEWEST_RULES
    parts = text.split(".")
    try:
        return int(parts[0]), int("".join(c for c in parts[1] if c.isdigit()) or 0)
    except (IndexError, ValueError):
        return NEWEST_RULES


def marker_name(line: str) -> str:
    """The marker a ``markers`` line declares (``"slow(x): text"`` -> ``"slow"``), as pytest."""
    return line.split(":", 1)[0].split("(", maxsplit=1)[0].strip()


@dataclass(frozen=True)
class PytestConfig:
    """The pytest settings that decide what is collected, with pytest's defaults."""

    rootdir: Path = field(default_factory=Path)
    #: The file the settings came from; None when pytest would find none.
    config_file: Path | None = None
    python_files: tuple[str, ...] = DEFAULT_PYTHON_FILES
    python_classes: tuple[str, ...] = DEFAULT_PYTHON_CLASSES
    python_functions: tuple[str, ...] = DEFAULT_PYTHON_FUNCTIONS
    testpaths: tuple[str, ...] = ()
    norecursedirs: tuple[str, ...] = DEFAULT_NORECURSEDIRS
    #: ``filterwarnings`` lines, in order (:mod:`.warning_filters`).
    filterwarnings: tuple[str, ...] = ()
    #: Declared marker names (from ``markers`` lines), in order.
    markers: tuple[str, ...] = ()
    #: True when the configuration has a ``markers`` option at all.
    declares_markers: bool = False
    usefixtures: tuple[str, ...] = ()
    #: ``pythonpath``: folders pytest puts on sys.path (absolute).
    pythonpath: tuple[Path, ...] = ()
    #: ``addopts``: extra command-line arguments, split as pytest splits them
    #: (read by :mod:`.addopts`).
    addopts: tuple[str, ...] = ()
    collect_imported_tests: bool = True
    strict: bool = False
    strict_markers: bool = False
    #: None: follow ``strict`` (pytest's rule).
    strict_parametrization_ids: bool | None = None
    disable_test_id_escaping: bool = False
    long_str_id_strategy: str = "short"
    empty_parameter_set_mark: str = "skip"
    #: Why some or all of the file's settings were ignored (never raised).
    problems: tuple[str, ...] = ()
    #: The installed plugin that shuffles the order of tests and cases as pytest
    #: collects them (``plugins.shuffling_plugin``), when one does: no case's place
    #: is known then.
    shuffled_by: str | None = None
    #: The pytest version whose rules apply (major, minor): the installed one, read
    #: from its package metadata (never imported); the newest rules when none is found.
    version: tuple[int, int] = field(default_factory=installed_pytest_version)

    @property
    def closure_depth_first(self) -> bool:
        """pytest 9 orders a test's fixtures depth first (earlier versions: breadth)."""
        return self.version >= (9, 0)

    @property
    def parametrization_ids_strict(self) -> bool:
        """Whether duplicate parametrization ids are an error rather than suffixed."""
        if self.strict_parametrization_ids is None:
            return self.strict
        return self.strict_parametrization_ids

    def with_overrides(self, mapping: Mapping[str, object]) -> PytestConfig:
        """A copy with options replaced, keys named like the ini options.

        Values may be ini-style strings or already-split sequences / booleans; a bad
        value is recorded in ``problems`` and ignored.
        """
        values, problems = _convert_options(mapping, mode="override")
        return dataclasses.replace(self, **values, problems=self.problems + tuple(problems))  # type: ignore[arg-type]


def path_matches_patterns(path: str | PurePath, patterns: Sequence[str]) -> bool:
    """pytest's ``fnmatch_ex`` for ``python_files``: bare patterns match the base name."""
    pure = PurePath(path)
    for pattern in patterns:
        glob = pattern
        if os.sep not in pattern and "/" not in pattern:
            name = pure.name
        else:
            name = str(pure)
            if pure.is_absolute() and not PurePath(pattern).is_absolute():
                glob = f"*{os.sep}{pattern}"
        if fnmatch.fnmatch(name, glob):
            return True
    return False


# --- converting raw option values --------------------------------------------------


def _strtobool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("y", "yes", "t", "true", "on", "1"):
        return True
    if lowered in ("n", "no", "f", "false", "off", "0"):
        return False
    raise ValueError(f"invalid truth value {value!r}")


def _as_str_list(name: str, value: object, *, mode: str) -> tuple[str, ...]:
    if isinstance(value, str):
        if mode == "toml":
            # Native [tool.pytest] tables keep TOML types; pytest rejects a string here.
            raise TypeError(f"option {name!r} expects a list, got a string")
        if name in _LINELIST_OPTIONS:
            return tuple(s for line in value.split("\n") if (s := line.strip()))
        return tuple(shlex.split(value))
    if isinstance(value, (list, tuple)):
        items = tuple(value)
        for item in items:
            if not isinstance(item, str):
                raise TypeError(f"option {name!r} expects strings, got {item!r}")
        return items
    raise TypeError(f"option {name!r} expects a list, got {type(value).__name__}")


def _as_bool(name: str, value: object, *, mode: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and mode != "toml":
        return _strtobool(value)
    raise TypeError(f"option {name!r} expects a bool, got {value!r}")


def _convert_options(
    raw: Mapping[str, object], *, mode: str
) -> tuple[dict[str, object], list[str]]:
    """Turn raw option values into PytestConfig fields; unknown options are ignored."""
    values: dict[str, object] = {}
    problems: list[str] = []
    for name, value in raw.items():
        target = _ALIASES.get(name, name)
        try:
            if name in _ARGS_OPTIONS or name in _LINELIST_OPTIONS:
                items = _as_str_list(name, value, mode=mode)
                if name == "markers":
                    values["markers"] = tuple(marker_name(line) for line in items)
                    values["declares_markers"] = True
                else:
                    values[target] = items
            elif name in _BOOL_OPTIONS:
                values[target] = _as_bool(name, value, mode=mode)
            elif name in _STRING_OPTIONS:
                if not isinstance(value, str):
                    raise TypeError(f"option {name!r} expects a string, got {value!r}")
                values[target] = value.strip()
        except (TypeError, ValueError) as exc:
            problems.append(str(exc))
    return values, problems


# --- reading files -------------------------------------------------------------------

# A loader returns (options, mode) when the file holds pytest configuration, None when
# it does not, and raises _ConfigError when pytest would refuse it.
_Loaded = tuple[dict[str, object], str] | None


class _ConfigError(Exception):
    pass


def _read_ini(path: Path) -> configparser.RawConfigParser:
    # RawConfigParser: no %-interpolation (iniconfig has none); keys keep their case.
    parser = configparser.RawConfigParser(
        strict=False, delimiters=("=", ":"), comment_prefixes=("#", ";"), interpolation=None
    )
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(path.read_text(encoding="utf-8-sig"), source=str(path))
    except (configparser.Error, OSError, UnicodeDecodeError) as exc:
        raise _ConfigError(f"{path}: {exc}") from exc
    return parser


def _section(parser: configparser.RawConfigParser, name: str) -> dict[str, object]:
    return dict(parser.items(name))


def _load_pytest_ini(path: Path) -> _Loaded:
    parser = _read_ini(path)
    # pytest.ini is the configuration even without a [pytest] section.
    return (_section(parser, "pytest") if parser.has_section("pytest") else {}), "ini"


def _load_tox_ini(path: Path) -> _Loaded:
    parser = _read_ini(path)
    return (_section(parser, "pytest"), "ini") if parser.has_section("pytest") else None


def _load_setup_cfg(path: Path) -> _Loaded:
    parser = _read_ini(path)
    if parser.has_section("tool:pytest"):
        return _section(parser, "tool:pytest"), "ini"
    if parser.has_section("pytest"):
        raise _ConfigError(f"{path}: [pytest] section in setup.cfg files is no longer supported")
    return None


def _read_toml(path: Path) -> dict[str, object]:
    try:
        document: dict[str, object] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as exc:
        raise _ConfigError(f"{path}: {exc}") from exc
    return document


def _load_pytest_toml(path: Path) -> _Loaded:
    document = _read_toml(path)
    table = document.get("pytest")
    if isinstance(table, dict):
        return dict(table), "toml"
    top_level = [key for key, value in document.items() if not isinstance(value, dict)]
    if top_level:
        raise _ConfigError(f"{path}: pytest configuration must be under a [pytest] table")
    return {}, "toml"


def _load_pyproject(path: Path) -> _Loaded:
    document = _read_toml(path)
    tool = document.get("tool")
    tool_pytest = tool.get("pytest") if isinstance(tool, dict) else None
    if not isinstance(tool_pytest, dict):
        return None
    native = {k: v for k, v in tool_pytest.items() if k != "ini_options"}
    ini_options = tool_pytest.get("ini_options")
    if native and ini_options is not None:
        raise _ConfigError(f"{path}: cannot use both [tool.pytest] and [tool.pytest.ini_options]")
    if native:
        return native, "toml"
    if isinstance(ini_options, dict):
        # INI mode: scalars become strings, lists stay lists (pytest's make_scalar).
        return {
            k: v if isinstance(v, list) else (str(v).lower() if isinstance(v, bool) else str(v))
            for k, v in ini_options.items()
        }, "ini"
    return None


#: The files pytest looks for in each directory, in its precedence order.
_LOADERS: dict[str, Callable[[Path], _Loaded]] = {
    "pytest.toml": _load_pytest_toml,
    ".pytest.toml": _load_pytest_toml,
    "pytest.ini": _load_pytest_ini,
    ".pytest.ini": _load_pytest_ini,
    "pyproject.toml": _load_pyproject,
    "tox.ini": _load_tox_ini,
    "setup.cfg": _load_setup_cfg,
}


def _locate(
    args: Sequence[Path], problems: list[str]
) -> tuple[Path, Path, dict[str, object], str] | tuple[None, None, None, None]:
    """pytest's ``locate_config``: walk up from each arg, first file with config wins."""
    found_pyproject: Path | None = None
    for arg in args:
        for base in (arg, *arg.parents):
            for name, loader in _LOADERS.items():
                candidate = base / name
                if not candidate.is_file():
                    continue
                if name == "pyproject.toml" and found_pyproject is None:
                    found_pyproject = candidate
                try:
                    loaded = loader(candidate)
                except _ConfigError as exc:
                    # pytest stops with a usage error here; we note it and fall back to
                    # the defaults, treating the file as the one pytest would have used.
                    problems.append(str(exc))
                    return base, candidate, {}, "ini"
                if loaded is not None:
                    return base, candidate, loaded[0], loaded[1]
    if found_pyproject is not None:
        return found_pyproject.parent, found_pyproject, {}, "ini"
    return None, None, None, None


def _common_ancestor(paths: Sequence[Path], fallback: Path) -> Path:
    existing = [p for p in paths if p.exists()]
    if not existing:
        return fallback
    common = Path(os.path.commonpath([str(p) for p in existing]))
    return common.parent if common.is_file() else common


def _absolute(path: Path) -> Path:
    return Path(os.path.normpath(Path(path).absolute()))


def find_pytest_config(
    paths: Sequence[Path], *, invocation_dir: Path | None = None
) -> PytestConfig:
    """Determine rootdir and configuration as ``pytest <paths>`` would (``determine_setup``).

    ``invocation_dir`` stands for the directory pytest runs from; it defaults to the
    common ancestor of ``paths`` so the answer does not depend on the process's cwd.
    Never raises: unreadable or malformed files are reported in ``problems``.
    """
    # pytest's absolutepath(): absolute and normalised, symlinks not resolved.
    absolute = [_absolute(p) for p in paths]
    ancestor = _common_ancestor(absolute, _absolute(invocation_dir or Path.cwd()))
    invocation = _absolute(invocation_dir) if invocation_dir else ancestor
    dirs = [p if p.is_dir() else p.parent for p in absolute if p.exists()]
    problems: list[str] = []

    rootdir, config_file, raw, mode = _locate([ancestor], problems)
    if rootdir is None:
        for possible in (ancestor, *ancestor.parents):
            if (possible / "setup.py").is_file():
                rootdir = possible
                break
        else:
            if dirs != [ancestor]:
                rootdir, config_file, raw, mode = _locate(dirs, problems)
            if rootdir is None:
                rootdir = _common_ancestor([invocation, ancestor], ancestor)
                if os.path.splitdrive(str(rootdir))[1] == os.sep:
                    rootdir = ancestor

    values, option_problems = _convert_options(raw or {}, mode=mode or "ini")
    problems.extend(f"{config_file}: {p}" for p in option_problems)
    if "pythonpath" in values:
        # pytest reads these relative to the configuration file's folder.
        base = config_file.parent if config_file is not None else rootdir
        values["pythonpath"] = tuple(
            Path(os.path.normpath(base / str(p)))
            for p in values["pythonpath"]  # type: ignore[attr-defined]
        )
    return dataclasses.replace(
        PytestConfig(rootdir=rootdir, config_file=config_file, problems=tuple(problems)),
        **values,  # type: ignore[arg-type]
    )
