project = "hostile-mixed"
extensions = ["sphinx_testdocs"]
testdocs_dirs = ["suite"]
exclude_patterns = ["suite", "outside", "_build"]
