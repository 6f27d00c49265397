# Owner(s): ["module: widgets"]

# Tests of the widget registry: building, naming and
# comparing widgets.

import pytest


# Builds one widget and checks it exists.
def test_build(widget):
    assert widget is not None


# A comment separated by a blank line belongs to no test.

def test_plain():
    class Local:
        pass

    assert Local


# Runs only with --runslow.
@pytest.mark.slow
@pytest.mark.usefixtures("tmp_path")
def test_slow():
    pass


# noqa: E501
def test_directive_only():
    pass


class TestGroup:
    @pytest.fixture(autouse=True)
    def group_setup(self):
        yield

    # Checks the group's name.
    def test_name(self, widget):
        class Named:
            pass

        assert Named

    # This comment is not shown: the docstring says it.
    def test_docstring(self):
        """The docstring wins over the comment."""

    class Inner:
        pass


def helper():
    class HelperLocal:
        pass

    return HelperLocal
