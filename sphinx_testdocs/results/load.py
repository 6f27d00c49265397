"""Find the configured results files, read each in its format, and join them."""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

from sphinx_testdocs.results.join import JoinedResults, KnownTest, join_results
from sphinx_testdocs.results.junit import read_junit
from sphinx_testdocs.results.records import CaseResult, ReadProblem
from sphinx_testdocs.results.reportlog import read_report_log


def find_results(patterns: tuple[str, ...], confdir: Path) -> list[Path]:
    """Files matching the globs (relative to ``confdir``, ``**`` across folders), each
    once, in order of the patterns and by name within one."""
    found: dict[Path, None] = {}
    for pattern in patterns:
        full = pattern if os.path.isabs(pattern) else str(confdir / pattern)
        for match in sorted(glob.glob(full, recursive=True)):
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


def known_tests(collected: Mapping[str, Mapping[str, str | None]]) -> list[KnownTest]:
    """Every test the static map lists, from each file's ``testdocs.json`` entry."""
    known = []
    for root in sorted(collected):
        for relpath, entry in sorted(collected[root].items()):
            if entry is None:
                continue
            for test in json.loads(entry)["tests"]:
                known.append(KnownTest(root, relpath, test["nodeid"]))
    return known


def load_results(
    files: list[tuple[str, Path]], known: list[KnownTest]
) -> tuple[JoinedResults, dict[Path, list[ReadProblem]]]:
    """Read every (label, path) and join them; the problems met, by file."""
    problems: dict[Path, list[ReadProblem]] = {path: [] for _, path in files}
    sources = [(label, read_results(path, problems[path])) for label, path in files]
    return join_results(known, sources), {p: found for p, found in problems.items() if found}
