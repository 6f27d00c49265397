"""Names followed into other files, read as source: bases, star imports, imported tests."""

from __future__ import annotations

import ast
from pathlib import Path

from sphinx_testdocs.analysis.modules import CUT_MARK, SourceLibrary, package_basedir
from tests.analysis.crossfile import TORCH, by_id, collect_file


def test_inherited_tests_from_a_sibling_module(tmp_path: Path) -> None:
    collection = collect_file(
        tmp_path,
        {
            "tests/common.py": """
                import pytest
                CASES = [1, 2, 3]
                class SharedCases:
                    @pytest.mark.parametrize("x", CASES)
                    def test_shared(self, x): pass
                """,
            "tests/test_it.py": """
                from common import SharedCases
                class TestIt(SharedCases):
                    def test_own(self): pass
                """,
        },
        "tests/test_it.py",
    )
    found = by_id(collection)
    assert list(found) == ["TestIt::test_shared", "TestIt::test_own"]
    shared = found["TestIt::test_shared"]
    assert (shared.cases, shared.exact, shared.case_ids) == (3, True, ("1", "2", "3"))
    assert shared.inherited_from == "common.SharedCases"
    assert shared.defined_in == "tests/common.py"
    assert shared.line == 5  # in common.py, where the function is written
    assert collection.complete and collection.notes == ()
    assert collection.dependencies == ((tmp_path / "project/tests/common.py").as_posix(),)


def test_relative_import_in_a_package_and_a_reexport(tmp_path: Path) -> None:
    collection = collect_file(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/tests/__init__.py": "",
            "pkg/tests/base/__init__.py": "from .cases import BaseCases\n",
            "pkg/tests/base/cases.py": """
                class BaseCases:
                    def test_b(self): pass
                    def test_a(self): pass
                """,
            "pkg/tests/test_ext.py": """
                from . import base
                class TestExt(base.BaseCases):
                    pass
                """,
        },
        "pkg/tests/test_ext.py",
    )
    found = by_id(collection)
    # pytest keeps definition order for plain classes.
    assert list(found) == ["TestExt::test_b", "TestExt::test_a"]
    assert found["TestExt::test_a"].inherited_from == "pkg.tests.base.cases.BaseCases"
    assert collection.complete


def test_unittest_case_known_through_other_files(tmp_path: Path) -> None:
    collection = collect_file(
        tmp_path,
        {
            "helpers.py": """
                import unittest
                class ProjectCase(unittest.TestCase):
                    def helper(self): pass
                """,
            "test_u.py": """
                from helpers import ProjectCase
                class Checks(ProjectCase):
                    def test_z(self): pass
                    def test_a(self): pass
                """,
        },
        "test_u.py",
    )
    # A unittest class whatever its name; unittest's loader sorts methods by name.
    assert list(by_id(collection)) == ["Checks::test_a", "Checks::test_z"]
    assert collection.classes[0].style == "unittest"
    assert collection.complete


def test_installed_package_base_classes_and_no_false_doubt(tmp_path: Path) -> None:
    collection = collect_file(
        tmp_path,
        {
            "test/dynamo/test_x.py": """
                import torch._dynamo.test_case
                from kit import KitChecks
                class MyTests(KitChecks, torch._dynamo.test_case.TestCase):
                    def test_one(self): pass
                """,
        },
        "test/dynamo/test_x.py",
        site=TORCH,
    )
    # unittest order (sorted), the installed kit's test inherited.
    assert list(by_id(collection)) == ["MyTests::test_kit_contract", "MyTests::test_one"]
    assert collection.classes[0].style == "unittest"
    # Understood: no doubt raised for a base that holds no tests.
    assert collection.complete and collection.classes[0].doubt is None
    # PyTorch's TestCase is known to the dialect table: read only the kit.
    assert [
        Path(p).relative_to(tmp_path / "site").as_posix() for p in collection.dependencies
    ] == ["kit/__init__.py"]


def test_a_known_test_case_base_needs_no_installed_package(tmp_path: Path) -> None:
    covers_known = """
        from torch.testing._internal.common_utils import TestCase
        class Checks(TestCase):
            def test_b(self): pass
            def test_a(self): pass
        """
    collection = collect_file(tmp_path, {"test_k.py": covers_known}, "test_k.py")
    assert list(by_id(collection)) == ["Checks::test_a", "Checks::test_b"]
    assert collection.complete and collection.dependencies == ()


def test_a_base_that_cannot_be_read_is_a_visible_doubt(tmp_path: Path) -> None:
    collection = collect_file(
        tmp_path,
        {
            "test_m.py": """
                from missing_pkg.bases import SomeTestCase
                class TestThing(SomeTestCase):
                    def test_one(self): pass
                class Helper(SomeTestCase):
                    def helper(self): pass
                """,
        },
        "test_m.py",
    )
    (cls,) = [c for c in collection.classes if c.name == "TestThing"]
    assert cls.doubt is not None and "missing_pkg.bases.SomeTestCase" in cls.doubt
    assert not collection.complete
    # The listed test exists whatever the base holds: its own ID stays exact.
    assert by_id(collection)["TestThing::test_one"].exact


def test_star_imports_bring_tests_where_they_stand(tmp_path: Path) -> None:
    collection = collect_file(
        tmp_path,
        {
            "test_suite.py": """
                import unittest
                class TestA(unittest.TestCase):
                    def test_one(self): pass
                def test_function(): pass
                def _private(): pass
                """,
            "test_simple.py": """
                def test_first(): pass
                from test_suite import *
                def test_last(): pass
                """,
        },
        "test_simple.py",
    )
    assert list(by_id(collection)) == [
        "test_first",
        "TestA::test_one",
        "test_function",
        "test_last",
    ]
    assert by_id(collection)["test_function"].defined_in == "test_suite.py"
    assert collection.complete


def test_star_import_honours_all(tmp_path: Path) -> None:
    collection = collect_file(
        tmp_path,
        {
            "shared.py": """
                __all__ = ["test_listed"]
                def test_listed(): pass
                def test_hidden(): pass
                """,
            "test_s.py": "from shared import *\n",
        },
        "test_s.py",
    )
    assert list(by_id(collection)) == ["test_listed"]


def test_star_import_that_cannot_be_read(tmp_path: Path) -> None:
    collection = collect_file(
        tmp_path, {"test_jit_simple.py": "from test_jit import *\n"}, "test_jit_simple.py"
    )
    assert collection.tests == ()
    assert not collection.complete
    assert collection.notes == ("star import from test_jit could not be read: it may bring tests",)


def test_imported_test_classes_are_collected_here_unless_renamed(tmp_path: Path) -> None:
    collection = collect_file(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/test_linalg.py": """
                class LinalgCase:
                    def test_solve(self): pass
                class TestQR(LinalgCase):
                    def test_qr(self): pass
                """,
            "pkg/test_matrix.py": """
                from pkg.test_linalg import LinalgCase, TestQR as _TestQR
                from pkg.test_linalg import TestQR
                class TestQRMatrix(_TestQR):
                    pass
                """,
        },
        "pkg/test_matrix.py",
    )
    assert list(by_id(collection)) == [
        "TestQR::test_solve",
        "TestQR::test_qr",
        "TestQRMatrix::test_solve",
        "TestQRMatrix::test_qr",
    ]
    assert collection.classes[0].defined_in == "pkg/test_linalg.py"
    assert collection.complete


def test_setattr_and_unknown_calls_make_class_doubts(tmp_path: Path) -> None:
    collection = collect_file(
        tmp_path,
        {
            "test_dyn.py": """
                import unittest
                class OptimizerTests(unittest.TestCase):
                    def test_base(self): pass
                for name in ["sgd", "adam"]:
                    setattr(OptimizerTests, "test_" + name, lambda self: None)
                class TestRegistered(unittest.TestCase):
                    def test_x(self): pass
                register_variants(TestRegistered)
                """,
        },
        "test_dyn.py",
    )
    doubts = {c.name: c.doubt for c in collection.classes}
    assert doubts["OptimizerTests"] == "setattr() at line 5 may add tests to it at import time"
    assert "register_variants()" in (doubts["TestRegistered"] or "")
    found = by_id(collection)
    # setattr only adds: the test written stays. An unknown call may rename or drop it.
    assert found["OptimizerTests::test_base"].exact
    assert not found["TestRegistered::test_x"].exact
    assert not collection.complete


def test_names_not_worth_reading_are_not_read(tmp_path: Path) -> None:
    collection = collect_file(
        tmp_path,
        {
            "test_plain.py": """
                from biglib.decorators import retry
                @retry(3)
                def test_one(): pass
                """,
        },
        "test_plain.py",
        site={"biglib/__init__.py": "", "biglib/decorators.py": "def retry(n): pass\n"},
    )
    assert by_id(collection)["test_one"].exact
    # A third-party decorator cannot lead to a framework entry: its module is not read.
    assert collection.dependencies == ()


def test_package_basedir_and_search_order(tmp_path: Path) -> None:
    project = tmp_path / "project"
    for name in ("pkg/__init__.py", "pkg/tests/__init__.py", "pkg/tests/test_a.py"):
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text("", encoding="utf-8")
    assert package_basedir(project / "pkg/tests/test_a.py") == project
    site = tmp_path / "site"
    (site / "pkg").mkdir(parents=True)
    (site / "pkg/__init__.py").write_text("", encoding="utf-8")
    library = SourceLibrary(project_root=project, site_path=(site,))
    # The project's own package shadows an installed one of the same name.
    found = library.find("pkg", 0, project / "pkg/tests/test_a.py")
    assert found == project / "pkg/__init__.py"
    assert library.find("pkg.nothing", 0, project / "pkg/tests/test_a.py") is None


def test_imported_literals_count_cases(tmp_path: Path) -> None:
    collection = collect_file(
        tmp_path,
        {
            "test_codes.py": """
                import pytest
                import numpy as np
                from cases import NAMES, SIZES

                CODES = np.typecodes["AllFloat"] + np.typecodes["Complex"]

                @pytest.mark.parametrize("code", CODES)
                def test_codes(code): pass

                @pytest.mark.parametrize("name", [n for n in NAMES if n != "b"])
                def test_names(name): pass

                @pytest.mark.parametrize("size", SIZES[1:])
                def test_sizes(size): pass

                @pytest.mark.parametrize("x", COMPUTED)
                def test_computed(x): pass
                """,
            "cases.py": """
                NAMES = ["a", "b", "c"]
                SIZES = (1, 2, 3)
                """,
        },
        "test_codes.py",
        site={
            "numpy/__init__.py": "from ._core import *\n",
            "numpy/_core/__init__.py": "from .numerictypes import typecodes\n",
            "numpy/_core/numerictypes.py": (
                "typecodes = {'AllFloat': 'efdgFDG', 'Complex': 'FDG'}\n"
            ),
        },
    )
    found = by_id(collection)
    codes = found["test_codes"]
    # pytest numbers repeated ids: "F" twice gives F0 and F1.
    assert codes.case_ids == ("e", "f", "d", "g", "F0", "D0", "G0", "F1", "D1", "G1")
    assert found["test_names"].case_ids == ("a", "c")
    assert found["test_sizes"].case_ids == ("2", "3")
    assert found["test_computed"].cases is None
    assert any(p.endswith("numerictypes.py") for p in collection.dependencies)


def test_literals_another_module_changes_are_not_trusted(tmp_path: Path) -> None:
    collection = collect_file(
        tmp_path,
        {
            "test_filled.py": """
                import pytest
                from tables import FILLED, FIXED

                @pytest.mark.parametrize("x", FILLED)
                def test_filled(x): pass

                @pytest.mark.parametrize("x", FIXED)
                def test_fixed(x): pass
                """,
            "tables.py": """
                FILLED = []
                FIXED = [1, 2]
                def _register(value):
                    FILLED.append(value)
                _register(1)
                """,
        },
        "test_filled.py",
    )
    found = by_id(collection)
    # Filled by a helper at import time: the literal [] says nothing of what it holds.
    assert found["test_filled"].cases is None
    assert found["test_fixed"].case_ids == ("1", "2")


def test_modules_read_keep_what_the_collection_needs(tmp_path: Path) -> None:
    source = '''
import pytest

TABLE = [1, 2]
EXTRA = []

def register(x):
    """Fill EXTRA."""
    global COUNTER
    EXTRA.append(x)
    TABLE_COPY[0] = x

def name(a):
    return f"n{a}"

class Base:
    @pytest.fixture
    def resource(self):
        """Set up, then tear down."""
        value = 1
        yield value
        value = 0

    def test_inherited(self):
        assert sum(range(10)) == 45
'''
    (tmp_path / "helpers.py").write_text(source, encoding="utf-8")
    library = SourceLibrary(project_root=tmp_path)
    module = library.read(tmp_path / "helpers.py")
    assert module is not None
    # Found in the text before the bodies are cut; TABLE is never changed.
    assert {"EXTRA", "COUNTER", "TABLE_COPY"} <= module.mutated
    assert "TABLE" not in module.mutated
    bodies = {
        node.name: ["cut" if _is_cut_mark(stmt) else type(stmt).__name__ for stmt in node.body]
        for node in ast.walk(module.tree)
        if isinstance(node, ast.FunctionDef)
    }
    assert bodies == {
        # A short module-level function stays whole: a parametrize may evaluate it.
        "register": ["Expr", "Global", "Expr", "Assign"],
        "name": ["Return"],  # a one-line function stays whole
        "resource": ["Expr", "Expr", "cut"],  # docstring, that it yields, and the cut
        "test_inherited": ["cut"],
    }


def _is_cut_mark(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Name)
        and stmt.value.id == CUT_MARK
    )
