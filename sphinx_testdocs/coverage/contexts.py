"""Context labels as the tests they stand for (coveragepy #901: the two recorders
name tests differently).

- pytest-cov's ``--cov-context=test``: the node ID and the phase,
  ``tests/test_x.py::TestC::test_f[1]|run`` (``|setup``, ``|teardown``);
- coverage.py's ``dynamic_context = test_function``: the function's dotted name,
  ``tests.test_x.TestC.test_f``;
- either behind a static context (``[run] context`` or ``--context``):
  ``py311|tests/test_x.py::test_f|run``.

"" is code run outside any test (imports during collection); a label of a static
context alone names no test either.
"""

from __future__ import annotations

from sphinx_testdocs.results.records import CaseResult, Outcome

#: The phases pytest-cov appends: all three are the test's (a fixture set up for it
#: runs on its behalf).
_PHASES = frozenset({"run", "setup", "teardown"})


def named_test(label: str) -> CaseResult | None:
    """The test a context label names, as a result the results join can match to a
    known test (its outcome means nothing); None for a label that names no test."""
    parts = label.split("|")
    if len(parts) > 1 and parts[-1] in _PHASES:
        parts.pop()
    first = next((n for n, part in enumerate(parts) if "::" in part), None)
    if first is not None:
        # What follows a static context is the node ID, "|" in its parameters included.
        nodeid = "|".join(parts[first:])
        return CaseResult(nodeid, "", nodeid.rsplit("::", 1)[-1], Outcome.PASSED, None)
    dotted = parts[-1]
    if "." not in dotted or " " in dotted or not all(dotted.split(".")):
        return None
    classname, _, name = dotted.rpartition(".")
    return CaseResult(None, classname, name, Outcome.PASSED, None)
