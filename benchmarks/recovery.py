"""Measure structure recovery from unparsable Python: share recovered and time per MB.

Not a test. Run from the repository root::

    python benchmarks/recovery.py [--corpus DIR] [--seeds N]

parso and tree-sitter(-python) are measured when importable (install them in a scratch
directory and put it on ``PYTHONPATH``; they are not dependencies of the project).

Each file of the corpus (all of which parse) is mutated in several ways; the reference
is the structure ``ast`` finds in the unmutated file, with line numbers shifted by the
mutation. A definition counts as recovered when its qualified name (so its nesting), kind
and line match; an import when its module, level, names and line match.
"""

from __future__ import annotations

import argparse
import ast
import random
import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sphinx_testdocs.analysis.recovery import recover

DefKey = tuple[str, str, int]  # qualname, kind, line
ImportKey = tuple[str, int, tuple[tuple[str, str | None], ...], str | None, int]
Structure = tuple[set[DefKey], set[ImportKey]]


# --- reference and mutations ---------------------------------------------------------


def reference(text: str) -> Structure:
    """Definitions and imports that ``ast`` finds in a file that parses."""
    defs: set[DefKey] = set()
    imports: set[ImportKey] = set()
    stack: list[tuple[ast.AST, str]] = [(ast.parse(text), "")]
    while stack:
        node, prefix = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                kind = {ast.ClassDef: "class", ast.FunctionDef: "function"}.get(
                    type(child), "async function"
                )
                defs.add((prefix + child.name, kind, child.lineno))
                stack.append((child, prefix + child.name + "."))
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    imports.add((alias.name, 0, (), alias.asname, child.lineno))
            elif isinstance(child, ast.ImportFrom):
                names = tuple((a.name, a.asname) for a in child.names)
                imports.add((child.module or "", child.level, names, None, child.lineno))
            elif isinstance(child, ast.stmt | ast.excepthandler | ast.match_case):
                stack.append((child, prefix))
    return defs, imports


@dataclass
class Mutant:
    """A mutated text and the reference structure it should still yield."""

    kind: str
    text: str
    expected: Structure


def _shifted(expected: Structure, inserted_before: list[int], cut: int | None = None) -> Structure:
    """Shift reference lines past inserted lines (1-based original lines they precede)."""
    marks = sorted(inserted_before)

    def shift(line: int) -> int:
        return line + sum(1 for m in marks if m <= line)

    defs, imports = expected
    keep = (lambda line: line < cut) if cut is not None else (lambda line: True)
    return (
        {(q, k, shift(line)) for q, k, line in defs if keep(line)},
        {(m, lv, n, a, shift(line)) for m, lv, n, a, line in imports if keep(line)},
    )


def _insert(lines: list[str], at: list[tuple[int, str]]) -> list[str]:
    """Insert lines before 1-based original lines, keeping original order."""
    out = list(lines)
    for line, text in sorted(at, reverse=True):
        out.insert(line - 1, text)
    return out


def _statement_lines(text: str, inside_function: bool) -> list[tuple[int, str]]:
    """(line, indentation) of simple statements, in function bodies if asked."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if inside_function and not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for stmt in getattr(node, "body", []):
            if isinstance(stmt, ast.Assign | ast.Expr | ast.Return | ast.AugAssign):
                line = text.split("\n")[stmt.lineno - 1]
                found.append((stmt.lineno, line[: len(line) - len(line.lstrip())]))
    return sorted(found)


def mutants(text: str, rng: random.Random) -> Iterator[Mutant]:
    """The mutations measured: each yields a text the running Python may not parse."""
    lines = text.split("\n")
    ref = reference(text)
    body_lines = _statement_lines(text, inside_function=True) or _statement_lines(text, False)

    # A syntax error injected before a random statement in a function body.
    line, indent = rng.choice(body_lines)
    new = _insert(lines, [(line, indent + "x = = 1")])
    yield Mutant("syntax error", "\n".join(new), _shifted(ref, [line]))

    # An unclosed call before a random statement.
    line, indent = rng.choice(body_lines)
    new = _insert(lines, [(line, indent + "foo(1,")])
    yield Mutant("unclosed bracket", "\n".join(new), _shifted(ref, [line]))

    # 3.12 type parameters on every def and class, and a ``type`` statement.
    header = re.compile(r"^(\s*(?:async\s+)?(?:def|class)\s+\w+)(?=[(:])")
    new = [header.sub(r"\1[T]", ln) for ln in lines]
    first_top = next((i + 1 for i, ln in enumerate(lines) if re.match(r"(def|class) ", ln)), 1)
    new = _insert(new, [(first_top, "type Alias = list[int]")])
    yield Mutant("3.12 type params + type", "\n".join(new), _shifted(ref, [first_top]))

    # PEP 701 f-strings (and a 3.14 t-string) in three function bodies.
    picks = rng.sample(body_lines, min(3, len(body_lines)))
    inserts = [
        (ln, ind + ('msg = f"{data["key"]!r:>{width}}"' if n % 2 else 'tpl = t"{name}"'))
        for n, (ln, ind) in enumerate(picks)
    ]
    yield Mutant(
        "PEP 701 f-string / t-string",
        "\n".join(_insert(lines, inserts)),
        _shifted(ref, [ln for ln, _ in inserts]),
    )

    # Truncated in the middle of a line in the second half (mid-block, mid-string...).
    cut = rng.randrange(len(lines) // 2, len(lines)) + 1
    cut_text = lines[cut - 1]
    new = [*lines[: cut - 1], cut_text[: len(cut_text) // 2]]
    yield Mutant("truncated", "\n".join(new), _shifted(ref, [], cut=cut))


# --- candidates ----------------------------------------------------------------------


def run_ast(text: str) -> Structure:
    """Baseline: ``ast`` alone, all or nothing."""
    try:
        return reference(text)
    except (SyntaxError, ValueError):
        return set(), set()


def run_recovery(text: str) -> Structure:
    """This project's ``recover``."""
    result = recover(text)
    defs: set[DefKey] = set()
    for top in result.definitions:
        for d in top.walk():
            defs.add((d.qualname, d.kind.value, d.line))
    imports = {
        (
            i.module,
            i.level,
            tuple((n.name, n.asname) for n in i.names),
            i.asname,
            i.line,
        )
        for i in result.imports
    }
    return defs, imports


def make_parso() -> Callable[[str], Structure] | None:
    """parso with error recovery, newest grammar it knows."""
    try:
        import parso
    except ImportError:
        return None

    def run(text: str) -> Structure:
        module = parso.parse(text, version="3.13", error_recovery=True)
        defs: set[DefKey] = set()
        imports: set[ImportKey] = set()
        stack: list[tuple[Any, str, bool]] = [(module, "", False)]
        while stack:
            node, prefix, is_async = stack.pop()
            for child in getattr(node, "children", ()):
                kind = child.type
                if kind in ("funcdef", "classdef"):
                    name = child.name.value
                    label = "class" if kind == "classdef" else "function"
                    if is_async and kind == "funcdef":
                        label = "async function"
                    defs.add((prefix + name, label, child.start_pos[0]))
                    stack.append((child, prefix + name + ".", False))
                elif kind in ("async_stmt", "async_funcdef"):
                    stack.append((child, prefix, True))
                elif kind == "import_name":
                    for path, alias in child._dotted_as_names():
                        module_name = ".".join(p.value for p in path)
                        asname = alias.value if alias else None
                        imports.add((module_name, 0, (), asname, child.start_pos[0]))
                elif kind == "import_from":
                    module_name = ".".join(n.value for n in child.get_from_names())
                    names = tuple(
                        (n.value, a.value if a else None) for n, a in child._as_name_tuples()
                    )
                    imports.add((module_name, child.level, names, None, child.start_pos[0]))
                else:
                    stack.append((child, prefix, False))
        return defs, imports

    return run


def make_tree_sitter() -> Callable[[str], Structure] | None:
    """tree-sitter with the tree-sitter-python grammar."""
    try:
        import tree_sitter
        import tree_sitter_python
    except ImportError:
        return None
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_python.language()))

    def text_of(node: Any) -> str:
        return node.text.decode("utf-8", "replace") if node is not None else ""

    def run(text: str) -> Structure:
        tree = parser.parse(text.encode("utf-8", "surrogatepass"))
        defs: set[DefKey] = set()
        imports: set[ImportKey] = set()
        stack: list[tuple[Any, str]] = [(tree.root_node, "")]
        while stack:
            node, prefix = stack.pop()
            for child in node.children:
                kind = child.type
                line = child.start_point[0] + 1
                if kind in ("function_definition", "class_definition"):
                    name = text_of(child.child_by_field_name("name"))
                    if kind == "class_definition":
                        label = "class"
                    elif child.children and child.children[0].type == "async":
                        label = "async function"
                    else:
                        label = "function"
                    defs.add((prefix + name, label, line))
                    stack.append((child, prefix + name + "."))
                elif kind == "import_statement":
                    for item in child.children_by_field_name("name"):
                        if item.type == "aliased_import":
                            module_name = text_of(item.child_by_field_name("name"))
                            alias = text_of(item.child_by_field_name("alias"))
                            imports.add((module_name, 0, (), alias, line))
                        else:
                            imports.add((text_of(item), 0, (), None, line))
                elif kind in ("import_from_statement", "future_import_statement"):
                    module_node = child.child_by_field_name("module_name")
                    level, module_name = 0, "__future__"
                    if module_node is not None:
                        raw = text_of(module_node)
                        module_name = raw.lstrip(".").strip()
                        level = len(raw) - len(raw.lstrip("."))
                    names = []
                    for item in child.children_by_field_name("name"):
                        if item.type == "aliased_import":
                            names.append(
                                (
                                    text_of(item.child_by_field_name("name")),
                                    text_of(item.child_by_field_name("alias")),
                                )
                            )
                        else:
                            names.append((text_of(item), None))
                    imports.add((module_name, level, tuple(names), None, line))
                else:
                    stack.append((child, prefix))
        return defs, imports

    return run


# --- measurement ---------------------------------------------------------------------


def measure(corpus: Path, seeds: int) -> None:
    files = sorted(corpus.rglob("*.py"))
    texts = [f.read_text(encoding="utf-8") for f in files]
    corpus_mutants = [
        m
        for seed in range(seeds)
        for n, t in enumerate(texts)
        for m in mutants(t, random.Random(seed * 1000 + n))
    ]
    kinds = sorted({m.kind for m in corpus_mutants})
    candidates: dict[str, Callable[[str], Structure]] = {
        "ast only (baseline)": run_ast,
        "recovery.py (pure, ast + scanner)": run_recovery,
    }
    for label, factory in (
        ("parso 0.8 (pure)", make_parso),
        ("tree-sitter (C)", make_tree_sitter),
    ):
        runner = factory()
        if runner is not None:
            candidates[label] = runner
        else:
            print(f"# {label}: not installed, skipped", file=sys.stderr)

    valid_mb = sum(len(t.encode()) for t in texts) / 1e6
    mutant_mb = sum(len(m.text.encode()) for m in corpus_mutants) / 1e6
    print(
        f"corpus: {len(texts)} files, {valid_mb:.2f} MB; {len(corpus_mutants)} mutants, "
        f"{mutant_mb:.2f} MB\n"
    )
    header = ["candidate", *kinds, "defs", "imports", "s/MB mutated", "s/MB valid"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for label, run in candidates.items():
        per_kind: dict[str, list[int]] = {k: [0, 0] for k in kinds}
        found_defs = total_defs = found_imports = total_imports = 0
        start = time.perf_counter()
        results = [run(m.text) for m in corpus_mutants]
        mutated_time = time.perf_counter() - start
        start = time.perf_counter()
        for t in texts:
            run(t)
        valid_time = time.perf_counter() - start
        for mutant, (defs, imports) in zip(corpus_mutants, results, strict=True):
            exp_defs, exp_imports = mutant.expected
            hit = len(defs & exp_defs) + len(imports & exp_imports)
            per_kind[mutant.kind][0] += hit
            per_kind[mutant.kind][1] += len(exp_defs) + len(exp_imports)
            found_defs += len(defs & exp_defs)
            total_defs += len(exp_defs)
            found_imports += len(imports & exp_imports)
            total_imports += len(exp_imports)
        row = [label]
        row += [f"{100 * h / max(t, 1):.1f}%" for h, t in (per_kind[k] for k in kinds)]
        row += [
            f"{100 * found_defs / max(total_defs, 1):.1f}%",
            f"{100 * found_imports / max(total_imports, 1):.1f}%",
            f"{mutated_time / mutant_mb:.3f}",
            f"{valid_time / valid_mb:.3f}",
        ]
        print("| " + " | ".join(row) + " |")

    print("\nworst cases for recover() (seconds):")
    big = "\n".join(m.text for m in corpus_mutants if m.kind == "syntax error")
    big = (big * (5_000_000 // max(len(big), 1) + 1))[:5_000_000]
    cases = {
        "5 MB of mutated test files": big,
        "5 MB valid": ("\n".join(texts) * 8)[:5_000_000].rsplit("\n", 1)[0],
        "5 MB one line of garbage": "x = (" + "a +" * 1_666_000,
        "5 MB unterminated triple-quoted string": 'x = """' + "abc\n" * 1_250_000,
        "5 MB, one error per 50 lines": "\n".join(
            f"def f{i}(x):\n    return x + = 1\n"
            if i % 10 == 0
            else f"def f{i}(x):\n    return x\n"
            for i in range(200_000)
        )[:5_000_000],
        "2000 nested blocks": "".join(" " * i + "if x:\n" for i in range(2000))
        + " " * 2000
        + "pass\n",
        "10k nested brackets": "x = " + "(" * 10_000 + ")" * 10_000 + "\n",
        "NUL bytes, 1 MB": "def f():\n\0  pass\n" * 60_000,
    }
    for label, text in cases.items():
        start = time.perf_counter()
        result = recover(text)
        took = time.perf_counter() - start
        count = sum(len(d.walk()) for d in result.definitions)
        print(
            f"- {label}: {took:.2f} s ({len(text) / 1e6:.1f} MB, {count} definitions, "
            f"{len(result.error_lines)} error lines)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    default = Path(__file__).resolve().parents[2] / "shared/corpora/pytorch-seeds/test"
    parser.add_argument("--corpus", type=Path, default=default)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    measure(args.corpus, args.seeds)


if __name__ == "__main__":
    main()
