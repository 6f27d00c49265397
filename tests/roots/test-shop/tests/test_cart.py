# Owner(s): ["module: cart"]
"""The shopping cart: adding items, totals and discounts."""

import sys

import pytest

PRICES = {"apple": 3, "pear": 4}


def total(items, discount=0):
    return sum(PRICES[item] for item in items) * (100 - discount) // 100


def test_add():
    assert total(["apple"]) == 3


@pytest.mark.parametrize("items, expected", [(["apple"], 3), (["apple", "pear"], 7), ([], 1)])
def test_total(items, expected):
    assert total(items) == expected


@pytest.mark.skipif(sys.platform != "win32", reason="coupons are printed on Windows tills")
def test_coupon():
    assert total(["pear"], discount=50) == 2


@pytest.mark.xfail(reason="rounding of discounts is not decided yet", strict=False)
def test_discount_rounding():
    assert total(["apple"], discount=50) == 2
