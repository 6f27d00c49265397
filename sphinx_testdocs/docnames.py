"""Map test-tree paths to Sphinx document names that are valid, unique and stable."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

_SAFE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*\Z")
_UNSAFE_CHAR = re.compile(r"[^A-Za-z0-9._-]")
#: Longest segment kept as is. File systems allow 255 bytes per name; the stub adds
#: ".testdocs", the HTML builder ".html", and a digest may be appended.
MAX_SEGMENT = 120


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()[
        :8
    ]


def safe_segment(name: str) -> str:
    """A path segment usable in a document name and a URL.

    Names that need changing keep a readable stem plus a digest of the original, so two
    names that differ only in unsafe characters (``a b.py``, ``a#b.py``) stay distinct.
    """
    if _SAFE.match(name) and name not in {".", ".."} and len(name) <= MAX_SEGMENT:
        return name
    cleaned = _UNSAFE_CHAR.sub("_", name).lstrip(".")[:MAX_SEGMENT] or "_"
    return f"{cleaned}-{_digest(name)}"


def assign_docnames(relpaths: Iterable[str], prefix: str) -> dict[str, str]:
    """Document names for POSIX paths (files and folders), under ``prefix``.

    Each segment is made safe, then compared with its siblings (the other segments under
    the same parent): names that collide once case is folded (``Test.py``/``test.py`` on
    macOS and Windows file systems, or a name that happens to equal another's cleaned
    form) all get a digest of their own original name. The result depends only on the
    siblings, never on the order paths are given in, and a folder maps to the same
    segment whether it is named by a folder path or by the path of a file inside it.
    """
    paths = sorted(set(relpaths))
    children: dict[tuple[str, ...], set[str]] = {}
    for rel in paths:
        parts = tuple(s for s in rel.split("/") if s)
        for depth, segment in enumerate(parts):
            children.setdefault(parts[:depth], set()).add(segment)
    mapped_segment: dict[tuple[tuple[str, ...], str], str] = {}
    for parent, names in children.items():
        for name, safe in _disambiguate(sorted(names)).items():
            mapped_segment[parent, name] = safe
    out: dict[str, str] = {}
    for rel in paths:
        parts = tuple(s for s in rel.split("/") if s)
        segments = [mapped_segment[parts[:depth], s] for depth, s in enumerate(parts)]
        out[rel] = "/".join([prefix, *segments])
    return out


def _disambiguate(names: list[str]) -> dict[str, str]:
    """Safe segments for sibling names, distinct even on case-insensitive file systems."""
    mapped = {name: safe_segment(name) for name in names}
    # Each round appends a digest of the original name to every member of a colliding
    # group; originals differ, so a second round is needed only if a digest itself
    # collides with a literal name. The bound keeps a crafted tree from looping.
    for _ in range(4):
        groups: dict[str, list[str]] = {}
        for name, safe in mapped.items():
            groups.setdefault(safe.casefold(), []).append(name)
        clashes = [group for group in groups.values() if len(group) > 1]
        if not clashes:
            break
        for group in clashes:
            for name in group:
                mapped[name] = f"{mapped[name]}-{_digest(name)}"
    return mapped
