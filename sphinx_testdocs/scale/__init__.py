"""The levers for large suites: everything that exists only for memory or speed at scale.

Each lever is measured on NumPy's suite (250 files; ``benchmarks/bench.py``) and
documented with what it buys in ``docs/performance.rst``. They are installed by one
call, ``install(app)``, and act only in builds of large suites: ``testdocs_scale_levers``
(default: on from ``LARGE_SUITE`` files). Nothing process-wide changes in other builds,
and what a large build changes is put back when it ends.

=====================  ==========================================================
``heap``               the cyclic garbage collector kept off the stable heap (and off
                       what forked readers and writers inherit)
``doctrees``           generated pages' doctrees dropped from Sphinx's caches
``stores``             other pages' records kept out of what parallel readers send back
``packing``            resolved pages wait for parallel writers as bytes
``sidebar``            one sidebar toctree per folder depth for pages in no toctree
``event_log``          Sphinx's per-event debug line made only when shown, and short
``workers``            files analysed by forked workers under ``-j N``
``listings``           source listings highlighted by the main process under ``-j 2``
``stems``              the search index stems each distinct word once per build
``settings``           docutils settings made once per kind of source, copied per page
``titles``             each page title rendered to HTML once per build (HTML)
=====================  ==========================================================

Private Sphinx attributes touched (each behind a version check, listed in the docs):
``env._write_doc_doctree_cache`` (6.1+), ``env._pickled_doctree_cache`` (7.2+),
``SearchLanguage._word_re`` (packing, 8+), ``StandaloneHTMLBuilder._get_local_toctree``
(sidebar, wherever it exists), ``sphinx.util.docutils._get_settings`` (settings, 8.2+).
``event_log`` sets ``emit`` on the build's own ``app.events`` (public attributes only).
"""

from __future__ import annotations

from sphinx.application import Sphinx

from sphinx_testdocs.scale.doctrees import (
    forget_written_doctree,
    free_written_doctree,
    release_read_doctrees,
)
from sphinx_testdocs.scale.event_log import quiet_event_debug_lines, restore_event_debug_lines
from sphinx_testdocs.scale.heap import (
    freeze_after_analysis,
    freeze_after_reading,
    freeze_in_forked_children,
    pause_for_environment_load,
    resume_after_environment_load,
    unfreeze_heap,
)
from sphinx_testdocs.scale.listings import highlight_listings_ahead, remove_highlighted_listings
from sphinx_testdocs.scale.packing import (
    depart_packed_html,
    pack_page_parts,
    remove_packed_parts,
    testdocs_packed,
    visit_packed_html,
)
from sphinx_testdocs.scale.settings import restore_settings, share_settings
from sphinx_testdocs.scale.sidebar import share_sidebar_toctree
from sphinx_testdocs.scale.stems import share_stems
from sphinx_testdocs.scale.stores import (
    hold_merged_records,
    hold_records,
    purge_held_records,
    restore_records,
)
from sphinx_testdocs.scale.titles import share_titles
from sphinx_testdocs.scale.workers import share_analyses

#: Suites with at least this many files get the levers by default.
LARGE_SUITE = 100


def is_large(choice: bool | None, files: int) -> bool:
    """Whether a build's levers are on: ``testdocs_scale_levers``, or the suite's size."""
    return choice if choice is not None else files >= LARGE_SUITE


def install(app: Sphinx) -> None:
    """Register every lever. Priorities place each against Sphinx's own handlers (500)
    and the extension's; the comments say why."""
    app.add_node(testdocs_packed, html=(visit_packed_html, depart_packed_html))

    # Sphinx loads the saved environment between these two events: see heap.py.
    app.connect("config-inited", pause_for_environment_load, priority=900)
    app.connect("builder-inited", resume_after_environment_load, priority=100)
    # After the scan (priority 500), which decides whether the suite is large.
    app.connect("builder-inited", quiet_event_debug_lines, priority=600)
    app.connect("builder-inited", freeze_in_forked_children, priority=600)
    app.connect("builder-inited", share_analyses, priority=600)
    app.connect("builder-inited", share_titles, priority=600)
    # After the analyses (priority 500): the stable heap is complete.
    app.connect("env-before-read-docs", hold_records, priority=700)
    app.connect("env-before-read-docs", freeze_after_analysis, priority=800)
    app.connect("env-before-read-docs", share_settings)
    app.connect("env-purge-doc", purge_held_records)
    app.connect("env-merge-info", hold_merged_records)
    # Each page's doctree is cached after its "doctree-read"; release it at the next one.
    app.connect("doctree-read", release_read_doctrees)
    app.connect("env-updated", restore_records, priority=100)
    app.connect("env-updated", release_read_doctrees)
    app.connect("env-updated", restore_settings)
    app.connect("env-updated", freeze_after_reading, priority=800)
    app.connect("doctree-resolved", forget_written_doctree)
    app.connect("doctree-resolved", share_stems)
    # Before packing, which takes the listings out of the page until they are written.
    app.connect("doctree-resolved", highlight_listings_ahead, priority=800)
    # After every other handler has seen the whole page: see packing.py.
    app.connect("doctree-resolved", pack_page_parts, priority=900)
    # Before themes' own handlers (priority 500), which may call toctree() at once.
    app.connect("html-page-context", share_sidebar_toctree, priority=400)
    app.connect("html-page-context", free_written_doctree, priority=999)
    app.connect("build-finished", remove_packed_parts)
    app.connect("build-finished", remove_highlighted_listings)
    app.connect("build-finished", restore_event_debug_lines)
    app.connect("build-finished", restore_settings)
    app.connect("build-finished", unfreeze_heap, priority=900)


__all__ = ["LARGE_SUITE", "install", "is_large"]
