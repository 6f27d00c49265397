"""What module pages say a file is for: comments above tests, fixtures every test gets,
and what a conftest.py adds. Inline sources, no Sphinx (``tests/test_page_facts.py``
checks the pages)."""

from __future__ import annotations

import ast
import textwrap

import pytest

from sphinx_testdocs.analysis.analyse import AnalysisContext, analyse_bytes
from sphinx_testdocs.analysis.comments import read_comments
from sphinx_testdocs.analysis.conftest_rules import MarkerDecl, read_conftest
from sphinx_testdocs.analysis.model import Definition, ModuleAnalysis
from sphinx_testdocs.analysis.pytest_config import PytestConfig
from tests.analysis.test_collection import run


def analysed(source: str, name: str = "test_mod.py") -> ModuleAnalysis:
    data = textwrap.dedent(source).encode()
    return analyse_bytes(data, relpath=name, context=AnalysisContext())


def definition(analysis: ModuleAnalysis, qualname: str) -> Definition:
    return next(d for d in analysis.all_definitions() if d.qualname == qualname)


# --- comments above tests --------------------------------------------------------------


COMMENTED = """\
    #!/usr/bin/env python3
    # -*- coding: utf-8 -*-
    # Owner(s): ["module: widgets"]

    # Copyright (c) 2026 The Widget Authors.
    # Licensed under the MIT license.

    # Tests of the widget registry:
    # building and naming.
    #
    # A second paragraph, not part of the summary.

    import pytest


    # Builds one widget.
    def test_build():
        x = "# a string, not a comment"


    # About the tests below, in general.

    def test_after_blank_line():
        pass


    # Runs only with --runslow.
    @pytest.mark.slow
    @pytest.mark.parametrize("n", [1, 2])
    def test_decorated(n):
        pass


    # noqa: E501
    # type: ignore
    def test_directives_only():
        pass


    # ----------------------------------------
    # Checks that a ruler is no summary.
    def test_ruler():
        pass


    # Not shown: the docstring says it.
    def test_docstring():
        '''What the docstring says.'''


    class TestGroup:
        # Checks a method.
        def test_method(self):
            pass
    """


def test_a_test_without_docstring_is_described_by_the_comment_above() -> None:
    analysis = analysed(COMMENTED)
    comment = {d.qualname: d.comment_summary for d in analysis.all_definitions()}
    assert comment["test_build"] == "Builds one widget."
    # Above the first decorator, decorators between comment and def.
    assert comment["test_decorated"] == "Runs only with --runslow."
    assert comment["test_ruler"] == "Checks that a ruler is no summary."
    assert comment["TestGroup.test_method"] == "Checks a method."


def test_comments_that_do_not_describe_a_test_are_not_taken() -> None:
    analysis = analysed(COMMENTED)
    # A blank line between comment and test: the comment is about what follows.
    assert definition(analysis, "test_after_blank_line").comment_summary is None
    # Directives are no prose.
    assert definition(analysis, "test_directives_only").comment_summary is None
    # A docstring wins: the comment is not read at all.
    docstring = definition(analysis, "test_docstring")
    assert docstring.docstring_summary == "What the docstring says."
    assert docstring.comment_summary is None
    # A "#" inside a string is no comment.
    assert "a string" not in str([d.comment_summary for d in analysis.all_definitions()])


def test_a_module_without_docstring_is_described_by_its_first_comment() -> None:
    analysis = analysed(COMMENTED)
    # Shebang, coding, Owner(s) and the license block are skipped; the first
    # paragraph is joined on one line.
    assert analysis.docstring_summary is None
    assert analysis.comment_summary == "Tests of the widget registry: building and naming."


def test_the_first_tests_comment_is_not_the_modules() -> None:
    analysis = analysed('# Owner(s): ["x"]\n\n# Builds it.\ndef test_a():\n    pass\n')
    assert analysis.comment_summary is None
    assert definition(analysis, "test_a").comment_summary == "Builds it."


def test_a_module_docstring_wins_over_its_comment() -> None:
    analysis = analysed('# A comment.\n\n"""The docstring."""\n')
    assert analysis.docstring_summary == "The docstring."
    assert analysis.comment_summary is None


def test_a_comment_looking_line_inside_a_string_is_no_comment() -> None:
    # Each string ends on the line above the definition: the cheap check cannot clear
    # it, the parsed literals decide. A real comment above the string still counts.
    source = (
        '# Real.\nx = """\n# In a string.\n"""\ndef f(): pass\n'
        "y = '''\n# Also in one.'''\ndef g(): pass\n"
        "z = 'a\\\n# continued'\ndef h(): pass\n"
        "# Above i.\ndef i(): pass\n"
    )
    comments = read_comments(source.split("\n"), ast.parse(source))
    assert comments.above(5) is None
    assert comments.above(8) is None
    assert comments.above(11) is None
    assert comments.above(13) == "Above i."
    assert comments.module_summary(None) == "Real."
    # The same through the whole analysis (the parse reaches the comments).
    summaries = {d.qualname: d.comment_summary for d in analysed(source).all_definitions()}
    assert summaries == {"f": None, "g": None, "h": None, "i": "Above i."}


# --- fixtures every test gets --------------------------------------------------------

AUTOUSE = """\
    import pytest

    @pytest.fixture(autouse=True, scope="session")
    def env():
        yield

    @pytest.fixture(autouse=True)
    def clean():
        pass

    @pytest.fixture
    def widget():
        return 1

    def test_a(widget):
        pass

    def test_b(clean):
        pass

    @pytest.mark.usefixtures("widget")
    def test_c():
        pass

    class TestGroup:
        @pytest.fixture(autouse=True)
        def group_setup(self):
            pass

        def test_d(self):
            pass
    """


def test_requests_say_how_the_test_gets_each_fixture() -> None:
    tests = {t.name: t for t in run(AUTOUSE).tests}
    via = {name: [(f.name, f.via) for f in t.fixtures] for name, t in tests.items()}
    assert via["test_a"] == [("env", "autouse"), ("clean", "autouse"), ("widget", "argument")]
    # Named as an argument too: the test's own request.
    assert via["test_b"] == [("env", "autouse"), ("clean", "argument")]
    assert via["test_c"][-1] == ("widget", "usefixtures")
    assert via["test_d"] == [
        ("env", "autouse"),
        ("clean", "autouse"),
        ("group_setup", "autouse"),
    ]


def test_the_fixtures_every_test_gets_unasked_are_said_once() -> None:
    shared = run(AUTOUSE).fixtures_for_all()
    # group_setup is autouse in one class only: its tests list it themselves.
    assert [(f.name, f.via) for f in shared] == [("env", "autouse"), ("clean", "autouse")]
    assert shared[0].resolved is not None and shared[0].resolved.scope == "session"


def test_the_configurations_usefixtures_is_said_once_too() -> None:
    config = PytestConfig(usefixtures=("widget",))
    shared = run(AUTOUSE, config=config).fixtures_for_all()
    assert ("widget", "config") in [(f.name, f.via) for f in shared]


def test_a_module_without_tests_has_no_shared_fixtures() -> None:
    assert run("import pytest\n").fixtures_for_all() == ()


# --- what a conftest.py adds ---------------------------------------------------------

CONFTEST = """\
    import os
    import pytest

    def pytest_addoption(parser):
        parser.addoption("--runslow", action="store_true", default=False, help="run slow")
        group = parser.getgroup("widgets")
        group.addoption("--size", "-Z", type=int, default=3, help="widget size")
        parser.getgroup("other").addoption("--seed", default=os.environ.get("SEED"))
        parser.addini("widget_theme", "theme of the widgets")

    def pytest_configure(config):
        config.addinivalue_line("markers", "slow: takes long")
        config.addinivalue_line("markers", "gpu(count): needs count GPUs")
        for line in EXTRA:
            config.addinivalue_line("markers", line)

    def pytest_ignore_collect(collection_path, config):
        return None

    def helper():
        pass
    """


def test_a_conftest_is_read_for_options_markers_and_hooks() -> None:
    rules = read_conftest(ast.parse(textwrap.dedent(CONFTEST)))
    options = {o.names: o for o in rules.options}
    assert set(options) == {("--runslow",), ("--size", "-Z"), ("--seed",)}
    assert options[("--runslow",)].default == "False"
    assert options[("--runslow",)].help == "run slow"
    assert options[("--size", "-Z")].group == "widgets"
    assert options[("--size", "-Z")].default == "3"
    # A computed default is said to be computed, never guessed.
    seed = options[("--seed",)]
    assert (seed.default, seed.default_known, seed.group) == (None, False, "other")
    assert [(s.name, s.help) for s in rules.ini_settings] == [
        ("widget_theme", "theme of the widgets")
    ]
    assert rules.markers == (
        MarkerDecl("slow", 12, "takes long", "slow"),
        MarkerDecl("gpu", 13, "needs count GPUs", "gpu(count)"),
        MarkerDecl(None, 15),
    )
    assert rules.hook_functions == (
        ("pytest_addoption", 4),
        ("pytest_configure", 11),
        ("pytest_ignore_collect", 17),
    )
    # The collection hooks keep their own list (``analysis.selection`` reads it).
    assert rules.hooks == (("pytest_ignore_collect", 17),)


@pytest.mark.parametrize("name", ["conftest.py", "test_mod.py"])
def test_only_a_conftest_analysis_carries_what_it_adds(name: str) -> None:
    analysis = analysed(CONFTEST, name)
    assert (analysis.conftest is not None) == (name == "conftest.py")
