"""Build the sections of a module page from its analysis, as docutils nodes."""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, NamedTuple, TypeAlias

from docutils import nodes
from sphinx import addnodes

from sphinx_testdocs.analysis.forge import line_url, whole_file_url
from sphinx_testdocs.analysis.model import (
    CollectedClass,
    CollectedTest,
    Definition,
    DefKind,
    Exercise,
    Finding,
    FixtureDef,
    Import,
    ImportOrigin,
    MarkerUse,
    ModuleAnalysis,
    ModuleCollection,
    ParseStatus,
)
from sphinx_testdocs.analysis.owners import Owner
from sphinx_testdocs.analysis.summary import case_counts, cases_text
from sphinx_testdocs.config import TestdocsConfig
from sphinx_testdocs.plan import ModulePlan, ResultsView, Sibling
from sphinx_testdocs.render.classes import classes_by_place, local_classes_summary
from sphinx_testdocs.render.common import (
    NO_SEARCH,
    bullet_list,
    details,
    doc_link,
    forge_link,
    human_size,
    line_forge_link,
    literal,
    owner_xref,
    para,
    plural,
    section,
    unsearched,
)
from sphinx_testdocs.render.conftest import conftest_summary
from sphinx_testdocs.render.fixtures import fixtures_for_all, request_pieces
from sphinx_testdocs.render.nodes import (
    LISTING_RAWSOURCE,
    line_reference,
    testdocs_defline,
    testdocs_linelinks,
    testdocs_links,
    testdocs_listing,
    testdocs_payload,
)
from sphinx_testdocs.render.pieces import (
    Badge,
    Code,
    DocLink,
    LineRef,
    LineRefs,
    Piece,
    PieceList,
    PyRef,
    fields,
    piece_lists,
    pieces_nodes,
)
from sphinx_testdocs.render.results import collection_errors, result_facts, totals_paragraph


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """An entry this page adds to the general index, and the anchor it points to."""

    name: str
    what: str
    target: str
    main: bool = False

    def as_sphinx(self) -> tuple[str, str, str, str, None]:
        return (
            "single",
            f"{self.name} ({self.what})",
            self.target,
            "main" if self.main else "",
            None,
        )


@dataclass
class ModulePageContext:
    """Where the page sits: everything rendering needs beyond the analysis itself."""

    config: TestdocsConfig
    #: Prefix for every id on the page ("" on generated pages, unique inline).
    id_prefix: str
    nodeid_path: str  # path relative to pytest's rootdir, as pytest prints it
    #: What the page shows of other files (``plan.py``).
    plan: ModulePlan
    #: pytest's rootdir from the test folder, and how pytest chose it.
    rootdir: str | None = None
    #: Imported module as written -> the page of the tree file it resolves to.
    import_pages: dict[str, str] = field(default_factory=dict)
    #: Imported module as written -> why it is first party or local, where no page of
    #: the tree shows it.
    import_reasons: dict[str, str] = field(default_factory=dict)
    _used_ids: set[str] = field(default_factory=set)
    #: Anchor of the page (or inline block) and of every definition, by line.
    page_anchor: str = ""
    anchors: dict[int, str] = field(default_factory=dict)
    #: What the page adds to the general index, filled as its sections are built.
    index_entries: list[IndexEntry] = field(default_factory=list)

    def plan_anchors(self, analysis: ModuleAnalysis) -> None:
        """Fix every id up front, so domain objects and rendered targets agree."""
        self.page_anchor = self.unique_id("module-" + analysis.facts.relpath)
        for defn in analysis.all_definitions():
            self.anchors.setdefault(defn.line, self.unique_id("def-" + defn.qualname))

    def unique_id(self, base: str) -> str:
        candidate = self.id_prefix + nodes.make_id(base)
        n = 1
        unique = candidate
        while unique in self._used_ids:
            n += 1
            unique = f"{candidate}-{n}"
        self._used_ids.add(unique)
        return unique

    @property
    def line_anchor(self) -> str:
        """The ``lineanchors`` prefix Pygments writes line ids with ("L" -> "L-12")."""
        return f"{self.id_prefix}L"

    def line_link(self, line: int, label: str | None = None) -> nodes.reference:
        return line_reference(self.line_anchor, line, label or f"line {line}")

    def forge_link(self, line: int) -> list[nodes.Node]:
        """What follows a line link: the line on the forge, when links are made."""
        return line_forge_link(self.plan.source_url, line, self.plan.checkout)


#: Builds one section's content from the analysis, for the page ``ctx`` describes.
SectionBuilder: TypeAlias = Callable[[ModuleAnalysis, ModulePageContext], list[nodes.Node]]


# --- File Metadata, File Purpose -----------------------------------------------------


def _metadata(analysis: ModuleAnalysis, ctx: ModulePageContext) -> list[nodes.Node]:
    facts = analysis.facts
    encoding = facts.encoding or "unknown (shown as UTF-8 with replacement characters)"
    if facts.has_bom:
        encoding += ", with byte order mark"
    rows: list[FieldRow] = [
        ("Path", ctx.nodeid_path, True),
        ("Size", human_size(facts.size), False),
        ("Lines", f"{facts.line_count:,}", False),
        ("Encoding", encoding, False),
    ]
    if facts.newline:
        rows.append(("Line endings", facts.newline, False))
    rows.append(("Parsed", _status_text(analysis), False))
    collection = analysis.collection
    if ctx.rootdir is not None:
        rows.append(("pytest rootdir", ctx.rootdir, False))
    if collection is not None:
        config_file = collection.config_file
        shown = config_file or "none found: pytest's defaults apply"
        rows.append(("pytest configuration", shown, bool(config_file)))
    cells = _cells(rows)
    cells.append(("Owners", _owners_cell(ctx.plan.owners)))
    url = ctx.plan.source_url
    if url is not None:
        link = forge_link(whole_file_url(url), ctx.plan.checkout, ctx.nodeid_path)
        cells.append(("On the forge", para(link)))
    return [fields(cells)]


def _owners_cell(owners: Sequence[Owner]) -> nodes.Node:
    """Each owner, linked to the owners index, with where it is written."""
    if not owners:
        return para(
            "no owner: no ",
            literal("# Owner(s):"),
            " header, CODEOWNERS entry or owner mark names one",
            classes=["testdocs-no-owner"],
        )
    by_name: dict[str, list[str]] = {}
    for owner in owners:
        by_name.setdefault(owner.name, []).append(_owner_source(owner))
    items: list[nodes.Node | str] = []
    for i, (name, sources) in enumerate(by_name.items()):
        if i:
            items.append(", ")
        items += [owner_xref(name), f" ({'; '.join(sources)})"]
    return para(*items)


def _owner_source(owner: Owner) -> str:
    if owner.source == "header":
        return f"# Owner(s) header, {owner.where}"
    if owner.source == "marker":
        return f"owner mark, {owner.where}"
    return owner.where


#: A row of a field list: name, value, and whether the value is code.
FieldRow = tuple[str, str, bool]


def _cells(rows: Sequence[FieldRow]) -> list[tuple[str, str | Code | nodes.Node]]:
    return [(name, Code(value) if code else value) for name, value, code in rows]


def _status_text(analysis: ModuleAnalysis) -> str:
    if analysis.status is ParseStatus.OK:
        return "yes"
    if analysis.status is ParseStatus.PARTIAL:
        return "partially: the structure shown was recovered from a file Python cannot parse"
    return "no"


def _purpose(analysis: ModuleAnalysis, ctx: ModulePageContext) -> list[nodes.Node]:
    out: list[nodes.Node] = [
        para(
            nodes.strong(analysis.kind.value.capitalize(), analysis.kind.value.capitalize()),
            unsearched(f": {analysis.kind_reason}."),
        )
    ]
    # Only where it changes something: a helper module is never collected anyway.
    if analysis.not_collected is not None and analysis.kind.value in ("test module", "conftest"):
        consequence = (
            "Its tests are listed here but counted in no total."
            if analysis.kind.value == "test module"
            else "pytest does not load it, nor its fixtures."
        )
        out.append(
            para(
                nodes.strong("Not collected", "Not collected"),
                f": pytest, run as configured, collects nothing from this file: "
                f"{analysis.not_collected}. {consequence}",
                classes=["testdocs-not-collected"],
            )
        )
    if analysis.docstring_summary:
        out.append(
            para("The module docstring says: ", nodes.emphasis("", analysis.docstring_summary))
        )
    elif analysis.comment_summary:
        said = analysis.comment_summary
        out.append(para("The comment at the top of the file says: ", nodes.emphasis("", said)))
    if analysis.main_guard_line:
        out.append(
            para(
                "It can also be run as a script: it has an ",
                literal('if __name__ == "__main__":'),
                " block at ",
                ctx.line_link(analysis.main_guard_line),
                *ctx.forge_link(analysis.main_guard_line),
                ".",
            )
        )
    if analysis.conftest is not None:
        fixtures = analysis.collection.fixtures if analysis.collection else ()
        out.extend(conftest_summary(analysis.conftest, fixtures, ctx.line_link))
    out.extend(_problem_nodes(analysis, ctx))
    return out


def _problem_nodes(analysis: ModuleAnalysis, ctx: ModulePageContext) -> list[nodes.Node]:
    out: list[nodes.Node] = []
    for problem in analysis.problems:
        admonition = nodes.warning()
        where: list[nodes.Node | str] = []
        if problem.line:
            where = [" (", ctx.line_link(problem.line), *ctx.forge_link(problem.line), ")"]
        admonition += para(problem.message, *where)
        out.append(admonition)
    return out


#: Listings of files larger than this are shown without syntax highlighting.
HIGHLIGHT_LIMIT = 1024 * 1024


# --- Original Source -----------------------------------------------------------------


def _source(analysis: ModuleAnalysis, ctx: ModulePageContext) -> list[nodes.Node]:
    text = analysis.text
    if text is None:
        return [para("The content cannot be shown as text.")]
    # Docutils drops NUL characters, shifting highlighting and line anchors: show a
    # visible symbol for NUL instead.
    text = text.replace("\x00", "\N{SYMBOL FOR NULL}")
    # Files Python cannot parse are still highlighted (by Pygments' tolerant lexer).
    python = analysis.status is not ParseStatus.FAILED and analysis.facts.size <= HIGHLIGHT_LIMIT
    block = testdocs_listing(
        LISTING_RAWSOURCE,
        text,
        classes=["testdocs-source", "no-search"],
        language="testdocs-python" if python else "text",
        anchor=ctx.line_anchor,
        translatable=False,
    )
    lines = analysis.facts.line_count
    collapse = ctx.config.collapse_source_lines
    summary = f"Show the whole source ({plural(lines, 'line')})"
    return [details(summary, block, open_=collapse > 0 and lines <= collapse)]


# --- High-Level Overview ---------------------------------------------------------------


def _overview(analysis: ModuleAnalysis, ctx: ModulePageContext) -> list[nodes.Node]:
    collection = analysis.collection
    tests = collection.tests if collection else ()
    test_classes = collection.classes if collection else ()
    sentence = (
        f"This file contains {plural(analysis.class_count, 'class', 'classes')} and "
        f"{plural(analysis.function_count, 'function')} (nested definitions included), "
        f"and {plural(len(tests), 'test')}"
    )
    if test_classes:
        sentence += f" in {plural(len(test_classes), 'test class', 'test classes')}"
    rows: list[FieldRow] = [
        ("Lines", f"{analysis.facts.line_count:,}", False),
        ("Classes", f"{analysis.class_count:,}", False),
        ("Functions", f"{analysis.function_count:,}", False),
        ("Test classes", f"{len(test_classes):,}", False),
        ("Tests", f"{len(tests):,}", False),
    ]
    if collection is not None:
        rows.append(("Test cases", cases_text(*case_counts(tests)), False))
        rows.append(("Fixtures defined", f"{len(collection.fixtures):,}", False))
    rows.append(("Imports", f"{len(analysis.imports):,}", False))
    rows.append(("Findings", f"{len(analysis.findings):,}", False))
    out: list[nodes.Node] = [para(sentence + ".", classes=[NO_SEARCH]), fields(_cells(rows))]
    results = ctx.plan.results
    if results is not None and (results.known or results.collection_errors):
        out.append(totals_paragraph(results.totals(), results.sources))
        out += collection_errors(results.collection_errors)
    if (
        collection is not None
        and analysis.kind.value == "test module"
        and analysis.not_collected is None
    ):
        out.append(_how_known(collection))
    return out


def _how_known(collection: ModuleCollection) -> nodes.Node:
    """Whether the tests listed are all pytest collects, exactly; if not, why not."""
    if collection.complete:
        return para(
            "Fully known: the tests listed here are the ones pytest collects from this "
            "file, with their exact names and case counts.",
            classes=["testdocs-known", NO_SEARCH],
        )
    note = nodes.note(classes=["testdocs-partly-known"])
    note += para(
        nodes.strong("Partly known", "Partly known"),
        ": pytest may collect other names or more cases than listed here, because",
    )
    note += bullet_list([para(reason) for reason in collection.why_partial()])
    return note


# --- Detailed Analysis -----------------------------------------------------------------


@dataclass(frozen=True)
class StructurePayload:
    """What the Detailed Analysis tree is drawn from, kept in the doctree as data."""

    definitions: tuple[Definition, ...]
    labels: dict[int, str]  # definition line -> "test", "test class", "method"...
    #: Tests collected from the function defined at a line (several when a framework
    #: generates them, as PyTorch's device and parametrized tests).
    tests_by_line: dict[int, tuple[CollectedTest, ...]]
    #: Classes collected from the class defined at a line (TestFoo -> TestFooCPU).
    classes_by_line: dict[int, tuple[CollectedClass, ...]]
    fixtures_by_line: dict[int, FixtureDef]
    inherited: dict[str, tuple[CollectedTest, ...]]  # class qualname -> inherited tests
    anchors: dict[int, str]
    line_anchor: str
    #: Fixtures every test gets unasked: said once above the tree, not per test.
    shared_fixtures: frozenset[str] = frozenset()
    #: What the results files say of the file's tests (``testdocs_results``).
    results: ResultsView | None = None
    #: The file's address on the forge, ``{commit}`` and ``{line}`` left to fill;
    #: None: no links. ``checkout`` names whose commit fills it (``FillForgeCommit``).
    source_url: str | None = None
    checkout: str = ""


def _structure(analysis: ModuleAnalysis, ctx: ModulePageContext) -> list[nodes.Node]:
    if not analysis.definitions:
        return [para("The file defines no classes or functions.")]
    collection = analysis.collection
    tests_by_line: dict[int, tuple[CollectedTest, ...]] = {}
    classes_by_line: dict[int, tuple[CollectedClass, ...]] = {}
    inherited: dict[str, list[CollectedTest]] = {}
    test_class_lines: set[int] = set()
    fixtures_by_line: dict[int, FixtureDef] = {}
    if collection:
        for test in collection.tests:
            if test.inherited_from or test.defined_in:
                if test.class_path:
                    inherited.setdefault(".".join(test.class_path), []).append(test)
            else:
                tests_by_line[test.line] = (*tests_by_line.get(test.line, ()), test)
        for cls in collection.classes:
            if not cls.defined_in:
                classes_by_line[cls.line] = (*classes_by_line.get(cls.line, ()), cls)
        test_class_lines = set(classes_by_line)
        fixtures_by_line = {f.line: f for f in collection.fixtures}

    relpath = analysis.facts.relpath
    shared = collection.fixtures_for_all() if collection else ()
    labels: dict[int, str] = {}
    stack: list[tuple[Definition, Definition | None]] = [
        (d, None) for d in reversed(analysis.definitions)
    ]
    indexed = (*_INDEXED, "test") if ctx.config.index_tests else _INDEXED
    while stack:
        defn, parent = stack.pop()
        stack.extend((child, defn) for child in reversed(defn.children))
        if defn.kind is DefKind.CLASS:
            label = "test class" if defn.line in test_class_lines else "class"
        elif defn.line in tests_by_line:
            label = "test"
        elif defn.line in fixtures_by_line:
            label = "fixture"
        elif parent is not None and parent.kind is DefKind.CLASS:
            label = "method"
        else:
            label = "function" if parent is None else "nested function"
        if defn.kind is DefKind.ASYNC_FUNCTION:
            label = "async " + label
        labels.setdefault(defn.line, label)
        if label.endswith(indexed):
            target = ctx.anchors.get(defn.line) or ctx.unique_id("def-" + defn.qualname)
            what = label.replace("async ", "")
            ctx.index_entries.append(IndexEntry(defn.name, f"{what} in {relpath}", target))
    payload = StructurePayload(
        definitions=analysis.definitions,
        labels=labels,
        tests_by_line=tests_by_line,
        classes_by_line=classes_by_line,
        fixtures_by_line=fixtures_by_line,
        inherited={k: tuple(v) for k, v in inherited.items()},
        anchors=dict(ctx.anchors),
        line_anchor=ctx.line_anchor,
        shared_fixtures=frozenset(f.name for f in shared),
        results=ctx.plan.results,
        source_url=ctx.plan.source_url,
        checkout=ctx.plan.checkout,
    )
    intro = para(
        "Every class and function, nested ones included, in source order; line numbers "
        "link to the listing above."
    )
    shared_note = fixtures_for_all(shared, relpath, ctx.line_anchor)
    return [intro, *shared_note, testdocs_structure.of(payload)]


class testdocs_structure(testdocs_payload):
    """The Detailed Analysis tree, built when written (a ``StructurePayload``).

    HTML translators write it from ``structure_items`` directly (``render.html``):
    measured on NumPy's suite with furo, building and visiting its nodes took 1 s of a
    16 s build. Every other builder gets the nodes of the same items.
    """

    @staticmethod
    def build(payload: StructurePayload) -> list[nodes.Node]:
        return tree_nodes(structure_items(payload))


class TreeItem(NamedTuple):
    """One definition in the Detailed Analysis tree, and what is listed under it."""

    #: The id of its headline (something on the page links to it), or "".
    anchor: str
    #: Its headline: ``testdocs_defline``'s attributes.
    headline: dict[str, Any]
    #: The first line of its docstring, or "# " and the comment above it; or "".
    summary: str
    summary_classes: list[str]
    facts: list[Fact]
    #: The definitions nested in it, then the items listed flat under it (deeper
    #: nesting, inherited tests), each one line of facts.
    children: list[TreeItem]
    flat: list[Fact]


def structure_items(payload: StructurePayload) -> list[TreeItem]:
    """What the Detailed Analysis tree shows, for both of its writers."""

    def item(defn: Definition, depth: int) -> TreeItem:
        if defn.docstring_summary:
            summary, classes = defn.docstring_summary, _DOCSTRING_CLASSES
        elif defn.comment_summary:  # no docstring: the comment above says what it is for
            summary, classes = "# " + defn.comment_summary, _COMMENT_CLASSES
        else:
            summary, classes = "", _DOCSTRING_CLASSES
        children = [item(c, depth + 1) for c in defn.children] if depth < _MAX_TREE_DEPTH else []
        return TreeItem(
            anchor=payload.anchors.get(defn.line) or "",
            headline=_headline(payload, defn),
            summary=summary,
            summary_classes=classes,
            facts=_facts(payload, defn),
            children=children,
            flat=_deeper_and_inherited(payload, defn, depth),
        )

    return [item(d, 0) for d in payload.definitions]


def tree_nodes(items: Sequence[TreeItem]) -> list[nodes.Node]:
    """The Detailed Analysis tree as ordinary nodes (other builders, single-page HTML)."""

    def item_nodes(item: TreeItem) -> list[nodes.Node]:
        line = para(classes=["testdocs-def"])
        if item.anchor:
            line["ids"] = [item.anchor]
        line += testdocs_defline(**item.headline)
        out: list[nodes.Node] = [line]
        if item.summary:
            out.append(para(item.summary, classes=item.summary_classes))
        if item.facts:
            out.append(bullet_list([_fact_node(f) for f in item.facts], "testdocs-facts"))
        children = [item_nodes(c) for c in item.children]
        children += [[_fact_node(f)] for f in item.flat]
        if children:
            out.append(bullet_list(children, "testdocs-tree"))
        return out

    return [bullet_list([item_nodes(i) for i in items], "testdocs-tree")]


#: The classes of a summary from a docstring, and from a comment (styled as a
#: docstring's, marked as a comment).
_DOCSTRING_CLASSES = ["testdocs-docstring"]
_COMMENT_CLASSES = ["testdocs-docstring", "testdocs-comment"]


def _headline(payload: StructurePayload, defn: Definition) -> dict[str, Any]:
    return {
        "label": payload.labels.get(defn.line, "function"),
        "name": defn.name,
        "bases": ", ".join(defn.bases),
        "line": defn.line,
        "end": defn.end_line,
        "anchor": payload.line_anchor,
        "forge": line_url(payload.source_url, defn.line) if payload.source_url else "",
    }


#: Definitions in the general index by default (see ``testdocs_index_tests``).
_INDEXED = ("test class", "fixture")

#: Nesting shown as a tree; deeper definitions are listed flat (see ``_structure``).
_MAX_TREE_DEPTH = 8


#: One line of the analysis tree's facts.
Fact = list[Piece]


def _fact_node(fact: Fact) -> nodes.paragraph:
    node = para()
    node.extend(pieces_nodes(fact))
    return node


def _facts(payload: StructurePayload, defn: Definition) -> list[Fact]:
    if defn.kind is DefKind.CLASS:
        return _class_facts(payload.classes_by_line.get(defn.line, ()))
    tests = payload.tests_by_line.get(defn.line, ())
    if not tests:
        return _fixture_facts(payload.fixtures_by_line.get(defn.line))
    if len(tests) == 1 and tests[0].generated_by is None:
        facts = _test_facts(tests[0], payload.shared_fixtures)
    else:
        facts = _generated_facts(tests)
    if payload.results is not None:
        found = [payload.results.of(test.nodeid) for test in tests]
        facts += result_facts(payload.results.sources, found)
    return facts


#: Generated names listed on a test before the rest are counted.
_GENERATED_SHOWN = 12


def _class_facts(classes: Sequence[CollectedClass]) -> list[Fact]:
    facts: list[Fact] = []
    generated = [c for c in classes if c.generated_from]
    if generated:
        names = _joined_pieces([Code(c.name)] for c in generated)  # one per device type
        facts.append(["collected as ", *names, " (one class per device type)"])
    for doubt in dict.fromkeys(c.doubt for c in classes if c.doubt):
        facts.append([Badge("partly known"), " ", doubt or ""])
    return facts


def _generated_facts(tests: Sequence[CollectedTest]) -> list[Fact]:
    """A function a framework turned into several tests (or names not knowable)."""
    first = tests[0]
    named = [t for t in tests if not t.name_is_pattern]
    patterns = [t for t in tests if t.name_is_pattern]
    facts: list[Fact] = []
    if named:
        shown: list[Fact] = [
            [Code("::".join((*t.class_path, t.name)))] for t in named[:_GENERATED_SHOWN]
        ]
        rest = len(named) - _GENERATED_SHOWN
        fact: Fact = [f"collected as {plural(len(named), 'test')}: ", *_joined_pieces(shown)]
        if rest > 0:
            fact.append(f" and {rest:,} more (see the node IDs under Testing & Usage)")
        facts.append(fact)
    for test in patterns:
        count = f"{test.cases:,} tests" if test.cases is not None else "a number of tests"
        facts.append(
            [
                f"collected as {count} named like ",
                Code("::".join((*test.class_path, test.name))),
            ]
        )
    if first.generated_by:
        facts.append(["generated by ", first.generated_by])
    markers = [m for m in first.markers if m.name != "parametrize"]
    if markers:
        facts.append(["markers: ", *_joined_pieces(_marker(m) for m in markers)])
    for doubt in dict.fromkeys(t.doubt for t in tests if t.doubt):
        facts.append([Badge("partly known"), " ", doubt or ""])
    return facts


def _deeper_and_inherited(payload: StructurePayload, defn: Definition, depth: int) -> list[Fact]:
    """Items listed flat under a definition: nesting too deep, and inherited tests."""
    out: list[Fact] = []
    if depth >= _MAX_TREE_DEPTH:
        # Writers walk node trees recursively: list what lies deeper flat, by
        # qualified name, rather than nest lists until the stack runs out.
        out += [
            [Code(d.qualname), " \N{EM DASH} ", LineRef(payload.line_anchor, d.line)]
            for child in defn.children
            for d in child.walk()
        ]
    out += [_inherited_fact(test) for test in payload.inherited.get(defn.qualname, ())]
    return out


def _inherited_fact(test: CollectedTest) -> Fact:
    what = "inherited test" if test.inherited_from else "imported test"
    fact: Fact = [Badge(what), " ", Code(test.name)]
    if test.inherited_from:
        fact.append(f" from {test.inherited_from}")
    if test.defined_in:
        fact.append(f" ({test.defined_in}, line {test.line})")
    if test.doubt:
        fact += [" ", Badge("partly known"), " ", test.doubt]
    if test.deselected:
        fact += [" ", Badge("deselected"), " ", f"pytest leaves it out: {test.deselected}"]
    return fact


def _marker(marker: MarkerUse) -> Fact:
    text = f"{marker.name}({marker.args})" if marker.args else marker.name
    fact: Fact = [Code(text)]
    if marker.declared is False:
        fact.append(" (not declared in the pytest configuration)")
    if marker.framework != "pytest":
        fact.append(f" ({marker.framework} decorator)")
    return fact


def _test_facts(test: CollectedTest, shared: frozenset[str]) -> list[Fact]:
    facts: list[Fact] = []
    markers = [m for m in test.markers if m.name != "parametrize"]
    if markers:
        facts.append(["markers: ", *_joined_pieces(_marker(m) for m in markers)])
    for p in test.parametrizations:
        count = f"{p.cases:,} cases" if p.cases is not None else "computed at collection"
        fact: Fact = ["parametrized over ", Code(", ".join(p.argnames)), f": {count}"]
        if p.cases is None and p.expression:
            fact += [" from ", Code(p.expression)]
        facts.append(fact)
    # The fixtures every test gets are said once, above the tree.
    listed = [f for f in test.fixtures if f.own or f.name not in shared]
    if listed:
        facts.append(["fixtures: ", *_joined_pieces(request_pieces(f) for f in listed)])
    if test.case_ids:
        facts.append(["case IDs: ", Code(", ".join(test.case_ids))])
    if test.doubt:
        facts.append([Badge("partly known"), " ", test.doubt])
    if test.deselected:
        facts.append([Badge("deselected"), " ", f"pytest leaves it out: {test.deselected}"])
    return facts


def _fixture_facts(fixture: FixtureDef | None) -> list[Fact]:
    if fixture is None:
        return []
    bits = [f"scope {fixture.scope}"]
    if fixture.autouse:
        bits.append("autouse")
    if fixture.yields:
        bits.append("yield (with teardown)")
    if fixture.params is not None:
        bits.append(
            f"{fixture.params.cases} params"
            if fixture.params.cases is not None
            else "computed params"
        )
    return [["fixture ", Code(fixture.name), ": " + ", ".join(bits)]]


def _joined_pieces(facts: Iterable[Fact], sep: str = ", ") -> Fact:
    out: Fact = []
    for i, fact in enumerate(facts):
        if i:
            out.append(sep)
        out.extend(fact)
    return out


def _joined(items: Iterable[nodes.Node], sep: str = ", ") -> list[nodes.Node]:
    out: list[nodes.Node] = []
    for i, node in enumerate(items):
        if i:
            out.append(nodes.Text(sep))
        out.append(node)
    return out


# --- Architecture & Design ---------------------------------------------------------


def _architecture(analysis: ModuleAnalysis, ctx: ModulePageContext) -> list[nodes.Node]:
    out: list[nodes.Node] = []
    folder = PurePosixPath(analysis.facts.relpath).parent.as_posix()
    location: list[nodes.Node | str] = ["Location: "]
    if ctx.plan.folder_docname:
        label = ctx.plan.folder_label or (folder + "/")
        location.append(doc_link(ctx.plan.folder_docname, label))
    else:
        location.append(literal(folder + "/"))
    if (
        ctx.plan.root_docname
        and ctx.plan.root_label
        and ctx.plan.root_docname != ctx.plan.folder_docname
    ):
        location += [" in ", doc_link(ctx.plan.root_docname, ctx.plan.root_label)]
    location.append(".")
    out.append(para(*location))
    module_classes, local_classes = classes_by_place(analysis.definitions)
    classes = tuple((d.qualname, d.bases, d.line) for d in module_classes)
    if classes:
        out.append(para("Class hierarchy, as written in the source:"))
        out.append(testdocs_classes.of((classes, ctx.line_anchor)))
    elif local_classes:
        out.append(para("The file defines no classes outside functions."))
    else:
        out.append(para("The file defines no classes."))
    out.extend(local_classes_summary(local_classes, _test_lines(analysis), ctx.line_anchor))
    return out


def _test_lines(analysis: ModuleAnalysis) -> frozenset[int]:
    """Lines of the functions this file's own tests are collected from."""
    tests = analysis.collection.tests if analysis.collection else ()
    return frozenset(t.line for t in tests if not t.defined_in)


class testdocs_classes(testdocs_payload):
    """The class hierarchy, built when written."""

    @staticmethod
    def build(payload: ClassesPayload) -> list[nodes.Node]:
        return _expand_classes(payload)


#: (qualified name, bases, line) of each class, and the line anchor.
ClassesPayload: TypeAlias = tuple[tuple[tuple[str, tuple[str, ...], int], ...], str]


def _expand_classes(payload: ClassesPayload) -> list[nodes.Node]:
    classes, line_anchor = payload
    rows = []
    for qualname, class_bases, line in classes:
        bases: list[nodes.Node | str] = (
            [" derives from ", *_joined(literal(b) for b in class_bases)]
            if class_bases
            else [" has no explicit base class"]
        )
        link = line_reference(line_anchor, line, f"line {line}")
        rows.append(para(literal(qualname), *bases, " (", link, ")"))
    return [bullet_list(rows, "testdocs-classes")]


# --- Dependencies ----------------------------------------------------------------------


@dataclass(frozen=True)
class DependenciesPayload:
    """What the Dependencies section is drawn from, kept in the doctree as data."""

    imports: tuple[Import, ...]
    #: Imported module as written -> the page of the tree file it resolves to.
    import_pages: dict[str, str]
    #: Imported module as written -> why it is first party or local.
    import_reasons: dict[str, str]
    #: Project objects the tests use: (name, number of tests, lines).
    exercised: tuple[tuple[str, int, tuple[int, ...]], ...]
    line_anchor: str


def _dependencies(analysis: ModuleAnalysis, ctx: ModulePageContext) -> list[nodes.Node]:
    if not analysis.imports:
        return [para("The file imports nothing.")]
    used: dict[str, list[Exercise]] = {}
    for exercise in analysis.exercises:
        if exercise.test is not None:
            used.setdefault(exercise.name, []).append(exercise)
    exercised = tuple(
        (name, len({u.test for u in uses if u.test}), tuple(sorted({u.line for u in uses})))
        for name, uses in sorted(used.items())
    )
    payload = DependenciesPayload(
        analysis.imports,
        dict(ctx.import_pages),
        dict(ctx.import_reasons),
        exercised,
        ctx.line_anchor,
    )
    # Half of a large suite's nodes are here (a reference per imported name): kept as
    # data through reading and pickling, built just before references are resolved.
    return [testdocs_dependencies.of(payload)]


class testdocs_dependencies(testdocs_payload):
    """The Dependencies lists, built just before references resolve."""

    holds_references = True

    @staticmethod
    def build(payload: DependenciesPayload) -> list[nodes.Node]:
        return _expand_dependencies(payload)


def _expand_dependencies(payload: DependenciesPayload) -> list[nodes.Node]:
    lists = []
    for origin in ImportOrigin:
        group = [i for i in payload.imports if i.origin is origin]
        if not group:
            continue
        by_module: dict[str, list[Import]] = {}
        for imp in group:
            by_module.setdefault(imp.display_module, []).append(imp)
        title = origin.value.capitalize()
        explained: set[str] = set()
        items = []
        for module, imps in sorted(by_module.items()):
            pieces = _import_pieces(module, imps, payload)
            # Why a module is the project's or the tests' own, once per package.
            reason = payload.import_reasons.get(module)
            top = module.partition(".")[0]
            if reason and top not in explained:
                explained.add(top)
                pieces[-1:-1] = [f"; {origin.value}: {reason}"]
            items.append(tuple(pieces))
        lists.append(PieceList(f"{title} ({len(by_module)})", ("testdocs-imports",), tuple(items)))
    if payload.exercised:
        lists.append(_exercised(payload))
    return [piece_lists(lists)]


def _exercised(payload: DependenciesPayload) -> PieceList:
    """The project objects this file's tests use (the reverse of "tested by")."""
    items = []
    for name, tests, lines in payload.exercised:
        word = " (lines " if len(lines) > 1 else " (line "
        items.append(
            (
                PyRef("obj", name, name),
                f" \N{EM DASH} used by {plural(tests, 'test')}{word}",
                LineRefs(payload.line_anchor, lines),
                ")",
            )
        )
    title = "Project objects the tests use"
    # Hundreds of dotted names on large suites: found from the API side (tested by).
    return PieceList(
        f"{title} ({len(payload.exercised)})",
        ("testdocs-exercised", NO_SEARCH),
        tuple(items),
    )


def _import_pieces(module: str, imports: list[Import], payload: DependenciesPayload) -> Fact:
    page = payload.import_pages.get(module)
    relative = module.startswith(".")
    head: Piece
    if page:
        head = DocLink(page, module)
    elif relative:
        head = Code(module)
    else:
        head = PyRef("mod", module, module)
    pieces: Fact = [head]
    aliases = sorted({i.asname for i in imports if i.asname})
    if aliases:
        pieces += [" as ", *_joined_pieces([Code(a)] for a in aliases)]
    names: dict[str, str] = {}
    for imp in imports:
        for name in imp.names:
            shown = f"{name.name} as {name.asname}" if name.asname else name.name
            names.setdefault(shown, name.name)
    if names:
        pieces.append(": ")
        pieces += _joined_pieces(
            [Code(shown)]
            if relative or page or name == "*"
            else [PyRef("obj", f"{module}.{name}", shown)]
            for shown, name in names.items()
        )
    lines = sorted({i.line for i in imports})
    pieces.append(" (line " if len(lines) == 1 else " (lines ")
    pieces.append(LineRefs(payload.line_anchor, tuple(lines)))
    if not all(i.top_level for i in imports):
        pieces.append("; imported inside a function or block")
    pieces.append(")")
    return pieces


# --- Code Patterns, Performance, Security ----------------------------------------------


def findings(section_key: str) -> SectionBuilder:
    """The builder of a findings section: the rules of ``section_key`` that matched."""

    def build(analysis: ModuleAnalysis, ctx: ModulePageContext) -> list[nodes.Node]:
        found = tuple(f for f in analysis.findings if f.section == section_key)
        payload = FindingsPayload(found, ctx.line_anchor, ctx.plan.source_url, ctx.plan.checkout)
        # What search finds: the findings' titles (their explanations, contexts and
        # evidence are the same sentences on every page).
        return [testdocs_findings.of(payload, searchable="\n".join(f.title for f in found))]

    return build


@dataclass(frozen=True)
class FindingsPayload:
    """What a findings section lists, kept in the doctree as data until written."""

    findings: tuple[Finding, ...]
    line_anchor: str
    #: As ``StructurePayload``'s: the file on the forge, ``{commit}`` filled when written.
    source_url: str | None
    checkout: str


class testdocs_findings(testdocs_payload):
    """A findings section's list, built when written (a ``FindingsPayload``): about a
    dozen nodes per finding (6,500 of the 33,200 nodes NumPy's module pages read) that
    reading transforms, the pickler and the post-transforms then do not walk."""

    @staticmethod
    def build(payload: FindingsPayload) -> list[nodes.Node]:
        items = [_finding_item(f, payload) for f in payload.findings]
        return [bullet_list(items, "testdocs-findings")]


def findings_quiet(section_key: str) -> Callable[[ModuleAnalysis], str | None]:
    """Why a findings section has nothing to show (None when it has findings)."""

    def quiet(analysis: ModuleAnalysis) -> str | None:
        if analysis.status is not ParseStatus.OK:
            return "not analysed, the file could not be parsed"
        if not any(f.section == section_key for f in analysis.findings):
            return "no rule matched this file"
        return None

    return quiet


#: Evidence lines shown before the rest are folded away: enough to jump to the first
#: uses, few enough that a rule matching 400 lines does not bury the page.
EVIDENCE_SHOWN = 8


def _finding_item(finding: Finding, payload: FindingsPayload) -> list[nodes.Node]:
    anchor = payload.line_anchor
    head = para()
    if finding.severity:
        # "risk" or "note": the rule weighed the context of its lines (see Finding).
        head += nodes.inline(
            finding.severity,
            finding.severity,
            # Kept out of search: "note" and "risk" on every page would match every page.
            classes=["testdocs-badge", f"testdocs-severity-{finding.severity}", NO_SEARCH],
        )
        head += nodes.Text(" ")
    head += nodes.strong(finding.title, finding.title)
    head += unsearched(f": {finding.explanation}")
    out: list[nodes.Node] = [head]
    if finding.context:
        context = para(
            nodes.emphasis(finding.context, finding.context),
            classes=["testdocs-finding-context", NO_SEARCH],
        )
        if finding.risky:
            # The lines that keep the finding a risk, so a reader starts with them.
            context += nodes.Text(": line " if len(finding.risky) == 1 else ": lines ")
            context += testdocs_linelinks(lines=list(finding.risky), anchor=anchor)
            context += nodes.Text(".")
        out.append(context)
    evidence = _evidence(finding.lines, anchor)
    if finding.lines:
        # One forge link per finding, to its first evidence line: a link per line
        # would double a long evidence list.
        first = evidence[0]
        assert isinstance(first, nodes.paragraph)
        first += line_forge_link(payload.source_url, finding.lines[0], payload.checkout)
    return [*out, *evidence]


def _evidence(lines: Sequence[int], anchor: str) -> list[nodes.Node]:
    """The evidence lines: all of them when few, else the first few, a count and the rest
    one click away."""
    shown, rest = lines[:EVIDENCE_SHOWN], lines[EVIDENCE_SHOWN:]
    label = "Evidence: line " if len(lines) == 1 else "Evidence: lines "
    if rest:
        label = f"Evidence: {len(lines):,} lines, the first {len(shown)}: "
    evidence = para(
        label,
        testdocs_linelinks(lines=list(shown), anchor=anchor),
        classes=["testdocs-evidence", NO_SEARCH],
    )
    if not rest:
        return [evidence]
    others = para(
        testdocs_linelinks(lines=list(rest), anchor=anchor),
        classes=["testdocs-evidence", NO_SEARCH],
    )
    return [evidence, details(f"Show the other {plural(len(rest), 'line')}", others)]


# --- Testing & Usage -------------------------------------------------------------------


def _command_block(commands: Sequence[str]) -> nodes.literal_block:
    text = "\n".join(commands)
    block = nodes.literal_block(text, text, classes=["testdocs-commands"])
    block["language"] = "console"
    return block


def _testing(analysis: ModuleAnalysis, ctx: ModulePageContext) -> list[nodes.Node]:
    path = shlex.quote(ctx.nodeid_path)
    out: list[nodes.Node] = []
    collection = analysis.collection
    stopped = collection.stopped if collection else None
    if analysis.kind.value == "test module" and stopped:
        # Its node IDs would select nothing: pytest skips or refuses the module.
        out.append(
            para(
                f"Run as below, pytest collects none of its tests: {stopped}.", classes=[NO_SEARCH]
            )
        )
        out.append(_command_block([f"python -m pytest {path}"]))
        return out
    if analysis.kind.value == "test module":
        out.append(para("Run this file's tests from pytest's rootdir:", classes=[NO_SEARCH]))
        commands = [f"python -m pytest {path}"]
        if analysis.main_guard_line:
            commands.append(f"python {path}")
        out.append(_command_block(commands))
    elif analysis.main_guard_line:
        out.append(para("pytest collects no tests from this file; run it as a script:"))
        out.append(_command_block([f"python {path}"]))
    else:
        out.append(
            para("pytest collects no tests from this file; it supports the tests around it.")
        )
    patterns = [t for t in collection.tests if t.name_is_pattern] if collection else []
    if patterns:
        out.append(
            para(
                f"{plural(len(patterns), 'test')} of this file "
                f"{'has' if len(patterns) == 1 else 'have'} names computed at import time "
                "(shown as patterns in the Detailed Analysis); select them with ",
                literal("-k"),
                " or by their class's node ID.",
                classes=[NO_SEARCH],
            )
        )
    if collection and (collection.classes or collection.tests):
        ids = _node_ids(collection)
        out.append(
            para(
                "Node IDs, to run one class, test or case with ",
                literal("python -m pytest '<node id>'"),
                f" ({plural(len(ids), 'ID')}, in source order):",
            )
        )
        listed = "\n".join(ids)  # one string for both: pickled once, held once
        block = nodes.literal_block(listed, listed, classes=["testdocs-nodeids", "no-search"])
        block["language"] = "text"
        out.append(details(f"Show {plural(len(ids), 'node ID')}", block, open_=len(ids) <= 20))
    return out


# --- Related Files, Cross-References -------------------------------------------------


def _node_ids(collection: ModuleCollection) -> list[str]:
    """Class, test and nameable case IDs, in source order (classes before their tests)."""
    keyed: list[tuple[int, int, str]] = [(c.line, 0, c.nodeid) for c in collection.classes]
    for test in collection.tests:
        if test.name_is_pattern:
            continue  # not an ID pytest knows: its names are made at import time
        keyed.append((test.line, 1, test.nodeid))
        keyed.extend((test.line, 2, f"{test.nodeid}[{case}]") for case in test.case_ids or ())
    seen: set[str] = set()
    ordered = []
    for _, _, nodeid in sorted(keyed, key=lambda k: (k[0], k[1])):
        if nodeid not in seen:
            seen.add(nodeid)
            ordered.append(nodeid)
    return ordered


def _related(analysis: ModuleAnalysis, ctx: ModulePageContext) -> list[nodes.Node]:
    out: list[nodes.Node] = []

    def group(title: str, why: str, files: Sequence[Sibling]) -> None:
        if not files:
            return
        out.append(nodes.rubric(title, f"{title} ({len(files):,})"))
        out.append(para(why, classes=[NO_SEARCH]))
        links = testdocs_links(
            links=[(s.name, s.docname or "", "" if s.docname else s.kind) for s in files],
            classes=["testdocs-related", "no-search"],
        )
        out.append(
            details(f"Show {plural(len(files), 'file')}", links) if len(files) > 20 else links
        )

    group(
        "conftest.py files in effect",
        "pytest loads these before this file; their fixtures and hooks apply to it "
        "(outermost first).",
        ctx.plan.conftests,
    )
    group("Imports from the test tree", "This file imports these modules.", ctx.plan.imports_tree)
    group("Imported by", "These files of the test tree import this one.", ctx.plan.imported_by)
    for fixture, users in ctx.plan.fixture_sharing:
        where, _, name = fixture.rpartition("::")
        group(
            f"Sharing the fixture {name}",
            f"Tests in these files also use the fixture {name} defined in {where}.",
            users,
        )
    own = PurePosixPath(analysis.facts.relpath).name
    group(
        "Same folder",
        "Every other file of this folder, sorted by name.",
        [s for s in ctx.plan.siblings if s.name != own],
    )
    if not out:
        return [para("No related files: the file is alone in its folder and imports none.")]
    return out


def _xrefs(analysis: ModuleAnalysis, ctx: ModulePageContext) -> list[nodes.Node]:
    payload = (
        ctx.plan.folder_docname,
        ctx.plan.folder_label or "folder",
        ctx.plan.root_docname if ctx.plan.root_docname != ctx.plan.folder_docname else None,
        ctx.plan.root_label or "root",
        _indexed_kinds(ctx.index_entries),
    )
    return [testdocs_xrefs.of(payload)]


def _indexed_kinds(entries: Sequence[IndexEntry]) -> tuple[tuple[str, int], ...]:
    """How many index entries of each kind the page adds, the file's own first: only
    the kinds it has ("test class": 2, "fixture": 1...)."""
    counts: dict[str, int] = {}
    for entry in entries:
        kind = "file" if entry.main else entry.what.split(" in ", 1)[0]
        counts[kind] = counts.get(kind, 0) + 1
    return tuple(counts.items())


class testdocs_xrefs(testdocs_payload):
    """The Cross-references section, built just before references resolve."""

    holds_references = True

    @staticmethod
    def build(payload: XrefsPayload) -> list[nodes.Node]:
        return _expand_xrefs(payload)


#: Folder page (docname, label), suite page (docname or None, label), and the index
#: entries the page adds, counted by kind.
XrefsPayload: TypeAlias = tuple[str | None, str, str | None, str, tuple[tuple[str, int], ...]]


def _plural_kind(kind: str) -> str:
    return kind[:-2] + "sses" if kind.endswith("ss") else kind + "s"


def _expand_xrefs(payload: XrefsPayload) -> list[nodes.Node]:
    folder_docname, folder_label, root_docname, root_label, kinds = payload
    links: list[nodes.Node] = []
    if folder_docname:
        links.append(para("Folder page: ", doc_link(folder_docname, folder_label)))
    if root_docname:
        links.append(para("Test suite page: ", doc_link(root_docname, root_label)))
    entries = sum(count for _, count in kinds)
    what = ", ".join(
        "the file itself" if kind == "file" else plural(count, kind, _plural_kind(kind))
        for kind, count in kinds
    )
    links.append(
        para(
            _ref("genindex", "General index"),
            f": this page adds {plural(entries, 'entry', 'entries')} ({what}); "
            "each links back to its place on this page.",
        )
    )
    links.append(
        para(
            "Suite-wide indices: ",
            _ref("test-markerindex", "tests by marker"),
            ", ",
            _ref("test-fixtureindex", "fixtures"),
            ", ",
            _ref("test-ownerindex", "tests by owner"),
            ".",
        )
    )
    return [bullet_list(links, NO_SEARCH)]


def _ref(label: str, text: str) -> addnodes.pending_xref:
    """A reference to a label Sphinx defines (the general and domain indices)."""
    ref = addnodes.pending_xref(
        "", refdomain="std", reftype="ref", reftarget=label, refexplicit=True
    )
    ref += nodes.inline(text, text)
    return ref


# --- The page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """One section of a module page: the one place that says what it is and shows."""

    key: str  # as in testdocs_section_titles and the :sections: option
    title: str  # the default title (the seed pages')
    build: SectionBuilder
    #: Whether the HTML search index reads it. Tests, classes and fixtures are found
    #: through the domain's objects: indexing every word of listings, trees and node
    #: IDs would dominate the index (and the build time) without helping anyone.
    searchable: bool = False
    #: Why the section has nothing to show on a page, or None. Quiet sections take no
    #: heading: one line names them all ("Performance Considerations and Security &
    #: Safety: no rule matched this file."), keeping their anchors.
    quiet: Callable[[ModuleAnalysis], str | None] | None = None


#: The sections of a module page, in order.
SECTIONS: tuple[Section, ...] = (
    Section("metadata", "File Metadata", _metadata),
    Section("purpose", "File Purpose", _purpose, searchable=True),
    Section("source", "Original Source", _source),
    Section("overview", "High-Level Overview", _overview, searchable=True),
    Section("analysis", "Detailed Analysis", _structure),
    Section("architecture", "Architecture & Design", _architecture),
    Section("dependencies", "Dependencies", _dependencies, searchable=True),
    Section(
        "patterns",
        "Code Patterns & Idioms",
        findings("patterns"),
        searchable=True,
        quiet=findings_quiet("patterns"),
    ),
    Section(
        "performance",
        "Performance Considerations",
        findings("performance"),
        searchable=True,
        quiet=findings_quiet("performance"),
    ),
    Section(
        "security",
        "Security & Safety",
        findings("security"),
        searchable=True,
        quiet=findings_quiet("security"),
    ),
    Section("testing", "Testing & Usage", _testing),
    Section("related", "Related Files", _related),
    Section("xrefs", "Cross-References", _xrefs),
)
#: Every section key, in page order.
SECTION_KEYS: tuple[str, ...] = tuple(s.key for s in SECTIONS)


def section_title(config: TestdocsConfig, section: Section) -> str | None:
    """A section's title on the pages, or None when the user dropped it."""
    return config.section_titles.get(section.key, section.title)


def render_module(
    analysis: ModuleAnalysis, ctx: ModulePageContext, title: str | None
) -> list[nodes.Node]:
    """All enabled sections of a module page; wrapped in a titled section if ``title``."""
    if not ctx.page_anchor:
        ctx.plan_anchors(analysis)
    page_id = ctx.page_anchor
    ctx.index_entries.append(
        IndexEntry(analysis.facts.relpath, analysis.kind.value, page_id, True)
    )
    body: list[nodes.Node] = []
    # reason -> (where its line goes in ``body``, [(section id, title)]).
    quiet: dict[str, tuple[int, list[tuple[str, str]]]] = {}
    for sec in SECTIONS:
        shown_title = section_title(ctx.config, sec)
        if shown_title is None:
            continue
        reason = sec.quiet(analysis) if sec.quiet else None
        if reason:
            where = quiet.setdefault(reason, (len(body), []))
            where[1].append((ctx.unique_id(sec.title), shown_title))
            continue
        block = section(ctx.unique_id(sec.title), shown_title, *sec.build(analysis, ctx))
        if not sec.searchable:
            block["classes"].append(NO_SEARCH)
        body.append(block)
    for reason, (at, sections) in sorted(quiet.items(), key=lambda item: -item[1][0]):
        line = _quiet_line(reason, sections)
        # Body elements may not follow a section in a doctree: the line closes the
        # section before it (where a reader sees it anyway) rather than standing alone.
        previous = body[at - 1] if at else None
        if isinstance(previous, nodes.section):
            previous += line
        else:
            body.insert(at, line)
    index = addnodes.index(entries=[e.as_sphinx() for e in ctx.index_entries])
    if title is None:
        return [index, nodes.target("", "", ids=[page_id]), *body]
    page = nodes.section(ids=[page_id], classes=["testdocs-module"])
    page += nodes.title(title, title)
    page += index
    page.extend(body)
    return [page]


def _quiet_line(reason: str, sections: Sequence[tuple[str, str]]) -> nodes.paragraph:
    """One line for the sections with nothing to show, keeping their anchors."""
    line = nodes.paragraph(
        classes=["testdocs-quiet-sections", NO_SEARCH], ids=[sid for sid, _ in sections]
    )
    for i, (_, title) in enumerate(sections):
        if i:
            line += nodes.Text(" and " if i == len(sections) - 1 else ", ")
        line += nodes.strong(title, title)
    line += nodes.Text(f": {reason}.")
    return line
