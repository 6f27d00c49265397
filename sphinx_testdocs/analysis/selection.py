"""Whether pytest collects a file, and why not: the one place that decides it.

pytest decides in two steps. Walking from its initial paths it skips what
``pytest_ignore_collect`` ignores; of the ``.py`` files it reaches, it makes modules of
those matching ``python_files``. Both steps are here, read statically.
"""

from __future__ import annotations

import fnmatch
import glob
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from sphinx_testdocs.analysis.addopts import CommandLine, parse_addopts
from sphinx_testdocs.analysis.conftest_rules import COLLECTION_HOOKS, ConftestRules, IgnoreList
from sphinx_testdocs.analysis.pytest_config import PytestConfig, path_matches_patterns

__all__ = [
    "Selection",
    "Verdict",
    "confcutdir",
    "is_test_file",
    "python_files_match",
    "python_files_reason",
]


def python_files_match(path: str | PurePath, config: PytestConfig) -> str | None:
    """The first ``python_files`` pattern the file matches, as pytest's ``fnmatch_ex``.

    A pattern without a path separator matches the base name; one with a separator
    (``testing/python/*.py``) matches the whole path, so ``path`` should be absolute
    (a bare name can only match bare patterns).
    """
    if not str(path).endswith(".py"):
        return None
    for pattern in config.python_files:
        if path_matches_patterns(path, (pattern,)):
            return pattern
    return None


def is_test_file(path: str | PurePath, config: PytestConfig) -> bool:
    """Whether pytest makes a test module of the file when it reaches it walking a folder."""
    return python_files_match(path, config) is not None


def python_files_reason(pattern: str | None, config: PytestConfig) -> str:
    """Why the file is, or is not, a test module by ``python_files``, as a sentence start."""
    if pattern is None:
        patterns = " ".join(config.python_files)
        return (
            f"The file does not match python_files ({patterns}), so pytest does not "
            "collect it when walking directories"
        )
    what = "path" if os.sep in pattern or "/" in pattern else "name"
    return f"The file {what} matches python_files ({pattern})"


# --- walking: what pytest reaches from its initial paths ------------------------------


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether pytest reaches a path, walking from its initial paths, and why not."""

    #: Why pytest does not reach it (a sentence without its final full stop); None
    #: when it does.
    excluded: str | None = None
    #: Why it may not reach it after all (a rule that applies only under a condition
    #: the source does not settle); None when nothing is in doubt.
    doubt: str | None = None
    #: pytest gets to the file but collects nothing from it even when it is named
    #: (a conftest.py above it stops or fails when loaded): no node ID of it runs.
    stops: bool = False


_REACHED = Verdict()
#: Option defaults, as written, that pytest's ``getoption`` gives as false.
_FALSE = frozenset({None, "None", "False", "0", "''", '""', "[]", "()"})


def confcutdir(config: PytestConfig) -> Path:
    """Above this folder pytest loads no conftest.py (its default ``--confcutdir``)."""
    return config.config_file.parent if config.config_file is not None else config.rootdir


def _absolute(path: str | os.PathLike[str], base: Path) -> Path:
    """pytest's ``absolutepath``: made absolute against ``base``, normalised, not resolved."""
    return Path(os.path.normpath(base / path))


@dataclass
class Selection:
    """pytest's walk from its initial paths, for one documented folder.

    ``folder`` is the documented folder; ``explicit`` says it is given to pytest as an
    argument (``pytest FOLDER``, or ``sphinx-testdocs collect FOLDER``). When it is not,
    pytest runs without arguments from ``folder``: if that is its rootdir, the
    ``testpaths`` found there are the initial paths, as pytest's ``_decide_args``.
    ``invocation_dir`` is where pytest runs (``--ignore`` paths are relative to it).
    ``conftests`` maps each conftest.py (absolute path) pytest may load to its rules.
    """

    config: PytestConfig
    folder: Path
    invocation_dir: Path
    explicit: bool = True
    conftests: Mapping[Path, ConftestRules] = field(default_factory=dict)
    #: Plugin modules loaded by name (``-p``, ``pytest_plugins``) and found here, read
    #: as conftests are: their hooks apply to every test.
    plugin_modules: Mapping[Path, ConftestRules] = field(default_factory=dict)
    #: Whether an installed plugin (entry points) may declare a command-line option:
    #: read from its source (:func:`.plugins.installed_plugin_declares`); by default,
    #: any may.
    installed_declares: Callable[[str], bool] = field(default=lambda option: True, repr=False)
    #: Whether pytest itself may declare a command-line option: read from its source
    #: (:func:`.plugins.pytest_source`); by default, it may.
    pytest_declares: Callable[[str], bool] = field(default=lambda option: True, repr=False)
    commandline: CommandLine = field(init=False)
    initial_paths: tuple[Path, ...] = field(init=False)
    #: Why the initial paths are what they are, when testpaths decided them.
    initial_reason: str | None = field(init=False, default=None)
    #: What pytest warns about in these settings (reported as warnings).
    problems: tuple[str, ...] = field(init=False, default=())
    _dirs: dict[Path, Verdict] = field(init=False, default_factory=dict, repr=False)
    _dropping: list[str] | None = field(init=False, default=None, repr=False)
    _undeclared: list[str] | None = field(init=False, default=None, repr=False)
    _chains: dict[Path, list[tuple[Path, ConftestRules]]] = field(
        init=False, default_factory=dict, repr=False
    )

    def __post_init__(self) -> None:
        self.commandline = parse_addopts(self.config.addopts)
        self.initial_paths = (self.folder,)
        if not self.explicit and self.folder == self.config.rootdir and self.config.testpaths:
            found = [
                _absolute(p, self.folder)
                for pattern in self.config.testpaths
                # glob, as pytest: Path.glob has other rules for "**" and absolute paths.
                for p in sorted(glob.glob(pattern, root_dir=self.folder, recursive=True))  # noqa: PTH207
            ]
            listed = " ".join(self.config.testpaths)
            if found:
                # pytest keeps the first of duplicates.
                self.initial_paths = tuple(dict.fromkeys(found))
                self.initial_reason = (
                    f"it is outside testpaths ({listed}): pytest, run without arguments "
                    "from its rootdir, collects only there"
                )
            else:
                # pytest warns the same, and walks from where it runs instead.
                self.problems = (
                    f"testpaths ({listed}) match no file or folder: pytest collects from "
                    "its rootdir instead",
                )

    @property
    def confcutdir(self) -> Path:
        return confcutdir(self.config)

    def _label(self, path: Path) -> str:
        """A path as pages show it: relative to the rootdir, in POSIX form."""
        try:
            return path.relative_to(self.config.rootdir).as_posix() or "."
        except ValueError:
            return path.as_posix()

    def initial_index(self, path: Path) -> int | None:
        """The initial path ``path`` lies in (its index), or None when in none."""
        for index, initial in enumerate(self.initial_paths):
            if path == initial or initial in path.parents:
                return index
        return None

    def verdict(self, path: Path, *, is_dir: bool = False) -> Verdict:
        """Whether pytest reaches ``path`` (absolute, not resolved), walking from its
        initial paths; the folder it starts from and those above are always entered."""
        index = self.initial_index(path)
        if index is None:
            if any(path in initial.parents for initial in self.initial_paths):
                return _REACHED  # a folder above an initial path: pytest enters it
            return Verdict(self.initial_reason or "it is outside the folder pytest is given")
        initial = self.initial_paths[index]
        doubts: list[str] = []
        if path != initial:
            parent = path.parent
            if parent != initial:
                above = self._dir_verdict(parent, initial)
                if above.excluded is not None:
                    return above
                if above.doubt:
                    doubts.append(above.doubt)
            own = self._ignored(path, is_dir)
            if own.excluded is not None:
                return own
            if own.doubt:
                doubts.append(own.doubt)
        if not is_dir:
            doubts.extend(self._dropping_hooks())
            doubts.extend(self.usage_errors())
        return Verdict(None, "; ".join(doubts) or None) if doubts else _REACHED

    def usage_errors(self) -> list[str]:
        """The long options of ``addopts`` that nothing is found to declare (pytest, a
        conftest.py, a plugin loaded by name, an installed plugin's source): pytest
        stops on them with a usage error before collecting anything (statsmodels'
        ``--randomly-dont-reset-seed`` where pytest-randomly is not installed)."""
        if self._undeclared is None:
            self._undeclared = []
            declared = {
                name
                for rules in [*self.conftests.values(), *self.plugin_modules.values()]
                for option in rules.options
                for name in option.names
            }
            for arg in self.config.addopts:
                option = arg.split("=", 1)[0]
                if not option.startswith("--") or option == "--" or option in declared:
                    continue
                if not (self.pytest_declares(option) or self.installed_declares(option)):
                    self._undeclared.append(
                        f"addopts has {option}, which neither pytest, a conftest.py nor an "
                        "installed plugin is found to declare: pytest may stop with a usage "
                        "error, collecting nothing"
                    )
        return self._undeclared

    def _dropping_hooks(self) -> list[str]:
        """The ``pytest_collection_modifyitems`` hooks of loaded conftest.py files that
        may leave tests out: pytest gives each the whole session's list of tests."""
        if self._dropping is None:
            loaded = [
                (path, rules)
                for path, rules in sorted(self.conftests.items())
                if self.verdict(path.parent, is_dir=True).excluded is None
            ]
            self._dropping = [
                f"{self._label(path)} defines pytest_collection_modifyitems, which "
                f"{rules.drops_items}: pytest may leave it out"
                for path, rules in [*loaded, *sorted(self.plugin_modules.items())]
                if self._drops(rules)
            ]
        return self._dropping

    def _drops(self, rules: ConftestRules) -> bool:
        """Whether its ``pytest_collection_modifyitems`` may leave tests out as pytest
        runs (one that acts only with an option that is not set does not)."""
        option = rules.drops_items_with
        return rules.drops_items is not None and (option is None or self._option_set(option))

    def _option_set(self, option: str) -> bool:
        """Whether a command-line option may have a true value as pytest runs: given in
        ``addopts``, or declared with a default that is not false (by a conftest.py, a
        plugin loaded by name, or an installed plugin)."""
        if any(arg == option or arg.startswith(option + "=") for arg in self.config.addopts):
            return True
        for rules in [*self.conftests.values(), *self.plugin_modules.values()]:
            for declared in rules.options:
                if option in declared.names:
                    return not declared.default_known or declared.default not in _FALSE
        return self.installed_declares(option)

    def _dir_verdict(self, path: Path, initial: Path) -> Verdict:
        cached = self._dirs.get(path)
        if cached is None:
            cached = self.verdict(path, is_dir=True) if path != initial else _REACHED
            self._dirs[path] = cached
        return cached

    # --- pytest_ignore_collect --------------------------------------------------------

    def _conftest_chain(self, folder: Path) -> list[tuple[Path, ConftestRules]]:
        """The conftest.py files in effect for ``folder``, innermost first (asked for
        every path pytest may reach: made once per folder)."""
        chain = self._chains.get(folder)
        if chain is None:
            chain = []
            cut = self.confcutdir
            for base in (folder, *folder.parents):
                rules = self.conftests.get(base / "conftest.py")
                if rules is not None:
                    chain.append((base / "conftest.py", rules))
                if base == cut:
                    break
            self._chains[folder] = chain
        return chain

    def _closest_list(
        self, folder: Path, name: str
    ) -> tuple[Path, IgnoreList] | tuple[None, None]:
        # pytest reads the attribute from the innermost conftest module that has it.
        for conftest, rules in self._conftest_chain(folder):
            found = rules.ignore_list(name)
            if found is not None:
                return conftest, found
        return None, None

    def _ignored(self, path: Path, is_dir: bool) -> Verdict:
        """pytest's ``pytest_ignore_collect`` for one path, in its order of checks."""
        label = self._label(path) + ("/" if is_dir else "")
        doubt: str | None = None
        # Paths first (conftest list, then --ignore), then globs: pytest's order.
        rules = (
            ("collect_ignore", "--ignore", self.commandline.ignore),
            ("collect_ignore_glob", "--ignore-glob", self.commandline.ignore_glob),
        )
        for name, option, values in rules:

            def hit(entry: str, base: Path, name: str = name) -> bool:
                target = _absolute(entry.replace("/", os.sep), base)
                if name == "collect_ignore":
                    return path == target
                return fnmatch.fnmatch(str(path), str(target))

            conftest, ignore = self._closest_list(path.parent, name)
            if conftest is not None and ignore is not None:
                where = self._label(conftest)
                for entry in ignore.entries:
                    if hit(entry, conftest.parent):
                        return Verdict(f"{where} lists it in {name} ({entry})")
                for entry, line in ignore.maybe:
                    if doubt is None and hit(entry, conftest.parent):
                        doubt = (
                            f"{where} adds it to {name} ({entry}) under a condition "
                            f"(line {line}): pytest may not collect it"
                        )
            for value in values:
                if hit(value, self.invocation_dir):
                    return Verdict(f"addopts has {option} {value}")
        for conftest, conftest_rules in self._conftest_chain(path.parent):
            for said in self._conftest_says(conftest, conftest_rules, is_dir):
                if said.excluded is not None:
                    return said
                doubt = doubt or said.doubt
        if is_dir and not self.commandline.collect_in_virtualenv and _is_venv(path):
            return Verdict(f"folder {label} holds a virtual environment")
        if is_dir:
            for pattern in self.config.norecursedirs:
                if path_matches_patterns(path, (pattern,)):
                    return Verdict(f"folder {label} matches norecursedirs ({pattern})")
        return Verdict(None, doubt)

    # --- what is in doubt for the whole folder --------------------------------------

    def doubts(self) -> tuple[str, ...]:
        """What may make pytest collect other files or tests than the rules above say,
        for the whole folder: addopts options not modelled, computed lists and
        collection hooks in the conftest.py files pytest loads."""
        out = [
            f"addopts has {shown}: pytest {does}" for shown, does in self.commandline.unmodelled
        ]
        out.extend(self.usage_errors())
        if self.config.shuffled_by:
            out.append(
                f"{self.config.shuffled_by}, installed where the analysis runs, shuffles the "
                "tests and their cases: pytest lists them in another order (case IDs are "
                "not given)"
            )
        for conftest, rules in sorted(self.conftests.items()):
            if self.verdict(conftest.parent, is_dir=True).excluded is not None:
                continue  # never loaded: pytest does not enter its folder
            where = self._label(conftest)
            for ignore in (rules.collect_ignore, rules.collect_ignore_glob):
                for line, what in ignore.unknown if ignore else ():
                    out.append(f"{where} (line {line}): {what}, so pytest may ignore other files")
            for line, what in rules.plugins_unknown:
                out.append(f"{where} (line {line}): {what}: its plugins are not known")
            for hook, line in rules.hooks:
                does = f"pytest {COLLECTION_HOOKS[hook]}"
                if hook == "pytest_collection_modifyitems" and self._drops(rules):
                    does = f"it {rules.drops_items}: pytest may leave tests out"
                elif hook == "pytest_collection_modifyitems" and rules.drops_items:
                    does = (
                        f"it {rules.drops_items} only with {rules.drops_items_with}, which "
                        "is not set: pytest may reorder the tests"
                    )
                elif hook == "pytest_collection_modifyitems":
                    # Reading, sorting or marking the tests changes their order at most.
                    does = "pytest may reorder the tests"
                out.append(f"{where} defines {hook} (line {line}): {does}")
        return tuple(out)

    def _conftest_says(self, conftest: Path, rules: ConftestRules, is_dir: bool) -> list[Verdict]:
        """What a conftest.py in effect says of a path below its folder, in pytest's
        order: for a file, whether loading the conftest fails or stops (pytest still
        enters the folders: they keep their pages); then its ``pytest_ignore_collect``."""
        where = self._label(conftest)
        said: list[Verdict | None] = []
        if not is_dir:
            said.append(self._refused_plugins(conftest, rules))
            stop = rules.stop
            # A conftest that may raise an error when loaded checks its environment
            # (scikit-learn's "Your version of pytest is too old"): where it fails,
            # nothing runs at all, so only a skip under a condition is a doubt.
            if stop is not None and (stop.condition is None or stop.skips):
                what = f"{stop.what} at line {stop.line}"
                if stop.certain:
                    verdict = Verdict(
                        f"{where} stops when pytest loads it: {what} {stop.does}", stops=True
                    )
                elif stop.condition is None:  # it runs, and may let the import go on
                    verdict = Verdict(
                        None,
                        f"{where}: {what}, run when pytest loads it, {stop.does}: pytest "
                        "then collects nothing below its folder",
                    )
                else:
                    verdict = Verdict(
                        None,
                        f"{where}: {what} runs when pytest loads it if the if/try/loop at "
                        f"line {stop.condition} lets it: pytest then collects nothing below "
                        "its folder",
                    )
                said.append(verdict)
        hook_line = dict(rules.hooks).get("pytest_ignore_collect")
        if rules.ignore_collect == "all":
            said.append(Verdict(f"{where}'s pytest_ignore_collect (line {hook_line}) ignores it"))
        elif rules.ignore_collect == "maybe":
            said.append(
                Verdict(
                    None,
                    f"{where} defines pytest_ignore_collect (line {hook_line}): pytest may "
                    "ignore it",
                )
            )
        return [v for v in said if v is not None]

    def _loaded_at_start(self, folder: Path) -> bool:
        """Whether pytest loads the conftest.py of ``folder`` before it starts (at or
        above an initial path, or in one's ``test*`` folders: ``_try_load_conftest``)."""
        return any(
            folder == p
            or folder in p.parents
            or (folder.parent == p and folder.name.startswith("test"))
            for p in self.initial_paths
        )

    def _refused_plugins(self, conftest: Path, rules: ConftestRules) -> Verdict | None:
        """pytest fails a folder whose conftest.py, loaded once it has started, binds
        ``pytest_plugins`` (not with ``--pyargs``)."""
        if rules.plugins_binding is None or "--pyargs" in self.config.addopts:
            return None
        if self._loaded_at_start(conftest.parent):
            return None
        line, conditional = rules.plugins_binding
        why = (
            f"{self._label(conftest)} sets pytest_plugins (line {line}), which pytest "
            "refuses in a conftest.py below the top level"
        )
        if conditional:
            return Verdict(None, f"{why}, under a condition: it may report an error instead")
        return Verdict(f"{why}: it reports an error instead of collecting the folder", stops=True)

    def top_level_plugins(self) -> tuple[str, ...]:
        """``pytest_plugins`` of the conftest.py files pytest loads before collecting.

        Those are the ones at or above an initial path, and in its ``test*`` folders
        (``_try_load_conftest``); pytest refuses ``pytest_plugins`` anywhere else.
        """
        names: list[str] = []
        for conftest, rules in sorted(self.conftests.items()):
            if self._loaded_at_start(conftest.parent):
                names.extend(n for n in rules.plugins if n not in names)
        return tuple(names)


def _is_venv(path: Path) -> bool:
    """pytest's ``_in_venv``: a pyvenv.cfg (or a conda environment's history)."""
    try:
        return (path / "pyvenv.cfg").is_file() or (path / "conda-meta" / "history").is_file()
    except OSError:
        return False
