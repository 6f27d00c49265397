"""Tests shared by several modules."""


class SharedChecks:
    def test_shared(self):
        pass
