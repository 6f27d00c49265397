"""Folders pytest never enters get no pages by default, checked against pytest itself."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from sphinx_testdocs.analysis.scan import scan_tree, without_folders
from tests.helpers import recording_reads

#: A project whose test tree holds things that are not tests: a sample application
#: (collect_ignore), build output (norecursedirs' default "build") and, outside
#: testpaths, scripts.
PROJECT = {
    "pytest.ini": "[pytest]\ntestpaths = tests\n",
    "tests/conftest.py": 'collect_ignore = ["test_apps"]\n',
    "tests/test_real.py": "def test_one():\n    pass\n",
    "tests/helpers_mod.py": "VALUE = 1\n",
    "tests/sub/test_sub.py": "def test_sub():\n    pass\n",
    "tests/test_apps/app/test_app.py": "def test_one():\n    pass\n",
    "tests/build/lib/test_built.py": "def test_one():\n    pass\n",
    "scripts/test_script.py": "def test_script():\n    pass\n",
    "docs/index.rst": "Docs\n====\n",
    "docs/conf.py": (
        "extensions = ['sphinx_testdocs']\n"
        "testdocs_dirs = ['..']\n"
        "testdocs_project_root = '..'\n"
        "exclude_patterns = ['_build']\n"
    ),
}
LEFT_OUT = ("tests/test_apps", "tests/build", "scripts")


def _write(root: Path) -> None:
    for rel, text in PROJECT.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _collected_files(root: Path) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    return {line.split("::")[0] for line in out.stdout.splitlines() if "::" in line}


def test_left_out_folders_are_those_pytest_never_enters(make_app: Any, tmp_path: Path) -> None:
    root = tmp_path / "proj"
    _write(root)
    collected = _collected_files(root)
    assert collected == {"tests/test_real.py", "tests/sub/test_sub.py"}

    app = make_app("html", srcdir=root / "docs", warningiserror=True)
    app.build()
    pages = {
        d.removeprefix("testdocs/proj/") for d in app.env.found_docs if d.startswith("testdocs/")
    }
    # Every file pytest collects has its page; nothing under a left-out folder has one.
    assert collected <= pages
    for folder in LEFT_OUT:
        assert (root / folder).is_dir()
        assert not [p for p in pages if p.startswith(folder + "/")], folder
        assert not any(f.startswith(folder + "/") for f in collected)
    # Files pytest does not collect but which live where it goes keep their page.
    assert {"tests/helpers_mod.py", "tests/conftest.py"} <= pages
    # The parent's page names each left-out folder and why.
    tests_page = (Path(app.outdir) / "testdocs/proj/tests/index.html").read_text()
    assert "test_apps/" in tests_page
    assert "folder pytest never enters: tests/conftest.py lists it in collect_ignore" in (
        tests_page
    )
    assert "folder tests/build/ matches norecursedirs (build)" in tests_page
    root_page = (Path(app.outdir) / "testdocs/proj/index.html").read_text()
    assert "it is outside testpaths (tests)" in root_page
    # A test reference is not ambiguous: the sample app's test_one has no object.
    domain = app.env.get_domain("test")
    assert [o.fullname for o in domain.find(["test"], "test_one")] == [
        "tests/test_real.py::test_one"
    ]


def test_uncollected_folders_get_pages_on_request(make_app: Any, tmp_path: Path) -> None:
    root = tmp_path / "proj"
    _write(root)
    app = make_app(
        "html", srcdir=root / "docs", confoverrides={"testdocs_uncollected_folders": True}
    )
    app.build()
    assert "testdocs/proj/tests/test_apps/app/test_app.py" in app.env.found_docs
    assert "testdocs/proj/scripts/test_script.py" in app.env.found_docs


def test_without_folders_keeps_the_root_and_drops_whole_subtrees(tmp_path: Path) -> None:
    _write(tmp_path)
    tree = scan_tree(tmp_path, include=("**/*.py",), exclude=("docs/**",))
    pruned = without_folders(tree, lambda rel: "no" if rel in ("tests/build", "") else None)
    assert [f.relpath for f in pruned.folders if f.relpath.startswith("tests/build")] == []
    assert not [f for f in pruned.files if f.relpath.startswith("tests/build/")]
    assert pruned.folder("") is not None and len(pruned.files) == len(tree.files) - 1


def test_a_folder_pytest_enters_again_gets_its_pages_on_the_next_build(
    make_app: Any, tmp_path: Path
) -> None:
    root = tmp_path / "proj"
    _write(root)
    make_app("html", srcdir=root / "docs").build()
    (root / "tests/conftest.py").write_text("collect_ignore = []\n", encoding="utf-8")
    again = make_app("html", srcdir=root / "docs")
    with recording_reads(again) as read:
        again.build()
    assert "testdocs/proj/tests/test_apps/app/test_app.py" in read
    assert "testdocs/proj/tests/index" in read  # its listing changed
    tests_page = (Path(again.outdir) / "testdocs/proj/tests/index.html").read_text()
    assert "lists it in collect_ignore" not in tests_page
    assert 'href="test_apps/index.html"' in tests_page
