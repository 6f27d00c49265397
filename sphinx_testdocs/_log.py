"""The extension's logger and the warning subtypes users can silence."""

from __future__ import annotations

import enum
from typing import TypeAlias

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger("sphinx_testdocs")

#: Every warning carries this type, so ``suppress_warnings = ["testdocs"]`` silences all.
WARNING_TYPE = "testdocs"


class Subtype(enum.Enum):
    """Warning subtypes: silence one with ``suppress_warnings = ["testdocs.<value>"]``."""

    config = "config"
    """A ``testdocs_*`` option has a wrong value; the default is used instead."""
    missing_dir = "missing_dir"
    """A configured test directory does not exist or is not a directory."""
    pytest_config = "pytest_config"
    """The project's pytest configuration file could not be read completely, or its
    ``testpaths`` match nothing (pytest warns the same)."""
    empty = "empty"
    """A test directory holds no Python file, or no test pytest would collect."""
    scan = "scan"
    """A folder or file could not be listed or inspected during the scan."""
    symlink = "symlink"
    """A symbolic link was not followed (outside the root, broken, or a loop)."""
    read = "read"
    """A file could not be read (permissions, or it vanished during the build)."""
    decode = "decode"
    """A file's bytes do not decode with the encoding Python would use."""
    binary = "binary"
    """A ``.py`` file holds binary data; its page shows metadata only."""
    syntax = "syntax"
    """A file does not parse with the running Python; its page shows what was recovered."""
    recursion = "recursion"
    """A file is nested too deeply to analyse completely."""
    directive = "directive"
    """A ``testdocs-*`` directive was used with a wrong argument or option."""
    ref = "ref"
    """A ``:test:...`` reference names no test object, or more than one."""
    name = "name"
    """A file name had to be changed to make a valid document name."""
    results = "results"
    """A results file (``testdocs_results``) is malformed, truncated or refused (it
    declares XML entities); what could be read of it is kept."""
    coverage = "coverage"
    """A coverage data file (``testdocs_coverage``) is not coverage.py data, is damaged,
    measured sources that are not here, or was recorded without per-test contexts: it
    is left out whole, and "Tested by" lists stay static where it would have measured.
    Or sources it measured changed after it was recorded: its lists may be off."""
    owners = "owners"
    """A line of a CODEOWNERS file could not be read (a bad pattern, owner or section
    header); that line is left out, the rest of the file applies."""
    source_url = "source_url"
    """``testdocs_source_url`` is set but no link can be made: the test directory is in
    no git checkout, or no commit can be read for ``{commit}``."""

    @property
    def full(self) -> str:
        return f"{WARNING_TYPE}.{self.value}"


class FileLocation(str):
    """A file path as a warning location, shown as the path itself.

    Sphinx reads a location string without ":" as a document name and appends the
    source suffix ("test_x.py" would become "test_x.py.rst"); claiming to contain ":"
    makes it print the path as given, which is where the problem is.
    """

    __slots__ = ()

    def __contains__(self, item: object) -> bool:
        return item == ":" or str.__contains__(self, item)  # type: ignore[operator]


def file_location(path: object, line: int | None = None) -> str:
    """The location of a problem in an analysed file (or folder)."""
    return f"{path}:{line}" if line else FileLocation(str(path))


#: Where a warning points: "path:line", (docname, line), a node, or nowhere.
Location: TypeAlias = str | tuple[str | None, int | None] | nodes.Node | None


def warn(message: str, subtype: Subtype, location: Location, *args: object) -> None:
    """Emit a warning users can suppress by type and subtype."""
    logger.warning(message, *args, type=WARNING_TYPE, subtype=subtype.value, location=location)
