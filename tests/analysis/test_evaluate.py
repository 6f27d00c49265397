"""Parametrize values computed by pure helpers, evaluated statically (``analysis/evaluate``).

Each rule has a case where the evaluator gives pytest's IDs (checked against what
``pytest --collect-only`` printed for the same source) and cases where it must refuse,
leaving the cases computed.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from sphinx_testdocs.analysis.evaluate import EnumClass, EnumMember, Unknown, enum_class
from tests.analysis.crossfile import TORCH, by_id, collect_file
from tests.analysis.test_collection import collected


def ids(source: str, test: str = "test_a") -> tuple[str, ...] | None:
    """The case IDs claimed exact for ``test``, or None when they are computed."""
    found = collected(source)[test]
    if not found.exact:
        assert found.doubt is not None and "computed" in found.doubt
        return None
    return found.case_ids


# --- what is evaluated ---------------------------------------------------------------


def test_generator_with_loops_fstrings_and_opaque_values() -> None:
    """PyTorch's ``get_view_test_cases()`` shape: partials, lambdas, product, f-strings."""
    source = """
        import itertools
        from functools import partial
        import pytest

        def cases():
            def mk(x):
                return x
            for b in [False, True]:
                prefix = f"base_{b}"
                yield partial(mk, b), f"{prefix}_basic"
                for r1, r2 in itertools.product([True, False], repeat=2):
                    yield (partial(mk, b), f"{prefix}_leaf_{r1}_{r2}")
            yield lambda: 1, "lam"
            yield mk, "fn"

        TABLE = {k: v for v, k in cases()}

        @pytest.mark.parametrize("name", [k for k in TABLE if k != "fn"])
        def test_a(name): pass

        @pytest.mark.parametrize("fn,name", cases())
        def test_b(fn, name): pass
    """
    assert ids(source) == (
        "base_False_basic",
        "base_False_leaf_True_True",
        "base_False_leaf_True_False",
        "base_False_leaf_False_True",
        "base_False_leaf_False_False",
        "base_True_basic",
        "base_True_leaf_True_True",
        "base_True_leaf_True_False",
        "base_True_leaf_False_True",
        "base_True_leaf_False_False",
        "lam",
    )
    # A partial has no __name__ (numbered), a lambda and a def have one.
    assert ids(source, "test_b") == (
        "fn0-base_False_basic",
        "fn1-base_False_leaf_True_True",
        "fn2-base_False_leaf_True_False",
        "fn3-base_False_leaf_False_True",
        "fn4-base_False_leaf_False_False",
        "fn5-base_True_basic",
        "fn6-base_True_leaf_True_True",
        "fn7-base_True_leaf_True_False",
        "fn8-base_True_leaf_False_True",
        "fn9-base_True_leaf_False_False",
        "<lambda>-lam",
        "mk-fn",
    )


def test_returned_list_built_with_append_and_if() -> None:
    source = """
        import pytest
        SIZES = [1, 2, 3, 4]

        def sizes(limit=3):
            out = []
            for n in SIZES:
                if n > limit:
                    break
                if n % 2:
                    out.append((n, str(n) * 2))
                else:
                    out.extend([(n, "even")])
            return out

        @pytest.mark.parametrize("n,label", sizes())
        def test_a(n, label): pass
    """
    assert ids(source) == ("1-11", "2-even", "3-33")


def test_dict_views_stay_live() -> None:
    """Checked against pytest: a view shows what is added after it is made."""
    source = """
        import pytest

        def cases():
            table = {"a": 1}
            keys = table.keys()
            table["b"] = 2
            return list(keys)

        @pytest.mark.parametrize("k", cases())
        def test_a(k): pass
    """
    assert ids(source) == ("a", "b")


def test_string_chain_and_set_difference() -> None:
    source = """
        import pytest
        CODES = {"int": "bh", "float": "ef"}
        METHODS = ["a", "b", "c"]
        WEIGHTED = ["b"]

        @pytest.mark.parametrize("code", "O" + CODES["int"] + CODES["float"])
        def test_a(code): pass

        @pytest.mark.parametrize("m", sorted(set(METHODS) - set(WEIGHTED)))
        def test_b(m): pass
    """
    assert ids(source) == ("O", "b", "h", "e", "f")
    assert ids(source, "test_b") == ("a", "c")


def test_list_of_an_enum() -> None:
    source = """
        import enum
        from enum import Enum, auto
        from functools import total_ordering
        import pytest

        @total_ordering
        class Scope(Enum):
            '''Scopes.'''
            Function = "function"
            Class = "class"
            Alias = "function"  # an alias: iteration skips it

            def __lt__(self, other):
                return True

        class Action(enum.Enum):
            MKDIR = auto()
            SET = auto()

        @pytest.mark.parametrize("scope", list(Scope))
        def test_a(scope): pass

        @pytest.mark.parametrize("action", [a for a in Action if a is not None])
        def test_b(action): pass

        @pytest.mark.parametrize("name", [f"{s}-{s.value}" for s in Scope])
        def test_c(name): pass
    """
    assert ids(source) == ("Scope.Function", "Scope.Class")
    assert ids(source, "test_b") == ("Action.MKDIR", "Action.SET")
    assert ids(source, "test_c") == ("Scope.Function-function", "Scope.Class-class")


def test_helper_in_another_module_is_followed(tmp_path: Path) -> None:
    collection = collect_file(
        tmp_path,
        {
            "tests/helpers.py": """
                from enum import Enum

                class Mode(Enum):
                    FAST = 1
                    SLOW = 2

                def shapes():
                    for n in range(1, 3):
                        yield (n,) * n
                """,
            "tests/test_it.py": """
                import pytest
                from helpers import Mode, shapes

                @pytest.mark.parametrize("shape", list(shapes()))
                def test_shape(shape): pass

                @pytest.mark.parametrize("mode", Mode)
                def test_mode(mode): pass
                """,
        },
        "tests/test_it.py",
    )
    found = by_id(collection)
    assert found["test_shape"].case_ids == ("shape0", "shape1")
    assert found["test_mode"].case_ids == ("Mode.FAST", "Mode.SLOW")


def test_torch_parametrize_over_a_computed_table(tmp_path: Path) -> None:
    collection = collect_file(
        tmp_path,
        {
            "test/test_views.py": """
                from torch.testing._internal.common_utils import (
                    TestCase, parametrize, instantiate_parametrized_tests,
                )

                def view_cases():
                    for nt in [False, True]:
                        yield (lambda: nt), f"nt_{nt}"

                VIEWS = {k: v for v, k in view_cases()}

                class TestViews(TestCase):
                    @parametrize("name", [k for k in VIEWS if k != "nt_True"])
                    def test_view(self, name): pass

                instantiate_parametrized_tests(TestViews)
                """,
        },
        "test/test_views.py",
        site=TORCH,
    )
    assert list(by_id(collection)) == ["TestViews::test_view_name_nt_False"]
    assert collection.complete


# --- what is refused --------------------------------------------------------------------


@pytest.mark.parametrize(
    "helper",
    [
        # A call of an unknown function may do anything (and its value is unknown).
        "def cases():\n    return [make(1), make(2)]",
        "def cases():\n    yield from load_cases()",
        # Loops that are not over known values, and while loops.
        "def cases():\n    n = 0\n    while n < 2:\n        yield n\n        n += 1",
        # try and with blocks.
        "def cases():\n    try:\n        return [1]\n    except Exception:\n        return [2]",
        # A list the helper did not make is never changed.
        "def cases():\n    SHARED.append(3)\n    return SHARED",
        # A mutable default is shared between calls.
        "def cases(acc=[]):\n    acc.append(1)\n    return acc",
        # A decorated helper is whatever the decorator makes of it.
        "@functools.cache\ndef cases():\n    return [1, 2]",
        # Identity of objects: only None, True and False are certain.
        "def cases():\n    return [op for op in OPS if op is not operator.pow]",
        # A set of strings iterates in an order the hash seed decides.
        'def cases():\n    return list({"a", "b", "c"})',
        # A generator consumed twice.
        "def gen():\n    yield 1\n\ndef cases():\n    g = gen()\n    list(g)\n    return list(g)",
        # Names that are not settled: bound twice, or by a loop.
        "def cases():\n    return [1]\n\ndef cases():\n    return [2]",
        # A module-level iterator holds what earlier uses left of it.
        "PAIRS = zip([1, 2], [3, 4])\n\ndef cases():\n    return list(PAIRS)",
        # Untrusted source that would take the build's memory: refused before the
        # value is made (squaring, doubling, a huge format width, a growing replace).
        "def cases():\n    n = 10\n    for _ in range(60):\n        n = n * n\n    return [n]",
        'def cases():\n    s = "ab"\n    for _ in range(60):\n        s = s + s\n    return [s]',
        'def cases():\n    return ["{:1000000000}".format(1)]',
        'def cases():\n    return [f"{1:>1000000000}"]',
        'def cases():\n    s = "x" * 5000\n    return [s.replace("x", "xxxxxxxxxx")]',
        "def cases():\n    return [7 ** 100000]",
    ],
)
def test_impure_or_unknowable_helpers_are_refused(helper: str) -> None:
    source = (
        "import functools\nimport operator\nimport pytest\n"
        "SHARED = [1, 2]\nOPS = [operator.add, operator.pow]\n\n"
        f"{helper}\n\n"
        '@pytest.mark.parametrize("x", cases())\n'
        "def test_a(x): pass\n"
    )
    assert ids(source) is None


def test_a_global_changed_anywhere_is_not_read() -> None:
    source = """
        import pytest
        CASES = [1, 2]

        def extend():
            CASES.append(3)

        def cases():
            return [c * 10 for c in CASES]

        @pytest.mark.parametrize("x", cases())
        def test_a(x): pass
    """
    assert ids(source) is None


def test_a_class_body_name_hides_the_module_helper() -> None:
    source = """
        import pytest

        def cases():
            return [1, 2]

        class TestX:
            cases = staticmethod(lambda: [3])

            @pytest.mark.parametrize("x", cases())
            def test_a(self, x): pass
    """
    assert collected(source)["TestX::test_a"].case_ids is None


def test_objects_of_unknown_kind_get_no_id() -> None:
    """A value made by an unknown call may be a class (named) or an instance (numbered)."""
    source = """
        import pytest
        import numpy as np

        def cases():
            for n in [1, 2]:
                yield np.dtype(n)

        @pytest.mark.parametrize("x", cases())
        def test_a(x): pass
    """
    assert ids(source) is None


def test_a_helper_cut_when_read_from_another_module_is_not_run(tmp_path: Path) -> None:
    """Long helpers of other modules keep no body: the cut must never read as empty."""
    body = "\n".join(f"    yield {n}" for n in range(50))
    collection = collect_file(
        tmp_path,
        {
            "tests/helpers.py": f"def many():\n{body}\n",
            "tests/test_it.py": """
                import pytest
                from helpers import many

                @pytest.mark.parametrize("n", many())
                def test_n(n): pass
                """,
        },
        "tests/test_it.py",
    )
    test = by_id(collection)["test_n"]
    assert not test.exact
    assert test.cases is None


# --- enum classes ---------------------------------------------------------------------


def _enum(source: str) -> EnumClass:
    tree = ast.parse(textwrap.dedent(source))
    node = tree.body[-1]
    assert isinstance(node, ast.ClassDef)
    names = {"Enum": "enum.Enum", "IntEnum": "enum.IntEnum", "auto": "enum.auto"}
    return enum_class(node, lambda n: names.get(ast.unparse(n), ast.unparse(n)), "m")


def test_enum_members_in_order_without_aliases() -> None:
    found = _enum(
        """
        class Color(Enum):
            RED = 1
            GREEN = 2
            CRIMSON = 1.0  # equal to 1: an alias
            BLUE: int = 3
        """
    )
    assert [str(m) for m in found.members] == ["Color.RED", "Color.GREEN", "Color.BLUE"]
    assert found.members[0] == EnumMember("Color", "RED", 1, "m")


@pytest.mark.parametrize(
    "source",
    [
        # str() of an IntEnum member differs between Python versions.
        "class E(IntEnum):\n    A = 1",
        # __str__ changes the ID, __new__ and __init__ the values.
        "class E(Enum):\n    A = 1\n    def __str__(self):\n        return 'a'",
        "class E(Enum):\n    A = 1\n    def __new__(cls, v):\n        return object.__new__(cls)",
        # auto() mixed with values may alias.
        "class E(Enum):\n    A = 2\n    B = auto()",
        # Names starting with an underscore, nested classes, computed values.
        "class E(Enum):\n    _A = 1",
        "class E(Enum):\n    A = 1\n    class B:\n        pass",
        "class E(Enum):\n    A = compute()",
        # A metaclass, or a decorator that may change it.
        "class E(Enum, metaclass=Meta):\n    A = 1",
        "@register\nclass E(Enum):\n    A = 1",
    ],
)
def test_enums_that_may_change_their_members_are_refused(source: str) -> None:
    with pytest.raises(Unknown):
        _enum(source)


# --- dict views and ids= of any iterable ------------------------------------------------


def test_dict_values_items_and_ids_from_keys() -> None:
    """Checked against pytest: a dict display's values keep their first key's place."""
    source = """
        import pytest
        import numpy as np
        T = {"0d": np.array(5), "1d": np.array([1]), "0d": np.array(6)}
        S = {"a": ("x", 1), "b": pytest.param("y", 2, id="B")}

        @pytest.mark.parametrize("mat", T.values(), ids=T.keys())
        def test_a(mat): pass

        @pytest.mark.parametrize("s,n", S.values())
        def test_b(s, n): pass

        @pytest.mark.parametrize("k,v", S.items())
        def test_c(k, v): pass

        @pytest.mark.parametrize("mat", T.values(), ids=T)
        def test_d(mat): pass

        @pytest.mark.parametrize("n", [1, 2], ids=[f"n{i}" for i in range(2)])
        def test_e(n): pass
    """
    assert ids(source) == ("0d", "1d")
    assert ids(source, "test_b") == ("x-1", "B")
    # pytest says "a-v0", "b-v1": a tuple value is numbered; the count alone is claimed.
    found = collected(source)["test_c"]
    assert (found.exact, found.cases, found.case_ids) == (True, 2, None)
    assert ids(source, "test_d") == ("0d", "1d")
    assert ids(source, "test_e") == ("n0", "n1")
