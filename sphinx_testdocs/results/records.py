"""What a results file says of one test case, whatever the format it came in."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Outcome(str, Enum):
    """How a test case ended, in pytest's words."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"
    XFAILED = "xfailed"
    XPASSED = "xpassed"

    @property
    def bad(self) -> bool:
        """Whether it fails a run (a strict xpass is read as a failure)."""
        return self in (Outcome.FAILED, Outcome.ERROR)


#: Worst first: what a test shows when its cases or jobs disagree.
SEVERITY = (
    Outcome.ERROR,
    Outcome.FAILED,
    Outcome.XPASSED,
    Outcome.PASSED,
    Outcome.XFAILED,
    Outcome.SKIPPED,
)


@dataclass(frozen=True, slots=True)
class CaseResult:
    """One test case as a results file reports it."""

    #: pytest's node ID when the file gives it (report-log); else None.
    nodeid: str | None
    #: JUnit's dotted ``classname`` (module path, then classes), else "".
    classname: str
    #: The test's name with its parameters, ``test_x[1-2]``.
    name: str
    outcome: Outcome
    duration: float | None
    #: The skip or xfail reason, or the first line of a failure.
    message: str = ""
    #: Runs before the last (pytest-rerunfailures, surefire's flaky reruns).
    reruns: int = 0

    @property
    def shown(self) -> str:
        """The name a reader would search for."""
        if self.nodeid is not None:
            return self.nodeid
        return f"{self.classname}::{self.name}" if self.classname else self.name


@dataclass(frozen=True, slots=True)
class ReadProblem:
    """Why a results file could not be read whole (what came before is kept)."""

    message: str
    line: int | None = None


def first_line(text: str | None, limit: int = 200) -> str:
    """A message cut to its first line, and to ``limit`` characters."""
    line = (text or "").strip().split("\n", 1)[0].strip()
    return line if len(line) <= limit else line[: limit - 1] + "\N{HORIZONTAL ELLIPSIS}"
