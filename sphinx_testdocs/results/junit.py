"""JUnit XML as pytest (``--junitxml``), unittest-xml-reporting and PyTorch's CI write it.

Results files come from anywhere (a CI artifact, a pull request), so they are parsed by
``defusedxml``: no entity is expanded and nothing external is fetched, and a file that
declares an entity is refused (the "billion laughs" and external-entity attacks). The
file is read as a stream: each ``testcase`` is dropped from the tree once read, so a
file of 200,000 cases never sits in memory whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.ElementTree import iterparse  # type: ignore[import-untyped]

from sphinx_testdocs.results.records import CaseResult, Outcome, ReadProblem, first_line

#: pytest writes a strict xfail that passed as "skipped" with this message; pytest
#: itself counts it as a failure.
_STRICT_XPASS = "xfail-marked test passes unexpectedly"
#: Reruns before the final outcome: Maven surefire's names, used by other runners too.
_RERUNS = frozenset({"rerunFailure", "rerunError", "flakyFailure", "flakyError"})


def read_junit(path: Path, problems: list[ReadProblem]) -> Iterator[CaseResult]:
    """Every test case of the file, in order; what stops the reading goes to ``problems``."""
    open_elements: list[Element] = []
    try:
        for event, element in iterparse(str(path), events=("start", "end")):
            if event == "start":
                open_elements.append(element)
                continue
            open_elements.pop()
            if element.tag != "testcase":
                continue
            yield _case(element)
            # Drop the case from the tree: only the open elements stay in memory.
            element.clear()
            if open_elements:
                open_elements[-1].remove(element)
    except DefusedXmlException as error:
        problems.append(ReadProblem(f"refused: {error} (entities are not expanded)"))
    except ParseError as error:
        line = error.position[0] if error.position else None
        problems.append(ReadProblem(f"not well-formed XML ({_reason(error)})", line))
    except OSError as error:
        problems.append(ReadProblem(f"cannot be read ({error.strerror or error})"))


def _reason(error: ParseError) -> str:
    # "no element found: line 12, column 0": the line is given as the location.
    return str(error).split(":", 1)[0]


def _case(element: Element) -> CaseResult:
    outcome, message, reruns = Outcome.PASSED, "", 0
    for child in element:
        tag = child.tag
        if tag in _RERUNS:
            reruns += 1
        elif tag == "failure":
            outcome, message = Outcome.FAILED, _message(child)
        elif tag == "error":
            outcome, message = Outcome.ERROR, _message(child)
        elif tag == "skipped":
            message = _message(child)
            if child.get("type") == "pytest.xfail":
                outcome = Outcome.XFAILED
            elif message == _STRICT_XPASS:
                outcome, message = Outcome.FAILED, "passed unexpectedly (strict xfail)"
            else:
                outcome = Outcome.SKIPPED
    return CaseResult(
        nodeid=None,
        classname=element.get("classname", ""),
        name=element.get("name", ""),
        outcome=outcome,
        duration=_seconds(element.get("time")),
        message=message,
        reruns=reruns,
    )


def _message(element: Element) -> str:
    return first_line(element.get("message") or element.text)


def _seconds(text: str | None) -> float | None:
    try:
        value = float(text) if text else None
    except ValueError:
        return None
    return value if value is not None and value >= 0 else None
