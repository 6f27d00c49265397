"""The README's test command is the one CI runs, character for character."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parent.parent


def readme_test_command() -> str:
    """The console line the README gives for installing the test extra and running pytest."""
    readme = (ROOT / "README.rst").read_text(encoding="utf-8")
    commands = re.findall(r"^\.\. code-block:: console\n\n   (.+)$", readme, re.MULTILINE)
    matching = [c for c in commands if "'.[test]'" in c and c.endswith("python -m pytest")]
    assert len(matching) == 1, commands
    return matching[0]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    command = readme_test_command()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    lines = [line.strip() for line in ci.splitlines()]
    assert command in lines
