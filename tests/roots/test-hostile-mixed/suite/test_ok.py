"""A well-behaved module next to the hostile ones."""


def test_fine():
    """Nothing unusual here."""
    assert 1 + 1 == 2
