"""What each floor may import: the rules docs/contributing.rst states, checked."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "sphinx_testdocs"


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, at any depth (function-level imports included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_bytes())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            # "from pkg import module" imports pkg.module when it is one.
            found.update(
                f"{node.module}.{alias.name}"
                for alias in node.names
                if PACKAGE.parent.joinpath(*node.module.split("."), alias.name).exists()
                or PACKAGE.parent.joinpath(*node.module.split("."), f"{alias.name}.py").exists()
            )
    return found


def files_of(floor: str) -> list[Path]:
    return sorted((PACKAGE / floor).glob("*.py"))


def ours(imported: set[str]) -> set[str]:
    return {m for m in imported if m.startswith("sphinx_testdocs")}


@pytest.mark.parametrize("path", files_of("analysis"), ids=lambda p: p.name)
def test_analysis_is_pure(path: Path) -> None:
    imported = imports_of(path)
    assert not {m for m in imported if m.split(".")[0] in {"sphinx", "docutils"}}
    assert all(m.startswith("sphinx_testdocs.analysis") for m in ours(imported))


@pytest.mark.parametrize("path", files_of("results"), ids=lambda p: p.name)
def test_results_reading_is_pure(path: Path) -> None:
    # Like the analysis: results files are read and joined without Sphinx.
    imported = imports_of(path)
    assert not {m for m in imported if m.split(".")[0] in {"sphinx", "docutils"}}
    assert all(m.startswith("sphinx_testdocs.results") for m in ours(imported))


@pytest.mark.parametrize("path", files_of("coverage"), ids=lambda p: p.name)
def test_coverage_reading_is_pure(path: Path) -> None:
    # Coverage data is read and mapped without Sphinx; tests are named as results name
    # them, so the results join is the one way to match them, and sources are parsed as
    # the analysis parses them.
    imported = imports_of(path)
    assert not {m for m in imported if m.split(".")[0] in {"sphinx", "docutils", "coverage"}}
    allowed = ("sphinx_testdocs.coverage", "sphinx_testdocs.results")
    allowed += ("sphinx_testdocs.analysis.parsing",)
    assert all(m.startswith(allowed) for m in ours(imported))


@pytest.mark.parametrize("path", files_of("render"), ids=lambda p: p.name)
def test_render_builds_nodes_from_the_model_only(path: Path) -> None:
    allowed = ("sphinx_testdocs.analysis", "sphinx_testdocs.render", "sphinx_testdocs.config")
    allowed += ("sphinx_testdocs.crossfile", "sphinx_testdocs.plan", "sphinx_testdocs.results")
    allowed += ("sphinx_testdocs.coverage",)
    assert all(m.startswith(allowed) for m in ours(imports_of(path)))


def test_only_the_wiring_knows_the_scale_wing() -> None:
    importers = sorted(
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if not path.is_relative_to(PACKAGE / "scale")
        and any(m.startswith("sphinx_testdocs.scale") for m in imports_of(path))
    )
    assert importers == ["_setup.py", "events.py"]


@pytest.mark.parametrize("path", files_of("scale"), ids=lambda p: p.name)
def test_the_scale_wing_reaches_no_analysis_or_pages(path: Path) -> None:
    allowed = ("sphinx_testdocs.scale", "sphinx_testdocs.run", "sphinx_testdocs.domain")
    allowed += ("sphinx_testdocs.render.common", "sphinx_testdocs.render.listing")
    assert all(m.startswith(allowed) for m in ours(imports_of(path)))
