"""The project's own documentation builds with ``-nW`` and lists every option and warning."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
from sphinx.cmd.build import build_main

from sphinx_testdocs._log import Subtype
from sphinx_testdocs.config import OPTIONS
from sphinx_testdocs.render.module import SECTIONS

REPO = Path(__file__).parent.parent
DOCS = REPO / "docs"
IGNORE = shutil.ignore_patterns(
    "_build", "testdocs", "__pycache__", ".pytest_cache", ".hypothesis", "*.pyc"
)

pytestmark = pytest.mark.skipif(
    not (DOCS / "conf.py").is_file(), reason="docs/ is not part of this checkout"
)


@pytest.fixture(scope="module")
def built_docs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str]:
    """A copy of docs/ and tests/ (what the docs document), built once for the module.

    Built from a copy so the stubs the extension writes never land in the working tree.
    """
    root = tmp_path_factory.mktemp("docs-build")
    shutil.copytree(DOCS, root / "docs", ignore=IGNORE)
    shutil.copytree(REPO / "tests", root / "tests", ignore=IGNORE)
    shutil.copy2(REPO / "pyproject.toml", root / "pyproject.toml")
    out = root / "html"
    warnings = root / "warnings.txt"
    args = ["-nW", "--keep-going", "-q", "-w", str(warnings), str(root / "docs"), str(out)]
    if importlib.util.find_spec("furo") is None:
        # The docs theme comes with the "docs" extra; the content is what is tested here.
        args[:0] = ["-D", "html_theme=alabaster"]
    status = build_main(args)
    return out, status, warnings.read_text(encoding="utf-8")


def test_docs_build_without_warnings(built_docs: tuple[Path, int, str]) -> None:
    _, status, warnings = built_docs
    assert warnings == ""
    assert status == 0


def test_configuration_reference_lists_every_option(built_docs: tuple[Path, int, str]) -> None:
    out, _, _ = built_docs
    page = (out / "configuration.html").read_text(encoding="utf-8")
    for option in OPTIONS:
        assert f'id="confval-testdocs_{option.name}"' in page
    for key, title in ((s.key, s.title) for s in SECTIONS):
        assert f'<span class="pre">{key}</span>' in page
        assert title.replace("&", "&amp;") in page


def test_warnings_reference_lists_every_subtype(built_docs: tuple[Path, int, str]) -> None:
    out, _, _ = built_docs
    page = (out / "warnings.html").read_text(encoding="utf-8")
    for member in Subtype:
        anchor = f"warning-testdocs-{member.value}".replace("_", "-")
        assert f'id="{anchor}"' in page
        assert f'<span class="pre">testdocs.{member.value}</span>' in page


def test_our_own_tests_are_documented(built_docs: tuple[Path, int, str]) -> None:
    out, _, _ = built_docs
    pages = out / "testdocs" / "tests"
    assert "test_docs_build_without_warnings" in (pages / "test_docs.py.html").read_text("utf-8")
    assert not (pages / "roots").exists()  # testdocs_exclude = ["roots/**"]
    # The MyST page went through myst-parser and rendered a directive.
    anatomy = (out / "page-anatomy.html").read_text(encoding="utf-8")
    assert "What a page contains" in anatomy
    assert "Cross-References" in anatomy
