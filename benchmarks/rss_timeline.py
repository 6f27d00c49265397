"""Sample the RSS of a Sphinx build's main process and of each child it forks, over time.

Usage::

    python benchmarks/rss_timeline.py SRCDIR [-j N] [--out DIR] [--interval 0.02]

``bench.py`` gives only the peak of the summed process tree; this shows *when* it is
reached and *who* holds it: the main process and every ``-j`` reader or writer alive at
that moment, next to the build's own progress lines (reading, writing...). ``SRCDIR`` is
any Sphinx source folder, e.g. one ``bench.py`` made (``benchmarks/_work/numpy/
testdocs-furo/src``). The build is fresh: ``--out`` (default: a temporary folder) is
emptied first. Not a test.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import _descendants, _rss, child_env

MB = 1024 * 1024
#: Sphinx's progress lines worth placing on the timeline (the first of each kind).
MARKS = (
    "[testdocs]",
    "updating environment",
    "reading sources",
    "pickling environment",
    "writing output... [",
    "generating indices",
    "dumping search index",
    "build succeeded",
)


class Sample(tuple[float, float, tuple[float, ...]]):
    """(seconds since start, main RSS MB, children's RSS MB, largest first)."""

    @property
    def tree(self) -> float:
        return self[1] + sum(self[2])

    def describe(self) -> str:
        children = ", ".join(f"{c:.0f}" for c in self[2]) or "-"
        return f"{self[0]:6.2f} s  tree {self.tree:4.0f}  main {self[1]:4.0f}  children {children}"


def sample_build(
    srcdir: Path, out: Path, jobs: int, interval: float
) -> tuple[list[Sample], list[tuple[float, str]]]:
    """Run the build; return its samples and its (time, line) progress marks."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-j", str(jobs)]
    cmd += ["-d", str(out / "doctrees"), str(srcdir), str(out / "html")]
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=child_env(), text=True
    )
    samples: list[Sample] = []

    def sample() -> None:
        while proc.poll() is None:
            children = [p for p in _descendants(proc.pid) if p != proc.pid]
            sizes = tuple(sorted((_rss(p) / MB for p in children), reverse=True))
            samples.append(Sample((time.perf_counter() - start, _rss(proc.pid) / MB, sizes)))
            time.sleep(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    marks: list[tuple[float, str]] = []
    seen: set[str] = set()
    assert proc.stdout is not None
    for line in proc.stdout:
        mark = next((m for m in MARKS if m in line), None)
        if mark and mark not in seen:
            seen.add(mark)
            marks.append((time.perf_counter() - start, line.strip()[:70]))
    proc.wait()
    sampler.join()
    if proc.returncode:
        sys.exit(f"sphinx-build failed with exit code {proc.returncode}")
    return samples, marks


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("srcdir", type=Path)
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, help="build folder (emptied first)")
    parser.add_argument("--interval", type=float, default=0.02, help="seconds between samples")
    parser.add_argument("--every", type=float, default=0.5, help="seconds between lines shown")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="rss-timeline-"))
    samples, marks = sample_build(args.srcdir, out, args.jobs, args.interval)
    if not samples:
        return 1
    peak = max(samples, key=lambda s: s.tree)
    print(f"peak  {peak.describe()}")
    print("\nprogress:")
    for at, line in marks:
        near = min(samples, key=lambda s: abs(s[0] - at))
        print(f"  {near.describe()}  | {line}")
    print("\ntimeline:")
    due = 0.0
    for s in samples:
        if s[0] >= due:
            print(f"  {s.describe()}")
            due = s[0] + args.every
    if args.out is None:
        shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
