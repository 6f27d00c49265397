"""Sphinx configuration of sphinx-testdocs' documentation, which documents our own tests."""

from __future__ import annotations

import sys
from pathlib import Path

from sphinx_testdocs import __version__

# The local extension that generates the reference pages from the code.
sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "sphinx-testdocs"
author = "sphinx-testdocs developers"
copyright = "sphinx-testdocs developers"
release = version = __version__

extensions = ["sphinx_testdocs", "myst_parser", "testdocs_reference"]
root_doc = "index"
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
nitpicky = True

# Our own test suite, documented by the extension itself. ``tests/roots`` holds the small
# Sphinx projects the tests build, not tests.
testdocs_dirs = ["../tests"]
testdocs_exclude = ["roots/**"]
testdocs_toctree_caption = "Our own test suite"

html_theme = "furo"
html_title = f"sphinx-testdocs {release}"
