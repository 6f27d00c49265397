"""Reference tables generated from the code, so the documentation cannot drift from it.

``testdocs-options``  every entry of ``sphinx_testdocs.config.OPTIONS``, as ``confval`` objects
``testdocs-warnings`` every member of ``sphinx_testdocs._log.Subtype``, with its docstring
``testdocs-sections`` the page sections (``sphinx_testdocs.render.module.SECTIONS``), key and title
``testdocs-dialects`` every collection dialect (``sphinx_testdocs.analysis.dialects.DIALECTS``)
``testdocs-rules``    every finding rule (``sphinx_testdocs.analysis.rules.RULES``), by section
"""

from __future__ import annotations

from typing import Any, ClassVar

from docutils import nodes
from docutils.statemachine import StringList
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.domains.std import StandardDomain
from sphinx.pycode import ModuleAnalyzer
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from sphinx_testdocs import config
from sphinx_testdocs._log import WARNING_TYPE, Subtype
from sphinx_testdocs.render import module

logger = logging.getLogger(__name__)


def _type_name(types: tuple[type, ...]) -> str:
    return " or ".join("None" if t is type(None) else t.__name__ for t in types) or "any"


def _field(name: str, body: nodes.Element) -> nodes.field:
    return nodes.field("", nodes.field_name("", name), nodes.field_body("", body))


class _ReferenceDirective(SphinxDirective):
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {}

    def parse_rst(self, text: str) -> list[nodes.Node]:
        """Parse one of our own docstrings (never user input) as reStructuredText."""
        container = nodes.container()
        self.state.nested_parse(StringList(text.splitlines(), "<docstring>"), 0, container)
        return list(container.children)

    def note_source(self, module: Any) -> None:
        # Rebuild this page whenever the module it documents changes.
        self.env.note_dependency(module.__file__)


class OptionsDirective(_ReferenceDirective):
    """Every configuration value, each a ``confval`` that ``:confval:`` can link to."""

    def run(self) -> list[nodes.Node]:
        self.note_source(config)
        std = self.env.get_domain("std")
        assert isinstance(std, StandardDomain)
        out: list[nodes.Node] = []
        for option in config.OPTIONS:
            name = f"testdocs_{option.name}"
            if not option.help.strip():
                logger.warning("option %s has no help text", name, location=self.get_location())
            node_id = f"confval-{name}"
            signature = addnodes.desc_signature("", "", ids=[node_id])
            signature += addnodes.desc_name(name, name)
            std.note_object("confval", name, node_id, location=signature)
            fields = nodes.field_list()
            fields += _field(
                "Type", nodes.paragraph("", "", nodes.literal("", _type_name(option.types)))
            )
            fields += _field(
                "Default", nodes.paragraph("", "", nodes.literal("", repr(option.default)))
            )
            content = addnodes.desc_content("", nodes.paragraph("", option.help), fields)
            desc = addnodes.desc(
                "",
                signature,
                content,
                domain="std",
                objtype="confval",
                desctype="confval",
                noindex=False,
                classes=["std", "confval"],
            )
            index = addnodes.index(
                entries=[("pair", f"{name}; configuration value", node_id, "", None)]
            )
            out += [index, desc]
        return out


class WarningsDirective(_ReferenceDirective):
    """Every warning subtype, with the docstring written under its enum member."""

    def run(self) -> list[nodes.Node]:
        from sphinx_testdocs import _log

        self.note_source(_log)
        docs = ModuleAnalyzer.for_module(_log.__name__).find_attr_docs()
        items = nodes.definition_list()
        for member in Subtype:
            full = f"{WARNING_TYPE}.{member.value}"
            lines = docs.get(("Subtype", member.name))
            if not lines or not "".join(lines).strip():
                logger.warning(
                    "warning subtype %s has no docstring", full, location=self.get_location()
                )
                lines = [""]
            term = nodes.term("", "", nodes.literal("", full))
            node_id = nodes.make_id(f"warning-{full}")
            term["ids"].append(node_id)
            definition = nodes.definition("", *self.parse_rst("\n".join(lines)))
            items += nodes.definition_list_item("", term, definition)
        return [items]


class SectionsDirective(_ReferenceDirective):
    """The page sections in order: the key used by options and the default title."""

    def run(self) -> list[nodes.Node]:
        self.note_source(module)
        table = nodes.table(classes=["testdocs-sections"])
        group = nodes.tgroup(cols=3)
        table += group
        for width in (1, 3, 6):
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        group += head
        head += self._row("#", "Key", "Default title")
        body = nodes.tbody()
        group += body
        for number, sec in enumerate(module.SECTIONS, start=1):
            body += self._row(str(number), nodes.literal("", sec.key), sec.title)
        return [table]

    @staticmethod
    def _row(*cells: str | nodes.Node) -> nodes.row:
        row = nodes.row()
        for cell in cells:
            content = cell if isinstance(cell, nodes.Node) else nodes.Text(cell)
            row += nodes.entry("", nodes.paragraph("", "", content))
        return row


class DialectsDirective(_ReferenceDirective):
    """Every entry of the collection dialect table: names, role and meaning."""

    def run(self) -> list[nodes.Node]:
        from sphinx_testdocs.analysis import dialects

        self.note_source(dialects)
        items = nodes.definition_list(classes=["testdocs-dialects"])
        for row in dialects.dialects_for_docs():
            term = nodes.term("", "", nodes.literal("", row.id))
            term["ids"].append(nodes.make_id(f"dialect-{row.id}"))
            body = nodes.definition(
                "",
                nodes.paragraph("", f"{row.framework}, {row.role}. {row.explanation}"),
                nodes.paragraph("", "Names: ", nodes.literal("", row.names)),
            )
            items += nodes.definition_list_item("", term, body)
        return [items]


class RulesDirective(_ReferenceDirective):
    """Every finding rule, by section: id, title and explanation."""

    def run(self) -> list[nodes.Node]:
        from sphinx_testdocs.analysis import rules

        self.note_source(rules)
        items = nodes.definition_list(classes=["testdocs-rules"])
        for row in rules.rules_for_docs():
            term = nodes.term("", "", nodes.literal("", row.id), nodes.Text(f" ({row.section})"))
            term["ids"].append(nodes.make_id(f"rule-{row.id}"))
            body = nodes.definition(
                "",
                nodes.paragraph("", "", nodes.strong("", row.title)),
                nodes.paragraph("", row.explanation),
            )
            items += nodes.definition_list_item("", term, body)
        return [items]


def setup(app: Sphinx) -> dict[str, Any]:
    # Sphinx 7.4 added the confval object type; declare it ourselves on older versions.
    if "confval" not in StandardDomain.object_types:
        app.add_object_type(
            "confval",
            "confval",
            objname="configuration value",
            indextemplate="pair: %s; configuration value",
        )
    app.add_directive("testdocs-options", OptionsDirective)
    app.add_directive("testdocs-warnings", WarningsDirective)
    app.add_directive("testdocs-sections", SectionsDirective)
    app.add_directive("testdocs-dialects", DialectsDirective)
    app.add_directive("testdocs-rules", RulesDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
