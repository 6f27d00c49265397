"""What a comment says a test or a file is for, read from the source's tokens, never run.

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
"""

from __future__ import annotations

import io
import re
import tokenize
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


@dataclass(frozen=True)
class Comments:
    """The whole-line comments of a module, by line, and where its code starts."""

    #: Line number -> the comment's text after ``#`` (stripped).
    lines: dict[int, str] = field(default_factory=dict)
    #: The first line holding code (0 when the module has none).
    first_code_line: int = 0

    def above(self, line: int) -> str | None:
        """The summary of the comment block that ends on the line before ``line``."""
        end = line - 1
        start = end
        while start - 1 in self.lines:
            start -= 1
        if end not in self.lines:
            return None
        return _summary([self.lines[n] for n in range(start, end + 1)])

    def module_summary(self, first_definition_line: int | None) -> str | None:
        """The first comment block at the top of the file that is not a header, nor
        attached to the first definition (``first_definition_line``: its first
        decorator's line or its own)."""
        limit = self.first_code_line or (max(self.lines, default=0) + 1)
        blocks: list[list[int]] = []
        for number in sorted(n for n in self.lines if n < limit):
            if blocks and blocks[-1][-1] == number - 1:
                blocks[-1].append(number)
            else:
                blocks.append([number])
        for block in blocks:
            if first_definition_line is not None and block[-1] == first_definition_line - 1:
                break  # the definition's own comment
            summary = _summary([self.lines[n] for n in block])
            if summary:
                return summary
        return None


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


def read_comments(text: str) -> Comments:
    """The whole-line comments of ``text`` (Python source), from its tokens.

    Tokens, not lines: a ``#`` inside a string is no comment. Source the tokenizer
    stops on keeps the comments read up to that point.
    """
    lines: dict[int, str] = {}
    first_code = 0
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.ENCODING}
    skip |= {tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                row, col = token.start
                if not token.line[:col].strip():
                    lines[row] = token.string[1:].strip()
            elif token.type not in skip and not first_code:
                first_code = token.start[0]
    except (tokenize.TokenError, SyntaxError):
        pass
    return Comments(lines, first_code)
