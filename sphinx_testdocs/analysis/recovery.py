"""Recover definitions and imports from source the running Python cannot parse.

``ast`` is asked to parse ever smaller pieces: the whole text (or, above 1 MB, windows of
top-level ``def``/``class`` pieces), then, for a piece that fails, the runs of sibling
statements around the line the ``SyntaxError`` names, then the failing statement's
header alone (its body replaced by ``pass``), then its body. Only failing pieces are
split into logical lines and nested by indentation (``logical_lines``). So one bad line
costs one statement, not the file, and whatever ``ast`` accepts is reported exactly as
the normal path would. Headers ``ast`` rejects even alone (3.12 type parameters on 3.11,
a truncated ``def``) fall back to regular expressions. Nothing is imported or run.

Each parse covers text the previous failure did not, guided by the error line, so the
work stays a small multiple of one ``ast.parse`` of the file.
"""

from __future__ import annotations

import ast
import inspect
import re
import warnings
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from sphinx_testdocs.analysis.logical_lines import Node, Stmt, build_tree, scan
from sphinx_testdocs.analysis.model import (
    Definition,
    DefKind,
    Import,
    ImportedName,
    ImportOrigin,
)
from sphinx_testdocs.analysis.parsing import cycle_collector_paused, parse_module
from sphinx_testdocs.analysis.structure import (
    child_statements,
    docstring_summary,
    is_main_guard,
    summarise_docstring,
)

__all__ = ["Recovered", "recover"]

#: Python refuses more than 100 indentation levels; deeper pieces are not worth parsing.
_MAX_PARSE_DEPTH = 90

#: Lines parsed at once after an error; doubled after each window that parses.
_WINDOW = 100
#: Above this many characters the whole text is not parsed first but in windows that
#: start at this many lines: a failing parse costs about twice a good one, as the parser
#: runs again to find the best error message.
_WHOLE_PARSE_LIMIT = 1_000_000
_FIRST_WINDOW = 2_000
#: Windows grow no larger: a window that fails late costs about three parses of it.
_MAX_WINDOW = 2_000
# Column-0 ``def``/``class``/decorator lines; strings and comments are matched (and
# skipped) too, so a ``class`` at column 0 inside a triple-quoted string is no boundary.
_BOUNDARY = re.compile(
    r"""(?P<b>^(?:@|(?:async[ \t]+)?def[ \t]|class[ \t]))
    |\#[^\n]*
    |\"\"\"[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*\"\"\"
    |'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''
    |"[^"\\\n]*(?:\\.[^"\\\n]*)*"
    |'[^'\\\n]*(?:\\.[^'\\\n]*)*'
    """,
    re.MULTILINE | re.DOTALL | re.VERBOSE,
)

_DEF = re.compile(r"[ \t\f]*(async[ \t\f]+)?def[ \t\f]+([^\W\d]\w*)")
_CLASS = re.compile(r"[ \t\f]*class[ \t\f]+([^\W\d]\w*)")
_DOTTED = re.compile(r"[^\W\d]\w*(?:[ \t]*\.[ \t]*[^\W\d]\w*)*")
_ALIAS = re.compile(r"([^\W\d]\w*(?:\s*\.\s*[^\W\d]\w*)*)(?:\s+as\s+([^\W\d]\w*))?")
_FROM = re.compile(r"from\s+(\.*)\s*([^\W\d][\w.\s]*?)?\s*import\b(.*)", re.DOTALL)
_IMPORT = re.compile(r"import\b(.*)", re.DOTALL)
_DEF_WORDS = frozenset({"def", "class", "async"})
_STRING_START = re.compile(r"[ \t\f]*(?:[rRbBuUfF]{0,2})['\"]")


@dataclass(frozen=True, slots=True)
class Recovered:
    """Structure recovered from a file, as much as could be.

    ``imports`` are :class:`Import` records whose ``origin`` is ``THIRD_PARTY`` unless a
    ``classify`` callable was given to :func:`recover`: the caller reclassifies them
    (``dataclasses.replace(imp, origin=...)``) because only it knows the local modules.
    """

    definitions: tuple[Definition, ...]
    imports: tuple[Import, ...]
    docstring_summary: str | None
    main_guard_line: int | None
    #: Lines where recovery skipped something, sorted; empty when nothing was lost.
    error_lines: tuple[int, ...]
    #: True when ``ast`` accepted every line: nothing had to be recovered.
    parsed: bool


def recover(text: str, classify: Callable[[str, int], ImportOrigin] | None = None) -> Recovered:
    """Recover definitions, imports, docstring and ``__main__`` guard from any text.

    Never raises for any ``str``. Lines are 1-based and count ``\\r\\n``, ``\\r`` and
    ``\\n`` as line ends, like the tokenizer.
    """
    with cycle_collector_paused(), warnings.catch_warnings():
        # 3.12+ warns about invalid escapes while parsing; under "error" filters (as
        # in test suites) that would turn valid files into syntax errors.
        warnings.simplefilter("ignore")
        result = _Recoverer(text).run()
    if classify is not None:
        result = replace(
            result,
            imports=tuple(replace(i, origin=classify(i.module, i.level)) for i in result.imports),
        )
    return result


# --- building blocks ----------------------------------------------------------------


@dataclass(slots=True)
class _Def:
    """A definition under construction; children are appended as they are found."""

    kind: DefKind
    name: str
    qualname: str
    line: int
    end_line: int
    decorators: tuple[str, ...] = ()
    bases: tuple[str, ...] = ()
    docstring_summary: str | None = None
    children: list[_Def] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Ctx:
    """Where definitions found in a block go."""

    owner: list[_Def]
    prefix: str
    top_level: bool


@dataclass(frozen=True, slots=True)
class _Chunk:
    """Source lines handed to ``ast`` and how its line numbers map back."""

    lines: list[str]
    #: Original line of each chunk line (index 0 is chunk line 1).
    origin: list[int]

    def line_of(self, lineno: int | None) -> int:
        if not self.origin:
            return 1
        index = min(max((lineno or 1) - 1, 0), len(self.origin) - 1)
        return self.origin[index]

    def segment(self, node: ast.expr | ast.keyword) -> str:
        """Source text of ``node``; ``ast`` columns count UTF-8 bytes."""
        lineno, end_lineno = node.lineno, node.end_lineno or node.lineno
        first, last = lineno - 1, end_lineno - 1
        if not 0 <= first <= last < len(self.lines):
            return ""
        col, end_col = node.col_offset, node.end_col_offset or 0
        if first == last:
            return self.lines[first].encode()[col:end_col].decode(errors="replace")
        head = self.lines[first].encode()[col:].decode(errors="replace")
        tail = self.lines[last].encode()[:end_col].decode(errors="replace")
        return "\n".join([head, *self.lines[first + 1 : last], tail])


def _split_top_level(text: str) -> list[str]:
    """Split on commas outside brackets (strings are not expected in bases)."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _matching(text: str, open_at: int) -> int:
    """Index just past the bracket closing the one at ``open_at``, or -1."""
    depth = 0
    for index in range(open_at, len(text)):
        char = text[index]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return index + 1
    return -1


_Work = tuple[list[Node], int, int, "_Ctx", int | None, int | None]


def _start(node: Node) -> int:
    return node.start


# --- the recoverer ------------------------------------------------------------------


class _Recoverer:
    """One recovery run over one text; holds the lines and what has been found."""

    def __init__(self, text: str) -> None:
        if text.startswith("\ufeff"):
            text = text[1:]
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.errors: set[int] = set()
        if "\0" in text:
            # ``ast`` refuses NUL anywhere; a space keeps every column (both are one byte).
            self.errors.update(i + 1 for i, ln in enumerate(text.split("\n")) if "\0" in ln)
            text = text.replace("\0", " ")
        self.text = text
        self.lines = text.split("\n")
        self.roots: list[_Def] = []
        self.imports: list[Import] = []
        self.main_guard: int | None = None
        self.docstring: str | None = None

    def run(self) -> Recovered:
        error_line: int | None = None
        if len(self.text) <= _WHOLE_PARSE_LIMIT:
            tree = self._parse_text(self.text)
            if isinstance(tree, ast.Module):
                chunk = _Chunk(self.lines, list(range(1, len(self.lines) + 1)))
                self.docstring = docstring_summary(tree)
                self._extract(tree.body, chunk, _Ctx(self.roots, "", True))
                return self._result()
            error_line = tree if tree is not None else 1
        self._pieces(error_line)
        return self._result()

    def _result(self) -> Recovered:
        return Recovered(
            definitions=_freeze(self.roots),
            imports=tuple(sorted(self.imports, key=lambda i: i.line)),
            docstring_summary=self.docstring,
            main_guard_line=self.main_guard,
            error_lines=tuple(sorted(self.errors)),
            parsed=not self.errors,
        )

    # -- parsing ---------------------------------------------------------------------

    @staticmethod
    def _parse_text(text: str) -> ast.Module | int | None:
        """The module, or the line of the syntax error (None when unknown)."""
        try:
            return parse_module(text)
        except SyntaxError as exc:
            return exc.lineno
        except Exception:
            # ValueError, RecursionError, MemoryError...: the compiler has more ways to
            # fail than SyntaxError, and recovery must not fail at all.
            return None

    def _parse_chunk(
        self, chunk: _Chunk, wrapped: bool
    ) -> tuple[list[ast.stmt] | None, int | None]:
        """Parse ``chunk``; return its statements, or None and the original error line."""
        result = self._parse_text("\n".join(chunk.lines) + "\n")
        if isinstance(result, ast.Module):
            body = result.body
            if wrapped:
                body = body[0].body if body and isinstance(body[0], ast.If) else []
            return body, None
        line = chunk.line_of(result) if result is not None else None
        if line is not None:
            self.errors.add(line)
        return None, line

    def _range_chunk(self, first: int, last: int, indent: int) -> tuple[_Chunk, bool]:
        # Indented blocks parse under a dummy ``if``, which keeps every column as written
        # (decorator and base texts are sliced by column) at the cost of one line.
        lines = self.lines[first - 1 : last]
        origin = list(range(first, last + 1))
        if indent > 0:
            return _Chunk(["if 1:", *lines], [first, *origin]), True
        return _Chunk(lines, origin), False

    # -- the walk --------------------------------------------------------------------

    def _pieces(self, error_line: int | None) -> None:
        """Parse top-level pieces in growing windows; recover the pieces that fail.

        Pieces start at column-0 ``def``/``class``/decorator lines, found by one regex
        in C: the slower logical-line scan then only runs over the failing pieces. A
        window failing at a false boundary (say a column-0 ``def`` inside a string) only
        costs a finer look, as its pieces are scanned together and parse again there.
        """
        starts = [1]
        line, pos = 1, 0
        previous_decorator = False
        for match in _BOUNDARY.finditer(self.text):
            if match.lastgroup != "b":
                continue
            line += self.text.count("\n", pos, match.start())
            pos = match.start()
            decorator = match.group() == "@"
            if line > starts[-1] and not previous_decorator:
                starts.append(line)
            elif line > starts[-1] and decorator != previous_decorator:
                previous_decorator = decorator
                continue
            previous_decorator = decorator
        ends = [s - 1 for s in starts[1:]] + [len(self.lines)]
        ctx = _Ctx(self.roots, "", True)
        region: list[int] = []  # [first, last, error line] of the failing pieces so far
        i, window = 0, _FIRST_WINDOW
        hint = error_line
        while i < len(starts):
            if hint is not None:
                j = len(starts)  # the whole file already failed at ``hint``
            else:
                j = bisect_right(ends, starts[i] + window - 1, i + 1)
                j = max(j, i + 1)
                chunk = _Chunk(self.lines[starts[i] - 1 : ends[j - 1]], [])
                chunk = _Chunk(chunk.lines, list(range(starts[i], ends[j - 1] + 1)))
                tree = self._parse_text("\n".join(chunk.lines) + "\n")
                if isinstance(tree, ast.Module):
                    self._flush(region)
                    self._top(tree, chunk, ctx)
                    i, window = j, min(window * 2, _MAX_WINDOW)
                    continue
                hint = chunk.line_of(tree) if tree is not None else starts[i]
            bad = min(max(bisect_right(starts, hint, i, j) - 1, i), j - 1)
            if bad > i:
                chunk = _Chunk(
                    self.lines[starts[i] - 1 : ends[bad - 1]],
                    list(range(starts[i], ends[bad - 1] + 1)),
                )
                tree = self._parse_text("\n".join(chunk.lines) + "\n")
                if isinstance(tree, ast.Module):
                    self._flush(region)
                    self._top(tree, chunk, ctx)
                else:
                    self._grow(region, starts[i], ends[bad - 1], None)
            self._grow(region, starts[bad], ends[bad], hint)
            i, window, hint = bad + 1, _WINDOW, None
        self._flush(region)

    def _top(self, tree: ast.Module, chunk: _Chunk, ctx: _Ctx) -> None:
        if chunk.origin and chunk.origin[0] == 1:
            self.docstring = docstring_summary(tree)
        self._extract(tree.body, chunk, ctx)

    def _grow(self, region: list[int], first: int, last: int, hint: int | None) -> None:
        if region and region[1] + 1 < first:
            self._flush(region)
        if not region:
            region.extend((first, last, hint if hint is not None else 0))
        else:
            region[1] = last
            if not region[2] and hint is not None:
                region[2] = hint

    def _flush(self, region: list[int]) -> None:
        if region:
            first, last, hint = region
            region.clear()
            self._recover(first, last, hint or None)

    def _recover(self, first: int, last: int, error_line: int | None) -> None:
        """Recover lines ``first`` to ``last`` (a run of top-level pieces that failed)."""
        stmts, scan_errors = scan(self.lines, first, last)
        self.errors.update(scan_errors)
        roots = build_tree(stmts)
        if roots and first == 1:
            self.docstring = self._docstring_node(roots[0])
        # Work items: (siblings, lo, hi, ctx, known error line, window in lines or None).
        # Popped last-first and pushed in reverse, so definitions are found in source order.
        work: list[_Work] = [(roots, 0, len(roots), _Ctx(self.roots, "", True), error_line, None)]
        while work:
            nodes, lo, hi, ctx, hint, window = work.pop()
            if hi - lo == 1:
                work.extend(reversed(self._single(nodes[lo], ctx, hint)))
                continue
            if hint is None or not nodes[lo].start <= hint <= nodes[hi - 1].end:
                hint = None
                # ``ast`` stops at the first error, so the text after an error is parsed
                # in windows that double while they parse and shrink when they do not:
                # one parse of everything after each error would be quadratic.
                cut = hi
                if window is not None:
                    limit = nodes[lo].start + window
                    cut = lo + 1
                    while cut < hi and nodes[cut].end < limit:
                        cut += 1
                rest = (nodes, cut, hi, ctx, None, _WINDOW if window is None else window)
                if max(n.depth for n in nodes[lo:cut]) <= _MAX_PARSE_DEPTH:
                    chunk, wrapped = self._range_chunk(
                        nodes[lo].start, nodes[cut - 1].end, nodes[lo].indent
                    )
                    body, hint = self._parse_chunk(chunk, wrapped)
                    if body is not None:
                        self._extract(body, chunk, ctx)
                        if cut < hi:
                            work.append((*rest[:5], min(rest[5] * 2, _MAX_WINDOW)))
                        continue
                if cut < hi:
                    work.append((*rest[:5], _WINDOW))
                hi = cut
            if hint is None:
                # No usable error line: every statement on its own.
                work.extend((nodes, i, i + 1, ctx, None, None) for i in reversed(range(lo, hi)))
                continue
            bad = max(bisect_right(nodes, hint, lo, hi, key=_start) - 1, lo)
            if bad + 1 < hi:
                work.append((nodes, bad + 1, hi, ctx, None, _WINDOW))
            work.append((nodes, bad, bad + 1, ctx, hint, None))
            if bad > lo:
                work.append((nodes, lo, bad, ctx, None, None))

    def _single(self, node: Node, ctx: _Ctx, hint: int | None) -> list[_Work]:
        """Handle one statement; return the blocks still to do, in source order."""
        simple = not any(c.children for c in node.clauses)
        inside = hint is not None and node.start <= hint <= node.end
        # A statement that contains the line a larger parse failed on would fail the same
        # way: go straight to its header (or import), saving a parse of its whole body.
        if inside and simple:
            self.errors.add(min(max(hint or 0, node.start), node.end))
        elif not inside and node.depth <= _MAX_PARSE_DEPTH:
            chunk, wrapped = self._range_chunk(node.start, node.end, node.indent)
            body, hint = self._parse_chunk(chunk, wrapped)
            if body is not None:
                self._extract(body, chunk, ctx)
                return []
        if not node.clauses:
            return []  # decorators of nothing
        if simple and not node.decorators and node.clauses[0].head.word not in _DEF_WORDS:
            self._regex_import(node.clauses[0].head, ctx)
            return []
        inner = ctx
        found = self._header(node, ctx)
        if found is not None:
            ctx.owner.append(found)
            inner = _Ctx(found.children, found.qualname + ".", False)
        elif ctx.top_level and self.main_guard is None and self._is_main_guard_node(node):
            self.main_guard = node.clauses[0].head.start
        if found is None:
            inner = _Ctx(ctx.owner, ctx.prefix, False)
        return [
            (clause.children, 0, len(clause.children), inner, hint, None)
            for clause in node.clauses
            if clause.children
        ]

    def _header(self, node: Node, ctx: _Ctx) -> _Def | None:
        """The definition a failed compound statement opens, if it is a def or class."""
        head = node.clauses[0].head
        header = "\n".join(self.lines[head.start - 1 : head.end])
        is_def = _DEF.match(header)
        is_class = _CLASS.match(header) if is_def is None else None
        # Parsed even when not a def: a broken ``if``/``with`` header gets its error line.
        found = self._skeleton(node, ctx, None)
        if is_def is None and is_class is None:
            return None
        if found is None:
            # 3.12 type parameters: blank them (keeping columns) and ask ``ast`` again.
            name_end = (is_def or is_class).end()  # type: ignore[union-attr]
            after = header[name_end:]
            if after.lstrip(" \t").startswith("["):
                open_at = name_end + len(after) - len(after.lstrip(" \t"))
                close_at = _matching(header, open_at)
                if close_at > 0:
                    blanked = (
                        header[:open_at]
                        + re.sub(r"[^\n]", " ", header[open_at:close_at])
                        + header[close_at:]
                    )
                    found = self._skeleton(node, ctx, blanked)
        if found is None:
            found = self._regex_def(node, ctx, header, is_def, is_class)
        found.end_line = node.end
        found.docstring_summary = (
            self._docstring_node(node.clauses[0].children[0])
            if (node.clauses[0].children)
            else None
        )
        return found

    def _skeleton(self, node: Node, ctx: _Ctx, header: str | None) -> _Def | None:
        """Parse decorators and clause headers with ``pass`` bodies; the def if any."""
        lines: list[str] = []
        origin: list[int] = []
        if node.indent > 0:
            lines.append("if 1:")
            origin.append(node.start)
        for stmt in node.decorators:
            lines.extend(self.lines[stmt.start - 1 : stmt.end])
            origin.extend(range(stmt.start, stmt.end + 1))
        for index, clause in enumerate(node.clauses):
            head = clause.head
            if index == 0 and header is not None:
                lines.extend(header.split("\n"))
            else:
                lines.extend(self.lines[head.start - 1 : head.end])
            origin.extend(range(head.start, head.end + 1))
            if clause.children:
                text = self.lines[head.start - 1]
                lines.append(text[: len(text) - len(text.lstrip(" \t\f"))] + " pass")
                origin.append(head.end)
        chunk = _Chunk(lines, origin)
        body, _ = self._parse_chunk(chunk, node.indent > 0)
        if not body:
            return None
        first = body[0]
        if isinstance(first, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            return self._def_from_ast(first, chunk, ctx.prefix)
        return None

    def _regex_def(
        self,
        node: Node,
        ctx: _Ctx,
        header: str,
        is_def: re.Match[str] | None,
        is_class: re.Match[str] | None,
    ) -> _Def:
        decorators = tuple(
            "\n".join(self.lines[d.start - 1 : d.end]).strip(" \t\f").removeprefix("@").strip()
            for d in node.decorators
        )
        line = node.clauses[0].head.start
        if is_def is not None:
            kind = DefKind.ASYNC_FUNCTION if is_def.group(1) else DefKind.FUNCTION
            name = is_def.group(2)
            return _Def(kind, name, ctx.prefix + name, line, line, decorators)
        assert is_class is not None
        name = is_class.group(1)
        rest_at = is_class.end()
        rest = header[rest_at:].lstrip(" \t")
        rest_at = len(header) - len(rest)
        if rest.startswith("["):
            close = _matching(header, rest_at)
            rest_at = close if close > 0 else len(header)
            rest = header[rest_at:].lstrip(" \t")
            rest_at = len(header) - len(rest)
        bases: tuple[str, ...] = ()
        if rest.startswith("("):
            close = _matching(header, rest_at)
            inner = header[rest_at + 1 : close - 1] if close > 0 else header[rest_at + 1 :]
            bases = tuple(_split_top_level(inner))
        return _Def(DefKind.CLASS, name, ctx.prefix + name, line, line, decorators, bases)

    def _regex_import(self, stmt: Stmt, ctx: _Ctx) -> None:
        if stmt.word not in ("import", "from"):
            return
        text = "\n".join(self.lines[stmt.start - 1 : stmt.end]).strip(" \t\f")
        # Imports hold no strings, so a ``#`` always starts a comment.
        text = re.sub(r"#[^\n]*", "", text).replace("\\\n", " ")
        from_match = _FROM.match(text)
        if from_match is not None:
            level = len(from_match.group(1))
            module = re.sub(r"\s+", "", from_match.group(2) or "")
            names = tuple(
                ImportedName(re.sub(r"\s+", "", m.group(1)), m.group(2))
                for part in _split_top_level(from_match.group(3).strip(" \t\n()"))
                if (m := _ALIAS.fullmatch(part.strip(" \t\n()"))) is not None
            )
            if names or module:
                self.imports.append(
                    Import(
                        module=module,
                        line=stmt.start,
                        origin=ImportOrigin.THIRD_PARTY,
                        names=names,
                        level=level,
                        top_level=ctx.top_level,
                    )
                )
            return
        import_match = _IMPORT.match(text)
        if import_match is None:
            return
        for part in _split_top_level(import_match.group(1)):
            alias = _ALIAS.fullmatch(part)
            if alias is not None:
                self.imports.append(
                    Import(
                        module=re.sub(r"\s+", "", alias.group(1)),
                        line=stmt.start,
                        origin=ImportOrigin.THIRD_PARTY,
                        asname=alias.group(2),
                        top_level=ctx.top_level,
                    )
                )

    def _is_main_guard_node(self, node: Node) -> bool:
        head = node.clauses[0].head
        if head.word != "if":
            return False
        text = "\n".join(self.lines[head.start - 1 : head.end]).strip(" \t\f")
        body = _Recoverer._parse_text(text + " pass\n" if text.endswith(":") else text)
        return isinstance(body, ast.Module) and bool(body.body) and is_main_guard(body.body[0])

    def _docstring_node(self, node: Node) -> str | None:
        """Summary of the docstring if ``node`` is a lone string literal statement."""
        head = node.clauses[0].head if node.clauses else None
        if head is None or node.decorators or any(c.children for c in node.clauses):
            return None
        if not _STRING_START.match(self.lines[head.start - 1]):
            return None
        text = "\n".join(self.lines[head.start - 1 : head.end]).lstrip(" \t\f")
        tree = self._parse_text(text)
        if not isinstance(tree, ast.Module) or len(tree.body) != 1:
            return None
        stmt = tree.body[0]
        if not isinstance(stmt, ast.Expr) or not isinstance(stmt.value, ast.Constant):
            return None
        value = stmt.value.value
        return summarise_docstring(inspect.cleandoc(value)) if isinstance(value, str) else None

    # -- from ast to records ---------------------------------------------------------

    def _def_from_ast(
        self,
        stmt: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef,
        chunk: _Chunk,
        prefix: str,
    ) -> _Def:
        kind = (
            DefKind.CLASS
            if isinstance(stmt, ast.ClassDef)
            else DefKind.ASYNC_FUNCTION
            if isinstance(stmt, ast.AsyncFunctionDef)
            else DefKind.FUNCTION
        )
        bases: tuple[str, ...] = ()
        if isinstance(stmt, ast.ClassDef):
            # Keywords (``metaclass=M``) are shown as written, name included.
            bases = tuple(chunk.segment(b) for b in stmt.bases) + tuple(
                chunk.segment(k) for k in stmt.keywords
            )
        return _Def(
            kind=kind,
            name=stmt.name,
            qualname=prefix + stmt.name,
            line=chunk.line_of(stmt.lineno),
            end_line=chunk.line_of(stmt.end_lineno),
            decorators=tuple(chunk.segment(d) for d in stmt.decorator_list),
            bases=bases,
            docstring_summary=docstring_summary(stmt),
        )

    def _extract(self, body: list[ast.stmt], chunk: _Chunk, ctx: _Ctx) -> None:
        """Record the definitions, imports and main guard in parsed statements."""
        if ctx.top_level and self.main_guard is None:
            for stmt in body:
                if is_main_guard(stmt):
                    self.main_guard = chunk.line_of(stmt.lineno)
                    break
        # Iterative, like the normal path: statements only, never expressions.
        stack: list[tuple[list[ast.stmt], list[_Def], str, bool]] = [
            (body, ctx.owner, ctx.prefix, ctx.top_level)
        ]
        while stack:
            block, owner, prefix, top_level = stack.pop()
            for stmt in block:
                if isinstance(stmt, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                    found = self._def_from_ast(stmt, chunk, prefix)
                    owner.append(found)
                    stack.append((stmt.body, found.children, found.qualname + ".", False))
                elif isinstance(stmt, ast.Import):
                    self.imports.extend(
                        Import(
                            module=alias.name,
                            line=chunk.line_of(stmt.lineno),
                            origin=ImportOrigin.THIRD_PARTY,
                            asname=alias.asname,
                            top_level=top_level,
                        )
                        for alias in stmt.names
                    )
                elif isinstance(stmt, ast.ImportFrom):
                    self.imports.append(
                        Import(
                            module=stmt.module or "",
                            line=chunk.line_of(stmt.lineno),
                            origin=ImportOrigin.THIRD_PARTY,
                            names=tuple(ImportedName(a.name, a.asname) for a in stmt.names),
                            level=stmt.level or 0,
                            top_level=top_level,
                        )
                    )
                else:
                    stack.extend((b, owner, prefix, False) for b in child_statements(stmt))


def _freeze(roots: list[_Def]) -> tuple[Definition, ...]:
    # Post-order without recursion; children sorted by line because blocks nested in
    # ``if``/``try`` are visited after their following siblings.
    order: list[_Def] = []
    todo = list(roots)
    while todo:
        item = todo.pop()
        order.append(item)
        todo.extend(item.children)
    frozen: dict[int, Definition] = {}
    for item in reversed(order):
        children = sorted(item.children, key=lambda c: (c.line, c.end_line))
        frozen[id(item)] = Definition(
            kind=item.kind,
            name=item.name,
            qualname=item.qualname,
            line=item.line,
            end_line=max(item.end_line, item.line),
            decorators=item.decorators,
            bases=item.bases,
            docstring_summary=item.docstring_summary,
            children=tuple(frozen[id(c)] for c in children),
        )
    return tuple(frozen[id(r)] for r in sorted(roots, key=lambda c: (c.line, c.end_line)))
