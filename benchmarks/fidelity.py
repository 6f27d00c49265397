"""Benchmark: how closely the static collection matches ``pytest --collect-only -q``.

Usage::

    python benchmarks/fidelity.py TESTDIR --collect-output FILE [--strip PREFIX]

TESTDIR is analysed exactly as ``sphinx-testdocs collect TESTDIR`` and a build do (the
same project, rules and cross-file resolution: :func:`sphinx_testdocs.export
.collection_json`). FILE is what pytest printed for the same files, run with ``-rsE``
so that modules skipped or failing at collection can be left out (their tests are not
listed, so nothing can be compared). pytest's node IDs are compared with the static
ones after removing PREFIX from them (``--pyargs`` runs print IDs relative to the
package; a rootdir above TESTDIR adds its path). Reports

(a) the share of modules whose set of test-function IDs (node IDs without ``[...]``)
    equals pytest's, and of those the analysis calls complete;
(b) test-function IDs claimed exact that pytest does not collect (must be none), and
    exact case counts that are right;
(c) the share of all pytest cases that belong to functions with a right exact claim;
(d) the time the analysis takes against a bare ``ast.parse`` of every file it read,
(e) modules pytest refused (``ERROR``) or skipped while collecting that the analysis
    calls complete, with pytest's error or reason: a missing dependency is the
    environment's doing, anything else may be a wrong claim

and lists the worst mismatches. Not a test: it needs a real suite and a pytest run.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import re
import sys
import time
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sphinx_testdocs.config import TestdocsConfig
from sphinx_testdocs.export import collection_json
from sphinx_testdocs.project import build_project

_SKIP_LINE = re.compile(r"^SKIPPED \[\d+\] (?P<path>[^:]+\.py)(?::\d+)?: (?P<reason>.*)")
_ERROR_SECTION = re.compile(r"^_+ ERROR collecting (?P<path>\S+\.py) _+$")
_ERROR_LINE = re.compile(r"^ERROR (?P<path>[^\s:]+\.py)(?:::\S*)?(?: - (?P<error>.*))?")


@dataclass
class PytestOutput:
    """Node IDs (cases) per module file, and the modules pytest could not collect."""

    cases: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    ids: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    excluded: set[str] = field(default_factory=set)
    #: Modules pytest failed to collect (``ERROR`` lines), with the error it gave, and
    #: those it skipped while collecting (``SKIPPED`` lines), with "skipped: reason".
    errors: dict[str, str] = field(default_factory=dict)


def parse_output(text: str, strip: str = "") -> PytestOutput:
    out = PytestOutput()
    listing = True
    section: str | None = None
    first_errors: dict[str, str] = {}  # the first "E   " line of each ERROR section
    # Not splitlines(): node IDs may hold characters it splits on (\x1c, \x85...).
    for line in text.split("\n"):
        if not line.strip(" \r"):
            listing = False  # the ID list ends at the first blank line
        if match := _ERROR_SECTION.match(line):
            section = match["path"].removeprefix(strip)
        elif section is not None and line.startswith("E   "):
            first_errors.setdefault(section, line[4:].strip())
            section = None
        if match := _ERROR_LINE.match(line):
            path = match["path"].removeprefix(strip)
            out.excluded.add(path)
            out.errors[path] = match["error"] or first_errors.get(path, "")
        elif match := _SKIP_LINE.match(line):
            path = match["path"].removeprefix(strip)
            out.excluded.add(path)
            out.errors.setdefault(path, f"skipped: {match['reason']}")
        elif listing and "::" in line and not line.startswith((" ", "==", "__")):
            nodeid = line.removeprefix(strip)
            path, _, rest = nodeid.partition("::")
            out.cases[path][rest.split("[", 1)[0]] += 1
            out.ids[path].add(rest)
    return out


@dataclass
class Analysis:
    modules: dict[str, dict[str, Any]]
    analysis_seconds: float
    parse_seconds: float
    files_read: int


def analyse(testdir: Path) -> Analysis:
    """The static collection of ``testdir``, as ``sphinx-testdocs collect`` makes it."""
    folder = testdir.absolute()
    start = time.perf_counter()
    project = build_project(TestdocsConfig(dirs=(str(folder),)), Path("/nonexistent"), folder, [])
    data = collection_json(project)
    analysis_seconds = time.perf_counter() - start
    files: set[Path] = set()
    for root in project.roots:
        files.update(f.path for f in root.tree.files)
        for rel in (f.relpath for f in root.tree.files):
            collection = project.analysis(root, rel).collection
            if collection is not None:
                files.update(Path(d) for d in collection.dependencies)
    parse_seconds = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in sorted(files):
            try:
                text = path.read_bytes()
            except OSError:
                continue
            begin = time.perf_counter()
            with contextlib.suppress(SyntaxError, ValueError):
                ast.parse(text)
            parse_seconds += time.perf_counter() - begin
    modules = {m["path"]: m for m in data["modules"]}
    return Analysis(modules, analysis_seconds, parse_seconds, len(files))


def _skipped(path: str, excluded: set[str], collected: bool = False) -> bool:
    """Whether pytest skipped the module, or a conftest.py of a folder above it, or the
    ``__init__.py`` of a package above it that the module imports (pytest names where
    ``Skipped`` was raised: astropy's ``importorskip`` in ``wcsaxes/__init__.py``);
    ``collected`` says pytest listed tests of the module all the same."""
    for ex in excluded:
        if ex == path or ex.endswith("/" + path):
            return True
        for marker in ("conftest.py", "__init__.py"):
            if not ex.endswith(marker) or (marker == "__init__.py" and collected):
                continue
            folder = ex[: -len(marker)]  # ".../tests/arrays/arrow/"
            if not folder:
                return True  # the root's own conftest.py
            parts = path.split("/")[:-1]
            for depth in range(len(parts), 0, -1):
                prefix = "/".join(parts[:depth]) + "/"
                if folder == prefix or folder.endswith("/" + prefix):
                    return True
    return False


def _module_at(modules: dict[str, dict[str, Any]], path: str) -> dict[str, Any] | None:
    """The analysis of the module pytest names by ``path``: with ``--pyargs`` its
    ``SKIPPED`` lines give paths from where it ran (``../venv/.../tests/x.py``), not
    the IDs' prefix, so a path ending in a module's own is that module."""
    if path in modules:
        return modules[path]
    return next((m for rel, m in modules.items() if path.endswith("/" + rel)), None)


def _relative_id(module: dict[str, Any], nodeid: str) -> str:
    return nodeid.split("::", 1)[1] if "::" in nodeid else nodeid


def _matches_pattern(pattern: str, name: str) -> bool:
    """Whether a pytest test name fits a name shown as a pattern (``test_x_<op>_cpu``)."""
    regex = re.sub(r"<[^>]*>", ".+", re.escape(pattern))
    return re.fullmatch(regex, name) is not None


def report(analysis: Analysis, output: PytestOutput, worst: int) -> str:
    lines: list[str] = []
    known = set(analysis.modules) | set(output.cases)
    excluded = {p for p in known if _skipped(p, output.excluded, bool(output.cases.get(p)))}
    paths = sorted(known - excluded)
    equal_modules = claimed_complete = equal_complete = 0
    module_diffs: list[tuple[int, str, set[str], set[str]]] = []
    claimed = right = covered_cases = total_cases = unknown = 0
    wrong_ids: list[str] = []
    wrong_counts: list[tuple[int, str, int, int]] = []
    incomplete_reasons: Counter[str] = Counter()
    # pytest cases of tests with no right exact claim, by the reason given (issue 16's
    # "largest uncovered sources").
    uncovered: Counter[str] = Counter()
    static_total = deselected = 0
    for path in paths:
        real = output.cases.get(path, Counter())
        real_ids = output.ids.get(path, set())
        total_cases += sum(real.values())
        module = analysis.modules.get(path)
        tests = module["tests"] if module else []
        # A deselected test is a claim that pytest does not list it (checked below).
        static_ids = {
            _relative_id(module or {}, t["nodeid"]).split("[", 1)[0]
            for t in tests
            if not t.get("deselected")
        }
        complete = bool(module and module["complete"])
        claimed_complete += complete
        if module and not complete:
            for note in module["notes"][:1]:
                incomplete_reasons[re.sub(r"'[^']*'|\S+\.py|\b[A-Z]\w+", "X", note)[:90]] += 1
        if static_ids == set(real):
            equal_modules += 1
            equal_complete += complete
        else:
            missing, extra = set(real) - static_ids, static_ids - set(real)
            module_diffs.append((len(missing) + len(extra), path, missing, extra))
        for test in tests:
            function = _relative_id(module or {}, test["nodeid"])
            if test.get("deselected") and test["exact"]:
                deselected += 1
                if function in real:
                    wrong_ids.append(f"{path}::{function} (deselected)")
                continue
            static_total += test["cases"] or 0
            if not test["exact"] or test["cases"] is None:
                unknown += 1
                doubt = test["doubt"] or "no reason given"
                uncovered[f"{path}: {doubt}"[:150]] += sum(
                    n
                    for name, n in real.items()
                    if name == function
                    or (test["name_is_pattern"] and _matches_pattern(function, name))
                )
                continue
            claimed += 1
            ids = [f"{function}[{c}]" for c in test["case_ids"]] if test["case_ids"] else []
            # One case, no case ids and no parametrize mark claims the bare ID:
            # pytest's ``test_x[png]`` is another ID. (A parametrized test whose one
            # case id is not known claims its count only.)
            bare = (
                not ids
                and test["cases"] == 1
                and not any(m["name"] == "parametrize" for m in test["markers"])
            )
            if (
                function not in real
                or any(i not in real_ids for i in ids)
                or (bare and function not in real_ids)
            ):
                wrong_ids.append(f"{path}::{function}")
            actual = real.get(function, 0)
            if actual == test["cases"]:
                right += 1
                covered_cases += actual
            else:
                wrong_counts.append(
                    (abs(actual - test["cases"]), f"{path}::{function}", test["cases"], actual)
                )

    def pct(part: int, whole: int) -> str:
        return f"{100 * part / whole:.2f} % ({part}/{whole})" if whole else "n/a"

    lines.append(f"modules compared: {len(paths)} (excluded, not collectable: {len(excluded)})")
    lines.append(f"(a) modules with identical test-function IDs: {pct(equal_modules, len(paths))}")
    lines.append(
        f"    of modules the analysis calls complete:   {pct(equal_complete, claimed_complete)}"
    )
    lines.append(
        f"(b) exact-claimed IDs pytest does not collect: {len(wrong_ids)} of {claimed}"
        f" (claims of deselection checked with them: {deselected})"
    )
    lines.append(f"    exact case-count claims that are right:   {pct(right, claimed)}")
    lines.append(
        f"(c) pytest cases covered by right exact claims: {pct(covered_cases, total_cases)}"
    )
    lines.append(f"    test functions with no exact claim: {unknown}")
    lines.append(f"    cases: static (lower bound) {static_total}, pytest {total_cases}")
    ratio = analysis.analysis_seconds / max(analysis.parse_seconds, 1e-9)
    lines.append(
        f"(d) time: analysis {analysis.analysis_seconds:.2f}s, ast.parse of the "
        f"{analysis.files_read} files read {analysis.parse_seconds:.2f}s ({ratio:.2f}x)"
    )
    # A module pytest refuses is left out of (a) to (c); one the analysis calls
    # complete may still be a wrong claim (a mark on a fixture), or the environment's
    # doing (a missing dependency): listed for a reader to tell.
    refused = [
        (path, error)
        for path, error in sorted(output.errors.items())
        if (module := _module_at(analysis.modules, path)) is not None
        and module["complete"]
        and any(t["exact"] and not t.get("deselected") for t in module["tests"])
    ]
    imports = sum(e.startswith(("ImportError", "ModuleNotFoundError")) for _, e in refused)
    lines.append(
        f"(e) modules pytest refused or skipped that the analysis calls complete: "
        f"{len(refused)} (import errors among them: {imports})"
    )
    for path, error in refused[:worst]:
        lines.append(f"      {path}: {error[:100]}")
    if incomplete_reasons:
        lines.append("\nwhy modules are partial (first note, shape):")
        for reason, count in incomplete_reasons.most_common(8):
            lines.append(f"  {count:4d}  {reason}")
    if uncovered:
        lines.append("\nlargest uncovered sources (pytest cases, module: reason):")
        for reason, count in uncovered.most_common(worst):
            lines.append(f"  {count:6d}  {reason}")
    if module_diffs:
        lines.append("\nworst module mismatches (missing = pytest only, extra = analysis only):")
        for _size, path, missing, extra in sorted(module_diffs, reverse=True)[:worst]:
            module = analysis.modules.get(path)
            state = "complete" if module and module["complete"] else "partial"
            lines.append(
                f"  {path} [{state}]: missing {len(missing)} {sorted(missing)[:3]} "
                f"extra {len(extra)} {sorted(extra)[:3]}"
            )
            for note in (module["notes"] if module else [])[:2]:
                lines.append(f"      note: {note}")
    if wrong_ids:
        lines.append("\nIDs claimed exact that pytest does not collect:")
        lines.extend(f"  {i}" for i in wrong_ids[:worst])
    if wrong_counts:
        lines.append("\nwrong exact case counts (claimed, pytest):")
        for _size, nodeid, claimed_count, actual in sorted(wrong_counts, reverse=True)[:worst]:
            lines.append(f"  {nodeid}: {claimed_count} vs {actual}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("testdir", type=Path, help="the test folder pytest was run on")
    parser.add_argument("--collect-output", type=Path, required=True, help="saved pytest output")
    parser.add_argument(
        "--strip", default="", help="prefix to remove from pytest's node IDs (e.g. test/)"
    )
    parser.add_argument("--worst", type=int, default=15)
    args = parser.parse_args(argv)
    text = args.collect_output.read_text(encoding="utf-8")
    print(report(analyse(args.testdir), parse_output(text, args.strip), args.worst))
    return 0


if __name__ == "__main__":
    sys.exit(main())
