"""Where each function of a measured source file runs, read with ``ast``.

A function's lines are its body's, after its header to its last line: its decorators,
``def`` line, default values and annotations run when the module is imported, not when
a test calls it. A function whose body shares a line with its header (``def one():
return 1``) has no line of its own: line data cannot tell its call from its import, so
it is not measured. A line counts for every function and class around it (a
decorator's wrapper runs on behalf of the decorator), never for module or class bodies:
those run at import, whichever test happened to import first.
"""

from __future__ import annotations

import ast
from collections.abc import Container
from dataclasses import dataclass
from pathlib import Path

from sphinx_testdocs.analysis.parsing import parse_module


@dataclass(frozen=True)
class ModuleSpans:
    """The functions and classes of one module, by qualified name."""

    module: str
    #: Qualified names (``module.Class.method``) of every function and class.
    names: tuple[str, ...]
    #: For each name, the lines that count for it, as a bit mask (bit n: line n); 0 for
    #: a name with none (a one-line function, a class without methods).
    masks: tuple[int, ...]
    #: The source's number of lines: no measured line can be beyond it.
    lines: int


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
                    start = _header_end(node) + 1
                    end = node.end_lineno or node.body[-1].lineno
                    # A body begun on the header's line has none of its own, even if
                    # it goes on to the next (``return (1 +`` / ``2)``).
                    if node.body[0].lineno >= start:
                        lines = (1 << (end + 1)) - (1 << start)  # bits start..end
                        for owner in (*enclosing, index):
                            masks[owner] |= lines
                visit(node.body, names[index], (*enclosing, index))
            else:
                for child in _nested_bodies(node):
                    visit(child, prefix, enclosing)

    visit(tree.body, module, ())
    return ModuleSpans(module, tuple(names), tuple(masks), source.count(b"\n") + 1)


def _header_end(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """The last line of what runs at import: ``def`` line, parameters, their defaults
    and annotations, the return annotation (decorators come before the ``def``)."""
    parts: list[ast.AST] = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
    parts += [arg for arg in (node.args.vararg, node.args.kwarg) if arg is not None]
    parts += [*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)]
    parts += [node.returns] if node.returns is not None else []
    parts += getattr(node, "type_params", [])
    ends = [getattr(part, "end_lineno", None) or node.lineno for part in parts]
    return max([node.lineno, *ends])


def module_of(name: str, modules: Container[str], *, itself: bool) -> str:
    """The longest dotted prefix of ``name`` in ``modules`` ("" for none); ``name``
    itself counts only with ``itself`` (a package asked for by its own name)."""
    parts = name.split(".")
    for end in range(len(parts) if itself else len(parts) - 1, 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in modules:
            return prefix
    return ""


def _nested_bodies(node: ast.stmt) -> list[list[ast.stmt]]:
    """Statement lists inside ``if``/``try``/``with``/loops (``if TYPE_CHECKING:``,
    ``try: ... except ImportError:`` around definitions)."""
    bodies = [getattr(node, key, None) for key in ("body", "orelse", "finalbody")]
    bodies += [handler.body for handler in getattr(node, "handlers", ())]
    return [b for b in bodies if isinstance(b, list)]
