"""Map test-tree paths to Sphinx document names that are valid, unique and stable."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

_SAFE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*\Z")
_UNSAFE_CHAR = re.compile(r"[^A-Za-z0-9._-]")


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()[
        :8
    ]


def safe_segment(name: str) -> str:
    """A path segment usable in a document name and a URL.

    Names that need changing keep a readable stem plus a digest of the original, so two
    names that differ only in unsafe characters (``a b.py``, ``a#b.py``) stay distinct.
    """
    if _SAFE.match(name) and name not in {".", ".."}:
        return name
    cleaned = _UNSAFE_CHAR.sub("_", name).lstrip(".") or "_"
    return f"{cleaned}-{_digest(name)}"


def assign_docnames(relpaths: Iterable[str], prefix: str) -> dict[str, str]:
    """Document names for POSIX paths (files and folders), under ``prefix``.

    Names that collide once case is folded (``Test.py``/``test.py`` on macOS and Windows
    file systems) all get a digest suffix, so the mapping does not depend on which file
    happens to be seen first.
    """
    mapped = {
        rel: "/".join([prefix, *(safe_segment(s) for s in rel.split("/") if s)])
        for rel in relpaths
    }
    by_folded: dict[str, list[str]] = {}
    for rel, docname in mapped.items():
        by_folded.setdefault(docname.casefold(), []).append(rel)
    for rels in by_folded.values():
        if len(rels) > 1:
            for rel in rels:
                mapped[rel] = f"{mapped[rel]}-{_digest(rel)}"
    return mapped
