project = "hostile-srcdir"
extensions = ["sphinx_testdocs"]
# The test directory is the Sphinx source directory itself.
testdocs_dirs = ["."]
exclude_patterns = ["_build"]
