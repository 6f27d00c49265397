import pytest

from mypkg.core import Calc


@pytest.fixture(scope="module")
def calc():
    """A shared calculator."""
    return Calc()
