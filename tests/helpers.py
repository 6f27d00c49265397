"""Helpers for tests that run real Sphinx builds."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from docutils import nodes


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


def html_files(outdir: Path, keep: Callable[[Path], bool] = lambda p: True) -> dict[str, bytes]:
    """Every HTML page of a build, by relative path."""
    return {
        p.relative_to(outdir).as_posix(): p.read_bytes()
        for p in sorted(outdir.rglob("*.html"))
        if keep(p)
    }
