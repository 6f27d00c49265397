"""Build two projects over and over at once, one per core, and compare their CPU times.

Usage::

    python benchmarks/race.py SRCDIR_A SRCDIR_B [--seconds 300] [--checkout DIR] [-j 1]

``bench.py`` runs plain Sphinx and the extension one after the other, so the machine's
drift (a fifth and more over minutes on the shared machines here) lands in their
ratio; ``pair.py`` runs two builds at once but needs them to take about as long. This
script loops a fresh build of each source folder on its own core for the same window
of time (for instance ``benchmarks/_work/numpy/plain-furo/src`` against
``testdocs-furo/src``, made by ``bench.py``): each is sampled across the same stretch
of the machine's drift however long it takes, and the ratio of their median CPU times
(user + system of each build's processes, ``wait4``, as ``pair.py`` builds) is what the targets of
``bench.py``'s table speak of, less exposed to the drift. A build still running when
the window closes is finished and counted.

Both loops share the machine's caches and memory bandwidth: absolute times are higher
than alone, and only the ratio means something. ``--checkout`` puts a checkout of the
extension first on ``PYTHONPATH`` (the builds run from a scratch folder, so that it,
not the current folder's, is imported).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pair import _start, _wait


def loop(
    srcdir: Path, scratch: Path, until: float, jobs: int, checkout: Path | None
) -> list[float]:
    """CPU seconds of each fresh build of *srcdir* started before *until*."""
    times: list[float] = []
    while time.monotonic() < until:
        out = scratch / "out"
        shutil.rmtree(out, ignore_errors=True)
        cpu, _ = _wait(_start(checkout, srcdir, out, jobs))
        times.append(cpu)
    return times


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", type=Path, help="source folder A (e.g. plain Sphinx's)")
    parser.add_argument("b", type=Path, help="source folder B (e.g. the extension's)")
    parser.add_argument("--seconds", type=float, default=300, help="the window; 300")
    parser.add_argument("--checkout", type=Path, help="the extension's checkout to use")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="sphinx-build -j; 1")
    args = parser.parse_args(argv)
    checkout = args.checkout.resolve() if args.checkout else None
    until = time.monotonic() + args.seconds
    with tempfile.TemporaryDirectory(prefix="race-") as scratch:
        root = Path(scratch)
        (root / "a").mkdir()
        (root / "b").mkdir()
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child loops A and hands its times back through the pipe
            os.close(reader)
            times_a = loop(args.a.resolve(), root / "a", until, args.jobs, checkout)
            os.write(writer, " ".join(f"{t:.3f}" for t in times_a).encode())
            os._exit(0)
        os.close(writer)
        times_b = loop(args.b.resolve(), root / "b", until, args.jobs, checkout)
        with os.fdopen(reader, "rb") as pipe:
            times_a = [float(t) for t in pipe.read().split()]
        os.waitpid(pid, 0)
    for name, times in (("A", times_a), ("B", times_b)):
        print(f"{name}: {len(times)} builds, CPU s " + " ".join(f"{t:.1f}" for t in times))
    a, b = statistics.median(times_a), statistics.median(times_b)
    print(f"median CPU: A {a:.1f} s, B {b:.1f} s; B/A {b / a:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
