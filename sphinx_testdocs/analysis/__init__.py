"""Static analysis of test files: bytes in, frozen records out.

This package never imports Sphinx or docutils, and never imports or runs the code it
analyses.
"""
