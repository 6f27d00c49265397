"""What is stale before reading: per-file summaries, and pages whose cross-file facts
changed since they were read."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from sphinx_testdocs._log import Subtype, file_location, logger, warn
from sphinx_testdocs.analysis.parsing import cycle_collector_paused
from sphinx_testdocs.coverage.measure import data_stamps, measure
from sphinx_testdocs.crossfile import CrossFile, digest
from sphinx_testdocs.domain import domain_of
from sphinx_testdocs.export import module_entry, packed_fragment, unpacked_fragments
from sphinx_testdocs.plan import plan_folder, plan_module, suites_digest
from sphinx_testdocs.results.join import KnownTest
from sphinx_testdocs.results.load import Known, known_tests, load_results
from sphinx_testdocs.run import BuildRun, FileFacts, Fingerprint, build_run
from sphinx_testdocs.tested import lists_digest

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

    from sphinx_testdocs.analysis.summary import FileSummary
    from sphinx_testdocs.project import Project, TestRoot


def refresh_summaries(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Bring per-file summaries up to date; return pages whose cross-file facts changed.

    A page shows facts about other files (who imports it, who shares its fixtures, which
    tests use an API object). Sphinx cannot know that, so each page stores a digest of
    those facts when read, and any page whose digest no longer matches is re-read.
    Runs in the main process, before reading: the summaries are the build's run state
    from here on (``BuildRun.take_file_facts``).
    """
    run = build_run(env)
    files = run.take_file_facts(env)
    project = run.project
    if project is None:
        return []
    to_read = added | changed
    roots = {root.key for root in project.roots}
    for store in (files.summaries, files.collected):
        for key in [k for k in store if k not in roots]:
            del store[key]
    # The analyses and summaries make no reference cycles: no collection passes over
    # the growing heap between one file and the next (see cycle_collector_paused).
    with cycle_collector_paused():
        _refresh(run, files, to_read)
    crossfile = project.crossfile = CrossFile(
        {
            key: {rel: entry[1] for rel, entry in stored.items()}
            for key, stored in files.summaries.items()
        },
        canonical=project.defined_as,
    )
    # Both join to the tests the static map lists: read from the kept entries once.
    if project.result_files or project.coverage_files:
        known = known_tests(unpacked_fragments(files.collected))
    if project.result_files:
        _join_results(project, known)
    if project.coverage_files:
        _measure_coverage(project, files, known[0])
    else:
        files.coverage = None
    stale = []
    for docname, (kind, args, old) in sorted(domain_of(env).digests.items()):
        if docname in to_read or docname in removed:
            continue
        if _current_digest(project, files, crossfile, docname, kind, args) != old:
            stale.append(docname)
    return stale


def _join_results(project: Project, known: Known) -> None:
    """Read the results files and join them to the tests known now. Pages show them
    through their plans, so a page whose results changed is stale by its digest."""
    joined, problems = load_results(project.result_files, known)
    project.results = joined
    logger.info(
        "[testdocs] results: %d read from %d file(s), %d matched a known test, %d did not",
        joined.read,
        len(joined.sources),
        joined.matched,
        joined.orphans_total,
    )
    labels = {path: label for label, path in project.result_files}
    for path, found in problems.items():
        for problem in found:
            warn(
                "results file %s: %s",
                Subtype.results,
                file_location(path, problem.line),
                labels[path],
                problem.message,
            )


def _measure_coverage(project: Project, files: FileFacts, known: list[KnownTest]) -> None:
    """Read the coverage data files: which tests ran each measured function. "Tested by"
    lists show them, so a list whose tests changed is stale by its page's digest."""
    made_from = (data_stamps(project.coverage_files), digest(known))
    cached = files.coverage
    if cached is not None and cached[0] == made_from and cached[1].sources_unchanged():
        measured, problems = cached[1], cached[2]
        how = "as in the last build"
    else:
        measured, problems = measure(project.coverage_files, known)
        files.coverage = (made_from, measured, problems)
        how = "read"
    project.coverage = measured
    logger.info(
        "[testdocs] coverage: %d file(s) %s, %d measured module(s), %d test(s) seen%s",
        len(project.coverage_files) - len(problems),
        how,
        len(measured.modules),
        len(measured.tests),
        f", {measured.missing_sources} measured source(s) not found here"
        if measured.missing_sources
        else "",
    )
    labels = {path: label for label, path in project.coverage_files}
    for path, problem in problems.items():
        warn("coverage data %s: %s", Subtype.coverage, file_location(path), labels[path], problem)
    for number, newer in sorted(measured.newer_sources.items()):
        label, path = project.coverage_files[number]
        warn(
            "coverage data %s: %d measured source file(s) changed after it was recorded; "
            "what it says of them may be off (record it again)",
            Subtype.coverage,
            file_location(path),
            label,
            newer,
        )


def _refresh(run: BuildRun, files: FileFacts, to_read: set[str]) -> None:
    """Re-summarise every file whose inputs changed (or whose page is read anyway)."""
    project = run.project
    assert project is not None
    #: (root, relpath, its inputs' fingerprint, the modules its last analysis read)
    outdated: list[tuple[TestRoot, str, Fingerprint, tuple[str, ...]]] = []
    for root in project.roots:
        stored = files.summaries.setdefault(root.key, {})
        collected = files.collected.setdefault(root.key, {})
        current = root.known
        for rel in [r for r in stored if r not in current]:
            del stored[rel]
            collected.pop(rel, None)
            project.collection_changed = True
        for rel in sorted(current):
            entry = stored.get(rel)
            known = entry[1].dependencies if entry else ()
            fingerprint = _fingerprint(root.inputs(rel, known))
            verdict = root.verdict(rel)
            if (
                entry is None
                or entry[0] != fingerprint
                or root.file_docnames[rel] in to_read
                # Whether pytest reaches the file also depends on folders existing
                # (testpaths) and on conftest.py files anywhere (a hook that drops
                # tests): checked itself, as no file's stamp shows it.
                or entry[1].verdict != verdict
                # Nor does a file's stamp show a CODEOWNERS file changing.
                or entry[1].owners != root.owners(rel, entry[1].owners)
            ):
                outdated.append((root, rel, fingerprint, known))
    if run.analyse_ahead is not None:
        run.analyse_ahead(project, [(root, rel) for root, rel, _, _ in outdated])
    for root, rel, stamped, known in outdated:
        summary = project.summary(root, rel)
        # Stamped with the modules its last analysis read: this one may read others.
        fingerprint = (
            stamped
            if summary.dependencies == known
            else _fingerprint(root.inputs(rel, summary.dependencies))
        )
        files.summaries[root.key][rel] = (fingerprint, summary)
        # testdocs.json is written from these, so unchanged files are never
        # analysed again just to list them.
        json_entry = module_entry(project, root, rel)
        files.collected[root.key][rel] = packed_fragment(json_entry) if json_entry else None
        project.collection_changed = True


def _current_digest(
    project: Project,
    files: FileFacts,
    crossfile: CrossFile,
    docname: str,
    kind: str,
    args: tuple[str, ...],
) -> str:
    """The digest of what the page would show now: its plan's (``plan.py``), or for a
    "tested by" list the uses of its names."""
    if kind == "tested-by":
        return lists_digest(project, args)
    if kind == "overview":
        roots = {root.key: root for root in project.roots}
        if any(key not in roots for key in args):
            return ""  # a test directory left the configuration: read the page again
        return suites_digest(
            plan_folder(roots[key], "", partial(_stored_summary, files, key)) for key in args
        )
    page = project.page(docname)
    if page is None:
        return ""  # no longer a generated page: Sphinx sees it removed
    stored = files.summaries.get(page.root.key, {})
    if kind == "folder" and page.is_folder:
        summary_of = lambda rel: stored[rel][1]  # noqa: E731
        return plan_folder(page.root, page.relpath, summary_of, project.results).digest()
    entry = stored.get(page.relpath)
    if kind == "module" and entry is not None:
        return plan_module(project, page.root, page.relpath, entry[1], crossfile).digest()
    return ""


def _stored_summary(files: FileFacts, key: str, relpath: str) -> FileSummary:
    return files.summaries[key][relpath][1]


def _fingerprint(paths: list[Path]) -> tuple[tuple[int, int], ...]:
    """Sizes and mtimes of a page's inputs: the file, its conftests, the pytest config."""
    stamps = []
    for path in paths:
        try:
            st = path.stat()
        except OSError:
            stamps.append((-1, -1))
        else:
            stamps.append((st.st_size, st.st_mtime_ns))
    return tuple(stamps)
