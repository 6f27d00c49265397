"""The ``test`` domain: state that crosses documents, kept in ``env.domaindata``.

Besides its stored data, the domain instance carries the build's ``Project`` (the scan
and in-memory analyses). Domain instances live for one build and are not pickled with
the environment, and parallel readers inherit them by fork, which is exactly the
lifetime that state needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from typing import Any, ClassVar

from sphinx.domains import Domain

from sphinx_testdocs.analysis.summary import FileSummary
from sphinx_testdocs.project import Project

#: (size, mtime in ns) of each input a summary was made from: the file, its conftest.py
#: chain and the pytest configuration file.
Fingerprint = tuple[tuple[int, int], ...]


class TestDomain(Domain):
    """Test modules, classes, tests and fixtures documented by sphinx-testdocs."""

    name = "test"
    label = "Test suite"
    initial_data: ClassVar[dict[str, Any]] = {
        # root path -> relpath -> (fingerprint, summary). Not tied to any document: it
        # is refreshed in the main process before reading, from the files themselves.
        "summaries": {},
    }

    project: Project | None = None

    @property
    def summaries(self) -> dict[str, dict[str, tuple[Fingerprint, FileSummary]]]:
        return self.data.setdefault("summaries", {})  # type: ignore[no-any-return]

    def clear_doc(self, docname: str) -> None:
        # Summaries belong to files, not documents; they are pruned from the scan.
        pass

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        # Workers only read summaries the main process computed before forking.
        pass

    def resolve_any_xref(self, *args: Any, **kwargs: Any) -> list[Any]:
        return []

    def get_objects(self) -> Iterable[tuple[str, str, str, str, str, int]]:
        return ()
