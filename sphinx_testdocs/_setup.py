"""Every registration the extension makes, in one readable list."""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

from sphinx_testdocs import __version__
from sphinx_testdocs._event_log import shorten_event_debug_lines
from sphinx_testdocs._export_events import write_collection_json
from sphinx_testdocs._heap import (
    freeze_after_analysis,
    freeze_after_reading,
    pause_for_environment_load,
    resume_after_environment_load,
    unfreeze_heap,
)
from sphinx_testdocs.config import OPTIONS
from sphinx_testdocs.directives import FolderDirective, ModuleDirective, TestedByDirective
from sphinx_testdocs.domain import TestDomain
from sphinx_testdocs.events import (
    add_root_toctree,
    add_tested_by,
    analyse_before_reading,
    check_config,
    finish_reading,
    forget_written_doctree,
    free_written_doctree,
    hide_stub_source,
    hold_stores,
    refresh_summaries,
    release_read_doctrees,
    restore_stores,
    scan_and_write_stubs,
    warn_missing_test_reference,
)
from sphinx_testdocs.packing import (
    depart_packed_html,
    pack_page_parts,
    remove_packed_parts,
    testdocs_packed,
    visit_packed_html,
)
from sphinx_testdocs.pages import STUB_FILETYPE, STUB_SUFFIX
from sphinx_testdocs.render.lexer import FastPythonLexer
from sphinx_testdocs.render.nodes import (
    depart_details_html,
    depart_lazy_html,
    testdocs_bar,
    testdocs_deferred,
    testdocs_defline,
    testdocs_details,
    testdocs_lazy,
    testdocs_linelinks,
    testdocs_links,
    testdocs_listing,
    visit_bar_html,
    visit_defline_html,
    visit_details_html,
    visit_lazy_html,
    visit_linelinks_html,
    visit_links_html,
    visit_listing_html,
)
from sphinx_testdocs.render.pieces import (
    testdocs_piecelists,
    testdocs_pieces,
    visit_piecelists_html,
    visit_pieces_html,
)
from sphinx_testdocs.sidebar import share_sidebar_toctree
from sphinx_testdocs.stubparser import StubParser
from sphinx_testdocs.transforms import (
    ExpandCompact,
    ExpandDeferred,
    ExpandLinks,
    SinglePageLineAnchors,
)

#: Bump when anything stored in the environment changes shape.
ENV_VERSION = 8


def setup_extension(app: Sphinx) -> dict[str, Any]:
    shorten_event_debug_lines()
    for option in OPTIONS:
        app.add_config_value(f"testdocs_{option.name}", option.default, "env", types=option.types)

    app.add_node(testdocs_details, html=(visit_details_html, depart_details_html))
    app.add_node(testdocs_links, html=(visit_links_html, None))
    app.add_node(testdocs_defline, html=(visit_defline_html, None))
    app.add_node(testdocs_linelinks, html=(visit_linelinks_html, None))
    app.add_node(testdocs_bar, html=(visit_bar_html, None))
    app.add_node(testdocs_lazy, html=(visit_lazy_html, depart_lazy_html))
    app.add_node(testdocs_deferred)  # always expanded before writing
    app.add_node(testdocs_pieces, html=(visit_pieces_html, None))
    app.add_node(testdocs_piecelists, html=(visit_piecelists_html, None))
    app.add_node(testdocs_listing, html=(visit_listing_html, None))
    app.add_node(testdocs_packed, html=(visit_packed_html, depart_packed_html))
    app.add_post_transform(ExpandDeferred)
    app.add_post_transform(ExpandLinks)
    app.add_post_transform(ExpandCompact)
    app.add_post_transform(SinglePageLineAnchors)
    app.add_source_suffix(STUB_SUFFIX, STUB_FILETYPE)
    app.add_source_parser(StubParser)
    app.add_domain(TestDomain)
    app.add_directive("testdocs-module", ModuleDirective)
    app.add_directive("testdocs-folder", FolderDirective)
    app.add_directive("testdocs-tested-by", TestedByDirective)
    app.add_lexer("testdocs-python", FastPythonLexer)

    app.connect("config-inited", check_config)
    # Sphinx loads the saved environment between these two events: see _heap.py.
    app.connect("config-inited", pause_for_environment_load, priority=900)
    app.connect("builder-inited", resume_after_environment_load, priority=100)
    app.connect("builder-inited", scan_and_write_stubs)
    app.connect("env-get-outdated", refresh_summaries)
    app.connect("env-before-read-docs", analyse_before_reading)
    # From the end of analysis to the end of reading: see TestDomain.hold_stores.
    app.connect("env-before-read-docs", hold_stores, priority=700)
    app.connect("env-updated", restore_stores, priority=100)
    # Before Sphinx's own collectors (priority 500) so the toctree is collected.
    app.connect("doctree-read", add_root_toctree, priority=400)
    app.connect("missing-reference", warn_missing_test_reference, priority=900)
    app.connect("object-description-transform", add_tested_by)
    # Each page's doctree is cached after its "doctree-read"; release it at the next one.
    app.connect("doctree-read", release_read_doctrees)
    app.connect("env-updated", finish_reading)
    app.connect("doctree-resolved", forget_written_doctree)
    # After every other handler has seen the whole page: see packing.py.
    app.connect("doctree-resolved", pack_page_parts, priority=900)
    app.connect("build-finished", remove_packed_parts)
    # Before themes' own handlers (priority 500), which may call toctree() at once.
    app.connect("html-page-context", share_sidebar_toctree, priority=400)
    app.connect("html-page-context", hide_stub_source)
    app.connect("html-page-context", free_written_doctree, priority=999)
    app.connect("build-finished", write_collection_json)
    # After the analyses (priority 500) and once every page is read: see _heap.py.
    app.connect("env-before-read-docs", freeze_after_analysis, priority=800)
    app.connect("env-updated", freeze_after_reading, priority=800)
    app.connect("build-finished", unfreeze_heap, priority=900)

    return {
        "version": __version__,
        "env_version": ENV_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
