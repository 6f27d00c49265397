"""What the options in ``addopts`` change about collection: plugins, ignored paths,
deselection.

pytest prepends ``addopts`` to its command line. Only the options that change what
is collected are read here; the others (``-rfEX``, ``--tb=short``...) change nothing
this project shows. Options that would change it in ways not modelled are named, so
the reader is told instead of given a confident wrong total.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["CommandLine", "parse_addopts"]

#: Options pytest reads that change the collected tests, and what they do, when this
#: project does not model them.
_UNMODELLED = {
    "-k": "selects tests by keyword expression",
    "--doctest-modules": "also collects the doctests of every module",
    "--doctest-glob": "collects doctests from other text files",
    "--pyargs": "reads arguments as Python package names",
    "--noconftest": "loads no conftest.py file",
    "--confcutdir": "changes which conftest.py files are loaded",
    "--lf": "runs only the tests that failed last time",
    "--last-failed": "runs only the tests that failed last time",
    "--sw": "starts from the test that failed last time",
    "--stepwise": "starts from the test that failed last time",
}
#: Of those, the ones that take a value (``-k EXPR`` or ``-kEXPR``).
_TAKES_VALUE = {"-k", "-m", "-W", "--deselect", "--doctest-glob", "--confcutdir"}


@dataclass(frozen=True)
class CommandLine:
    """The collection-relevant part of ``addopts``, in the order given."""

    #: ``-p NAME`` / ``-p no:NAME``, as (name, enabled), in order: the last one wins.
    plugins: tuple[tuple[str, bool], ...] = ()
    #: ``--ignore PATH`` (relative to where pytest runs).
    ignore: tuple[str, ...] = ()
    #: ``--ignore-glob GLOB`` (relative to where pytest runs).
    ignore_glob: tuple[str, ...] = ()
    #: ``--collect-in-virtualenv``: folders holding a virtual environment are entered.
    collect_in_virtualenv: bool = False
    #: Options given that change the collection in ways not modelled, as
    #: ("-k expr", "selects tests by keyword expression").
    unmodelled: tuple[tuple[str, str], ...] = ()
    #: ``-m EXPR`` (the last one given: pytest keeps the last), selecting by marks.
    markexpr: str | None = None
    #: ``-k EXPR`` (the last one given), selecting by keywords.
    keywordexpr: str | None = None
    #: ``--deselect PREFIX``: node IDs starting with one of them are left out.
    deselect: tuple[str, ...] = ()
    #: ``--doctest-modules``: every module's docstring examples are collected too.
    doctest_modules: bool = False
    #: ``-W FILTER`` / ``--pythonwarnings FILTER``, in order: applied after
    #: ``filterwarnings``, while pytest collects too (:mod:`.warning_filters`).
    warning_filters: tuple[str, ...] = ()


def _value(args: Sequence[str], index: int, option: str) -> tuple[str | None, int]:
    """The value of ``option`` at ``args[index]``: attached (``--x=v``, ``-kv``) or next."""
    arg = args[index]
    if arg == option:
        if index + 1 < len(args):
            return args[index + 1], index + 2
        return None, index + 1
    rest = arg[len(option) :]
    return rest.removeprefix("=") if option.startswith("--") else rest, index + 1


def _option_of(arg: str) -> str | None:
    """Which option of interest ``arg`` starts, if any."""
    if arg.startswith("--"):
        name = arg.split("=", 1)[0]
        known = {
            "--ignore",
            "--ignore-glob",
            "--collect-in-virtualenv",
            "--deselect",
            "--pythonwarnings",
            *_UNMODELLED,
        }
        return name if name in known else None
    for short in ("-p", "-k", "-m", "-W"):
        if arg.startswith(short):
            return short
    return None


def parse_addopts(args: Sequence[str]) -> CommandLine:
    """Read the options of ``addopts`` that change collection, as pytest reads them.

    ``-p`` is read as pytest's ``consider_preparse`` does: ``-p NAME`` or ``-pNAME``,
    ``no:`` disabling. Other short options combined in one argument (``-vp x``) are not
    split, as pytest's pre-parsing does not split them either.
    """
    plugins: list[tuple[str, bool]] = []
    ignore: list[str] = []
    ignore_glob: list[str] = []
    unmodelled: list[tuple[str, str]] = []
    deselect: list[str] = []
    warning_filters: list[str] = []
    markexpr: str | None = None
    keywordexpr: str | None = None
    in_venv = False
    index = 0
    while index < len(args):
        arg = args[index]
        option = _option_of(arg)
        if option is None:
            index += 1
            continue
        if option == "--collect-in-virtualenv":
            in_venv = True
            index += 1
            continue
        if option in ("-p", "--ignore", "--ignore-glob", "--pythonwarnings") or (
            option in _TAKES_VALUE
        ):
            value, index = _value(args, index, option)
        else:
            value, index = None, index + 1
        if option == "-p":
            if value is not None and value.strip():
                name = value.strip()
                enabled = not name.startswith("no:")
                plugins.append((name.removeprefix("no:"), enabled))
        elif option == "--ignore" and value is not None:
            ignore.append(value)
        elif option == "--ignore-glob" and value is not None:
            ignore_glob.append(value)
        elif option == "-m":
            markexpr = value
        elif option == "--deselect" and value is not None:
            deselect.append(value)
        elif option in ("-W", "--pythonwarnings") and value is not None:
            warning_filters.append(value)
        elif option in _UNMODELLED:
            if option == "-k":
                keywordexpr = value
            shown = f"{option} {value}" if value is not None else option
            unmodelled.append((shown, _UNMODELLED[option]))
    return CommandLine(
        plugins=tuple(plugins),
        ignore=tuple(ignore),
        ignore_glob=tuple(ignore_glob),
        collect_in_virtualenv=in_venv,
        unmodelled=tuple(unmodelled),
        markexpr=markexpr,
        keywordexpr=keywordexpr,
        deselect=tuple(deselect),
        doctest_modules=any(shown == "--doctest-modules" for shown, _ in unmodelled),
        warning_filters=tuple(warning_filters),
    )
