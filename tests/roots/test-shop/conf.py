# An online shop's test suite with the results of two CI jobs and its owners: the
# example of docs/results.rst (and its screenshot), and the browser test's second site.
project = "shop"
extensions = ["sphinx_testdocs"]
testdocs_dirs = ["tests"]
testdocs_results = ["results/*.xml"]
testdocs_source_url = "https://github.com/org/shop/blob/{commit}/{path}#L{line}"
exclude_patterns = ["tests", "results", "_build"]
show_warning_types = True
