"""Small trees on disk for tests that follow names across files, and a stand-in torch.

The stand-in ``torch`` package (``tests/roots/test-torchlike/site``) holds just what
PyTorch's test helpers define that the analysis reads as source (class hierarchies,
aliases): it lets the dialect tests run on machines without PyTorch, the way a docs build
would on a project that has it.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

from sphinx_testdocs.analysis.collection import ModuleLinks, collect_module
from sphinx_testdocs.analysis.model import CollectedTest, ModuleCollection
from sphinx_testdocs.analysis.modules import SourceLibrary
from sphinx_testdocs.analysis.pytest_config import PytestConfig

#: The stand-in torch (and expecttest), kept once, in the build test root that uses it.
SITE = Path(__file__).parents[1] / "roots" / "test-torchlike" / "site"
TORCH = {
    path.relative_to(SITE).as_posix(): path.read_text(encoding="utf-8")
    for path in sorted(SITE.rglob("*.py"))
}


def write_tree(root: Path, files: Mapping[str, str]) -> Path:
    """Write ``files`` (relative path -> dedented source) under ``root``."""
    for relpath, text in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def collect_file(
    tmp_path: Path,
    files: Mapping[str, str],
    target: str,
    *,
    site: Mapping[str, str] | None = None,
    device_types: Sequence[str] = ("cpu",),
    config: PytestConfig | None = None,
) -> ModuleCollection:
    """Write a project (and installed packages, ``site``) and collect ``target`` from it."""
    project = write_tree(tmp_path / "project", files)
    site_path = (write_tree(tmp_path / "site", site),) if site is not None else ()
    links = ModuleLinks(SourceLibrary(project_root=project, site_path=site_path))
    path = project / target
    text = path.read_text(encoding="utf-8")
    try:
        return collect_module(
            ast.parse(text),
            source=text,
            filename=path.name,
            nodeid_path=target,
            relpath=target,
            config=config or PytestConfig(rootdir=project),
            visible_fixtures={},
            links=links,
            path=path,
            device_types=device_types,
        )
    finally:
        links.release()


def by_id(collection: ModuleCollection) -> dict[str, CollectedTest]:
    """Collected tests keyed by node ID without the path (``Class::test``)."""
    return {t.nodeid.split("::", 1)[1]: t for t in collection.tests}
