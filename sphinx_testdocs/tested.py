"""What a "Tested by" list says of a name: the tests that ran its code where coverage
data measured it, else the uses found statically. One choice, made here, for the lists,
their pages' digests and the untested-API list alike."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from sphinx_testdocs.coverage.measure import MeasuredTests, Measurement
from sphinx_testdocs.crossfile import CrossFile, TestUse, digest

if TYPE_CHECKING:
    from sphinx_testdocs.project import Project


@dataclass(frozen=True)
class TestedBy:
    """The tests of one documented name."""

    name: str
    #: What coverage data says; None where no data file measured the name's code.
    measured: Measurement | None
    #: The uses found statically; empty where ``measured`` decides.
    static: tuple[TestUse, ...]
    #: Data files that measured the name's module without per-test contexts.
    no_contexts: tuple[str, ...] = ()
    #: Data files (``test_function`` contexts) that saw the name run outside test
    #: functions only: by a fixture, say, which that recorder credits to no test.
    outside_tests: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """No test found: the list would only say "none"."""
        return not (self.measured.tests if self.measured is not None else self.static)

    @cached_property
    def digest(self) -> str:
        """A digest of everything the list shows, made once per name and build."""
        facts = (self.name, self.measured, self.static, self.no_contexts, self.outside_tests)
        return digest(facts)


def lists_digest(project: Project, names: Iterable[str]) -> str:
    """The digest of a page's "Tested by" lists. A page notes it again at each list it
    adds, over all its names so far: over each name's own digest, it stays cheap."""
    return digest(tested_by(project, name).digest for name in names)


def tested_by(project: Project, name: str) -> TestedBy:
    """The tests of ``name`` as the build knows them now (``project.crossfile`` is set).

    Remembered until the facts change: a page asks for each of its names again for its
    digest, and the untested-API list for every documented name.
    """
    crossfile, coverage = project.crossfile, project.coverage
    assert crossfile is not None
    memo = project.tested_by_memo
    if memo is None or memo[0] is not crossfile or memo[1] is not coverage:
        memo = project.tested_by_memo = (crossfile, coverage, {})
    found: TestedBy | None = memo[2].get(name)
    if found is None:
        found = memo[2][name] = _tested_by(crossfile, coverage, name)
    return found


def _tested_by(crossfile: CrossFile, coverage: MeasuredTests | None, name: str) -> TestedBy:
    # Coverage measured the code where it is defined: ask under that name
    # (``pkg.Flask.route`` -> ``pkg.app.Flask.route``), as the static uses are keyed.
    defined = crossfile.defined_as(name)
    measured = coverage.of(defined) if coverage is not None else None
    if measured is not None:
        return TestedBy(name, measured, ())
    if coverage is None:
        return TestedBy(name, None, tuple(crossfile.uses(name)))
    return TestedBy(
        name,
        None,
        tuple(crossfile.uses(name)),
        coverage.without_contexts(defined),
        coverage.outside_tests(defined),
    )
