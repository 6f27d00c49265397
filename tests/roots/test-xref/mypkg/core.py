"""Arithmetic helpers."""


def add(a, b):
    """Add two numbers."""
    return a + b


def unused():
    """No test uses this."""


class Calc:
    """A calculator."""

    def mul(self, a, b):
        """Multiply two numbers."""
        return a * b
