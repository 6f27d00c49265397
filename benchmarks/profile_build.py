"""Profile one Sphinx build of a test tree in-process: where the time and the memory go.

Usage::

    python benchmarks/profile_build.py TREE [--include GLOB] [--tool testdocs|plain]
        [--theme alabaster|furo|nosidebar] [--rebuild touch|noop]
        [--timers] [--transforms] [--profile] [--top N]

Always prints the time each document took to read and to write (the slowest first) and
the process's memory at each build stage. With ``--profile`` the build also runs under
cProfile, and the inclusive time is grouped by what it was spent on. Groups overlap
(Pygments runs inside HTML writing), so they are shares of the build, not a partition.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import inspect
import io
import os
import pstats
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import (
    DEFAULT_WORK,
    PAGE,
    Variant,
    copy_corpus,
    median_sized,
    select_files,
    write_project,
)

#: The stages of a build: (label, module, attribute path of the function). ``--timers``
#: wraps each with a CPU-time accumulator (only the outermost call counts, so recursion
#: does not double a figure); ``--profile`` reports each one's inclusive cProfile time.
#: Stages overlap (Pygments runs inside HTML writing): shares, not a partition.
STAGES: tuple[tuple[str, str, str], ...] = (
    ("whole build", "sphinx.application", "Sphinx.build"),
    ("testdocs: scan + stubs (builder-inited)", "sphinx_testdocs.events", "scan_and_write_stubs"),
    ("testdocs: summaries (env-get-outdated)", "sphinx_testdocs.events", "refresh_summaries"),
    ("testdocs: analysis (all files)", "sphinx_testdocs.analysis.analyse", "analyse_file"),
    ("reading: all documents", "sphinx.builders", "Builder.read_doc"),
    ("reading: parse + directives", "sphinx.util.docutils", "_parse_str_to_doctree"),
    ("reading: docutils settings", "sphinx.util.docutils", "_get_settings"),
    ("reading: rST parsing (user pages)", "sphinx.parsers", "RSTParser.parse"),
    ("reading: testdocs stubs (whole pages)", "sphinx_testdocs.stubparser", "StubParser.parse"),
    ("reading + writing: transforms", "sphinx.transforms", "SphinxTransformer.apply_transforms"),
    ("reading: testdocs module pages", "sphinx_testdocs.directives", "module_page"),
    ("reading: testdocs folder pages", "sphinx_testdocs.directives", "folder_page"),
    ("reading: pickling doctrees", "sphinx.builders", "Builder.write_doctree"),
    ("writing: unpickling doctrees", "sphinx.environment", "BuildEnvironment.get_doctree"),
    (
        "writing: resolve (unpickle + post-transforms)",
        "sphinx.environment",
        "BuildEnvironment.get_and_resolve_doctree",
    ),
    (
        "writing: post-transforms",
        "sphinx.environment",
        "BuildEnvironment.apply_post_transforms",
    ),
    ("writing: testdocs compact nodes", "sphinx_testdocs.transforms", "ExpandCompact.run"),
    (
        "writing: resolving references",
        "sphinx.transforms.post_transforms",
        "ReferencesResolver.run",
    ),
    (
        "writing: highlight language",
        "sphinx.transforms.post_transforms.code",
        "HighlightLanguageTransform.apply",
    ),
    ("writing: HTML translation", "sphinx.builders.html", "StandaloneHTMLBuilder.write_doc"),
    ("writing: Pygments", "sphinx.highlighting", "PygmentsBridge.highlight_block"),
    ("writing: source listings", "sphinx_testdocs.render.listing", "listing_html"),
    ("writing: payload expansion", "sphinx_testdocs.render.nodes", "testdocs_payload.expand"),
    ("writing: search indexing", "sphinx.search", "IndexBuilder.feed"),
    (
        "writing: templates (handle_page)",
        "sphinx.builders.html",
        "StandaloneHTMLBuilder.handle_page",
    ),
    ("writing: sidebar toctree", "sphinx.environment.adapters.toctree", "global_toctree_for_doc"),
    ("reading + writing: taking doctrees apart", "sphinx_testdocs.events", "take_apart"),
    ("writing: Jinja rendering", "sphinx.jinja2glue", "BuiltinTemplateLoader.render"),
    ("writing: furo page context", "furo", "_html_page_context"),
    ("writing: furo navigation (BeautifulSoup)", "furo.navigation", "get_navigation_tree"),
    ("writing: furo page toc check", "furo", "has_not_enough_items_to_show_toc"),
    (
        "finish: all (indices, search index, static files)",
        "sphinx.builders.html",
        "StandaloneHTMLBuilder.finish",
    ),
    ("finish: search index dump", "sphinx.search", "IndexBuilder.dump"),
    ("pickling the environment", "sphinx.builders", "Builder.pickle_environment"),
)


def _resolve(module_name: str, path: str) -> tuple[Any, str, Any] | None:
    """(owner, attribute name, function) of a stage, or None where it does not exist here."""
    import importlib

    try:
        owner: Any = importlib.import_module(module_name)
    except ImportError:  # a theme that is not installed
        return None
    *parents, name = path.split(".")
    for parent in parents:
        owner = getattr(owner, parent, None)
        if owner is None:
            return None
    function = getattr(owner, name, None)
    return None if function is None else (owner, name, function)


def install_timers() -> dict[str, list[float]]:
    """Wrap each stage's function with a CPU-time accumulator: {label: [seconds, calls]}."""
    totals: dict[str, list[float]] = {}
    wrappers: dict[int, Callable[..., Any]] = {}
    for label, module_name, path in STAGES:
        found = _resolve(module_name, path)
        if found is None:
            continue
        owner, name, function = found
        totals[label] = [0.0, 0]
        wrappers[id(function)] = wrapper = _timed(function, totals[label])
        setattr(owner, name, wrapper)
    # Modules that imported a function by name hold it too (``from x import f``).
    for module in list(sys.modules.values()):
        for attribute, value in list(vars(module).items()):
            if id(value) in wrappers and callable(value):
                setattr(module, attribute, wrappers[id(value)])
    return totals


def install_transform_timers() -> dict[str, list[float]]:
    """Time every docutils/Sphinx transform by class: {qualified name: [seconds, calls]}.

    Reading and writing each run a few dozen transforms over every document; which of
    them cost what is invisible in the stage table (one line for all of them).
    """
    from docutils import transforms

    totals: dict[str, list[float]] = {}

    def apply_transforms(self: Any) -> None:  # docutils' loop, with a clock around each
        self.document.reporter.attach_observer(self.document.note_transform_message)
        while self.transforms:
            if not self.sorted:
                self.transforms.sort(reverse=True)
                self.sorted = True
            priority, transform_class, pending, kwargs = self.transforms.pop()
            start = time.process_time()
            transform_class(self.document, startnode=pending).apply(**kwargs)
            name = f"{transform_class.__module__}.{transform_class.__qualname__}"
            total = totals.setdefault(name, [0.0, 0])
            total[0] += time.process_time() - start
            total[1] += 1
            self.applied.append((priority, transform_class, pending, kwargs))
        self.document.reporter.detach_observer(self.document.note_transform_message)

    transforms.Transformer.apply_transforms = apply_transforms  # type: ignore[method-assign]
    return totals


def _timed(function: Callable[..., Any], total: list[float]) -> Callable[..., Any]:
    depth = [0]

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        depth[0] += 1
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            depth[0] -= 1
            if not depth[0]:
                total[0] += time.process_time() - start
                total[1] += 1

    return wrapper


def rss_now_mb() -> float:
    return int(Path("/proc/self/statm").read_bytes().split()[1]) * PAGE / 2**20


def rss_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Recorder:
    """Per-document read and write times, and memory at each stage of the build."""

    def __init__(self) -> None:
        self.read: dict[str, float] = {}
        self.write: dict[str, float] = {}
        self.stages: list[tuple[str, float, float]] = []

    def stage(self, name: str) -> None:
        self.stages.append((name, rss_now_mb(), rss_peak_mb()))

    def timed(self, table: dict[str, float], method: Callable[..., Any]) -> Callable[..., Any]:
        """Wrap a builder method whose first argument is the docname."""

        def wrapper(docname: str, *args: Any, **kwargs: Any) -> Any:
            # CPU time, not wall: on a shared machine wall time measures the neighbours.
            start = time.process_time()
            try:
                return method(docname, *args, **kwargs)
            finally:
                table[docname] = table.get(docname, 0.0) + time.process_time() - start

        return wrapper

    def attach(self, app: Any) -> None:
        # Instance attributes shadow the builder's methods for this build only.
        app.builder.read_doc = self.timed(self.read, app.builder.read_doc)
        app.builder.write_doc = self.timed(self.write, app.builder.write_doc)
        # Priority 900: after the extension's own handlers of the same events.
        app.connect("env-before-read-docs", lambda *a: self.stage("before reading"), 900)
        app.connect("env-updated", lambda *a: self.stage("after reading"), 900)
        app.connect("build-finished", lambda *a: self.stage("after writing"), 900)


def build(
    srcdir: Path, recorder: Recorder, profile: cProfile.Profile | None, *, fresh: bool = True
) -> None:
    """One -j 1 HTML build in this process (fresh: without the last build's environment)."""
    from sphinx.application import Sphinx

    base = srcdir.parent
    recorder.stage("start")
    app = Sphinx(
        str(srcdir),
        str(srcdir),
        str(base / "html"),
        str(base / "doctrees"),
        "html",
        status=io.StringIO(),
        warning=sys.stderr,
        freshenv=fresh,
    )
    recorder.stage("after setup (scan, stubs)")
    recorder.attach(app)
    if profile:
        profile.runcall(app.build)
    else:
        app.build()


def group_report(profile: cProfile.Profile) -> list[tuple[str, float, int]]:
    """Inclusive seconds and call counts of each stage's function."""
    stats = pstats.Stats(profile)
    table: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    out = []
    for label, module_name, path in STAGES:
        found = _resolve(module_name, path)
        code = getattr(inspect.unwrap(found[2]), "__code__", None) if found else None
        entry = table.get((code.co_filename, code.co_firstlineno, code.co_name)) if code else None
        out.append((label, entry[3], entry[1]) if entry else (label, 0.0, 0))
    return out


def top_self(profile: cProfile.Profile, top: int) -> str:
    """The functions with the most time of their own, for what the groups do not name."""
    buffer = io.StringIO()
    pstats.Stats(profile, stream=buffer).sort_stats("tottime").print_stats(top)
    return buffer.getvalue()


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree", type=Path)
    parser.add_argument("--include", action="append", default=None)
    parser.add_argument("--tool", default="testdocs", choices=("testdocs", "plain"))
    parser.add_argument("--theme", default="alabaster")
    parser.add_argument("--profile", action="store_true", help="run under cProfile")
    parser.add_argument(
        "--timers", action="store_true", help="time the main stages (no cProfile overhead)"
    )
    parser.add_argument(
        "--transforms", action="store_true", help="time each transform (reading and writing)"
    )
    parser.add_argument(
        "--rebuild",
        choices=("touch", "noop"),
        help="measure a rebuild on top of a fresh build: after touching the file of "
        "median size, or with nothing changed",
    )
    parser.add_argument("--top", type=int, default=30, help="functions by own time")
    parser.add_argument("--docs", type=int, default=8, help="slowest documents shown")
    parser.add_argument("--dump", type=Path, help="save the raw profile (pstats format)")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument(
        "--srcdir",
        type=Path,
        help="profile this existing source folder (e.g. one host.py wrote) instead of "
        "writing a project over TREE; its html/ and doctrees/ siblings are replaced",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    tree = args.tree.resolve()
    files = select_files(tree, args.include or ["**/*.py"])
    if args.srcdir:
        if args.rebuild:
            raise SystemExit("--srcdir profiles a fresh build only")
        srcdir = args.srcdir.resolve()
        name = srcdir.parent.name
    else:
        work = args.work.resolve() / f"profile-{tree.name}"
        corpus = copy_corpus(tree, files, work / "corpus")
        variant = Variant(args.tool, args.theme)
        name = variant.name
        srcdir = work / name / "src"
    for sub in ("html", "doctrees"):
        shutil.rmtree(srcdir.parent / sub, ignore_errors=True)
    if not args.srcdir:
        write_project(variant, corpus, files, srcdir)
    if args.rebuild:
        # The fresh build the rebuild starts from, in a child: not measured, and its
        # memory does not count in this process's peak.
        subprocess.run(
            [
                sys.executable,
                "-m",
                "sphinx",
                "-q",
                "-b",
                "html",
                "-d",
                str(srcdir.parent / "doctrees"),
                str(srcdir),
                str(srcdir.parent / "html"),
            ],
            check=True,
        )
        if args.rebuild == "touch":
            now = time.time()
            os.utime(corpus / median_sized(corpus, files), (now, now))

    recorder = Recorder()
    timers = install_timers() if args.timers else None
    transform_times = install_transform_timers() if args.transforms else None
    profile = cProfile.Profile() if args.profile else None
    start, cpu_start = time.perf_counter(), time.process_time()
    build(srcdir, recorder, profile, fresh=not args.rebuild)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    under = " (under cProfile)" if profile else ""
    what = f" ({args.rebuild} rebuild)" if args.rebuild else ""
    print(f"{name}{what}: {len(files)} files, {wall:.1f} s wall, {cpu:.1f} s CPU{under}")

    print("\nmemory by stage (MB): now / peak so far")
    for name, now, peak in recorder.stages:
        print(f"  {name:<28}{now:>8.0f}{peak:>8.0f}")

    print(f"\nslowest documents (CPU s): read + write, of {len(recorder.read)} read")
    totals = {
        d: recorder.read.get(d, 0.0) + recorder.write.get(d, 0.0)
        for d in recorder.read.keys() | recorder.write.keys()
    }
    for doc in sorted(totals, key=totals.__getitem__, reverse=True)[: args.docs]:
        print(
            f"  {totals[doc]:7.2f}  read {recorder.read.get(doc, 0.0):6.2f}"
            f"  write {recorder.write.get(doc, 0.0):6.2f}  {doc}"
        )
    print(
        f"  sum read {sum(recorder.read.values()):.1f} s, "
        f"sum write {sum(recorder.write.values()):.1f} s"
    )

    if timers:
        print("\nCPU time by stage (overlapping)")
        for label, (seconds, calls) in timers.items():
            print(f"  {label:<48}{seconds:>8.2f} s  {int(calls):>7} calls")

    if transform_times:
        print("\nCPU time by transform (the costliest 25)")
        ranked = sorted(transform_times.items(), key=lambda item: -item[1][0])
        for name, (seconds, calls) in ranked[:25]:
            print(f"  {name[-70:]:<72}{seconds:>6.2f} s  {int(calls):>6} calls")

    if profile:
        groups = group_report(profile)
        whole = groups[0][1] or 1.0
        print("\ninclusive time by group (overlapping)")
        for label, seconds, calls in groups:
            print(
                f"  {label:<48}{seconds:>8.1f} s {100 * seconds / whole:>5.1f} %  {calls:>7} calls"
            )
        print("\n" + top_self(profile, args.top))
        if args.dump:
            profile.dump_stats(str(args.dump))
    return 0


if __name__ == "__main__":
    sys.exit(main())
