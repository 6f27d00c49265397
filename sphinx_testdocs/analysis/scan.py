"""Find the files of a configured test directory: which get pages, which are listed.

Pure filesystem work (no Sphinx): the scan only lists and stats; it never opens a
Python file. Every listing is sorted so that output does not depend on the order the
operating system returns directory entries in.
"""

from __future__ import annotations

import errno
import mimetypes
import os
import re
import stat
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path, PurePosixPath

#: Directories never entered unless the user includes them explicitly: VCS metadata,
#: virtual environments, caches and build products (pytest skips the same by default).
DEFAULT_EXCLUDE: tuple[str, ...] = (
    "**/.*/**",
    "**/__pycache__/**",
    "**/*.egg-info/**",
    "**/node_modules/**",
    "**/venv/**",
    "**/_build/**",
)

README_NAMES = ("readme.rst", "readme.md", "readme.txt", "readme")


@dataclass(frozen=True, slots=True)
class ScannedFile:
    """A Python file that gets a page."""

    relpath: str  # POSIX, relative to the configured root
    path: Path  # absolute, as found (not resolved through symlinks)
    size: int
    mtime_ns: int

    @property
    def folder(self) -> str:
        parent = PurePosixPath(self.relpath).parent.as_posix()
        return "" if parent == "." else parent

    @property
    def name(self) -> str:
        return PurePosixPath(self.relpath).name


@dataclass(frozen=True, slots=True)
class OtherFile:
    """A non-Python file listed on its folder's page."""

    name: str
    size: int
    kind: str


@dataclass(frozen=True, slots=True)
class ScannedFolder:
    """A folder that holds Python files, directly or below."""

    relpath: str  # "" for the configured root
    files: tuple[str, ...] = ()  # relpaths of Python files directly inside, sorted
    subfolders: tuple[str, ...] = ()  # relpaths, sorted
    others: tuple[OtherFile, ...] = ()
    readme: str | None = None  # relpath

    @property
    def name(self) -> str:
        return PurePosixPath(self.relpath).name if self.relpath else ""


@dataclass(frozen=True, slots=True)
class ScanProblem:
    """Something the scan skipped, with the reason (reported as a warning)."""

    subtype: str
    path: Path
    message: str


@dataclass(frozen=True)
class ScannedTree:
    """Everything found under one configured directory."""

    root: Path
    files: tuple[ScannedFile, ...]
    folders: tuple[ScannedFolder, ...]
    problems: tuple[ScanProblem, ...] = ()
    _by_relpath: dict[str, ScannedFile] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_relpath.update((f.relpath, f) for f in self.files)

    def file(self, relpath: str) -> ScannedFile | None:
        return self._by_relpath.get(relpath)

    def folder(self, relpath: str) -> ScannedFolder | None:
        for folder in self.folders:
            if folder.relpath == relpath:
                return folder
        return None


@lru_cache(maxsize=256)
def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """Compile a glob where ``*`` stays within a path segment and ``**`` spans any."""
    return re.compile(glob_regex_source(pattern) + r"\Z")


def glob_regex_source(pattern: str) -> str:
    """The regular expression of a glob (``glob_to_regex``), as text to build on."""
    i, out = 0, []
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def matches_any(relpath: str, patterns: Sequence[str]) -> bool:
    """True when the POSIX ``relpath`` matches one of the globs."""
    return any(glob_to_regex(p).match(relpath) for p in patterns)


def _dir_excluded(relpath: str, exclude: Sequence[str]) -> bool:
    # A directory pattern "x/**" excludes the directory "x" itself.
    probe = relpath + "/"
    return any(glob_to_regex(p).match(probe) for p in exclude)


def _file_kind(name: str) -> str:
    guessed, _ = mimetypes.guess_type(name, strict=False)
    return guessed or "unknown"


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _valid_name(name: str) -> bool:
    """False for names that are not valid UTF-8 (decoded with surrogate escapes)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_link(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return False


def _wanted(
    entry: os.DirEntry[str], rel: str, include: Sequence[str], exclude: Sequence[str]
) -> bool:
    """Whether an entry that cannot be inspected would have been documented."""
    if _dir_excluded(rel, exclude) or matches_any(rel, exclude):
        return False
    return matches_any(rel, include) or entry.name.endswith(".py") or "." not in entry.name


def _special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def _link_problem(
    path: Path, directory: Path, real_root: Path, is_dir: bool, follow: bool
) -> ScanProblem | None:
    """Why a symbolic link is not followed, or None to follow it.

    A problem with an empty message means "skip silently": a link to a folder inside the
    root, whose content is documented under its real path.
    """
    try:
        target = path.resolve()
        here = directory.resolve()
    except (OSError, RuntimeError):
        return ScanProblem("symlink", path, "symbolic link loop; not followed")
    if is_dir and (target == here or _inside(here, target)):
        return ScanProblem(
            "symlink",
            path,
            "symbolic link loop: it leads back to a folder that contains it; not followed",
        )
    if _inside(target, real_root):
        return ScanProblem("symlink", path, "") if is_dir else None
    if not follow:
        return ScanProblem(
            "symlink",
            path,
            "symbolic link leads outside the documented folder; not followed (set "
            "testdocs_follow_symlinks to follow it)",
        )
    return None


def scan_tree(
    root: Path,
    *,
    include: Sequence[str] = ("**/*.py",),
    exclude: Sequence[str] = DEFAULT_EXCLUDE,
    skip_dirs: Collection[Path] = (),
    follow_symlinks: bool = False,
) -> ScannedTree:
    """List the Python files and folders under ``root``.

    ``skip_dirs`` (resolved paths) are never entered: the Sphinx source, output and
    generated directories, so the documentation never documents itself. Symbolic links
    are not followed unless ``follow_symlinks``; even then a link is followed only once
    (a link loop is reported, not walked forever).
    """
    root = root.absolute()
    real_root = root.resolve()
    skip = {p.resolve() for p in skip_dirs}
    files: list[ScannedFile] = []
    problems: list[ScanProblem] = []
    direct_files: dict[str, list[str]] = {}
    direct_dirs: dict[str, list[str]] = {}
    others: dict[str, list[OtherFile]] = {}
    readmes: dict[str, str] = {}
    # Real paths of the folders entered so far: a followed link never enters one twice.
    seen_real: set[Path] = {real_root}

    stack: list[tuple[Path, str]] = [(root, "")]
    while stack:
        directory, rel = stack.pop()
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            problems.append(ScanProblem("scan", directory, f"cannot list folder: {exc.strerror}"))
            continue
        direct_files.setdefault(rel, [])
        direct_dirs.setdefault(rel, [])
        for entry in entries:
            child_rel = f"{rel}/{entry.name}" if rel else entry.name
            path = Path(entry.path)
            if not _valid_name(entry.name):
                if matches_any(child_rel, include) or entry.is_dir():
                    problems.append(
                        ScanProblem(
                            "scan",
                            directory,
                            f"skipped {os.fsencode(entry.name)!r}: the name is not valid "
                            "UTF-8, so no page can show it",
                        )
                    )
                continue
            try:
                is_link = entry.is_symlink()
                st = entry.stat(follow_symlinks=True)
            except OSError as exc:
                if not _wanted(entry, child_rel, include, exclude):
                    continue
                if exc.errno == errno.ELOOP:
                    problems.append(
                        ScanProblem("symlink", path, "symbolic link loop; not followed")
                    )
                elif _is_link(entry):
                    problems.append(
                        ScanProblem("symlink", path, f"broken symbolic link: {exc.strerror}")
                    )
                else:
                    problems.append(ScanProblem("scan", path, f"cannot stat: {exc.strerror}"))
                continue
            is_dir = stat.S_ISDIR(st.st_mode)
            if is_dir:
                if _dir_excluded(child_rel, exclude):
                    continue
            elif not (matches_any(child_rel, include) and not matches_any(child_rel, exclude)):
                if stat.S_ISREG(st.st_mode):
                    if entry.name.lower() in README_NAMES and rel not in readmes:
                        readmes[rel] = child_rel
                    if not entry.name.endswith((".pyc", ".pyo")):
                        others.setdefault(rel, []).append(
                            OtherFile(entry.name, st.st_size, _file_kind(entry.name))
                        )
                continue
            if is_link:
                problem = _link_problem(path, directory, real_root, is_dir, follow_symlinks)
                if problem is not None:
                    if problem.message:
                        problems.append(problem)
                    continue
            if is_dir:
                real = path.resolve()
                if real in skip:
                    continue
                if real in seen_real:
                    problems.append(
                        ScanProblem(
                            "symlink",
                            path,
                            "symbolic link to a folder documented already; not followed",
                        )
                    )
                    continue
                seen_real.add(real)
                direct_dirs[rel].append(child_rel)
                stack.append((path, child_rel))
            elif stat.S_ISREG(st.st_mode):
                files.append(ScannedFile(child_rel, path, st.st_size, st.st_mtime_ns))
                direct_files[rel].append(child_rel)
            else:
                # Never opened: reading a named pipe blocks, a device may never end.
                problems.append(
                    ScanProblem(
                        "scan", path, f"not a regular file ({_special_kind(st.st_mode)}); no page"
                    )
                )

    # Keep only folders that hold Python files somewhere below: data-only folders are
    # listed among their parent's other files instead of getting a page of their own.
    has_python: dict[str, bool] = {}
    for rel in sorted(direct_dirs, key=lambda r: r.count("/"), reverse=True):
        has_python[rel] = bool(direct_files.get(rel)) or any(
            has_python.get(d, False) for d in direct_dirs[rel]
        )
    folders = []
    for rel in sorted(direct_dirs):
        if not has_python[rel] and rel:
            continue
        kept_dirs = [d for d in direct_dirs[rel] if has_python.get(d)]
        data_dirs = [
            OtherFile(PurePosixPath(d).name + "/", 0, "folder")
            for d in direct_dirs[rel]
            if not has_python.get(d)
        ]
        folders.append(
            ScannedFolder(
                relpath=rel,
                files=tuple(sorted(direct_files.get(rel, ()))),
                subfolders=tuple(sorted(kept_dirs)),
                others=tuple(sorted([*others.get(rel, ()), *data_dirs], key=lambda o: o.name)),
                readme=readmes.get(rel),
            )
        )
    files.sort(key=lambda f: f.relpath)
    return ScannedTree(
        root=root, files=tuple(files), folders=tuple(folders), problems=tuple(problems)
    )


def find_project_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` that looks like a project root.

    Falls back to the parent of ``start``: a bare ``tests/`` folder is usually run as
    ``pytest tests/...`` from the folder that holds it.
    """
    markers = ("pyproject.toml", "setup.py", "setup.cfg", "tox.ini", "pytest.ini", ".git")
    start = start.absolute()
    for candidate in (start, *start.parents):
        if any((candidate / m).exists() for m in markers):
            return candidate
    return start.parent


def without_folders(tree: ScannedTree, reason_of: Callable[[str], str | None]) -> ScannedTree:
    """The tree without the folders ``reason_of`` gives a reason to leave out (and all
    below them); each is listed on its parent's page instead, with that reason.

    Used for the folders pytest never enters: sample applications and fixture data kept
    beside the tests (pytest's own ``testing/example_scripts``) are not tests, and their
    pages would make test references ambiguous. The root is always kept.
    """
    dropped: dict[str, str] = {}
    for folder in tree.folders:  # sorted: a parent comes before its children
        rel = folder.relpath
        if not rel or any(rel.startswith(d + "/") for d in dropped):
            continue
        reason = reason_of(rel)
        if reason is not None:
            dropped[rel] = reason
    if not dropped:
        return tree

    def gone(rel: str) -> bool:
        return any(rel == d or rel.startswith(d + "/") for d in dropped)

    folders = []
    for folder in tree.folders:
        if gone(folder.relpath):
            continue
        left_out = [
            OtherFile(PurePosixPath(d).name + "/", 0, f"folder pytest never enters: {dropped[d]}")
            for d in folder.subfolders
            if d in dropped
        ]
        folders.append(
            replace(
                folder,
                subfolders=tuple(d for d in folder.subfolders if d not in dropped),
                others=tuple(sorted([*folder.others, *left_out], key=lambda o: o.name)),
            )
        )
    return ScannedTree(
        root=tree.root,
        files=tuple(f for f in tree.files if not gone(f.folder)),
        folders=tuple(folders),
        problems=tuple(p for p in tree.problems if not _under(p.path, tree.root, gone)),
    )


def _under(path: Path, root: Path, gone: Callable[[str], bool]) -> bool:
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        return False
    return gone(PurePosixPath(rel).parent.as_posix()) or gone(rel)
