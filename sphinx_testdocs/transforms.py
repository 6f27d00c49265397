"""Post-transforms that adapt builder-neutral nodes to builders without own visitors."""

from __future__ import annotations

from dataclasses import is_dataclass, replace
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from sphinx_testdocs.analysis.forge import fill_commit
from sphinx_testdocs.render.common import FORGE_CHECKOUT, FORGE_LINK, FORGE_SEPARATOR
from sphinx_testdocs.render.nodes import LINE_LINK, testdocs_compact, testdocs_payload
from sphinx_testdocs.render.pieces import documented_python_names
from sphinx_testdocs.run import build_run


class ExpandCompact(SphinxPostTransform):
    """Rebuild compact nodes (``render.nodes.testdocs_compact``) as ordinary ones.

    For every builder, the ones whose content holds references (``holds_references``)
    or a Python name that may link, so that Sphinx resolves them; for every builder
    but HTML, all of them: HTML translators write the others (``render.html``).
    """

    # Before ReferencesResolver (priority 10), which resolves the references made here.
    default_priority = 4

    def run(self, **kwargs: Any) -> None:
        html = _builder_format(self) == "html"
        linkable: frozenset[str] | None = None

        def expand_now(node: testdocs_compact) -> bool:
            nonlocal linkable
            if not html or node.holds_references:
                return True
            targets = node.python_targets()
            if targets and linkable is None:
                linkable = _documented_python_names(self.env)
            return any(t in linkable for t in targets)  # type: ignore[operator]

        # One walk; expansions hold compact nodes (the Dependencies' lists, their
        # paragraphs), each decided on its own.
        pending = list(self.document.findall(testdocs_compact))
        while pending:
            node = pending.pop()
            if expand_now(node):
                expansion = node.expand(linkable or ())
                node.replace_self(expansion)
                for new in expansion:
                    pending.extend(new.findall(testdocs_compact))
        if html:
            return
        # Only HTML listings carry an anchor per line: elsewhere a line link would be
        # dangling (LaTeX reports undefined references), so it becomes its text.
        for ref in list(self.document.findall(nodes.reference)):
            if LINE_LINK in ref["classes"]:
                ref.parent.replace(ref, list(ref.children))
        # Writers such as LaTeX label targets and sections, not paragraphs: give each
        # anchored definition and marker a target, so links to them land.
        for element in list(self.document.findall(nodes.Element)):
            if not _anchored_content(element):
                continue
            ids, element["ids"] = element["ids"], []
            element.parent.insert(element.parent.index(element), nodes.target("", "", ids=ids))


class FillForgeCommit(SphinxPostTransform):
    """Put the commit into the page's links to the forge.

    Pages are read with ``{commit}`` in their links (``analysis.forge.file_url``): a new
    commit then changes no page read, only what is written. Payloads built when written
    (the Detailed Analysis, findings) keep the file's address in a dataclass field,
    ``source_url``, beside the ``checkout`` whose commit fills it; the other links are
    references.
    """

    # Before ExpandCompact (4) and SinglePageLineAnchors (5), which build payloads'
    # nodes for other builders and for single-page HTML.
    default_priority = 3

    def run(self, **kwargs: Any) -> None:
        project = build_run(self.env).project
        if project is None or project.config.source_url is None:
            return
        commits = project.forge_commits()
        for ref in list(self.document.findall(nodes.reference)):
            if FORGE_LINK not in ref["classes"] or "{commit}" not in ref["refuri"]:
                continue
            commit = commits.get(ref.get(FORGE_CHECKOUT, ""))
            if commit is not None:
                ref["refuri"] = fill_commit(ref["refuri"], commit)
                continue
            # The checkout has no commit now: no link, nor the separator before it.
            parent = ref.parent
            index = parent.index(ref)
            del parent[index]
            if index and parent[index - 1].astext() == FORGE_SEPARATOR:
                del parent[index - 1]
        for node in self.document.findall(testdocs_payload):
            payload: Any = node["payload"]
            source_url = getattr(payload, "source_url", None)
            if not source_url or "{commit}" not in source_url or not _is_dataclass(payload):
                continue
            commit = commits.get(payload.checkout)
            url = fill_commit(source_url, commit) if commit else None
            node["payload"] = replace(payload, source_url=url)


class SinglePageLineAnchors(SphinxPostTransform):
    """Give each page's listing its own line ids when all pages share one HTML file.

    Every listing numbers its lines "L-1", "L-2"...; on the single page of
    ``singlehtml`` they would collide, and a line link would jump to the first page's
    listing. Each inlined page gets its document name as a prefix.
    """

    default_priority = 5
    builders = ("singlehtml",)

    def run(self, **kwargs: Any) -> None:
        # Walk with the prefix of the innermost inlined page: pages nest (a folder page
        # inlines its files), and each id belongs to the page that wrote it.
        stack: list[tuple[nodes.Node, str]] = [(self.document, "")]
        while stack:
            node, prefix = stack.pop()
            children = node.children
            if isinstance(node, addnodes.start_of_file):
                prefix = nodes.make_id(node["docname"]) + "-"
            elif prefix and isinstance(node, testdocs_compact):
                if node.prefix_line_anchors(prefix):
                    continue
                # Only its expansion can: the walk goes on into it.
                children = node.expand()
                node.replace_self(children)
            elif prefix and isinstance(node, nodes.reference) and LINE_LINK in node["classes"]:
                node["refid"] = prefix + node["refid"]
            stack.extend((child, prefix) for child in children)


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


def _is_dataclass(payload: Any) -> bool:
    # ``dataclasses.replace`` fills the address; a class is not a payload.
    return is_dataclass(payload) and not isinstance(payload, type)
