"""The HTML build's ``testdocs.json``: the static collection, next to the pages."""

from __future__ import annotations

import filecmp
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from sphinx_testdocs.export import (
    JSON_FILENAME,
    collection_fragments,
    fragment_chunks,
    results_json,
)
from sphinx_testdocs.run import build_run

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def write_collection_json(app: Sphinx, exception: BaseException | None) -> None:
    """Write ``testdocs.json`` in the output folder of a successful HTML build.

    Runs in the main process, after every page is written. The file covers every test
    module, not only the ones read in this build: entries are kept with the facts per
    file (``run.FileFacts``) and refreshed with the summaries, so unchanged files are not
    analysed again. Written
    only when its content changed, so an unchanged rebuild leaves it untouched.
    """
    if exception is not None or app.builder.format != "html":
        return
    run = build_run(app.env)
    project = run.project
    if project is None or not project.roots:
        return
    target = Path(app.outdir) / JSON_FILENAME
    joined = project.results
    if not project.collection_changed and joined is None and target.is_file():
        return  # no entry changed since the file was written
    fragments = collection_fragments(project, run.files.collected)
    results = results_json(joined) if joined is not None else None
    write_if_changed(target, fragment_chunks(fragments, results))


def write_if_changed(target: Path, chunks: Iterable[str]) -> None:
    """Write ``chunks`` to ``target`` as UTF-8, leaving it untouched if already equal.

    Streamed through a temporary file next to it, then compared on disk: the text is
    never held whole in memory, and a reader never sees a half-written file.
    """
    fresh = target.with_name(target.name + ".new")
    with fresh.open("w", encoding="utf-8", newline="") as out:
        out.writelines(chunks)
    if target.is_file() and filecmp.cmp(fresh, target, shallow=False):
        fresh.unlink()
    else:
        fresh.replace(target)
