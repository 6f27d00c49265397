"""What ``sphinx-testdocs`` prints while Sphinx builds: one progress line on a terminal,
every warning (counted), and a one-line summary at the end."""

from __future__ import annotations

import re
import shutil
from typing import TextIO

from sphinx_testdocs.render.common import plural

#: Back to the start of the line, and erase it ("Erase in Line", as Sphinx's own
#: single-line progress does).
_ERASE = "\r\x1b[2K"


class ProgressLine:
    """Sphinx's status output shown as one line that rewrites itself.

    Sphinx reports each step ("reading sources... [ 40%] tests/test_x.py", "pickling
    environment... done"); on a terminal the latest is enough to show it is working.
    Only for a terminal: in a log or a pipe the rewritten line is noise.
    """

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.encoding = getattr(out, "encoding", None) or "utf-8"
        self._pending = ""
        #: The text on the line, "" when there is none.
        self._shown = ""

    def write(self, text: str) -> int:
        from sphinx.util.console import strip_colors

        self._pending += text
        *done, self._pending = re.split(r"[\r\n]", self._pending)
        # The step under way ("pickling environment... "), else the last one ended.
        for line in (self._pending, *reversed(done)):
            plain = strip_colors(line).strip()
            if plain:
                self._show(plain)
                break
        return len(text)

    def _show(self, text: str) -> None:
        width = max(shutil.get_terminal_size().columns - 1, 10)
        if len(text) > width:
            text = text[: width - 3] + "..."
        if self._shown == text:
            return  # Sphinx writes a step in parts: the line is up to date
        self.out.write(_ERASE + text)
        self.out.flush()
        self._shown = text

    def clear(self) -> None:
        """Erase the line, so what comes next starts on a clean one."""
        if self._shown:
            self.out.write(_ERASE)
            self.out.flush()
            self._shown = ""

    def flush(self) -> None:
        self.out.flush()


class WarningStream:
    """Sphinx's warning stream: every warning is printed, and counted.

    Sphinx writes each warning (or error) with one call, as ``logging.StreamHandler``
    does, after its filters (``suppress_warnings``) kept it: the calls are the count.
    """

    def __init__(self, out: TextIO, progress: ProgressLine | None = None) -> None:
        self.out = out
        self.encoding = getattr(out, "encoding", None) or "utf-8"
        self.progress = progress
        self.count = 0

    def write(self, text: str) -> int:
        if text.strip():
            self.count += 1
        if self.progress is not None:
            self.progress.clear()  # a warning never lands in the middle of the progress
        self.out.write(text)
        return len(text)

    def flush(self) -> None:
        self.out.flush()


def summary_line(
    *,
    written: int,
    pages: int,
    modules: int,
    tests: int,
    warnings: int,
    target: str,
    failed: bool,
) -> str:
    """``5 of 7 pages written (2 test modules, 3 tests), no warnings: site/index.html``."""
    problems = plural(warnings, "warning") if warnings else "no warnings"
    if failed:
        problems += " (build failed)"
    return (
        f"{written:,} of {plural(pages, 'page')} written ({plural(modules, 'test module')}, "
        f"{plural(tests, 'test')}), {problems}: {target}"
    )
