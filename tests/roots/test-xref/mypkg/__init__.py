"""A tiny package under test."""

from .core import add

__all__ = ["add"]
