"""Coverage.py data read as data: which tests ran each documented function.

Pure and Sphinx-free: the data file is opened read-only with ``sqlite3`` and the
measured sources are parsed with ``ast``; neither coverage.py nor the measured code is
ever imported.
"""
