"""The analysis leaves no reference cycles behind.

``analyse_bytes`` pauses Python's cyclic garbage collector while it works (see
``parsing.cycle_collector_paused``): that is only safe if everything it creates is freed
by reference counting. A cycle through a syntax tree would keep the whole tree alive
until a full collection, which is what made large builds spend more time collecting
than analysing.
"""

from __future__ import annotations

import ast
import gc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sphinx_testdocs.analysis.analyse import AnalysisContext, analyse_bytes
from sphinx_testdocs.analysis.collection import ModuleLinks, collect_module
from sphinx_testdocs.analysis.modules import SourceLibrary
from sphinx_testdocs.analysis.pytest_config import PytestConfig

TESTS = Path(__file__).parents[1]
CORPUS = TESTS.parents[1] / "shared" / "corpora" / "pytorch-seeds"

#: Classes deriving from classes in the same module (every class's MRO holds itself),
#: marks, fixtures, parametrization, and a file that only recovery can read.
SOURCES = {
    "test_inherit.py": b"""
import unittest
import pytest

pytestmark = pytest.mark.slow

@pytest.fixture(params=[1, 2])
def n(request):
    return request.param

class Base(unittest.TestCase):
    def test_base(self):
        pass

class TestChild(Base):
    @unittest.skip("no")
    def test_child(self):
        pass

class TestPlain:
    class TestNested:
        @pytest.mark.parametrize("x", [1, 2, 3])
        def test_nested(self, x, n):
            pass
""",
    "test_broken.py": b"class TestBroken:\n    def test_a(self):\n        pass\n    def (:\n",
    "conftest.py": b"import pytest\n\n@pytest.fixture\ndef db():\n    yield 1\n",
}


@pytest.fixture
def cyclic_garbage() -> Iterator[Callable[[], set[str]]]:
    """A function giving the types of what became cyclic garbage since the test began."""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)

    def collect() -> set[str]:
        gc.collect()
        return {type(o).__name__ for o in gc.garbage}

    try:
        yield collect
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


def _files() -> list[tuple[str, bytes]]:
    files = list(SOURCES.items())
    files += [(p.name, p.read_bytes()) for p in sorted(TESTS.rglob("*.py"))]
    files += [(p.name, p.read_bytes()) for p in sorted(CORPUS.rglob("*.py"))[:8]]
    return files


def test_analysing_files_creates_no_cycles(cyclic_garbage: Callable[[], set[str]]) -> None:
    results = [
        analyse_bytes(data, relpath=name, context=AnalysisContext()) for name, data in _files()
    ]
    assert any(r.collection and r.collection.tests for r in results)
    assert any(r.status.value == "partial" for r in results)
    del results
    assert cyclic_garbage() == set()


def test_following_imported_bases_creates_no_cycles(
    cyclic_garbage: Callable[[], set[str]], tmp_path: Path
) -> None:
    (tmp_path / "common.py").write_text(
        "class Shared:\n    def test_shared(self):\n        pass\n", encoding="utf-8"
    )
    text = "from common import Shared\nclass TestIt(Shared):\n    pass\n"
    target = tmp_path / "test_it.py"
    target.write_text(text, encoding="utf-8")
    links = ModuleLinks(SourceLibrary(project_root=tmp_path))
    collection = collect_module(
        ast.parse(text),
        source=text,
        filename="test_it.py",
        nodeid_path="test_it.py",
        relpath="test_it.py",
        config=PytestConfig(),
        visible_fixtures={},
        links=links,
        path=target,
    )
    assert [t.name for t in collection.tests] == ["test_shared"]
    del collection
    # The contexts of other modules live for the build; releasing them frees all.
    links.release()
    links.library.forget()
    assert cyclic_garbage() == set()
