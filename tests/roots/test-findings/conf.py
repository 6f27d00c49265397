project = "findings"
extensions = ["sphinx_testdocs"]
testdocs_dirs = ["suite"]
exclude_patterns = ["suite", "_build"]
show_warning_types = True
