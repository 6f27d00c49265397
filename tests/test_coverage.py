"""Coverage data over "Tested by": real data recorded here by pytest-cov and coverage.py
on a small package and its tests, the reader, hostile and foreign files, the pages, the
untested-API list, and rebuilds."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sphinx.util.console import strip_colors

from sphinx_testdocs.coverage.contexts import named_test
from sphinx_testdocs.coverage.datafile import CoverageProblem, numbits_mask, open_coverage
from sphinx_testdocs.coverage.measure import MeasuredTest, measure
from sphinx_testdocs.results.join import KnownTest
from tests.helpers import recording_reads, write_tree

TREE = {
    "pyproject.toml": "[tool.pytest.ini_options]\ntestpaths = ['tests']\n",
    "covpkg/__init__.py": '"""A package measured in the tests."""\n\n'
    "from covpkg.shapes import Square, area\n\n"
    '__all__ = ["Square", "area"]\n',
    "covpkg/shapes.py": '''\
"""Shapes."""

#: The largest side.
LIMIT = 10


def area(side):
    """A square's area."""
    return side * side


def _helper():
    return 1


def perimeter(side):
    """Named by a skipped test only: no test runs it."""
    return 4 * side


def scaled(side, factor):
    """Run through a fixture only: no test names it."""
    return side * factor


class Square:
    """A square."""

    #: What it is.
    kind = "square"

    def __init__(self, side):
        self.side = side

    def area(self):
        """Its area."""
        return area(self.side)

    def grow(self):
        """Never run nor named by a test."""
        self.side += 1


_surface = area  # an alias only the source shows (no import names it)
''',
    "tests/conftest.py": """\
import pytest

from covpkg import shapes


@pytest.fixture
def scaled_value():
    return shapes.scaled(3, 10)
""",
    "tests/test_shapes.py": """\
import pytest

from covpkg import Square, area
from covpkg.shapes import perimeter


def test_area():
    assert area(3) == 9


class TestSquare:
    def test_square_area(self):
        assert Square(2).area() == 4


@pytest.mark.skip(reason="not yet")
def test_perimeter():
    assert perimeter(1) == 4


@pytest.mark.parametrize("n", [1, 2])
def test_param(n, scaled_value):
    assert scaled_value == 30
""",
    "conf.py": """\
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

project = "cov"
extensions = ["sphinx.ext.autodoc", "sphinx_testdocs"]
testdocs_dirs = ["tests"]
testdocs_tested_by_autodoc = True
testdocs_coverage = [".coverage"]
exclude_patterns = ["tests", "covpkg", "_build"]
nitpicky = True
show_warning_types = True
""",
    "index.rst": """\
Cov
===

.. toctree::

   api
   explicit
   untested
""",
    "api.rst": """\
API
===

.. automodule:: covpkg.shapes
   :members:
   :undoc-members:
""",
    "explicit": "",
    "explicit.rst": """\
Explicit
========

Through the package's re-export:

.. testdocs-tested-by:: covpkg.area

Through an alias the data does not name:

.. testdocs-tested-by:: covpkg.shapes._surface
""",
    "untested.rst": """\
Untested
========

.. testdocs-untested::
""",
}
del TREE["explicit"]

TEST_AREA = "tests/test_shapes.py::test_area"
TEST_SQUARE = "tests/test_shapes.py::TestSquare::test_square_area"


def _run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV"))}
    clean["PYTHONDONTWRITEBYTECODE"] = "1"
    result = subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env={**clean, **(env or {})},
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()


def record(root: Path, package: str) -> list[str]:
    """Run the suite in ``root`` under coverage of ``package`` with per-test contexts:
    pytest-cov's (lines in .coverage, branches in branch.coverage) and coverage.py's
    test_function (tf.coverage); the pytest arguments, for more."""
    pytest_args = ["-m", "pytest", "-q", "-p", "no:cacheprovider", f"--cov={package}"]
    _run(root, *pytest_args, "--cov-context=test", "tests")
    _run(root, *pytest_args, "--cov-context=test", "--cov-branch", "tests",
         env={"COVERAGE_FILE": "branch.coverage"})  # fmt: skip
    (root / "tf.rc").write_text(f"[run]\nsource = {package}\ndynamic_context = test_function\n")
    _run(root, "-m", "coverage", "run", "--rcfile=tf.rc", "--data-file=tf.coverage",
         "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests")  # fmt: skip
    return pytest_args


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tree, its suite run under coverage five ways: ``record``'s, relative paths,
    and no contexts."""
    root = write_tree(tmp_path_factory.mktemp("recorded"), TREE)
    pytest_args = record(root, "covpkg")
    _run(root, *pytest_args, "tests", env={"COVERAGE_FILE": "plain.coverage"})
    (root / "rel.rc").write_text("[run]\nrelative_files = True\n")
    _run(root, *pytest_args, "--cov-context=test", "--cov-config=rel.rc", "tests",
         env={"COVERAGE_FILE": "relative.coverage"})  # fmt: skip
    return root


def _known() -> list[KnownTest]:
    return [
        KnownTest("r", "test_shapes.py", TEST_AREA),
        KnownTest("r", "test_shapes.py", TEST_SQUARE),
        KnownTest("r", "test_shapes.py", "tests/test_shapes.py::test_perimeter"),
        KnownTest("r", "test_shapes.py", "tests/test_shapes.py::test_param"),
    ]


def _tests(recorded: Path, datafile: str, name: str) -> list[str] | None:
    measured, problems = measure([(datafile, recorded / datafile)], _known())
    assert problems == {}
    found = measured.of(name)
    return None if found is None else [t.nodeid for t in found.tests]


def test_numbits_decode_as_coverage_encodes() -> None:
    from coverage.numbits import nums_to_numbits

    for lines in ([], [1], [7, 8, 9], [3, 64, 65, 1000], list(range(1, 300, 7))):
        assert numbits_mask(nums_to_numbits(lines)) == sum(1 << line for line in lines)


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("tests/test_x.py::TestC::test_f[1]|run", ("tests/test_x.py::TestC::test_f[1]", "")),
        ("tests/test_x.py::test_f|setup", ("tests/test_x.py::test_f", "")),
        ("tests/test_x.py::test_f[a|b]|run", ("tests/test_x.py::test_f[a|b]", "")),
        ("py311|tests/test_x.py::test_f|teardown", ("tests/test_x.py::test_f", "")),
        ("tests.test_x.TestC.test_f", (None, "tests.test_x.TestC")),
        ("", None),
        ("ci-linux", None),
    ],
)
def test_context_labels_name_tests_in_either_recorders_form(
    label: str, expected: tuple[str | None, str] | None
) -> None:
    found = named_test(label)
    assert (None if found is None else (found.nodeid, found.classname)) == expected


def test_each_function_lists_the_tests_that_ran_it(recorded: Path) -> None:
    assert _tests(recorded, ".coverage", "covpkg.shapes.area") == [TEST_SQUARE, TEST_AREA]
    # Only where it is defined: the build resolves re-exports (Project.defined_as, as
    # for static uses; the explicit page's covpkg.area checks it).
    assert _tests(recorded, ".coverage", "covpkg.area") is None
    # Run in the fixture's setup: both parametrized cases are one test.
    assert _tests(recorded, ".coverage", "covpkg.shapes.scaled") == [
        "tests/test_shapes.py::test_param"
    ]
    assert _tests(recorded, ".coverage", "covpkg.shapes.perimeter") == []
    assert _tests(recorded, ".coverage", "covpkg.shapes.Square.grow") == []
    assert _tests(recorded, ".coverage", "covpkg.shapes.Square") == [TEST_SQUARE]
    # Data runs no code: not measured, the static list stays.
    assert _tests(recorded, ".coverage", "covpkg.shapes.LIMIT") is None
    assert _tests(recorded, ".coverage", "covpkg.shapes.Square.kind") is None
    assert _tests(recorded, ".coverage", "elsewhere.f") is None


@pytest.mark.parametrize("datafile", ["branch.coverage", "tf.coverage", "relative.coverage"])
def test_branch_data_and_test_function_contexts_give_the_same_sets(
    recorded: Path, datafile: str
) -> None:
    if datafile == "branch.coverage":
        assert open_coverage(recorded / datafile).has_arcs
    if datafile == "relative.coverage":
        assert "covpkg/shapes.py" in open_coverage(recorded / datafile).files.values()
    for name in ("covpkg.shapes.area", "covpkg.shapes.Square", "covpkg.shapes.perimeter"):
        assert _tests(recorded, datafile, name) == _tests(recorded, ".coverage", name), name


def test_unknown_tests_are_kept_as_recorded(recorded: Path) -> None:
    measured, _ = measure([(".coverage", recorded / ".coverage")], [])
    found = measured.of("covpkg.shapes.area")
    assert found is not None
    assert set(found.tests) == {MeasuredTest(TEST_AREA), MeasuredTest(TEST_SQUARE)}


def _hostile(recorded: Path, kind: str, target: Path) -> None:
    if kind == "text":
        target.write_text("<coverage line-rate='1'/>\n")
    elif kind == "json":  # coverage.py 4's format
        target.write_text('!coverage.py: This is a private format\n{"lines": {}}')
    elif kind == "foreign-sqlite":
        db = sqlite3.connect(target)
        db.execute("CREATE TABLE users (name text)")
        db.commit()
        db.close()
    elif kind == "truncated":
        target.write_bytes((recorded / ".coverage").read_bytes()[:5000])
    elif kind == "empty":
        target.write_bytes(b"")
    elif kind == "elsewhere":
        shutil.copy(recorded / ".coverage", target)
        db = sqlite3.connect(target)
        db.execute("UPDATE file SET path = '/nowhere/ci' || path")
        db.commit()
        db.close()
    elif kind == "no-contexts":
        shutil.copy(recorded / "plain.coverage", target)
    elif kind == "view":  # a "context" table that is a query never ending
        shutil.copy(recorded / ".coverage", target)
        db = sqlite3.connect(target)
        db.execute("DROP TABLE context")
        db.execute(
            "CREATE VIEW context AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL"
            " SELECT i + 1 FROM n) SELECT i AS id, 'x' AS context FROM n"
        )
        db.commit()
        db.close()
    elif kind == "computing":  # a generated column that costs without end
        shutil.copy(recorded / ".coverage", target)
        db = sqlite3.connect(target)
        db.execute("ALTER TABLE meta RENAME TO old_meta")
        db.execute(
            "CREATE TABLE meta (key text, value text GENERATED ALWAYS AS"
            " (hex(zeroblob(1000000))) VIRTUAL)"
        )
        db.executemany("INSERT INTO meta (key) VALUES (?)", [(str(i),) for i in range(400)])
        db.commit()
        db.close()


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("text", "not a coverage.py data file (not SQLite"),
        ("json", "not a coverage.py data file (not SQLite"),
        ("empty", "not a coverage.py data file (not SQLite"),
        ("foreign-sqlite", "an SQLite file without coverage.py's tables"),
        ("truncated", "damaged or truncated"),
        ("no-contexts", "recorded without per-test contexts"),
        ("elsewhere", "source file(s) it measured is here (recorded on another machine?"),
        ("view", "an SQLite file without coverage.py's tables (missing: context)"),
        ("computing", "its meta table computes values (generated columns)"),
    ],
)
def test_a_bad_file_is_one_problem_and_left_out_whole(
    recorded: Path, tmp_path: Path, kind: str, message: str
) -> None:
    bad = tmp_path / "bad.coverage"
    _hostile(recorded, kind, bad)
    measured, problems = measure([("bad", bad), (".coverage", recorded / ".coverage")], _known())
    assert list(problems) == [bad] and message in problems[bad]
    found = measured.of("covpkg.shapes.area")
    assert found is not None and found.sources == (".coverage",)
    assert [t.nodeid for t in found.tests] == [TEST_SQUARE, TEST_AREA]
    if kind == "no-contexts":
        assert measured.without_contexts("covpkg.shapes.area") == ("bad",)


def test_the_reader_never_writes_to_the_data_file(recorded: Path, tmp_path: Path) -> None:
    copy = tmp_path / "ro.coverage"
    shutil.copy(recorded / ".coverage", copy)
    copy.chmod(0o444)
    before = copy.read_bytes()
    measure([("ro", copy)], _known())
    assert copy.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ro.coverage"]  # no journal


def test_an_unreadable_path_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(CoverageProblem, match="cannot be read"):
        open_coverage(tmp_path / "missing.coverage")


# --- the pages ---------------------------------------------------------------------


def site(recorded: Path, tmp_path: Path, **conf: Any) -> Path:
    """A copy of the project to build (the data files still name the recorded sources)."""
    srcdir = tmp_path / "site"
    shutil.copytree(recorded, srcdir, ignore=shutil.ignore_patterns("_build", "testdocs"))
    for datafile in (".coverage", "plain.coverage"):
        shutil.copy(recorded / datafile, srcdir / datafile)
    if conf:
        with (srcdir / "conf.py").open("a") as handle:
            for key, value in conf.items():
                handle.write(f"{key} = {value!r}\n")
    return srcdir


def built(make_app: Any, builder: str, srcdir: Path) -> Any:
    """The project built, without a warning."""
    app = make_app(builder, srcdir=srcdir)
    app.build()
    assert app.warning.getvalue() == ""
    return app


def text_of(app: Any, docname: str) -> str:
    return (Path(app.outdir) / f"{docname}.txt").read_text()


def _section(api: str, start: str, end: str | None = None) -> str:
    part = api.split(start, 1)[1]
    return part.split(end, 1)[0] if end else part


def test_tested_by_shows_the_measured_tests(make_app: Any, recorded: Path, tmp_path: Path) -> None:
    app = built(make_app, "text", site(recorded, tmp_path))
    api = text_of(app, "api")
    area = _section(api, "covpkg.shapes.area(side)", "covpkg.shapes.perimeter")
    assert "Run by 2 tests in 1 file (measured by coverage.py in .coverage)" in area
    assert "tests/test_shapes.py" in area
    assert "TestSquare::test_square_area, test_area" in area
    scaled = _section(api, "covpkg.shapes.scaled(", None)
    assert "Run by 1 test in 1 file" in scaled and "test_param" in scaled
    # Named by a skipped test: statically "used", measured: never run.
    perimeter = _section(api, "covpkg.shapes.perimeter(side)", "covpkg.shapes.scaled")
    assert 'No test ran "covpkg.shapes.perimeter" (measured by coverage.py' in perimeter
    assert "test_perimeter" not in perimeter
    # Data and attributes: no code of their own, no test names them: no rubric.
    limit = _section(api, "covpkg.shapes.LIMIT", "class covpkg.shapes.Square")
    assert "Tested by" not in limit and "No test" not in limit
    assert "Tested by" not in _section(api, "kind = ", "-[ Tested by ]-\n\n   Run by 1 test")
    explicit = text_of(app, "explicit")
    assert "Run by 2 tests in 1 file" in explicit and "covpkg.area" in explicit
    # An alias only the source shows: the data measured area(), where it is defined.
    alias = explicit.split("Through an alias", 1)[1]
    assert "Run by 2 tests in 1 file (measured by coverage.py in .coverage)" in alias


def test_measured_tests_link_to_their_definitions(
    make_app: Any, recorded: Path, tmp_path: Path
) -> None:
    app = built(make_app, "html", site(recorded, tmp_path))
    api = (Path(app.outdir) / "api.html").read_text()
    area = api.split('id="covpkg.shapes.area"')[1].split('id="covpkg.shapes.perimeter"')[0]
    assert 'href="testdocs/tests/test_shapes.py.html#def-test-area"' in area
    assert 'href="testdocs/tests/test_shapes.py.html#def-testsquare-test-square-area"' in area
    assert 'class="testdocs-measured' in area


def test_without_contexts_the_page_says_so_and_keeps_the_static_list(
    make_app: Any, recorded: Path, tmp_path: Path
) -> None:
    srcdir = site(recorded, tmp_path, testdocs_coverage=["plain.coverage"])
    app = make_app("text", srcdir=srcdir)
    app.build()
    warnings = app.warning.getvalue().strip().splitlines()
    assert len(warnings) == 1, warnings
    assert (
        "plain.coverage: WARNING: coverage data plain.coverage: recorded without" in (warnings[0])
    )
    assert strip_colors(warnings[0]).endswith("[testdocs.coverage]")
    api = " ".join(text_of(app, "api").split())
    perimeter = _section(api, "covpkg.shapes.perimeter(side)", "covpkg.shapes.scaled")
    assert "(plain.coverage) was recorded without per-test contexts" in perimeter
    assert "Imported or used in 1 file" in perimeter and "test_perimeter" in perimeter
    # Data: coverage would not have measured it anyway, nothing to say.
    assert "contexts" not in _section(api, "covpkg.shapes.LIMIT", "class covpkg.shapes.Square")


@pytest.mark.parametrize("kind", ["text", "foreign-sqlite", "truncated"])
def test_a_bad_file_warns_once_and_the_build_keeps_the_rest(
    make_app: Any, recorded: Path, tmp_path: Path, kind: str
) -> None:
    srcdir = site(recorded, tmp_path, testdocs_coverage=["bad.coverage", ".coverage"])
    _hostile(recorded, kind, srcdir / "bad.coverage")
    app = make_app("text", srcdir=srcdir)
    app.build()
    warnings = app.warning.getvalue().strip().splitlines()
    assert len(warnings) == 1 and "bad.coverage" in warnings[0], warnings
    assert strip_colors(warnings[0]).endswith("[testdocs.coverage]")
    area = _section(text_of(app, "api"), "covpkg.shapes.area(side)", "covpkg.shapes.perimeter")
    assert "Run by 2 tests in 1 file (measured by coverage.py in .coverage)" in area


def test_the_untested_list_names_what_no_test_ran(
    make_app: Any, recorded: Path, tmp_path: Path
) -> None:
    app = built(make_app, "html", site(recorded, tmp_path))
    page = (Path(app.outdir) / "untested.html").read_text()
    listed = page.split('class="testdocs-untested')[1:]
    shown = "".join(listed)
    assert 'href="api.html#covpkg.shapes.perimeter"' in shown
    assert 'href="api.html#covpkg.shapes.Square.grow"' in shown
    for tested in ('covpkg.shapes.area"', "covpkg.shapes.Square.area", "scaled", "_helper"):
        assert tested not in shown, tested
    assert "__init__" not in shown  # left out by the default exclusions
    assert "2 of the 6 public functions, classes and methods documented" in page
    assert "measured: no test ran it" in page


def test_the_untested_list_without_coverage_is_static(
    make_app: Any, recorded: Path, tmp_path: Path
) -> None:
    srcdir = site(recorded, tmp_path, testdocs_coverage=[], testdocs_untested_exclude=[])
    with (srcdir / "untested.rst").open("a") as handle:
        handle.write("\nSquare only:\n\n.. testdocs-untested:: covpkg.shapes.Square\n")
    app = built(make_app, "text", srcdir)
    page, square = text_of(app, "untested").split("Square only:")
    assert "found statically" in page
    # Square(2).area() uses Square and its area statically: only grow is left.
    assert "1 of the 3 public functions, classes and methods documented under" in square
    assert '"covpkg.shapes.Square"' in square and "scaled" not in square
    # A skipped test names perimeter: statically, it is used.
    assert "perimeter" not in page and '"Square.grow" (method)' in page
    assert "Left out" not in page  # no exclusions asked for


def test_a_changed_data_file_rereads_only_the_pages_whose_lists_change(
    make_app: Any, recorded: Path, tmp_path: Path
) -> None:
    srcdir = site(recorded, tmp_path)
    app = make_app("html", srcdir=srcdir)
    app.build()
    untested = Path(app.outdir) / "untested.html"
    written = untested.stat().st_mtime_ns
    app = make_app("html", srcdir=srcdir)
    with recording_reads(app) as read:
        app.build()
    assert read == []
    assert untested.stat().st_mtime_ns == written  # its list did not change
    # Nothing changed: the data is not read again.
    assert "coverage: 1 file(s) as in the last build" in app.status.getvalue()
    # test_area no longer runs area(): the API page's list changes; the explicit
    # list of covpkg.area too; the untested list not (TestSquare still runs it).
    db = sqlite3.connect(srcdir / ".coverage")
    db.execute(
        "DELETE FROM line_bits WHERE context_id IN "
        "(SELECT id FROM context WHERE context LIKE '%::test_area|%')"
    )
    db.commit()
    db.close()
    app = make_app("html", srcdir=srcdir)
    with recording_reads(app) as read:
        app.build()
    assert sorted(read) == ["api", "explicit"]
    assert untested.stat().st_mtime_ns == written
    assert "coverage: 1 file(s) read" in app.status.getvalue()
    # A measured source edited (a line added above area): its lines moved, the data
    # is mapped again; area's tests are still those measured.
    shapes = recorded / "covpkg/shapes.py"
    original = shapes.read_text()
    try:
        shapes.write_text(original.replace('"""Shapes."""', '"""Shapes."""\n'))
        app = make_app("html", srcdir=srcdir)
        app.build()
    finally:
        shapes.write_text(original)
    assert "coverage: 1 file(s) read" in app.status.getvalue()
    # (The warning stream is shared by this test's builds: Sphinx's own lines too.)
    ours = [line for line in app.warning.getvalue().splitlines() if "testdocs.coverage" in line]
    assert len(ours) == 1
    assert "1 measured source file(s) changed after it was recorded" in ours[0]
    area = (Path(app.outdir) / "api.html").read_text().split('id="covpkg.shapes.area"')[1]
    assert "Run by 1 test in 1 file" in area.split('id="covpkg.shapes.perimeter"')[0]


def test_the_untested_list_follows_the_data(make_app: Any, recorded: Path, tmp_path: Path) -> None:
    srcdir = site(recorded, tmp_path)
    app = make_app("html", srcdir=srcdir)
    app.build()
    db = sqlite3.connect(srcdir / ".coverage")
    db.execute("DELETE FROM line_bits WHERE context_id IN (SELECT id FROM context WHERE "
               "context LIKE '%test_param%')")  # fmt: skip
    db.commit()
    db.close()
    app = make_app("html", srcdir=srcdir)
    with recording_reads(app) as read:
        app.build()
    assert sorted(read) == ["api"]  # the list is written again, not read
    page = (Path(app.outdir) / "untested.html").read_text()
    assert 'href="api.html#covpkg.shapes.scaled"' in page
    assert "3 of the 6 public" in page
    # A newly documented object, in another page: listed (it is not measured, and no
    # test names it).
    (srcdir / "extra.rst").write_text("Extra\n=====\n\n.. py:function:: covpkg.extra()\n")
    with (srcdir / "index.rst").open("a") as handle:
        handle.write("   extra\n")
    app = make_app("html", srcdir=srcdir)
    app.build()
    page = (Path(app.outdir) / "untested.html").read_text()
    assert 'href="extra.html#covpkg.extra"' in page
    assert "4 of the 7 public" in page


def test_parallel_output_equals_serial(make_app: Any, recorded: Path, tmp_path: Path) -> None:
    serial = make_app("html", srcdir=site(recorded, tmp_path / "one"))
    serial.build()
    parallel = make_app("html", srcdir=site(recorded, tmp_path / "two"), parallel=2)
    parallel.build()
    for page in ("api.html", "explicit.html", "untested.html"):
        assert (Path(serial.outdir) / page).read_bytes() == (
            Path(parallel.outdir) / page
        ).read_bytes(), page


def test_lists_by_object_type(make_app: Any, recorded: Path, tmp_path: Path) -> None:
    srcdir = site(
        recorded,
        tmp_path,
        testdocs_tested_by_autodoc=["function"],
        testdocs_tested_by_hide_empty=True,
        testdocs_coverage=[],
    )
    app = built(make_app, "text", srcdir)
    api = text_of(app, "api")
    assert "Tested by" in _section(api, "covpkg.shapes.perimeter(side)", "covpkg.shapes.scaled")
    # Methods and classes: no list asked for; grow's would say none anyway.
    assert "Tested by" not in _section(api, "class covpkg.shapes.Square", "kind")
    assert "Tested by" not in _section(api, "grow()", "covpkg.shapes.area")
    # A function's list that would say none: hidden (every type, True).
    assert "Tested by" not in _section(api, "covpkg.shapes.scaled(", None)


def test_a_list_of_every_test_names_files_and_counts() -> None:
    from sphinx_testdocs.coverage.measure import Measurement
    from sphinx_testdocs.render.testedby import MEASURED_NAMED, render_measured

    def rendered(count: int) -> str:
        tests = tuple(
            MeasuredTest(f"tests/test_{n % 2}.py::test_{n:04}", "r", f"test_{n % 2}.py")
            for n in range(count)
        )
        found = render_measured(
            "pkg.core",
            Measurement(tests, ("cov",)),
            lambda t: None,
            lambda t: t.relpath,
            lambda t: None,
        )
        return " ".join(node.astext() for node in found)

    few = rendered(MEASURED_NAMED)
    assert "test_0000" in few and f"test_{MEASURED_NAMED - 1:04}" in few
    many = rendered(MEASURED_NAMED + 1)
    assert f"Run by {MEASURED_NAMED + 1} tests in 2 files" in many
    assert "test_0.py: 101 tests" in many and "test_1.py: 100 tests" in many
    assert "test_0000" not in many


def test_the_untested_list_and_measured_lists_in_myst(
    make_app: Any, recorded: Path, tmp_path: Path
) -> None:
    pytest.importorskip("myst_parser")
    srcdir = site(recorded, tmp_path)
    with (srcdir / "conf.py").open("a") as handle:
        handle.write('extensions.append("myst_parser")\n')
    (srcdir / "untested.rst").unlink()
    (srcdir / "untested.md").write_text("# Untested\n\n```{testdocs-untested}\n```\n")
    (srcdir / "explicit.rst").unlink()
    (srcdir / "explicit.md").write_text("# Explicit\n\n```{testdocs-tested-by} covpkg.area\n```\n")
    app = built(make_app, "text", srcdir)
    assert "2 of the 6 public functions" in text_of(app, "untested")
    assert "Run by 2 tests in 1 file" in text_of(app, "explicit")


def test_an_untested_list_under_a_name_nothing_documents_warns(
    make_app: Any, recorded: Path, tmp_path: Path
) -> None:
    srcdir = site(recorded, tmp_path)
    (srcdir / "untested.rst").write_text(
        "Untested\n========\n\n.. testdocs-untested:: covpkg.shape\n"
    )
    app = make_app("text", srcdir=srcdir)
    app.build()
    [warning] = app.warning.getvalue().strip().splitlines()
    assert "untested.rst:4: WARNING: testdocs-untested: no documented public" in warning
    assert "under 'covpkg.shape'" in strip_colors(warning)
    assert strip_colors(warning).endswith("[testdocs.directive]")
