"""A tiny package under test."""
