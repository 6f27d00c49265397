"""The ``test`` domain: test modules, classes, tests, fixtures and markers as objects.

The domain keeps records per document only (``objects``, ``digests``, ``toctrees``), in
``env.domaindata["test"]``, so that ``clear_doc`` and ``merge_domaindata`` stay exact
under incremental and parallel builds. The build's own state (the scanned project, its
analyses, the facts per file, the name lookup) is not the domain's: it lives in
``run.BuildRun``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Set
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from docutils import nodes
from sphinx.domains import Domain, Index, IndexEntry, ObjType
from sphinx.roles import XRefRole
from sphinx.util.nodes import make_refnode

from sphinx_testdocs._log import Subtype, warn
from sphinx_testdocs.results_indices import RESULTS_INDICES
from sphinx_testdocs.run import build_run

if TYPE_CHECKING:
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import RoleFunction

    from sphinx_testdocs.project import Project

#: Keys of the stored data: each holds one entry per document, made as it is read.
STORES = ("objects", "digests", "toctrees", "atlases")

#: Object types, the role that names them, and how they read in indices.
OBJECT_TYPES: dict[str, tuple[str, str]] = {
    "module": ("mod", "test module"),
    "class": ("class", "test class"),
    "test": ("func", "test"),
    "fixture": ("fixture", "fixture"),
    "marker": ("marker", "marker"),
    "owner": ("owner", "owner"),
}

#: Search priority of each object type (Sphinx's search adds 15, 5 or -5 for 0, 1, 2).
#: A module's full ID ends in ".py", so the search never finds its name in the last
#: dotted part, while each test of it named after it matches there (+6): without the
#: top priority, a module page came after all its tests ("compile" found 25 tests of
#: dynamo/test_compile.py before the module itself).
SEARCH_PRIORITY = {"module": 0, "class": 1, "test": 1, "fixture": 2, "marker": 2, "owner": -1}

#: The owners index: the page an ``owner`` reference leads to (Sphinx names a domain
#: index's page "<domain>-<index name>").
OWNER_INDEX_PAGE = "test-ownerindex"
#: Its section of the files that no owner is known for.
UNOWNED = "unowned"


class TestObject(NamedTuple):
    """A documented object; ``fullname`` is relative to its test directory."""

    objtype: str
    fullname: str  # "dynamo/test_compile.py::Class::test", "conftest.py::tmp_db", "slow"
    docname: str
    anchor: str
    root: str  # name of the configured test directory
    summary: str = ""
    #: module, class and test: marker uses written there as (name, args); fixture:
    #: (scope, "autouse" or "").
    details: tuple[tuple[str, str], ...] = ()
    #: test: fullnames of the fixture definitions it uses; marker: tests carrying it.
    links: tuple[str, ...] = ()
    #: module: the file's owners; test: those and the owners its own marks name.
    owners: tuple[str, ...] = ()

    @property
    def shortname(self) -> str:
        return self.fullname.rsplit("::", 1)[-1].rsplit("/", 1)[-1]


def _suffixes(fullname: str) -> Iterator[str]:
    """Every tail of a full ID that starts at a "::" or "/" boundary, itself included."""
    yield fullname
    for i, ch in enumerate(fullname):
        if ch == "/":
            yield fullname[i + 1 :]
        elif ch == ":" and fullname.startswith("::", i):
            yield fullname[i + 2 :]


class MarkerIndex(Index):
    """Tests by marker: every skip and xfail with its reason, the suite's skip inventory."""

    name = "markerindex"
    localname = "Tests by marker"
    shortname = "markers"

    def generate(
        self, docnames: Iterable[str] | None = None
    ) -> tuple[list[tuple[str, list[IndexEntry]]], bool]:
        domain = self.domain
        assert isinstance(domain, TestDomain)
        wanted = set(docnames) if docnames is not None else None
        groups: dict[str, list[IndexEntry]] = {}
        for obj in (
            *domain.objects_of("module"),
            *domain.objects_of("class"),
            *domain.objects_of("test"),
        ):
            if wanted is not None and obj.docname not in wanted:
                continue
            for marker, args in obj.details:
                groups.setdefault(marker, []).append(
                    IndexEntry(obj.fullname, 0, obj.docname, obj.anchor, args, "", obj.root)
                )
        content = [(name, sorted(entries)) for name, entries in sorted(groups.items())]
        return content or domain.empty_index("No test carries a marker."), False


class FixtureIndex(Index):
    """Fixtures: scope, autouse, where each is defined and how many tests use it."""

    name = "fixtureindex"
    localname = "Fixtures"
    shortname = "fixtures"

    def generate(
        self, docnames: Iterable[str] | None = None
    ) -> tuple[list[tuple[str, list[IndexEntry]]], bool]:
        domain = self.domain
        assert isinstance(domain, TestDomain)
        users: dict[tuple[str, str], int] = {}
        for test in domain.objects_of("test"):
            for fixture in test.links:
                users[test.root, fixture] = users.get((test.root, fixture), 0) + 1
        groups: dict[str, list[IndexEntry]] = {}
        for obj in domain.objects_of("fixture"):
            scope, autouse = (dict(obj.details).get(k, "") for k in ("scope", "autouse"))
            count = users.get((obj.root, obj.fullname), 0)
            extra = f"scope {scope}{', autouse' if autouse else ''}; used by {count} test"
            extra += "" if count == 1 else "s"
            where = obj.fullname.rsplit("::", 1)[0]
            entry = IndexEntry(obj.shortname, 0, obj.docname, obj.anchor, extra, "", where)
            groups.setdefault(obj.shortname[:1].upper(), []).append(entry)
        content = [(letter, sorted(entries)) for letter, entries in sorted(groups.items())]
        return content or domain.empty_index("No fixture is defined in the suite."), True


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def owner_group(owner: str) -> str:
    """The section of the owners index an owner is listed in: its first letter or
    digit ("@pytorch/dev-infra" -> "P"), else "#".

    A section's name is written into the index page unescaped (Sphinx's
    ``domainindex.html``), so it is never the owner's name itself, which comes from
    the analysed files.
    """
    for ch in owner:
        if ch.isascii() and ch.isalnum():
            return ch.upper()
    return "#"


class OwnerIndex(Index):
    """Owners: the files each owns and how many tests, and the files no one owns."""

    name = "ownerindex"
    localname = "Tests by owner"
    shortname = "owners"

    def generate(
        self, docnames: Iterable[str] | None = None
    ) -> tuple[list[tuple[str, list[IndexEntry]]], bool]:
        domain = self.domain
        assert isinstance(domain, TestDomain)
        modules = list(domain.objects_of("module"))
        tests = list(domain.objects_of("test"))
        by_file: dict[tuple[str, str], list[TestObject]] = {}
        for test in tests:
            by_file.setdefault((test.root, test.fullname.split("::", 1)[0]), []).append(test)
        files_of: dict[str, list[TestObject]] = {}
        for module in modules:
            for owner in module.owners:
                files_of.setdefault(owner, []).append(module)
        tests_of: dict[str, list[TestObject]] = {}
        for test in tests:
            for owner in test.owners:
                tests_of.setdefault(owner, []).append(test)
        groups: dict[str, list[IndexEntry]] = {}
        for owner in sorted({*files_of, *tests_of}, key=lambda o: (o.lower(), o)):
            files = files_of.get(owner, [])
            # Tests an owner mark gives this owner in files it does not own.
            pages = {m.docname for m in files}
            marked = [t for t in tests_of.get(owner, ()) if t.docname not in pages]
            owned = [t for m in files for t in by_file.get((m.root, m.fullname), ())]
            extra = f"{_count(len(files), 'file')}, {_count(len(owned) + len(marked), 'test')}"
            extra += self.outcomes_note([*owned, *marked])
            entries = groups.setdefault(owner_group(owner), [])
            entries.append(IndexEntry(owner, 1, "", "", extra, "", ""))
            for module in files:
                count = len(by_file.get((module.root, module.fullname), ()))
                entries.append(
                    IndexEntry(
                        module.fullname,
                        2,
                        module.docname,
                        module.anchor,
                        _count(count, "test"),
                        "",
                        module.root,
                    )
                )
            for test in marked:
                entries.append(
                    IndexEntry(test.fullname, 2, test.docname, test.anchor, "", "", test.root)
                )
        if not groups:
            # Listing every file as unowned says nothing a sentence does not.
            return domain.empty_index(
                "No file names an owner: no # Owner(s) header, CODEOWNERS entry or "
                "owner mark (testdocs_owner_markers) was found."
            ), True
        unowned = [m for m in modules if not m.owners]
        if unowned:
            groups[UNOWNED] = [
                IndexEntry(
                    m.fullname,
                    0,
                    m.docname,
                    m.anchor,
                    _count(len(by_file.get((m.root, m.fullname), ())), "test"),
                    "",
                    m.root,
                )
                for m in unowned
            ]
        # Letters in order, files without an owner last: the question they answer is
        # "who owns nothing yet".
        return sorted(groups.items(), key=lambda g: (g[0] == UNOWNED, g[0])), True

    def outcomes_note(self, tests: list[TestObject]) -> str:
        """What the owner's tests' results say, for the index ("; 2 failing"): empty
        without results files (``testdocs_results``)."""
        if not hasattr(self, "_bad"):
            self._bad = _failing_tests(build_run(self.domain.env).project)
        if self._bad is None:
            return ""
        failing = sum((t.root, t.fullname) in self._bad for t in tests)
        return f"; {failing:,} failing" if failing else "; none failing"


def _failing_tests(project: Project | None) -> set[tuple[str, str]] | None:
    """(root name, full ID) of every test whose results say it failed or errored."""
    if project is None or project.results is None:
        return None
    names = {root.key: root.name for root in project.roots}
    return {
        (names.get(root, ""), f"{relpath}::{nodeid.split('::', 1)[-1]}")
        for (root, relpath), tests in project.results.by_file.items()
        for nodeid, results in tests.items()
        if results.overall.bad
    }


class TestDomain(Domain):
    """Test modules, classes, tests, fixtures and markers documented by sphinx-testdocs."""

    name = "test"
    label = "Test suite"
    object_types: ClassVar[dict[str, ObjType]] = {
        objtype: ObjType(label, role, "any") for objtype, (role, label) in OBJECT_TYPES.items()
    }
    roles: ClassVar[dict[str, RoleFunction | XRefRole]] = {
        role: XRefRole() for role, _ in OBJECT_TYPES.values()
    }
    indices: ClassVar[list[type[Index]]] = [
        MarkerIndex,
        FixtureIndex,
        OwnerIndex,
        *RESULTS_INDICES,
    ]
    initial_data: ClassVar[dict[str, Any]] = {
        # docname -> objects registered by that document
        "objects": {},
        # docname -> (kind, args, digest) of the cross-file facts the page shows
        # (see freshness.refresh_summaries)
        "digests": {},
        # docname -> suite pages the extension added to its toctree (the root only)
        "toctrees": {},
        # docname -> (prefixes, digest) of its untested-API lists (see atlas.py)
        "atlases": {},
    }

    @property
    def atlases(self) -> dict[str, tuple[tuple[str, ...], str]]:
        return self.data.setdefault("atlases", {})  # type: ignore[no-any-return]

    @property
    def digests(self) -> dict[str, tuple[str, tuple[str, ...], str]]:
        return self.data.setdefault("digests", {})  # type: ignore[no-any-return]

    @property
    def _objects(self) -> dict[str, list[TestObject]]:
        return self.data.setdefault("objects", {})  # type: ignore[no-any-return]

    def note_toctree(self, docname: str, docnames: tuple[str, ...]) -> None:
        self.data.setdefault("toctrees", {})[docname] = docnames

    def toctree_of(self, docname: str) -> tuple[str, ...]:
        """The suite pages the extension added to ``docname``'s toctree."""
        return self.data.get("toctrees", {}).get(docname, ())  # type: ignore[no-any-return]

    def note_objects(self, docname: str, objects: Iterable[TestObject]) -> None:
        """Record the objects a document defines (replacing any it defined before)."""
        self._objects.setdefault(docname, []).extend(objects)

    def objects_of(self, objtype: str) -> Iterator[TestObject]:
        # Sorted by document so that indices do not depend on reading order (-j).
        for docname in sorted(self._objects):
            for obj in self._objects[docname]:
                if obj.objtype == objtype:
                    yield obj

    def clear_doc(self, docname: str) -> None:
        for key in STORES:
            self.data.get(key, {}).pop(docname, None)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        for key in STORES:
            theirs, ours = otherdata[key], self.data.setdefault(key, {})
            for docname in docnames:
                if docname in theirs:
                    ours[docname] = theirs[docname]

    def empty_index(self, message: str) -> list[tuple[str, list[IndexEntry]]]:
        """One entry saying the index is empty (Sphinx writes no page for an empty index,
        and the pages link to it), pointing at the suite overview."""
        project = build_run(self.env).project
        if project is None or not project.roots:
            return []
        docname = project.roots[0].index_docname
        return [("-", [IndexEntry(message, 0, docname, "suite-overview", "", "", "")])]

    # --- resolution -----------------------------------------------------------------

    def _targets(self) -> dict[str, dict[str, list[TestObject]]]:
        """objtype -> (full ID or any "::"/"/" tail of it) -> objects.

        Made once per write phase and kept in the build's run (``BuildRun.test_targets``,
        reset when reading ends): records change only while pages are read. Every
        ``test`` reference is looked up here: on NumPy's suite (8,900 objects) making
        it takes about 55 ms, once, and a lookup then about 2 µs; a scan of the
        records per reference would cost the 55 ms each time.
        """
        run = build_run(self.env)
        if run.test_targets is None:
            targets: dict[str, dict[str, list[TestObject]]] = {t: {} for t in OBJECT_TYPES}
            for docname in sorted(self._objects):
                for obj in self._objects[docname]:
                    by_name = targets[obj.objtype]
                    for key in {*_suffixes(obj.fullname), f"{obj.root}/{obj.fullname}"}:
                        by_name.setdefault(key, []).append(obj)
                    for owner in obj.owners:  # by its name only: owners have no tails
                        targets["owner"].setdefault(owner, []).append(obj)
            run.test_targets = targets
        return run.test_targets

    def find(self, objtypes: Iterable[str], target: str) -> list[TestObject]:
        """Objects a target names: its full ID if one matches, else a unique tail."""
        targets = self._targets()
        found: list[TestObject] = []
        for objtype in objtypes:
            found.extend(targets.get(objtype, {}).get(target, ()))
        exact = [o for o in found if target in {o.fullname, f"{o.root}/{o.fullname}"}]
        return exact or found

    def resolve_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        typ: str,
        target: str,
        node: Any,
        contnode: nodes.Element,
    ) -> nodes.reference | None:
        if typ == "line":
            # Internal: links to a listing line of a generated page ("docname#L-12").
            # Only HTML listings have line anchors; elsewhere the text stays.
            docname, _, anchor = target.partition("#")
            if docname not in env.all_docs:
                return None
            if builder.format != "html":
                return contnode  # type: ignore[return-value]
            if builder.name == "singlehtml":  # see transforms.SinglePageLineAnchors
                anchor = nodes.make_id(docname) + "-" + anchor
            return make_refnode(builder, fromdocname, docname, anchor, contnode)
        if typ == "owner":
            return self._resolve_owner(builder, fromdocname, target, contnode)
        objtypes = self.objtypes_for_role(typ) or []
        matches = self.find(objtypes, target)
        if not matches:
            return None
        if len(matches) > 1:
            candidates = ", ".join(sorted(f"{m.root}/{m.fullname}" for m in matches))
            warn(
                "ambiguous test reference %r: %s; give more of the ID",
                Subtype.ref,
                node,
                target,
                candidates,
            )
        obj = matches[0]
        return make_refnode(builder, fromdocname, obj.docname, obj.anchor, contnode, obj.fullname)

    def _resolve_owner(
        self, builder: Builder, fromdocname: str, owner: str, contnode: nodes.Element
    ) -> nodes.reference | None:
        """An owner's section of the owners index; only HTML writes that page, so
        elsewhere the name stays text."""
        if owner not in self._targets()["owner"]:
            return None
        if builder.format != "html" or builder.name == "singlehtml":
            return contnode  # type: ignore[return-value]
        anchor = f"cap-{owner_group(owner)}"
        return make_refnode(builder, fromdocname, OWNER_INDEX_PAGE, anchor, contnode, owner)

    def resolve_any_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        target: str,
        node: Any,
        contnode: nodes.Element,
    ) -> list[tuple[str, nodes.reference]]:
        results = []
        owner = self._resolve_owner(builder, fromdocname, target, contnode)
        if owner is not None:
            results.append(("test:owner", owner))
        for objtype in OBJECT_TYPES:
            if objtype == "owner":
                continue
            matches = self.find([objtype], target)
            if len(matches) == 1:
                obj = matches[0]
                role = f"test:{self.role_for_objtype(objtype)}"
                ref = make_refnode(
                    builder, fromdocname, obj.docname, obj.anchor, contnode, obj.fullname
                )
                results.append((role, ref))
        return results

    def get_objects(self) -> Iterator[tuple[str, str, str, str, str, int]]:
        for docname in sorted(self._objects):
            for obj in self._objects[docname]:
                priority = SEARCH_PRIORITY[obj.objtype]
                yield (obj.fullname, obj.fullname, obj.objtype, obj.docname, obj.anchor, priority)
        # Owners are not defined on a page: each is listed in the owners index.
        owners = {o for objects in self._objects.values() for obj in objects for o in obj.owners}
        for owner in sorted(owners):
            anchor = f"cap-{owner_group(owner)}"
            priority = SEARCH_PRIORITY["owner"]
            yield (owner, owner, "owner", OWNER_INDEX_PAGE, anchor, priority)

    def get_full_qualified_name(self, node: nodes.Element) -> str | None:
        target = node.get("reftarget")
        return str(target) if target else None


def domain_of(env: BuildEnvironment) -> TestDomain:
    """The ``test`` domain of a build."""
    domain = env.get_domain("test")
    assert isinstance(domain, TestDomain)
    return domain
