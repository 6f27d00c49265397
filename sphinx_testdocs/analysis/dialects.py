"""Collection dialects: what names from test frameworks mean for what pytest collects.

Some frameworks make the tests pytest collects at import time: PyTorch's
``instantiate_device_type_tests`` turns ``TestFoo.test_bar`` into
``TestFooCPU.test_bar_cpu_float32``, and its ``parametrize`` names one test per value
set. Others change nothing pytest collects but say how a test runs: skip and
expected-failure decorators, hypothesis' ``@given``.

Every such name is one :class:`Dialect` entry of :data:`DIALECTS`: the qualified names
(or a module prefix and a name pattern) it covers, the :class:`Role` that says how the
collection treats it, and a plain explanation shown in the documentation. Adding a
framework's decorator is adding one entry (and a test in ``tests/analysis``); a role is
implemented once, in :mod:`.collection` and :mod:`.generated`.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import NamedTuple

__all__ = [
    "DIALECTS",
    "Dialect",
    "DialectDoc",
    "Role",
    "dialects_for_docs",
    "known_test_cases",
    "lookup",
    "may_lead_to_dialect",
]


class Role(enum.Enum):
    """How the collection treats a name."""

    #: ``f(TestClass, globals(), only_for=..., except_for=...)``: the class is replaced
    #: by one class per device type, every test renamed ``<test>_<device>[_<dtype>]``.
    INSTANTIATE_DEVICES = "instantiate per device type"
    #: ``f(TestClass)`` or ``@f``: each parametrized test becomes one test per value set.
    INSTANTIATE_PARAMETRIZED = "instantiate parametrized tests"
    #: ``@f("x,y", values, name_fn=...)``: one test per value set, named from the values.
    PARAMETRIZE = "parametrize (names the generated tests)"
    #: ``f(values, name=..., decorators=...)`` inside a ``PARAMETRIZE`` value list.
    SUBTEST = "a named value set of parametrize"
    #: ``@f(*dtypes)``: one test per dtype, ``_<dtype>`` appended after the device.
    DTYPES = "dtype variants"
    #: ``@f(op_list, ...)``: one test per operator and supported dtype, named from
    #: objects built at import time (the count is known only if the list is).
    OPS = "operator variants"
    #: ``@f(values)``: one test per value, named ``<test>_swap_<value>``.
    SWAP = "swap variants"
    #: A parametrizer that adds no name part (its test still counts as parametrized).
    PASS_THROUGH = "parametrizer adding no name part"
    #: Runs the test only on the listed device types; elsewhere it is skipped.
    ONLY_ON = "runs on some device types only"
    #: Skips the test when a condition holds (reported as a marker with the reason).
    SKIP = "skip"
    #: Expects the test to fail.
    XFAIL = "expected failure"
    #: Property-based test: one collected test that runs many generated examples.
    PROPERTY = "property-based"
    #: A ``unittest.TestCase`` subclass that defines no test of its own: a class
    #: deriving from it is collected the unittest way, with nothing inherited.
    TEST_CASE = "unittest.TestCase base"


@dataclass(frozen=True, slots=True)
class Dialect:
    """One entry: the names it covers and what they mean to the collection."""

    id: str
    framework: str
    role: Role
    explanation: str
    #: Exact qualified names, as their defining module spells them.
    names: frozenset[str] = frozenset()
    #: Or: names under this module prefix whose last part matches ``pattern``.
    prefix: str = ""
    pattern: re.Pattern[str] | None = None
    #: ``DTYPES``: the device types the dtypes apply to (empty: every device, unless a
    #: device-specific entry overrides them). ``ONLY_ON``: where the test runs.
    devices: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.names and self.pattern is None:
            raise ValueError(f"dialect {self.id!r}: no names and no pattern")

    def covers(self, qualname: str) -> bool:
        if qualname in self.names:
            return True
        if self.pattern is None or not qualname.startswith(self.prefix):
            return False
        return self.pattern.fullmatch(qualname.rpartition(".")[2]) is not None


class DialectDoc(NamedTuple):
    """One row of the dialect list shown in the documentation."""

    id: str
    framework: str
    role: str
    names: str
    explanation: str


_CDT = "torch.testing._internal.common_device_type"
_CU = "torch.testing._internal.common_utils"
_TORCH_TESTING = "torch.testing._internal."


def _q(module: str, *names: str) -> frozenset[str]:
    return frozenset(f"{module}.{name}" for name in names)


#: Every dialect, most specific first (``lookup`` returns the first that covers a name).
DIALECTS: tuple[Dialect, ...] = (
    # --- PyTorch: generated tests ------------------------------------------------
    Dialect(
        "torch.instantiate_device_type_tests",
        "PyTorch",
        Role.INSTANTIATE_DEVICES,
        "Removes the generic class from the module and adds one class per device type "
        "(TestFoo -> TestFooCPU), with every test method renamed test_bar_cpu (and "
        "_<dtype> for each @dtypes entry); only_for and except_for narrow the device "
        "types. The device types documented are testdocs_device_types.",
        names=_q(_CDT, "instantiate_device_type_tests"),
    ),
    Dialect(
        "torch.instantiate_parametrized_tests",
        "PyTorch",
        Role.INSTANTIATE_PARAMETRIZED,
        "Replaces each @parametrize test of the class by one test per value set, named "
        "test_bar_<suffix>.",
        names=_q(_CU, "instantiate_parametrized_tests"),
    ),
    Dialect(
        "torch.parametrize",
        "PyTorch",
        Role.PARAMETRIZE,
        "One test per value set once the class is instantiated; the suffix is name_fn's "
        "result, a subtest's name, or each argument's name and value (argname_value; "
        "argname<index> for values that are not numbers or strings, dtype names for "
        "dtypes).",
        names=_q(_CU, "parametrize"),
    ),
    Dialect(
        "torch.subtest",
        "PyTorch",
        Role.SUBTEST,
        "A value set of @parametrize with an explicit name and decorators of its own.",
        names=_q(_CU, "subtest"),
    ),
    Dialect(
        "torch.dtypes",
        "PyTorch",
        Role.DTYPES,
        "One test per dtype (or tuple of dtypes), named _<device>_<dtype>.",
        names=_q(_CDT, "dtypes"),
    ),
    *(
        Dialect(
            f"torch.dtypesIf{suffix}",
            "PyTorch",
            Role.DTYPES,
            f"Replaces the @dtypes list on {device} only.",
            names=_q(_CDT, f"dtypesIf{suffix}"),
            devices=(device,),
        )
        for suffix, device in (
            ("CPU", "cpu"),
            ("CUDA", "cuda"),
            ("XPU", "xpu"),
            ("MPS", "mps"),
            ("HPU", "hpu"),
        )
    ),
    Dialect(
        "torch.ops",
        "PyTorch",
        Role.OPS,
        "One test per operator of the list and per dtype it supports on the device, "
        "named test_bar_<operator>_<device>_<dtype>: operator lists are built at import "
        "time, so the names and the count are shown as computed.",
        names=_q(_CDT, "ops")
        | _q("torch.testing._internal.common_modules", "modules")
        | _q("torch.testing._internal.common_optimizers", "optims"),
    ),
    Dialect(
        "torch.parametrizer",
        "PyTorch",
        Role.OPS,
        "Any other PyTorch parametrizer (reparametrize, or a class derived from "
        "_TestParametrizer): the names it gives are shown as computed.",
        names=_q(_CU, "_TestParametrizer", "reparametrize"),
    ),
    Dialect(
        "torch.swap",
        "PyTorch",
        Role.SWAP,
        "One test per value, named test_bar_swap_<value>.",
        names=_q(_CU, "swap"),
    ),
    Dialect(
        "torch.decorateIf",
        "PyTorch",
        Role.PASS_THROUGH,
        "Applies a decorator to some of the generated tests and adds no name part; "
        "alone on a test of an instantiate_parametrized_tests class it still renames "
        "it test_bar_ (an empty suffix), as PyTorch does.",
        names=_q(_CU, "decorateIf"),
    ),
    # --- PyTorch: where a test runs ------------------------------------------------
    *(
        Dialect(
            f"torch.{name}",
            "PyTorch",
            Role.ONLY_ON,
            f"Runs only on {', '.join(devices)}; skipped on other device types.",
            names=_q(_CDT, name),
            devices=devices,
        )
        for name, devices in (
            ("onlyCPU", ("cpu",)),
            ("onlyCUDA", ("cuda",)),
            ("onlyMPS", ("mps",)),
            ("onlyXPU", ("xpu",)),
            ("onlyHPU", ("hpu",)),
            ("onlyNativeDeviceTypes", ("cpu", "cuda", "meta")),
            ("onlyCUDAAndPRIVATEUSE1", ("cuda", "privateuse1")),
        )
    ),
    Dialect(
        "torch.skip",
        "PyTorch",
        Role.SKIP,
        "PyTorch's skip decorators (skipIfTorchDynamo, skipIfRocm, skipCUDAIf, slowTest "
        "and the like) skip the test at run time when their condition holds.",
        prefix=_TORCH_TESTING,
        pattern=re.compile(r"skip\w*|slowTest\w*|serialTest"),
    ),
    Dialect(
        "torch.only",
        "PyTorch",
        Role.ONLY_ON,
        "PyTorch's other only... decorators (onlyOn, onlyNativeDeviceTypesAnd...) run "
        "the test on some device types and skip it on the others.",
        prefix=_TORCH_TESTING,
        pattern=re.compile(r"only\w+"),
    ),
    Dialect(
        "torch.xfail",
        "PyTorch",
        Role.XFAIL,
        "PyTorch's expected-failure decorators (xfailIfTorchDynamo, expectedFailureCPU "
        "and the like) expect the test to fail when their condition holds.",
        prefix=_TORCH_TESTING,
        pattern=re.compile(r"xfail\w*|expectedFailure\w*"),
    ),
    # --- unittest --------------------------------------------------------------------
    Dialect(
        "unittest.skip",
        "unittest",
        Role.SKIP,
        "unittest's skip decorators: the test is collected and reported as skipped "
        "(always, or when the condition holds).",
        names=_q("unittest", "skip", "skipIf", "skipUnless")
        | _q("unittest.case", "skip", "skipIf", "skipUnless"),
    ),
    Dialect(
        "unittest.expectedFailure",
        "unittest",
        Role.XFAIL,
        "unittest's expected failure: pytest reports the test as xfailed.",
        names=_q("unittest", "expectedFailure") | _q("unittest.case", "expectedFailure"),
    ),
    Dialect(
        "unittest.TestCase",
        "unittest",
        Role.TEST_CASE,
        "unittest.TestCase and the documented subclasses of test frameworks, which define "
        "no test of their own: known without reading them (their package need not be "
        "installed where the documentation is built).",
        names=frozenset(
            {
                "unittest.TestCase",
                "unittest.case.TestCase",
                "unittest.IsolatedAsyncioTestCase",
                "unittest.async_case.IsolatedAsyncioTestCase",
                "unittest.FunctionTestCase",
                "django.test.TestCase",
                "django.test.SimpleTestCase",
                "django.test.TransactionTestCase",
                "absl.testing.absltest.TestCase",
                "absl.testing.parameterized.TestCase",
                "expecttest.TestCase",
                f"{_CU}.TestCase",
                "torch._dynamo.test_case.TestCase",
                "torch._inductor.test_case.TestCase",
            }
        ),
    ),
    # --- hypothesis ------------------------------------------------------------------
    Dialect(
        "hypothesis.given",
        "hypothesis",
        Role.PROPERTY,
        "A property-based test: pytest collects one test, which runs many generated "
        "examples; hypothesis' pytest plugin marks it 'hypothesis'.",
        names=_q("hypothesis", "given") | _q("hypothesis.core", "given"),
    ),
)


def lookup(qualname: str | None) -> Dialect | None:
    """The first dialect that covers a qualified name, or None."""
    if not qualname:
        return None
    for dialect in DIALECTS:
        if dialect.covers(qualname):
            return dialect
    return None


#: Framework packages whose helpers alias and re-export dialect names among themselves
#: (``requires_gpu = unittest.skipUnless(...)`` in ``torch.testing._internal``).
_FOLLOWED = tuple(sorted({d.prefix for d in DIALECTS if d.prefix}))


def may_lead_to_dialect(qualname: str) -> bool:
    """Whether following where a name comes from could end at a dialect entry.

    True for names from the framework packages of :data:`_FOLLOWED`. The project's own
    modules are followed too (see ``ModuleContext``); any other library a test imports
    from is not read: that would cost more than the whole analysis, for names that
    are, in practice, imported straight from where the table knows them.
    """
    return qualname.startswith(_FOLLOWED)


def known_test_cases() -> frozenset[str]:
    """Qualified names of the ``unittest.TestCase`` bases the table knows."""
    return frozenset(n for d in DIALECTS if d.role is Role.TEST_CASE for n in d.names)


def dialects_for_docs() -> list[DialectDoc]:
    """Every dialect, as rows for the documentation."""
    rows = []
    for dialect in DIALECTS:
        if dialect.names:
            names = ", ".join(sorted(dialect.names))
        else:
            assert dialect.pattern is not None
            names = f"{dialect.prefix}*: {dialect.pattern.pattern}"
        rows.append(
            DialectDoc(
                dialect.id, dialect.framework, dialect.role.value, names, dialect.explanation
            )
        )
    return rows
