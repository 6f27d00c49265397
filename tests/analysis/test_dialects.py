"""Collection dialects: each entry of the table on a small tree, checked against PyTorch.

``EXPECTED`` is what ``pytest --collect-only -q`` printed for ``IDIOMS`` with PyTorch
2.13.0 (CPU build) and pytest 9.2: the analysis must give the same names without
PyTorch, from the stand-in package in ``crossfile.py`` (as a docs build reads it).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sphinx_testdocs.analysis.dialects import DIALECTS, Role, dialects_for_docs, lookup
from sphinx_testdocs.analysis.model import CollectedTest, ModuleCollection
from tests.analysis.crossfile import TORCH, by_id, collect_file

IDIOMS = """
import unittest
import torch
from torch.testing._internal.common_utils import (
    TestCase, run_tests, parametrize, subtest, instantiate_parametrized_tests,
    skipIfTorchDynamo, xfailIfTorchDynamo, swap, decorateIf,
)
from torch.testing._internal.common_device_type import (
    instantiate_device_type_tests, dtypes, dtypesIfCPU, dtypesIfCUDA, onlyCPU, onlyCUDA,
    onlyNativeDeviceTypes, ops, skipCUDAIf,
)
from torch.testing._internal.common_methods_invocations import op_db

FLOATS = [torch.float32, torch.float64]
skipIfNoThing = unittest.skipIf(True, "no thing")


class Model:
    pass


def name_fn(a, b):
    return f"{a}_and_{b}"


@unittest.skipIf(False, "never")
class TestDevice(TestCase):
    def test_plain(self, device):
        pass

    @dtypes(torch.float, torch.half)
    def test_dtypes(self, device, dtype):
        pass

    @dtypes(*FLOATS)
    @dtypesIfCPU(torch.int64)
    def test_cpu_override(self, device, dtype):
        pass

    @dtypes((torch.float32, torch.int64), (torch.float64, torch.int32))
    def test_multi(self, device, dtypes):
        pass

    @parametrize("n", [1, 2])
    @dtypes(torch.bfloat16)
    def test_param_dtype(self, device, dtype, n):
        pass

    @onlyCPU
    def test_only_cpu(self, device):
        pass

    @onlyCUDA
    def test_only_cuda(self, device):
        pass

    @skipCUDAIf(True, "r")
    @onlyNativeDeviceTypes
    @skipIfTorchDynamo("nope")
    def test_skips(self, device):
        pass

    @ops([op for op in op_db if op.name == "add"], dtypes=[torch.float32])
    def test_ops(self, device, dtype, op):
        pass

    @swap([True, False])
    def test_swap(self, device):
        pass

    @xfailIfTorchDynamo
    @skipIfNoThing
    def test_alias(self, device):
        pass


instantiate_device_type_tests(TestDevice, globals())


class TestOnly(TestCase):
    def test_a(self, device):
        pass


instantiate_device_type_tests(TestOnly, globals(), except_for="cpu")


class TestParam(TestCase):
    @parametrize("x", [1, 2.5, "s", True, None, -3])
    def test_values(self, x):
        pass

    @parametrize("a,b", [(1, "x"), (2, "y")], name_fn=lambda a, b: f"{a}_{b}")
    def test_name_fn(self, a, b):
        pass

    @parametrize("a,b", [(1, 2)], name_fn=name_fn)
    def test_name_fn_def(self, a, b):
        pass

    @parametrize("f", [subtest(isinstance, "isinstance"), subtest(len, name="length")])
    def test_subtests(self, f):
        pass

    @parametrize("m", [Model, Model(), lambda: 1, (1, 2), torch.float16, torch.device("cpu")])
    def test_objects(self, m):
        pass

    @parametrize("outer", [1, 2])
    @parametrize("inner", ["a", "b"])
    def test_stacked(self, outer, inner):
        pass

    @decorateIf(unittest.skip, lambda params: params["x"] == 1)
    @parametrize("x", range(3))
    def test_decorate_if(self, x):
        pass

    @decorateIf(unittest.skip, lambda params: True)
    def test_decorate_only(self):
        pass

    def test_plain(self):
        pass


instantiate_parametrized_tests(TestParam)


@instantiate_parametrized_tests
class TestDecorated(TestCase):
    @parametrize("flag", [False, True])
    def test_flag(self, flag):
        pass


class TestNotInstantiated(TestCase):
    @parametrize("x", [1, 2])
    def test_x(self, x):
        pass


if __name__ == "__main__":
    run_tests()
"""

#: pytest 9.2 with PyTorch 2.13.0+cpu, in collection order (``test_ops`` aside).
EXPECTED = [
    "TestDeviceCPU::test_alias_cpu",
    "TestDeviceCPU::test_cpu_override_cpu_int64",
    "TestDeviceCPU::test_dtypes_cpu_float16",
    "TestDeviceCPU::test_dtypes_cpu_float32",
    "TestDeviceCPU::test_multi_cpu_float32_int64",
    "TestDeviceCPU::test_multi_cpu_float64_int32",
    "TestDeviceCPU::test_only_cpu_cpu",
    "TestDeviceCPU::test_only_cuda_cpu",
    "TestDeviceCPU::test_ops_add_cpu_float32",
    "TestDeviceCPU::test_param_dtype_n_1_cpu_bfloat16",
    "TestDeviceCPU::test_param_dtype_n_2_cpu_bfloat16",
    "TestDeviceCPU::test_plain_cpu",
    "TestDeviceCPU::test_skips_cpu",
    "TestDeviceCPU::test_swap_swap_False_cpu",
    "TestDeviceCPU::test_swap_swap_True_cpu",
    "TestParam::test_decorate_if_x_0",
    "TestParam::test_decorate_if_x_1",
    "TestParam::test_decorate_if_x_2",
    "TestParam::test_decorate_only_",
    "TestParam::test_name_fn_1_x",
    "TestParam::test_name_fn_2_y",
    "TestParam::test_name_fn_def_1_and_2",
    "TestParam::test_objects_cpu",
    "TestParam::test_objects_float16",
    "TestParam::test_objects_m0",
    "TestParam::test_objects_m1",
    "TestParam::test_objects_m2",
    "TestParam::test_objects_m3",
    "TestParam::test_plain",
    "TestParam::test_stacked_outer_1_inner_a",
    "TestParam::test_stacked_outer_1_inner_b",
    "TestParam::test_stacked_outer_2_inner_a",
    "TestParam::test_stacked_outer_2_inner_b",
    "TestParam::test_subtests_isinstance",
    "TestParam::test_subtests_length",
    "TestParam::test_values_x4",
    "TestParam::test_values_x_-3",
    "TestParam::test_values_x_1",
    "TestParam::test_values_x_2_5",
    "TestParam::test_values_x_True",
    "TestParam::test_values_x_s",
    "TestDecorated::test_flag_flag_False",
    "TestDecorated::test_flag_flag_True",
    "TestNotInstantiated::test_x",
]


def covers(*ids: str) -> None:
    """Mark the dialect entries a test exercises (``test_every_dialect_has_a_test``)."""
    assert all(lookup_id(i) for i in ids), ids


def lookup_id(dialect_id: str) -> bool:
    return any(d.id == dialect_id for d in DIALECTS)


@pytest.fixture
def idioms(tmp_path: Path) -> ModuleCollection:
    return collect_file(tmp_path, {"test_idioms.py": IDIOMS}, "test_idioms.py", site=TORCH)


def test_names_equal_pytest_with_pytorch(idioms: ModuleCollection) -> None:
    covers(
        "torch.instantiate_device_type_tests",
        "torch.instantiate_parametrized_tests",
        "torch.parametrize",
        "torch.subtest",
        "torch.dtypes",
        "torch.dtypesIfCPU",
        "torch.swap",
        "torch.decorateIf",
    )
    found = list(by_id(idioms))
    # Operator lists are built at import time: their names are a pattern.
    expected = [
        "TestDeviceCPU::test_ops_<op>_cpu_<dtype>"
        if e.startswith("TestDeviceCPU::test_ops_")
        else e
        for e in EXPECTED
    ]
    assert found == expected
    # The generic class is gone, the device class stands in its place.
    assert [c.name for c in idioms.classes] == [
        "TestDeviceCPU",
        "TestParam",
        "TestDecorated",
        "TestNotInstantiated",
    ]
    device = idioms.classes[0]
    line = IDIOMS.lstrip("\n").splitlines().index("class TestDevice(TestCase):")
    assert (device.generated_from, device.style, device.line) == (
        "TestDevice",
        "unittest",
        line + 1,
    )
    assert [m.name for m in device.markers] == ["skipIf"]  # once, on the class


def test_generated_tests_say_where_they_come_from(idioms: ModuleCollection) -> None:
    test = by_id(idioms)["TestDeviceCPU::test_param_dtype_n_2_cpu_bfloat16"]
    assert test.source_name == "test_param_dtype"
    assert test.generated_by == ("instantiate_device_type_tests (cpu), @parametrize, @dtypes")
    line = (
        IDIOMS.lstrip("\n").splitlines().index("    def test_param_dtype(self, device, dtype, n):")
    )
    assert test.exact and test.cases == 1 and test.line == line + 1


def test_operator_lists_are_computed_and_said_so(idioms: ModuleCollection) -> None:
    covers("torch.ops")
    ops = by_id(idioms)["TestDeviceCPU::test_ops_<op>_cpu_<dtype>"]
    assert ops.name_is_pattern and not ops.exact and ops.cases is None
    assert ops.doubt == (
        'names depend on @ops over [op for op in op_db if op.name == "add"]; '
        "the dtypes each operator supports"
    )
    assert not idioms.complete
    assert idioms.why_partial() == (f"1 test: {ops.doubt}",)


def _markers(test: CollectedTest) -> list[tuple[str, str, str | None]]:
    return [(m.name, m.framework, m.effect) for m in test.markers]


def test_skip_xfail_and_device_decorators_are_markers(idioms: ModuleCollection) -> None:
    covers("torch.onlyCPU", "torch.onlyCUDA", "torch.onlyNativeDeviceTypes")
    covers("torch.skip", "torch.xfail", "unittest.skip")
    found = by_id(idioms)
    class_mark = ("skipIf", "unittest", "skip")
    assert _markers(found["TestDeviceCPU::test_only_cpu_cpu"]) == [
        ("onlyCPU", "PyTorch", None),  # runs on the CPU: nothing skipped there
        class_mark,
    ]
    assert _markers(found["TestDeviceCPU::test_only_cuda_cpu"]) == [
        ("onlyCUDA", "PyTorch", "skip"),
        class_mark,
    ]
    assert _markers(found["TestDeviceCPU::test_skips_cpu"]) == [
        ("skipIfTorchDynamo", "PyTorch", "skip"),
        ("onlyNativeDeviceTypes", "PyTorch", None),
        ("skipCUDAIf", "PyTorch", "skip"),
        class_mark,
    ]
    # An alias of unittest.skipIf, named as written, with the alias's reason.
    alias = found["TestDeviceCPU::test_alias_cpu"]
    assert _markers(alias) == [
        ("skipIfNoThing", "unittest", "skip"),
        ("xfailIfTorchDynamo", "PyTorch", "xfail"),
        class_mark,
    ]
    assert alias.markers[0].args == 'True, "no thing"'


@pytest.mark.parametrize(
    ("decorator", "runs_on"),
    [
        ("onlyMPS", "mps"),
        ("onlyXPU", "xpu"),
        ("onlyHPU", "hpu"),
        ("onlyCUDAAndPRIVATEUSE1", "cuda"),
    ],
)
def test_only_device_decorators(tmp_path: Path, decorator: str, runs_on: str) -> None:
    covers(f"torch.{decorator}")
    source = f"""
        from torch.testing._internal.common_utils import TestCase
        from torch.testing._internal.common_device_type import (
            instantiate_device_type_tests, {decorator},
        )
        class TestD(TestCase):
            @{decorator}
            def test_d(self, device): pass
        instantiate_device_type_tests(TestD, globals(), allow_mps=True, allow_xpu=True)
        """
    collection = collect_file(
        tmp_path, {"test_d.py": source}, "test_d.py", site=TORCH, device_types=("cpu", runs_on)
    )
    effects = {t.name: t.markers[0].effect for t in collection.tests}
    assert effects == {"test_d_cpu": "skip", f"test_d_{runs_on}": None}


def test_device_types_from_configuration(tmp_path: Path) -> None:
    covers("torch.dtypesIfCUDA")
    collection = collect_file(
        tmp_path,
        {"test_idioms.py": IDIOMS},
        "test_idioms.py",
        site=TORCH,
        device_types=("cpu", "cuda"),
    )
    names = [c.name for c in collection.classes]
    assert names[:3] == ["TestDeviceCPU", "TestDeviceCUDA", "TestOnlyCUDA"]
    found = by_id(collection)
    assert "TestDeviceCUDA::test_cpu_override_cuda_float32" in found  # dtypes, not IfCPU
    assert "TestDeviceCUDA::test_cpu_override_cuda_int64" not in found
    only_cuda = found["TestDeviceCUDA::test_only_cuda_cuda"]
    assert _markers(only_cuda)[0] == ("onlyCUDA", "PyTorch", None)


@pytest.mark.parametrize(
    ("decorator", "device"),
    [("dtypesIfXPU", "xpu"), ("dtypesIfMPS", "mps"), ("dtypesIfHPU", "hpu")],
)
def test_device_specific_dtypes(tmp_path: Path, decorator: str, device: str) -> None:
    covers(f"torch.{decorator}")
    source = f"""
        import torch
        from torch.testing._internal.common_utils import TestCase
        from torch.testing._internal.common_device_type import (
            instantiate_device_type_tests, dtypes, {decorator},
        )
        class TestD(TestCase):
            @dtypes(torch.float32)
            @{decorator}(torch.int8)
            def test_d(self, device, dtype): pass
        instantiate_device_type_tests(TestD, globals(), allow_mps=True, allow_xpu=True)
        """
    collection = collect_file(
        tmp_path, {"test_d.py": source}, "test_d.py", site=TORCH, device_types=("cpu", device)
    )
    assert list(by_id(collection)) == [
        "TestDCPU::test_d_cpu_float32",
        f"TestD{device.upper()}::test_d_{device}_int8",
    ]


def test_mps_and_xpu_need_their_allow_option(tmp_path: Path) -> None:
    source = """
        from torch.testing._internal.common_utils import TestCase
        from torch.testing._internal.common_device_type import instantiate_device_type_tests
        class TestD(TestCase):
            def test_d(self, device): pass
        instantiate_device_type_tests(TestD, globals(), only_for=("cpu", "mps"))
        """
    collection = collect_file(
        tmp_path, {"test_d.py": source}, "test_d.py", site=TORCH, device_types=("cpu", "mps")
    )
    assert list(by_id(collection)) == ["TestDCPU::test_d_cpu"]


def test_computed_device_options_are_a_doubt(tmp_path: Path) -> None:
    source = """
        from torch.testing._internal.common_utils import TestCase
        from torch.testing._internal.common_device_type import instantiate_device_type_tests
        DEVICES = compute()
        class TestD(TestCase):
            def test_d(self, device): pass
        instantiate_device_type_tests(TestD, globals(), only_for=DEVICES)
        """
    collection = collect_file(tmp_path, {"test_d.py": source}, "test_d.py", site=TORCH)
    (test,) = collection.tests
    assert test.nodeid == "test_d.py::TestDCPU::test_d_cpu" and not test.exact
    assert test.doubt == "only_for=DEVICES is computed at import time"


def test_other_parametrizers_are_computed(tmp_path: Path) -> None:
    covers("torch.parametrizer")
    source = """
        from torch.testing._internal.common_utils import (
            TestCase, _TestParametrizer, instantiate_parametrized_tests, reparametrize,
        )
        class my_params(_TestParametrizer):
            pass
        @instantiate_parametrized_tests
        class TestP(TestCase):
            @my_params()
            def test_mine(self, x): pass
            @reparametrize(None, None)
            def test_re(self, x): pass
        """
    collection = collect_file(tmp_path, {"test_p.py": source}, "test_p.py", site=TORCH)
    found = by_id(collection)
    assert list(found) == ["TestP::test_mine_<param>", "TestP::test_re_<param>"]
    assert all(t.name_is_pattern and t.cases is None for t in found.values())


def test_only_on_other_devices_and_foreign_aliases(tmp_path: Path) -> None:
    covers("torch.only")
    source = """
        from torch.testing._internal.common_utils import TestCase
        from torch.testing._internal.common_device_type import (
            instantiate_device_type_tests, onlyOn,
        )
        from torch.testing._internal.triton_utils import requires_gpu
        class TestD(TestCase):
            @onlyOn(["cuda", "xpu"])
            def test_d(self, device): pass
            @requires_gpu
            def test_g(self, device): pass
        instantiate_device_type_tests(TestD, globals())
        """
    collection = collect_file(tmp_path, {"test_d.py": source}, "test_d.py", site=TORCH)
    found = by_id(collection)
    assert _markers(found["TestDCPU::test_d_cpu"]) == [("onlyOn", "PyTorch", "skip")]
    # requires_gpu = unittest.skipUnless(HAS_GPU, "requires gpu"), in another module.
    gpu = found["TestDCPU::test_g_cpu"]
    assert _markers(gpu) == [("requires_gpu", "unittest", "skip")]
    assert gpu.markers[0].args == 'HAS_GPU, "requires gpu"'


def test_expected_failure_decorator(tmp_path: Path) -> None:
    covers("unittest.expectedFailure", "unittest.TestCase")
    source = """
        import unittest
        class T(unittest.TestCase):
            @unittest.expectedFailure
            def test_b(self): pass
        """
    (test,) = collect_file(tmp_path, {"test_u.py": source}, "test_u.py").tests
    assert _markers(test) == [("expectedFailure", "unittest", "xfail")]


def test_hypothesis_given_is_one_property_based_test(tmp_path: Path) -> None:
    covers("hypothesis.given")
    source = """
        from hypothesis import given, strategies as st
        @given(st.integers())
        def test_prop(x): pass
        """
    (test,) = collect_file(tmp_path, {"test_h.py": source}, "test_h.py").tests
    assert (test.cases, test.exact, test.fixtures) == (1, True, ())
    # hypothesis' pytest plugin marks every @given test "hypothesis".
    assert _markers(test) == [("hypothesis", "hypothesis", None)]


def test_lookup_and_docs_rows() -> None:
    dialect = lookup("torch.testing._internal.common_utils.skipIfRocm")
    assert dialect is not None and dialect.role is Role.SKIP
    assert lookup("torch.testing.assert_close") is None
    assert lookup(None) is None
    rows = dialects_for_docs()
    assert [r.id for r in rows] == [d.id for d in DIALECTS]
    assert len({d.id for d in DIALECTS}) == len(DIALECTS)


def test_every_dialect_has_a_test() -> None:
    """Every entry of the table is named by a ``covers(...)`` call of some test here."""
    text = Path(__file__).read_text(encoding="utf-8")
    named = set(re.findall(r'"((?:torch|unittest|hypothesis)\.\w+)"', text))
    ids = {d.id for d in DIALECTS}
    # The parametrized tests name their entries in their parameter lists.
    parametrized = {f"torch.{name}" for name in re.findall(r'\("((?:dtypesIf|only)\w+)", "', text)}
    assert ids - named - parametrized == set()
