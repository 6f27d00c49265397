"""What runs on import decides what pytest collects: shapes from scipy, sympy and
matplotlib, checked against the real pytest.

Each module below made the analysis claim, exactly, tests or cases pytest does not
collect. Now every exact claim is one pytest makes, and a module whose tests the
analysis cannot all see is not called complete.
"""

from __future__ import annotations

import importlib.machinery
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import pytest_collect, static_collection, write_tree

TREE = {
    "pytest.ini": "[pytest]\n",
    # Definitions under if/try run only if their block does (scipy test_linprog,
    # sympy parsing); decided conditions are read as pytest's import runs them.
    "test_conditions.py": """\
import sys
from typing import TYPE_CHECKING

HAVE = True
try:
    import no_such_module_xyz  # noqa: F401
except ImportError:
    HAVE = False

if HAVE:
    class TestOptional:
        def test_a(self):
            pass

if sys.platform == "no-such-platform":
    def test_platform():
        pass

if False:
    def test_never():
        pass

if TYPE_CHECKING:
    def test_typing_only():
        pass

if __name__ == "__main__":
    def test_main_only():
        pass

try:
    import no_such_module_xyz  # noqa: F401

    def test_after_failing_import():
        pass
except ImportError:
    pass

def test_always():
    pass
""",
    # The same class bound in a try body and its handler (scipy test_fblas).
    "test_rebound.py": """\
try:
    class TestX:
        def test_main(self):
            pass
except AttributeError:
    class TestX:
        def test_fallback(self):
            pass
""",
    # unittest.TestCase re-exported by another module (numpy.testing.TestCase).
    "reexport.py": "from unittest import TestCase\n",
    "test_reexported.py": """\
from reexport import TestCase


class TestThing(TestCase):
    def test_a(self):
        pass
""",
    # A class decorator that makes test classes in globals() (scipy test_kdtree).
    # A class body runs as the class is defined: names it makes in the module, or
    # methods it makes in the class, are collected by pytest.
    "test_class_body.py": """\
class Holder:
    globals()["test_made_in_a_class"] = lambda: None


class TestMade:
    for n in range(2):
        locals()[f"test_{n}"] = lambda self: None

    def test_written(self):
        pass


def test_plain():
    pass
""",
    "test_made_by_decorator.py": """\
def make_variants(kls):
    for suffix in ("A", "B"):
        globals()[kls.__name__[1:] + suffix] = type(kls.__name__[1:] + suffix, (kls,), {})
    return kls


@make_variants
class _TestThing:
    def test_a(self):
        pass
""",
    # A decorator whose wrapper is parametrized (matplotlib's image_comparison),
    # imported from another module.
    "formats.py": """\
import functools
import inspect

import pytest


def each_format(func):
    @pytest.mark.parametrize("ext", ["png", "pdf"])
    @functools.wraps(func)
    def wrapper(ext):
        return func()

    wrapper.__signature__ = inspect.signature(lambda ext: None)
    return wrapper
""",
    "test_formats.py": """\
from formats import each_format


@each_format
def test_plot():
    pass
""",
    # A table a helper changes on import (scipy test_qhull), an iterator read by two
    # parametrizes (scipy test_matching), an imported list extended here.
    "params.py": "CASES = [1, 2]\n",
    "test_values.py": """\
import itertools

import pytest

from params import CASES

CASES += [3]
DATA = {"a": 1, "b": 2}
PAIRS = itertools.product([-1, 1], "ab")


def _add(name):
    DATA[name] = 0


_add("c")


@pytest.mark.parametrize("name", sorted(DATA))
def test_table(name):
    pass


@pytest.mark.parametrize("a,b", PAIRS)
def test_first(a, b):
    pass


@pytest.mark.parametrize("a,b", PAIRS)
def test_second(a, b):
    pass


@pytest.mark.parametrize("x", CASES)
def test_extended(x):
    pass


@pytest.mark.parametrize("x", [1, 2])
def test_plain(x):
    pass
""",
    # What looks like a change and is not (pandas): a module's function named like a
    # list method, a list of the same name changed in another class.
    "consts.py": 'CODES = {"All": "ab"}\n\n\ndef sort(values):\n    return values\n',
    "test_lookalikes.py": """\
import pytest

import consts as cs

ORDER = cs.sort([2, 1])


@pytest.mark.parametrize("code", cs.CODES["All"])
def test_codes(code):
    pass


class TestLiteral:
    offset_cases = [1, 2]

    @pytest.mark.parametrize("case", offset_cases)
    def test_offset(self, case):
        pass


class TestBuilt:
    offset_cases = []
    offset_cases.append(3)

    @pytest.mark.parametrize("case", offset_cases)
    def test_offset(self, case):
        pass
""",
    # Python reads identifiers in NFKC form: this is a call of exec (the text search
    # that spares modules without the words must find it too).
    "test_unicode_exec.py": """\
\uff45\uff58\uff45\uff43("def test_made_by_exec():\\n    pass\\n")


def test_plain():
    pass
""",
    # The module's namespace handed to a helper that fills it (pyarrow's
    # inject_cpp_tests(globals())).
    "test_injected.py": """\
def inject(namespace):
    for name in ("test_a", "test_b"):
        def made():
            pass
        namespace[name] = made


inject(globals())


def test_plain():
    pass
""",
    # Tables others fill on import: through a second name, by subclasses, by another
    # module (astropy's TIME_FORMATS, xarray's BACKEND_ENTRYPOINTS).
    "registry.py": "REGISTRY = {}\n",
    "plugin.py": "from registry import REGISTRY\n\nREGISTRY['a'] = 1\n",
    "test_tables.py": """\
import pytest

import plugin  # noqa: F401
from registry import REGISTRY

FORMATS = {}
ALIASED = {"x": 1}
_second_name = ALIASED
_second_name["y"] = 2


class Base:
    def __init_subclass__(cls, **kwargs):
        FORMATS[cls.__name__] = cls


class A(Base):
    pass


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_registered(name):
    pass


@pytest.mark.parametrize("fmt", FORMATS)
def test_formats(fmt):
    pass


@pytest.mark.parametrize("key", ALIASED)
def test_aliased(key):
    pass
""",
}


def _modules(cwd: Path) -> dict[str, dict[str, Any]]:
    return {m["path"]: m for m in static_collection(cwd)}


def test_every_exact_claim_is_one_pytest_makes(tmp_path: Path) -> None:
    tree = write_tree(tmp_path / "shapes", TREE)
    real = pytest_collect(tree)
    assert real.returncode == 0, real.output
    cases = real.cases
    modules = _modules(tree)
    exact = {t["nodeid"]: t["cases"] for m in modules.values() for t in m["tests"] if t["exact"]}
    assert exact == {
        # The module is partly known; these tests are.
        "test_class_body.py::TestMade::test_written": 1,
        "test_class_body.py::test_plain": 1,
        "test_conditions.py::test_always": 1,
        "test_injected.py::test_plain": 1,  # the module is partly known, this test is
        "test_lookalikes.py::test_codes": 2,
        "test_lookalikes.py::TestLiteral::test_offset": 2,
        "test_reexported.py::TestThing::test_a": 1,
        "test_unicode_exec.py::test_plain": 1,  # partly known, this test is
        "test_values.py::test_plain": 2,
    }
    assert all(cases[nodeid] == count for nodeid, count in exact.items())
    # Decided conditions: what never runs under pytest is not listed at all.
    listed = {t["nodeid"] for m in modules.values() for t in m["tests"]}
    for never in ("test_never", "test_typing_only", "test_main_only"):
        assert f"test_conditions.py::{never}" not in listed
    # Where pytest finds tests the analysis cannot list, the module says so.
    assert not modules["test_rebound.py"]["complete"]
    assert not modules["test_made_by_decorator.py"]["complete"]
    assert not modules["test_injected.py"]["complete"]
    assert not modules["test_class_body.py"]["complete"]
    assert "creates names" in modules["test_class_body.py"]["notes"][0]
    assert cases["test_class_body.py::test_made_in_a_class"] == 1
    assert cases["test_class_body.py::TestMade::test_1"] == 1
    assert cases["test_injected.py::test_a"] == 1
    assert not modules["test_unicode_exec.py"]["complete"]
    assert cases["test_unicode_exec.py::test_made_by_exec"] == 1
    assert "creates names" in modules["test_made_by_decorator.py"]["notes"][0]
    doubts = {
        t["nodeid"]: t["doubt"] for m in modules.values() for t in m["tests"] if not t["exact"]
    }
    assert doubts["test_formats.py::test_plot"] == (
        "decorator each_format parametrizes what it wraps: its cases are not known"
    )
    assert doubts["test_conditions.py::test_after_failing_import"].startswith(
        "it is defined under the if/try at line 31"
    )


SOURCE = """\
H2 = A
A = [1]
A += [2]
B = {}
def f():
    global C, G
    B[k] = 1
    B[k] == 1
D.append(3)
E = 1
E == [1]
F.count(1)
KJ.append(1)
def g():
    nonlocal M
    xglobal N
P2 = oldP
"""


def test_a_mark_on_a_fixture_leaves_no_claim(tmp_path: Path) -> None:
    """pytest 9 refuses a module where a mark decorates a fixture (seaborn's
    test_base.py): none of its tests is collected, so none is claimed."""
    tree = write_tree(
        tmp_path / "marked",
        {
            "pytest.ini": "[pytest]\n",
            "test_marked.py": "import pytest\n\n\n@pytest.fixture(params=[1, 2])\n"
            '@pytest.mark.parametrize("x")\ndef value(request):\n    return request.param\n'
            "\n\ndef test_value(value):\n    pass\n\n\ndef test_other():\n    pass\n",
        },
    )
    real = pytest_collect(tree)
    assert real.ids == []
    assert "Marks cannot be applied to fixtures" in real.output
    module = _modules(tree)["test_marked.py"]
    assert not module["complete"]
    assert [t["exact"] for t in module["tests"]] == [False, False]


def test_tests_the_anyio_plugin_parametrizes_are_partly_known(tmp_path: Path) -> None:
    """anyio's plugin (on wherever anyio is installed) runs every coroutine test marked
    ``anyio`` once per backend it can import: its cases depend on that environment."""
    tree = write_tree(
        tmp_path / "anyio",
        {
            "pytest.ini": "[pytest]\n",
            "test_async.py": "import pytest\n\npytestmark = pytest.mark.anyio\n\n"
            "async def test_backend():\n    pass\n\ndef test_sync():\n    pass\n",
        },
    )
    tests = {t["nodeid"]: t for t in _modules(tree)["test_async.py"]["tests"]}
    assert tests["test_async.py::test_backend"]["doubt"] == (
        "the anyio plugin runs it once per available backend (asyncio, and trio where it "
        "is installed)"
    )
    assert tests["test_async.py::test_sync"]["exact"]


@pytest.mark.parametrize(
    "name", ["A", "B", "C", "D", "E", "F", "G", "H", "J", "KJ", "M", "N", "P"]
)
def test_one_name_is_changed_as_the_whole_set_says(name: str) -> None:
    from sphinx_testdocs.analysis._scope import mutated_names, mutates

    # A: also by H2 = A; a name is whole (J is not KJ, N is not declared by xglobal).
    assert mutated_names(SOURCE) == {"A", "B", "C", "D", "G", "KJ", "M", "oldP"}
    assert mutates(SOURCE, name) is (name in mutated_names(SOURCE))


STOPS = {
    "pytest.ini": "[pytest]\n",
    "test_skipped.py": (
        "import pytest\n\npytest.skip('not here', allow_module_level=True)\n\n\n"
        "def test_never():\n    pass\n"
    ),
    "test_missing.py": (
        "import pytest\n\npytest.importorskip('surely_not_installed_xyz')\n\n\n"
        "def test_never():\n    pass\n"
    ),
    "test_raising.py": "raise RuntimeError('at import')\n\n\ndef test_never():\n    pass\n",
    # fastapi's benchmarks: skipped unless an option is given.
    "test_argv.py": (
        "import sys\n\nimport pytest\n\nif '--codspeed' not in sys.argv:\n"
        "    pytest.skip('benchmarks', allow_module_level=True)\n\n\n"
        "def test_bench():\n    pass\n"
    ),
    # A conftest.py that stops when loaded: named or not, pytest collects nothing there.
    "gpu/conftest.py": "import pytest\n\npytest.importorskip('not_installed_xyz')\n",
    "gpu/test_g.py": "def test_g():\n    pass\n",
    # What never stops an import under pytest.
    "test_runs.py": (
        "import sys\n\nimport pytest\n\njson = pytest.importorskip('json')\n"
        "try:\n    import os\nexcept ImportError:\n"
        "    pytest.skip('no os', allow_module_level=True)\n\n\n"
        "def test_runs():\n    pass\n\n\n"
        "if __name__ == '__main__':\n    sys.exit(pytest.main([__file__]))\n"
    ),
}


def test_a_module_whose_import_stops_gives_no_claim(tmp_path: Path) -> None:
    tree = write_tree(tmp_path / "stops", STOPS)
    real = pytest_collect(tree, "-rsE")
    assert real.ids == ["test_runs.py::test_runs"], real.output
    modules = _modules(tree)
    # Modules every import stops are not collected: nothing of them is listed.
    assert set(modules) == {"test_argv.py", "test_runs.py"}
    (runs,) = modules["test_runs.py"]["tests"]
    assert runs["exact"] and modules["test_runs.py"]["complete"]
    (bench,) = modules["test_argv.py"]["tests"]
    assert not bench["exact"]
    assert bench["doubt"] == (
        "pytest.skip(...) at line 6 runs on import if the if/try/loop at line 5 lets it: "
        "pytest then skips the module and collects none of its tests"
    )


ITERATORS = {
    "test_product.py": (
        "import itertools\n\nimport pytest\n\n\n"
        "@pytest.mark.parametrize('a,b', itertools.product([1, 2], [3]))\n"
        "def test_pairs(a, b):\n    pass\n\n\ndef test_other():\n    pass\n"
    ),
    "test_generator.py": (
        "import pytest\n\n\ndef cases():\n    yield 1\n    yield 2\n\n\n"
        "PAIRS = zip([1, 2], [3, 4])\n\n\n"
        "@pytest.mark.parametrize('x', cases())\ndef test_gen(x):\n    pass\n"
    ),
    "test_lists.py": (
        "import itertools\n\nimport pytest\n\n\n"
        "@pytest.mark.parametrize('a,b', list(itertools.product([1, 2], [3])))\n"
        "def test_pairs(a, b):\n    pass\n"
    ),
}


@pytest.mark.parametrize(
    ("ini", "collected"),
    [
        # scikit-image's shape: the warning is an error, the module gives nothing.
        ("[pytest]\nfilterwarnings =\n    error\n", {"test_lists.py"}),
        # Only warned: every module is collected.
        (
            "[pytest]\nfilterwarnings =\n    error\n    ignore::DeprecationWarning\n",
            {"test_lists.py", "test_product.py", "test_generator.py"},
        ),
    ],
)
def test_parametrize_given_an_iterator_under_filterwarnings_error(
    tmp_path: Path, ini: str, collected: set[str]
) -> None:
    tree = write_tree(tmp_path / "iterators", {"pytest.ini": ini, **ITERATORS})
    real = pytest_collect(tree)
    assert {nodeid.split("::")[0] for nodeid in real.ids} == collected, real.output
    modules = _modules(tree)
    assert set(modules) == collected
    exact = {t["nodeid"]: t["cases"] for m in modules.values() for t in m["tests"] if t["exact"]}
    assert exact and all(real.cases[nodeid] == count for nodeid, count in exact.items())


def test_the_page_of_a_module_whose_import_stops_offers_no_node_id(
    tmp_path: Path, make_app: Any
) -> None:
    srcdir = write_tree(
        tmp_path / "site",
        {
            "conf.py": 'extensions = ["sphinx_testdocs"]\ntestdocs_dirs = ["stops"]\n'
            'exclude_patterns = ["stops", "_build"]\n',
            "index.rst": "Site\n====\n",
            **{f"stops/{name}": text for name, text in STOPS.items()},
        },
    )
    make_app("html", srcdir=srcdir).build()
    page = (srcdir / "_build/html/testdocs/stops/test_skipped.py.html").read_text()
    assert "collects nothing from this file: pytest.skip(...) at line 3, run on import" in page
    assert "Run as below, pytest collects none of its tests" in page
    assert "test_skipped.py::test_never" not in page  # no node ID to run
    gpu = (srcdir / "_build/html/testdocs/stops/gpu/test_g.py.html").read_text()
    assert "Run as below, pytest collects none of its tests: gpu/conftest.py stops" in gpu
    assert "gpu/test_g.py::test_g" not in gpu
    runs = (srcdir / "_build/html/testdocs/stops/test_runs.py.html").read_text()
    assert "test_runs.py::test_runs" in runs


def test_stops_reached_through_helpers_and_aliases(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path / "helpers",
        {
            "pytest.ini": "[pytest]\nfilterwarnings =\n    error\n",
            # scikit-image's skimage._shared.testing: pytest and its marks re-exported.
            "helpers.py": "import pytest\n\nparametrize = pytest.mark.parametrize\n",
            "test_helper_skip.py": (
                "import helpers\n\nhelpers.pytest.importorskip('surely_not_installed_xyz')\n"
                "\n\ndef test_never():\n    pass\n"
            ),
            "test_alias.py": (
                "import itertools\n\nfrom helpers import parametrize\n\n\n"
                "@parametrize('a,b', itertools.product([1], [2]))\n"
                "def test_pairs(a, b):\n    pass\n\n\ndef test_other():\n    pass\n"
            ),
            # A name read like a mark but bound to something else: not one.
            "other.py": "def parametrize(*args):\n    return lambda f: f\n",
            "test_unknown.py": (
                "import itertools\n\nfrom other import parametrize\n\n\n"
                "@parametrize('a,b', itertools.product([1], [2]))\n"
                "def test_unknown():\n    pass\n"
            ),
            "test_fine.py": "def test_fine():\n    pass\n",
        },
    )
    real = pytest_collect(tree, "-rsE")
    assert real.ids == ["test_fine.py::test_fine", "test_unknown.py::test_unknown"], real.output
    modules = _modules(tree)
    assert "test_helper_skip.py" not in modules  # not collected, as pytest
    # The alias made in another module is read as parametrize: refused, as pytest.
    assert "test_alias.py" not in modules
    assert modules["test_fine.py"]["tests"][0]["exact"]
    # Whether it parametrizes decides: no claim.
    assert not modules["test_unknown.py"]["tests"][0]["exact"]


def test_importorskip_of_a_compiled_module_found_here(tmp_path: Path) -> None:
    # PIL._webp: a compiled submodule has no source, but the module is found.
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    tree = write_tree(
        tmp_path / "compiled",
        {
            "pytest.ini": "[pytest]\n",
            "pkg/__init__.py": "",
            f"pkg/_ext{suffix}": "",
            "test_ext.py": (
                "import pytest\n\npytest.importorskip('pkg._ext')\n\n\ndef test_ext():\n    pass\n"
            ),
        },
    )
    (module,) = static_collection(tree)
    assert module["tests"][0]["exact"]


def test_a_conftest_whose_import_stops_leaves_its_folder_out(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path / "conftests",
        {
            "pytest.ini": "[pytest]\n",
            # tests/gpu/conftest.py: pytest.importorskip("cupy").
            "gpu/conftest.py": "import pytest\n\npytest.importorskip('not_installed_xyz')\n",
            "gpu/test_g.py": "def test_g():\n    pass\n",
            "maybe/conftest.py": (
                "import sys\n\nimport pytest\n\nif sys.platform == 'no-such-platform':\n"
                "    pytest.skip('not here', allow_module_level=True)\n"
            ),
            "maybe/test_m.py": "def test_m():\n    pass\n",
            # scikit-learn's check of its environment: where it fails, nothing runs.
            "checked/conftest.py": (
                "import sys\n\nif sys.version_info < (3, 0):\n    raise ImportError('too old')\n"
            ),
            "checked/test_k.py": "def test_k():\n    pass\n",
            "test_top.py": "def test_top():\n    pass\n",
        },
    )
    real = pytest_collect(tree, "-rsE")
    assert real.ids == [
        "checked/test_k.py::test_k",
        "maybe/test_m.py::test_m",
        "test_top.py::test_top",
    ], real.output
    modules = _modules(tree)
    assert "gpu/test_g.py" not in modules
    (maybe,) = modules["maybe/test_m.py"]["tests"]
    assert maybe["doubt"] == (
        "maybe/conftest.py: pytest.skip(...) at line 6 runs when pytest loads it if the "
        "if/try/loop at line 5 lets it: pytest then collects nothing below its folder"
    )
    assert modules["test_top.py"]["tests"][0]["exact"]
    assert modules["checked/test_k.py"]["tests"][0]["exact"]


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(
            {
                "sub/conftest.py": 'pytest_plugins = ["json"]\n',
                "sub/test_a.py": "def test_a():\n    pass\n",
                # A test* folder's conftest is loaded at start: there it is allowed.
                "tests_x/conftest.py": 'pytest_plugins = ["json"]\n',
                "tests_x/test_c.py": "def test_c():\n    pass\n",
                "test_b.py": "def test_b():\n    pass\n",
            },
            id="pytest_plugins-below-the-top-level",
        ),
        pytest.param(
            {
                "test_gen.py": "def test_gen():\n    yield 1\n\n\ndef test_other():\n    pass\n",
                # An async generator is no generator to pytest: collected.
                "test_agen.py": "async def test_agen():\n    yield 1\n",
                "test_plain.py": "def test_plain():\n    def inner():\n        yield 1\n",
                # The word alone (a comment) makes no generator; a method that yields
                # does, as does a yield further down in a file of bare carriage returns.
                "test_word.py": "def test_word():\n    pass  # yield\n",
                "test_method.py": "class TestM:\n    def test_m(self):\n        yield 1\n",
                "test_cr.py": "def test_cr():\r    x = (\r        yield\r    )\r",
            },
            id="a-generator-test",
        ),
    ],
)
def test_what_pytest_refuses_while_collecting(tmp_path: Path, files: dict[str, str]) -> None:
    tree = write_tree(tmp_path / "refused", {"pytest.ini": "[pytest]\n", **files})
    real = pytest_collect(tree)
    modules = _modules(tree)
    # Only what pytest lists is listed, each test exact.
    assert {i.split("::")[0] for i in real.ids} == set(modules), real.output
    exact = {t["nodeid"] for m in modules.values() for t in m["tests"] if t["exact"]}
    assert exact == set(real.ids)
