"""Benchmark: Pygments' PythonLexer versus sphinx-testdocs' FastPythonLexer.

Usage::

    python benchmarks/lexer.py [--numpy DIR] [--pytorch DIR] [--repeat N]

For each corpus (NumPy's installed test files, ``numpy/**/tests/**/*.py``, and the PyTorch
seed corpus) it reports the CPU time (best of N runs) of

tokens
    ``lexer.get_tokens(text)`` consumed to the end, for every file;
html
    ``pygments.highlight`` with ``HtmlFormatter(linenos="inline", lineanchors="L",
    anchorlinenos=True)``, the options Sphinx passes for a module page's source;

for both lexers, the number of files FastPythonLexer handed to PythonLexer, and the
parity: the share of characters whose CSS class (the class HtmlFormatter writes for the
token type) is the same under both lexers, over all characters and over the visible
(non-whitespace) ones, with the most frequent differences. Not a test.
"""

from __future__ import annotations

import argparse
import gc
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pygments import highlight
from pygments.formatters.html import HtmlFormatter, _get_ttype_class
from pygments.lexers.python import PythonLexer

from sphinx_testdocs.render.lexer import FastPythonLexer, fast_tokens

PYTORCH = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "pytorch-seeds" / "test"


def _default_numpy() -> Path | None:
    # The measurements in the issue used the NumPy of the interpreter running this script,
    # or of the pyenv 3.11 the project's workspace has.
    try:
        import numpy
    except ImportError:
        fallback = Path("/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/numpy")
        return fallback if fallback.is_dir() else None
    return Path(numpy.__file__).parent


def _texts(root: Path, pattern: str) -> list[str]:
    # Sorted so that runs compare the same sequence; newlines normalised as Sphinx does.
    paths = sorted(root.glob(pattern))
    return [p.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n") for p in paths]


def _best(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        begin = time.process_time()
        work()
        times.append(time.process_time() - begin)
    return min(times)


def _tokens(lexer: Any, texts: Iterable[str]) -> None:
    for text in texts:
        for _ in lexer.get_tokens(text):
            pass


def _html(lexer: Any, texts: Iterable[str]) -> None:
    formatter = HtmlFormatter(linenos="inline", lineanchors="L", anchorlinenos=True)
    for text in texts:
        highlight(text, lexer, formatter)


def _classes(tokens: Iterable[tuple[int, Any, str]], size: int) -> list[str | None]:
    per_char: list[str | None] = [None] * size
    for index, ttype, value in tokens:
        per_char[index : index + len(value)] = [_get_ttype_class(ttype)] * len(value)
    return per_char


def _parity(texts: list[str]) -> tuple[float, float, Counter[tuple[str, str]]]:
    same = total = visible = visible_same = 0
    differences: Counter[tuple[str, str]] = Counter()
    reference = PythonLexer()
    fast = FastPythonLexer()
    for text in texts:
        ours = _classes(fast.get_tokens_unprocessed(text), len(text))
        theirs = _classes(reference.get_tokens_unprocessed(text), len(text))
        for char, mine, expected in zip(text, ours, theirs, strict=True):
            total += 1
            same += mine == expected
            if not char.isspace():
                visible += 1
                visible_same += mine == expected
                if mine != expected:
                    differences[expected or "", mine or ""] += 1
    return same / max(total, 1), visible_same / max(visible, 1), differences


def run(name: str, texts: list[str], repeat: int) -> None:
    """Print the figures for one corpus."""
    size = sum(map(len, texts))
    fallbacks = sum(fast_tokens(text) is None for text in texts)
    print(f"== {name}: {len(texts)} files, {size / 1e6:.2f} M characters, {fallbacks} fallbacks")
    for label, work in (("tokens", _tokens), ("html", _html)):
        slow = _best(repeat, lambda work=work: work(PythonLexer(), texts))
        fast = _best(repeat, lambda work=work: work(FastPythonLexer(), texts))
        print(
            f"{label:>7}: PythonLexer {slow:6.2f} s  FastPythonLexer {fast:6.2f} s"
            f"  ({slow / fast:.1f}x)"
        )
    every, visible, differences = _parity(texts)
    print(f" parity: {every:.2%} of all characters, {visible:.2%} of visible ones")
    for (expected, mine), count in differences.most_common(8):
        print(f"         PythonLexer {expected or '-':>3} / ours {mine or '-':>3}: {count}")


def main() -> None:
    """Run the benchmark over the corpora that exist."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--numpy", type=Path, default=_default_numpy())
    parser.add_argument("--pytorch", type=Path, default=PYTORCH)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.numpy and args.numpy.is_dir():
        run("numpy tests", _texts(args.numpy, "**/tests/**/*.py"), args.repeat)
    if args.pytorch.is_dir():
        run("pytorch seeds", _texts(args.pytorch, "**/*.py"), args.repeat)


if __name__ == "__main__":
    main()
