project = "hostile-big"
extensions = ["sphinx_testdocs"]
testdocs_dirs = ["suite"]
exclude_patterns = ["suite", "_build"]
