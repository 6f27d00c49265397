"""Coverage data where lines alone cannot say who ran what: one-line functions, classes
without methods, code run by fixtures under test_function contexts; and data files
that name absurd lines or paths that are no files. Real data, recorded here."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from sphinx_testdocs.coverage.datafile import MAX_LINE
from sphinx_testdocs.coverage.measure import measure
from sphinx_testdocs.results.join import KnownTest
from tests.helpers import write_tree
from tests.test_coverage import TREE as COVPKG_TREE
from tests.test_coverage import _section, built, record, text_of

TREE = {
    "pyproject.toml": "[tool.pytest.ini_options]\ntestpaths = ['tests']\n",
    "edgepkg/__init__.py": '"""Edge cases."""\n',
    "edgepkg/lazy.py": '''\
"""Imported inside a test only."""


def one(): return 1


def two(): return 2


def four(): return (2 +
                    2)


class Box:
    def get(self): return 3


def later(
    a,
    b=len("xy"),
):
    """Called by no test."""
    return a + b
''',
    "edgepkg/errs.py": '''\
"""Classes without methods of their own, a decorator, a fixture's function."""

import functools
from dataclasses import dataclass


class Oops(Exception):
    """Raised."""


@dataclass
class Point:
    """A point."""

    x: int
    y: int


def boom():
    """Raises Oops."""
    raise Oops("x")


def logged(func):
    """A decorator."""

    @functools.wraps(func)
    def wrapper(*args):
        return func(*args)

    return wrapper


@logged
def double(n):
    """Decorated."""
    return 2 * n


def make():
    """Run by a fixture only."""
    return 1
''',
    "tests/test_edge.py": """\
import pytest

from edgepkg.errs import Oops, Point, boom, double


@pytest.fixture
def made():
    from edgepkg.errs import make

    return make()


def test_boom():
    with pytest.raises(Oops):
        boom()


def test_point():
    assert Point(1, 2).x == 1


def test_double():
    assert double(2) == 4


def test_made(made):
    assert made == 1


def test_two():
    from edgepkg.lazy import two

    assert two() == 2
""",
    # Another package, the same settings.
    "conf.py": COVPKG_TREE["conf.py"].replace("covpkg", "edgepkg"),
    "index.rst": "Edges\n=====\n\n.. toctree::\n\n   api\n   untested\n",
    "api.rst": """\
API
===

.. automodule:: edgepkg.errs
   :members:
   :undoc-members:

.. automodule:: edgepkg.lazy
   :members:
   :undoc-members:
""",
    "untested.rst": "Untested\n========\n\n.. testdocs-untested::\n",
}

EDGE = "tests/test_edge.py::"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tree's suite run with pytest-cov's contexts (lines, branches) and with
    coverage.py's test_function contexts."""
    root = write_tree(tmp_path_factory.mktemp("edges"), TREE)
    record(root, "edgepkg")
    return root


def _known() -> list[KnownTest]:
    names = ("test_boom", "test_point", "test_double", "test_made", "test_two")
    return [KnownTest("r", "test_edge.py", EDGE + name) for name in names]


def _tests(datafile: Path, name: str) -> list[str] | None:
    measured, problems = measure([(datafile.name, datafile)], _known())
    assert problems == {}
    found = measured.of(name)
    return None if found is None else [t.nodeid.removeprefix(EDGE) for t in found.tests]


@pytest.mark.parametrize("datafile", [".coverage", "branch.coverage", "tf.coverage"])
def test_import_time_lines_credit_no_test(recorded: Path, datafile: str) -> None:
    data = recorded / datafile
    # test_two imports lazy first: its def lines ran then. A one-line function's body
    # is on its def line: nothing tells its call from its import, the static list
    # decides (not: run by test_two, nor by no test).
    for name in ("one", "two", "four", "Box", "Box.get"):
        assert _tests(data, f"edgepkg.lazy.{name}") is None, name
    assert _tests(data, "edgepkg.lazy") is None  # its functions say nothing either
    # A header over several lines (a default computed at import): the body only.
    assert _tests(data, "edgepkg.lazy.later") == []
    assert _tests(data, "edgepkg.errs.boom") == ["test_boom"]
    # The decorator: every test that runs the function it wraps runs its wrapper.
    assert _tests(data, "edgepkg.errs.double") == ["test_double"]
    assert _tests(data, "edgepkg.errs.logged") == ["test_double"]


@pytest.mark.parametrize("datafile", [".coverage", "tf.coverage"])
def test_classes_without_methods_are_not_measured(recorded: Path, datafile: str) -> None:
    for name in ("Oops", "Point"):
        assert _tests(recorded / datafile, f"edgepkg.errs.{name}") is None, name


def test_fixture_code_under_test_function_contexts_is_no_tests(recorded: Path) -> None:
    # pytest-cov credits a fixture's setup to its test.
    assert _tests(recorded / ".coverage", "edgepkg.errs.make") == ["test_made"]
    # coverage.py's test_function contexts run fixtures outside any test: no test is
    # known to have run make(), nor is it known that none did.
    tf = recorded / "tf.coverage"
    measured, _ = measure([("tf.coverage", tf)], _known())
    assert measured.of("edgepkg.errs.make") is None
    assert measured.outside_tests("edgepkg.errs.make") == ("tf.coverage",)
    assert measured.outside_tests("edgepkg.errs.boom") == ()
    assert _tests(tf, "edgepkg.errs.boom") == ["test_boom"]


def test_pages_keep_the_static_list_where_the_data_cannot_tell(
    make_app: Any, recorded: Path, tmp_path: Path
) -> None:
    srcdir = tmp_path / "site"
    shutil.copytree(recorded, srcdir, ignore=shutil.ignore_patterns("_build", "testdocs"))
    app = built(make_app, "text", srcdir)
    api = " ".join(text_of(app, "api").split())
    for start, end in (("exception edgepkg.errs.Oops", "class edgepkg.errs.Point"),
                       ("class edgepkg.errs.Point", "edgepkg.errs.boom()")):  # fmt: skip
        part = _section(api, start, end)
        assert "No test ran" not in part and "Imported or used in 1 file" in part, part
    untested = " ".join(text_of(app, "untested").split())
    assert "Oops" not in untested and "Point" not in untested
    # one(): no test names it, and the data cannot tell; later(): measured, never run.
    assert untested.endswith('"one" (function)')
    assert '"later" (function, measured: no test ran it)' in untested


def test_pages_say_when_code_ran_outside_test_functions(
    make_app: Any, recorded: Path, tmp_path: Path
) -> None:
    srcdir = tmp_path / "site"
    shutil.copytree(recorded, srcdir, ignore=shutil.ignore_patterns("_build", "testdocs"))
    (srcdir / "conf.py").write_text(
        (srcdir / "conf.py").read_text().replace('[".coverage"]', '["tf.coverage"]')
    )
    app = built(make_app, "text", srcdir)
    api = " ".join(text_of(app, "api").split())
    make = _section(api, "edgepkg.errs.make()", "Imported inside a test only")
    assert "(tf.coverage) saw this run outside test functions only" in make
    # The static list stays (the fixture imports make(): no test names it).
    assert "No test ran" not in make
    assert 'Found statically instead: No test imports or uses "edgepkg.errs.make"' in make


def _with_rows(recorded: Path, tmp_path: Path, source: str, *statements: str) -> Path:
    copy = tmp_path / source
    shutil.copy(recorded / source, copy)
    db = sqlite3.connect(copy)
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()
    return copy


@pytest.mark.parametrize(
    ("source", "row"),
    [
        ("branch.coverage", f"INSERT INTO arc VALUES (1, 1, 2, {2**62})"),
        ("branch.coverage", f"INSERT INTO arc VALUES (1, 1, {MAX_LINE + 1}, -1)"),
        (".coverage", f"UPDATE line_bits SET numbits = zeroblob({MAX_LINE // 8 + 2})"),
    ],
)
def test_a_line_no_source_has_is_refused(
    recorded: Path, tmp_path: Path, source: str, row: str
) -> None:
    bad = _with_rows(recorded, tmp_path, source, row)
    measured, problems = measure([("bad", bad)], _known())
    assert list(problems) == [bad]
    assert f"beyond line {MAX_LINE:,}, which no source has" in problems[bad]
    assert measured.of("edgepkg.errs.boom") is None


def test_lines_past_the_sources_end_are_dropped(recorded: Path, tmp_path: Path) -> None:
    data = _with_rows(
        recorded, tmp_path, "branch.coverage", f"INSERT INTO arc VALUES (1, 1, 2, {MAX_LINE})"
    )
    assert _tests(data, "edgepkg.errs.boom") == ["test_boom"]


@pytest.mark.parametrize("kind", ["device", "fifo"])
def test_only_regular_files_are_read_as_sources(recorded: Path, tmp_path: Path, kind: str) -> None:
    other = tmp_path / "other.py"
    if kind == "device":
        other.symlink_to(os.devnull)
    else:
        os.mkfifo(other)  # opened for reading, it would wait for a writer forever
    data = _with_rows(
        recorded, tmp_path, ".coverage", f"UPDATE file SET path = '{other}' WHERE id = 1"
    )
    measured, problems = measure([("data", data)], _known())
    assert problems == {} and measured.missing_sources == 1
    assert "other" not in measured.modules
