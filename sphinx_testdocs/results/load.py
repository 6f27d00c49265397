"""Find the configured results files, read each in its format, and join them."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from sphinx_testdocs.results.join import JoinedResults, KnownTest, join_results
from sphinx_testdocs.results.junit import read_junit
from sphinx_testdocs.results.records import CaseResult, ReadProblem
from sphinx_testdocs.results.reportlog import read_report_log


def find_results(patterns: tuple[str, ...], confdir: Path) -> list[Path]:
    """Files matching the globs (relative to ``confdir``, ``**`` across folders), each
    once, in order of the patterns and by name within one."""
    found: dict[Path, None] = {}
    for pattern in patterns:
        given = Path(pattern)
        if given.is_absolute():
            base, relative = Path(given.anchor), str(given.relative_to(given.anchor))
        else:
            base, relative = confdir, pattern
        for match in sorted(base.glob(relative)):
            path = Path(os.path.normpath(match))
            if path.is_file():
                found.setdefault(path, None)
    return list(found)


def read_results(path: Path, problems: list[ReadProblem]) -> Iterator[CaseResult]:
    """The cases of one file: a report log if it starts with "{", else JUnit XML."""
    try:
        with path.open("rb") as handle:
            start = handle.read(256).lstrip()
    except OSError as error:
        problems.append(ReadProblem(f"cannot be read ({error.strerror or error})"))
        return iter(())
    if start.startswith(b"{"):
        return read_report_log(path, problems)
    return read_junit(path, problems)


#: The tests the static map lists, and the files it knows only in part.
Known = tuple[list[KnownTest], set[tuple[str, str]]]


def known_tests(collected: Mapping[str, Mapping[str, str | None]]) -> Known:
    """What the static map lists, from each file's ``testdocs.json`` entry (by root key)."""
    return _known(
        (root, relpath, json.loads(entry))
        for root in sorted(collected)
        for relpath, entry in sorted(collected[root].items())
        if entry is not None
    )


def known_in_entries(modules: Iterable[Mapping[str, Any]]) -> Known:
    """What ``testdocs.json`` module entries list (roots by name)."""
    return _known((module["root"], module["path"], module) for module in modules)


def _known(entries: Iterable[tuple[str, str, Mapping[str, Any]]]) -> Known:
    tests: list[KnownTest] = []
    partial: set[tuple[str, str]] = set()
    for root, relpath, module in entries:
        if not module["complete"]:
            partial.add((root, relpath))
        tests += [KnownTest(root, relpath, test["nodeid"]) for test in module["tests"]]
    return tests, partial


def load_results(
    files: list[tuple[str, Path]], known: Known
) -> tuple[JoinedResults, dict[Path, list[ReadProblem]]]:
    """Read every (label, path) and join them; the problems met, by file."""
    problems: dict[Path, list[ReadProblem]] = {path: [] for _, path in files}
    sources = [(label, read_results(path, problems[path])) for label, path in files]
    joined = join_results(known[0], sources, known[1])
    return joined, {p: found for p, found in problems.items() if found}
