"""Options are declared once, as fields of ``TestdocsConfig``: registration, checks and
the build config come from that declaration, in a real Sphinx build."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sphinx

from sphinx_testdocs import config as declared
from sphinx_testdocs.config import OPTIONS, read_config
from sphinx_testdocs.render.module import SECTION_KEYS, SECTIONS
from tests.helpers import write_tree


def test_every_field_is_registered_with_its_declared_default() -> None:
    assert [o.name for o in OPTIONS] == [f.name for f in fields(declared.TestdocsConfig)]
    defaults = declared.TestdocsConfig()
    for option in OPTIONS:
        frozen = getattr(defaults, option.name)
        expected = tuple(option.default) if isinstance(option.default, list) else option.default
        assert frozen == expected, option.name
        assert option.help.strip(), option.name
        assert option.check(option.default) is None, option.name


def test_bad_values_fall_back_and_are_all_reported() -> None:
    given = SimpleNamespace(
        testdocs_dirs="tests",  # a string, not a list
        testdocs_toctree_files=True,  # a bool is not an int here
        testdocs_section_titles={"nosuch": "X"},
        testdocs_collapse_source_lines=10,
    )
    config, errors = read_config(given)
    assert config.dirs == ()
    assert config.toctree_files is None
    assert config.section_titles == {}
    assert config.collapse_source_lines == 10
    assert len(errors) == 3
    assert any("testdocs_section_titles must be section keys among metadata" in e for e in errors)


def test_sections_registry_covers_the_finding_sections() -> None:
    from sphinx_testdocs.analysis.rules import SECTIONS as FINDING_SECTIONS

    assert set(FINDING_SECTIONS) <= set(SECTION_KEYS)
    assert len(set(SECTION_KEYS)) == len(SECTIONS)


def test_bad_options_warn_once_each_in_a_build(make_app: Any, tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "conf.py": "extensions = ['sphinx_testdocs']\n"
            "testdocs_dirs = 'tests'\n"
            "testdocs_section_titles = {'nosuch': 'X'}\n",
            "index.rst": "Root\n====\n",
            "tests/test_a.py": "def test_a():\n    pass\n",
        },
    )
    app = make_app("html", srcdir=tmp_path)
    app.build()
    text = app.warning.getvalue()
    assert text.count("testdocs_dirs must be a list of strings, not 'tests'") == 1
    assert text.count("testdocs_section_titles must be section keys among") == 1
    if sphinx.version_info >= (8,):  # older versions print no type and subtype
        assert text.count("[testdocs.config]") == 2
    assert Path(app.outdir, "index.html").exists()


@pytest.mark.parametrize(
    ("value", "types", "problem"),
    [
        (True, None, None),
        (False, frozenset(), None),
        (["function", "method"], {"function", "method"}, None),
        (["functon"], None, "object types among module, class"),
        ("function", None, "True, False or a list of Python object types"),
    ],
)
def test_tested_by_options_take_a_bool_or_object_types(
    value: object, types: set[str] | None, problem: str | None
) -> None:
    from sphinx_testdocs.config import PY_OBJTYPES, objtypes_of

    config, errors = read_config(SimpleNamespace(testdocs_tested_by_autodoc=value))
    if problem is None:
        assert errors == []
        expected = frozenset(PY_OBJTYPES) if types is None else frozenset(types)
        assert objtypes_of(config.tested_by_autodoc) == expected
    else:
        [error] = errors
        assert problem in error
        assert config.tested_by_autodoc is False  # the default


@pytest.mark.parametrize(
    ("value", "listed"),
    [(1, False), (["functoin", "method"], False), (["function"], True), (True, True)],
)
def test_the_autodoc_lists_follow_the_checked_option(
    make_app: Any, tmp_path: Path, value: object, listed: bool
) -> None:
    # A value that fails its check warns once and falls back to the default (no lists),
    # in the build too: the handler reads the checked option, not conf.py's raw value.
    srcdir = write_tree(
        tmp_path / "src",
        {
            "conf.py": (
                "import sys, pathlib\n"
                "sys.path.insert(0, str(pathlib.Path(__file__).parent))\n"
                "extensions = ['sphinx.ext.autodoc', 'sphinx_testdocs']\n"
                "testdocs_dirs = ['tests']\n"
                "exclude_patterns = ['tests']\n"
                "show_warning_types = True\n"
                f"testdocs_tested_by_autodoc = {value!r}\n"
            ),
            "index.rst": "API\n===\n\n.. automodule:: mod\n   :members:\n",
            "mod.py": (
                'def area(side):\n    """An area."""\n    return side * side\n\n\n'
                'class Square:\n    """A square."""\n\n'
                '    def grow(self):\n        """Grows."""\n'
            ),
            "tests/test_mod.py": (
                "from mod import Square, area\n\n\n"
                "def test_area():\n    area(2)\n    Square().grow()\n"
            ),
        },
    )
    app = make_app("text", srcdir=srcdir, freshenv=True)
    app.build()
    warnings = app.warning.getvalue().strip().splitlines()
    assert len(warnings) == (0 if listed else 1), warnings
    if not listed:
        assert "testdocs_tested_by_autodoc" in warnings[0]
    text = (Path(app.outdir) / "index.txt").read_text()
    assert ("Tested by" in text) is listed
    if listed:
        assert "test_area" in text
