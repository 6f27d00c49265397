"""Helpers for the tests (not a test module)."""


def make_value():
    return 1


def test_like_name_but_helper():
    return None
