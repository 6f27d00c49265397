"""Post-transforms that adapt builder-neutral nodes to builders without own visitors."""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from sphinx_testdocs.render.nodes import (
    COMPACT_NODES,
    LINE_LINK,
    testdocs_deferred,
    testdocs_defline,
    testdocs_lazy,
    testdocs_linelinks,
    testdocs_listing,
)
from sphinx_testdocs.render.pieces import (
    LineRef,
    LineRefs,
    documented_python_names,
    python_targets,
    testdocs_piecelists,
    testdocs_pieces,
)
from sphinx_testdocs.run import build_run


class ExpandDeferred(SphinxPostTransform):
    """Build deferred content (see ``testdocs_deferred``) for every builder.

    Lists and paragraphs kept as pieces (``testdocs_piecelists``, ``testdocs_pieces``)
    stay so for HTML, which writes them directly, unless a Python reference among them
    may resolve; every other builder gets them as nodes.
    """

    # Before ReferencesResolver (priority 10), which resolves the references made here.
    default_priority = 4

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(testdocs_deferred)):
            node.replace_self(node.expand())
        html = _builder_format(self) == "html"
        linkable: frozenset[str] | None = None

        def may_link(targets: list[str]) -> bool:
            nonlocal linkable
            if targets and linkable is None:
                linkable = _documented_python_names(self.env)
            return any(t in linkable for t in targets)  # type: ignore[operator]

        # Whole lists first: kept as one node unless a name among them may link; the
        # paragraphs of lists that are expanded are then decided one by one.
        for lists in list(self.document.findall(testdocs_piecelists)):
            if not html or may_link(lists.python_targets()):
                lists.replace_self(lists.expand())
        for kept in list(self.document.findall(testdocs_pieces)):
            if not html or may_link(python_targets(kept["pieces"])):
                kept.replace_self(kept.expand(linkable or ()))


class ExpandCompact(SphinxPostTransform):
    """Rebuild compact and lazy nodes (``COMPACT_NODES``) as ordinary ones for builders
    other than HTML, whose translators write them directly."""

    # Before ReferencesResolver (priority 10), which resolves the links made here.
    default_priority = 5

    def run(self, **kwargs: Any) -> None:
        if _builder_format(self) == "html":
            return
        # Lazy content expands into compact nodes: repeat until none is left.
        while found := list(self.document.findall(lambda n: isinstance(n, COMPACT_NODES))):
            for node in found:
                node.replace_self(node.expand())  # type: ignore[attr-defined]
        # Only HTML listings carry an anchor per line: elsewhere a line link would be
        # dangling (LaTeX reports undefined references), so it becomes its text.
        for ref in list(self.document.findall(nodes.reference)):
            if LINE_LINK in ref["classes"]:
                ref.parent.replace(ref, list(ref.children))
        # Writers such as LaTeX label targets and sections, not paragraphs: give each
        # anchored definition and marker a target, so links to them land.
        for node in list(self.document.findall(nodes.Element)):
            if not _anchored_content(node):
                continue
            ids, node["ids"] = node["ids"], []
            node.parent.insert(node.parent.index(node), nodes.target("", "", ids=ids))


class SinglePageLineAnchors(SphinxPostTransform):
    """Give each page's listing its own line ids when all pages share one HTML file.

    Every listing numbers its lines "L-1", "L-2"...; on the single page of
    ``singlehtml`` they would collide, and a line link would jump to the first page's
    listing. Each inlined page gets its document name as a prefix.
    """

    default_priority = 5
    builders = ("singlehtml",)

    def run(self, **kwargs: Any) -> None:
        # Content kept whole is expanded first, so that the walk below meets its line links.
        for lazy in list(self.document.findall(testdocs_lazy)):
            lazy.replace_self(lazy.expand())
        for lists in list(self.document.findall(testdocs_piecelists)):
            lists.replace_self(lists.expand())
        # Walk with the prefix of the innermost inlined page: pages nest (a folder page
        # inlines its files), and each id belongs to the page that wrote it.
        stack: list[tuple[nodes.Node, str]] = [(self.document, "")]
        while stack:
            node, prefix = stack.pop()
            if isinstance(node, addnodes.start_of_file):
                prefix = nodes.make_id(node["docname"]) + "-"
            elif prefix and isinstance(
                node, (testdocs_defline, testdocs_linelinks, testdocs_listing)
            ):
                node["anchor"] = prefix + node["anchor"]
            elif prefix and isinstance(node, nodes.reference) and LINE_LINK in node["classes"]:
                node["refid"] = prefix + node["refid"]
            elif prefix and isinstance(node, testdocs_pieces):
                node["pieces"] = tuple(
                    p._replace(anchor=prefix + p.anchor)
                    if isinstance(p, (LineRef, LineRefs))
                    else p
                    for p in node["pieces"]
                )
            stack.extend((child, prefix) for child in node.children)


def _documented_python_names(env: Any) -> frozenset[str]:
    """``documented_python_names``, once per write phase (reset when reading ends)."""
    run = build_run(env)
    if run.python_names is None:
        run.python_names = documented_python_names(env)
    return run.python_names


def _anchored_content(node: nodes.Element) -> bool:
    if not isinstance(node, (nodes.paragraph, nodes.inline)) or not node["ids"]:
        return False
    return "testdocs-def" in node["classes"] or any(i.startswith("marker-") for i in node["ids"])


def _builder_format(transform: SphinxPostTransform) -> str:
    # Sphinx 8.1+ names the builder class on the environment and deprecates ``.app``.
    builder_cls = getattr(transform.env, "_builder_cls", None)
    if builder_cls is not None:
        return str(builder_cls.format)
    return str(transform.app.builder.format)
