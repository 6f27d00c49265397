project = "myst"
extensions = ["sphinx_testdocs", "myst_parser"]
testdocs_dirs = ["suite"]
exclude_patterns = ["suite", "_build"]
