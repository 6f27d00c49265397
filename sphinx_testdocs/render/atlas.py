"""The untested-API list: per module, the documented public objects no test uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from docutils import nodes

from sphinx_testdocs.render.common import bullet_list, literal, para, plural


@dataclass(frozen=True)
class AtlasEntry:
    """A documented object no test uses."""

    name: str  # full dotted name
    shown: str  # relative to its module
    objtype: str
    docname: str  # where it is described
    anchor: str
    #: Coverage data measured it (and no test ran it); else found statically.
    measured: bool


@dataclass(frozen=True)
class AtlasPlan:
    """What one list shows: the untested objects by module (sorted), and out of what."""

    prefix: str
    groups: tuple[tuple[str, tuple[AtlasEntry, ...]], ...]
    considered: int  # public objects of the listed types, exclusions aside
    exclude: tuple[str, ...]
    coverage: bool  # coverage data measured some of the code

    @property
    def untested(self) -> int:
        return sum(len(entries) for _, entries in self.groups)


def render_atlas(
    plan: AtlasPlan | None, link: Callable[[AtlasEntry, nodes.Node], nodes.Node]
) -> list[nodes.Node]:
    """The list's nodes; ``link`` links an entry's label to its description."""
    if plan is None:
        return [para("No test directories are configured (testdocs_dirs).")]
    where: list[nodes.Node | str] = [" under ", literal(plan.prefix)] if plan.prefix else []
    how = (
        "by coverage data where it measured the code, statically elsewhere"
        if plan.coverage
        else "found statically"
    )
    out: list[nodes.Node] = [
        para(
            f"{plan.untested:,} of the {plan.considered:,} public functions, classes and "
            "methods documented",
            *where,
            f" have no test that uses them ({how}).",
            classes=["testdocs-untested"],
        )
    ]
    if plan.exclude:
        excluded = para("Left out: names matching ", classes=["testdocs-untested"])
        for number, pattern in enumerate(plan.exclude):
            excluded += nodes.Text(", " if number else "")
            excluded += literal(pattern)
        excluded += nodes.Text(" (testdocs_untested_exclude).")
        out.append(excluded)
    for module, entries in plan.groups:
        head = para(
            literal(module) if module else nodes.Text("Outside any documented module"),
            f": {plural(len(entries), 'object')}",
        )
        rows = []
        for entry in entries:
            row = para(link(entry, literal(entry.shown)), f" ({entry.objtype}")
            row += nodes.Text(", measured: no test ran it)" if entry.measured else ")")
            rows.append(row)
        out.append(nodes.container("", head, bullet_list(rows), classes=["testdocs-untested"]))
    return out
