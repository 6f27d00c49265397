"""The suite page joins the root document's toctree only where no toctree of the
project lists it already: a second parent shows the suite twice in the sidebar and
makes Sphinx report "document is referenced in multiple toctrees"."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sphinx import addnodes

ROOTS = Path(__file__).parent / "roots"
SUITE = "testdocs/suite/index"


def parents(app: Any, docname: str) -> list[str]:
    return sorted(p for p, children in app.env.toctree_includes.items() if docname in children)


def host(tmp_path: Path, index_extra: str = "", reference: str | None = None) -> Path:
    srcdir = tmp_path / "host"
    shutil.copytree(ROOTS / "test-basic", srcdir, ignore=shutil.ignore_patterns("testdocs"))
    index = (srcdir / "index.rst").read_text()
    (srcdir / "index.rst").write_text(index + index_extra)
    if reference is not None:
        (srcdir / "reference.rst").write_text(reference)
    return srcdir


def assert_one_parent(app: Any, parent: str) -> None:
    assert parents(app, SUITE) == [parent]
    output = app.status.getvalue() + app.warning.getvalue()
    assert "multiple toctrees" not in output
    # The root page lists the suite in one toctree of its own, or none (through "reference").
    root = app.env.get_doctree("index")
    listing = [n for n in root.findall(addnodes.toctree) if SUITE in n["includefiles"]]
    assert len(listing) == (1 if parent == "index" else 0)


def test_the_suite_listed_by_the_root_document_is_not_added_again(
    make_app: Any, tmp_path: Path
) -> None:
    srcdir = host(tmp_path, "\n.. toctree::\n   :caption: Tests\n\n   testdocs/suite/index\n")
    app = make_app("html", srcdir=srcdir)
    app.build()
    assert_one_parent(app, "index")
    assert app.env.toctree_includes["index"] == [SUITE]


@pytest.mark.parametrize("parallel", [1, 2])
def test_the_suite_listed_by_a_page_read_after_the_root_follows_that_page(
    make_app: Any, tmp_path: Path, parallel: int
) -> None:
    listing = "Reference\n=========\n\n.. toctree::\n\n   testdocs/suite/index\n"
    srcdir = host(tmp_path, "\n.. toctree::\n\n   reference\n", listing)
    app = make_app("html", srcdir=srcdir, parallel=parallel)
    app.build()
    assert_one_parent(app, "reference")
    assert app.env.toctree_includes["index"] == ["reference"]

    # The page stops listing it: the root takes it back in the next, incremental build.
    (srcdir / "reference.rst").write_text("Reference\n=========\n\nNo tests here.\n")
    app = make_app("html", srcdir=srcdir, parallel=parallel)
    app.build()
    assert_one_parent(app, "index")

    # And lists it again: the root lets go of it.
    (srcdir / "reference.rst").write_text(listing)
    app = make_app("html", srcdir=srcdir, parallel=parallel)
    app.build()
    assert_one_parent(app, "reference")
