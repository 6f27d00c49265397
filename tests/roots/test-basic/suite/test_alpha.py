"""Tests for the alpha feature."""

import os
import subprocess
import unittest

import pytest

from helpers import make_value


def test_sum(numbers):
    """The sum of the fixture's numbers."""
    assert sum(numbers) == 6


@pytest.mark.parametrize("x", [1, 2, 3])
def test_param(x):
    assert x > 0


class TestGroup:
    """Grouped tests."""

    def test_one(self):
        class Helper:
            def value(self):
                return make_value()

        assert Helper().value() == 1

    def helper(self):
        return os.getcwd()


class LegacyTests(unittest.TestCase):
    def test_run(self):
        subprocess.run(["true"], check=True)


if __name__ == "__main__":
    unittest.main()
