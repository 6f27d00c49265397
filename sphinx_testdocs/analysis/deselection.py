"""Tests pytest leaves out, or may, after finding them: what a module's list claims.

A test listed as exact must be one pytest lists. Three things around a module can
take tests out of pytest's list after the module is read:

* a conftest.py that adds the file to ``collect_ignore`` under a condition (the
  whole file may be left out: ``Verdict.doubt``);
* ``addopts``: ``-m`` (marks; decided here where every mark of the test is known),
  ``--deselect`` (node ID prefixes: decided here), ``-k`` (keywords: names of the test,
  its class, module and folders, its marks, attributes set on it... not decided);
* ``--doctest-modules`` in ``addopts`` adds items instead: the examples in a module's
  docstrings, which this analysis does not list.

A test pytest surely leaves out is marked ``deselected``, with the option: it is
shown so, and neither listed nor counted as collected. One it may leave out stops
being exact and says why, on its page and in the JSON. The others keep their claim.
"""

from __future__ import annotations

from dataclasses import replace

from sphinx_testdocs.analysis.addopts import CommandLine
from sphinx_testdocs.analysis.markexpr import MarkExpression, parse_markexpr
from sphinx_testdocs.analysis.model import CollectedTest, ModuleCollection

__all__ = ["narrowed"]


def narrowed(
    collection: ModuleCollection,
    commandline: CommandLine,
    *,
    file_doubt: str | None,
    source: str,
) -> ModuleCollection:
    """``collection`` with the tests pytest may leave out no longer exact (see above)."""
    if not collection.is_test_module:
        return collection
    notes = list(collection.notes)
    complete = collection.complete
    if file_doubt:
        notes.append(file_doubt)
        complete = False
    if commandline.doctest_modules and ">>>" in source:
        notes.append(
            "addopts has --doctest-modules: pytest also collects the examples in its docstrings"
        )
        complete = False
    markexpr = commandline.markexpr
    expression = parse_markexpr(markexpr) if markexpr and markexpr.strip() else None
    tests = tuple(
        _narrowed_test(test, commandline, expression, file_doubt) for test in collection.tests
    )
    if tests == collection.tests and complete == collection.complete:
        return collection
    return replace(collection, tests=tests, notes=tuple(notes), complete=complete)


def _narrowed_test(
    test: CollectedTest,
    commandline: CommandLine,
    expression: MarkExpression | None,
    file_doubt: str | None,
) -> CollectedTest:
    """The test, deselected where pytest surely leaves it out, or no longer exact where
    it may."""
    if not test.exact:
        # Its cases are in doubt, not what its own marks or node ID decide.
        out = _by_prefix(test, commandline.deselect)[0]
        markexpr = commandline.markexpr
        if out is None and markexpr and markexpr.strip():
            out = _by_marks(test, markexpr, expression)[0]
        return test if out is None else replace(test, deselected=out)
    if file_doubt:
        return replace(test, exact=False, doubt=file_doubt)
    out, doubt = _by_prefix(test, commandline.deselect)
    if out is None and doubt is None and commandline.keywordexpr is not None:
        doubt = f"addopts has -k {commandline.keywordexpr}: pytest may deselect it by keyword"
    markexpr = commandline.markexpr
    if out is None and doubt is None and markexpr and markexpr.strip():
        out, doubt = _by_marks(test, markexpr, expression)
    if out is not None:
        return replace(test, deselected=out)
    return test if doubt is None else replace(test, exact=False, doubt=doubt)


#: (why pytest surely leaves the test out, why it may): at most one is set.
_Outcome = tuple[str | None, str | None]


def _by_prefix(test: CollectedTest, prefixes: tuple[str, ...]) -> _Outcome:
    """``--deselect``: pytest leaves out every item whose node ID starts with a prefix."""
    for prefix in prefixes:
        if test.nodeid.startswith(prefix):
            return f"addopts has --deselect {prefix}", None
        if prefix.startswith(test.nodeid + "["):
            return None, f"addopts has --deselect {prefix}: pytest leaves some of its cases out"
    return None, None


def _by_marks(test: CollectedTest, text: str, expression: MarkExpression | None) -> _Outcome:
    """``-m``: whether pytest leaves the test out, surely or maybe."""
    may = f"addopts has -m {text}: pytest may deselect it by its marks"
    if expression is None or not test.marks_known:
        return None, may
    names = {m.name for m in test.markers if m.framework == "pytest" and m.origin != "param"}
    # Marks of some cases only (``pytest.param(marks=...)``), or of a plugin's making
    # (hypothesis marks its tests when its plugin is active): decided per case, or not.
    partial = {m.name for m in test.markers if m.framework != "pytest" or m.origin == "param"}
    if partial & expression.idents:
        return None, may
    if expression.matches(names):
        return None, None
    return f"addopts has -m {text}", None
