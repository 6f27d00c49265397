"""Fuzz the analysis: any bytes, and real test files mangled, always give a result."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sphinx_testdocs.analysis.analyse import AnalysisContext, analyse_bytes
from sphinx_testdocs.analysis.model import ModuleAnalysis, ParseStatus

SEEDS_DIR = Path(__file__).parents[3] / "shared" / "corpora" / "pytorch-seeds"
#: Used when the PyTorch seed files are not around (outside the project's workspace).
INLINE_SEEDS = (
    b'"""Seed."""\nimport pytest\n\n\n@pytest.fixture(params=[1, 2])\ndef n(request):\n'
    b"    return request.param\n\n\n@pytest.mark.parametrize('x', [1, 2, 3])\n"
    b"def test_x(x, n):\n    assert x * n\n",
    b"import unittest\n\n\nclass TestCase(unittest.TestCase):\n    @unittest.skip('no')\n"
    b"    def test_a(self):\n        self.assertEqual(1, 1)\n\n\n"
    b"if __name__ == '__main__':\n    unittest.main()\n",
    b"# -*- coding: latin-1 -*-\nclass TestCaf\xe9:\n    def test_\xe9(self):\n        pass\n",
)
#: Bytes that make tokenizers and decoders take unusual paths.
AWKWARD = (
    b"\x00",
    b"\r",
    b"\r\n",
    b"\x0c",
    b"\t",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\\",
    b'"""',
    b"(",
    b"[",
    b"# coding: latin-1\n",
    b"# coding: klingon\n",
    b"# coding: punycode\n",
    b"# coding: rot13\n",
    b"\n    ",
    b":",
)


@lru_cache(maxsize=1)
def seeds() -> tuple[bytes, ...]:
    """Small real test files: the PyTorch seeds (first 20 KB of each) or inline ones."""
    if SEEDS_DIR.is_dir():
        found = tuple(p.read_bytes()[:20_000] for p in sorted(SEEDS_DIR.rglob("*.py"))[:12])
        if found:
            return found
    return INLINE_SEEDS


@st.composite
def mutated_seed(draw: st.DrawFn) -> bytes:
    """A seed file with a few slices cut, duplicated, or replaced with awkward bytes."""
    data = bytearray(draw(st.sampled_from(seeds())))
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        start = draw(st.integers(0, len(data) - 1))
        end = min(len(data), start + draw(st.integers(0, 64)))
        action = draw(st.sampled_from(("cut", "copy", "awkward", "random")))
        if action == "cut":
            del data[start:end]
        elif action == "copy":
            data[start:start] = data[start:end]
        elif action == "awkward":
            data[start:start] = draw(st.sampled_from(AWKWARD))
        else:
            data[start:end] = draw(st.binary(max_size=16))
    return bytes(data)


def _check(result: ModuleAnalysis, data: bytes) -> None:
    assert isinstance(result, ModuleAnalysis)
    assert result.facts.size == len(data)
    if result.status is ParseStatus.OK:
        assert result.text is not None
        assert result.collection is not None
    else:
        # A page that cannot show structure says why.
        assert result.problems


FUZZ = settings(
    max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


@FUZZ
@given(data=st.binary(max_size=2048), name=st.sampled_from(("test_x.py", "conftest.py", "x.py")))
def test_arbitrary_bytes_always_give_a_result(data: bytes, name: str) -> None:
    _check(analyse_bytes(data, relpath=name, context=AnalysisContext()), data)


@FUZZ
@given(data=mutated_seed())
def test_mutated_test_files_always_give_a_result(data: bytes) -> None:
    _check(analyse_bytes(data, relpath="test_seed.py", context=AnalysisContext()), data)
