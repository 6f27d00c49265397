"""Who owns a test file, from what projects already write: read as text, never run.

Three sources, each pure and Sphinx-free:

- PyTorch's header comment ``# Owner(s): ["module: nn", "oncall: jit"]`` (every file of
  its suite begins with one, enforced by a lint), read from the comments before the
  first statement;
- a ``CODEOWNERS`` file, GitHub's and GitLab's syntax (GitLab's sections, optional
  sections and section default owners), last match wins within a section;
- marks the user names (``testdocs_owner_markers = ["owner"]``), on a module
  (``pytestmark``), a class or a test: ``@pytest.mark.owner("team-x")``.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sphinx_testdocs.analysis.model import CollectedTest, MarkerUse
from sphinx_testdocs.analysis.scan import glob_regex_source


@dataclass(frozen=True, slots=True)
class Owner:
    """One owner of a file, and where that is written."""

    name: str
    #: "header" (``# Owner(s):``), "CODEOWNERS" or "marker".
    source: str
    #: Where: "line 1" of the file, ".github/CODEOWNERS, line 4"...
    where: str


def unique_names(owners: Iterable[Owner]) -> tuple[str, ...]:
    """Owner names in the order first written, each once."""
    return tuple(dict.fromkeys(o.name for o in owners))


# --- the # Owner(s): header -------------------------------------------------------------

_HEADER = re.compile(
    r"^#[ \t]*owners?(?:\(s\))?[ \t]*:[ \t]*(\[.*\])[ \t]*$", re.IGNORECASE | re.MULTILINE
)


def header_owners(text: str | None) -> tuple[Owner, ...]:
    """The owners the file's ``# Owner(s): [...]`` comment names.

    As PyTorch's lint reads it: a comment line of its own, at the start of a line,
    anywhere (most files begin with it; some have it below a docstring and imports).
    Only a real comment counts, not the same text in a string literal: each line that
    looks like one is confirmed by tokenizing the file up to it. The list is read as a
    literal of strings; quotes of either kind, several owners and trailing spaces are
    fine. The first header found is the file's.
    """
    if not text:
        return ()
    for match in _HEADER.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        if _is_comment(text[: match.end()], line):
            return tuple(_owner_list(match.group(1), line))
    return ()


def _is_comment(prefix: str, line: int) -> bool:
    """Whether the last line of ``prefix`` (line ``line``) is a comment token."""
    try:
        for token in tokenize.generate_tokens(io.StringIO(prefix + "\n").readline):
            if token.type == tokenize.COMMENT and token.start == (line, 0):
                return True
    except (tokenize.TokenError, SyntaxError):
        pass  # the prefix ends inside a string or bracket: the line is inside it
    return False


def _owner_list(literal: str, line: int) -> list[Owner]:
    try:
        value = ast.literal_eval(literal)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return []
    return [Owner(v.strip(), "header", f"line {line}") for v in value if v.strip()]


# --- owner marks -------------------------------------------------------------------------


def marker_owners(markers: Iterable[MarkerUse], names: Sequence[str]) -> tuple[Owner, ...]:
    """Owners named by the string arguments of the marks called ``names``."""
    if not names:
        return ()
    found = []
    for marker in markers:
        if marker.name in names:
            found += [
                Owner(owner, "marker", f"line {marker.line}")
                for owner in _string_arguments(marker.args)
            ]
    return tuple(found)


def test_owners(
    file_owners: Sequence[str], test: CollectedTest, names: Sequence[str]
) -> tuple[str, ...]:
    """A test's owners: its file's, then those its own or its class's owner marks name
    (marks on the module are the file's already)."""
    own = marker_owners((m for m in test.markers if m.origin != "module"), names)
    return tuple(dict.fromkeys((*file_owners, *(o.name for o in own))))


def _string_arguments(args: str) -> list[str]:
    """The string literals among a call's arguments (positional or keyword, or in a
    list or tuple): ``"a", "b"``, ``["a", "b"]``, ``owner="a"``."""
    try:
        call = ast.parse(f"f({args})", mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return []
    if not isinstance(call, ast.Call):
        return []
    values: list[ast.expr] = [*call.args, *(k.value for k in call.keywords)]
    found = []
    for value in values:
        items = value.elts if isinstance(value, ast.List | ast.Tuple) else [value]
        for item in items:
            if isinstance(item, ast.Constant) and isinstance(item.value, str) and item.value:
                found.append(item.value.strip())
    return [f for f in found if f]


# --- CODEOWNERS ------------------------------------------------------------------------------

#: Where GitHub and GitLab look for the file, relative to the repository root, in the
#: order they look (GitHub: .github/, root, docs/; GitLab: root, docs/, .gitlab/).
CODEOWNERS_PLACES = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")


@dataclass(frozen=True, slots=True)
class Rule:
    """One pattern line: its compiled pattern, its owners and its line."""

    pattern: str
    regex: re.Pattern[str]
    owners: tuple[str, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Section:
    """A GitLab section (or the part before any, ``name`` ""): rules in file order."""

    name: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class CodeOwners:
    """A parsed CODEOWNERS file; ``base`` is the folder its patterns are relative to."""

    path: Path
    base: Path
    sections: tuple[Section, ...]
    #: (line, what is wrong) of every line left out.
    problems: tuple[tuple[int, str], ...] = ()

    def owners_of(self, relpath: str) -> tuple[Owner, ...]:
        """The owners of a file (POSIX path relative to ``base``): in each section the
        last rule that matches decides; the sections' owners add up (GitLab)."""
        label = self.label
        found: list[Owner] = []
        for section in self.sections:
            for rule in reversed(section.rules):
                if rule.regex.fullmatch(relpath):
                    where = f"{label}, line {rule.line}"
                    found += [Owner(name, "CODEOWNERS", where) for name in rule.owners]
                    break
        return tuple(found)

    @property
    def label(self) -> str:
        try:
            return self.path.relative_to(self.base).as_posix()
        except ValueError:
            return self.path.name


_SECTION = re.compile(r"^(\^)?\[([^\]]+)\](?:\[(\d+)\])?(.*)$")
#: An owner: @user, @org/team, @@role (GitLab), or an e-mail address.
_OWNER = re.compile(r"^@{1,2}[\w.\-/]+$|^[^@\s]+@[^@\s]+$")


def parse_codeowners(text: str, path: Path, base: Path) -> CodeOwners:
    """Every usable rule of a CODEOWNERS file; a malformed line is left out and noted
    (GitHub skips such lines too), the rest is kept."""
    sections: dict[str, tuple[str, list[Rule], tuple[str, ...]]] = {"": ("", [], ())}
    current = ""
    problems: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        head = _SECTION.match(line)
        if head and not line.startswith("\\"):
            name, rest = head.group(2).strip(), _strip_comment(head.group(4))
            defaults = tuple(_split(rest))
            bad = [o for o in defaults if not _OWNER.match(o)]
            if bad or not name:
                problems.append((number, f"bad section header {line!r}"))
                continue
            # GitLab merges sections of the same name, whatever their case.
            current = name.lower()
            shown, rules, old = sections.get(current, (name, [], ()))
            sections[current] = (shown, rules, defaults or old)
            continue
        if line.startswith(("[", "^[")):
            problems.append((number, f"unclosed section header {line!r}"))
            continue
        fields = _split(_strip_comment(line))
        pattern, owners = fields[0], tuple(fields[1:])
        bad = [o for o in owners if not _OWNER.match(o)]
        if bad:
            problems.append((number, f"{bad[0]!r} is not an owner (@user, @org/team or e-mail)"))
            continue
        regex = pattern_regex(pattern)
        if regex is None:
            problems.append((number, f"unsupported pattern {pattern!r}"))
            continue
        shown, rules, defaults = sections[current]
        rules.append(Rule(pattern, regex, owners or defaults, number))
    return CodeOwners(
        path=path,
        base=base,
        sections=tuple(Section(shown, tuple(rules)) for shown, rules, _ in sections.values()),
        problems=tuple(problems),
    )


def _strip_comment(text: str) -> str:
    """Text before an unescaped `` #`` comment."""
    match = re.search(r"(?<!\\)\s#", text)
    return text[: match.start()] if match else text


def _split(text: str) -> list[str]:
    """Fields separated by unescaped whitespace (``\\ `` is a space in a pattern)."""
    fields = re.split(r"(?<!\\)\s+", text.strip())
    return [f.replace("\\ ", " ").replace("\\#", "#") for f in fields if f]


def pattern_regex(pattern: str) -> re.Pattern[str] | None:
    """A CODEOWNERS pattern as a regular expression over POSIX paths of files.

    gitignore's rules as GitHub and GitLab apply them: a pattern with a "/" at its
    start or in its middle is anchored at the base, one without matches at any depth;
    "*" and "?" stay within a path segment, "**" crosses them; a pattern ending in "/"
    matches only folders; a pattern that matches a folder owns every file below it,
    except one ending in "/*", which matches only the files directly in its folder (as
    both forges document). Negation ("!") is not supported by either: None.
    """
    if pattern.startswith("!") or not pattern.strip("/"):
        return None
    folder_only = pattern.endswith("/")
    body = pattern.strip("/") if folder_only else pattern.lstrip("/")
    anchored = pattern.startswith("/") or "/" in body
    last = body.rsplit("/", 1)[-1]
    out = ["" if anchored else "(?:.*/)?", glob_regex_source(body)]
    if folder_only:
        out.append("/.*")
    elif last not in ("*", "**"):
        out.append("(?:/.*)?")
    try:
        return re.compile("".join(out), re.DOTALL)
    except re.error:
        return None


def find_codeowners(start: Path, stop: Path) -> tuple[Path, Path] | None:
    """The CODEOWNERS file that governs ``start``: (file, the folder its patterns are
    relative to), looked for in the usual places of ``start`` and each folder above it
    up to ``stop`` (included); None when there is none."""
    start, stop = start.absolute(), stop.absolute()
    if stop not in (start, *start.parents):
        stop = start  # a project root elsewhere: nothing above is the project's
    for folder in (start, *start.parents):
        for place in CODEOWNERS_PLACES:
            candidate = folder / place
            if candidate.is_file():
                return candidate, folder
        if folder == stop:
            break
    return None


def read_codeowners(start: Path, stop: Path) -> CodeOwners | None:
    """The parsed CODEOWNERS file governing ``start`` (see ``find_codeowners``).

    Read as bytes and decoded as UTF-8 with replacement: the file is data, and a bad
    byte costs at most the line it is on.
    """
    found = find_codeowners(start, stop)
    if found is None:
        return None
    path, base = found
    try:
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
    except OSError as error:
        return CodeOwners(path, base, (), ((0, f"cannot be read: {error.strerror}"),))
    return parse_codeowners(text, path, base)
