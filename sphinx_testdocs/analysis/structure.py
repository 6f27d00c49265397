"""Definitions, imports, docstring and ``__main__`` guard of a parsed module.

Only statements are visited (never expressions), iteratively, so a deeply nested file
cannot exhaust the interpreter's stack and the cost stays a small fraction of parsing.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sphinx_testdocs.analysis.comments import Comments
from sphinx_testdocs.analysis.model import (
    Definition,
    DefKind,
    Import,
    ImportedName,
    ImportOrigin,
)


class SourceSlicer:
    """Source text of AST nodes; ``ast`` column offsets count UTF-8 bytes, not characters."""

    def __init__(self, text: str) -> None:
        #: The source's lines: line ``n`` is ``lines[n - 1]`` (``ast`` counts "\n").
        self.lines = text.split("\n")

    def segment(self, node: ast.AST) -> str:
        """The exact source text of ``node``, or "" when it has no position."""
        lineno = getattr(node, "lineno", None)
        end_lineno = getattr(node, "end_lineno", None)
        col = getattr(node, "col_offset", None)
        end_col = getattr(node, "end_col_offset", None)
        if lineno is None or end_lineno is None or col is None or end_col is None:
            return ""
        lines = self.lines[lineno - 1 : end_lineno]
        if not lines:
            return ""
        if len(lines) == 1:
            return lines[0].encode()[col:end_col].decode(errors="replace")
        first = lines[0].encode()[col:].decode(errors="replace")
        last = lines[-1].encode()[:end_col].decode(errors="replace")
        return "\n".join([first, *lines[1:-1], last])


def docstring_summary(node: ast.AST) -> str | None:
    """The first paragraph of a docstring, on one line."""
    if not isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    try:
        doc = ast.get_docstring(node, clean=True)
    except (TypeError, ValueError):
        return None
    return summarise_docstring(doc)


def summarise_docstring(doc: str | None) -> str | None:
    """First paragraph of cleaned docstring text, whitespace collapsed."""
    if not doc:
        return None
    paragraph = doc.strip().split("\n\n", 1)[0]
    summary = " ".join(paragraph.split())
    return summary or None


@dataclass
class _Builder:
    kind: DefKind
    node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
    qualname: str
    children: list[_Builder] = field(default_factory=list)


def child_statements(stmt: ast.stmt) -> Iterator[list[ast.stmt]]:
    """Statement lists nested in a compound statement (bodies, branches, handlers)."""
    for name in ("body", "orelse", "finalbody"):
        block = getattr(stmt, name, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            yield block
    for handler in getattr(stmt, "handlers", ()):
        yield handler.body
    for case in getattr(stmt, "cases", ()):
        yield case.body


@dataclass(frozen=True, slots=True)
class Structure:
    """What ``extract_structure`` finds in a module."""

    definitions: tuple[Definition, ...]
    imports: tuple[Import, ...]
    docstring_summary: str | None
    main_guard_line: int | None
    #: Without a module docstring: the comment at the top of the file says.
    comment_summary: str | None = None


def is_main_guard(stmt: ast.stmt) -> bool:
    """True for ``if __name__ == "__main__":`` (either operand order)."""
    if not isinstance(stmt, ast.If) or not isinstance(stmt.test, ast.Compare):
        return False
    test = stmt.test
    if len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    operands = [test.left, test.comparators[0]]
    has_name = any(isinstance(o, ast.Name) and o.id == "__name__" for o in operands)
    has_main = any(isinstance(o, ast.Constant) and o.value == "__main__" for o in operands)
    return has_name and has_main


def extract_structure(
    tree: ast.Module,
    slicer: SourceSlicer,
    classify: Callable[[str, int], ImportOrigin],
    comments: Comments | None = None,
) -> Structure:
    """Walk the statements of ``tree`` once and return its structure.

    ``classify(module, level)`` decides where an imported module comes from;
    ``comments`` (the source's, ``read_comments``) describe what has no docstring.
    """
    comments = comments or Comments()
    roots: list[_Builder] = []
    imports: list[Import] = []
    main_guard_line: int | None = None
    for stmt in tree.body:
        if main_guard_line is None and is_main_guard(stmt):
            main_guard_line = stmt.lineno

    # (statements, owning definition or None, qualname prefix, at module top level)
    stack: list[tuple[list[ast.stmt], _Builder | None, str, bool]] = [(tree.body, None, "", True)]
    while stack:
        body, owner, prefix, top_level = stack.pop()
        # Children are pushed in reverse so that they are visited in source order.
        pending: list[tuple[list[ast.stmt], _Builder | None, str, bool]] = []
        for stmt in body:
            if isinstance(stmt, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                kind = (
                    DefKind.CLASS
                    if isinstance(stmt, ast.ClassDef)
                    else DefKind.ASYNC_FUNCTION
                    if isinstance(stmt, ast.AsyncFunctionDef)
                    else DefKind.FUNCTION
                )
                builder = _Builder(kind, stmt, prefix + stmt.name)
                (owner.children if owner else roots).append(builder)
                pending.append((stmt.body, builder, builder.qualname + ".", False))
            elif isinstance(stmt, ast.Import | ast.ImportFrom):
                imports.extend(_imports_of(stmt, classify, top_level))
            else:
                pending.extend((block, owner, prefix, False) for block in child_statements(stmt))
        stack.extend(reversed(pending))

    definitions = tuple(
        sorted((_freeze(b, slicer, comments) for b in roots), key=lambda d: d.line)
    )
    module_doc = docstring_summary(tree)
    first_def = min((_first_line(b.node) for b in roots), default=None)
    return Structure(
        definitions=definitions,
        imports=tuple(sorted(imports, key=lambda i: i.line)),
        docstring_summary=module_doc,
        main_guard_line=main_guard_line,
        comment_summary=None if module_doc else comments.module_summary(first_def),
    )


def _first_line(node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Where a definition starts: its first decorator's line, or its own."""
    return min((d.lineno for d in node.decorator_list), default=node.lineno)


def _imports_of(
    stmt: ast.Import | ast.ImportFrom,
    classify: Callable[[str, int], ImportOrigin],
    top_level: bool,
) -> Iterator[Import]:
    if isinstance(stmt, ast.Import):
        for alias in stmt.names:
            yield Import(
                module=alias.name,
                line=stmt.lineno,
                origin=classify(alias.name, 0),
                asname=alias.asname,
                top_level=top_level,
            )
        return
    module = stmt.module or ""
    yield Import(
        module=module,
        line=stmt.lineno,
        origin=classify(module, stmt.level or 0),
        names=tuple(ImportedName(a.name, a.asname) for a in stmt.names),
        level=stmt.level or 0,
        top_level=top_level,
    )


def _freeze(root: _Builder, slicer: SourceSlicer, comments: Comments) -> Definition:
    # Post-order without recursion: a child is frozen before its parent needs it.
    frozen: dict[int, Definition] = {}
    order: list[_Builder] = []
    stack = [root]
    while stack:
        pending = stack.pop()
        order.append(pending)
        stack.extend(pending.children)
    for builder in reversed(order):
        node = builder.node
        bases: tuple[str, ...] = ()
        if isinstance(node, ast.ClassDef):
            bases = tuple(slicer.segment(b) for b in [*node.bases, *node.keywords])
        doc = docstring_summary(node)
        frozen[id(builder)] = Definition(
            kind=builder.kind,
            name=node.name,
            qualname=builder.qualname,
            line=node.lineno,
            end_line=node.end_lineno or node.lineno,
            decorators=tuple(slicer.segment(d) for d in node.decorator_list),
            bases=bases,
            docstring_summary=doc,
            comment_summary=None if doc else comments.above(_first_line(node)),
            # Definitions inside if/try blocks are found after their siblings: sort.
            children=tuple(
                sorted((frozen[id(c)] for c in builder.children), key=lambda d: d.line)
            ),
        )
    return frozen[id(root)]
