project = "hostile-srcdir"
extensions = ["sphinx_testdocs"]
# The test directory is the Sphinx source directory itself.
testdocs_dirs = ["."]
exclude_patterns = ["_build"]
# Warning lines end in "[testdocs.<subtype>]" on every Sphinx version (default from 8.0).
show_warning_types = True
