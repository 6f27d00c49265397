"""Tests of mypkg.core."""

import pytest

import mypkg.core as core
from mypkg.core import add


def test_add():
    assert add(1, 2) == 3


def test_module_attr():
    assert core.add(2, 2) == 4


@pytest.mark.skip(reason="not ready")
def test_skipped():
    pass


class TestCalc:
    @pytest.mark.slow
    def test_mul(self, calc):
        assert calc.mul(2, 3) == 6
