"""Page plans: what a page shows of other files and what makes it stale are one thing."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from sphinx_testdocs import config
from sphinx_testdocs.crossfile import CrossFile
from sphinx_testdocs.plan import FolderPlan, ModulePlan, Sibling, plan_folder, plan_module
from sphinx_testdocs.project import Project, build_project
from tests.helpers import write_tree


def scan(tree: Path) -> Project:
    options = config.TestdocsConfig(dirs=(str(tree / "tests"),))
    return build_project(options, Path(os.devnull), tree, [])


def plans(tree: Path, rel: str = "helpers.py") -> tuple[ModulePlan, FolderPlan]:
    project = scan(tree)
    root = project.roots[0]
    summaries = {rel: project.summary(root, rel) for rel in sorted(root.known)}
    crossfile = CrossFile({root.key: summaries})
    module = plan_module(project, root, rel, summaries[rel], crossfile)
    folder = plan_folder(root, "", summaries.__getitem__)
    return module, folder


def test_a_module_plan_says_what_the_page_shows_and_changes_with_it(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path,
        {
            "pyproject.toml": "",
            "tests/conftest.py": "import pytest\n\n@pytest.fixture\ndef db():\n    return 1\n",
            "tests/helpers.py": "VALUE = 1\n",
            "tests/test_z.py": "def test_z(db):\n    pass\n",
            "tests/test_a.py": "import helpers\n\ndef test_a(db):\n    pass\n",
        },
    )
    module, folder = plans(tree)
    assert module.imported_by == (Sibling("test_a.py", "testdocs/tests/test_a.py"),)
    assert module.conftests == (Sibling("conftest.py", "testdocs/tests/conftest.py"),)
    sharing = plans(tree, "test_z.py")[0].fixture_sharing
    assert sharing == (("conftest.py::db", (Sibling("test_a.py", "testdocs/tests/test_a.py"),)),)
    names = [s.name for s in module.siblings]
    assert names == ["conftest.py", "helpers.py", "test_a.py", "test_z.py"]
    # Unchanged files, unchanged plans: no page is re-read for nothing.
    assert plans(tree)[0].digest() == module.digest()
    assert plans(tree)[1].digest() == folder.digest()
    # test_a.py stops importing helpers: what helpers' page shows changes, and so does
    # its digest; a new test in test_a.py changes the totals the folder page shows.
    (tree / "tests/test_a.py").write_text("def test_a(db):\n    pass\n\ndef test_b():\n    pass\n")
    module2, folder2 = plans(tree)
    assert module2.imported_by == ()
    assert module2.digest() != module.digest()
    assert folder2.digest() != folder.digest()
    # A new file beside it: helpers' page lists it among its folder's files.
    (tree / "tests/test_c.py").write_text("def test_c():\n    pass\n")
    module3, folder3 = plans(tree)
    assert "test_c.py" in [s.name for s in module3.siblings]
    assert module3.digest() != module2.digest()
    # The project gains pages of its own: the suite page's toctree changes with the
    # navigation, though no file did.
    assert replace(folder3, navigation="suite").digest() != folder3.digest()
