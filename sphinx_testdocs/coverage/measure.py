"""Which tests ran each function and class of the measured code: per object, a set of
tests (never per line, so what is kept stays small whatever the suite's size)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sphinx_testdocs.coverage.contexts import named_test
from sphinx_testdocs.coverage.datafile import CoverageData, CoverageProblem, open_coverage
from sphinx_testdocs.coverage.spans import ModuleSpans, module_name, module_of, read_spans
from sphinx_testdocs.results.join import KnownTest, find_known


@dataclass(frozen=True, order=True, slots=True)
class MeasuredTest:
    """A test a context names: a known test (its root key and file), or as recorded."""

    nodeid: str  # the known test's node ID, or the context's test (parameters aside)
    root: str = ""  # root key of a known test, else ""
    relpath: str = ""


@dataclass(frozen=True)
class Measurement:
    """What the coverage data says of one documented name."""

    tests: tuple[MeasuredTest, ...]  # sorted
    sources: tuple[str, ...]  # labels of the data files that measured its module


@dataclass
class MeasuredTests:
    """Every data file of the build, read and mapped to the measured code's objects."""

    sources: tuple[str, ...]
    #: Qualified name (modules too) -> numbers of the tests that ran its code.
    objects: dict[str, set[int]] = field(default_factory=dict)
    tests: list[MeasuredTest] = field(default_factory=list)
    #: Module -> numbers of the data files that measured it (with per-test contexts).
    modules: dict[str, set[int]] = field(default_factory=dict)
    #: Module -> numbers of the data files that measured it without per-test contexts.
    uncontexted: dict[str, set[int]] = field(default_factory=dict)
    #: Qualified name -> numbers of the data files with ``test_function`` contexts that
    #: saw its code run outside any test function (in a fixture, say: that recorder
    #: credits fixtures to no test).
    outside: dict[str, set[int]] = field(default_factory=dict)
    #: Modules holding a function or class with no line of its own: that no test ran
    #: the others does not say that no test ran the module.
    partly: set[str] = field(default_factory=set)
    #: Measured files whose source is not here to read (recorded on another machine).
    missing_sources: int = 0
    #: Data file number -> measured sources changed after it was written: their lines
    #: may have moved since, so what it says of them may be off.
    newer_sources: dict[int, int] = field(default_factory=dict)
    #: (size, mtime in ns) of each measured source read: the sets hold while they do.
    stamps: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def sources_unchanged(self) -> bool:
        """Whether every measured source read is as it was (the spans still hold)."""
        try:
            return all(_stamp(path) == stamp for path, stamp in self.stamps.items())
        except OSError:
            return False

    def of(self, name: str) -> Measurement | None:
        """The tests that ran ``name``'s code; None where no data file measured it, where
        it has no line of its own (data and attributes, a class without methods, a
        one-line function: see ``spans``), or where no test but code outside test
        functions ran it (``outside_tests``)."""
        if name not in self.objects:
            return None
        module = module_of(name, self.modules, itself=True)
        numbers = set(self.objects[name])
        if name == module:  # a package: what its modules ran too
            prefix = module + "."
            for other in self.modules:
                if other.startswith(prefix):
                    numbers |= self.objects[other]
        if not numbers and (name in self.outside or name in self.partly):
            return None
        tests = tuple(sorted(self.tests[n] for n in numbers))
        return Measurement(tests, tuple(self.sources[n] for n in sorted(self.modules[module])))

    def without_contexts(self, name: str) -> tuple[str, ...]:
        """Labels of data files that measured ``name``'s module but recorded no test
        contexts: they cannot say which tests ran it."""
        module = module_of(name, self.uncontexted, itself=True)
        return tuple(self.sources[n] for n in sorted(self.uncontexted.get(module, ())))

    def outside_tests(self, name: str) -> tuple[str, ...]:
        """Labels of the data files that saw ``name`` run outside test functions only,
        where no test ran it (``of`` is then None)."""
        if name not in self.objects or self.objects[name]:
            return ()
        return tuple(self.sources[n] for n in sorted(self.outside.get(name, ())))


def measure(
    files: list[tuple[str, Path]], known: list[KnownTest]
) -> tuple[MeasuredTests, dict[Path, str]]:
    """Read each (label, path); the tests of each object, and the problem of each file
    left out (one message per file: it is then left out whole, never half-read)."""
    measured = MeasuredTests(sources=tuple(label for label, _ in files))
    problems: dict[Path, str] = {}
    numbers: dict[MeasuredTest, int] = {}
    for number, (_, path) in enumerate(files):
        try:
            data = open_coverage(path)
            tests = _context_tests(data, known)
            if not tests:
                for module in _modules(data):
                    measured.uncontexted.setdefault(module, set()).add(number)
                problems[path] = (
                    "recorded without per-test contexts: it cannot say which test ran what "
                    "(record with pytest --cov-context=test, or [run] dynamic_context = "
                    "test_function)"
                )
                continue
            read = _Reading(data, tests)
            read.run()
            if read.missing and not read.modules:
                raise CoverageProblem(
                    f"none of the {read.missing} source file(s) it measured is here "
                    "(recorded on another machine? coverage combine with [paths] remaps "
                    "them)"
                )
        except CoverageProblem as problem:
            problems[path] = str(problem)
            continue
        _merge(measured, read, number, numbers)
        written = _stamp(path)[1]
        newer = sum(mtime > written for _, mtime in read.stamps.values())
        if newer:
            measured.newer_sources[number] = newer
    return measured, problems


def _context_tests(data: CoverageData, known: list[KnownTest]) -> dict[int, MeasuredTest]:
    """Context id -> the test it names (contexts naming no test are left out)."""
    ids, names = [], []
    for context_id, label in sorted(data.contexts.items()):
        name = named_test(label)
        if name is not None:
            ids.append(context_id)
            names.append(name)
    tests = {}
    for context_id, name, found in zip(ids, names, find_known(known, names), strict=True):
        if found is not None:
            tests[context_id] = MeasuredTest(found.nodeid, found.root, found.relpath)
        else:
            shown = name.shown
            bracket = shown.find("[")
            tests[context_id] = MeasuredTest(shown[:bracket] if bracket > 0 else shown)
    return tests


def _modules(data: CoverageData) -> Iterator[str]:
    for recorded in data.files.values():
        path = _source_path(data.path, recorded)
        if path.suffix == ".py":
            yield module_name(path)


def _source_path(datafile: Path, recorded: str) -> Path:
    # relative_files = True records paths relative to where coverage ran: taken as the
    # data file's folder, where it is written by default.
    path = Path(recorded)
    return path if path.is_absolute() else datafile.parent / path


@dataclass
class _Reading:
    """One data file's rows mapped to objects, kept apart until the file is read whole."""

    data: CoverageData
    tests: dict[int, MeasuredTest]
    objects: dict[str, set[MeasuredTest]] = field(default_factory=dict)
    #: Names run in a context naming no test, where tests are named by function
    #: (``test_function``, ``tests.test_x.test_f``): fixtures run outside them.
    outside: set[str] = field(default_factory=set)
    modules: set[str] = field(default_factory=set)
    partly: set[str] = field(default_factory=set)
    missing: int = 0
    stamps: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def run(self) -> None:
        spans_of: dict[int, ModuleSpans | None] = {}

        def spans(file_id: int) -> ModuleSpans | None:
            if file_id not in spans_of:
                spans_of[file_id] = self._spans(file_id)
            return spans_of[file_id]

        def last_line(file_id: int) -> int:
            found = spans(file_id)
            return found.lines if found is not None else 0

        # Outside a test function is no test's only where tests are named by function:
        # pytest-cov's node IDs cover setup and teardown, what runs outside them is
        # collection's.
        by_function = any("::" not in self.data.contexts[c] for c in self.tests)
        #: Per file, the objects a mask of lines touches: tests often run the same
        #: lines of a file (a helper, a constructor), and then share one answer. Masks
        #: end at the source's last line: what is kept stays within contexts x lines.
        touched_by: dict[int, list[int]] = {}
        current = None
        for file_id, context_id, mask in self.data.rows(last_line):
            found = spans(file_id)
            test = self.tests.get(context_id)
            if found is None or (test is None and not by_function):
                continue
            if file_id != current:
                current, touched_by = file_id, {}
            touched = touched_by.get(mask)
            if touched is None:
                touched = touched_by[mask] = [
                    index for index, lines in enumerate(found.masks) if lines & mask
                ]
            names = [found.names[index] for index in touched]
            if test is None:
                self.outside.update(names)
                continue
            for name in names:
                self.objects[name].add(test)
            if touched:
                self.objects[found.module].add(test)

    def _spans(self, file_id: int) -> ModuleSpans | None:
        path = _source_path(self.data.path, self.data.files.get(file_id, ""))
        if path.suffix != ".py":
            return None
        try:
            stamp, source = _read_regular(path)
        except OSError:
            self.missing += 1
            return None
        self.stamps[path] = stamp
        module = module_name(path)
        spans = read_spans(source, module)
        if spans is None or not module:
            return None
        self.modules.add(module)
        if path.stem == "__init__" or any(spans.masks):  # a package: its modules'
            self.objects.setdefault(module, set())
        if not all(spans.masks):
            self.partly.add(module)
        for name, lines in zip(spans.names, spans.masks, strict=True):
            if lines:  # with no line of its own, nothing measured says who ran it
                self.objects.setdefault(name, set())
        return spans


def _read_regular(path: Path) -> tuple[tuple[int, int], bytes]:
    """The stamp and bytes of a regular file. A data file names the paths to read:
    one naming a FIFO or a device would block the build or read without end, so the
    file is opened without blocking and read only if it is a regular file (OSError
    otherwise)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(f"{path} is not a regular file")
        return (st.st_size, st.st_mtime_ns), handle.read()


def _merge(
    measured: MeasuredTests, read: _Reading, number: int, numbers: dict[MeasuredTest, int]
) -> None:
    for module in read.modules:
        measured.modules.setdefault(module, set()).add(number)
    measured.missing_sources += read.missing
    measured.partly |= read.partly
    for name in read.outside:
        measured.outside.setdefault(name, set()).add(number)
    measured.stamps.update(read.stamps)
    for name, tests in read.objects.items():
        found = measured.objects.setdefault(name, set())
        for test in tests:
            if test not in numbers:
                numbers[test] = len(measured.tests)
                measured.tests.append(test)
            found.add(numbers[test])


def _stamp(path: Path) -> tuple[int, int]:
    """Size and mtime of a file (OSError when it is gone)."""
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def data_stamps(files: list[tuple[str, Path]]) -> tuple[object, ...]:
    """What a set of data files is, to tell whether it changed: paths, sizes, mtimes."""
    stamps: list[object] = []
    for label, path in files:
        try:
            stamps.append((label, str(path), *_stamp(path)))
        except OSError:
            stamps.append((label, str(path), None))
    return tuple(stamps)
