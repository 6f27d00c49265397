"""Shared fixtures: Sphinx's testing fixtures and helpers for real builds."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["sphinx.testing.fixtures"]

TESTS = Path(__file__).parent
#: The PyTorch files behind the seed pages; present in the project's workspace only.
CORPUS = TESTS.parent.parent / "shared" / "corpora" / "pytorch-seeds"


@pytest.fixture(scope="session")
def rootdir() -> Path:
    return TESTS / "roots"
