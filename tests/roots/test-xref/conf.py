import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

project = "xref"
extensions = ["sphinx.ext.autodoc", "sphinx_testdocs"]
testdocs_dirs = ["tests"]
testdocs_tested_by_autodoc = True
exclude_patterns = ["tests", "mypkg", "_build"]
nitpicky = True
# Warning lines end in "[testdocs.<subtype>]" on every Sphinx version (default from 8.0).
show_warning_types = True
