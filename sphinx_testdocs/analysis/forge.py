"""Links to a file's lines on the forge (GitHub, GitLab...) at the commit documented.

The commit comes from the build's environment when a Read the Docs or CI build sets
it, else from the checkout's ``.git`` read as files: ``HEAD``, then the ref it names
as a loose file or in ``packed-refs``. Git is never run: the checkout is data, and
a build must not execute what a repository's configuration asks for.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote

#: Environment variables that carry the commit being built, in the order read: Read
#: the Docs, GitHub Actions, GitLab CI, Bitbucket Pipelines, CircleCI, Azure
#: Pipelines, Travis CI, Buildkite, Jenkins (git plugin).
COMMIT_VARIABLES = (
    "READTHEDOCS_GIT_COMMIT_HASH",
    "GITHUB_SHA",
    "CI_COMMIT_SHA",
    "BITBUCKET_COMMIT",
    "CIRCLE_SHA1",
    "BUILD_SOURCEVERSION",
    "TRAVIS_COMMIT",
    "BUILDKITE_COMMIT",
    "GIT_COMMIT",
)

#: The placeholders a template may use.
PLACEHOLDERS = ("commit", "path", "line")

_SHA = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")  # SHA-1 or SHA-256
_REF = re.compile(r"^refs/[A-Za-z0-9._/\-+@]+$")


def template_problem(template: str) -> str | None:
    """What is wrong with a ``testdocs_source_url`` template, or None."""
    if not re.match(r"^https?://", template):
        return "an http:// or https:// address"
    unknown = sorted(set(re.findall(r"\{([^{}]*)\}", template)) - set(PLACEHOLDERS))
    if unknown:
        allowed = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
        return f"a template whose placeholders are among {allowed} (not {{{unknown[0]}}})"
    if "{path}" not in template:
        return "a template with a {path} placeholder"
    return None


@dataclass(frozen=True, slots=True)
class GitCheckout:
    """The repository a folder is in: its root (the folder holding ``.git``) and the
    commit checked out (None when none can be read: a branch with no commit yet)."""

    root: Path
    commit: str | None
    #: Where the commit was read: an environment variable, or the ``.git`` files.
    how: str


def find_checkout(start: Path, environ: Mapping[str, str]) -> GitCheckout | None:
    """The checkout at or above ``start``; None outside any."""
    start = start.absolute()
    for folder in (start, *start.parents):
        dotgit = folder / ".git"
        if dotgit.exists():
            break
    else:
        return None
    for variable in COMMIT_VARIABLES:
        value = environ.get(variable, "").strip().lower()
        if _SHA.match(value):
            return GitCheckout(folder, value, f"${variable}")
    gitdir = _gitdir(dotgit)
    commit = _head_commit(gitdir) if gitdir is not None else None
    return GitCheckout(folder, commit, ".git/HEAD")


def _read(path: Path) -> str | None:
    try:
        return path.read_bytes()[:4096].decode("utf-8", errors="replace").strip()
    except OSError:
        return None


def _gitdir(dotgit: Path) -> Path | None:
    """The git directory: ``.git`` itself, or where a ``.git`` file points (worktrees,
    submodules: ``gitdir: <path>``, relative to the file's folder)."""
    if dotgit.is_dir():
        return dotgit
    text = _read(dotgit)
    if not text or not text.startswith("gitdir:"):
        return None
    target = Path(text[len("gitdir:") :].strip())
    gitdir = target if target.is_absolute() else dotgit.parent / target
    return gitdir if gitdir.is_dir() else None


def _common_dir(gitdir: Path) -> Path:
    """Where the refs shared by every worktree live (``commondir``), else ``gitdir``."""
    text = _read(gitdir / "commondir")
    if not text:
        return gitdir
    common = Path(text)
    common = common if common.is_absolute() else gitdir / common
    return common if common.is_dir() else gitdir


def _head_commit(gitdir: Path) -> str | None:
    """The commit ``HEAD`` names: itself when detached, else its ref's, followed as a
    loose ref file (the worktree's, then the common one) or a line of packed-refs."""
    common = _common_dir(gitdir)
    text = _read(gitdir / "HEAD")
    for _ in range(5):  # symbolic refs may chain; never loop
        if text is None:
            return None
        if _SHA.match(text):
            return text
        if not text.startswith("ref:"):
            return None
        ref = text[4:].strip()
        if not _REF.match(ref) or ".." in ref:
            return None
        text = _read(gitdir / ref) or _read(common / ref) or _packed_ref(common, ref)
    return None


def _packed_ref(common: Path, ref: str) -> str | None:
    text = _read_all(common / "packed-refs")
    for line in text.splitlines():
        if line.startswith(("#", "^")):
            continue
        sha, _, name = line.partition(" ")
        if name.strip() == ref and _SHA.match(sha):
            return sha
    return None


def _read_all(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return ""


def file_url(template: str, path: PurePosixPath) -> str:
    """The template filled for one file: ``{commit}`` is left for ``fill_commit`` and
    ``{line}`` for ``line_url``, so that the pages read keep no commit (a new commit
    changes no page; its links are filled when pages are written)."""
    return template.replace("{path}", quote(path.as_posix(), safe="/"))


def fill_commit(url: str, commit: str) -> str:
    """An address with the commit in place of ``{commit}``."""
    return url.replace("{commit}", quote(commit, safe=""))


def line_url(url: str, line: int) -> str:
    """A file's address (``file_url``) at one line."""
    return url.replace("{line}", str(int(line)))


def whole_file_url(url: str) -> str:
    """A file's address without a line: the fragment that holds ``{line}`` dropped
    (``...#L{line}``), else the first line's."""
    base, hash_, fragment = url.partition("#")
    if hash_ and "{line}" in fragment:
        return base
    return line_url(url, 1)
