project = "hostile-dirs"
extensions = ["sphinx_testdocs"]
# Two folders with the same base name, one that does not exist, a file, and a repeat.
testdocs_dirs = ["a/tests", "b/tests", "missing", "a/tests/test_a.py", "a/tests/"]
exclude_patterns = ["a", "b", "_build"]
# Warning lines end in "[testdocs.<subtype>]" on every Sphinx version (default from 8.0).
show_warning_types = True
