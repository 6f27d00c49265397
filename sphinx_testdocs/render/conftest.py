"""What a conftest.py adds to the tests below it, summed up at the top of its page.

A conftest.py is read for what it gives pytest: command-line options and ini settings
(``pytest_addoption``), markers (``config.addinivalue_line("markers", ...)``), the hooks
it implements, its fixtures and the plugins it loads. All of it comes from the syntax
tree (``analysis.conftest_rules``), never from running the file: what is computed is
said to be, not guessed.
"""

from __future__ import annotations

from collections.abc import Callable

from docutils import nodes

from sphinx_testdocs.analysis.conftest_rules import COLLECTION_HOOKS, ConftestRules, OptionDecl
from sphinx_testdocs.analysis.model import FixtureDef
from sphinx_testdocs.render.common import NO_SEARCH, bullet_list, literal, para

__all__ = ["conftest_summary"]

#: Groups left out of the search index.
_UNSEARCHED = frozenset({"pytest hooks implemented", "Fixtures"})

#: Builds a link to a line of the page's listing.
LineLink = Callable[[int], nodes.Node]


def conftest_summary(
    rules: ConftestRules, fixtures: tuple[FixtureDef, ...], line_link: LineLink
) -> list[nodes.Node]:
    """The groups of what the conftest.py adds, each a rubric and a list; one sentence
    when it adds nothing that can be read statically."""
    groups: list[tuple[str, list[nodes.Node]]] = [
        ("Command-line options", [_option(o, line_link) for o in rules.options]),
        (
            "Ini settings",
            [_named(s.name, s.help, s.line, line_link) for s in rules.ini_settings],
        ),
        (
            "Markers registered",
            [
                _named(m.usage or m.name, m.description, m.line, line_link)
                if m.name
                else para("a marker registered from computed text (", line_link(m.line), ")")
                for m in rules.markers
            ],
        ),
        (
            "pytest hooks implemented",
            [
                _named(h, COLLECTION_HOOKS.get(h), line, line_link)
                for h, line in rules.hook_functions
            ],
        ),
        ("Fixtures", [_fixture(f, line_link) for f in fixtures]),
        ("Plugins loaded (pytest_plugins)", [para(literal(p)) for p in rules.plugins]),
    ]
    out: list[nodes.Node] = []
    for title, items in groups:
        if items:
            heading = f"{title} ({len(items):,})"
            out.append(nodes.rubric(heading, heading, classes=[NO_SEARCH]))
            # Options, settings and markers are searched for by name; fixtures are
            # found through the domain's objects, and hooks are the same everywhere.
            classes = ["testdocs-conftest-adds"]
            if title in _UNSEARCHED:
                classes.append(NO_SEARCH)
            out.append(bullet_list(items, *classes))
    if not out:
        return [
            para(
                "It adds no command-line option, marker, hook, fixture or plugin that can "
                "be read from its source.",
                classes=[NO_SEARCH],
            )
        ]
    intro = para("What it adds, as read from its source:", classes=[NO_SEARCH])
    return [intro, *out]


def _named(name: str, about: str | None, line: int, line_link: LineLink) -> nodes.paragraph:
    row: list[nodes.Node | str] = [literal(name)]
    if about:
        row += [" \N{EM DASH} ", about]
    row += [" (", line_link(line), ")"]
    return para(*row)


def _option(option: OptionDecl, line_link: LineLink) -> nodes.paragraph:
    row: list[nodes.Node | str] = []
    for i, name in enumerate(option.names):
        if i:
            row.append(", ")
        row.append(literal(name))
    if option.help:
        row += [" \N{EM DASH} ", option.help]
    details: list[nodes.Node | str] = []
    if option.default is not None:
        details += ["default ", literal(option.default)]
    elif not option.default_known:
        details.append("default computed")
    if option.group:
        details += [", " if details else "", f"in the group {option.group!r}"]
    details += [", " if details else "", line_link(option.line)]
    return para(*row, " (", *details, ")")


def _fixture(fixture: FixtureDef, line_link: LineLink) -> nodes.paragraph:
    about = f"{fixture.scope} scope"
    if fixture.autouse:
        about += ", autouse: every test below gets it without requesting it"
    return _named(fixture.name, about, fixture.line, line_link)
