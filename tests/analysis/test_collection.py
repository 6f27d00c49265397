"""Static pytest collection: one small inline source per rule, no pytest run."""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

import pytest

from sphinx_testdocs.analysis.addopts import parse_addopts
from sphinx_testdocs.analysis.collection import collect_module, conftest_fixtures
from sphinx_testdocs.analysis.generate_hook import Reach
from sphinx_testdocs.analysis.model import CollectedTest, FixtureDef, ModuleCollection
from sphinx_testdocs.analysis.plugins import shuffling_plugin
from sphinx_testdocs.analysis.pytest_config import PytestConfig


def run(
    source: str,
    *,
    filename: str = "test_mod.py",
    config: PytestConfig | None = None,
    visible: Mapping[str, FixtureDef] | None = None,
    outer_generate_tests: Reach = (),
) -> ModuleCollection:
    text = textwrap.dedent(source)
    return collect_module(
        ast.parse(text),
        source=text,
        filename=filename,
        nodeid_path=f"pkg/{filename}",
        relpath=f"pkg/{filename}",
        config=config or PytestConfig(),
        visible_fixtures=visible or {},
        outer_generate_tests=outer_generate_tests,
    )


def collected(source: str, **kwargs: object) -> dict[str, CollectedTest]:
    """Collected tests keyed by node id without the path (``Class::test``)."""
    collection = run(source, **kwargs)  # type: ignore[arg-type]
    return {t.nodeid.split("::", 1)[1]: t for t in collection.tests}


# --- which files and functions ------------------------------------------------------


def test_helper_module_is_not_a_test_module() -> None:
    collection = run("def test_looks_like_a_test(): pass\n", filename="helpers.py")
    assert not collection.is_test_module
    assert collection.tests == ()
    assert "python_files" in collection.reason


def test_suffix_pattern_and_custom_python_files() -> None:
    assert run("def test_a(): pass\n", filename="thing_test.py").is_test_module
    config = PytestConfig(python_files=("check_*.py",))
    assert run("def test_a(): pass\n", filename="check_x.py", config=config).is_test_module
    assert not run("def test_a(): pass\n", filename="test_x.py", config=config).is_test_module


def test_path_patterns_in_python_files_match_the_whole_path() -> None:
    """``testing/python/*.py`` names a folder: pytest matches it against the full path."""
    config = PytestConfig(python_files=("test_*.py", "testing/python/*.py"))
    source = textwrap.dedent("def test_a(): pass\n")
    tree = ast.parse(source)

    def collect(path: str) -> ModuleCollection:
        name = PurePosixPath(path).name
        return collect_module(
            tree,
            source=source,
            filename=name,
            nodeid_path=name,
            relpath=name,
            config=config,
            visible_fixtures={},
            path=Path(path),
        )

    inside = collect("/repo/testing/python/fixtures.py")
    assert inside.is_test_module
    assert [t.name for t in inside.tests] == ["test_a"]
    assert inside.reason.startswith("The file path matches python_files (testing/python/*.py)")
    outside = collect("/repo/testing/other/fixtures.py")
    assert not outside.is_test_module
    assert "testing/python/*.py" in outside.reason
    # Without its path, a file can only match the patterns that name no folder.
    assert not run("def test_a(): pass\n", filename="fixtures.py", config=config).is_test_module


def test_conftest_is_not_a_test_module_but_has_fixtures() -> None:
    collection = run(
        """
        import pytest
        @pytest.fixture
        def db(): return 1
        def test_not_collected(): pass
        """,
        filename="conftest.py",
    )
    assert not collection.is_test_module
    assert [f.name for f in collection.fixtures] == ["db"]
    assert collection.tests == ()


def test_functions_by_prefix_and_glob() -> None:
    source = """
        def test_a(): pass
        def testb(): pass
        def check_c(): pass
        def helper(): pass
        async def test_async(): pass
        """
    assert set(collected(source)) == {"test_a", "testb", "test_async"}
    assert collected(source)["test_async"].is_async
    config = PytestConfig(python_functions=("*_c", "testb"))
    assert set(collected(source, config=config)) == {"testb", "check_c"}


def test_module_dunder_test_false_collects_nothing() -> None:
    collection = run("__test__ = False\ndef test_a(): pass\n")
    assert collection.is_test_module
    assert collection.tests == ()
    assert "__test__" in collection.reason


def test_function_dunder_test_attribute() -> None:
    found = collected(
        """
        def test_off(): pass
        test_off.__test__ = False
        def not_named_like_a_test(): pass
        not_named_like_a_test.__test__ = True
        """
    )
    assert set(found) == {"not_named_like_a_test"}


def test_redefinition_keeps_first_position_and_del_removes() -> None:
    collection = run(
        """
        def test_a(): pass
        def test_b(): pass
        def test_a(x=1):
            '''second'''
        def test_gone(): pass
        del test_gone
        """
    )
    assert [t.name for t in collection.tests] == ["test_a", "test_b"]
    assert collection.tests[0].docstring_summary == "second"


def test_fixture_named_like_a_test_is_not_a_test() -> None:
    assert collected("import pytest\n@pytest.fixture\ndef test_data(): return 1\n") == {}


def test_aliases_and_values() -> None:
    found = collected(
        """
        def _impl(tmp_path): pass
        test_alias = _impl
        test_lambda = lambda: None
        test_data = [1, 2]
        """
    )
    assert set(found) == {"test_alias", "test_lambda"}
    assert [f.name for f in found["test_alias"].fixtures] == ["tmp_path"]


def test_conditional_definitions_are_seen() -> None:
    found = collected(
        """
        import sys
        if sys.platform == "win32":
            def test_win(): pass
        else:
            def test_posix(): pass
        try:
            def test_in_try(): pass
        except ImportError:
            pass
        """
    )
    assert set(found) == {"test_win", "test_posix", "test_in_try"}


# --- classes ------------------------------------------------------------------------


def test_classes_init_new_and_names() -> None:
    found = collected(
        """
        class TestA:
            def test_m(self): pass
            def helper(self): pass
        class TestWithInit:
            def __init__(self): pass
            def test_m(self): pass
        class TestWithNew:
            def __new__(cls): pass
            def test_m(self): pass
        class Helper:
            def test_m(self): pass
        class Marked:
            __test__ = True
            def test_m(self): pass
        class TestOff:
            __test__ = False
            def test_m(self): pass
        """
    )
    assert set(found) == {"TestA::test_m", "Marked::test_m"}


def test_class_docstring_style_and_nested_classes() -> None:
    collection = run(
        '''
        class TestOuter:
            """Outer class.

            Details."""
            class TestInner:
                class TestDeepest:
                    def test_x(self):
                        """  Deep test.  """
            class NotATest:
                def test_y(self): pass
        '''
    )
    assert [t.nodeid for t in collection.tests] == [
        "pkg/test_mod.py::TestOuter::TestInner::TestDeepest::test_x"
    ]
    test = collection.tests[0]
    assert test.class_path == ("TestOuter", "TestInner", "TestDeepest")
    assert test.docstring_summary == "Deep test."
    outer = collection.classes[0]
    assert (outer.name, outer.style, outer.docstring_summary) == (
        "TestOuter",
        "pytest",
        "Outer class.",
    )


def test_inherited_methods_use_subclass_and_base_order() -> None:
    collection = run(
        """
        class Base:
            def test_base(self): pass
            def test_over(self): pass
        class TestChild(Base):
            def test_over(self): pass
            def test_child(self): pass
        class TestBaseInit:
            def __init__(self): pass
        class TestInitInherited(TestBaseInit):
            def test_z(self): pass
        """
    )
    assert [t.nodeid.split("::", 1)[1] for t in collection.tests] == [
        "TestChild::test_base",
        "TestChild::test_over",
        "TestChild::test_child",
    ]
    assert collection.tests[0].inherited_from == "Base"
    assert collection.tests[1].inherited_from is None


def test_class_with_base_defined_elsewhere_is_flagged() -> None:
    collection = run("from mixins import Mixin\nclass TestX(Mixin):\n    def test_a(self): pass\n")
    assert [t.name for t in collection.tests] == ["test_a"]
    assert not collection.complete
    assert "Mixin" in collection.notes[0]


def test_abstract_classes_are_skipped() -> None:
    found = collected(
        """
        import abc
        class TestAbstract(abc.ABC):
            @abc.abstractmethod
            def make(self): ...
            def test_a(self): pass
        class TestConcrete(TestAbstract):
            def make(self): return 1
        """
    )
    assert set(found) == {"TestConcrete::test_a"}


def test_unittest_classes() -> None:
    collection = run(
        """
        import unittest as ut
        from unittest import TestCase
        from django.test import SimpleTestCase

        class Mixin(ut.TestCase):
            def test_z(self): pass
        class AnyName(Mixin):
            def helper_test(self): pass
            def test_b(self): pass
            def test_a(self, fixture_like_arg): pass
        class Other(TestCase):
            def runTest(self): pass
        class Imported(SimpleTestCase):
            def test_x(self): pass
        class TestNoInitCheck(TestCase):
            def __init__(self, name): super().__init__(name)
            def test_y(self): pass
        """
    )
    ids = [t.nodeid.split("::", 1)[1] for t in collection.tests]
    assert ids == [
        "Mixin::test_z",
        "AnyName::test_a",
        "AnyName::test_b",
        "AnyName::test_z",
        "Other::runTest",
        "Imported::test_x",
        "TestNoInitCheck::test_y",
    ]
    styles = {c.name: c.style for c in collection.classes}
    assert styles["AnyName"] == "unittest"
    test_a = collection.tests[1]
    assert test_a.fixtures == ()  # unittest methods take no fixtures from arguments


def test_unittest_ignores_python_functions_and_parametrize() -> None:
    config = PytestConfig(python_functions=("check",))
    found = collected(
        """
        import unittest, pytest
        class T(unittest.TestCase):
            @pytest.mark.parametrize("x", [1, 2])
            def test_a(self): pass
            def check_b(self): pass
        class TestPy:
            def check_c(self): pass
            def test_d(self): pass
        """,
        config=config,
    )
    assert set(found) == {"T::test_a", "TestPy::check_c"}
    assert found["T::test_a"].cases == 1 and found["T::test_a"].exact


# --- markers ------------------------------------------------------------------------


def test_marker_spellings_and_args_source() -> None:
    found = collected(
        """
        import pytest as pt
        from pytest import mark
        slow = pt.mark.slow
        @pt.mark.skipif(sys.version_info < (3, 11),
                        reason="old")
        @mark.custom
        @slow
        def test_a(): pass
        """
    )
    markers = found["test_a"].markers
    assert [m.name for m in markers] == ["slow", "custom", "skipif"]
    assert markers[2].args == 'sys.version_info < (3, 11),\n                reason="old"'
    assert markers[1].args == ""
    assert markers[2].origin == "decorator"
    assert markers[2].line == 5


def test_class_and_module_marks_are_inherited() -> None:
    found = collected(
        """
        import pytest
        pytestmark = [pytest.mark.net, pytest.mark.filterwarnings("ignore")]
        class Base:
            pytestmark = pytest.mark.basemark
        @pytest.mark.cls
        class TestA(Base):
            @pytest.mark.fn
            def test_m(self): pass
        """
    )
    marks = [(m.name, m.origin) for m in found["TestA::test_m"].markers]
    assert marks == [
        ("fn", "decorator"),
        ("basemark", "class"),
        ("cls", "class"),
        ("net", "module"),
        ("filterwarnings", "module"),
    ]


def test_single_module_pytestmark_and_module_markers() -> None:
    collection = run("import pytest\npytestmark = pytest.mark.slow\ndef test_a(): pass\n")
    assert [m.name for m in collection.module_markers] == ["slow"]
    assert collection.tests[0].markers[0].origin == "module"


def test_unittest_decorators_become_markers() -> None:
    found = collected(
        """
        import unittest
        from unittest import skipIf
        @unittest.skip("not now")
        class T(unittest.TestCase):
            @skipIf(True, "why")
            def test_a(self): pass
            @unittest.expectedFailure
            def test_b(self): pass
        """
    )
    # Named as written, not as pytest marks: ``-m skipif`` would not select them.
    markers = found["T::test_a"].markers
    assert [(m.name, m.args, m.origin, m.framework, m.effect) for m in markers] == [
        ("skipIf", 'True, "why"', "decorator", "unittest", "skip"),
        ("skip", '"not now"', "class", "unittest", "skip"),
    ]
    (xfail, _skip) = found["T::test_b"].markers
    assert (xfail.name, xfail.effect) == ("expectedFailure", "xfail")


def test_declared_flag() -> None:
    source = (
        "import pytest\n@pytest.mark.slow\n@pytest.mark.typo\n@pytest.mark.skip\n"
        "def test_a(): pass\n"
    )
    undeclared = {m.name: m.declared for m in collected(source)["test_a"].markers}
    assert undeclared == {"skip": True, "typo": None, "slow": None}
    config = PytestConfig(markers=("slow",), declares_markers=True)
    declared = {m.name: m.declared for m in collected(source, config=config)["test_a"].markers}
    assert declared == {"skip": True, "typo": False, "slow": True}


def test_param_marks_are_recorded() -> None:
    found = collected(
        """
        import pytest
        @pytest.mark.parametrize("x", [1, pytest.param(2, marks=pytest.mark.xfail(reason="r"))])
        def test_a(x): pass
        """
    )
    param_marks = [m for m in found["test_a"].markers if m.origin == "param"]
    assert [(m.name, m.args) for m in param_marks] == [("xfail", 'reason="r"')]


# --- parametrize --------------------------------------------------------------------


def one(source: str, **kwargs: object) -> CollectedTest:
    found = collected(source, **kwargs)
    assert len(found) == 1
    return next(iter(found.values()))


P = "import pytest\n"


def test_parametrize_literal_list_and_ids() -> None:
    test = one(
        P + '@pytest.mark.parametrize("x", [1, -2, 2.5, "s", None, True])\ndef test_a(x): pass\n'
    )
    assert test.cases == 6 and test.exact
    assert test.case_ids == ("1", "-2", "2.5", "s", "None", "True")
    assert test.parametrizations[0].argnames == ("x",)


def test_parametrize_multiple_names_and_params() -> None:
    test = one(
        P
        + '@pytest.mark.parametrize(("a", "b"), [(1, 2), pytest.param(3, 4, id="three")])\n'
        + "def test_a(a, b): pass\n"
    )
    assert test.case_ids == ("1-2", "three")
    test = one(P + '@pytest.mark.parametrize("a, b", [[1, "x"]])\ndef test_a(a, b): pass\n')
    assert test.case_ids == ("1-x",)


def test_stacked_parametrize_multiplies_bottom_first() -> None:
    test = one(
        P
        + '@pytest.mark.parametrize("x", [0, 1])\n'
        + '@pytest.mark.parametrize("y", [2, 3])\n'
        + "def test_a(x, y): pass\n"
    )
    assert test.cases == 4
    assert test.case_ids == ("2-0", "2-1", "3-0", "3-1")


def test_class_parametrize_applies_to_every_method() -> None:
    found = collected(
        P
        + '@pytest.mark.parametrize("k", range(3))\n'
        + "class TestA:\n"
        + "    def test_a(self, k): pass\n"
        + '    @pytest.mark.parametrize("j", ["p", "q"])\n'
        + "    def test_b(self, k, j): pass\n"
    )
    assert found["TestA::test_a"].case_ids == ("0", "1", "2")
    assert found["TestA::test_b"].cases == 6
    assert found["TestA::test_b"].case_ids == ("p-0", "p-1", "p-2", "q-0", "q-1", "q-2")


def test_iterables_pytest_would_iterate() -> None:
    def count(expr: str) -> tuple[int | None, tuple[str, ...] | None]:
        test = one(P + f'@pytest.mark.parametrize("x", {expr})\ndef test_a(x): pass\n')
        return test.cases, test.case_ids

    assert count("range(2, 8, 2)") == (3, ("2", "4", "6"))
    assert count('"abc"') == (3, ("a", "b", "c"))
    assert count('b"ab"') == (2, ("97", "98"))
    assert count('{"k": 1, "j": 2}') == (2, ("k", "j"))
    assert count("{1, 2, 1}") == (2, ("1", "2"))
    assert count('{"a", "b"}') == (2, None)  # order depends on hash seed
    assert count("[]") == (1, ("NOTSET",))
    assert count("[1] * 3") == (3, ("1_0", "1_1", "1_2"))
    assert count("[1, 2] + [3]") == (3, ("1", "2", "3"))
    assert count("[(i, j) for i in range(3) for j in 'ab']")[0] == 6
    assert count("itertools.product([1, 2], 'abc')")[0] == 6
    assert count("[*range(2), 5]") == (3, ("0", "1", "5"))


def test_unknowable_counts_are_none() -> None:
    for expr in ("get_cases()", "np.arange(3)", "[x for x in y if x]", "CASES", "[*other]"):
        test = one(P + f'@pytest.mark.parametrize("x", {expr})\ndef test_a(x): pass\n')
        assert test.cases is None, expr
        assert not test.exact
        assert test.parametrizations[0].expression == expr


def test_module_and_class_constants_are_followed() -> None:
    found = collected(
        P
        + "CASES = [1, 2, 3]\n"
        + "CHANGED = [1]\nCHANGED.append(2)\n"
        + "class TestA:\n"
        + "    LOCAL = ('a', 'b')\n"
        + '    @pytest.mark.parametrize("x", CASES)\n'
        + "    def test_a(self, x): pass\n"
        + '    @pytest.mark.parametrize("x", LOCAL)\n'
        + "    def test_b(self, x): pass\n"
        + '    @pytest.mark.parametrize("x", CHANGED)\n'
        + "    def test_c(self, x): pass\n"
    )
    assert found["TestA::test_a"].cases == 3
    assert found["TestA::test_b"].case_ids == ("a", "b")
    assert found["TestA::test_c"].cases is None


def test_ids_argument_and_fallbacks() -> None:
    test = one(
        P + '@pytest.mark.parametrize("x", [1, 2, 3], ids=["one", None, 3])\ndef test_a(x): pass\n'
    )
    assert test.case_ids == ("one", "2", "3")
    test = one(P + '@pytest.mark.parametrize("x", [1, 2], ids=str)\ndef test_a(x): pass\n')
    assert test.cases == 2 and test.case_ids is None
    test = one(
        P + '@pytest.mark.parametrize("x", [(1,), {}, ..., "é", "a\\n"])\ndef test_a(x): pass\n'
    )
    assert test.case_ids == ("x0", "x1", "x2", "\\xe9", "a\\n")
    test = one(P + '@pytest.mark.parametrize("x", [obj, 1])\ndef test_a(x): pass\n')
    assert test.cases == 2 and test.case_ids is None


def test_duplicate_ids_are_suffixed_unless_strict() -> None:
    source = P + '@pytest.mark.parametrize("x", [1, 1, "a", "a"])\ndef test_a(x): pass\n'
    assert one(source).case_ids == ("1_0", "1_1", "a0", "a1")
    assert one(source, config=PytestConfig(strict=True)).case_ids is None


def test_long_strings_fall_back_to_argname() -> None:
    long = "y" * 101
    test = one(P + f'@pytest.mark.parametrize("x", ["{long}"])\ndef test_a(x): pass\n')
    assert test.case_ids == ("x0",)


def test_parametrize_with_keywords_and_unreadable_names() -> None:
    test = one(
        P + '@pytest.mark.parametrize(argnames="x", argvalues=[1, 2])\ndef test_a(x): pass\n'
    )
    assert test.cases == 2
    test = one(P + "@pytest.mark.parametrize(NAMES, [1, 2])\ndef test_a(x): pass\n")
    assert test.cases is None and not test.exact


def test_generate_tests_hook_makes_counts_unknowable() -> None:
    collection = run(
        "def pytest_generate_tests(metafunc):\n    metafunc.parametrize('x', X)\n"
        "def test_a(x): pass\n"
    )
    assert collection.tests[0].cases is None
    collection = run("def test_a(): pass\n", outer_generate_tests=None)
    assert collection.tests[0].cases is None
    # A hook that touches only tests needing a fixture leaves the others exact.
    collection = run("def test_a(): pass\ndef test_b(x): pass\n", outer_generate_tests=("x",))
    assert [t.exact for t in collection.tests] == [True, False]
    # A hook that does nothing with metafunc touches no test.
    collection = run("def pytest_generate_tests(metafunc): pass\ndef test_a(): pass\n")
    assert collection.tests[0].exact


# --- fixtures -----------------------------------------------------------------------


def test_fixture_definitions() -> None:
    collection = run(
        '''
        import pytest
        from pytest import fixture

        @pytest.fixture(scope="module", autouse=True, name="renamed")
        def _impl(tmp_path):
            """Set things up.

            Long text."""
            yield 1

        @fixture
        def plain():
            return 2

        @fixture(params=[1, 2], ids=["a", "b"])
        def numbers(request, plain):
            return request.param
        '''
    )
    renamed, plain, numbers = collection.fixtures
    assert (renamed.name, renamed.function, renamed.scope, renamed.autouse) == (
        "renamed",
        "_impl",
        "module",
        True,
    )
    assert renamed.yields and not plain.yields
    assert renamed.docstring_summary == "Set things up."
    assert renamed.relpath == "pkg/test_mod.py"
    assert renamed.requests == ("tmp_path",)
    assert numbers.params is not None
    assert (numbers.params.cases, numbers.params.ids) == (2, ("a", "b"))
    assert numbers.requests == ("request", "plain")


def test_fixture_requests_and_resolution_order() -> None:
    visible = conftest_fixtures(
        [
            (
                FixtureDef("db", "db", "conftest.py", 1),
                FixtureDef("shared", "shared", "conftest.py", 2),
            ),
            (FixtureDef("db", "db", "sub/conftest.py", 1),),
        ]
    )
    assert visible["db"].relpath == "sub/conftest.py"
    found = collected(
        """
        import pytest
        @pytest.fixture
        def shared(): pass
        class TestA:
            @pytest.fixture
            def shared(self): pass
            @pytest.mark.parametrize("x", [1])
            def test_a(self, x, shared, db, tmp_path, mystery, opt=3): pass
        def test_b(shared): pass
        """,
        visible=visible,
    )
    requests = {r.name: r.resolved for r in found["TestA::test_a"].fixtures}
    assert list(requests) == ["shared", "db", "tmp_path", "mystery"]
    assert requests["shared"] is not None and requests["shared"].function == "TestA.shared"
    assert requests["db"] is not None and requests["db"].relpath == "sub/conftest.py"
    assert requests["tmp_path"] is not None and requests["tmp_path"].builtin
    assert requests["mystery"] is None
    assert not found["TestA::test_a"].exact  # an unresolved fixture may bring params
    shared_b = found["test_b"].fixtures[0].resolved
    assert shared_b is not None and shared_b.function == "shared"


def test_usefixtures_autouse_and_config_usefixtures() -> None:
    found = collected(
        """
        import pytest
        @pytest.fixture(autouse=True)
        def auto(): pass
        @pytest.mark.usefixtures("clean", "auto")
        def test_a(tmp_path): pass
        """,
        config=PytestConfig(usefixtures=("from_config",)),
        visible={"clean": FixtureDef("clean", "clean", "conftest.py", 3)},
    )
    assert [r.name for r in found["test_a"].fixtures] == [
        "auto",
        "from_config",
        "clean",
        "tmp_path",
    ]


def test_fixture_params_multiply_transitively() -> None:
    found = collected(
        """
        import pytest
        @pytest.fixture(params=["a", "b"])
        def letters(request): return request.param
        @pytest.fixture(params=[0, 1, 2])
        def numbers(request, letters): return request.param
        @pytest.fixture
        def uses(numbers): pass
        def test_a(uses): pass
        @pytest.mark.parametrize("letters", ["z"])
        def test_shadowed(numbers): pass
        @pytest.mark.parametrize("numbers", [5], indirect=True)
        def test_indirect(numbers): pass
        def test_conftest(remote): pass
        """,
        visible={
            "remote": FixtureDef(
                "remote",
                "remote",
                "conftest.py",
                1,
                params=__import__(
                    "sphinx_testdocs.analysis.model", fromlist=["x"]
                ).Parametrization(("remote",), 1, 4),
            )
        },
    )
    assert found["test_a"].cases == 6
    assert found["test_a"].case_ids == ("0-a", "0-b", "1-a", "1-b", "2-a", "2-b")
    assert found["test_shadowed"].cases == 3
    assert found["test_indirect"].cases == 2  # numbers' own params replaced, letters kept
    assert found["test_conftest"].cases == 4 and found["test_conftest"].case_ids is None


def test_overriding_fixture_requesting_itself() -> None:
    found = collected(
        """
        import pytest
        @pytest.fixture
        def base(base): return base
        def test_a(base): pass
        """,
        visible={
            "base": FixtureDef(
                "base",
                "base",
                "conftest.py",
                1,
                params=__import__(
                    "sphinx_testdocs.analysis.model", fromlist=["x"]
                ).Parametrization(("base",), 1, 3),
            )
        },
    )
    assert found["test_a"].cases == 3


def test_mock_patch_and_given_hide_arguments() -> None:
    found = collected(
        """
        from unittest import mock
        from hypothesis import given, strategies as st
        @mock.patch("os.getcwd")
        @mock.patch("os.listdir", new=list)
        def test_patched(getcwd, tmp_path): pass
        @given(n=st.integers())
        def test_given(n, tmp_path): pass
        """
    )
    assert [r.name for r in found["test_patched"].fixtures] == ["tmp_path"]
    assert [r.name for r in found["test_given"].fixtures] == ["tmp_path"]
    assert found["test_given"].exact


def test_staticmethod_keeps_first_argument() -> None:
    found = collected(
        """
        class TestA:
            @staticmethod
            def test_s(tmp_path): pass
            @classmethod
            def test_c(cls, capsys): pass
        """
    )
    assert [r.name for r in found["TestA::test_s"].fixtures] == ["tmp_path"]
    assert [r.name for r in found["TestA::test_c"].fixtures] == ["capsys"]


# --- robustness ---------------------------------------------------------------------


def test_star_imports_and_imported_tests_are_flagged() -> None:
    collection = run("from helpers import *\nfrom other import test_shared\n")
    assert not collection.complete
    assert len(collection.notes) == 2


def test_deep_nesting_does_not_raise() -> None:
    depth = 60
    lines = [f"{'    ' * i}class Test{i}:" for i in range(depth)]
    lines.append(f"{'    ' * depth}def test_x(self): pass")
    collection = run("\n".join(lines) + "\n")
    assert collection.tests == ()  # deeper than followed; said so
    assert not collection.complete

    deep_expr = "[" * 90 + "]" * 90
    collection = run(
        f'import pytest\n@pytest.mark.parametrize("x", {deep_expr})\ndef test_a(x): pass\n'
    )
    assert len(collection.tests) == 1


def test_every_statement_kind_is_tolerated() -> None:
    collection = run(
        """
        import pytest
        x: int
        (a, b) = 1, 2
        a[0] = 1
        for i in range(3):
            def test_in_loop(): pass
        while False:
            pass
        match a:
            case 1:
                pass
        with open("f") as fh:
            def test_in_with(): pass
        @pytest.mark.parametrize(*args)
        def test_star(): pass
        @pytest.mark.parametrize("x", [1], **kw)
        def test_kw(x): pass
        """
    )
    names = {t.name: t for t in collection.tests}
    assert "test_in_with" in names
    assert names["test_star"].cases is None
    assert names["test_kw"].cases is None


def test_dynamic_creation_is_flagged() -> None:
    collection = run("for n in range(3):\n    globals()[f'test_{n}'] = lambda: None\n")
    assert not collection.complete
    assert collection.notes == (
        "code run on import creates names no statement shows (line 1): pytest may "
        "collect tests made there",
    )
    for source in (
        "if True:\n    for a in [1]:\n        exec('def test_x(): pass')\n",
        "import sys\nsetattr(sys.modules[__name__], 'test_y', lambda: None)\n",
        "globals().update(test_z=lambda: None)\n",
    ):
        assert not run(source).complete, source


def test_reading_globals_in_a_test_is_not_a_doubt() -> None:
    collection = run(
        "class Module1: pass\n"
        "def test_pick():\n    model = globals()['Module1']()\n"
        "def helper():\n    globals()['x'] = 1\n"
    )
    # Function bodies run when called, not on import: nothing made there is collected.
    assert collection.complete and collection.notes == ()


def test_numpy_arange_dict_views_and_itertools_counts() -> None:
    def count(expr: str) -> int | None:
        source = (
            "import itertools\nimport numpy as np\nfrom itertools import chain\n"
            + "import pytest\nD = {'a': 1, 'b': 2, 'a': 3}\n"
            + f'@pytest.mark.parametrize("x", {expr})\ndef test_a(x): pass\n'
        )
        return one(source).cases

    assert count("np.arange(2, 9)") == 7
    assert count("np.arange(2.0, 9)") is None
    assert count("D.values()") == 2
    assert count("D.items()") == 2
    assert count("chain(range(3), 'ab')") == 5
    assert count("itertools.product(range(3), D)") == 6
    assert count('itertools.product(range(3), "ab", repeat=2)') == 36
    assert count("itertools.product(range(3), other=2)") is None
    # A starred comprehension counts its own items, not the whole list's.
    assert count('[*(x for x in "ab"), *(y for y in "cde"), 1]') == 6
    assert count("A + B") is None


def test_constants_mutated_in_loops_or_calls_are_not_trusted() -> None:
    found = collected(
        """
        import pytest, random
        class TestA:
            TABLE = {}
            for i in range(3):
                TABLE[i] = i
            @pytest.mark.parametrize("x", TABLE.values())
            def test_a(self, x): pass
        SHUFFLED = [1, 2]
        random.shuffle(SHUFFLED)
        @pytest.mark.parametrize("x", SHUFFLED)
        def test_b(x): pass
        """
    )
    assert found["TestA::test_a"].cases is None
    assert found["test_b"].cases is None  # shuffle() could have changed it


# --- a plugin that shuffles the order -------------------------------------------------


@pytest.mark.parametrize(
    ("installed", "addopts", "expected"),
    [
        (["randomly", "xdist"], [], "pytest-randomly"),  # loaded by its entry point
        (["randomly"], ["-p", "no:randomly"], None),
        (["randomly"], ["-p", "no:randomly", "-p", "randomly"], "pytest-randomly"),
        (["randomly"], ["--randomly-dont-reorganize"], None),
        (["xdist"], [], None),
    ],
)
def test_pytest_randomly_shuffles_unless_turned_off(
    installed: list[str], addopts: list[str], expected: str | None
) -> None:
    """statsmodels' suite runs with pytest-randomly: the cases of a test come in a
    shuffled order (seeded at random), so none has a known place."""
    assert shuffling_plugin(parse_addopts(addopts), addopts, installed) == expected


def test_shuffled_cases_are_counted_not_named() -> None:
    source = "import pytest\n\n@pytest.mark.parametrize('x', [1, 2])\ndef test_x(x):\n    pass\n"
    (plain,) = run(source).tests
    (shuffled,) = run(source, config=PytestConfig(shuffled_by="pytest-randomly")).tests
    assert (plain.exact, plain.cases, plain.case_ids) == (True, 2, ("1", "2"))
    assert (shuffled.exact, shuffled.cases, shuffled.case_ids) == (True, 2, None)


def test_installed_entry_points_are_read_from_one_distribution() -> None:
    """The real metadata of this environment: hypothesis installs a pytest11 entry point
    named "hypothesispytest"; pytest-randomly is not installed here."""
    from sphinx_testdocs.analysis.plugins import _declares_entry_point

    assert _declares_entry_point("hypothesis", "hypothesispytest")
    assert not _declares_entry_point("hypothesis", "randomly")
    assert not _declares_entry_point("no-such-distribution-xyz", "randomly")
    assert shuffling_plugin(parse_addopts([]), []) is None
