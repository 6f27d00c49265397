"""Every registration the extension makes, in one readable list."""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

from sphinx_testdocs import __version__, scale
from sphinx_testdocs._export_events import write_collection_json
from sphinx_testdocs.atlas import UntestedDirective, fill_atlases, refresh_atlases, untested_list
from sphinx_testdocs.config import OPTIONS
from sphinx_testdocs.directives import (
    FolderDirective,
    ModuleDirective,
    OverviewDirective,
    TestedByDirective,
)
from sphinx_testdocs.domain import TestDomain
from sphinx_testdocs.events import (
    analyse_before_reading,
    check_config,
    finish_reading,
    hide_stubs,
    rewrite_for_new_commit,
    scan_and_write_stubs,
    show_stubs,
    warn_empty_suites,
)
from sphinx_testdocs.freshness import refresh_summaries
from sphinx_testdocs.page_events import (
    add_root_toctree,
    add_tested_by,
    hide_stub_source,
    settle_root_toctree,
    warn_missing_test_reference,
)
from sphinx_testdocs.pages import STUB_FILETYPE, STUB_SUFFIX
from sphinx_testdocs.render.html import depart_compact_html, visit_compact_html
from sphinx_testdocs.render.lexer import FastPythonLexer
from sphinx_testdocs.render.nodes import (
    compact_kinds,
    depart_details_html,
    testdocs_details,
    visit_details_html,
)
from sphinx_testdocs.stubparser import StubParser
from sphinx_testdocs.transforms import ExpandCompact, FillForgeCommit, SinglePageLineAnchors

#: Bump when anything stored in the environment changes shape.
ENV_VERSION = 20


def setup_extension(app: Sphinx) -> dict[str, Any]:
    for option in OPTIONS:
        app.add_config_value(
            f"testdocs_{option.name}", option.default, option.rebuild, types=option.types
        )

    app.add_node(testdocs_details, html=(visit_details_html, depart_details_html))
    # Compact nodes: one visitor for HTML; other builders never meet them (ExpandCompact).
    for kind in compact_kinds():
        app.add_node(kind, html=(visit_compact_html, depart_compact_html))
    app.add_post_transform(FillForgeCommit)
    app.add_post_transform(ExpandCompact)
    app.add_post_transform(SinglePageLineAnchors)
    app.add_source_suffix(STUB_SUFFIX, STUB_FILETYPE)
    app.add_source_parser(StubParser)
    app.add_domain(TestDomain)
    app.add_directive("testdocs-module", ModuleDirective)
    app.add_directive("testdocs-folder", FolderDirective)
    app.add_directive("testdocs-tested-by", TestedByDirective)
    app.add_directive("testdocs-overview", OverviewDirective)
    app.add_directive("testdocs-untested", UntestedDirective)
    # Replaced by its list when the page is written, for every builder.
    app.add_node(untested_list)
    app.add_lexer("testdocs-python", FastPythonLexer)

    app.connect("config-inited", check_config)
    # Before other extensions set up (default priority 500), and the stubs out of
    # their way while they do.
    app.connect("builder-inited", scan_and_write_stubs, priority=400)
    app.connect("builder-inited", hide_stubs, priority=410)
    app.connect("builder-inited", show_stubs, priority=900)
    app.connect("env-get-outdated", refresh_summaries)
    app.connect("env-before-read-docs", analyse_before_reading)
    app.connect("env-before-read-docs", warn_empty_suites)
    # Before Sphinx's own collectors (priority 500) so the toctree is collected.
    app.connect("doctree-read", add_root_toctree, priority=400)
    app.connect("missing-reference", warn_missing_test_reference, priority=900)
    app.connect("object-description-transform", add_tested_by)
    # Before finish_reading, which drops what reading the root again needs.
    app.connect("env-updated", settle_root_toctree, priority=400)
    # Before finish_reading, which puts the facts per file it updates back.
    app.connect("env-updated", rewrite_for_new_commit, priority=450)
    app.connect("env-updated", finish_reading)
    app.connect("env-get-updated", refresh_atlases)
    app.connect("doctree-resolved", fill_atlases)
    app.connect("html-page-context", hide_stub_source)
    app.connect("build-finished", write_collection_json)
    # Memory and speed at scale, acting only in large suites' builds.
    scale.install(app)

    return {
        "version": __version__,
        "env_version": ENV_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
