"""The Dependencies section knows the project's own code and the test tree's modules."""

from __future__ import annotations

import re
import subprocess
import sys
from html import unescape
from pathlib import Path
from typing import Any

from sphinx_testdocs.analysis.imports import (
    ImportClassifier,
    declared_name,
    first_party_names,
    tree_module_names,
)
from sphinx_testdocs.analysis.model import ImportOrigin
from tests.helpers import recording_reads

PYTEST = (sys.executable, "-m", "pytest")


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


#: PyTorch's layout: the tests import ``torch`` (the project, named by setup.py) and
#: modules beside them (test/test_jit.py, test/pytest_shard_custom.py) by bare name.
TORCHLIKE = {
    "setup.py": "from setuptools import setup\n\nsetup(name='torch', version='0')\n",
    "test/conftest.py": "import pytest_shard_custom\n",
    "test/pytest_shard_custom.py": "SHARDS = 1\n",
    "test/test_jit.py": "class JitTestCase:\n    pass\n",
    "test/dynamo/__init__.py": "",
    "test/dynamo/test_compile.py": (
        "import os\n"
        "import pytest\n"
        "from test_jit import JitTestCase\n\n\n"
        "class TestCompile(JitTestCase):\n"
        "    def test_compile(self):\n"
        "        import torch\n"
        "        import torch.nn\n"
        "        assert torch\n"
    ),
    "docs/index.rst": "Docs\n====\n",
    "docs/conf.py": "extensions = ['sphinx_testdocs']\ntestdocs_dirs = ['../test/dynamo']\n",
}


def test_the_project_name_is_read_from_its_packaging_files(tmp_path: Path) -> None:
    cases = {
        "pyproject.toml": '[project]\nname = "my-pkg"\n',
        "setup.cfg": "[metadata]\nname = my.pkg\n",
        "setup.py": "import setuptools\nsetuptools.setup(name='my_pkg')\n",
    }
    for source, text in cases.items():
        folder = tmp_path / source
        _write(folder, {source: text})
        assert declared_name(folder) == ("my_pkg", source)
    _write(tmp_path / "computed", {"setup.py": "setup(name=NAME)\n"})
    assert declared_name(tmp_path / "computed") is None  # never guessed


def test_first_party_and_local_names_carry_their_evidence(tmp_path: Path) -> None:
    _write(tmp_path, {**TORCHLIKE, "src/other/__init__.py": "", "docs/x.py": ""})
    first = first_party_names(tmp_path, ["extra"])
    assert first == {
        "extra": "named in testdocs_first_party",
        "torch": "the project's name in setup.py",
        "other": "a package in src/",
    }
    local = tree_module_names(tmp_path / "test" / "dynamo", ["__init__.py", "test_compile.py"])
    # test/dynamo is a package: pytest puts test/ on sys.path, so its siblings import.
    assert set(local) == {"conftest", "dynamo", "pytest_shard_custom", "test_jit"}
    assert local["test_jit"] == "in test/, on sys.path as pytest imports the test files there"
    classify = ImportClassifier(tuple(first.items()), tuple(local.items()))
    assert classify("torch.nn", 0) is ImportOrigin.FIRST_PARTY
    assert classify("test_jit", 0) is ImportOrigin.LOCAL
    assert classify("os.path", 0) is ImportOrigin.STDLIB
    assert classify("pytest", 0) is ImportOrigin.THIRD_PARTY
    # test/ has no __init__.py: "import test" is not the tree (Python's own package).
    assert classify("test.support", 0) is not ImportOrigin.LOCAL
    assert classify("torch", 0).is_project and not classify("pytest", 0).is_project


def test_the_page_says_what_is_first_party_and_local_and_why(
    make_app: Any, tmp_path: Path
) -> None:
    _write(tmp_path, TORCHLIKE)
    # The claim is pytest's: from the project root, it imports both by bare name.
    collected = subprocess.run(
        [*PYTEST, "--collect-only", "-q", "-p", "no:cacheprovider", "test/dynamo"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert "test/dynamo/test_compile.py::TestCompile::test_compile" in collected.stdout

    app = make_app("html", srcdir=tmp_path / "docs", warningiserror=True)
    app.build()
    html = (Path(app.outdir) / "testdocs/dynamo/test_compile.py.html").read_text()
    deps = html[html.index('id="dependencies"') :]
    deps = unescape(re.sub(r"<[^>]+>", "", deps[: deps.index("</section>")]))
    third = deps[deps.index("Third party (1)") : deps.index("First party (2)")]
    first = deps[deps.index("First party (2)") : deps.index("Local (1)")]
    local = deps[deps.index("Local (1)") :]
    assert "pytest" in third and "torch" not in third
    assert "torch (line 8; imported inside a function or block; first party: the " in first
    assert "project's name in setup.py)" in first and "torch.nn (line 9" in first
    # Said once per package, not on each of its modules.
    assert first.count("name in setup.py") == 1
    assert "test_jit" in local
    assert (
        "test_jit: JitTestCase (line 3; local: in test/, on sys.path as pytest imports "
        "the test files there)"
    ) in local


def test_a_module_added_beside_the_tests_reclassifies_the_imports_of_unchanged_pages(
    make_app: Any, tmp_path: Path
) -> None:
    files = {rel: text for rel, text in TORCHLIKE.items() if rel != "test/test_jit.py"}
    _write(tmp_path, files)
    page = "testdocs/dynamo/test_compile.py"
    first = make_app("html", srcdir=tmp_path / "docs")
    first.build()
    html = (Path(first.outdir) / f"{page}.html").read_text()
    assert "Third party (2)" in html  # pytest and test_jit: nothing says otherwise
    # test/test_jit.py is outside the documented folder: no page of it changed, yet
    # test_compile.py's import of it is now local, and its page is read again.
    _write(tmp_path, {"test/test_jit.py": TORCHLIKE["test/test_jit.py"]})
    again = make_app("html", srcdir=tmp_path / "docs")
    with recording_reads(again) as read:
        again.build()
    assert read == [page]
    html = (Path(again.outdir) / f"{page}.html").read_text()
    assert "Third party (1)" in html and "Local (1)" in html


def test_tests_inside_an_installed_package_are_that_package_s(tmp_path: Path) -> None:
    # NumPy's tests in site-packages: numpy is first party, not every installed package
    # beside it (site-packages is their basedir too).
    site = tmp_path / "site-packages"
    _write(
        site,
        {
            "numpy/__init__.py": "",
            "numpy/core/__init__.py": "",
            "numpy/core/tests/__init__.py": "",
            "numpy/core/tests/test_a.py": "import numpy\n",
            "pytest/__init__.py": "",
        },
    )
    tests = site / "numpy/core/tests"
    first = first_party_names(tmp_path, (), tests, [site])
    assert first == {"numpy": "the installed package these tests are part of"}
    assert tree_module_names(tests, ["__init__.py", "test_a.py"], site_path=[site]) == {}
    # The same tree outside the search path: its basedir is a folder of the project.
    local = tree_module_names(tests, ["__init__.py", "test_a.py"])
    assert "pytest" in local and "numpy" in local
