"""Owners from what projects write: PyTorch's header, CODEOWNERS files, owner marks."""

from __future__ import annotations

from pathlib import Path

import pytest

from sphinx_testdocs.analysis.model import MarkerUse
from sphinx_testdocs.analysis.owners import (
    Owner,
    find_codeowners,
    header_owners,
    marker_owners,
    parse_codeowners,
    pattern_regex,
    read_codeowners,
)
from tests.conftest import CORPUS


def names(owners: tuple[Owner, ...]) -> list[str]:
    return [o.name for o in owners]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('# Owner(s): ["module: nn"]\n\nimport torch\n', ["module: nn"]),
        ("# Owner(s): ['module: nn']\n", ["module: nn"]),
        ('# Owner(s): ["module: nn", "oncall: jit"]   \nx = 1\n', ["module: nn", "oncall: jit"]),
        ('#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n# Owner(s): ["a"]\n', ["a"]),
        ('#Owners: ["a"]\n', ["a"]),
        ('# owner(s) :  [ "a" , "b" ]\n', ["a", "b"]),
        # Below a docstring and imports, as PyTorch's lint accepts (dynamo's tests).
        ('"""Doc."""\nimport os\n\n# Owner(s): ["module: dynamo"]\n', ["module: dynamo"]),
        # Not a header: in a string, indented, not a list of strings.
        ('"""\n# Owner(s): ["doc"]\n"""\n', []),
        ('x = """\n# Owner(s): ["doc"]\n"""\n# Owner(s): ["real"]\n', ["real"]),
        ('if x:\n    # Owner(s): ["indented"]\n    pass\n', []),
        ("# Owner(s): [module_nn]\n", []),
        ('# Owner(s): "a"\n', []),
        ("# Owner(s): []\n", []),
        ("", []),
        # A file that does not tokenize further down keeps its header.
        ('# Owner(s): ["a"]\nx = (\n', ["a"]),
    ],
)
def test_header(source: str, expected: list[str]) -> None:
    assert names(header_owners(source)) == expected


def test_header_says_where() -> None:
    assert header_owners('\n# Owner(s): ["module: nn"]\n') == (
        Owner("module: nn", "header", "line 2"),
    )


@pytest.mark.skipif(not CORPUS.is_dir(), reason="PyTorch seed corpus not present")
def test_every_pytorch_seed_header_is_read() -> None:
    files = sorted(CORPUS.rglob("test_*.py"))
    assert files
    found = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        lines = [line for line in text.splitlines() if line.startswith("# Owner(s):")]
        owners = header_owners(text)
        # Exactly the files with the line (two seeds have none), and what it says.
        assert bool(owners) == bool(lines), path
        if lines:
            found += 1
            assert all(f'"{o.name}"' in lines[0] for o in owners), path
    assert found == len(files) - 2


def test_marker_owners() -> None:
    marks = [
        MarkerUse("owner", '"team-a"', 3),
        MarkerUse("owner", '["team-b", "team-c"], reason="x"', 4, origin="class"),
        MarkerUse("owner", "TEAM", 5),  # a name, not knowable statically
        MarkerUse("slow", '"not an owner"', 6),
    ]
    assert names(marker_owners(marks, ["owner"])) == ["team-a", "team-b", "team-c", "x"]
    assert marker_owners(marks, []) == ()
    assert marker_owners(marks, ["owner"])[0] == Owner("team-a", "marker", "line 3")


@pytest.mark.parametrize(
    ("pattern", "matching", "not_matching"),
    [
        ("*", ["a.py", "x/y/z.py"], []),
        ("*.py", ["a.py", "x/y/z.py"], ["a.pyc", "x/py/a.txt"]),
        ("apps/", ["apps/a.py", "x/apps/b/c.py"], ["apps", "myapps/a.py"]),
        ("/docs/", ["docs/a.md", "docs/x/y.md"], ["x/docs/a.md"]),
        ("docs/*", ["docs/a.md"], ["docs/x/y.md", "x/docs/a.md"]),
        ("/build/logs/", ["build/logs/a.log"], ["x/build/logs/a.log"]),
        ("**/logs", ["logs/a", "x/logs/a", "x/y/logs"], ["x/logs2/a"]),
        ("docs/**", ["docs/a", "docs/x/y"], ["docs"]),
        ("a/**/b.py", ["a/b.py", "a/x/y/b.py"], ["a/x/c.py"]),
        ("test_?.py", ["test_a.py", "x/test_b.py"], ["test_ab.py"]),
        ("test_[ab].py", ["test_a.py"], ["test_c.py"]),
        ("tests/unit", ["tests/unit/a.py", "tests/unit"], ["x/tests/unit/a.py"]),
        ("unit", ["unit/a.py", "tests/unit/a.py", "unit"], ["units/a.py"]),
    ],
)
def test_patterns(pattern: str, matching: list[str], not_matching: list[str]) -> None:
    regex = pattern_regex(pattern)
    assert regex is not None
    for path in matching:
        assert regex.fullmatch(path), path
    for path in not_matching:
        assert not regex.fullmatch(path), path


def test_negation_is_not_a_pattern() -> None:
    assert pattern_regex("!keep.py") is None
    assert pattern_regex("/") is None


GITHUB = """\
# Default owners, then more specific ones: the last match wins.
*                 @org/everyone
*.py              @org/python   # an inline comment
/tests/           @org/tests @alice
/tests/unit/      dev@example.com
/tests/unit/legacy/
tests/dir\\ with\\ space/  @org/spaces
"""


def test_github_last_match_wins(tmp_path: Path) -> None:
    owners = parse_codeowners(GITHUB, tmp_path / ".github/CODEOWNERS", tmp_path)
    assert owners.problems == ()

    def of(path: str) -> list[str]:
        return names(owners.owners_of(path))

    assert of("README.md") == ["@org/everyone"]
    assert of("src/x.py") == ["@org/python"]
    assert of("tests/test_a.py") == ["@org/tests", "@alice"]
    assert of("tests/unit/test_b.py") == ["dev@example.com"]
    # A pattern with no owner unassigns: the file has none.
    assert of("tests/unit/legacy/test_c.py") == []
    assert of("tests/dir with space/test_d.py") == ["@org/spaces"]
    where = owners.owners_of("tests/test_a.py")[0]
    assert (where.source, where.where) == ("CODEOWNERS", ".github/CODEOWNERS, line 4")


GITLAB = """\
* @everyone

[Tests] @qa-team
tests/
tests/gpu/ @gpu-team

^[Optional docs][2] @docs
*.md

[tests]
tests/slow/ @perf

[Broken
tests/bad/ not-an-owner
!tests/neg/ @x
[Bad section] owner-without-at
"""


def test_gitlab_sections_add_up(tmp_path: Path) -> None:
    owners = parse_codeowners(GITLAB, tmp_path / "CODEOWNERS", tmp_path)

    def of(path: str) -> list[str]:
        return names(owners.owners_of(path))

    # Each section decides by its own last match; the sections' owners add up.
    assert of("src/a.py") == ["@everyone"]
    assert of("tests/test_a.py") == ["@everyone", "@qa-team"]
    assert of("tests/gpu/test_b.py") == ["@everyone", "@gpu-team"]
    # "[tests]" is "[Tests]" again (GitLab ignores the case): its rules come later.
    assert of("tests/slow/test_c.py") == ["@everyone", "@perf"]
    assert of("tests/README.md") == ["@everyone", "@qa-team", "@docs"]
    # Every malformed line is reported with its line; the others still apply.
    assert [line for line, _ in owners.problems] == [13, 14, 15, 16]
    assert "not-an-owner" in owners.problems[1][1]
    assert [s.name for s in owners.sections] == ["", "Tests", "Optional docs"]


def test_found_in_the_usual_places_upward(tmp_path: Path) -> None:
    tests = tmp_path / "project" / "tests"
    tests.mkdir(parents=True)
    assert find_codeowners(tests, tmp_path) is None
    (tmp_path / "CODEOWNERS").write_text("* @top\n")
    # Above the project root: not looked at when the search stops at the project.
    assert find_codeowners(tests, tmp_path / "project") is None
    assert find_codeowners(tests, tmp_path) == (tmp_path / "CODEOWNERS", tmp_path)
    (tmp_path / "project" / ".gitlab").mkdir()
    (tmp_path / "project" / ".gitlab" / "CODEOWNERS").write_text("* @lab\n")
    (tmp_path / "project" / "docs").mkdir()
    (tmp_path / "project" / "docs" / "CODEOWNERS").write_text("* @docs\n")
    found = find_codeowners(tests, tmp_path)
    assert found == (tmp_path / "project" / "docs" / "CODEOWNERS", tmp_path / "project")
    (tmp_path / "project" / ".github").mkdir()
    (tmp_path / "project" / ".github" / "CODEOWNERS").write_text("* @hub\n")
    parsed = read_codeowners(tests, tmp_path)
    assert parsed is not None
    assert names(parsed.owners_of("tests/test_a.py")) == ["@hub"]
    assert parsed.label == ".github/CODEOWNERS"


def test_byte_order_mark_and_a_stop_elsewhere(tmp_path: Path) -> None:
    (tmp_path / "CODEOWNERS").write_bytes("\ufeff*.py @bom\r\n".encode())
    tests = tmp_path / "tests"
    tests.mkdir()
    parsed = read_codeowners(tests, tmp_path)
    assert parsed is not None and parsed.problems == ()
    assert names(parsed.owners_of("tests/test_a.py")) == ["@bom"]
    # A stop that is not above the folder: only the folder itself is looked at.
    assert find_codeowners(tests, tmp_path / "elsewhere") is None
