"""Findings on real pages: severity badges, context, folded evidence, quiet sections."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from docutils import nodes

from sphinx_testdocs.render.module import EVIDENCE_SHOWN, SECTIONS
from tests.helpers import section_titles

pytestmark = pytest.mark.sphinx("html", testroot="findings")


@pytest.fixture
def built(app: Any, warning: Any) -> Any:
    app.build()
    assert warning.getvalue() == ""
    return app


def _html(app: Any, name: str) -> str:
    return (Path(app.outdir) / f"testdocs/suite/{name}.html").read_text(encoding="utf-8")


def _finding_html(html: str, title: str) -> str:
    """The list item of the finding whose title starts with ``title``."""
    items = [i for i in re.findall(r"<li>.*?</li>", html, re.S) if f"<strong>{title}" in i]
    assert len(items) == 1, title
    return items[0]


def test_guarded_gpu_use_is_a_note_with_its_context(built: Any) -> None:
    item = _finding_html(_html(built, "test_weighed.py"), "Uses a GPU (CUDA)")
    assert '<span class="testdocs-badge testdocs-severity-note no-search">note</span>' in item
    assert "every line is a check whether CUDA is available or under a CUDA" in item


def test_load_of_a_file_the_test_wrote_is_a_note_and_a_shipped_one_a_risk(built: Any) -> None:
    item = _finding_html(_html(built, "test_weighed.py"), "Unpickling")
    # One load reads the test's own temporary file, the other a file it did not write.
    assert '<span class="testdocs-badge testdocs-severity-risk no-search">risk</span>' in item
    assert "1 of 2 lines is a load of data the test itself wrote" in item
    # ...and names the line that keeps the finding a risk, as a link.
    assert re.search(r'the other is not</em>: line <a [^>]*href="#L-20"', item), item


def test_long_evidence_shows_the_first_lines_and_folds_the_rest(built: Any) -> None:
    from sphinx_testdocs.render.module import testdocs_findings

    doctree = built.env.get_doctree("testdocs/suite/test_weighed.py")
    for kept in list(doctree.findall(testdocs_findings)):  # built when written
        kept.replace_self(kept.expand())
    item = next(
        li
        for li in doctree.findall(nodes.list_item)
        if li.astext().startswith("unittest assertion methods")
    )
    html = _finding_html(_html(built, "test_weighed.py"), "unittest assertion methods")
    assert f"Evidence: 10 lines, the first {EVIDENCE_SHOWN}: " in item.astext()
    shown = re.findall(r'href="#L-(\d+)"', html.split("<details")[0])
    folded = re.findall(r'href="#L-(\d+)"', html.split("<details")[1])
    assert shown == [str(n) for n in range(23, 31)]
    assert folded == ["31", "32"]
    assert "<summary>Show the other 2 lines</summary>" in html
    # Short evidence stays in one line, with nothing folded.
    gpu = _finding_html(_html(built, "test_weighed.py"), "Uses a GPU (CUDA)")
    assert "Evidence: lines 10, 11" in re.sub(r"<[^>]+>", "", gpu)
    assert "<details" not in gpu


def test_sections_without_findings_share_one_line(built: Any) -> None:
    doctree = built.env.get_doctree("testdocs/suite/test_quiet.py")
    titles = section_titles(doctree, depth=2)
    findings = {"Code Patterns & Idioms", "Performance Considerations", "Security & Safety"}
    assert titles == [s.title for s in SECTIONS if s.title not in findings]
    (line,) = [p for p in doctree.findall(nodes.paragraph) if "no rule matched" in p.astext()]
    assert line.astext() == (
        "Code Patterns & Idioms, Performance Considerations and Security & Safety: "
        "no rule matched this file."
    )
    # The sections' anchors still lead somewhere; the line closes the section before.
    assert line["ids"] == ["code-patterns-idioms", "performance-considerations", "security-safety"]
    assert line.parent[0].astext() == "Dependencies"
    # A page with findings in every section keeps every heading.
    weighed = built.env.get_doctree("testdocs/suite/test_weighed.py")
    assert section_titles(weighed, depth=2) == [s.title for s in SECTIONS]


def test_no_page_carries_the_python_O_note(built: Any) -> None:
    for name in ("test_quiet.py", "test_weighed.py"):
        assert "python -O" not in _html(built, name)
