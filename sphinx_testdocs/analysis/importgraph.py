"""Which files of the documented tree a module imports, found from its import statements."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from pathlib import PurePosixPath

from sphinx_testdocs.analysis.model import Import


def _module_files(base: str, dotted: str) -> Iterator[str]:
    parts = [p for p in dotted.split(".") if p]
    if not parts:
        if base:
            yield f"{base}/__init__.py"
        return
    stem = "/".join([base, *parts]) if base else "/".join(parts)
    yield f"{stem}.py"
    yield f"{stem}/__init__.py"


def local_imports(
    relpath: str, imports: Sequence[Import], known: Collection[str], root_name: str = ""
) -> tuple[str, ...]:
    """Relpaths (in ``known``) of the tree's modules that ``relpath`` imports, sorted.

    Absolute imports are looked up from every folder between the file and the root,
    as pytest's default import mode makes them importable from there; a first segment
    naming the root itself (``tests.helpers``) is also tried without it. Relative
    imports are resolved from the file's package.
    """
    folder = PurePosixPath(relpath).parent.as_posix()
    folder = "" if folder == "." else folder
    bases: list[str] = []
    parts = folder.split("/") if folder else []
    for depth in range(len(parts), -1, -1):
        bases.append("/".join(parts[:depth]))
    found: set[str] = set()
    for imp in imports:
        if not imp.origin.is_project:
            continue
        modules = [imp.module] + [
            f"{imp.module}.{n.name}" if imp.module else n.name for n in imp.names
        ]
        if imp.level:
            up = (
                parts[: max(len(parts) - (imp.level - 1), 0)]
                if imp.level - 1 <= len(parts)
                else None
            )
            if up is None:
                continue
            candidates_bases = ["/".join(up)]
        else:
            candidates_bases = bases
            if root_name:
                modules += [m.split(".", 1)[1] for m in modules if m.startswith(root_name + ".")]
        for base in candidates_bases:
            for module in modules:
                for candidate in _module_files(base, module):
                    if candidate in known and candidate != relpath:
                        found.add(candidate)
    return tuple(sorted(found))
