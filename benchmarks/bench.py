"""Benchmark sphinx-testdocs against the plain Sphinx project over the same test tree (issue 6).

Usage::

    python benchmarks/bench.py TREE [--include GLOB ...] [--reps N] [--json out.json]

The "plain" project is the least any tool must do to show the same sources: one page per
file (its path as title, a ``literalinclude`` of it), all linked from a root toctree. Both
projects are built in the same run, alternating, and compared by medians, because these
machines drift by +-15 % between runs: only ratios within one run mean anything.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_WORK = HERE / "_work"
PAGE = os.sysconf("SC_PAGE_SIZE")
SCENARIOS = ("fresh-j1", "fresh-j2", "noop", "touch")


# --------------------------------------------------------------------------- corpus


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob where ``*`` stays within a path segment and ``**/`` spans zero or more."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def select_files(tree: Path, include: Sequence[str]) -> list[str]:
    """Relative POSIX paths of the files to document, sorted so every run sees one order."""
    patterns = [glob_regex(p) for p in include]
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(tree):
        # The same folders testdocs skips by default, so both projects see one file set.
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and d != "__pycache__"]
        for name in filenames:
            rel = Path(dirpath, name).relative_to(tree).as_posix()
            if any(p.match(rel) for p in patterns):
                found.append(rel)
    return sorted(found)


def copy_corpus(tree: Path, files: Sequence[str], dest: Path) -> Path:
    """Copy the selected files, so that touching one never modifies the original tree."""
    root = dest / tree.name
    if root.exists():
        shutil.rmtree(root)
    for rel in files:
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(tree / rel, target)
    return root


# --------------------------------------------------------------------------- projects


@dataclass(frozen=True)
class Variant:
    """One of the projects built: which tool, which theme, with or without sidebar."""

    tool: str  # "plain" or "testdocs"
    theme: str  # "alabaster", "furo" or "nosidebar" (alabaster with html_sidebars empty)

    @property
    def name(self) -> str:
        return f"{self.tool}-{self.theme}"


#: Results files laid over the pages (``--results``), absolute.
RESULTS: list[str] = []


def conf_py(variant: Variant, corpus: Path) -> str:
    """conf.py of one variant; nothing else differs between plain and testdocs."""
    lines = [
        'project = "bench"',
        f'html_theme = "{"alabaster" if variant.theme == "nosidebar" else variant.theme}"',
    ]
    if variant.theme == "nosidebar":
        lines.append('html_sidebars = {"**": []}')
    if variant.tool == "testdocs":
        lines += [
            'extensions = ["sphinx_testdocs"]',
            f"testdocs_dirs = [{str(corpus)!r}]",
            # Node ids relative to the copy's parent, as in the original repository,
            # instead of whatever project happens to enclose the work directory.
            f"testdocs_project_root = {str(corpus.parent)!r}",
            f"testdocs_results = {RESULTS!r}",
        ]
    return "\n".join(lines) + "\n"


def plain_page(rel: str, include: str) -> str:
    """One plain page: the file's path as title and the whole file included."""
    bar = "=" * len(rel)
    return f"{bar}\n{rel}\n{bar}\n\n.. literalinclude:: {include}\n   :language: python\n"


def write_project(variant: Variant, corpus: Path, files: Sequence[str], srcdir: Path) -> None:
    """Write a fresh source directory (stubs of an earlier build must not survive)."""
    if srcdir.exists():
        shutil.rmtree(srcdir)
    srcdir.mkdir(parents=True)
    (srcdir / "conf.py").write_text(conf_py(variant, corpus), encoding="utf-8")
    index = ["Benchmark", "=========", ""]
    if variant.tool == "plain":
        index += [".. toctree::", ""]
        for rel in files:
            doc = "files/" + rel.removesuffix(".py")
            page = srcdir / (doc + ".rst")
            page.parent.mkdir(parents=True, exist_ok=True)
            include = os.path.relpath(corpus / rel, page.parent)
            page.write_text(plain_page(rel, include), encoding="utf-8")
            index.append(f"   {doc}")
    # testdocs links its pages from the root document itself.
    (srcdir / "index.rst").write_text("\n".join(index) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- measuring


def _children_map() -> dict[int, list[int]]:
    """ppid -> pids, from /proc (this kernel has no /proc/<pid>/task/<tid>/children)."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_bytes()
        except OSError:
            continue
        # The command name may contain spaces and parentheses: split after the last ")".
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _descendants(pid: int) -> Iterator[int]:
    tree = _children_map()
    stack = [pid]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(tree.get(current, ()))


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_bytes().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


class TreeSampler(threading.Thread):
    """Peak of the summed RSS of a process and all its descendants, sampled.

    The sum counts pages that forked ``-j`` workers share copy-on-write once per
    process: an upper bound of what the build holds, and the figure a per-process
    memory limit would meet first.
    """

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak = 0
        self.max_procs = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            pids = list(_descendants(self.pid))
            self.peak = max(self.peak, sum(_rss(p) for p in pids))
            self.max_procs = max(self.max_procs, len(pids))
            self._done.wait(self.interval)

    def stop(self) -> None:
        self._done.set()
        self.join()


@dataclass
class Measurement:
    """One sphinx-build run."""

    variant: str
    scenario: str
    rep: int
    wall_s: float
    cpu_s: float  # user + system of the whole tree: steadier than wall on a shared machine
    rss_tree_mb: float  # sampled peak of the summed tree
    rss_max_mb: float  # largest single process (wait4's ru_maxrss), exact
    docs: int  # documents in the environment after the build
    docs_read: int  # doctrees rewritten by this build
    pages_written: int  # HTML files rewritten by this build
    pages_per_s: float
    output_mb: float
    searchindex_mb: float
    warnings: int
    returncode: int


def _mtimes(folder: Path, suffix: str) -> dict[str, int]:
    if not folder.exists():
        return {}
    return {str(p): p.stat().st_mtime_ns for p in folder.rglob("*" + suffix)}


def _changed(before: dict[str, int], after: dict[str, int]) -> int:
    return sum(1 for k, v in after.items() if before.get(k) != v)


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def child_env() -> dict[str, str]:
    """The environment of every child, with bytecode caching on.

    Some sandboxes set PYTHONDONTWRITEBYTECODE; then every child compiles whatever pip
    did not (the editable extension itself) from source, a cost a warm CI venv does not
    pay and one that would weigh on the one-second no-change rebuild.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def sphinx_build(
    srcdir: Path, outdir: Path, doctreedir: Path, jobs: int, log: Path
) -> tuple[float, float, int, int, int, int]:
    """Run sphinx-build in a child: wall, CPU, tree-peak RSS, max single RSS, warnings, rc."""
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-j", str(jobs)]
    cmd += ["-d", str(doctreedir.resolve()), str(srcdir.resolve()), str(outdir.resolve())]
    with log.open("w", encoding="utf-8") as out:
        start = time.perf_counter()
        # Run from the project's folder: ``python -m`` puts the working directory first
        # on sys.path, so a bench started in a checkout would build with that checkout's
        # sphinx_testdocs whatever PYTHONPATH names (before/after runs would be alike).
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, env=child_env(), cwd=srcdir
        )
        sampler = TreeSampler(proc.pid)
        sampler.start()
        # wait4 rather than proc.wait: its ru_maxrss covers the child and every
        # descendant it reaped (the largest one, not the sum).
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
    text = log.read_text(encoding="utf-8", errors="replace")
    warnings = len(re.findall(r"WARNING|ERROR", text))
    # -j workers are reaped by sphinx-build itself, so their CPU time is included here.
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, sampler.peak, usage.ru_maxrss * 1024, warnings, proc.returncode


def measure(
    variant: Variant, scenario: str, *, rep: int, srcdir: Path, jobs: int, logs: Path
) -> Measurement:
    """Build ``srcdir`` (fresh or incremental, as left by the caller) and measure it."""
    outdir, doctreedir = srcdir.parent / "html", srcdir.parent / "doctrees"
    trees_before, html_before = _mtimes(doctreedir, ".doctree"), _mtimes(outdir, ".html")
    log = logs / f"{variant.name}-{scenario}-{rep}.log"
    wall, cpu, tree_peak, max_single, warnings, code = sphinx_build(
        srcdir, outdir, doctreedir, jobs, log
    )
    trees_after = _mtimes(doctreedir, ".doctree")
    written = _changed(html_before, _mtimes(outdir, ".html"))
    index = outdir / "searchindex.js"
    mb = 1024 * 1024
    return Measurement(
        variant=variant.name,
        scenario=scenario,
        rep=rep,
        wall_s=round(wall, 3),
        cpu_s=round(cpu, 3),
        rss_tree_mb=round(tree_peak / mb, 1),
        rss_max_mb=round(max_single / mb, 1),
        docs=len(trees_after),
        docs_read=_changed(trees_before, trees_after),
        pages_written=written,
        pages_per_s=round(written / wall, 2),
        output_mb=round(_size(outdir) / mb, 2) if outdir.exists() else 0.0,
        searchindex_mb=round(index.stat().st_size / mb, 2) if index.exists() else 0.0,
        warnings=warnings,
        returncode=code,
    )


def run_variant(
    variant: Variant,
    *,
    rep: int,
    corpus: Path,
    files: Sequence[str],
    touch: str,
    work: Path,
    scenarios: Sequence[str],
) -> list[Measurement]:
    """All scenarios of one variant: fresh -j1, then no-change and touch-one on top of it."""
    base = work / variant.name
    srcdir, logs = base / "src", work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    results: list[Measurement] = []

    def fresh() -> None:
        for sub in ("html", "doctrees"):
            shutil.rmtree(base / sub, ignore_errors=True)
        write_project(variant, corpus, files, srcdir)

    fresh()
    results.append(measure(variant, "fresh-j1", rep=rep, srcdir=srcdir, jobs=1, logs=logs))
    if "noop" in scenarios:
        results.append(measure(variant, "noop", rep=rep, srcdir=srcdir, jobs=1, logs=logs))
    if "touch" in scenarios:
        # A new mtime, same content: what an editor save or a git checkout does.
        now = time.time()
        os.utime(corpus / touch, (now, now))
        results.append(measure(variant, "touch", rep=rep, srcdir=srcdir, jobs=1, logs=logs))
    if "fresh-j2" in scenarios:
        fresh()
        results.append(measure(variant, "fresh-j2", rep=rep, srcdir=srcdir, jobs=2, logs=logs))
    return results


# --------------------------------------------------------------------------- analysis phase

#: Written by the analysis phase next to the corpus: files read from outside it.
OUTSIDE_FILES = "outside-files.txt"


@dataclass
class Phase:
    """Time of one whole-corpus pass, measured in a fresh interpreter."""

    name: str
    rep: int
    seconds: float  # CPU time of the pass alone (imports excluded)
    wall_s: float
    rss_max_mb: float
    files: int


def phase_main(name: str, corpus: Path, project_root: Path) -> None:
    """Child entry point: run one pass over the corpus and print its time as JSON."""
    paths = sorted(p for p in corpus.rglob("*.py") if p.is_file())
    # CPU time is the comparable figure: the pass is single-threaded, and wall time on a
    # shared machine also counts whoever else holds the cores.
    if name == "analysis":
        # Import first: this environment writes no bytecode, so importing would compile
        # the package on every run and be charged to the analysis.
        import sphinx_testdocs.project  # noqa: F401
    outside = corpus.parent / OUTSIDE_FILES
    if name == "ast.parse" and outside.is_file():
        # The files the analysis also read to follow names (base classes, star imports,
        # installed packages): the fair floor parses them too.
        paths += [Path(line) for line in outside.read_text(encoding="utf-8").splitlines()]
    start, cpu_start = time.perf_counter(), time.process_time()
    read: set[str] = set()
    if name == "ast.parse":
        for path in paths:
            # Bytes, so the parser decodes by PEP 263 exactly as the analysis must.
            ast.parse(path.read_bytes())
    elif name == "analysis":
        count = _run_analysis(corpus, project_root, read)
        assert count == len(paths), (count, len(paths))
    elif name == "pygments":
        _run_pygments(paths)
    else:
        raise SystemExit(f"unknown phase {name}")
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    if name == "analysis":
        inside = {str(p) for p in paths}
        outside.write_text("".join(f"{p}\n" for p in sorted(read - inside)), encoding="utf-8")
    print(json.dumps({"seconds": cpu, "wall_s": wall, "files": len(paths)}))


def _run_analysis(corpus: Path, project_root: Path, read: set[str]) -> int:
    """The extension's own scan and analysis, the same calls a build makes; ``read``
    receives the other files the analysis read to follow names."""
    from sphinx_testdocs.analysis.parsing import cycle_collector_paused
    from sphinx_testdocs.config import TestdocsConfig
    from sphinx_testdocs.project import build_project

    config = TestdocsConfig(dirs=(str(corpus),), project_root=str(project_root))
    srcdir = corpus.parent / "_phase_src"  # never created: only the scan's skip list
    project = build_project(config, srcdir, srcdir, [])
    count = 0
    # As the build does (freshness.refresh_summaries): the collector paused for the batch.
    with cycle_collector_paused():
        for root in project.roots:
            for scanned in root.tree.files:
                collection = project.analysis(root, scanned.relpath).collection
                if collection is not None:
                    read.update(collection.dependencies)
                count += 1
    return count


def _run_pygments(paths: Iterable[Path]) -> None:
    """Highlighting alone, as Sphinx does it: Python lexer, HTML formatter."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    lexer, formatter = PythonLexer(), HtmlFormatter()
    for path in paths:
        highlight(path.read_text(encoding="utf-8", errors="replace"), lexer, formatter)


def run_phase(name: str, rep: int, corpus: Path) -> Phase:
    """Run one phase in a fresh child, so imports and caches of earlier runs do not count."""
    cmd = [sys.executable, __file__, "--phase", name, str(corpus)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=child_env())
    stdout = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"phase {name} failed")
    data = json.loads(stdout.strip().splitlines()[-1])
    return Phase(
        name=name,
        rep=rep,
        seconds=round(data["seconds"], 3),
        wall_s=round(data["wall_s"], 3),
        rss_max_mb=round(usage.ru_maxrss / 1024, 1),
        files=data["files"],
    )


# --------------------------------------------------------------------------- report


@dataclass
class Report:
    """Everything one run measured, plus medians and ratios."""

    meta: dict[str, Any]
    builds: list[Measurement] = field(default_factory=list)
    phases: list[Phase] = field(default_factory=list)

    def median(self, variant: str, scenario: str, attr: str) -> float | None:
        values = [
            getattr(m, attr)
            for m in self.builds
            if m.variant == variant and m.scenario == scenario
        ]
        return statistics.median(values) if values else None

    def paired_ratio(self, theme: str, scenario: str, attr: str) -> float | None:
        """Median over repetitions of testdocs / plain within each repetition."""
        return self.paired(f"testdocs-{theme}", f"plain-{theme}", scenario, attr)

    def paired(self, variant: str, base: str, scenario: str, attr: str) -> float | None:
        """Median over repetitions of ``variant`` / ``base`` within each repetition.

        The two builds run back to back in every repetition, so their ratio is less
        exposed to the machine's drift than a ratio of medians taken over the whole run.
        """
        ratios = []
        for rep in sorted({m.rep for m in self.builds}):
            pair = {
                m.variant: getattr(m, attr)
                for m in self.builds
                if m.rep == rep and m.scenario == scenario
            }
            ours, theirs = pair.get(variant), pair.get(base)
            if ours is not None and theirs:
                ratios.append(ours / theirs)
        return statistics.median(ratios) if ratios else None

    def phase_median(self, name: str) -> float | None:
        values = [p.seconds for p in self.phases if p.name == name]
        return statistics.median(values) if values else None

    def summary(self) -> dict[str, Any]:
        """Medians per variant and scenario, and the testdocs / plain ratios."""
        attrs = (
            "wall_s",
            "cpu_s",
            "rss_tree_mb",
            "rss_max_mb",
            "docs_read",
            "pages_per_s",
            "output_mb",
            "searchindex_mb",
        )
        out: dict[str, Any] = {"builds": {}, "ratios": {}, "phases": {}}
        for variant in sorted({m.variant for m in self.builds}):
            for scenario in SCENARIOS:
                row = {a: self.median(variant, scenario, a) for a in attrs}
                if row["wall_s"] is not None:
                    out["builds"][f"{variant}/{scenario}"] = row
        for theme in self.meta["themes"]:
            for scenario in SCENARIOS:
                for attr in ("wall_s", "cpu_s", "rss_tree_mb", "rss_max_mb"):
                    ours = self.median(f"testdocs-{theme}", scenario, attr)
                    base = self.median(f"plain-{theme}", scenario, attr)
                    if ours is not None and base:
                        out["ratios"][f"{theme}/{scenario}/{attr}"] = round(ours / base, 3)
                paired = self.paired_ratio(theme, scenario, "cpu_s")
                if paired is not None:
                    out["ratios"][f"{theme}/{scenario}/cpu_s/paired"] = round(paired, 3)
        for name in sorted({p.name for p in self.phases}):
            out["phases"][name] = self.phase_median(name)
        analysis, parse = out["phases"].get("analysis"), out["phases"].get("ast.parse")
        if analysis and parse:
            out["ratios"]["analysis/ast.parse"] = round(analysis / parse, 3)
        return out


def _cells(p: dict[str, Any], t: dict[str, Any], attr: str, fmt: str) -> str:
    """Plain, testdocs and their ratio for one measured attribute."""
    ratio = f"{t[attr] / p[attr]:.2f}" if p[attr] else "-"
    return f"{p[attr]:>9{fmt}}{t[attr]:>8{fmt}}{ratio:>6}"


def print_table(report: Report) -> None:
    """Medians side by side (plain, testdocs, ratio), one line per theme and scenario."""
    summary = report.summary()
    header = (
        f"{'theme/scenario':<20}{'wall s: plain/td/ratio':>23}{'cpu s: plain/td/ratio':>23}"
        f"{'RSS MB: plain/td/ratio':>23}{'peak MB: plain/td/ratio':>24}"
        f"{'read p/t':>10}{'pages/s p/t':>13}{'out MB p/t':>13}"
        f"{'cpu paired':>11}"
    )
    print(header)
    print("-" * len(header))
    builds = summary["builds"]
    for theme in report.meta["themes"]:
        for scenario in SCENARIOS:
            p = builds.get(f"plain-{theme}/{scenario}")
            t = builds.get(f"testdocs-{theme}/{scenario}")
            if not p or not t:
                continue
            print(
                f"{theme + '/' + scenario:<20}"
                + _cells(p, t, "wall_s", ".1f")
                + _cells(p, t, "cpu_s", ".1f")
                + _cells(p, t, "rss_tree_mb", ".0f")
                + " "
                + _cells(p, t, "rss_max_mb", ".0f")
                + f"{p['docs_read']:>5.0f}/{t['docs_read']:<4.0f}"
                + f"{p['pages_per_s']:>6.1f}/{t['pages_per_s']:<6.1f}"
                + f"{p['output_mb']:>6.1f}/{t['output_mb']:<6.1f}"
                + f"{summary['ratios'].get(f'{theme}/{scenario}/cpu_s/paired', 0):>9.2f}"
            )
    print(
        "cpu paired: the median over repetitions of testdocs / plain CPU time within each "
        "repetition\nRSS: the process tree's, sampled; peak: the largest process's maximum "
        "(wait4's ru_maxrss, what /usr/bin/time reports)"
    )
    for name, seconds in summary["phases"].items():
        print(f"phase {name:<14}{seconds:>8.2f} s CPU")
    if "analysis/ast.parse" in summary["ratios"]:
        print(f"analysis / ast.parse: {summary['ratios']['analysis/ast.parse']:.2f}")


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree", type=Path, help="folder holding the test files")
    parser.add_argument(
        "--include",
        action="append",
        default=None,
        help="glob of files to document, relative to TREE (repeatable; "
        "default **/*.py); e.g. '**/tests/**/*.py' for NumPy",
    )
    parser.add_argument("--reps", type=int, default=3, help="repetitions (medians); 3")
    parser.add_argument(
        "--themes", default="alabaster,furo", help="comma-separated: alabaster, furo, nosidebar"
    )
    parser.add_argument(
        "--scenarios",
        default=",".join(SCENARIOS),
        help=f"comma-separated subset of {','.join(SCENARIOS)} "
        "(fresh-j1 always runs: the rebuilds start from it)",
    )
    parser.add_argument("--tools", default="plain,testdocs", help="plain, testdocs or both")
    parser.add_argument(
        "--touch",
        help="file (relative to TREE) touched before the "
        "touch-one rebuild; default: the file of median size",
    )
    parser.add_argument(
        "--no-phases", action="store_true", help="skip the analysis-vs-ast.parse comparison"
    )
    parser.add_argument(
        "--pygments",
        action="store_true",
        help="also time Pygments over every file (the issue's reference)",
    )
    parser.add_argument(
        "--results",
        type=Path,
        action="append",
        default=[],
        help="results file laid over the pages (testdocs_results; repeatable): see "
        "make_results.py",
    )
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="scratch folder")
    parser.add_argument("--json", type=Path, help="write all measurements here")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def median_sized(corpus: Path, files: Sequence[str]) -> str:
    """A typical file to touch: the median by size (the largest would flatter nobody)."""
    by_size = sorted(files, key=lambda rel: ((corpus / rel).stat().st_size, rel))
    return by_size[len(by_size) // 2]


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version(), "cpus": str(os.cpu_count())}
    for dist in ("sphinx", "docutils", "pygments", "alabaster", "furo", "sphinx-testdocs"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = "missing"
    return out


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.phase:
        phase_main(args.phase, args.tree.resolve(), args.tree.resolve().parent)
        return 0
    tree = args.tree.resolve()
    RESULTS[:] = [str(path.resolve()) for path in args.results]
    include = args.include or ["**/*.py"]
    files = select_files(tree, include)
    if not files:
        raise SystemExit(f"no file of {tree} matches {include}")
    label = tree.name
    work = args.work.resolve() / label
    corpus = copy_corpus(tree, files, work / "corpus")
    touch = args.touch or median_sized(corpus, files)
    themes = args.themes.split(",")
    tools = args.tools.split(",")
    scenarios = args.scenarios.split(",")
    report = Report(
        meta={
            "command": sys.argv,
            "tree": str(tree),
            "include": include,
            "files": len(files),
            "bytes": sum((corpus / f).stat().st_size for f in files),
            "touch": touch,
            "reps": args.reps,
            "themes": themes,
            "versions": versions(),
            "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
    )
    print(f"{len(files)} files, {report.meta['bytes'] / 1e6:.1f} MB; touching {touch}", flush=True)
    for rep in range(args.reps):
        # Alternate the order every repetition so that drift hits both tools alike.
        order = tools if rep % 2 == 0 else tools[::-1]
        for theme in themes:
            for tool in order:
                variant = Variant(tool, theme)
                for m in run_variant(
                    variant,
                    rep=rep,
                    corpus=corpus,
                    files=files,
                    touch=touch,
                    work=work,
                    scenarios=scenarios,
                ):
                    report.builds.append(m)
                    print(
                        f"  rep {rep} {m.variant:<20} {m.scenario:<9} {m.wall_s:7.1f} s "
                        f"{m.cpu_s:7.1f} cpu "
                        f"{m.rss_tree_mb:6.0f} MB  read {m.docs_read}/{m.docs}  "
                        f"warnings {m.warnings}  rc {m.returncode}",
                        flush=True,
                    )
        if not args.no_phases:
            # The analysis first: it lists the files it read, which ast.parse also parses.
            names = ["analysis", "ast.parse"] + (["pygments"] if args.pygments else [])
            for name in names if rep % 2 == 0 else names[::-1]:
                phase = run_phase(name, rep, corpus)
                report.phases.append(phase)
                print(f"  rep {rep} phase {name:<12} {phase.seconds:7.2f} s", flush=True)
    print()
    print_table(report)
    if args.json:
        data = {
            "meta": report.meta,
            "summary": report.summary(),
            "builds": [asdict(m) for m in report.builds],
            "phases": [asdict(p) for p in report.phases],
        }
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
