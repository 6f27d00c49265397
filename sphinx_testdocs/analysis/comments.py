"""What a comment says a test or a file is for, read from the source's lines, never run.

CPython's test guidelines ask for a comment rather than a docstring on a test (a
docstring replaces the test's name in unittest's verbose output), and many suites follow
them. Where a definition has no docstring, the comment block directly above it (above
its first decorator, if it has any) says what it is for; where a module has none, the
first comment block at the top of the file does.

What counts, decided once here:

* A block is consecutive lines holding only a comment. A blank line ends it: a comment
  separated from a definition by a blank line is about what follows in general (a group
  of tests, a section), not about that definition.
* Directives are not prose and are dropped line by line: a shebang, the encoding
  declaration, ``# Owner(s): [...]`` (PyTorch), ``pragma``, ``noqa``, ``type:``,
  ``fmt:``, linters' and editors' settings. Lines made of punctuation only (rulers) are
  dropped too.
* A block that mentions a copyright or a license is a file header: dropped whole.
* The summary is the block's first paragraph (up to an empty ``#`` line), on one line.
* At the top of a module, a block directly above the first definition (no blank line)
  is that definition's, not the module's.

Lines, not tokens: only the few lines above each definition are looked at. Python's
``tokenize`` (pure Python before 3.12) took half the analysis of NumPy's suite (2.7 of
5.9 s) to find the same comments. A line that looks like a comment is one unless a
string literal spans it, and a string can only span the lines above a definition if it
ends among them: only where one of those lines holds a triple quote, or follows a
backslash, are the parsed module's string literals asked (once per file, rarely).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

__all__ = ["Comments", "read_comments"]

#: Comment lines that are directives, not prose (matched after the ``#`` and spaces).
_DIRECTIVE = re.compile(
    r"""^(?:
        !                                      # shebang
      | .*-\*-.*-\*-                           # editor modelines, coding declarations
      | .*\bcoding[:=]
      | vim?:
      | owner\(s\)\s*:
      | (?:pragma|noqa|nosec)\b
      | (?:type|fmt|yapf|isort|pylint|mypy|pyright|ruff|flake8)\s*:
      | pyre-\w+
      | spdx-
    )""",
    re.IGNORECASE | re.VERBOSE,
)
#: A block holding one of these is a file header (copyright, license), not a summary.
_HEADER = re.compile(r"copyright|\(c\)\s*\d|licen[cs]e", re.IGNORECASE)
#: Rulers: a line of punctuation only.
_RULER = re.compile(r"^[\W_]+$")
#: Longest summary kept; a longer first paragraph ends with an ellipsis.
_MAX_SUMMARY = 400


@dataclass
class Comments:
    """The comment lines of a module, asked for by line."""

    #: The source's lines (``text.split("\n")``: line ``n`` is ``lines[n - 1]``).
    source_lines: list[str] = field(default_factory=list)
    #: The parsed module, to tell a comment from a line inside a string literal.
    tree: ast.Module | None = None
    _in_strings: frozenset[int] | None = None

    def _comment(self, number: int) -> str | None:
        """The text after ``#`` of line ``number`` when it holds only a comment.

        Asked from the bottom of a block up (see ``_in_string``)."""
        if not 1 <= number <= len(self.source_lines):
            return None
        stripped = self.source_lines[number - 1].lstrip(" \t\f")
        if not stripped.startswith("#") or self._in_string(number):
            return None
        return stripped[1:].strip()

    def above(self, line: int) -> str | None:
        """The summary of the comment block that ends on the line before ``line``."""
        texts: list[str] = []
        number = line - 1
        while (text := self._comment(number)) is not None:
            texts.append(text)
            number -= 1
        return _summary(texts[::-1]) if texts else None

    def module_summary(self, first_definition_line: int | None) -> str | None:
        """The first comment block at the top of the file that is not a header, nor
        attached to the first definition (``first_definition_line``: its first
        decorator's line or its own)."""
        blocks: list[list[str]] = []
        previous_blank = True
        # Above the first code nothing is a string: every "#" line is a comment.
        for number, line in enumerate(self.source_lines, 1):
            stripped = line.strip(" \t\f")
            if not stripped:
                previous_blank = True
                continue
            if not stripped.startswith("#"):
                if blocks and not previous_blank and number == first_definition_line:
                    blocks.pop()  # the definition's own comment
                break
            if previous_blank:
                blocks.append([])
            blocks[-1].append(stripped[1:].strip())
            previous_blank = False
        for block in blocks:
            summary = _summary(block)
            if summary:
                return summary
        return None

    def _in_string(self, number: int) -> bool:
        """Whether a string literal spans line ``number`` (a line that looks like a comment).

        Cheap first: the lines of the block below it are known to be comments (blocks
        are read from the bottom up, and code follows the block), so a string spanning
        it must end on it: with a triple quote, or after a backslash on the line before.
        Only then are the literals asked.
        """
        line = self.source_lines[number - 1]
        before = self.source_lines[number - 2] if number > 1 else ""
        if '"""' not in line and "'''" not in line and not before.endswith("\\"):
            return False
        if self._in_strings is None:
            self._in_strings = _lines_inside_strings(self.tree)
        return number in self._in_strings


def _lines_inside_strings(tree: ast.Module | None) -> frozenset[int]:
    """Lines after the first of each string literal that spans several."""
    inside: set[int] = set()
    for node in ast.walk(tree) if tree is not None else ():
        if isinstance(node, ast.Constant | ast.JoinedStr):
            end = node.end_lineno or node.lineno
            if end > node.lineno:
                inside.update(range(node.lineno + 1, end + 1))
    return frozenset(inside)


def _summary(texts: list[str]) -> str | None:
    if any(_HEADER.search(t) for t in texts):
        return None
    paragraph: list[str] = []
    for text in texts:
        if _DIRECTIVE.match(text) or (text and _RULER.match(text)):
            continue
        if not text:
            if paragraph:
                break
            continue
        paragraph.append(text)
    summary = " ".join(" ".join(paragraph).split())
    if len(summary) > _MAX_SUMMARY:
        summary = summary[: _MAX_SUMMARY - 1].rstrip() + "\N{HORIZONTAL ELLIPSIS}"
    return summary or None


def read_comments(lines: list[str], tree: ast.Module) -> Comments:
    """The comments of a module's source ``lines`` (split on "\n"), whose parse is
    ``tree`` (which tells a comment from a line inside a string)."""
    return Comments(lines, tree)
