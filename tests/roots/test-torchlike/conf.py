project = "torchlike"
extensions = ["sphinx_testdocs"]
testdocs_dirs = ["test"]
exclude_patterns = ["test", "site", "_build"]
show_warning_types = True
