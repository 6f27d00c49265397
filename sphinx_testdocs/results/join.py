"""Results joined to the tests the static analysis knows, by node ID.

Runners name a test in different ways: pytest's report log by its node ID, JUnit by a
dotted ``classname`` (the module's path, then its classes) and a ``name``, relative to
wherever the runner started. PyTorch's CI adds a device to generated classes and tests
(``TestFooCUDA::test_add_cuda_float32``) that the static map knows for this machine's
devices only (``TestFooCPU::test_add_cpu_float32``). A result is matched, in order:

1. by its node ID, parameters aside;
2. by its dotted path, trying shorter and shorter tails of it against tails of the
   known tests' paths (a tail that two known tests share matches neither);
3. with device names taken out of class and test names on both sides, when the class
   name ends in a device; such a match is counted as "on another device".

What matches nothing is kept as a result whose test no longer exists (or never did).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from sphinx_testdocs.results.records import SEVERITY, CaseResult, Outcome

#: Device types PyTorch instantiates test classes for (``instantiate_device_type_tests``).
_DEVICES = ("cpu", "cuda", "mps", "xpu", "meta", "lazy", "hpu", "xla", "mtia", "privateuse1")
_CLASS_DEVICE = re.compile("(?<=.)(?:" + "|".join(d.upper() for d in _DEVICES) + ")$")
_NAME_DEVICE = re.compile("_(?:" + "|".join(_DEVICES) + ")(?=_|$)")
#: A tail shared by two known tests: it matches neither.
_AMBIGUOUS = -1
#: Results whose test is unknown, kept to be listed; the rest are counted.
ORPHANS_KEPT = 2000


@dataclass(frozen=True, slots=True)
class KnownTest:
    """A test the static map lists, as pytest names it (``path::Class::test``)."""

    root: str  # root key
    relpath: str  # file, relative to its test directory
    nodeid: str  # relative to pytest's rootdir, without parameters


@dataclass(frozen=True, slots=True)
class TestResults:
    """What the results say of one known test, all its cases and jobs together."""

    #: (source, outcome, cases) for each outcome seen, sorted.
    counts: tuple[tuple[int, Outcome, int], ...]
    #: Seconds: the longest of one job's total over the test's cases.
    duration: float
    #: Distinct skip reasons and failure messages, failures first, a few at most.
    messages: tuple[str, ...]
    #: A case passed in one run and failed in another (or passed on a rerun).
    flaky: bool
    reruns: int
    #: Results matched only with the device taken out of the names.
    other_devices: int
    #: The worst outcome over all cases and jobs (what the test counts as).
    overall: Outcome


@dataclass(frozen=True, slots=True)
class Orphan:
    """A result whose test the static map does not know."""

    source: int
    shown: str
    outcome: Outcome
    #: The known file it names, if any (root key, relpath): where the static map may
    #: have missed it rather than the test being gone.
    file: tuple[str, str] | None = None


@dataclass
class Totals:
    """Outcomes summed over tests (each test counted once, by its worst outcome)."""

    outcomes: dict[Outcome, int] = field(default_factory=dict)
    flaky: int = 0
    known: int = 0  # tests the static map lists
    not_run: int = 0  # of which no result mentions
    uncollected: int = 0  # files a results file says pytest could not collect

    def add(self, results: TestResults | None) -> None:
        self.known += 1
        if results is None:
            self.not_run += 1
            return
        worst = results.overall
        self.outcomes[worst] = self.outcomes.get(worst, 0) + 1
        self.flaky += results.flaky

    def facts(self) -> tuple[object, ...]:
        return (
            sorted((o.value, n) for o, n in self.outcomes.items()),
            self.flaky,
            self.known,
            self.not_run,
        )


@dataclass
class JoinedResults:
    """Every results file of the build, joined to the known tests."""

    #: Label of each results file (its path as configured), in order.
    sources: tuple[str, ...]
    #: (root key, relpath) -> node ID -> results; known tests without any are absent.
    by_file: dict[tuple[str, str], dict[str, TestResults]]
    #: (root key, relpath) -> node IDs of every known test of the file.
    known: dict[tuple[str, str], tuple[str, ...]]
    #: (root key, relpath) -> (source, message) of each failure to collect the file.
    collection_errors: dict[tuple[str, str], tuple[tuple[int, str], ...]]
    orphans: list[Orphan]
    orphans_total: int
    #: Files whose tests the static map knows only in part (pytest may collect more).
    partial: frozenset[tuple[str, str]]
    matched: int  # results matched to a known test
    read: int  # results read in all

    def of_file(self, root: str, relpath: str) -> dict[str, TestResults]:
        return self.by_file.get((root, relpath), {})

    def totals(self, files: Iterable[tuple[str, str]]) -> Totals:
        totals = Totals()
        for key in files:
            totals.uncollected += key in self.collection_errors
            found = self.by_file.get(key, {})
            for nodeid in self.known.get(key, ()):
                totals.add(found.get(nodeid))
        return totals

    def not_run(self) -> Iterator[KnownTest]:
        for (root, relpath), nodeids in sorted(self.known.items()):
            found = self.by_file.get((root, relpath), {})
            for nodeid in nodeids:
                if nodeid not in found:
                    yield KnownTest(root, relpath, nodeid)


class _Index:
    """The known tests under every name a result may give them."""

    def __init__(self, tests: list[KnownTest]) -> None:
        self.exact: dict[str, int] = {}
        self.tails: dict[tuple[str, str], int] = {}
        self.devices: dict[tuple[str, str], int] = {}
        #: Dotted tails of each file's module path -> the file (root key, relpath).
        self.modules: dict[str, tuple[str, str] | None] = {}
        for test in tests:
            modules = _split_nodeid(test.nodeid)[0]
            for tail in _tails(modules, []):
                known = self.modules.setdefault(tail, (test.root, test.relpath))
                if known != (test.root, test.relpath):
                    self.modules[tail] = None  # two files share it: neither
        for number, test in enumerate(tests):
            self.exact[test.nodeid] = number
            modules, classes, name = _split_nodeid(test.nodeid)
            for tail in _tails(modules, classes):
                _note(self.tails, (tail, name), number)
            if classes and _CLASS_DEVICE.search(classes[-1]):
                for tail in _tails(modules, _without_device(classes)):
                    _note(self.devices, (tail, _NAME_DEVICE.sub("", name)), number)

    def find(self, result: CaseResult) -> tuple[int, bool] | None:
        """The known test's number, and whether only the device told them apart."""
        if result.nodeid is not None:
            base = _base(result.nodeid)
            if base in self.exact:
                return self.exact[base], False
            modules, classes, name = _split_nodeid(base)
            dotted = [*modules, *classes]
        else:
            dotted, name = result.classname.split("."), _base(result.name)
            classes = dotted
        for start in range(len(dotted)):
            found = self.tails.get((".".join(dotted[start:]), name))
            if found is not None:
                return (found, False) if found != _AMBIGUOUS else None
        if classes and _CLASS_DEVICE.search(classes[-1]):
            plain, plain_name = _without_device(dotted), _NAME_DEVICE.sub("", name)
            for start in range(len(plain)):
                found = self.devices.get((".".join(plain[start:]), plain_name))
                if found is not None:
                    return (found, True) if found != _AMBIGUOUS else None
        return None

    def find_module(self, result: CaseResult) -> tuple[str, str] | None:
        """The file a result stands for: pytest's JUnit XML reports a module it could not
        collect as a case with no class, named by the module's dotted path."""
        if result.nodeid is not None or result.classname or "[" in result.name:
            return None
        return self._module_at(result.name.split("."))

    def file_of(self, result: CaseResult) -> tuple[str, str] | None:
        """The known file whose test a result names (the longest module path in it)."""
        if result.nodeid is not None:
            return self._module_at(_split_nodeid(_base(result.nodeid))[0])
        parts = result.classname.split(".") if result.classname else []
        for end in range(len(parts), 0, -1):
            found = self._module_at(parts[:end])
            if found is not None:
                return found
        return None

    def _module_at(self, parts: list[str]) -> tuple[str, str] | None:
        """The file a dotted module path (any tail of it) names; None if none or two."""
        for start in range(len(parts)):
            tail = ".".join(parts[start:])
            if tail in self.modules:
                return self.modules[tail]
        return None


def find_known(known: list[KnownTest], names: Iterable[CaseResult]) -> Iterator[KnownTest | None]:
    """The known test each name stands for, matched as results are (node ID, then dotted
    tails, then without devices); None where nothing, or more than one test, matches.
    Coverage contexts name tests the same ways (``sphinx_testdocs.coverage``)."""
    index = _Index(known)
    for name in names:
        found = index.find(name)
        yield known[found[0]] if found is not None else None


def _note(index: dict[tuple[str, str], int], key: tuple[str, str], number: int) -> None:
    index[key] = number if index.get(key, number) == number else _AMBIGUOUS


def _base(name: str) -> str:
    """A node ID or test name without its parameters (``test_x[1-2]`` -> ``test_x``)."""
    bracket = name.find("[")
    return name[:bracket] if bracket > 0 else name


def _split_nodeid(nodeid: str) -> tuple[list[str], list[str], str]:
    """``a/b/test_x.py::C::test_y`` -> (["a", "b", "test_x"], ["C"], "test_y")."""
    parts = nodeid.split("::")
    path = parts[0].removesuffix(".py")
    return [p for p in path.split("/") if p], parts[1:-1], parts[-1]


def _tails(modules: list[str], classes: list[str]) -> Iterator[str]:
    """Dotted tails that keep at least the module's own name."""
    for start in range(len(modules)):
        yield ".".join([*modules[start:], *classes])


def _without_device(parts: list[str]) -> list[str]:
    return [*parts[:-1], _CLASS_DEVICE.sub("", parts[-1])] if parts else parts


@dataclass
class _Running:
    counts: dict[tuple[int, Outcome], int] = field(default_factory=dict)
    durations: dict[int, float] = field(default_factory=dict)
    messages: dict[str, bool] = field(default_factory=dict)  # message -> is a failure
    #: Case -> bit per outcome seen, over every source (flaky: passed and failed).
    cases: dict[str, int] = field(default_factory=dict)
    reruns: int = 0
    other_devices: int = 0

    def add(self, source: int, result: CaseResult, by_device: bool) -> None:
        key = (source, result.outcome)
        self.counts[key] = self.counts.get(key, 0) + 1
        if result.duration is not None:
            self.durations[source] = self.durations.get(source, 0.0) + result.duration
        if result.message and len(self.messages) < 3:
            self.messages.setdefault(result.message, result.outcome.bad)
        case = result.shown
        self.cases[case] = self.cases.get(case, 0) | _BITS[result.outcome]
        self.reruns += result.reruns
        self.other_devices += by_device

    def done(self) -> TestResults:
        flaky = self.reruns > 0 and any(o is Outcome.PASSED for _, o in self.counts)
        flaky = flaky or any(
            bits & _BITS[Outcome.PASSED] and bits & _BAD for bits in self.cases.values()
        )
        return TestResults(
            counts=tuple(sorted((s, o, n) for (s, o), n in self.counts.items())),
            duration=max(self.durations.values(), default=0.0),
            messages=tuple(sorted(self.messages, key=lambda m: not self.messages[m])),
            flaky=flaky,
            reruns=self.reruns,
            other_devices=self.other_devices,
            overall=_worst(o for _, o in self.counts),
        )


def _worst(outcomes: Iterable[Outcome]) -> Outcome:
    seen = set(outcomes)
    return next((o for o in SEVERITY if o in seen), Outcome.SKIPPED)


_BITS = {outcome: 1 << n for n, outcome in enumerate(Outcome)}
_BAD = _BITS[Outcome.FAILED] | _BITS[Outcome.ERROR]


def join_results(
    known: list[KnownTest],
    sources: Sequence[tuple[str, Iterable[CaseResult]]],
    partial: Iterable[tuple[str, str]] = (),
) -> JoinedResults:
    """Match every result of every source (a label and its results) to ``known``."""
    index = _Index(known)
    running: dict[int, _Running] = {}
    orphans: list[Orphan] = []
    orphans_total = matched = read = 0
    collection_errors: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for source, (_, results) in enumerate(sources):
        for result in results:
            read += 1
            found = index.find(result)
            module = index.find_module(result) if found is None else None
            if module is not None and result.outcome.bad:
                matched += 1
                collection_errors.setdefault(module, []).append((source, result.message))
                continue
            if found is None:
                orphans_total += 1
                if len(orphans) < ORPHANS_KEPT:
                    file = index.file_of(result)
                    orphans.append(Orphan(source, result.shown, result.outcome, file))
                continue
            matched += 1
            number, by_device = found
            running.setdefault(number, _Running()).add(source, result, by_device)
    by_file: dict[tuple[str, str], dict[str, TestResults]] = {}
    for number, state in sorted(running.items()):
        test = known[number]
        by_file.setdefault((test.root, test.relpath), {})[test.nodeid] = state.done()
    known_by_file: dict[tuple[str, str], list[str]] = {}
    for test in known:
        known_by_file.setdefault((test.root, test.relpath), []).append(test.nodeid)
    return JoinedResults(
        sources=tuple(label for label, _ in sources),
        by_file=by_file,
        known={key: tuple(ids) for key, ids in known_by_file.items()},
        collection_errors={
            key: tuple(errors) for key, errors in sorted(collection_errors.items())
        },
        orphans=orphans,
        orphans_total=orphans_total,
        partial=frozenset(partial),
        matched=matched,
        read=read,
    )
