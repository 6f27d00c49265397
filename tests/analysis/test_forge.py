"""The commit and addresses for links to the forge, read from real checkouts.

The checkouts are made by running git here, in the test; the extension itself reads
``.git`` as files and never runs git.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path, PurePosixPath

import pytest

from sphinx_testdocs.analysis.forge import (
    COMMIT_VARIABLES,
    file_url,
    fill_commit,
    find_checkout,
    line_url,
    template_problem,
    whole_file_url,
)

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not on PATH")


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(
        [
            "git",
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "init.defaultBranch=main",
            *args,
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "tests").mkdir(parents=True)
    (root / "tests" / "test_a.py").write_text("def test_a():\n    pass\n")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "first")
    return root


NO_CI: dict[str, str] = {}


def test_branch_head_read_from_loose_ref(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    found = find_checkout(repo / "tests", NO_CI)
    assert found is not None
    assert (found.root, found.commit, found.how) == (repo, head, ".git/HEAD")


def test_packed_refs(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    git(repo, "pack-refs", "--all", "--prune")
    assert not (repo / ".git" / "refs" / "heads" / "main").exists()
    assert "refs/heads/main" in (repo / ".git" / "packed-refs").read_text()
    found = find_checkout(repo / "tests", NO_CI)
    assert found is not None and found.commit == head


def test_detached_head(repo: Path) -> None:
    first = git(repo, "rev-parse", "HEAD")
    (repo / "tests" / "test_b.py").write_text("def test_b():\n    pass\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "second")
    git(repo, "checkout", "-q", "--detach", first)
    found = find_checkout(repo, NO_CI)
    assert found is not None and found.commit == first


def test_worktree_dotgit_file(repo: Path, tmp_path: Path) -> None:
    git(repo, "branch", "other")
    (repo / "tests" / "test_c.py").write_text("def test_c():\n    pass\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "main moves on")
    other = git(repo, "rev-parse", "other")
    tree = tmp_path / "tree"
    git(repo, "worktree", "add", "-q", str(tree), "other")
    assert (tree / ".git").is_file()  # "gitdir: .../.git/worktrees/tree"
    found = find_checkout(tree / "tests", NO_CI)
    assert found is not None
    assert (found.root, found.commit) == (tree, other)
    assert other != git(repo, "rev-parse", "HEAD")


def test_branch_without_commit(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    found = find_checkout(tmp_path, NO_CI)
    assert found is not None and (found.root, found.commit) == (tmp_path, None)


def test_outside_any_checkout(tmp_path: Path) -> None:
    assert find_checkout(tmp_path, NO_CI) is None


def test_ci_variable_wins_and_is_checked(repo: Path) -> None:
    sha = "a" * 40
    found = find_checkout(repo, {"GITHUB_SHA": sha})
    assert found is not None and (found.commit, found.how) == (sha, "$GITHUB_SHA")
    # Read the Docs' comes first; a value that is no commit is ignored.
    found = find_checkout(repo, {"READTHEDOCS_GIT_COMMIT_HASH": "B" * 40, "GITHUB_SHA": sha})
    assert found is not None and found.commit == "b" * 40
    found = find_checkout(repo, {"CI_COMMIT_SHA": "../../etc/passwd"})
    assert found is not None and found.commit == git(repo, "rev-parse", "HEAD")
    assert COMMIT_VARIABLES[:3] == ("READTHEDOCS_GIT_COMMIT_HASH", "GITHUB_SHA", "CI_COMMIT_SHA")


def test_hostile_head_is_no_commit(tmp_path: Path) -> None:
    # A ref that climbs out of .git to a file holding what looks like a commit: with
    # .git/refs present the operating system would resolve it, so only the check stops it.
    (tmp_path / ".git" / "refs").mkdir(parents=True)
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/../../outside\n")
    (tmp_path / "outside").write_text("c" * 40)
    found = find_checkout(tmp_path, NO_CI)
    assert found is not None and found.commit is None


TEMPLATE = "https://github.com/org/repo/blob/{commit}/{path}#L{line}"


def test_addresses_are_percent_encoded() -> None:
    url = file_url(TEMPLATE, PurePosixPath("tests/dir with space/t#1.py"))
    # The commit is filled when pages are written (pages read keep none).
    assert (
        url
        == "https://github.com/org/repo/blob/{commit}/tests/dir%20with%20space/t%231.py#L{line}"
    )
    url = fill_commit(url, "abc")
    assert line_url(url, 12) == (
        "https://github.com/org/repo/blob/abc/tests/dir%20with%20space/t%231.py#L12"
    )
    assert whole_file_url(url).endswith("/abc/tests/dir%20with%20space/t%231.py")
    fixed = "https://example.org/src/{path}?line={line}"
    assert file_url(fixed, PurePosixPath("a.py")) == "https://example.org/src/a.py?line={line}"
    assert whole_file_url("https://example.org/src/a.py?line={line}").endswith("?line=1")


@pytest.mark.parametrize(
    ("template", "ok"),
    [
        (TEMPLATE, True),
        ("https://gitlab.com/g/p/-/blob/main/{path}#L{line}", True),
        ("ftp://x/{path}", False),
        ("https://x/{commit}", False),
        ("https://x/{path}/{branch}", False),
    ],
)
def test_template_checks(template: str, ok: bool) -> None:
    assert (template_problem(template) is None) == ok
