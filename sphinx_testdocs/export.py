"""The static collection as data: ``testdocs.json`` and ``sphinx-testdocs collect``.

Sphinx-free: the command line builds a :class:`~sphinx_testdocs.project.Project` without
any Sphinx project, and the HTML build passes in the one it already has. The schema is
documented in ``docs/collect.rst``; keep the two in step.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from sphinx_testdocs.analysis.model import (
    CollectedTest,
    FileKind,
    FixtureDef,
    FixtureRequest,
    MarkerUse,
    ModuleAnalysis,
    ParseStatus,
)
from sphinx_testdocs.analysis.owners import test_owners, unique_names
from sphinx_testdocs.analysis.summary import unknown_parts, written_owners
from sphinx_testdocs.project import Project, TestRoot, relative_posix
from sphinx_testdocs.results.join import JoinedResults

#: The file the HTML build writes in its output directory.
JSON_FILENAME = "testdocs.json"


def collection_json(project: Project) -> dict[str, Any]:
    """What pytest would collect from every configured directory, as JSON-ready data.

    Modules come root by root, each root's in pytest's walking order (by path, a folder
    before the names that sort after it); tests in the order pytest collects them.
    """
    modules = [
        entry
        for root in project.roots
        for relpath in walking_order(root)
        if (entry := module_entry(project, root, relpath)) is not None
    ]
    return {"modules": modules}


def stopped_module(project: Project, root: TestRoot, relpath: str) -> tuple[str, str] | None:
    """``("path: reason", effect)`` of a test module whose import stops (a skip at
    module level, ``pytest.importorskip`` of a module not found where the analysis runs,
    an error, a SystemExit), None for any other file. pytest, run in the same
    environment, lists none of its tests, so neither does ``collection_json``; the
    reason says why, and whether it holds only where the analysis runs. The effect is
    ``ModuleCollection.stop_effect`` ("" when a folder's conftest.py stops it)."""
    if root.verdict(relpath).excluded is not None:
        return None  # never reached: nothing to say
    analysis = project.analysis(root, relpath)
    if analysis.kind is not FileKind.TEST_MODULE or analysis.not_collected is None:
        return None
    effect = analysis.collection.stop_effect if analysis.collection else None
    return f"{root.nodeid_path(relpath)}: {analysis.not_collected}", effect or ""


def collection_fragments(
    project: Project, stored: Mapping[str, Mapping[str, bytes | None]]
) -> list[bytes]:
    """The ``packed_fragment`` of every collected module, in ``collection_json``'s order.

    ``stored`` holds the fragments a build keeps (root key -> relpath -> fragment, None
    for files pytest does not collect); a missing one is made from the analysis.
    """
    fragments = []
    for root in project.roots:
        known = stored.get(root.key, {})
        for relpath in walking_order(root):
            if relpath in known:
                fragment = known[relpath]
            else:
                entry = module_entry(project, root, relpath)
                fragment = packed_fragment(entry) if entry is not None else None
            if fragment is not None:
                fragments.append(fragment)
    return fragments


def walking_order(root: TestRoot) -> list[str]:
    """A root's files as pytest walks them: initial path by initial path (``testpaths``
    in their order), each walked in sorted order."""

    def key(relpath: str) -> tuple[int, tuple[str, ...]]:
        index = root.selection.initial_index(root.absolute(relpath))
        # pytest sorts each directory's entries by name: sorting by path parts (not by
        # the path string, where "a-b/" sorts before "a/") walks the tree the same way.
        return (-1 if index is None else index, PurePosixPath(relpath).parts)

    return sorted((f.relpath for f in root.tree.files), key=key)


def module_entry(project: Project, root: TestRoot, relpath: str) -> dict[str, Any] | None:
    """The JSON entry of one file, or None when pytest would not collect it as a module."""
    # Decided before analysing: files pytest never reaches cost nothing here.
    if root.verdict(relpath).excluded is not None:
        return None
    analysis = project.analysis(root, relpath)
    if analysis.kind is not FileKind.TEST_MODULE or analysis.not_collected is not None:
        return None
    return _module(project, root, relpath, analysis)


def _module(
    project: Project, root: TestRoot, relpath: str, analysis: ModuleAnalysis
) -> dict[str, Any]:
    collection = analysis.collection
    notes: list[str] = []
    if analysis.status is not ParseStatus.OK:
        notes.extend(problem.message for problem in analysis.problems)
    owners = root.owners(relpath, written_owners(analysis, project.config.owner_markers))
    names = unique_names(owners)
    tests: list[dict[str, Any]] = []
    if collection is not None:
        notes.extend(collection.why_partial())
        tests = [_test(project, root, relpath, test, names) for test in collection.tests]
    config_file = root.context.pytest_config.config_file
    return {
        "path": relpath,
        "root": root.name,
        "rootdir": relative_posix(root.rootdir, root.path),
        "pytest_path": root.nodeid_path(relpath),
        "config_file": _config_label(root, config_file),
        "status": analysis.status.value,
        # A recovered structure may miss tests: never claim it is complete.
        "complete": analysis.status is ParseStatus.OK
        and collection is not None
        and collection.complete,
        "notes": notes,
        # Classes pytest fails to collect: an error each in its summary.
        "errors": list(collection.errors) if collection is not None else [],
        "owners": [{"name": o.name, "source": o.source, "where": o.where} for o in owners],
        "tests": tests,
    }


def _config_label(root: TestRoot, config_file: Path | None) -> str | None:
    if config_file is None:
        return None
    return relative_posix(config_file, root.path)


def _test(
    project: Project,
    root: TestRoot,
    relpath: str,
    test: CollectedTest,
    file_owners: Sequence[str],
) -> dict[str, Any]:
    return {
        # As pytest prints it: relative to its rootdir, like pytest_path.
        "nodeid": test.nodeid,
        "cases": test.cases,
        "exact": test.exact,
        "doubt": test.doubt,
        "deselected": test.deselected,
        "case_ids": list(test.case_ids) if test.case_ids is not None else None,
        "markers": [_marker(m) for m in test.markers],
        "fixtures": [_fixture(project, root, relpath, f) for f in test.fixtures],
        "line": test.line,
        "defined_in": test.defined_in,
        "function": test.source_name or test.name,
        "generated_by": test.generated_by,
        "name_is_pattern": test.name_is_pattern,
        # The file's owners, then those its own (or its class's) owner marks name.
        "owners": list(test_owners(file_owners, test, project.config.owner_markers)),
    }


def _marker(marker: MarkerUse) -> dict[str, Any]:
    return {
        "name": marker.name,
        "args": marker.args,
        "origin": marker.origin,
        "declared": marker.declared,
        "framework": marker.framework,
        "effect": marker.effect,
    }


def _fixture(
    project: Project, root: TestRoot, relpath: str, request: FixtureRequest
) -> dict[str, Any]:
    fdef = request.resolved
    return {
        "name": request.name,
        "defined_in": _defined_in(project, root, relpath, fdef) if fdef is not None else None,
        "builtin": fdef is not None and fdef.builtin,
    }


def _defined_in(project: Project, root: TestRoot, relpath: str, fdef: FixtureDef) -> str | None:
    """The file defining a fixture, relative to the configured directory (may use ``..``).

    ``FixtureDef.relpath`` is relative to the configured directory for files inside it,
    and to pytest's rootdir for conftest.py files above it: the two can spell the same
    name ("conftest.py"), so an inner conftest.py claims a fixture only if it defines it.
    """
    if fdef.builtin:
        return None
    if fdef.relpath == relpath:
        return relpath
    for path in reversed(root.conftest_chain(relpath)):
        located = project.locate(path)
        if located is not None and located[0] is root:
            if fdef.relpath == located[1]:
                collection = project.analysis(root, located[1]).collection
                if collection is not None and fdef in collection.fixtures:
                    return located[1]
        elif fdef.relpath == relative_posix(path, root.rootdir):
            return relative_posix(path, root.path)
    return fdef.relpath or None


def dumps(data: Mapping[str, Any]) -> str:
    """The JSON text: two-space indents, keys in the documented order, a final newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def module_fragment(entry: Mapping[str, Any]) -> str:
    """One module's entry as it appears inside ``dumps`` output (indented for the list)."""
    text = json.dumps(entry, indent=2, ensure_ascii=False)
    return "\n".join("    " + line for line in text.split("\n"))


def packed_fragment(entry: Mapping[str, Any]) -> bytes:
    """``module_fragment`` as a build keeps it between runs: UTF-8, compressed.

    Indented JSON shrinks about thirteen times: NumPy's suite keeps 0.36 MB rather than
    4.6 million characters (5.8 MB in memory, all of the build and in its saved
    environment), for 17 ms to pack and 10 ms to read back.
    """
    return zlib.compress(module_fragment(entry).encode("utf-8"), 1)


def unpacked_fragment(fragment: bytes) -> str:
    """The ``module_fragment`` text of a ``packed_fragment``."""
    return zlib.decompress(fragment).decode("utf-8")


def unpacked_fragments(
    stored: Mapping[str, Mapping[str, bytes | None]],
) -> dict[str, dict[str, str | None]]:
    """The fragments a build keeps (``collection_fragments``' ``stored``), as text."""
    return {
        key: {rel: unpacked_fragment(f) if f is not None else None for rel, f in files.items()}
        for key, files in stored.items()
    }


def results_json(joined: JoinedResults) -> dict[str, Any]:
    """The joined results as ``testdocs.json`` carries them (see docs/results)."""
    tests: dict[str, Any] = {}
    for by_nodeid in joined.by_file.values():
        for nodeid, results in by_nodeid.items():
            jobs: dict[str, dict[str, int]] = {}
            for source, outcome, count in results.counts:
                jobs.setdefault(joined.sources[source], {})[outcome.value] = count
            tests[nodeid] = {
                "outcome": results.overall.value,
                "jobs": jobs,
                "duration": round(results.duration, 6),
                "flaky": results.flaky,
                "reruns": results.reruns,
                "messages": list(results.messages),
            }
    return {
        "sources": list(joined.sources),
        "read": joined.read,
        "matched": joined.matched,
        "tests": dict(sorted(tests.items())),
        "not_run": [test.nodeid for test in joined.not_run()],
        "collection_errors": {
            relpath: [{"source": joined.sources[s], "message": m} for s, m in errors]
            for (_, relpath), errors in joined.collection_errors.items()
        },
        "unmatched": joined.orphans_total,
        "unmatched_listed": [
            {
                "source": joined.sources[o.source],
                "name": o.shown,
                "outcome": o.outcome.value,
                # Its file is known only in part: pytest may collect this test still.
                "maybe_collected": o.file in joined.partial,
            }
            for o in joined.orphans
        ],
    }


def fragment_chunks(
    fragments: Sequence[bytes], results: Mapping[str, Any] | None = None
) -> Iterator[str]:
    """The text of ``dumps({"modules": entries})``, piece by piece, from ``packed_fragment``s.

    A build keeps each module's fragment between runs, so writing the file is a join,
    not a serialisation of the whole suite; and a streamed one, never held whole.

    The whole text grows with the suite (megabytes, four bytes a character once one
    character is outside Latin-1): joined, it was the build's peak memory on large trees.
    """
    if not fragments:
        yield dumps({"modules": [], **({"results": results} if results else {})})
        return
    yield '{\n  "modules": [\n'
    for index, fragment in enumerate(fragments):
        if index:
            yield ",\n"
        yield unpacked_fragment(fragment)
    if results is None:
        yield "\n  ]\n}\n"
        return
    # The same text dumps() gives the whole: "results" one level in.
    text = json.dumps(results, indent=2, ensure_ascii=False).replace("\n", "\n  ")
    yield f'\n  ],\n  "results": {text}\n}}\n'


def collection_text(
    data: Mapping[str, Any],
    doubts: Sequence[str] = (),
    stopped: Sequence[tuple[str, str]] = (),
) -> str:
    """Node IDs one per line, then a summary line: like ``pytest --collect-only -q``.

    A test whose cases can all be named gets one line per case (``nodeid[id]``); any
    other test gets its bare node ID, which selects all of its cases in pytest.
    ``stopped`` are the modules whose import stops (``stopped_module``), named after
    the summary: pytest lists none of their tests either. The summary counts errors as
    pytest's does: modules that do not parse, and stops pytest reports as errors.
    ``doubts`` are what may make pytest collect differently from the rules read
    (:meth:`.Selection.doubts`), listed last.
    """
    lines: list[str] = []
    counted = unknown = uncertain = deselected = 0
    deselected_bound = False  # a deselected test's cases are not all known
    for module in data["modules"]:
        for test in module["tests"]:
            if test["deselected"]:  # as pytest: found, left out, not listed
                deselected += test["cases"] or 1
                deselected_bound |= not test["exact"] or test["cases"] is None
                continue
            ids = test["case_ids"]
            if ids:
                lines.extend(f"{test['nodeid']}[{case}]" for case in ids)
            else:
                lines.append(test["nodeid"])
            if test["cases"] is None:
                unknown += 1
            elif test["exact"]:
                counted += test["cases"]
            else:
                uncertain += 1  # more cases, or none: not in the lower bound
    if lines:
        lines.append("")
    errors = sum(module["status"] != "ok" for module in data["modules"])
    errors += sum(effect == "error" for _, effect in stopped)
    errors += sum(len(module["errors"]) for module in data["modules"])
    lines.append(summary_line(counted, unknown, uncertain, deselected, deselected_bound, errors))
    partly = [m for m in data["modules"] if not m["complete"]]
    if partly:
        # After the summary, so the lines above still compare with pytest's own.
        lines.append("")
        lines.append(
            f"partly known ({_plural(len(partly), 'module')}; pytest may collect other "
            "names or more cases):"
        )
        for module in partly:
            lines.append(f"  {module['pytest_path']}: {'; '.join(module['notes'])}")
    if stopped:
        lines.append("")
        its = "its" if len(stopped) == 1 else "their"
        lines.append(
            f"stopped on import ({_plural(len(stopped), 'module')}; pytest lists none "
            f"of {its} tests):"
        )
        lines.extend(f"  {line}" for line, _ in stopped)
    if doubts:
        lines.append("")
        lines.append("pytest may also collect other files, or in another order:")
        lines.extend(f"  {doubt}" for doubt in doubts)
    return "\n".join(lines) + "\n"


def summary_line(
    counted: int,
    unknown: int,
    uncertain: int,
    deselected: int = 0,
    deselected_bound: bool = False,
    errors: int = 0,
) -> str:
    """pytest's closing line (without the time), plus what static analysis cannot tell:
    a lower bound is marked "+", as on the pages (:func:`.summary.cases_text`).
    Deselected cases are said as pytest says them: "1/3 tests collected (2 deselected)";
    ``deselected_bound`` says some deselected tests' cases are not known ("2+").
    ``errors`` are counted after, as pytest counts them ("1 test collected, 2 errors")."""
    failed = f", {_plural(errors, 'error')}" if errors else ""
    return _collected(counted, unknown, uncertain, deselected, deselected_bound) + failed


def _collected(
    counted: int, unknown: int, uncertain: int, deselected: int, deselected_bound: bool
) -> str:
    extra = unknown_parts(unknown, uncertain)
    if not (counted or unknown or uncertain or deselected):
        return "no tests collected"
    plus = "+" if extra else ""
    if deselected:
        more = "+" if deselected_bound else ""
        extra.insert(0, f"{deselected}{more} deselected")
        total = f"{counted}/{counted + deselected}{plus or more} tests"
    else:
        total = f"{counted}{plus} test{'' if counted == 1 and not plus else 's'}"
    return f"{total} collected ({'; '.join(extra)})" if extra else f"{total} collected"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
