"""Whether pytest collects a file, and why not: the one place that decides it.

pytest decides in two steps. Walking from its initial paths it skips what
``pytest_ignore_collect`` ignores; of the ``.py`` files it reaches, it makes modules of
those matching ``python_files``. Both steps are here, read statically.
"""

from __future__ import annotations

import os
from pathlib import PurePath

from sphinx_testdocs.analysis.pytest_config import PytestConfig, path_matches_patterns

__all__ = ["is_test_file", "python_files_match", "python_files_reason"]


def python_files_match(path: str | PurePath, config: PytestConfig) -> str | None:
    """The first ``python_files`` pattern the file matches, as pytest's ``fnmatch_ex``.

    A pattern without a path separator matches the base name; one with a separator
    (``testing/python/*.py``) matches the whole path, so ``path`` should be absolute
    (a bare name can only match bare patterns).
    """
    if not str(path).endswith(".py"):
        return None
    for pattern in config.python_files:
        if path_matches_patterns(path, (pattern,)):
            return pattern
    return None


def is_test_file(path: str | PurePath, config: PytestConfig) -> bool:
    """Whether pytest makes a test module of the file when it reaches it walking a folder."""
    return python_files_match(path, config) is not None


def python_files_reason(pattern: str | None, config: PytestConfig) -> str:
    """Why the file is, or is not, a test module by ``python_files``, as a sentence start."""
    if pattern is None:
        patterns = " ".join(config.python_files)
        return (
            f"The file does not match python_files ({patterns}), so pytest does not "
            "collect it when walking directories"
        )
    what = "path" if os.sep in pattern or "/" in pattern else "name"
    return f"The file {what} matches python_files ({pattern})"
