"""Analyse one file: read, decode, parse once, and derive every record from that parse."""

from __future__ import annotations

import ast
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sphinx_testdocs.analysis.imports import ImportClassifier
from sphinx_testdocs.analysis.model import (
    CollectedClass,
    CollectedTest,
    DefKind,
    FileFacts,
    FileKind,
    FixtureDef,
    ModuleAnalysis,
    ModuleCollection,
    ParseStatus,
    Problem,
)
from sphinx_testdocs.analysis.reading import decode_source, looks_binary
from sphinx_testdocs.analysis.structure import SourceSlicer, Structure, extract_structure


@dataclass(frozen=True)
class AnalysisContext:
    """What the analysis of one file needs to know about the project around it."""

    classifier: ImportClassifier = field(default_factory=ImportClassifier)
    #: Prefix that turns a path relative to the configured root into one relative to
    #: the project root (where pytest runs), e.g. "test/" for PyTorch's ``test`` folder.
    nodeid_prefix: str = ""


def analyse_file(
    path: Path,
    relpath: str,
    context: AnalysisContext,
    visible_fixtures: Mapping[str, FixtureDef] | None = None,
) -> ModuleAnalysis:
    """Read ``path`` as bytes and analyse it; never raises for bad content or I/O errors."""
    try:
        data = path.read_bytes()
        mtime = os.stat(path).st_mtime
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return _unreadable(relpath, f"cannot read the file: {reason}")
    return analyse_bytes(data, relpath=relpath, mtime=mtime, context=context)


def _unreadable(relpath: str, message: str) -> ModuleAnalysis:
    facts = FileFacts(relpath=relpath, size=0, mtime=0.0, encoding=None, line_count=0)
    kind, reason = _kind_without_collection(relpath)
    return ModuleAnalysis(
        facts=facts,
        kind=kind,
        kind_reason=reason,
        status=ParseStatus.FAILED,
        text=None,
        problems=(Problem("read", message),),
    )


def analyse_bytes(
    data: bytes,
    *,
    relpath: str,
    mtime: float,
    context: AnalysisContext,
) -> ModuleAnalysis:
    """Analyse the bytes of a file found at ``relpath`` (POSIX, relative to its root)."""
    decoded = decode_source(data)
    facts = FileFacts(
        relpath=relpath,
        size=len(data),
        mtime=mtime,
        encoding=decoded.encoding,
        line_count=decoded.line_count,
        newline=decoded.newline,
        has_bom=decoded.has_bom,
    )
    problems = list(decoded.problems)
    if looks_binary(data):
        kind, reason = _kind_without_collection(relpath)
        return ModuleAnalysis(
            facts=facts,
            kind=kind,
            kind_reason=reason,
            status=ParseStatus.FAILED,
            text=None,
            problems=(Problem("binary", "the file holds binary data, not Python source"),),
        )
    tree: ast.Module | None = None
    if decoded.exact:
        tree, parse_problem = _parse(decoded.text, relpath)
        if parse_problem:
            problems.append(parse_problem)
    if tree is None:
        kind, reason = _kind_without_collection(relpath)
        return ModuleAnalysis(
            facts=facts,
            kind=kind,
            kind_reason=reason,
            status=ParseStatus.FAILED,
            text=decoded.text,
            problems=tuple(problems),
        )

    try:
        structure = extract_structure(tree, SourceSlicer(decoded.text), context.classifier)
    except RecursionError:
        problems.append(Problem("recursion", "the file is nested too deeply to analyse fully"))
        structure = Structure((), (), None, None)
    collection = _basic_collection(structure, relpath, context)
    kind, reason = _kind(relpath, collection)
    return ModuleAnalysis(
        facts=facts,
        kind=kind,
        kind_reason=reason,
        status=ParseStatus.OK,
        text=decoded.text,
        docstring_summary=structure.docstring_summary,
        definitions=structure.definitions,
        imports=structure.imports,
        main_guard_line=structure.main_guard_line,
        problems=tuple(problems),
        collection=collection,
    )


def _parse(text: str, relpath: str) -> tuple[ast.Module | None, Problem | None]:
    try:
        return ast.parse(text, filename=relpath), None
    except SyntaxError as exc:
        where = f" (line {exc.lineno})" if exc.lineno else ""
        return None, Problem("syntax", f"Python cannot parse the file: {exc.msg}{where}", exc.lineno)
    except (ValueError, RecursionError, MemoryError) as exc:
        # ValueError: NUL bytes before 3.12; RecursionError/MemoryError: extreme nesting.
        return None, Problem("syntax", f"Python cannot parse the file: {exc}")


def _kind_without_collection(relpath: str) -> tuple[FileKind, str]:
    name = PurePosixPath(relpath).name
    if name == "conftest.py":
        return FileKind.CONFTEST, _CONFTEST_REASON
    if name == "__init__.py":
        return FileKind.PACKAGE_MARKER, _INIT_REASON
    if _is_test_file_name(name):
        return FileKind.TEST_MODULE, "its name matches pytest's test file patterns"
    return FileKind.HELPER, "its name does not match pytest's test file patterns"


_CONFTEST_REASON = (
    "pytest loads conftest.py automatically: its fixtures and hooks apply to the tests in "
    "this folder and below"
)
_INIT_REASON = "an __init__.py file makes its folder a Python package"


def _kind(relpath: str, collection: ModuleCollection) -> tuple[FileKind, str]:
    name = PurePosixPath(relpath).name
    if name == "conftest.py":
        return FileKind.CONFTEST, _CONFTEST_REASON
    if name == "__init__.py":
        return FileKind.PACKAGE_MARKER, _INIT_REASON
    if collection.is_test_module:
        return FileKind.TEST_MODULE, collection.reason
    return FileKind.HELPER, collection.reason


def _is_test_file_name(name: str) -> bool:
    return name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))


def _basic_collection(
    structure: Structure, relpath: str, context: AnalysisContext
) -> ModuleCollection:
    """Name-based collection used until the pytest-aware collection is wired in."""
    nodeid_path = context.nodeid_prefix + relpath
    tests: list[CollectedTest] = []
    classes: list[CollectedClass] = []
    for top in structure.definitions:
        if top.kind is not DefKind.CLASS and top.name.startswith("test"):
            tests.append(CollectedTest(top.name, f"{nodeid_path}::{top.name}", top.line))
        elif top.kind is DefKind.CLASS and (
            top.name.startswith("Test") or any("TestCase" in b for b in top.bases)
        ):
            class_id = f"{nodeid_path}::{top.name}"
            style = "unittest" if any("TestCase" in b for b in top.bases) else "pytest"
            classes.append(CollectedClass(top.name, class_id, top.line, style))
            for child in top.children:
                if child.kind is not DefKind.CLASS and child.name.startswith("test"):
                    tests.append(
                        CollectedTest(
                            child.name, f"{class_id}::{child.name}", child.line, (top.name,)
                        )
                    )
    is_test = _is_test_file_name(PurePosixPath(relpath).name)
    reason = (
        "its name matches pytest's test file patterns"
        if is_test
        else "its name does not match pytest's test file patterns"
    )
    return ModuleCollection(
        is_test_module=is_test, reason=reason, tests=tuple(tests), classes=tuple(classes)
    )
