"""Tests for the rule table: each rule on small inline sources, with exact line numbers."""

from __future__ import annotations

import ast
import re
import textwrap

import pytest

from sphinx_testdocs.analysis import rules as rules_mod
from sphinx_testdocs.analysis._matchers import Called, Custom, Imported, Index, Referenced
from sphinx_testdocs.analysis.model import Finding
from sphinx_testdocs.analysis.rules import (
    RULES,
    SECTIONS,
    Rule,
    find_findings,
    rules_for_docs,
    scan,
)


def _parse(source: str) -> ast.Module:
    # Sources below start on the line after the opening quotes: line 1 is their first line.
    return ast.parse(textwrap.dedent(source).lstrip("\n"))


def _lines(source: str) -> dict[str, tuple[int, ...]]:
    return {f.rule: f.lines for f in find_findings(_parse(source))}


def _titles(source: str) -> dict[str, str]:
    return {f.rule: f.title for f in find_findings(_parse(source))}


# (rule id, source, expected lines; () means the rule must not fire)
CASES: list[tuple[str, str, tuple[int, ...]]] = [
    # --- patterns -----------------------------------------------------------------
    (
        "unittest-testcase",
        """
        import unittest
        class A(unittest.TestCase):
            pass
        class B(object):
            pass
        """,
        (2,),
    ),
    (
        "unittest-testcase",
        """
        from unittest import TestCase as TC
        class A(TC): pass
        """,
        (2,),
    ),
    (
        "unittest-testcase",
        """
        class A(TestCase):  # not imported: nothing proves what TestCase is
            pass
        """,
        (),
    ),
    (
        "unittest-assertions",
        """
        class A:
            def test_x(self):
                self.assertEqual(1, 1)
                self.assertTrue(
                    True)
                self.fail()
                other.assertEqual(1, 1)
                self.assertion_helper()
        """,
        (3, 4, 6),
    ),
    (
        "pytest-raises",
        """
        import pytest
        def test_a():
            with pytest.raises(ValueError):
                pass
            pytest.warns(UserWarning, f)
            pytest.deprecated_call(f)
            raises(ValueError)
        """,
        (3, 5, 6),
    ),
    (
        "expected-in-with",
        """
        import pytest, warnings
        class T:
            def test(self):
                with self.assertRaises(KeyError):
                    pass
                with pytest.warns(UserWarning), open(f):
                    pass
                with warnings.catch_warnings():
                    pass
                self.assertRaises(KeyError, f)
                with open(f):
                    pass
        """,
        (4, 6, 8),
    ),
    (
        "subtests",
        """
        class T:
            def test(self):
                for i in range(3):
                    with self.subTest(i=i):
                        pass
        def test_b(subtests):
            with subtests.test(msg="x"):
                pass
        """,
        (4, 6, 7),
    ),
    (
        "pytest-fixtures",
        """
        import pytest
        from pytest import fixture
        @pytest.fixture
        def a(): pass
        @pytest.fixture(scope="module")
        def b(): pass
        @fixture
        def c(): pass
        @other.fixture
        def d(): pass
        """,
        (3, 5, 7),
    ),
    (
        "parametrize",
        """
        import pytest
        from parameterized import parameterized
        @pytest.mark.parametrize("x", [1, 2])
        def test_a(x): pass
        pytestmark = pytest.mark.parametrize("y", [1])
        @pytest.fixture(params=[1, 2])
        def f(request): pass
        @pytest.fixture(scope="module")
        def g(): pass
        class T:
            @parameterized.expand([(1,), (2,)])
            def test_b(self, x): pass
        """,
        (3, 5, 6, 11),
    ),
    (
        "parametrize",
        """
        from torch.testing._internal.common_utils import (
            instantiate_parametrized_tests, parametrize)
        class T:
            @parametrize("x", [1, 2])
            def test_a(self, x): pass
        instantiate_parametrized_tests(T)
        """,
        (4, 6),
    ),
    (
        "parametrize",
        """
        def parametrize(*a): pass
        @parametrize("x", [1])
        def test_a(x): pass
        """,
        (),
    ),
    (
        "mocking",
        """
        from unittest import mock
        from unittest.mock import MagicMock, patch
        @patch("os.getcwd")
        def test_a(m):
            mock.Mock()
            MagicMock()
        def test_b(monkeypatch):
            monkeypatch.setattr("x.y", 1)
        def test_c(mocker):
            pass
        """,
        (3, 5, 6, 7, 9),
    ),
    (
        "mocking",
        """
        def test_a(patch):
            Mock()
        """,
        (),
    ),
    (
        "property-based",
        """
        from hypothesis import given, settings
        import hypothesis.strategies as st
        @given(st.integers(),
               st.text())
        @settings(max_examples=5)
        def test_a(n, s): pass
        """,
        (3, 4, 5),
    ),
    (
        "temp-files",
        """
        import tempfile
        def test_a(tmp_path):
            with tempfile.TemporaryDirectory() as d:
                pass
        def test_b(
            tmpdir,
        ):
            pass
        """,
        (2, 3, 6),
    ),
    (
        "array-assertions",
        """
        import numpy as np
        from numpy.testing import assert_equal
        def test_a():
            np.testing.assert_allclose(1, 1)
            assert_equal(1, 1)
            np.testing.suppress_warnings()
        """,
        (4, 5),
    ),
    # --- performance ----------------------------------------------------------------
    (
        "subprocess",
        """
        import subprocess, os, sys
        from subprocess import run as r
        subprocess.check_output([sys.executable, "-c", "1"])
        r(["ls"])
        os.system("ls")
        os.execv("/bin/true", [])
        os.getcwd()
        run(["ls"])
        """,
        (3, 4, 5, 6),
    ),
    (
        "threads-processes",
        """
        import threading
        from concurrent.futures import ThreadPoolExecutor
        import multiprocessing as mp
        t = threading.Thread(target=f)
        with ThreadPoolExecutor() as ex:
            pass
        p = mp.Pool(2)
        class W(threading.Thread):
            pass
        lock = threading.Lock()
        """,
        (4, 5, 7, 8),
    ),
    (
        "threads-processes",
        """
        from numpy.testing._private.utils import run_threaded
        run_threaded(func, 500, pass_count=True)
        run(func)
        """,
        (2,),
    ),
    (
        "network",
        """
        import socket, requests
        from urllib.request import urlopen
        s = socket.socket()
        urlopen("http://example.com")
        requests.get("http://example.com")
        requests.exceptions.HTTPError("x")
        socket.AF_INET
        """,
        (3, 4, 5),
    ),
    (
        "gpu",
        """
        import torch
        x = torch.ones(3).cuda()
        y = torch.ones(3, device="cuda:0")
        z = x.to("cuda")
        torch.cuda.synchronize()
        d = torch.device("cuda")
        c = torch.device("cpu")
        w = x.to("cpu")
        v = torch.ones(3, device="cpu")
        """,
        (2, 3, 4, 5, 6),
    ),
    (
        "gpu",
        """
        from common import onlyCUDA, requires_gpu, requires_grad
        @onlyCUDA
        def test_a(self, device): pass
        @requires_gpu()
        def test_b(self): pass
        @requires_grad
        def test_c(self): pass
        """,
        (2, 4),
    ),
    (
        "sleep",
        """
        import time
        from time import sleep
        time.sleep(0.5)
        sleep(2)
        time.sleep(delay)
        """,
        (3, 4, 5),
    ),
    (
        "slow-mark",
        """
        import pytest
        from torch.testing._internal.common_utils import slowTest
        @pytest.mark.slow
        def test_a(): pass
        @slowTest
        def test_b(): pass
        @pytest.mark.slowish
        def test_c(): pass
        pytestmark = [pytest.mark.slow]
        @pytest.mark.parametrize("x", [pytest.param(1, marks=pytest.mark.slow)])
        def test_d(x): pass
        """,
        (3, 5, 9, 10),
    ),
    (
        "large-range",
        """
        for i in range(10**6):
            pass
        for i in range(100_000):
            pass
        for i in range(99_999):
            pass
        for i in range(10**6, 10**6 + 5):
            pass
        for i in range(n):
            pass
        for i in range(10**10**10):
            pass
        for i in range(2**64, 0, -(2**40)):
            pass
        for i in range(0, 10**6, 0):
            pass
        for i in range(-(10**6)):
            pass
        """,
        (1, 3, 13),
    ),
    (
        "large-range",
        """
        def range(n): return []
        for i in range(10**6):
            pass
        """,
        (),
    ),
    (
        "compiles",
        """
        import re, torch
        from torch import compile as tc
        @torch.compile
        def f(x): return x
        g = torch.compile(f, backend="eager")
        opt = torch._dynamo.optimize("eager")(f)
        s = torch.jit.script(m)
        model.compile()
        pattern = re.compile("x")
        h = tc(f)
        """,
        (3, 5, 6, 7, 8, 10),
    ),
    (
        "compiles",
        """
        import re
        backend.compile()  # no torch imported: a build backend, not a model
        re.compile("a")
        """,
        (),
    ),
    (
        "builds-extension",
        """
        from numpy.testing import extbuild
        from torch.utils import cpp_extension
        mod = extbuild.build_and_import_extension("m", functions)
        ext = cpp_extension.load_inline("e", cpp_sources=src)
        load_inline("e")  # not imported: unknown
        """,
        (3, 4),
    ),
    (
        "large-memory",
        """
        import numpy as np, torch
        from numpy.testing._private.utils import requires_memory
        @requires_memory(free_bytes=2 * 2**30)
        def test_a():
            a = np.empty((100000000,), dtype="i1")
            b = np.zeros(2**31 + 1)
            c = torch.ones(10**4, 10**4)
            d = np.zeros((10, 10))
            e = np.ones(n)
            f = np.full(10**8, 0)  # a fill value, not a dimension: not counted
            g = np.zeros(10**8, np.int8)
        """,
        (3, 5, 6, 7, 11),
    ),
    (
        "gc-collect",
        """
        import gc
        from numpy.testing import break_cycles, assert_no_gc_cycles
        def test_a():
            gc.collect()
            break_cycles()
            with assert_no_gc_cycles():
                pass
            gc.disable()
        """,
        (4, 5, 6),
    ),
    (
        "hypothesis-examples",
        """
        from hypothesis import settings
        @settings(max_examples=10000, deadline=2000)
        def test_a(x): pass
        @settings(max_examples=50)
        def test_b(x): pass
        @settings(deadline=None)
        def test_c(x): pass
        """,
        (2,),
    ),
    # --- security -------------------------------------------------------------------
    (
        "unsafe-deserialisation",
        """
        import pickle, marshal, numpy as np, torch
        pickle.loads(data)
        pickle.dumps(obj)
        marshal.load(f)
        np.load(f, allow_pickle=True)
        np.load(f)
        torch.load(f, weights_only=False)
        torch.load(f, weights_only=True)
        torch.load(f)
        torch.jit.load(f)
        torch.jit.save(m, f)
        """,
        (2, 4, 5, 7, 10),
    ),
    (
        "eval-exec",
        """
        import re
        eval("1 + 1")
        exec("x = 1")
        compile("1", "<s>", "eval")
        re.compile("x")
        model.eval()
        """,
        (2, 3, 4),
    ),
    (
        "eval-exec",
        """
        def test_a(compile):
            compile(model)
        """,
        (),
    ),
    (
        "yaml-unsafe-load",
        """
        import yaml
        yaml.load(s)
        yaml.load(s, Loader=yaml.SafeLoader)
        yaml.load(s, yaml.CSafeLoader)
        yaml.load(s, Loader=yaml.Loader)
        yaml.unsafe_load(s)
        yaml.safe_load(s)
        yaml.load(s, Loader=loader)
        """,
        (2, 5, 6),
    ),
    (
        "subprocess-shell",
        """
        import subprocess
        subprocess.run("ls | wc", shell=True)
        subprocess.run(["ls"])
        subprocess.run(["ls"], shell=False)
        subprocess.Popen(
            cmd,
            shell=True,
        )
        subprocess.getoutput("ls")
        """,
        (2, 5, 9),
    ),
    (
        "os-system",
        """
        import os
        from os import popen
        os.system("ls")
        popen("ls")
        os.getcwd()
        """,
        (3, 4),
    ),
    (
        "mktemp",
        """
        import tempfile
        tempfile.mktemp()
        tempfile.mkstemp()
        """,
        (2,),
    ),
    (
        "tls-verification-off",
        """
        import ssl, requests
        from ssl import CERT_NONE
        requests.get(url, verify=False)
        session.post(url, verify=False)
        requests.get(url, verify=True)
        ctx = ssl._create_unverified_context()
        ctx.check_hostname = False
        ctx.verify_mode = CERT_NONE
        ctx.check_hostname = True
        nsolve(f, 1, verify=False)
        """,
        (3, 4, 6, 7, 8),
    ),
    (
        "hardcoded-credential",
        """
        password = "hunter2"
        API_KEY = "sk-12345"
        self.secret = "s3cr3t"
        authToken = "abc123"
        token_type = "bearer"
        password = ""
        password = "xxxxxxx"
        password = "<your password>"
        TOKEN = "GITHUB_TOKEN"
        eos_token = "</s>"
        passwords = "abc"
        password = get_password()
        password_file = "/etc/pw"
        token = "dummy"
        """,
        (1, 2, 3, 4),
    ),
]


@pytest.mark.parametrize(
    ("rule", "source", "expected"),
    CASES,
    ids=[f"{rule}-{i}" for i, (rule, _, _) in enumerate(CASES)],
)
def test_rule_lines(rule: str, source: str, expected: tuple[int, ...]) -> None:
    assert _lines(source).get(rule, ()) == expected


def test_every_rule_has_a_positive_and_a_negative_case() -> None:
    positive = {rule for rule, _, lines in CASES if lines}
    assert positive == {r.id for r in RULES}
    # A negative case: either a case where the rule must not fire, or a positive case
    # whose source also holds lines that must not be reported.
    with_negatives = {rule for rule, source, lines in CASES if not lines}
    assert with_negatives  # the table above holds explicit negatives too


def test_sleep_title_lists_literal_durations_in_source_order() -> None:
    source = """
    import time
    time.sleep(2)
    time.sleep(0.5)
    time.sleep(2)
    time.sleep(x)
    time.sleep(10**400)
    time.sleep(True)
    """
    assert _titles(source)["sleep"] == "Sleeps (2 s, 0.5 s)"


def test_large_range_title_gives_size() -> None:
    assert _titles("for i in range(10**6): pass")["large-range"] == (
        "Large literal ranges (1,000,000 items)"
    )


def test_plain_subprocess_is_performance_not_security() -> None:
    found = find_findings(_parse("import subprocess\nsubprocess.run(cmd)\n"))
    assert [(f.section, f.rule) for f in found] == [("performance", "subprocess")]


# --- alias resolution ---------------------------------------------------------------


def test_import_as_resolves_dotted_calls() -> None:
    rule = Rule("seed", "patterns", "Seeds", "x", (Called(frozenset({"numpy.random.seed"})),))
    source = """
    import numpy as np
    import numpy
    from numpy import random as rnd
    from numpy.random import seed
    np.random.seed(0)
    numpy.random.seed(1)
    rnd.seed(2)
    seed(3)
    random.seed(4)
    """
    (finding,) = find_findings(_parse(source), [rule])
    assert finding.lines == (5, 6, 7, 8)


def test_from_import_as_resolves() -> None:
    assert _lines("from subprocess import run as r\nr('ls', shell=True)\n") == {
        "subprocess": (2,),
        "subprocess-shell": (2,),
    }


def test_submodule_import_binds_top_package() -> None:
    assert _lines("import os.path\nos.system('ls')\n")["os-system"] == (2,)


def test_alias_bound_twice_resolves_to_both() -> None:
    source = """
    try:
        from unittest import mock
    except ImportError:
        import mock
    mock.patch("x")
    """
    assert _lines(source)["mocking"] == (5,)


def test_imported_matcher_counts_modules_and_submodules() -> None:
    rule = Rule("np", "patterns", "NumPy", "x.", (Imported(frozenset({"numpy"})),))
    source = """
    import numpy as np
    from numpy.testing import assert_equal
    from numpyro import x
    import os
    """
    (finding,) = find_findings(_parse(source), [rule])
    assert finding.lines == (1, 2)


def test_relative_imports_never_match_absolute_names() -> None:
    assert "os-system" not in _lines("from . import os\nos.system('ls')\n")


def test_nested_import_counts() -> None:
    source = """
    def test_a():
        import pickle
        pickle.loads(b"")
    """
    assert _lines(source)["unsafe-deserialisation"] == (3,)


def test_unimported_name_does_not_resolve() -> None:
    assert _lines("pickle.loads(b'')\nnp.load(f, allow_pickle=True)\n") == {}


# --- robustness and determinism -------------------------------------------------------


def _deep_binop(depth: int) -> ast.Module:
    # Built directly: the parser itself refuses (or recurses on) sources this deep.
    expr: ast.expr = ast.Call(
        func=ast.Name("eval", ast.Load(), lineno=1, col_offset=0),
        args=[],
        keywords=[],
        lineno=1,
        col_offset=0,
    )
    for _ in range(depth):
        expr = ast.BinOp(
            expr, ast.Add(), ast.Constant(1, lineno=1, col_offset=0), lineno=1, col_offset=0
        )
    stmt = ast.Expr(expr, lineno=1, col_offset=0)
    return ast.Module(body=[stmt], type_ignores=[])


def test_deeply_nested_expression_is_walked_without_recursion() -> None:
    found = find_findings(_deep_binop(20_000))
    assert [(f.rule, f.lines) for f in found] == [("eval-exec", (1,))]


def test_deeply_nested_statements() -> None:
    body: list[ast.stmt] = [
        ast.Expr(
            ast.Call(
                ast.Attribute(
                    ast.Name("os", ast.Load(), lineno=5000, col_offset=0),
                    "system",
                    ast.Load(),
                    lineno=5000,
                    col_offset=0,
                ),
                [],
                [],
                lineno=5000,
                col_offset=0,
            ),
            lineno=5000,
            col_offset=0,
        )
    ]
    for depth in range(3000):
        test = ast.Name("x", ast.Load(), lineno=depth + 2, col_offset=0)
        body = [ast.If(test, body, [], lineno=depth + 2, col_offset=0)]
    imp = ast.Import([ast.alias("os")], lineno=1, col_offset=0)
    tree = ast.Module(body=[imp, *body], type_ignores=[])
    result = scan(tree)
    assert result.complete
    assert [(f.rule, f.lines) for f in result.findings] == [
        ("subprocess", (5000,)),
        ("os-system", (5000,)),
    ]


def test_recursion_error_in_a_rule_degrades() -> None:
    def explode(index: Index) -> list[tuple[int, str | None]]:
        raise RecursionError

    broken = Rule("broken", "patterns", "Broken", "x", (Custom(explode),))
    result = scan(_parse("eval('1')\n"), [broken, *RULES])
    assert not result.complete
    assert [f.rule for f in result.findings] == ["eval-exec"]


def test_parsed_parenthesis_nesting() -> None:
    # As deep as the parser allows; the walk must not care.
    depth = 190
    source = "import os\nos.system(" + "(" * depth + "1" + ")" * depth + ")\n"
    assert _lines(source)["os-system"] == (2,)


def test_findings_are_sorted_by_section_then_table_order() -> None:
    source = """
    import os, pickle, time
    def test_a(tmp_path, monkeypatch):
        assert pickle.loads(os.popen("x").read())
        time.sleep(1)
    """
    found = find_findings(_parse(source))
    order = [(SECTIONS.index(f.section), [r.id for r in RULES].index(f.rule)) for f in found]
    assert order == sorted(order)
    assert [f.rule for f in found] == [
        "mocking",
        "temp-files",
        "subprocess",
        "sleep",
        "unsafe-deserialisation",
        "os-system",
    ]


def test_results_are_deterministic_and_lines_unique() -> None:
    source = "import time\n" + "time.sleep(1); time.sleep(1)\n" * 50
    first = find_findings(_parse(source))
    assert all(find_findings(_parse(source)) == first for _ in range(3))
    (sleep,) = first
    assert sleep.lines == tuple(range(2, 52))  # every line, each once, no truncation


def test_findings_are_model_findings() -> None:
    (finding,) = find_findings(_parse("eval(source)\n"))
    assert finding == Finding(
        "eval-exec",
        "security",
        rules_mod.EVAL_EXEC.title,
        rules_mod.EVAL_EXEC.explanation,
        (1,),
        "risk",
    )


# --- the table ----------------------------------------------------------------------


def test_table_is_well_formed() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    for rule in RULES:
        assert re.fullmatch(r"[a-z][a-z0-9-]*", rule.id)
        assert rule.section in SECTIONS
        assert rule.explanation.endswith(".")
    assert {r.section for r in RULES} == set(SECTIONS)


def test_rule_rejects_unknown_section() -> None:
    with pytest.raises(ValueError, match="unknown section"):
        Rule("x", "style", "X", "x.", (Referenced(frozenset({"a"})),))  # type: ignore[arg-type]


def test_rules_for_docs_lists_every_rule_in_report_order() -> None:
    rows = rules_for_docs()
    assert [row.id for row in rows] == [r.id for r in RULES]
    assert rows[0] == (
        RULES[0].id,
        RULES[0].section,
        RULES[0].title,
        RULES[0].explanation,
    )


def test_plain_assert_is_no_finding() -> None:
    # Nearly every pytest file asserts plainly: a note on every page tells a reader nothing.
    source = """
    def test_a():
        assert 1
    class T:
        def test_b(self):
            assert 3
    """
    assert find_findings(_parse(source)) == ()


def test_hypothesis_examples_title_gives_count_and_deadline() -> None:
    source = """
    from hypothesis import settings
    @settings(max_examples=10000, deadline=2000)
    def test_a(x): pass
    @settings(max_examples=5000, deadline=None)
    def test_b(x): pass
    @settings(max_examples=1000)
    def test_c(x): pass
    """
    assert _titles(source)["hypothesis-examples"] == (
        "Many Hypothesis examples (10,000 examples with a 2,000 ms deadline, "
        "5,000 examples without a deadline, 1,000 examples)"
    )


def test_large_memory_title_gives_literal_sizes() -> None:
    source = "import torch\na = torch.ones(10**4, 10**4)\nb = torch.zeros((2**16, 2**16))\n"
    assert _titles(source)["large-memory"] == (
        "Needs a lot of memory (100,000,000 elements, 4,294,967,296 elements)"
    )
