"""Benchmark: how closely the static collection matches ``pytest --collect-only -q``.

Usage::

    python benchmarks/fidelity.py ROOT --collect-output FILE
    python benchmarks/fidelity.py ROOT --run "PYTHON -m pytest --collect-only -q -rsE ARGS"

ROOT is the directory pytest's node ids are relative to. The pytest output should be
produced with ``-rsE`` so that modules skipped or failing at collection can be left
out (their tests are not listed, so nothing can be compared). Reports

(a) the share of modules whose set of test-function ids (node ids without ``[...]``)
    equals pytest's;
(b) of the test functions whose case count the analysis claims exact, the share whose
    count equals pytest's;
(c) the share of all pytest cases that belong to functions with a correct exact claim;

and lists the worst mismatches. Not a test: it needs a real suite and a pytest run.
"""

from __future__ import annotations

import argparse
import ast
import re
import shlex
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sphinx_testdocs.analysis.collection import (
    ImportResolver,
    ResolvedModule,
    collect_module,
    conftest_fixtures,
)
from sphinx_testdocs.analysis.model import FixtureDef, ModuleCollection
from sphinx_testdocs.analysis.pytest_config import PytestConfig, find_pytest_config

_SKIP_LINE = re.compile(r"^SKIPPED \[\d+\] (?P<path>[^:]+\.py)(?::\d+)?: ")
_ERROR_LINE = re.compile(r"^ERROR (?P<path>\S+\.py)")


@dataclass
class PytestOutput:
    """Node ids per module file, and the modules pytest could not collect."""

    cases: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    excluded: set[str] = field(default_factory=set)


def parse_output(text: str) -> PytestOutput:
    out = PytestOutput()
    for line in text.splitlines():
        if (match := _SKIP_LINE.match(line)) or (match := _ERROR_LINE.match(line)):
            out.excluded.add(match["path"])
        elif "::" in line and not line.startswith(("ERROR", "SKIPPED", "FAILED", " ")):
            path, _, rest = line.partition("::")
            function = rest.split("[", 1)[0]
            out.cases[path][function] += 1
    return out


@dataclass
class Analysis:
    modules: dict[str, ModuleCollection]
    parse_seconds: float
    analysis_seconds: float


def _ignored_dir(path: Path, config: PytestConfig) -> bool:
    import fnmatch

    return any(fnmatch.fnmatch(path.name, pattern) for pattern in config.norecursedirs)


def _resolver(root: Path, path: Path) -> ImportResolver:
    """Map imports to files below ``root`` (``root`` named like its top-level package)."""

    def resolve(module: str, level: int) -> ResolvedModule | None:
        if level:
            base = path.parent
            for _ in range(level - 1):
                base = base.parent
            parts = module.split(".") if module else []
        else:
            parts = module.split(".")
            if not parts or parts[0] != root.name:
                return None
            base, parts = root, parts[1:]
        target = base.joinpath(*parts)
        for candidate in (target.with_suffix(".py"), target / "__init__.py"):
            if candidate.is_file() and (candidate == root or root in candidate.parents):
                text = candidate.read_text(encoding="utf-8")
                try:
                    tree = ast.parse(text)
                except SyntaxError:
                    return None
                rel = candidate.relative_to(root)
                name = ".".join((root.name, *rel.with_suffix("").parts))
                return ResolvedModule(tree, text, rel.as_posix(), name)
        return None

    return resolve


def analyse(root: Path) -> Analysis:
    """Run the static collection over every ``*.py`` file below ``root``."""
    config = find_pytest_config([root])
    modules: dict[str, ModuleCollection] = {}
    parse_seconds = analysis_seconds = 0.0
    conftests: dict[Path, ModuleCollection] = {}

    def visible_for(directory: Path) -> tuple[dict[str, FixtureDef], bool]:
        chain = [d for d in (*reversed(directory.parents), directory) if d in conftests]
        chain = [d for d in chain if d == root or root in d.parents]
        collections = [conftests[d] for d in chain]
        return conftest_fixtures(collections), any(c.generate_tests_hook for c in collections)

    files = sorted(
        p
        for p in root.rglob("*.py")
        if not any(
            _ignored_dir(parent, config)
            for parent in p.relative_to(root).parents
            if parent != Path()
        )
    )
    # Conftests first, outermost first, so every module sees its fixtures.
    files.sort(key=lambda p: (p.name != "conftest.py", len(p.parts)))
    for path in files:
        rel = path.relative_to(root).as_posix()
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        start = time.perf_counter()
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        parsed = time.perf_counter()
        visible, hooked = visible_for(path.parent)
        resolver = _resolver(root, path)
        collection = collect_module(
            tree,
            source=text,
            filename=path.name,
            nodeid_path=rel,
            relpath=rel,
            config=config,
            visible_fixtures=visible,
            outer_generate_tests=hooked,
            resolver=resolver,
        )
        done = time.perf_counter()
        parse_seconds += parsed - start
        analysis_seconds += done - parsed
        if path.name == "conftest.py":
            conftests[path.parent] = collection
        elif collection.is_test_module:
            modules[rel] = collection
    return Analysis(modules, parse_seconds, analysis_seconds)


def report(analysis: Analysis, output: PytestOutput, worst: int) -> str:
    lines: list[str] = []
    known = set(analysis.modules) | set(output.cases)
    # Skip lines name files relative to the invocation directory: match by suffix.
    excluded = {
        path for path in known for ex in output.excluded if ex == path or ex.endswith("/" + path)
    }
    paths = sorted(known - excluded)
    equal_modules = 0
    claimed_complete = equal_complete = 0
    module_diffs: list[tuple[int, str, set[str], set[str]]] = []
    claimed = right = 0
    covered_cases = 0
    total_cases = 0
    wrong_claims: list[tuple[int, str, int, int]] = []
    unknown = 0
    for path in paths:
        real = output.cases.get(path, Counter())
        total_cases += sum(real.values())
        collection = analysis.modules.get(path)
        static_tests = collection.tests if collection else ()
        static_ids = {t.nodeid.split("::", 1)[1] for t in static_tests}
        complete = collection is not None and collection.complete
        claimed_complete += complete
        if static_ids == set(real):
            equal_modules += 1
            equal_complete += complete
        else:
            missing, extra = set(real) - static_ids, static_ids - set(real)
            module_diffs.append((len(missing) + len(extra), path, missing, extra))
        for test in static_tests:
            function = test.nodeid.split("::", 1)[1]
            if not test.exact or test.cases is None:
                unknown += 1
                continue
            claimed += 1
            actual = real.get(function, 0)
            if actual == test.cases:
                right += 1
                covered_cases += actual
            else:
                wrong_claims.append((abs(actual - test.cases), test.nodeid, test.cases, actual))

    def pct(part: int, whole: int) -> str:
        return f"{100 * part / whole:.2f} % ({part}/{whole})" if whole else "n/a"

    lines.append(f"modules compared: {len(paths)} (excluded: {len(excluded)})")
    lines.append(f"(a) modules with identical test-function ids: {pct(equal_modules, len(paths))}")
    lines.append(
        f"    of modules the analysis calls complete:     {pct(equal_complete, claimed_complete)}"
    )
    lines.append(f"(b) exact case-count claims that are right:    {pct(right, claimed)}")
    lines.append(
        f"(c) pytest cases covered by right exact claims: {pct(covered_cases, total_cases)}"
    )
    lines.append(f"    test functions with no exact claim: {unknown}")
    lines.append(
        f"time: ast.parse {analysis.parse_seconds:.2f}s, collection "
        f"{analysis.analysis_seconds:.2f}s "
        f"({analysis.analysis_seconds / max(analysis.parse_seconds, 1e-9):.2f}x parse)"
    )
    if module_diffs:
        lines.append("\nworst module mismatches (missing = pytest only, extra = analysis only):")
        for _size, path, missing, extra in sorted(module_diffs, reverse=True)[:worst]:
            notes = analysis.modules[path].notes if path in analysis.modules else ()
            lines.append(f"  {path}: missing {sorted(missing)[:4]} extra {sorted(extra)[:4]}")
            for note in notes[:2]:
                lines.append(f"      note: {note}")
    if wrong_claims:
        lines.append("\nwrong exact case counts (claimed, pytest):")
        for _size, nodeid, claimed_count, actual in sorted(wrong_claims, reverse=True)[:worst]:
            lines.append(f"  {nodeid}: {claimed_count} vs {actual}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="directory node ids are relative to")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--collect-output", type=Path, help="saved pytest output")
    source.add_argument("--run", help="pytest command to run (from ROOT's parent)")
    parser.add_argument("--worst", type=int, default=15)
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if args.collect_output:
        text = args.collect_output.read_text(encoding="utf-8")
    else:
        result = subprocess.run(
            shlex.split(args.run), capture_output=True, text=True, check=False, cwd=root.parent
        )
        text = result.stdout
    print(report(analyse(root), parse_output(text), args.worst))
    return 0


if __name__ == "__main__":
    sys.exit(main())
