"""Gamma tests."""


class TestGamma:
    def test_value(self):
        assert 1 + 1 == 2


def test_free():
    """A module-level test."""
