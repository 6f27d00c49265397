"""Page plans: what a generated page shows of files other than its own, decided once.

A plan is made from the scan and the per-file summaries, never from a new analysis, so
one can be made for every page before reading. The same plan gives a page its links
and totals when it is built and, through ``digest()``, says whether a page read in an
earlier build is stale (``freshness.refresh_summaries``): what a page shows and what
makes it stale cannot drift apart. Sphinx-free: the directives render a plan, the
freshness check compares digests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sphinx_testdocs.analysis.owners import Owner, unique_names
from sphinx_testdocs.analysis.scan import ScannedFolder
from sphinx_testdocs.analysis.summary import FileSummary
from sphinx_testdocs.crossfile import CrossFile, digest
from sphinx_testdocs.project import Project, TestRoot, relative_posix, summary_folders
from sphinx_testdocs.results.join import JoinedResults, TestResults, Totals


@dataclass(frozen=True, slots=True)
class Sibling:
    """Another file, with its page when it has one."""

    name: str
    docname: str | None
    kind: str = "Python file"


@dataclass(frozen=True)
class ResultsView:
    """What a module page shows of the results files."""

    sources: tuple[str, ...]
    #: Node ID -> what the results say, for the file's tests that any result mentions
    #: (in node ID order, so that the digest is stable).
    tests: dict[str, TestResults]
    #: Node IDs of the file's known tests.
    known: tuple[str, ...]
    #: (results file, message) of each report that pytest could not collect the file.
    collection_errors: tuple[tuple[str, str], ...] = ()

    def of(self, nodeid: str) -> TestResults | None:
        return self.tests.get(nodeid)

    def totals(self) -> Totals:
        totals = Totals(uncollected=int(bool(self.collection_errors)))
        for nodeid in self.known:
            totals.add(self.tests.get(nodeid))
        return totals


@dataclass(frozen=True)
class ModulePlan:
    """What a module page shows of its folder, its test tree and other files."""

    folder_docname: str | None
    folder_label: str | None
    root_docname: str | None
    root_label: str | None
    #: The files and other entries of the module's folder, sorted by name.
    siblings: tuple[Sibling, ...]
    #: conftest.py files in effect, outermost first.
    conftests: tuple[Sibling, ...]
    #: Files of the tree this module imports, and those that import it.
    imports_tree: tuple[Sibling, ...]
    imported_by: tuple[Sibling, ...]
    #: (fixture "relpath::name", other files whose tests use it).
    fixture_sharing: tuple[tuple[str, tuple[Sibling, ...]], ...]
    #: Why pytest never reaches the file (it depends on other files and folders too).
    not_collected: str | None
    #: Why pytest may leave it or its tests out (a conftest.py anywhere may say so).
    reach_doubt: str | None = None
    #: (top-level name, origin, why) of each module it imports absolutely: where an
    #: import belongs depends on other files (a module added beside the tests).
    import_origins: tuple[tuple[str, str, str | None], ...] = ()
    #: The results of its tests (node ID, results), and the results files' labels;
    #: None without results files (``testdocs_results``).
    results: ResultsView | None = None
    #: The file's owners, written in it or in CODEOWNERS (``FileSummary.owners``).
    owners: tuple[Owner, ...] = ()
    #: The file's address on the forge, ``{commit}`` and ``{line}`` left to fill, and
    #: the checkout whose commit fills it when the page is written.
    source_url: str | None = None
    checkout: str = ""

    def digest(self) -> str:
        return digest(
            (
                self.results,
                self.folder_docname,
                self.root_docname,
                self.siblings,
                self.conftests,
                self.imports_tree,
                self.imported_by,
                self.fixture_sharing,
                self.not_collected,
                self.reach_doubt,
                self.import_origins,
                self.owners,
                self.source_url,
                self.checkout,
            )
        )


@dataclass(frozen=True)
class FolderPlan:
    """What a folder page shows: the folders at or below it and their files' summaries."""

    folders: tuple[ScannedFolder, ...]
    summaries: Mapping[str, FileSummary]
    #: What of the tree is in the navigation: which pages this page's toctree lists
    #: (it changes when the project gains or loses pages of its own).
    navigation: str
    #: Outcomes of the tests of every file below, and the results files' labels.
    results: tuple[Totals, tuple[str, ...]] | None = None
    #: relpath -> owner names of each file below it (CODEOWNERS' included).
    owners: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def digest(self) -> str:
        listing = tuple(
            (f.relpath, f.files, f.subfolders, f.others, f.readme) for f in self.folders
        )
        facts = (self.summaries[rel].folder_facts() for rel in self.summaries)
        results = (self.results[0].facts(), self.results[1]) if self.results else None
        owners = tuple(sorted(self.owners.items()))
        return digest((self.navigation, listing, results, owners, *facts))


def suites_digest(plans: Iterable[FolderPlan]) -> str:
    """The digest of a ``testdocs-overview``: its test directories' root folder plans."""
    return digest(tuple(plan.digest() for plan in plans))


def plan_module(
    project: Project, root: TestRoot, relpath: str, summary: FileSummary, crossfile: CrossFile
) -> ModulePlan:
    """The plan of the page of ``relpath`` (a file of ``root``)."""

    def link(rel: str) -> Sibling:
        return Sibling(rel, root.file_docnames.get(rel))

    classify = root.context.classifier
    folder = PurePosixPath(relpath).parent.as_posix()
    folder = "" if folder == "." else folder
    conftests = []
    for path in root.conftest_chain(relpath):
        located = project.locate(path)
        if located is not None and located[0] is root:
            conftests.append(link(located[1]))
        else:
            label = relative_posix(path, root.rootdir)
            conftests.append(Sibling(label, None, "above the documented folder"))
    sharing = []
    for fixture in summary.fixtures_used:
        users = [rel for rel in crossfile.fixture_users(root.key, fixture) if rel != relpath]
        if users:
            sharing.append((fixture, tuple(link(rel) for rel in users)))
    return ModulePlan(
        folder_docname=root.folder_docnames.get(folder),
        folder_label=(folder + "/") if folder else f"{root.name}/",
        root_docname=root.index_docname,
        root_label=f"{root.name}/",
        siblings=_siblings(root, folder),
        conftests=tuple(conftests),
        imports_tree=tuple(link(rel) for rel in summary.imports),
        imported_by=tuple(link(rel) for rel in crossfile.imported_by(root.key, relpath)),
        fixture_sharing=tuple(sharing),
        not_collected=summary.not_collected,
        reach_doubt=summary.verdict.doubt,
        import_origins=tuple(
            (top, classify(top, 0).value, classify.why(top)) for top in summary.import_tops
        ),
        owners=summary.owners,
        source_url=root.source_url(relpath),
        checkout=str(root.checkout.root) if root.checkout else "",
        results=_results_view(project.results, root.key, relpath),
    )


def _results_view(joined: JoinedResults | None, root: str, relpath: str) -> ResultsView | None:
    if joined is None:
        return None
    return ResultsView(
        sources=joined.sources,
        tests=dict(sorted(joined.of_file(root, relpath).items())),
        known=joined.known.get((root, relpath), ()),
        collection_errors=tuple(
            (joined.sources[source], message)
            for source, message in joined.collection_errors.get((root, relpath), ())
        ),
    )


def plan_folder(
    root: TestRoot,
    relpath: str,
    summary_of: Callable[[str], FileSummary],
    joined: JoinedResults | None = None,
) -> FolderPlan:
    """The plan of the page of folder ``relpath``, with the summary of each file below."""
    folders = tuple(summary_folders(root, relpath))
    summaries = {rel: summary_of(rel) for folder in folders for rel in folder.files}
    results = None
    if joined is not None:
        totals = joined.totals((root.key, rel) for rel in summaries)
        results = (totals, joined.sources)
    return FolderPlan(
        folders=folders,
        summaries=summaries,
        navigation=root.navigation,
        owners={rel: unique_names(summary.owners) for rel, summary in summaries.items()},
        results=results,
    )


def _siblings(root: TestRoot, folder: str) -> tuple[Sibling, ...]:
    scanned = root.tree.folder(folder)
    if scanned is None:
        return ()
    siblings = [Sibling(PurePosixPath(f).name, root.file_docnames[f]) for f in scanned.files]
    siblings += [Sibling(o.name, None, o.kind) for o in scanned.others]
    return tuple(sorted(siblings, key=lambda s: s.name))


def plan_loose_module(path: Path) -> ModulePlan:
    """The plan of an inline page of a file outside every test directory: its folder's
    Python files, and nothing known of a test tree."""
    siblings = tuple(Sibling(p.name, None) for p in sorted(path.parent.glob("*.py")))
    return ModulePlan(None, None, None, None, siblings, (), (), (), (), None)
