"""Files a lever keeps in the doctree directory while one build writes its pages.

Parallel writers are forked processes: what the main process prepares for a page
reaches them as a file it names. Each lever has a folder of its own, removed when the
build ends.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from sphinx.application import Sphinx


def page_file(app: Sphinx, folder_name: str, docname: str) -> Path:
    """The path (without suffix) of a page's file in the lever's folder, which exists."""
    folder = Path(app.doctreedir, folder_name)
    folder.mkdir(exist_ok=True)
    # Named by a digest: document names have slashes and may be long.
    return folder / hashlib.sha256(docname.encode()).hexdigest()[:32]


def remove_folder(app: Sphinx, folder_name: str) -> int:
    """Remove the lever's folder; return how many files it held."""
    folder = Path(app.doctreedir, folder_name)
    if not folder.is_dir():
        return 0
    count = sum(1 for _ in folder.iterdir())
    shutil.rmtree(folder, ignore_errors=True)
    return count
