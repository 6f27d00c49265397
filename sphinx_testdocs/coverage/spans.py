"""Where each function of a measured source file runs, read with ``ast``.

A function's lines are its body's, from the first statement to the last line: its
``def`` line, decorators and default values run when the module is imported, not when
a test calls it. A line counts for every function and class around it (a decorator's
wrapper runs on behalf of the decorator), never for module or class bodies: those run
at import, whichever test happened to import first.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ModuleSpans:
    """The functions and classes of one module, by qualified name."""

    module: str
    #: Qualified names (``module.Class.method``) of every function and class.
    names: tuple[str, ...]
    #: For each name, the lines that count for it, as a bit mask (bit n: line n).
    masks: tuple[int, ...]
    #: Re-exports: ``module.alias`` -> the dotted name it was imported as.
    aliases: dict[str, str]


def module_name(path: Path) -> str:
    """The dotted module a file is, walking up through packages (``__init__.py``)."""
    parts = [] if path.stem == "__init__" else [path.stem]
    folder = path.parent
    while (folder / "__init__.py").is_file() and folder.name:
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts)


def read_spans(source: bytes, module: str, is_package: bool) -> ModuleSpans | None:
    """The spans of a module's functions; None if it does not parse."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings of the measured code
            tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
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
    return ModuleSpans(module, tuple(names), tuple(masks), _aliases(tree, module, is_package))


def _nested_bodies(node: ast.stmt) -> list[list[ast.stmt]]:
    """Statement lists inside ``if``/``try``/``with``/loops (``if TYPE_CHECKING:``,
    ``try: ... except ImportError:`` around definitions)."""
    bodies = [getattr(node, key, None) for key in ("body", "orelse", "finalbody")]
    bodies += [handler.body for handler in getattr(node, "handlers", ())]
    return [b for b in bodies if isinstance(b, list)]


def _aliases(tree: ast.Module, module: str, is_package: bool) -> dict[str, str]:
    """``from .impl import f as g`` at the top of ``pkg``: ``pkg.g`` -> ``pkg.impl.f``."""
    package = module if is_package else module.rpartition(".")[0]
    found: dict[str, str] = {}
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom):
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".") if package else []
            if node.level - 1 > len(anchor):
                continue
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, *([base] if base else [])])
        for alias in node.names:
            if alias.name != "*" and base:
                found[f"{module}.{alias.asname or alias.name}"] = f"{base}.{alias.name}"
    return found
