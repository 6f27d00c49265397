"""pytest's report log (``pytest-reportlog``, ``--report-log``): one JSON object a line.

A test's setup, call and teardown reports are folded into one outcome as pytest's own
summary counts them. Reports of different tests may interleave (``pytest-xdist``), so a
test is complete at its teardown report. Each line is parsed alone: a bad line is
counted and skipped, and the first one's line number is reported.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sphinx_testdocs.results.records import CaseResult, Outcome, ReadProblem, first_line


@dataclass
class _Running:
    outcome: Outcome = Outcome.PASSED
    message: str = ""
    duration: float = 0.0
    reruns: int = 0


def read_report_log(path: Path, problems: list[ReadProblem]) -> Iterator[CaseResult]:
    """Every test of the log, in the order they finished."""
    running: dict[str, _Running] = {}
    bad_lines: list[int] = []
    try:
        with path.open("rb") as lines:
            for number, raw in enumerate(lines, 1):
                if not raw.strip():
                    continue
                try:
                    report = json.loads(raw)
                except ValueError:
                    bad_lines.append(number)
                    continue
                if not isinstance(report, dict) or report.get("$report_type") != "TestReport":
                    continue
                nodeid = report.get("nodeid")
                if not isinstance(nodeid, str):
                    bad_lines.append(number)
                    continue
                state = running.setdefault(nodeid, _Running())
                _fold(state, report)
                if report.get("when") == "teardown":
                    del running[nodeid]
                    yield _result(nodeid, state)
    except OSError as error:
        problems.append(ReadProblem(f"cannot be read ({error.strerror or error})"))
        return
    for nodeid, state in running.items():  # cut off before its teardown (truncated)
        yield _result(nodeid, state)
    if bad_lines:
        problems.append(
            ReadProblem(f"{len(bad_lines)} line(s) are not JSON reports, skipped", bad_lines[0])
        )


def _fold(state: _Running, report: dict[str, Any]) -> None:
    when, outcome = report.get("when"), report.get("outcome")
    duration = report.get("duration")
    if isinstance(duration, (int, float)) and duration >= 0:
        state.duration += duration
    xfail = "wasxfail" in report
    if outcome == "rerun":
        state.reruns += 1
        state.outcome, state.message, state.duration = Outcome.PASSED, "", 0.0
    elif outcome == "skipped":
        if state.outcome is Outcome.PASSED:
            state.outcome = Outcome.XFAILED if xfail else Outcome.SKIPPED
            state.message = str(report["wasxfail"]) if xfail else _skip_reason(report)
    elif outcome == "failed":
        if when == "call" and state.outcome is Outcome.PASSED:
            state.outcome, state.message = Outcome.FAILED, _failure(report)
        elif when != "call" and not state.outcome.bad:
            state.outcome, state.message = Outcome.ERROR, _failure(report)
    elif outcome == "passed" and when == "call" and xfail:
        state.outcome, state.message = Outcome.XPASSED, str(report["wasxfail"])


def _skip_reason(report: dict[str, Any]) -> str:
    longrepr = report.get("longrepr")
    if isinstance(longrepr, list) and len(longrepr) == 3:
        return first_line(str(longrepr[2]).removeprefix("Skipped: "))
    return first_line(str(longrepr or ""))


def _failure(report: dict[str, Any]) -> str:
    longrepr = report.get("longrepr")
    if isinstance(longrepr, dict):
        crash = (longrepr.get("reprcrash") or {}).get("message")
        if isinstance(crash, str):
            return first_line(crash)
    return first_line(str(longrepr or ""))


def _result(nodeid: str, state: _Running) -> CaseResult:
    name = nodeid.rsplit("::", 1)[-1]
    return CaseResult(
        nodeid=nodeid,
        classname="",
        name=name,
        outcome=state.outcome,
        duration=state.duration,
        message=state.message,
        reruns=state.reruns,
    )
