"""A build over the real PyTorch files behind the seed pages, checked against their facts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from docutils import nodes

from sphinx_testdocs.render.module import SECTIONS
from tests.conftest import CORPUS
from tests.helpers import section_titles, shown_sections

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(
        not (CORPUS / "test").is_dir(),
        reason="../shared/corpora/pytorch-seeds is not present (a user's checkout)",
    ),
]

#: (classes, functions) the seed pages state, nested definitions included.
SEED_FACTS = {
    "dynamo/test_compile.py": (5, 36),
    "dynamo/test_buffers_override.py": (3, 6),
    "dynamo/test_fx_passes_pre_grad.py": (2, 4),
    "test_module_tracker.py": (4, 8),
}


@pytest.fixture(scope="module")
def corpus_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from sphinx.testing.util import SphinxTestApp

    srcdir = tmp_path_factory.mktemp("corpus-docs")
    (srcdir / "conf.py").write_text(
        "project = 'pytorch-seeds'\n"
        "extensions = ['sphinx_testdocs']\n"
        f"testdocs_dirs = [{str(CORPUS / 'test')!r}]\n",
        encoding="utf-8",
    )
    (srcdir / "index.rst").write_text("Seeds\n=====\n", encoding="utf-8")
    app = SphinxTestApp("html", srcdir=srcdir, warningiserror=True)
    try:
        app.build()
        yield app
    finally:
        app.cleanup()


def test_every_file_has_a_page_with_all_sections(corpus_app: Any) -> None:
    files = sorted(
        p.relative_to(CORPUS / "test").as_posix() for p in (CORPUS / "test").rglob("*.py")
    )
    assert len(files) == 24
    for rel in files:
        docname = f"testdocs/test/{rel}"
        assert docname in corpus_app.env.all_docs, rel
        doctree = corpus_app.env.get_doctree(docname)
        assert section_titles(doctree, depth=1) == [rel]
        assert shown_sections(doctree) == [s.title for s in SECTIONS], rel


#: The seed pages (../shared/seeds), each the documentation of one corpus file.
SEEDS = CORPUS.parent.parent / "seeds"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not present")
def test_every_seed_section_is_on_the_page(corpus_app: Any) -> None:
    checked = 0
    for seed in sorted(SEEDS.glob("*.txt")):
        text = seed.read_text(encoding="utf-8")
        match = re.match(r"# Documentation: `(test/[^`]+\.py)`", text)
        if not match:  # a seed documenting a generated page, not a file
            continue
        headings = re.findall(r"^## (.+)$", text.split("\n# Documentation:")[0], re.M)
        doctree = corpus_app.env.get_doctree(f"testdocs/{match[1]}")
        assert set(headings) <= set(shown_sections(doctree)), seed.name
        checked += 1
    assert checked == 2


@pytest.mark.parametrize(("relpath", "facts"), sorted(SEED_FACTS.items()))
def test_seed_facts(corpus_app: Any, relpath: str, facts: tuple[int, int]) -> None:
    html = (Path(corpus_app.outdir) / f"testdocs/test/{relpath}.html").read_text()
    classes, functions = facts
    assert f"This file contains {classes} classes and {functions} functions" in html


def test_whole_source_is_present(corpus_app: Any) -> None:
    # The seeds cut sources at 50,000 characters; the largest file is 186 KB.
    html = (Path(corpus_app.outdir) / "testdocs/test/dynamo/test_subclasses.py.html").read_text()
    source = (CORPUS / "test/dynamo/test_subclasses.py").read_text(encoding="utf-8")
    lines = source.count("\n")
    assert f'id="L-{lines}"' in html
    assert f'id="L-{lines + 1}"' not in html


def test_related_files_list_the_whole_folder(corpus_app: Any) -> None:
    html = (Path(corpus_app.outdir) / "testdocs/test/dynamo/test_compile.py.html").read_text()
    related = html.split('id="related-files"')[1].split("</section>")[0]
    # The conftest in effect comes first, with the reason; the whole folder last.
    assert "conftest.py files in effect (1)" in related
    assert 'href="../conftest.py.html"' in related.split("Same folder")[0]
    same_folder = related.split("Same folder")[1]
    linked = re.findall(r'href="([^"#]+\.py\.html)"', same_folder)
    expected = sorted(
        f"{p.name}.html"
        for p in (CORPUS / "test/dynamo").glob("*.py")
        if p.name != "test_compile.py"
    )
    assert linked == expected  # all of them, sorted, once each


def test_no_docs_of_docs(corpus_app: Any) -> None:
    assert not any(d.count("testdocs/") > 1 for d in corpus_app.env.all_docs)
    assert not any(".md" in d or "_docs" in d for d in corpus_app.env.all_docs)


#: What the seed pages' performance notes say of real files, as the findings that now
#: prove it (with a severity), and the false positives issue 18 reported, weighed.
SEED_FINDINGS = {
    # "May involve JIT compilation": the file compiles models in its tests.
    "dynamo/test_compile.py": ["risk Compiles models", "note Unpickling"],
    "dynamo/test_buffers_override.py": ["risk Compiles models"],
    # "GPU/parallel computing": a test decorated @requires_gpu_and_triton.
    "dynamo/test_subclasses.py": ["risk Compiles models", "note Uses a GPU (CUDA)"],
    # CUDA lines under `if torch.cuda.is_available():`, TorchScript saved and loaded in a
    # temporary file: conditional, and harmless.
    "test_mkldnn.py": ["risk Compiles models", "note Uses a GPU (CUDA)", "note Unpickling"],
}


@pytest.mark.parametrize(("relpath", "expected"), sorted(SEED_FINDINGS.items()))
def test_seed_findings(corpus_app: Any, relpath: str, expected: list[str]) -> None:
    from sphinx_testdocs.render.module import testdocs_findings

    doctree = corpus_app.env.get_doctree(f"testdocs/test/{relpath}")
    for kept in list(doctree.findall(testdocs_findings)):  # built when written
        kept.replace_self(kept.expand())
    found = [
        item.astext()
        for listing in doctree.findall(nodes.bullet_list)
        if "testdocs-findings" in listing["classes"]
        for item in listing.children
    ]
    weighed = [text for text in found if text.startswith(("risk ", "note "))]
    for start in expected:
        assert any(text.startswith(start) for text in weighed), (start, weighed)
    assert len(weighed) == len(expected), weighed
