"""How a module page names fixtures: where each comes from, and the ones every test gets.

A conftest.py with autouse fixtures puts them on every test below it: listed under each
test they would repeat a hundred times on a large page and hide what the test asks for
itself. The page says once which fixtures every test gets unasked
(``ModuleCollection.fixtures_for_all``), and each test lists only the rest.
"""

from __future__ import annotations

from collections.abc import Sequence

from docutils import nodes

from sphinx_testdocs.analysis.model import FixtureRequest
from sphinx_testdocs.render.common import NO_SEARCH, bullet_list, literal, para
from sphinx_testdocs.render.nodes import line_reference
from sphinx_testdocs.render.pieces import Code, Piece

__all__ = ["fixtures_for_all", "request_pieces", "request_where"]

#: How a test gets a fixture it does not name, as the page says it.
_UNASKED = {
    "autouse": "autouse",
    "config": "usefixtures of the pytest configuration",
}


def request_where(request: FixtureRequest) -> str:
    """Where the fixture a test gets is defined, as a short parenthesis."""
    fixture = request.resolved
    if fixture is None:
        return "not found statically"
    if fixture.builtin:
        return "built in"
    return f"{fixture.relpath}:{fixture.line}" if fixture.relpath else f"line {fixture.line}"


def request_pieces(request: FixtureRequest) -> list[Piece]:
    """A fixture in a test's list: its name, where it is defined, and how the test gets
    it when not as an argument."""
    how = "usefixtures mark, " if request.via == "usefixtures" else ""
    if not request.own:
        how = _UNASKED.get(request.via, request.via) + ", "
    return [Code(request.name), f" ({how}{request_where(request)})"]


def fixtures_for_all(
    shared: Sequence[FixtureRequest], relpath: str, line_anchor: str
) -> list[nodes.Node]:
    """The statement, once per page, of the fixtures every test gets unasked."""
    if not shared:
        return []
    items = []
    for request in shared:
        fixture = request.resolved
        row: list[nodes.Node | str] = [literal(request.name), " \N{EM DASH} "]
        row.append(_UNASKED.get(request.via, request.via))
        if fixture is None:
            row.append("; no definition found statically")
        else:
            row.append(f", {fixture.scope} scope")
            if fixture.builtin:
                row.append(", built into pytest")
            elif fixture.relpath == relpath:
                row += [
                    ", defined in this file (",
                    line_reference(line_anchor, fixture.line, f"line {fixture.line}"),
                    ")",
                ]
            else:
                row += [", defined in ", literal(fixture.relpath), f" (line {fixture.line})"]
        items.append(para(*row))
    return [
        para(
            "Every test of this file gets these fixtures without requesting them; the "
            "tests below list only the fixtures they request themselves (arguments and "
            "usefixtures marks):",
            classes=[NO_SEARCH],
        ),
        bullet_list(items, "testdocs-fixtures-for-all"),
        para(
            "Found statically in the conftest.py files above, this file and the plugins "
            "the configuration names; a plugin installed in the environment may add "
            "autouse fixtures of its own.",
            classes=["testdocs-fixtures-caveat", NO_SEARCH],
        ),
    ]
