"""Small node builders shared by the page renderers.

Everything taken from analysed files enters the tree as ``nodes.Text`` (or the text of a
``literal``/``literal_block``), which every writer escapes: no markup is ever parsed
from analysed content.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeAlias

from docutils import nodes
from sphinx import addnodes

from sphinx_testdocs.analysis.forge import line_url
from sphinx_testdocs.render.nodes import testdocs_details

Cell: TypeAlias = str | nodes.Node | Sequence[nodes.Node]


def text(value: str) -> nodes.Text:
    return nodes.Text(value)


def literal(value: str, *classes: str) -> nodes.literal:
    return nodes.literal(value, value, classes=list(classes))


def para(*children: nodes.Node | str, classes: Sequence[str] = ()) -> nodes.paragraph:
    node = nodes.paragraph(classes=list(classes))
    for child in children:
        node += nodes.Text(child) if isinstance(child, str) else child
    return node


#: Class of content Sphinx's search indexer skips (Sphinx 7.3+): sentences every page
#: repeats, which would make each of their words match every page.
NO_SEARCH = "no-search"


def unsearched(value: str) -> nodes.inline:
    """Text shown as usual but kept out of the full-text search index."""
    return nodes.inline(value, value, classes=[NO_SEARCH])


def doc_link(docname: str, *children: nodes.Node | str) -> addnodes.pending_xref:
    """A link to another document, resolved (and checked) by Sphinx for every builder."""
    ref = addnodes.pending_xref(
        "",
        refdomain="std",
        reftype="doc",
        reftarget="/" + docname,
        refexplicit=True,
        refwarn=True,
    )
    inner = nodes.inline(classes=["doc"])
    for child in children:
        inner += nodes.Text(child) if isinstance(child, str) else child
    ref += inner
    return ref


def bullet_list(
    items: Iterable[nodes.Node | Sequence[nodes.Node]], *classes: str
) -> nodes.bullet_list:
    blist = nodes.bullet_list(classes=list(classes))
    for item in items:
        li = nodes.list_item()
        if isinstance(item, nodes.Node):
            li += item
        else:
            li.extend(item)
        blist += li
    return blist


def field_list(rows: Iterable[tuple[str, Cell]]) -> nodes.field_list:
    flist = nodes.field_list(classes=["testdocs-fields"])
    for name, value in rows:
        field = nodes.field()
        field += nodes.field_name(name, name)
        body = nodes.field_body()
        body += _cell_paragraph(value)
        field += body
        flist += field
    return flist


def _cell_paragraph(value: Cell) -> nodes.Node:
    if isinstance(value, str):
        return para(value)
    if isinstance(value, nodes.Node):
        return value if isinstance(value, nodes.Body) else para(value)
    return para(*value)


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    classes: Sequence[str] = (),
    numeric: Sequence[int] = (),
) -> nodes.table:
    """A simple table; columns listed in ``numeric`` are right-aligned."""
    rows = [list(row) for row in rows]
    tbl = nodes.table(classes=["testdocs-table", *classes])
    group = nodes.tgroup(cols=len(headers))
    tbl += group
    # Column widths in characters: text writers lay tables out from them (HTML ignores
    # them unless the table is "colwidths-given").
    for i, header in enumerate(headers):
        widest = max([len(header), *(_text_length(row[i]) for row in rows if i < len(row))])
        group += nodes.colspec(colwidth=min(max(widest, 3), 60))
    thead = nodes.thead()
    header_row = nodes.row()
    for header in headers:
        entry = nodes.entry()
        entry += para(header)
        header_row += entry
    thead += header_row
    group += thead
    tbody = nodes.tbody()
    for row in rows:
        row_node = nodes.row()
        for i, value in enumerate(row):
            entry = nodes.entry(classes=["testdocs-num"] if i in numeric else [])
            entry += _cell_paragraph(value)
            row_node += entry
        tbody += row_node
    group += tbody
    return tbl


def _text_length(cell: Cell) -> int:
    if isinstance(cell, str):
        return len(cell)
    if isinstance(cell, nodes.Node):
        return len(cell.astext())
    return sum(len(n.astext()) for n in cell)


def details(summary: str, *children: nodes.Node, open_: bool = False) -> testdocs_details:
    node = testdocs_details(summary=summary, open=open_)
    node.extend(children)
    return node


def section(section_id: str, title: str, *children: nodes.Node) -> nodes.section:
    node = nodes.section(ids=[section_id], classes=["testdocs-section"])
    node += nodes.title(title, title)
    node.extend(children)
    return node


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    word = singular if n == 1 else (plural_form or singular + "s")
    return f"{n:,} {word}"


def human_size(size: int) -> str:
    """Bytes with thousands separators, plus a rounded unit for larger files."""
    exact = f"{size:,} bytes" if size != 1 else "1 byte"
    if size < 1024:
        return exact
    value, unit = size / 1024, "KiB"
    for bigger in ("MiB", "GiB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{exact} ({value:.1f} {unit})"


def optional_xref(
    domain: str, reftype: str, target: str, *children: nodes.Node | str
) -> nodes.Node:
    """A cross-reference that links if anything documents ``target``, else stays text.

    Resolved like any reference (the project's own API docs, intersphinx); when nothing
    resolves it, ``events.warn_missing_test_reference`` leaves the text and no warning,
    even with ``-n``: an import of an undocumented module is not a documentation error.
    """
    ref = addnodes.pending_xref(
        "", refdomain=domain, reftype=reftype, reftarget=target, refexplicit=True, refwarn=False
    )
    ref["testdocs_optional"] = True
    for child in children:
        ref += nodes.Text(child) if isinstance(child, str) else child
    return ref


def line_xref(docname: str, anchor: str, *children: nodes.Node | str) -> addnodes.pending_xref:
    """A link to an anchor on another generated page (resolved by the ``test`` domain)."""
    ref = addnodes.pending_xref(
        "", refdomain="test", reftype="line", reftarget=f"{docname}#{anchor}", refexplicit=True
    )
    for child in children:
        ref += nodes.Text(child) if isinstance(child, str) else child
    return ref


def owner_xref(name: str) -> addnodes.pending_xref:
    """A link to an owner's place in the owners index (``:test:owner:``)."""
    ref = addnodes.pending_xref(
        "", refdomain="test", reftype="owner", reftarget=name, refexplicit=True
    )
    ref += nodes.literal(name, name)
    return ref


#: Class of every link to the forge.
FORGE_LINK = "testdocs-forge"
#: What a link to the forge says, its tooltip, and what sets it apart from the local
#: line link it follows.
FORGE_LABEL, FORGE_TITLE = "forge", "view on the forge"
FORGE_SEPARATOR = " \N{MIDDLE DOT} "


def forge_link(url: str, checkout: str, label: str = FORGE_LABEL) -> nodes.reference:
    """A small link to a file or line on the forge (``testdocs_source_url``).

    ``url`` may hold ``{commit}``: it is filled when the page is written, from the
    ``checkout`` (``transforms.FillForgeCommit``).
    """
    return nodes.reference(
        "",
        label,
        refuri=url,
        reftitle=FORGE_TITLE,
        classes=[FORGE_LINK],
        internal=False,
        **{FORGE_CHECKOUT: checkout},
    )


def line_forge_link(source_url: str | None, line: int, checkout: str) -> list[nodes.Node]:
    """What follows a link to a line of the listing: the line on the forge, when the
    file has an address there (``source_url``; see ``forge_link``)."""
    if not source_url:
        return []
    return [nodes.Text(FORGE_SEPARATOR), forge_link(line_url(source_url, line), checkout)]


#: The attribute of a forge link that names its checkout.
FORGE_CHECKOUT = "testdocs_checkout"
