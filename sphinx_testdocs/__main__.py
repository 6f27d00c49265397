"""``python -m sphinx_testdocs``: the same as the ``sphinx-testdocs`` command."""

from __future__ import annotations

import sys

from sphinx_testdocs.cli import main

if __name__ == "__main__":
    sys.exit(main())
