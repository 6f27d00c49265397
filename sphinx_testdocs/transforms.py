"""Post-transforms that adapt builder-neutral nodes to builders without own visitors."""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from sphinx_testdocs.render.common import bullet_list, doc_link, literal, para
from sphinx_testdocs.render.nodes import COMPACT_NODES, testdocs_links


class ExpandLinks(SphinxPostTransform):
    """Turn ``testdocs_links`` into a bullet list of references for non-HTML builders."""

    # Before ReferencesResolver (priority 10), which resolves the links made here.
    default_priority = 5

    def run(self, **kwargs: Any) -> None:
        if _builder_format(self) == "html":
            return
        for node in list(self.document.findall(testdocs_links)):
            items = []
            for label, docname, note in node["links"]:
                link: nodes.Node = doc_link(docname, literal(label)) if docname else literal(label)
                items.append(para(link, f" ({note})") if note else para(link))
            node.replace_self(bullet_list(items, *node["classes"]))


class ExpandCompact(SphinxPostTransform):
    """Rebuild compact and lazy nodes as ordinary ones for builders other than HTML."""

    default_priority = 5

    def run(self, **kwargs: Any) -> None:
        if _builder_format(self) == "html":
            return
        # Lazy content expands into compact nodes: repeat until none is left.
        while found := list(self.document.findall(lambda n: isinstance(n, COMPACT_NODES))):
            for node in found:
                node.replace_self(node.expand())  # type: ignore[attr-defined]


def _builder_format(transform: SphinxPostTransform) -> str:
    # Sphinx 8.1+ names the builder class on the environment and deprecates ``.app``.
    builder_cls = getattr(transform.env, "_builder_cls", None)
    if builder_cls is not None:
        return str(builder_cls.format)
    return str(transform.app.builder.format)
