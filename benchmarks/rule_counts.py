"""How many files each finding rule matches in a test tree, and how many as notes.

Usage: ``python benchmarks/rule_counts.py TREE [TREE ...]``. Reads every test module
and conftest.py under each tree (read and parsed, never imported), runs the rule table,
and prints one row per rule: files matched, of which notes (every line defused by its
context, see ``analysis/_weighing.py``), and evidence lines.
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from pathlib import Path

from sphinx_testdocs.analysis.rules import RULES, scan


def _test_files(tree: Path) -> list[Path]:
    return sorted(
        p
        for p in tree.rglob("*.py")
        if p.name.startswith("test") or p.name == "conftest.py" or "tests" in p.parts
    )


def count(tree: Path) -> tuple[int, Counter[str], Counter[str], Counter[str]]:
    files, notes, lines = Counter[str](), Counter[str](), Counter[str]()
    parsed = 0
    for path in _test_files(tree):
        try:
            module = ast.parse(path.read_bytes())
        except (SyntaxError, ValueError):
            continue
        parsed += 1
        for finding in scan(module).findings:
            files[finding.rule] += 1
            notes[finding.rule] += finding.severity == "note"
            lines[finding.rule] += len(finding.lines)
    return parsed, files, notes, lines


def main(trees: list[str]) -> None:
    for tree in map(Path, trees):
        parsed, files, notes, lines = count(tree)
        print(f"{tree} ({parsed} files parsed)")
        print(f"  {'rule':24} {'files':>6} {'notes':>6} {'lines':>7}")
        for rule in RULES:
            row = f"{files[rule.id]:>6} {notes[rule.id]:>6} {lines[rule.id]:>7}"
            print(f"  {rule.id:24} {row}")


if __name__ == "__main__":
    main(sys.argv[1:])
