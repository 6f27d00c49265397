import pytest

pytestmark = pytest.mark.owner("team-module")


@pytest.mark.owner("team-class")
class TestGroup:
    def test_in_class(self):
        pass


@pytest.mark.owner("team-test")
def test_marked():
    pass


def test_plain():
    pass
