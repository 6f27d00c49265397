project = "owners"
extensions = ["sphinx_testdocs"]
testdocs_dirs = ["suite"]
testdocs_owner_markers = ["owner"]
testdocs_source_url = "https://github.com/org/repo/blob/{commit}/{path}#L{line}"
exclude_patterns = ["suite", "_build"]
show_warning_types = True
