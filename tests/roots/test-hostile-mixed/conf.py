project = "hostile-mixed"
extensions = ["sphinx_testdocs"]
testdocs_dirs = ["suite"]
exclude_patterns = ["suite", "outside", "_build"]
# Warning lines end in "[testdocs.<subtype>]" on every Sphinx version (default from 8.0).
show_warning_types = True
