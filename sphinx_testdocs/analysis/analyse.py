"""Analyse one file: read, decode, parse once, and derive every record from that parse."""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sphinx_testdocs.analysis.addopts import CommandLine
from sphinx_testdocs.analysis.canonical import ProjectNames
from sphinx_testdocs.analysis.collection import DEFAULT_DEVICE_TYPES, ModuleLinks, collect_module
from sphinx_testdocs.analysis.comments import read_comments
from sphinx_testdocs.analysis.conftest_rules import read_conftest
from sphinx_testdocs.analysis.deselection import narrowed
from sphinx_testdocs.analysis.generate_hook import combine
from sphinx_testdocs.analysis.imports import ImportClassifier
from sphinx_testdocs.analysis.model import (
    Exercise,
    FileFacts,
    FileKind,
    FixtureDef,
    ModuleAnalysis,
    ModuleCollection,
    ParseStatus,
    Problem,
)
from sphinx_testdocs.analysis.parsing import cycle_collector_paused, parse_module
from sphinx_testdocs.analysis.pytest_config import PytestConfig
from sphinx_testdocs.analysis.reading import decode_source, looks_binary
from sphinx_testdocs.analysis.receivers import Classes, typed_uses
from sphinx_testdocs.analysis.recovery import recover
from sphinx_testdocs.analysis.rules import RuleScan
from sphinx_testdocs.analysis.rules import scan as rule_scan
from sphinx_testdocs.analysis.selection import Verdict
from sphinx_testdocs.analysis.structure import SourceSlicer, Structure, extract_structure
from sphinx_testdocs.analysis.usage import Spans, exercises

TypedUses = Callable[[Spans, Mapping[str, Mapping[str, FixtureDef]]], list[Exercise]]


@dataclass(frozen=True)
class AnalysisContext:
    """What the analysis of one file needs to know about the project around it."""

    classifier: ImportClassifier = field(default_factory=ImportClassifier)
    #: Prefix that turns a path relative to the configured root into one relative to
    #: the project root (where pytest runs), e.g. "test/" for PyTorch's ``test`` folder.
    nodeid_prefix: str = ""
    pytest_config: PytestConfig = field(default_factory=PytestConfig)
    #: Other modules, read as source to follow names (None: names are not followed).
    links: ModuleLinks | None = None
    #: Device types PyTorch's device-generic tests are documented for.
    device_types: tuple[str, ...] = DEFAULT_DEVICE_TYPES
    #: Fixtures of the plugins the project loads by name (``-p`` in addopts...).
    plugin_fixtures: Mapping[str, FixtureDef] = field(default_factory=dict)
    #: Which tests the ``pytest_generate_tests`` hooks of those plugins may parametrize.
    plugin_generate_tests: tuple[str, ...] | None = ()


@dataclass(frozen=True)
class Surroundings:
    """What the conftest.py files above a file contribute to it."""

    fixtures: Mapping[str, FixtureDef] = field(default_factory=dict)
    #: Which tests the ``pytest_generate_tests`` hooks of the conftests above may
    #: parametrize (:mod:`.generate_hook`): ``()`` none, ``None`` any.
    generate_tests: tuple[str, ...] | None = ()
    #: Whether pytest reaches the file at all (``collect_ignore``, ``norecursedirs``...).
    verdict: Verdict = field(default_factory=Verdict)
    #: The options of ``addopts`` that deselect tests (``-m``, ``-k``, ``--deselect``).
    commandline: CommandLine = field(default_factory=CommandLine)


def analyse_file(
    path: Path,
    relpath: str,
    context: AnalysisContext,
    surroundings: Surroundings | None = None,
) -> ModuleAnalysis:
    """Read ``path`` as bytes and analyse it; never raises for bad content or I/O errors."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return _reached(_unreadable(relpath, f"cannot read the file: {reason}"), surroundings)
    return analyse_bytes(
        data,
        relpath=relpath,
        context=context,
        surroundings=surroundings,
        path=path.absolute(),
    )


def _unreadable(relpath: str, message: str) -> ModuleAnalysis:
    facts = FileFacts(relpath=relpath, size=0, encoding=None, line_count=0)
    return _unparsed(facts, None, [Problem("read", message)])


def _unparsed(facts: FileFacts, text: str | None, problems: list[Problem]) -> ModuleAnalysis:
    """A page with no structure: metadata, the text when there is one, what went wrong."""
    kind, reason = _kind_without_collection(facts.relpath)
    return ModuleAnalysis(
        facts=facts,
        kind=kind,
        kind_reason=reason,
        status=ParseStatus.FAILED,
        text=text,
        problems=tuple(problems),
    )


def analyse_bytes(
    data: bytes,
    *,
    relpath: str,
    context: AnalysisContext,
    surroundings: Surroundings | None = None,
    path: Path | None = None,
) -> ModuleAnalysis:
    """Analyse the bytes of a file found at ``relpath`` (POSIX, relative to its root).

    ``path`` is where the file lies, for following its imports (``context.links``).
    """
    with cycle_collector_paused():
        return _reached(_analyse(data, relpath, context, surroundings, path), surroundings)


def _reached(analysis: ModuleAnalysis, surroundings: Surroundings | None) -> ModuleAnalysis:
    """The analysis, saying so when pytest never reaches the file or its import stops."""
    verdict = surroundings.verdict if surroundings else None
    excluded = verdict.excluded if verdict else None
    collection = analysis.collection
    if verdict and verdict.stops and collection and not collection.stopped:
        # Named or not, pytest collects nothing there: the module is stopped too.
        collection = dataclasses.replace(collection, stopped=excluded)
    stopped = collection.stopped if collection else None
    if excluded or stopped:
        return dataclasses.replace(
            analysis, collection=collection, not_collected=excluded or stopped
        )
    return analysis


def _analyse(
    data: bytes,
    relpath: str,
    context: AnalysisContext,
    surroundings: Surroundings | None,
    path: Path | None,
) -> ModuleAnalysis:
    decoded = decode_source(data)
    facts = FileFacts(
        relpath=relpath,
        size=len(data),
        encoding=decoded.encoding,
        line_count=decoded.line_count,
        newline=decoded.newline,
        has_bom=decoded.has_bom,
    )
    problems = list(decoded.problems)
    if looks_binary(data):
        return _unparsed(
            facts, None, [Problem("binary", "the file holds binary data, not Python source")]
        )
    tree: ast.Module | None = None
    if decoded.exact:
        tree, parse_problem = _parse(decoded.text, relpath)
        if parse_problem:
            problems.append(parse_problem)
    if tree is None:
        return _recovered(decoded.text, facts, problems, context)

    try:
        slicer = SourceSlicer(decoded.text)
        comments = read_comments(slicer.lines, tree)
        structure = extract_structure(tree, slicer, context.classifier, comments)
    except RecursionError:
        problems.append(Problem("recursion", "the file is nested too deeply to analyse fully"))
        structure = Structure((), (), None, None)
    surroundings = surroundings or Surroundings()
    name = PurePosixPath(relpath).name
    collection = collect_module(
        tree,
        source=decoded.text,
        filename=name,
        nodeid_path=context.nodeid_prefix + relpath,
        relpath=relpath,
        config=context.pytest_config,
        visible_fixtures=surroundings.fixtures,
        outer_generate_tests=combine([surroundings.generate_tests, context.plugin_generate_tests]),
        links=context.links,
        path=path,
        device_types=context.device_types,
        plugin_fixtures=context.plugin_fixtures,
    )
    # What may leave the whole file or some of its tests out after collection.
    collection = narrowed(
        collection,
        surroundings.commandline,
        file_doubt=surroundings.verdict.doubt,
        source=decoded.text,
    )
    scan = rule_scan(tree)
    if not scan.complete:
        problems.append(
            Problem("recursion", "the file is nested too deeply for every rule to be checked")
        )
    kind, reason = _kind(relpath, collection)
    typed, reads = _typed_uses(tree, scan, context, path)
    exercised = exercises(
        scan.references,
        structure.imports,
        structure.definitions,
        collection,
        context.classifier,
        typed,
    )
    if reads():
        # The classes were found in other modules' source: a change there changes
        # what this file's tests are found to use.
        read = {p.as_posix() for p in reads()} - {path.as_posix() if path else ""}
        if not read <= set(collection.dependencies):
            dependencies = tuple(sorted(read | set(collection.dependencies)))
            collection = dataclasses.replace(collection, dependencies=dependencies)
    return ModuleAnalysis(
        facts=facts,
        kind=kind,
        kind_reason=reason,
        status=ParseStatus.OK,
        text=decoded.text,
        docstring_summary=structure.docstring_summary,
        comment_summary=structure.comment_summary,
        definitions=structure.definitions,
        imports=structure.imports,
        main_guard_line=structure.main_guard_line,
        findings=scan.findings,
        problems=tuple(problems),
        collection=collection,
        exercises=exercised,
        conftest=read_conftest(tree) if name == "conftest.py" else None,
    )


def _typed_uses(
    tree: ast.Module, scan: RuleScan, context: AnalysisContext, path: Path | None
) -> tuple[TypedUses | None, Callable[[], set[Path]]]:
    """``receivers.typed_uses`` bound to this module, and the files it read."""
    links, index = context.links, scan.index
    recorded: set[Path] = set()
    if index is None:
        return None, lambda: recorded
    classify = context.classifier
    names = ProjectNames(links, path, context.pytest_config) if links and path else None

    def class_name(dotted: str) -> str | None:
        return names.class_name(dotted) if names is not None else None

    classes = Classes(
        class_name=class_name,
        enters_self=lambda cls: names is not None and names.enters_self(cls),
        is_project=lambda name: classify(name, 0).is_project,
    )

    def typed(spans: Spans, fixtures: Mapping[str, Mapping[str, FixtureDef]]) -> list[Exercise]:
        if links is None:
            return typed_uses(index, tree, spans, fixtures, classes)
        before, links.recording = links.recording, set()
        try:
            return typed_uses(index, tree, spans, fixtures, classes)
        finally:
            recorded.update(links.recording)
            links.recording = before | links.recording

    return typed, lambda: recorded


def _recovered(
    text: str, facts: FileFacts, problems: list[Problem], context: AnalysisContext
) -> ModuleAnalysis:
    """A page for a file Python cannot parse: as much structure as can be recovered."""
    recovered = recover(text, context.classifier) if text else None
    if recovered is None or not (recovered.definitions or recovered.imports):
        return _unparsed(facts, text, problems)
    kind, reason = _kind_without_collection(facts.relpath)
    return ModuleAnalysis(
        facts=facts,
        kind=kind,
        kind_reason=reason,
        status=ParseStatus.PARTIAL,
        text=text,
        docstring_summary=recovered.docstring_summary,
        definitions=recovered.definitions,
        imports=recovered.imports,
        main_guard_line=recovered.main_guard_line,
        problems=tuple(problems),
    )


def _parse(text: str, relpath: str) -> tuple[ast.Module | None, Problem | None]:
    try:
        return parse_module(text, filename=relpath), None
    except SyntaxError as exc:
        where = f" (line {exc.lineno})" if exc.lineno else ""
        return None, Problem(
            "syntax", f"Python cannot parse the file: {exc.msg}{where}", exc.lineno
        )
    except ValueError as exc:  # NUL bytes, before 3.12
        return None, Problem("syntax", f"Python cannot parse the file: {exc}")
    except (RecursionError, MemoryError) as exc:  # extreme nesting
        reason = str(exc) or type(exc).__name__
        return None, Problem("recursion", f"Python cannot parse the file: {reason}")


def _kind_without_collection(relpath: str) -> tuple[FileKind, str]:
    name = PurePosixPath(relpath).name
    if name == "conftest.py":
        return FileKind.CONFTEST, _CONFTEST_REASON
    if name == "__init__.py":
        return FileKind.PACKAGE_MARKER, _INIT_REASON
    if name.startswith("test_") or name.endswith("_test.py"):
        return FileKind.TEST_MODULE, "its name matches pytest's test file patterns"
    return FileKind.HELPER, "its name does not match pytest's test file patterns"


_CONFTEST_REASON = (
    "pytest loads conftest.py automatically: its fixtures and hooks apply to the tests in "
    "this folder and below"
)
_INIT_REASON = "an __init__.py file makes its folder a Python package"


def _kind(relpath: str, collection: ModuleCollection) -> tuple[FileKind, str]:
    """The kind by name for conftest and package files, else as pytest collects it."""
    if PurePosixPath(relpath).name in {"conftest.py", "__init__.py"}:
        return _kind_without_collection(relpath)
    reason = collection.reason.rstrip(".")
    reason = reason[:1].lower() + reason[1:]
    if collection.is_test_module:
        return FileKind.TEST_MODULE, reason
    return FileKind.HELPER, reason
