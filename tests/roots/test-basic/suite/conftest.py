"""Fixtures shared by the whole suite."""

import pytest


@pytest.fixture
def numbers():
    """A short list of integers."""
    return [1, 2, 3]
