"""What module pages say once and what they leave out, on a real build of a suite whose
conftest.py has four autouse fixtures, options, markers and hooks (test-pagefacts);
the conftest facts are checked against pytest's own ``--help`` and ``--markers``."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

MODULE = "testdocs/suite/test_widgets.py.txt"
CONFTEST = "testdocs/suite/conftest.py.txt"
AUTOUSE = ("session_env", "reset_registry", "module_clock", "no_network")


def section(page: str, title: str) -> str:
    """The text of one section of a text-builder page."""
    start = page.index(f"\n{title}\n")
    following = re.search(r"\n\n[^\n]+\n=+\n", page[start + len(title) + 2 :])
    end = start + len(title) + 2 + following.start() if following else len(page)
    return page[start:end]


def built(app: Any, warning: Any, doc: str) -> str:
    app.build()
    assert warning.getvalue() == ""
    return (app.outdir / doc).read_text(encoding="utf-8")


def tree_item(analysis: str, name: str) -> str:
    """One definition's entry in the Detailed Analysis: its line and what is under it,
    up to the next definition of the same or an outer level."""
    start = analysis.index(f'"{name}" \N{EM DASH} line')
    line_start = analysis.rfind("\n", 0, start) + 1
    indent = analysis.index("* ", line_start) - line_start
    rest = analysis[start:]
    nxt = re.search(rf"\n {{0,{indent}}}\* ", rest)
    return rest[: nxt.start()] if nxt else rest


@pytest.mark.sphinx("text", testroot="pagefacts")
def test_autouse_fixtures_are_said_once_per_module(app: Any, warning: Any) -> None:
    analysis = section(built(app, warning, MODULE), "Detailed Analysis")
    said_once, tree = analysis.split("may add autouse fixtures of its own.", 1)
    # Said once, with where each comes from and its scope.
    assert "Every test of this file gets these fixtures without requesting them" in said_once
    for name, scope in zip(AUTOUSE, ("session", "function", "module", "function"), strict=True):
        assert re.search(
            rf'"{name}" \N{{EM DASH}} autouse, {scope} scope, defined in\s+"conftest.py"',
            said_once,
        ), name
    # Never again under a test, where each test lists only what it asks for.
    for name in AUTOUSE:
        assert name not in tree
    assert 'fixtures: "widget" (conftest.py:' in tree_item(tree, "test_build")
    assert '"tmp_path" (usefixtures mark, built in)' in tree_item(tree, "test_slow")
    # A class's autouse fixture is no module-wide fact: its tests say it.
    assert '"group_setup" (autouse, test_widgets.py:37)' in tree_item(tree, "test_name")
    assert "fixtures:" not in tree_item(tree, "test_plain")


@pytest.mark.sphinx("text", testroot="pagefacts")
def test_local_classes_are_kept_out_of_the_hierarchy(app: Any, warning: Any) -> None:
    architecture = section(built(app, warning, MODULE), "Architecture & Design")
    hierarchy, local = architecture.split("Local classes, kept out of the hierarchy", 1)
    assert '"TestGroup" has no explicit base class' in hierarchy
    assert '"TestGroup.Inner"' in hierarchy  # nested in a class: the module's own
    for name in ("Local", "Named", "HelperLocal"):
        assert f'"{name}"' not in hierarchy
        assert f'"{name}" (line' in local
    assert "3 classes are defined inside functions (2 tests and 1 other function)" in (
        " ".join(local.split())
    )
    assert 'test "TestGroup.test_name" (line 41): "Named" (line 42)' in local


@pytest.mark.sphinx("text", testroot="pagefacts")
def test_file_metadata_has_no_modification_time(app: Any, warning: Any) -> None:
    metadata = section(built(app, warning, MODULE), "File Metadata")
    assert "Encoding:" in metadata  # the section is there...
    assert "modified" not in metadata.lower()  # ...without the checkout time
    assert not re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", metadata)


@pytest.mark.sphinx("text", testroot="pagefacts")
def test_comments_say_what_a_file_and_its_tests_are_for(app: Any, warning: Any) -> None:
    page = built(app, warning, MODULE)
    purpose = " ".join(section(page, "File Purpose").split())
    assert (
        "The comment at the top of the file says: *Tests of the widget registry: "
        "building, naming and comparing widgets.*"
    ) in purpose
    tree = section(page, "Detailed Analysis")
    assert "# Builds one widget and checks it exists." in tree_item(tree, "test_build")
    assert "# Runs only with --runslow." in tree_item(tree, "test_slow")  # above decorators
    assert "# Checks the group's name." in tree_item(tree, "test_name")
    assert "#" not in tree_item(tree, "test_plain")  # a blank line in between
    assert "#" not in tree_item(tree, "test_directive_only")  # a lint directive says nothing
    docstring = tree_item(tree, "test_docstring")
    assert "The docstring wins over the comment." in docstring
    assert "not shown" not in docstring


@pytest.mark.sphinx("text", testroot="pagefacts")
def test_a_conftest_page_says_what_it_adds(app: Any, warning: Any) -> None:
    purpose = section(built(app, warning, CONFTEST), "File Purpose")
    flat = " ".join(purpose.split())
    assert '"--runslow" — run the slow widget tests (default "False", line 10)' in flat
    assert (
        '"--widget-size" — size of the widgets built (default "3", in the group \'widgets\', '
        "line 14)"
    ) in flat
    assert '"--seed" — random seed (default computed, line 15)' in flat
    assert '"widget_theme" — theme the widgets are drawn in (line 16)' in flat
    assert '"slow" — the test takes long; run with --runslow (line 20)' in flat
    assert '"gpu(count)" — the test needs count GPUs (line 21)' in flat
    for hook in ("pytest_addoption", "pytest_configure", "pytest_collection_modifyitems"):
        assert f'"{hook}"' in flat
    assert "-[ Fixtures (5) ]-" in purpose
    assert '"session_env" — session scope, autouse' in flat
    assert '"widget" — function scope (line 53)' in flat
    # The copyright header is no summary of the file.
    assert "comment at the top" not in flat


@pytest.mark.sphinx("text", testroot="pagefacts")
def test_conftest_facts_match_what_pytest_reports(app: Any, warning: Any) -> None:
    """pytest itself, run on the same tree, shows the options and markers the page lists."""
    purpose = section(built(app, warning, CONFTEST), "File Purpose")
    suite = Path(app.srcdir) / "suite"

    def pytest_output(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
            cwd=suite,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    help_text = pytest_output("--help")
    for option in ("--runslow", "--widget-size", "--seed", "widget_theme"):
        assert f'"{option}"' in purpose
        assert option in help_text
    assert re.search(r"widgets:\n\s+--widget-size", help_text)  # the group the page names
    markers = pytest_output("--markers")
    for marker in ("slow", "gpu(count)"):
        assert f'"{marker}"' in purpose
        assert f"@pytest.mark.{marker}:" in markers
