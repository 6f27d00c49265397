"""The parser of generated stubs: it builds the page straight from the request.

A stub (``pages.stub_text``) asks for one module or folder page. Parsed as
reStructuredText it would cost a state machine, a directive lookup and a field list per
page; this parser reads the request and builds the same nodes the ``testdocs-module``
and ``testdocs-folder`` directives build.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.parsers import Parser

from sphinx_testdocs._log import Subtype, warn
from sphinx_testdocs.directives import Site, folder_page, module_page
from sphinx_testdocs.pages import STUB_FILETYPE, STUB_SUFFIX, read_stub


class StubParser(Parser):
    supported = (STUB_FILETYPE,)

    def parse(self, inputstring: str, document: nodes.document) -> None:
        source = document["source"]
        stub = read_stub(inputstring)
        if stub is None:
            # The suffix is the extension's, the file is not (a hand edit of a stub, or
            # a file of the user's): the page says so rather than vanish.
            warn("not a stub sphinx-testdocs wrote: %s", Subtype.directive, source, source)
            document += nodes.paragraph(
                "", f"This page's source is not a stub sphinx-testdocs wrote ({STUB_SUFFIX})."
            )
            return
        if stub.orphan:
            # What the ":orphan:" field list of a reStructuredText page becomes: Sphinx's
            # metadata collector reads the document's docinfo.
            field = nodes.field("", nodes.field_name("", "orphan"), nodes.field_body())
            document += nodes.docinfo("", field)
        site = Site(document.settings.env, document, source, stub.line)
        options = {"quoted": None} if stub.quoted else {}
        build = module_page if stub.directive == "testdocs-module" else folder_page
        document.extend(build(site, stub.argument, options))
