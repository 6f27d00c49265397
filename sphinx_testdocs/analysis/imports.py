"""Decide whether an imported module is standard library, third party or local."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from sphinx_testdocs.analysis.model import ImportOrigin

# ``sys.stdlib_module_names`` is the interpreter's own list (3.10+); a few modules that
# are commonly imported but missing from some builds are added so the grouping does not
# depend on how this Python was compiled.
_STDLIB = frozenset(sys.stdlib_module_names) | {"__future__", "_typeshed", "typing_extensions"}
_STDLIB = _STDLIB - {"typing_extensions"}  # third party, despite the name


@dataclass(frozen=True, slots=True)
class ImportClassifier:
    """Classifies modules by their top-level name.

    ``local_names`` are top-level modules and packages that live in the analysed tree or
    the project (found by the scan, plus any the user configures).
    """

    local_names: frozenset[str] = frozenset()

    def __call__(self, module: str, level: int) -> ImportOrigin:
        if level:
            return ImportOrigin.LOCAL
        top = module.partition(".")[0]
        if top in self.local_names:
            return ImportOrigin.LOCAL
        if top in _STDLIB:
            return ImportOrigin.STDLIB
        return ImportOrigin.THIRD_PARTY
