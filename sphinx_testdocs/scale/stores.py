"""Keep the per-file stores out of what parallel readers send back (see
``TestDomain.hold_stores``): in large suites' builds only."""

from __future__ import annotations

from typing import Any

from sphinx_testdocs.domain import domain_of
from sphinx_testdocs.run import build_run


def hold_stores(app: Any, env: Any, docnames: list[str]) -> None:
    """``env-before-read-docs`` (after the analyses): hold the stores aside."""
    if build_run(env).large:
        domain_of(env).hold_stores()


def restore_stores(app: Any, env: Any) -> None:
    """``env-updated`` (first): every page is read; the stores go back to be saved."""
    domain_of(env).restore_stores()
