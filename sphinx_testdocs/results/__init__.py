"""Test results laid over the static map: read result files, join them to known tests.

Sphinx-free and pure, like ``analysis``: the readers stream untrusted files through
hardened parsers (``junit``, ``reportlog``), and ``join`` matches what they read to the
tests the static analysis knows, by node ID.
"""
