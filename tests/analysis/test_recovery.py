"""Structure recovery from source the running Python may not parse (``analysis.recovery``).

Every case calls ``recover`` on the text directly: a source that is new syntax on 3.11
may parse on 3.12+, and the answer must be the same either way.
"""

from __future__ import annotations

import textwrap
import time

import pytest

from sphinx_testdocs.analysis.model import Definition, DefKind, ImportedName, ImportOrigin
from sphinx_testdocs.analysis.recovery import Recovered, recover


def outline(result: Recovered) -> list[tuple[str, str, int, int]]:
    """(qualname, kind, line, end_line) of every definition, nested ones included."""
    return [
        (d.qualname, d.kind.value, d.line, d.end_line)
        for top in result.definitions
        for d in top.walk()
    ]


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def by_name(result: Recovered, qualname: str) -> Definition:
    for top in result.definitions:
        for d in top.walk():
            if d.qualname == qualname:
                return d
    raise AssertionError(qualname)


def test_valid_source_is_reported_as_parsed() -> None:
    result = recover(
        src('''
        """Module doc.

        Second paragraph."""
        import os.path as osp, sys
        from .. import helpers as h, conf

        @pytest.mark.slow
        class TestA(Base, metaclass=Meta):
            """Doc of A."""

            async def test_x(self):
                pass

        if __name__ == "__main__":
            run()
        ''')
    )
    assert result.parsed
    assert result.error_lines == ()
    assert result.docstring_summary == "Module doc."
    assert result.main_guard_line == 14
    assert outline(result) == [
        ("TestA", "class", 8, 12),
        ("TestA.test_x", "async function", 11, 12),
    ]
    cls = result.definitions[0]
    assert cls.decorators == ("pytest.mark.slow",)
    assert cls.bases == ("Base", "metaclass=Meta")
    assert cls.docstring_summary == "Doc of A."
    assert [(i.module, i.asname, i.level, i.line) for i in result.imports] == [
        ("os.path", "osp", 0, 4),
        ("sys", None, 0, 4),
        ("", None, 2, 5),
    ]
    assert result.imports[2].names == (ImportedName("helpers", "h"), ImportedName("conf"))
    assert all(i.origin is ImportOrigin.THIRD_PARTY for i in result.imports)


def test_classify_sets_the_origin() -> None:
    result = recover("import os\nfrom . import x\n", classify=lambda m, lv: ImportOrigin.LOCAL)
    assert {i.origin for i in result.imports} == {ImportOrigin.LOCAL}


def test_syntax_error_in_one_method_keeps_the_class_and_other_methods() -> None:
    result = recover(
        src('''
        import pytest

        class TestThing:
            """Things."""

            def test_ok(self):
                assert 1

            @pytest.mark.skip
            def test_broken(self):
                x = = 1
                return x

            def test_after(self):
                """After."""
                import json

        def test_last():
            pass
        ''')
    )
    assert not result.parsed
    assert result.error_lines == (11,)
    assert outline(result) == [
        ("TestThing", "class", 3, 16),
        ("TestThing.test_ok", "function", 6, 7),
        ("TestThing.test_broken", "function", 10, 12),
        ("TestThing.test_after", "function", 14, 16),
        ("test_last", "function", 18, 19),
    ]
    assert by_name(result, "TestThing").docstring_summary == "Things."
    assert by_name(result, "TestThing.test_broken").decorators == ("pytest.mark.skip",)
    assert by_name(result, "TestThing.test_after").docstring_summary == "After."
    assert [(i.module, i.line, i.top_level) for i in result.imports] == [
        ("pytest", 1, True),
        ("json", 16, False),
    ]


def test_pep695_type_parameters_and_type_alias() -> None:
    result = recover(
        src('''
        type Pair[T] = tuple[T, T]

        class Box[T](Base[T], Generic):
            """A box."""

            def get[U](self, other: U) -> T | U:
                return self.item

        @cache
        def first[T](items: list[T]) -> T:
            """First item."""
            return items[0]
        ''')
    )
    assert outline(result) == [
        ("Box", "class", 3, 7),
        ("Box.get", "function", 6, 7),
        ("first", "function", 10, 12),
    ]
    assert by_name(result, "Box").bases == ("Base[T]", "Generic")
    assert by_name(result, "Box").docstring_summary == "A box."
    assert by_name(result, "first").decorators == ("cache",)
    assert by_name(result, "first").docstring_summary == "First item."


def test_pep701_fstrings_tstrings_and_except_star() -> None:
    result = recover(
        src("""
        def test_fstring(data):
            assert f"{data["key"]}" == "v"

        def test_tstring(name):
            return t"hello {name}"

        async def test_group():
            try:
                pass
            except* ValueError:
                pass

        def test_tail():
            pass
        """)
    )
    assert outline(result) == [
        ("test_fstring", "function", 1, 2),
        ("test_tstring", "function", 4, 5),
        ("test_group", "async function", 7, 11),
        ("test_tail", "function", 13, 14),
    ]


def test_unterminated_bracket_at_the_end() -> None:
    result = recover(
        src("""
        from pkg import (a, b as c,
        def test_one():
            pass

        def test_two():
            call(1,
        """)
    )
    assert outline(result) == [("test_one", "function", 2, 3), ("test_two", "function", 5, 6)]
    assert [(i.module, i.names, i.line) for i in result.imports] == [
        ("pkg", (ImportedName("a"), ImportedName("b", "c")), 1)
    ]
    assert 1 in result.error_lines
    assert not result.parsed


def test_unterminated_string_at_the_end() -> None:
    result = recover(
        'class A:\n    def a(self):\n        pass\n    def b(self):\n        """doc\n'
    )
    assert outline(result) == [
        ("A", "class", 1, 5),
        ("A.a", "function", 2, 3),
        ("A.b", "function", 4, 5),
    ]
    assert result.error_lines == (5,)


def test_truncated_header() -> None:
    result = recover("def ok():\n    pass\n\nasync def cut(a, b")
    assert outline(result) == [("ok", "function", 1, 2), ("cut", "async function", 4, 4)]


def test_tabs_and_form_feeds() -> None:
    text = "class A:\n\tdef a(self):\n\t\treturn 1\n\f\n\tdef b(self):\n\t\tx = = 2\n"
    result = recover(text)
    assert outline(result) == [
        ("A", "class", 1, 6),
        ("A.a", "function", 2, 3),
        ("A.b", "function", 5, 6),
    ]
    assert result.error_lines == (6,)


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "   \n\t\n"])
def test_empty_text(text: str) -> None:
    result = recover(text)
    assert result.definitions == ()
    assert result.imports == ()
    assert result.docstring_summary is None
    assert result.main_guard_line is None


def test_nul_bytes() -> None:
    result = recover("import os\x00\ndef f():\n    return 1\n\x00\x00\nclass C:\n    pass\n")
    assert outline(result) == [("f", "function", 2, 3), ("C", "class", 5, 6)]
    assert [i.module for i in result.imports] == ["os"]
    assert result.error_lines == (1, 4)


def test_crlf_and_bom() -> None:
    result = recover("\ufeffdef f():\r\n    x = = 1\r\ndef g():\r    pass\r\n")
    assert outline(result) == [("f", "function", 1, 2), ("g", "function", 3, 4)]


def test_main_guard_found_when_file_is_broken() -> None:
    result = recover("def f(:\n    pass\n\nif __name__ == '__main__':\n    f()\n")
    assert result.main_guard_line == 4
    assert [d.name for d in result.definitions] == ["f"]


def test_very_deep_nesting() -> None:
    depth = 300
    lines = [" " * i + "if x:" for i in range(depth)]
    lines.append(" " * depth + "def inner():")
    lines.append(" " * (depth + 1) + "pass")
    lines.append("def after():")
    lines.append("    pass")
    result = recover("\n".join(lines) + "\n")
    assert ("after", "function", depth + 3, depth + 4) in outline(result)
    assert ("inner", "function", depth + 1, depth + 2) in outline(result)


def test_deeply_nested_brackets() -> None:
    result = recover("x = " + "(" * 5000 + ")" * 5000 + "\ndef f():\n    pass\n")
    assert outline(result) == [("f", "function", 2, 3)]


@pytest.mark.parametrize(
    "text",
    [
        "\x00" * 1000,
        "'''" * 101,
        "def" * 1000,
        "(" * 100_000,
        ")" * 1000 + "]" * 1000,
        "\\\n" * 1000,
        "@\n" * 100,
        "else:\n" * 100,
        "class\n" * 100,
        "\f\t \f" * 1000,
        "\ud800",
        "def f():\n" + "\t \f" * 200 + "pass\n",
        "x = f'{'" * 100,
    ],
)
def test_never_raises(text: str) -> None:
    result = recover(text)
    assert isinstance(result, Recovered)


def test_large_broken_file_is_fast() -> None:
    body = "".join(
        f"def f{i}(x):\n    return x {'+ = 1' if i % 50 == 0 else ''}\n\n" for i in range(20_000)
    )
    start = time.perf_counter()
    result = recover(body)
    elapsed = time.perf_counter() - start
    assert sum(len(d.walk()) for d in result.definitions) == 20_000
    assert len(result.error_lines) == 400
    assert elapsed < 10  # about 0.5 s here; generous for slow CI machines


def test_kinds_are_model_kinds() -> None:
    result = recover("def f[T](): pass\nasync def g[T](): pass\nclass C[T]: pass\n")
    assert [d.kind for d in result.definitions] == [
        DefKind.FUNCTION,
        DefKind.ASYNC_FUNCTION,
        DefKind.CLASS,
    ]
