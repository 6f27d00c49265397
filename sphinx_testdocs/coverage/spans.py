"""Where each function of a measured source file runs, read with ``ast``.

A function's lines are its body's, from the first statement to the last line: its
``def`` line, decorators and default values run when the module is imported, not when
a test calls it. A line counts for every function and class around it (a decorator's
wrapper runs on behalf of the decorator), never for module or class bodies: those run
at import, whichever test happened to import first.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from sphinx_testdocs.analysis.parsing import parse_module


@dataclass(frozen=True)
class ModuleSpans:
    """The functions and classes of one module, by qualified name."""

    module: str
    #: Qualified names (``module.Class.method``) of every function and class.
    names: tuple[str, ...]
    #: For each name, the lines that count for it, as a bit mask (bit n: line n).
    masks: tuple[int, ...]


def module_name(path: Path) -> str:
    """The dotted module a file is, walking up through packages (``__init__.py``)."""
    parts = [] if path.stem == "__init__" else [path.stem]
    folder = path.parent
    while (folder / "__init__.py").is_file() and folder.name:
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts)


def read_spans(source: bytes, module: str) -> ModuleSpans | None:
    """The spans of a module's functions; None if it does not parse.

    Names are where the code is defined; a re-exported name (``pkg.f`` for
    ``pkg.impl.f``) is the project's to resolve (``Project.defined_as``), as for the
    uses found statically."""
    try:
        tree = parse_module(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    names: list[str] = []
    masks: list[int] = []

    def visit(body: list[ast.stmt], prefix: str, enclosing: tuple[int, ...]) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                index = len(names)
                names.append(f"{prefix}.{node.name}")
                masks.append(0)
                if not isinstance(node, ast.ClassDef):
                    start, end = node.body[0].lineno, node.end_lineno or node.body[-1].lineno
                    lines = (1 << (end + 1)) - (1 << start)  # bits start..end
                    for owner in (*enclosing, index):
                        masks[owner] |= lines
                visit(node.body, names[index], (*enclosing, index))
            else:
                for child in _nested_bodies(node):
                    visit(child, prefix, enclosing)

    visit(tree.body, module, ())
    return ModuleSpans(module, tuple(names), tuple(masks))


def _nested_bodies(node: ast.stmt) -> list[list[ast.stmt]]:
    """Statement lists inside ``if``/``try``/``with``/loops (``if TYPE_CHECKING:``,
    ``try: ... except ImportError:`` around definitions)."""
    bodies = [getattr(node, key, None) for key in ("body", "orelse", "finalbody")]
    bodies += [handler.body for handler in getattr(node, "handlers", ())]
    return [b for b in bodies if isinstance(b, list)]
