"""Helpers for tests that run real Sphinx builds."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.testing.util import SphinxTestApp


def search_index(outdir: Path) -> dict[str, Any]:
    """The HTML builder's search index, as data."""
    text = (outdir / "searchindex.js").read_text(encoding="utf-8")
    start, end = text.index("(") + 1, text.rindex(")")
    return json.loads(text[start:end])  # type: ignore[no-any-return]


@contextmanager
def recording_reads(app: Any) -> Iterator[list[str]]:
    """Collect the names of the documents a build reads."""
    read: list[str] = []

    def note(_app: Any, _env: Any, docnames: list[str]) -> None:
        read.extend(docnames)

    listener = app.connect("env-before-read-docs", note)
    try:
        yield read
    finally:
        app.disconnect(listener)


def section_titles(doctree: nodes.Node, depth: int = 2) -> list[str]:
    """Titles of the sections at a given nesting depth (1 = page title)."""
    out: list[str] = []

    def visit(node: nodes.Node, level: int) -> None:
        for child in node.children:
            if isinstance(child, nodes.section):
                if level == depth:
                    out.append(child[0].astext())
                visit(child, level + 1)

    visit(doctree, 1)
    return out


def shown_sections(doctree: nodes.Node) -> list[str]:
    """A module page's section titles in page order: its headings, and the titles named
    by the one line that stands for the sections with nothing to show."""
    page = next(iter(doctree.findall(nodes.section)))
    out: list[str] = []
    for node in page.findall(lambda n: isinstance(n, (nodes.section, nodes.paragraph))):
        if isinstance(node, nodes.section) and node.parent is page:
            out.append(node[0].astext())
        elif "testdocs-quiet-sections" in node["classes"]:
            out.extend(strong.astext() for strong in node.findall(nodes.strong))
    return out


def html_files(outdir: Path, keep: Callable[[Path], bool] = lambda p: True) -> dict[str, bytes]:
    """Every HTML page of a build, by relative path."""
    return {
        p.relative_to(outdir).as_posix(): p.read_bytes()
        for p in sorted(outdir.rglob("*.html"))
        if keep(p)
    }


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (relative path -> text) under ``root``: a real tree on disk."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@dataclass(frozen=True)
class PytestRun:
    """What ``pytest --collect-only -q`` printed: the ground truth the analysis must match."""

    returncode: int
    #: The node IDs listed, in pytest's order (the lines before the first blank one).
    ids: list[str]
    #: The closing line ("3 tests collected in 0.01s").
    summary: str
    output: str

    @property
    def cases(self) -> Counter[str]:
        """Cases per test function (node IDs without their ``[...]``)."""
        return Counter(re.sub(r"\[.*\]$", "", nodeid) for nodeid in self.ids)


def static_collection(cwd: Path) -> list[dict[str, Any]]:
    """The modules of ``sphinx-testdocs collect --format json`` run in ``cwd``: the
    static collection to hold against :func:`pytest_collect`'s."""
    from sphinx_testdocs.cli import main

    out = io.StringIO()
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        with redirect_stdout(out):
            main(["collect", "--format", "json"])
    finally:
        os.chdir(previous)
    return list(json.loads(out.getvalue())["modules"])


def pytest_collect(cwd: Path, *args: str) -> PytestRun:
    """Run the real pytest of this environment on a tree, in a fresh process."""
    # The tree's own configuration only: none of this run's PYTEST_* settings.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    # No installed plugin (hypothesis' alone takes most of a second to load): the trees
    # name the plugins they use (-p), as the analysis knows only those.
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    listing = result.stdout.split("\n\n", 1)[0]
    ids = [line for line in listing.splitlines() if "::" in line]
    lines = result.stdout.rstrip().splitlines()
    return PytestRun(
        result.returncode, ids, lines[-1] if lines else "", result.stdout + result.stderr
    )


def build_cleanly(
    builder: str, srcdir: Path, confoverrides: dict[str, Any], *, parallel: int = 0
) -> SphinxTestApp:
    """Build ``srcdir`` with ``builder`` and check that it warned about nothing."""
    from io import StringIO

    warning = StringIO()
    app = SphinxTestApp(
        builder,
        srcdir=srcdir,
        confoverrides=confoverrides,
        status=StringIO(),
        warning=warning,
        parallel=parallel,
    )
    try:
        app.build()
    finally:
        app.cleanup()
    assert warning.getvalue() == ""
    return app


def shop_example(folder: Path) -> Path:
    """``tests/roots/test-shop`` as a git checkout, with the JUnit files of two CI jobs.

    Its suite runs twice for real: as a "linux" job (where a request to the payment
    sandbox is dropped, so ``test_refund`` fails: flaky across the jobs) and a
    "windows" one. The example of docs/results.rst and its screenshot are made so too.
    """
    import shutil

    project = folder / "shop"
    shutil.copytree(Path(__file__).parent / "roots" / "test-shop", project)
    git = ["git", "-c", "user.name=Shop", "-c", "user.email=shop@example.com"]
    git += ["-c", "init.defaultBranch=main"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "shop"]):
        subprocess.run([*git, *args], cwd=project, check=True, capture_output=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    for job in ("linux", "windows"):
        run = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"]
        subprocess.run(
            [*run, f"--junitxml=results/junit-{job}.xml"],
            cwd=project,
            env={**env, "SHOP_JOB": job, "PYTHONDONTWRITEBYTECODE": "1"},
            capture_output=True,
            check=False,
        )
    return project
