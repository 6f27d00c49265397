"""How close the static "tested by" lists come to what the tests execute (issue 20).

Given a project with a pytest suite, its package, and a coverage.py data file recorded
with per-test contexts (``pytest --cov=PKG --cov-context=test``), this compares, for every
public function and method of the package, the tests that executed it (coverage) with
the tests the static analysis lists. Reports precision and recall over (object, test)
pairs, and sorts the pairs it misses by why.

    python benchmarks/tested_by_accuracy.py PROJECT PACKAGE [--tests tests]
        [--coverage PROJECT/.coverage] [--docs PROJECT/docs --reps 3]

With ``--docs``, it also builds the project's documentation with ``sphinx_testdocs``
added, ``testdocs_tested_by_autodoc`` off and on in turn, and reports the CPU time
(user + system of the build process) of each, alternating the two to spread the noise
of a shared machine.

A script, not a test. The coverage data is read with coverage.py's own API.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from sphinx_testdocs import config
from sphinx_testdocs.crossfile import CrossFile
from sphinx_testdocs.project import build_project

_PHASE = re.compile(r"\|(run|setup|teardown)$")


def public_objects(package_dir: Path, package: str) -> dict[str, tuple[Path, int, int]]:
    """Canonical name -> (file, first body line, last line) of every public function
    and method defined in the package (``__all__`` where a module declares one)."""
    out: dict[str, tuple[Path, int, int]] = {}
    for path in sorted(package_dir.rglob("*.py")):
        rel = path.relative_to(package_dir.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        if any(p.startswith("_") for p in parts[1:]) or "tests" in parts:
            continue
        module = ".".join(parts)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        declared = _declared_all(tree)
        for node in tree.body:
            if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and (
                node.name.startswith("_") or (declared is not None and node.name not in declared)
            ):
                continue
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                out[f"{module}.{node.name}"] = (path, node.body[0].lineno, node.end_lineno or 0)
            elif isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and (
                        not item.name.startswith("_") or item.name == "__init__"
                    ):
                        name = f"{module}.{node.name}.{item.name}"
                        out[name] = (path, item.body[0].lineno, item.end_lineno or 0)
    return out


def _declared_all(tree: ast.Module) -> set[str] | None:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            try:
                return set(ast.literal_eval(node.value))
            except ValueError:
                return None
    return None


def measured(
    coverage_file: Path, objects: dict[str, tuple[Path, int, int]]
) -> dict[str, set[str]]:
    """Object -> node IDs of the tests whose context ran a line of its body."""
    import coverage

    data = coverage.CoverageData(basename=str(coverage_file))
    data.read()
    by_file: dict[str, dict[int, list[str]]] = {}
    files = {str(p.resolve()): p for p in {p for p, _, _ in objects.values()}}
    for measured_file in data.measured_files():
        resolved = str(Path(measured_file).resolve())
        if resolved in files:
            by_file[resolved] = data.contexts_by_lineno(measured_file)
    out: dict[str, set[str]] = {}
    for name, (path, first, last) in objects.items():
        lines = by_file.get(str(path.resolve()), {})
        tests = {
            _PHASE.sub("", ctx)
            for line in range(first, last + 1)
            for ctx in lines.get(line, ())
            if ctx
        }
        out[name] = tests
    return out


def static(
    project_dir: Path, tests: str, objects: dict[str, object]
) -> tuple[dict[str, set[str]], dict[str, Counter[str]]]:
    """Object -> node IDs the static "tested by" list names; and how they were found."""
    options = config.TestdocsConfig(dirs=(str(project_dir / tests),))
    project = build_project(options, Path(os.devnull), project_dir, [])
    out: dict[str, set[str]] = {}
    hows: dict[str, Counter[str]] = {}
    summaries = {}
    for root in project.roots:
        summaries[root.key] = {rel: project.summary(root, rel) for rel in sorted(root.known)}
    crossfile = CrossFile(summaries, canonical=project.defined_as)
    for name in objects:
        uses = [u for u in crossfile.uses(name) if u.test]
        out[name] = {u.test for u in uses if u.test}
        hows[name] = Counter(u.how.split(" ")[0] for u in uses)
    return out, hows


def short(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def report(
    project_dir: Path,
    objects: dict,
    meas: dict[str, set[str]],
    stat: dict[str, set[str]],
    hows: dict,
) -> None:
    tp = fp = fn = 0
    missed: Counter[str] = Counter()
    sources: dict[str, list[str]] = {}
    for name in objects:
        s, m = stat[name], meas[name]
        tp += len(s & m)
        fp += len(s - m)
        fn += len(m - s)
        for test in m - s:
            missed[_why_missed(project_dir, name, test, sources)] += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    print(
        f"objects: {len(objects)}; measured with a test: {sum(bool(v) for v in meas.values())}; "
        f"listed statically: {sum(bool(v) for v in stat.values())}"
    )
    print(f"(object, test) pairs: measured {tp + fn}, static {tp + fp}, both {tp}")
    print(f"precision {precision:.1%}  recall {recall:.1%}")
    written = tp + missed["the test writes the name, not found"]
    print(
        f"recall over pairs whose test writes the object's name: {tp / written:.1%}"
        if written
        else ""
    )
    print("missed pairs, by why:")
    for why, count in missed.most_common():
        print(f"  {count:6d}  {why}")
    how_total: Counter[str] = Counter()
    for counter in hows.values():
        how_total.update(counter)
    print("static uses by how they were found:", dict(how_total))
    wrong = [(n, sorted(stat[n] - meas[n])[:2]) for n in objects if stat[n] - meas[n]]
    print(f"objects with a listed test that did not run them: {len(wrong)}")
    for name, tests in wrong[:8]:
        print(f"  {name}: {tests}")


def _why_missed(project_dir: Path, name: str, test: str, sources: dict[str, list[str]]) -> str:
    path = test.split("::", 1)[0]
    lines = sources.get(path)
    if lines is None:
        try:
            lines = sources[path] = (project_dir / path).read_text(encoding="utf-8").splitlines()
        except OSError:
            lines = sources[path] = []
    func = test.rsplit("::", maxsplit=1)[-1].split("[", maxsplit=1)[0]
    body = _test_body(lines, func)
    if body is None:
        return "test body not found (generated or inherited)"
    word = re.compile(rf"\b{re.escape(short(name))}\b")
    if any(word.search(line) for line in body):
        return "the test writes the name, not found"
    return "the test never writes the name (reached through other code)"


def _test_body(lines: list[str], func: str) -> list[str] | None:
    pattern = re.compile(rf"^(\s*)(async\s+)?def {re.escape(func)}\(")
    for i, line in enumerate(lines):
        match = pattern.match(line)
        if match:
            indent = len(match.group(1))
            body = [line]
            for nxt in lines[i + 1 :]:
                if nxt.strip() and len(nxt) - len(nxt.lstrip()) <= indent:
                    break
                body.append(nxt)
            return body
    return None


def docs_cpu(project_dir: Path, docs: str, tests: str, reps: int) -> None:
    """CPU seconds of fresh docs builds, tested_by_autodoc off and on, alternating."""
    times: dict[bool, list[float]] = {False: [], True: []}
    for rep in range(reps):
        for on in (False, True) if rep % 2 == 0 else (True, False):
            work = Path(tempfile.mkdtemp(prefix="tba-"))
            src = work / "project"
            shutil.copytree(
                project_dir, src, ignore=shutil.ignore_patterns("_build", ".coverage*")
            )
            conf = src / docs / "conf.py"
            conf.write_text(
                conf.read_text(encoding="utf-8")
                + "\nextensions = [*extensions, 'sphinx_testdocs']\n"
                + f"testdocs_dirs = [{str(src / tests)!r}]\n"
                + f"testdocs_tested_by_autodoc = {on}\n",
                encoding="utf-8",
            )
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            sphinx = [sys.executable, "-m", "sphinx", "-q", "-b", "html"]
            subprocess.run(
                [*sphinx, str(src / docs), str(work / "out")],
                check=True,
                cwd=src / docs,
                stderr=subprocess.DEVNULL,
            )
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            times[on].append(cpu)
            print(f"  rep {rep} tested_by_autodoc={on}: {cpu:.2f} s CPU")
            shutil.rmtree(work)
    off, on_ = min(times[False]), min(times[True])
    added = (on_ - off) / off
    print(f"docs build CPU (best of {reps}): off {off:.2f} s, on {on_:.2f} s, +{added:.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("package")
    parser.add_argument("--tests", default="tests")
    parser.add_argument("--coverage", type=Path)
    parser.add_argument("--docs")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    project_dir = args.project.resolve()
    objects = public_objects(project_dir / args.package.replace(".", "/"), args.package)
    meas = measured(args.coverage or project_dir / ".coverage", objects)
    stat, hows = static(project_dir, args.tests, objects)
    report(project_dir, objects, meas, stat, hows)
    if args.docs:
        docs_cpu(project_dir, args.docs, args.tests, args.reps)


if __name__ == "__main__":
    main()
