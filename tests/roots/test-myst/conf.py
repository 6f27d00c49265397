project = "myst"
extensions = ["sphinx_testdocs", "myst_parser"]
testdocs_dirs = ["suite"]
exclude_patterns = ["suite", "_build"]
# Warning lines end in "[testdocs.<subtype>]" on every Sphinx version (default from 8.0).
show_warning_types = True
