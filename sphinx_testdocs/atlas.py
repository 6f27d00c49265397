"""The untested-API list (``testdocs-untested``): the documented public objects no test
uses (statically, or by coverage data where it measured them), grouped by module.

It must see the whole Python domain, so the directive leaves a placeholder that is
filled when the page is written (``doctree-resolved``). Its page is written again when
what it would list changes: once every page is read, each list's plan is digested and
compared with the one stored (``env-get-updated``), as generated pages' digests are.
"""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import make_refnode

from sphinx_testdocs._log import Subtype, warn
from sphinx_testdocs.coverage.spans import module_of
from sphinx_testdocs.crossfile import digest
from sphinx_testdocs.domain import domain_of
from sphinx_testdocs.render.atlas import AtlasEntry, AtlasPlan, render_atlas
from sphinx_testdocs.run import build_run
from sphinx_testdocs.tested import tested_by

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

#: Python object types the list considers: those that run code a test can exercise
#: (attributes, data and modules are left out: a test rarely names them).
ATLAS_OBJTYPES = frozenset(
    {"function", "class", "exception", "method", "classmethod", "staticmethod", "property"}
)


class untested_list(nodes.General, nodes.Element):
    """Where the list goes; replaced by it when the page is written."""


class UntestedDirective(SphinxDirective):
    """``.. testdocs-untested::`` lists every documented module's untested objects;
    ``.. testdocs-untested:: pkg.sub`` those under ``pkg.sub`` only."""

    optional_arguments = 1

    def run(self) -> list[nodes.Node]:
        prefix = self.arguments[0].strip() if self.arguments else ""
        atlases = domain_of(self.env).atlases
        prefixes, _ = atlases.get(self.env.docname, ((), ""))
        atlases[self.env.docname] = ((*prefixes, prefix), "")
        node = untested_list(prefix=prefix)
        self.set_source_info(node)
        return [node]


def plan_atlas(env: BuildEnvironment, prefix: str) -> AtlasPlan | None:
    """What the list under ``prefix`` shows now; None without test directories."""
    project = build_run(env).project
    if project is None or project.crossfile is None:
        return None
    python = env.get_domain("py")
    modules = set(getattr(python, "modules", {}))
    exclude = project.config.untested_exclude
    considered = 0
    groups: dict[str, list[AtlasEntry]] = {}
    for name, entry in sorted(getattr(python, "objects", {}).items()):
        if entry.aliased or entry.objtype not in ATLAS_OBJTYPES:
            continue
        if prefix and name != prefix and not name.startswith(prefix + "."):
            continue
        if not _public(name) or _excluded(name, exclude):
            continue
        considered += 1
        tested = tested_by(project, name)
        if not tested.empty:
            continue
        module = module_of(name, modules, itself=False)
        groups.setdefault(module, []).append(
            AtlasEntry(
                name=name,
                shown=name[len(module) + 1 :] if module else name,
                objtype=entry.objtype,
                docname=entry.docname,
                anchor=entry.node_id,
                measured=tested.measured is not None,
            )
        )
    return AtlasPlan(
        prefix=prefix,
        groups=tuple((module, tuple(found)) for module, found in sorted(groups.items())),
        considered=considered,
        exclude=exclude,
        coverage=bool(project.coverage and project.coverage.modules),
    )


def _public(name: str) -> bool:
    """No part of the name is private (``_x``); dunder names are public."""
    return not any(
        part.startswith("_") and not (part.startswith("__") and part.endswith("__"))
        for part in name.split(".")
    )


def _excluded(name: str, patterns: Iterable[str]) -> bool:
    own = name.rpartition(".")[2]
    return any(fnmatchcase(name if "." in p else own, p) for p in patterns)


def _digest(env: BuildEnvironment, prefixes: tuple[str, ...]) -> str:
    return digest(plan_atlas(env, prefix) for prefix in prefixes)


def refresh_atlases(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Every page is read: the pages whose lists would change, to be written again."""
    atlases = domain_of(env).atlases
    stale = []
    for docname, (prefixes, old) in sorted(atlases.items()):
        new = _digest(env, prefixes)
        if new != old:
            atlases[docname] = (prefixes, new)
            stale.append(docname)
    return stale


def fill_atlases(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Replace each placeholder by its list, with links to the objects' descriptions."""
    for node in list(doctree.findall(untested_list)):
        plan = plan_atlas(app.env, node["prefix"])

        def link(entry: AtlasEntry, label: nodes.Node) -> nodes.Node:
            return make_refnode(
                app.builder, docname, entry.docname, entry.anchor, label, entry.name
            )

        if plan is not None and plan.prefix and not plan.considered:
            warn(
                "testdocs-untested: no documented public function, class or method "
                "under %r (check the name)",
                Subtype.directive,
                node,
                plan.prefix,
            )
        node.replace_self(render_atlas(plan, link))
