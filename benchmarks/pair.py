"""Compare two checkouts of the extension on one project, both builds at the same time.

Usage::

    python benchmarks/pair.py SRCDIR --a CHECKOUT --b CHECKOUT [--rounds 4] [-j 1]

``bench.py`` compares the extension with plain Sphinx by running their builds one after
the other; on a shared machine, the same build's time drifts by a fifth and more over
minutes, which hides any change of a few per cent. A change of the extension's own
code is measured better by building the same source folder (for instance
``benchmarks/_work/numpy/testdocs-furo/src``, made by ``bench.py``, or a ``host.py``
project) with both checkouts *at once*, one build per core: whatever slows the
machine slows both. Each round starts the two in turn (A first, then B first) and
reports their CPU times (user + system of the process and its children) and the peak
RSS of the largest process (``wait4``); the summary is the median over rounds of B's
CPU time over A's. Two builds of one checkout (``--a X --b X``) give the noise: within
about 5 % per round on the 2-core machines here, a median of four rounds within 2 %.

The two builds share the machine's caches and memory bandwidth, so absolute times are
higher than alone; only the ratio means something. Both must take about as long (the
same project): a build left alone once the other ends would run faster.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import child_env


def _start(
    checkout: Path | None, srcdir: Path, outdir: Path, jobs: int
) -> subprocess.Popen[bytes]:
    """A fresh build of *srcdir* into *outdir* with *checkout* first on the path."""
    # Bytecode cached (child_env): a checkout nobody imported yet would otherwise be
    # compiled by every build, 0.3 s of CPU its other side does not pay.
    env = child_env()
    if checkout is not None:
        env["PYTHONPATH"] = str(checkout)
    cmd = [sys.executable, "-m", "sphinx", "-E", "-q", "-j", str(jobs), "-b", "html"]
    cmd += [str(srcdir), str(outdir)]
    # Run from outside any checkout, so that PYTHONPATH decides which one is imported
    # (python -m puts the current folder first on the path).
    return subprocess.Popen(
        cmd, env=env, cwd=outdir.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _wait(proc: subprocess.Popen[bytes]) -> tuple[float, float]:
    """CPU seconds and peak RSS (MB) of a finished build and its children."""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"a build failed (exit status {proc.returncode})")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def run_round(
    first: Path, second: Path, srcdir: Path, scratch: Path, jobs: int
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Build with both checkouts at once; (cpu, peak) of ``first`` and of ``second``."""
    outs = [scratch / "first", scratch / "second"]
    for out in outs:
        shutil.rmtree(out, ignore_errors=True)
    procs = [_start(first, srcdir, outs[0], jobs), _start(second, srcdir, outs[1], jobs)]
    return _wait(procs[0]), _wait(procs[1])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("srcdir", type=Path, help="the Sphinx source folder to build")
    parser.add_argument("--a", type=Path, required=True, help="checkout A (the before)")
    parser.add_argument("--b", type=Path, required=True, help="checkout B (the after)")
    parser.add_argument("--rounds", type=int, default=4, help="rounds (medians); 4")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="sphinx-build -j; 1")
    args = parser.parse_args(argv)
    a, b = args.a.resolve(), args.b.resolve()
    ratios: list[float] = []
    with tempfile.TemporaryDirectory(prefix="pair-") as scratch:
        for n in range(args.rounds):
            if n % 2 == 0:
                (cpu_a, peak_a), (cpu_b, peak_b) = run_round(
                    a, b, args.srcdir.resolve(), Path(scratch), args.jobs
                )
            else:
                (cpu_b, peak_b), (cpu_a, peak_a) = run_round(
                    b, a, args.srcdir.resolve(), Path(scratch), args.jobs
                )
            ratios.append(cpu_b / cpu_a)
            print(
                f"round {n}: A {cpu_a:6.2f} s {peak_a:5.0f} MB | "
                f"B {cpu_b:6.2f} s {peak_b:5.0f} MB | B/A {ratios[-1]:.3f}",
                flush=True,
            )
    print(
        f"B/A CPU: median {statistics.median(ratios):.3f} "
        f"(min {min(ratios):.3f}, max {max(ratios):.3f}, {len(ratios)} rounds)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
