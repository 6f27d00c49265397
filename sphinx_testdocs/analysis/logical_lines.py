"""A tolerant splitter of Python source into logical lines and an indentation tree."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Only characters that can change where a logical line ends; everything else is skipped
# by the regex engine, which keeps the scan near C speed on ordinary code.
_SPECIAL = re.compile(r"[#'\"\\\n()\[\]{}]")
# Bodies of strings up to (not including) the closing quote or, for short strings, the
# end of the line. Each always matches (possibly empty), so it never backtracks.
_BODY = {
    "'": re.compile(r"[^'\\\n]*(?:\\.[^'\\\n]*)*", re.DOTALL),
    '"': re.compile(r'[^"\\\n]*(?:\\.[^"\\\n]*)*', re.DOTALL),
    "'''": re.compile(r"[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*", re.DOTALL),
    '"""': re.compile(r'[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*', re.DOTALL),
}
# Lines that almost surely start a new statement even though a bracket is still open:
# an unclosed bracket would otherwise swallow the rest of the file.
_RESTART = re.compile(
    r"(?:async[ \t]+def|def|class)[ \t]|@|import[ \t]|from[ \t]|if[ \t]+__name__\b"
)
_WORD = re.compile(r"[^\W\d]\w*")
_CLAUSES = frozenset({"elif", "else", "except", "finally"})


def indent_width(line: str) -> int:
    """Indentation column as the tokenizer counts it: tabs to multiples of 8, form feed resets."""
    col = 0
    for char in line:
        if char == " ":
            col += 1
        elif char == "\t":
            col = (col // 8 + 1) * 8
        elif char == "\f":
            col = 0
        else:
            break
    return col


@dataclass(slots=True)
class Stmt:
    """One logical line: first and last physical line (1-based), indent and first word."""

    start: int
    end: int
    indent: int
    word: str


@dataclass(slots=True)
class Clause:
    """A header (or simple statement) and the statements indented under it."""

    head: Stmt
    children: list[Node] = field(default_factory=list)


@dataclass(slots=True)
class Node:
    """A statement with its decorators and continuation clauses (``else``, ``except``...)."""

    decorators: list[Stmt]
    clauses: list[Clause]
    indent: int
    #: Last line of the statement and everything nested in it (set by ``build_tree``).
    end: int = 0
    #: Levels of nesting below and including this node (set by ``build_tree``).
    depth: int = 1

    @property
    def start(self) -> int:
        """First line, decorators included."""
        return self.decorators[0].start if self.decorators else self.clauses[0].head.start


def scan(
    lines: list[str], first: int = 1, last: int | None = None
) -> tuple[list[Stmt], list[int]]:
    """Split ``lines[first - 1 : last]`` into logical lines, never failing; also return
    suspicious lines. Line numbers are those of ``lines`` (1-based).

    Strings, comments, brackets and backslash continuations are honoured the way the
    tokenizer does, except that an unclosed bracket is abandoned at a line that starts a
    ``def``/``class``/import at or left of the statement's indentation.
    """
    last = len(lines) if last is None else last
    text = "\n".join(lines[first - 1 : last])
    size = len(text)
    stmts: list[Stmt] = []
    errors: list[int] = []
    line = first  # physical line at ``pos``
    pos = 0
    depth = 0
    start = 0  # first line of the current logical line, 0 when between statements
    indent = 0
    at_line_start = True
    while pos < size:
        if at_line_start:
            at_line_start = False
            if start == 0:
                current = lines[line - 1]
                stripped = current.lstrip(" \t\f")
                if stripped and stripped[0] != "#":
                    start, indent = line, indent_width(current)
        match = _SPECIAL.search(text, pos)
        if match is None:
            break
        char = match.group()
        pos = match.end()
        if char == "\n":
            line += 1
            at_line_start = True
            if depth and line <= last:
                nxt = lines[line - 1]
                width = indent_width(nxt)
                if width <= indent and _RESTART.match(nxt.lstrip(" \t\f")):
                    errors.append(start)
                    depth = 0
            if depth == 0 and start:
                stmts.append(Stmt(start, line - 1, indent, _first_word(lines[start - 1])))
                start = 0
        elif char == "#":
            end = text.find("\n", pos)
            pos = size if end < 0 else end
        elif char in "'\"":
            quote = char * 3 if text.startswith(char * 3, pos - 1) else char
            body_start = pos - 1 + len(quote)
            body_end = _BODY[quote].match(text, body_start).end()  # type: ignore[union-attr]
            if text.startswith(quote, body_end):
                pos = body_end + len(quote)
            else:
                # Unterminated: a short string ends at the newline, a long one at EOF.
                errors.append(line)
                pos = body_end
            line += text.count("\n", body_start, pos)
        elif char == "\\":
            if text.startswith("\n", pos):
                pos += 1
                line += 1
        elif char in "([{":
            depth += 1
        elif depth:
            depth -= 1
        else:
            errors.append(line)
    if start:
        if depth:
            errors.append(start)
        end = min(line, last)
        while end > start and not lines[end - 1].strip(" \t\f"):
            end -= 1  # the open bracket or string ran to EOF: stop at its last text
        stmts.append(Stmt(start, end, indent, _first_word(lines[start - 1])))
    return stmts, errors


def _first_word(line: str) -> str:
    stripped = line.lstrip(" \t\f")
    match = _WORD.match(stripped)
    if match:
        return match.group()
    return stripped[:1]


def build_tree(stmts: list[Stmt]) -> list[Node]:
    """Nest logical lines by indentation; group decorators and clauses with their statement.

    Tolerant by design: a line indented deeper than the one before becomes its child even
    when that statement opens no block, so a stray indentation costs one statement.
    """
    roots: list[Node] = []
    # (indent of the header, list its children go to)
    stack: list[tuple[int, list[Node]]] = []
    for stmt in stmts:
        while stack and stack[-1][0] >= stmt.indent:
            stack.pop()
        siblings = stack[-1][1] if stack else roots
        last = siblings[-1] if siblings else None
        if stmt.word == "@":
            if last is not None and not last.clauses:
                last.decorators.append(stmt)
            else:
                siblings.append(Node([stmt], [], stmt.indent))
            continue
        clause = Clause(stmt)
        # A decorated statement, or ``else``/``except``... continuing the one before.
        if last is not None and (
            not last.clauses or (stmt.word in _CLAUSES and last.indent == stmt.indent)
        ):
            last.clauses.append(clause)
        else:
            siblings.append(Node([], [clause], stmt.indent))
        stack.append((stmt.indent, clause.children))
    _measure(roots)
    return roots


def _measure(roots: list[Node]) -> None:
    # Post-order without recursion: files nested thousands of levels deep must not
    # exhaust the interpreter's stack.
    order: list[Node] = []
    todo = list(roots)
    while todo:
        node = todo.pop()
        order.append(node)
        for clause in node.clauses:
            todo.extend(clause.children)
    for node in reversed(order):
        end = max(
            (stmt.end for stmt in (*node.decorators, *(c.head for c in node.clauses))),
            default=0,
        )
        depth = 1
        for clause in node.clauses:
            if clause.children:
                end = max(end, clause.children[-1].end)
                depth = max(depth, 1 + max(child.depth for child in clause.children))
        node.end = end
        node.depth = depth
