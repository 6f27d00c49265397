"""The arguments of ``sphinx-testdocs collect``, read as pytest reads its own: folders,
files and node IDs (``file.py::Class::test``), in the order given."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Argument:
    """One argument: an absolute path (normalised, not resolved, as pytest's
    ``absolutepath``) and what follows its first ``::``, if anything."""

    raw: str
    path: Path
    selector: str | None

    @property
    def folder(self) -> Path:
        """The folder whose tree is analysed for this argument."""
        return self.path if self.path.is_dir() else self.path.parent

    def covers(self, other: Argument) -> bool:
        """Whether collecting this argument collects all of ``other`` already."""
        if self.selector is not None or not self.path.is_dir() or other == self:
            return False
        return other.path == self.path or self.path in other.path.parents


class NotFound(Exception):
    """An argument names nothing: pytest stops with "not found" (exit status 4)."""


def read_arguments(raw_args: Sequence[str]) -> list[Argument]:
    """Each argument once, minus those a folder given too collects already.

    pytest collects ``tests tests/test_a.py`` as ``tests`` alone; a path given twice,
    once.
    """
    arguments: list[Argument] = []
    for raw in raw_args:
        path_part, sep, selector = raw.partition("::")
        path = Path(os.path.normpath(Path(path_part).absolute()))
        if not path.exists():
            raise NotFound(f"file or directory not found: {path_part}")
        if sep and not path.is_file():
            raise NotFound(f"not a file, so no '::' after it: {raw}")
        if path.is_file() and path.suffix != ".py":
            # pytest, without a plugin for other files, finds nothing in it.
            raise NotFound(f"not found: {path_part} (not a Python file)")
        argument = Argument(raw, path, selector if sep else None)
        if argument not in arguments:
            arguments.append(argument)
    return [a for a in arguments if not any(other.covers(a) for other in arguments)]


def select(module: dict[str, Any], selector: str) -> dict[str, Any]:
    """A module's entry with only the tests ``file.py::<selector>`` names.

    As pytest: ``Class`` keeps the class's tests, ``test_f`` every case of it,
    ``test_f[id]`` that case. A case of a test whose cases are unknown keeps the test:
    only running it could say whether the case exists.
    """
    prefix = f"{module['pytest_path']}::{selector}"
    base, bracket, case = prefix.partition("[")
    tests = []
    for test in module["tests"]:
        nodeid = test["nodeid"]
        if bracket:
            if nodeid != base:
                continue
            if test["case_ids"]:
                wanted = case[:-1] if case.endswith("]") else case
                if wanted not in test["case_ids"]:
                    continue
                tests.append({**test, "case_ids": [wanted], "cases": 1})
                continue
            tests.append(test)
        elif nodeid == prefix or nodeid.startswith(prefix + "::"):
            tests.append(test)
    if not tests:
        raise NotFound(f"not found: {module['pytest_path']}::{selector}")
    return {**module, "tests": tests}
