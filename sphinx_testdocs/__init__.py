"""sphinx-testdocs: turn a project's test suite into browsable Sphinx documentation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension with Sphinx (see ``_setup.py`` for the full list)."""
    from sphinx_testdocs._setup import setup_extension

    return setup_extension(app)
