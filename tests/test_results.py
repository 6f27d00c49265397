"""Test results over the static map: each reader on real output made here by pytest and
unittest-xml-reporting, hostile and broken files, the join, and the pages."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from sphinx_testdocs.results.join import KnownTest, join_results
from sphinx_testdocs.results.junit import read_junit
from sphinx_testdocs.results.load import read_results
from sphinx_testdocs.results.records import Outcome, ReadProblem
from sphinx_testdocs.results.reportlog import read_report_log
from tests.helpers import recording_reads, write_tree

#: One test of each outcome pytest knows, and a unittest case.
TESTS = {
    "tests/test_m.py": """\
# Owner(s): ["module: m"]

import unittest

import pytest


@pytest.mark.parametrize("x", [1, 2, 3])
def test_param(x):
    assert x != 2


@pytest.mark.skip(reason="not today")
def test_skip():
    pass


@pytest.mark.xfail(reason="known bug")
def test_xfail():
    assert False


@pytest.mark.xfail(reason="fixed since")
def test_xpass():
    pass


@pytest.fixture
def broken():
    raise RuntimeError("setup boom")


def test_error(broken):
    pass


class TestK:
    def test_ok(self):
        pass


class TestU(unittest.TestCase):
    def test_u(self):
        self.assertEqual(1, 1)
""",
    "tests/test_other.py": "def test_other():\n    pass\n",
}


def run_pytest(cwd: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        check=False,
    )


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tree, run by pytest writing JUnit XML and a report log."""
    root = write_tree(tmp_path_factory.mktemp("ran"), TESTS)
    run_pytest(root, "--junitxml=junit.xml", "--report-log=log.jsonl", "tests")
    return root


def outcomes(results: Any) -> dict[str, Outcome]:
    return {r.shown: r.outcome for r in results}


def test_pytest_junit_xml_is_read_case_by_case(ran: Path) -> None:
    problems: list[ReadProblem] = []
    read = outcomes(read_junit(ran / "junit.xml", problems))
    assert problems == []
    assert read == {
        "tests.test_m::test_param[1]": Outcome.PASSED,
        "tests.test_m::test_param[2]": Outcome.FAILED,
        "tests.test_m::test_param[3]": Outcome.PASSED,
        "tests.test_m::test_skip": Outcome.SKIPPED,
        "tests.test_m::test_xfail": Outcome.XFAILED,
        # JUnit has no xpassed: pytest writes a non-strict xpass as a pass.
        "tests.test_m::test_xpass": Outcome.PASSED,
        "tests.test_m::test_error": Outcome.ERROR,
        "tests.test_m.TestK::test_ok": Outcome.PASSED,
        "tests.test_m.TestU::test_u": Outcome.PASSED,
        "tests.test_other::test_other": Outcome.PASSED,
    }


def test_pytest_report_log_folds_the_phases_as_pytest_counts_them(ran: Path) -> None:
    problems: list[ReadProblem] = []
    results = list(read_report_log(ran / "log.jsonl", problems))
    assert problems == []
    read = outcomes(results)
    assert read["tests/test_m.py::test_xpass"] is Outcome.XPASSED
    assert read["tests/test_m.py::test_xfail"] is Outcome.XFAILED
    assert read["tests/test_m.py::test_error"] is Outcome.ERROR  # failed in setup
    assert read["tests/test_m.py::test_param[2]"] is Outcome.FAILED
    by_id = {r.shown: r for r in results}
    assert by_id["tests/test_m.py::test_skip"].message == "not today"
    assert by_id["tests/test_m.py::test_xfail"].message == "known bug"
    assert "setup boom" in by_id["tests/test_m.py::test_error"].message
    assert len(read) == 10


def test_unittest_xml_reporting_output_joins_by_its_dotted_names(tmp_path: Path) -> None:
    # unittest-xml-reporting names classes from where it runs (tests/), not pytest's rootdir.
    root = write_tree(tmp_path, TESTS)
    xmlrunner = pytest.importorskip("xmlrunner")
    del xmlrunner
    subprocess.run(
        [sys.executable, "-m", "xmlrunner", "-o", str(root / "xr"), "test_m"],
        cwd=root / "tests",
        capture_output=True,
        check=False,
    )
    [report] = (root / "xr").glob("*.xml")
    known = [KnownTest("r", "test_m.py", "tests/test_m.py::TestU::test_u")]
    joined = join_results(known, [("xr", read_junit(report, []))])
    assert joined.matched == 1
    assert joined.of_file("r", "test_m.py")["tests/test_m.py::TestU::test_u"].overall is (
        Outcome.PASSED
    )


def test_device_suffixed_names_join_to_the_tests_known_for_this_machine(tmp_path: Path) -> None:
    # PyTorch's CI runs TestFooCUDA; the static map knows TestFooCPU (this machine's).
    report = tmp_path / "cuda.xml"
    report.write_text(
        '<testsuite><testcase classname="test_ops.TestFooCUDA" name="test_add_cuda_float32"'
        ' time="1.5"><failure message="boom"/></testcase>'
        '<testcase classname="test_ops.TestFooCUDA" name="test_gone_cuda" time="0.1"/>'
        "</testsuite>"
    )
    known = [KnownTest("r", "test_ops.py", "test/test_ops.py::TestFooCPU::test_add_cpu_float32")]
    joined = join_results(known, [("cuda", read_junit(report, []))])
    found = joined.of_file("r", "test_ops.py")[
        "test/test_ops.py::TestFooCPU::test_add_cpu_float32"
    ]
    assert found.overall is Outcome.FAILED and found.other_devices == 1
    assert [o.shown for o in joined.orphans] == ["test_ops.TestFooCUDA::test_gone_cuda"]


def test_a_tail_two_tests_share_matches_neither() -> None:
    from sphinx_testdocs.results.records import CaseResult

    known = [
        KnownTest("r", "a/test_x.py", "a/test_x.py::test_t"),
        KnownTest("r", "b/test_x.py", "b/test_x.py::test_t"),
    ]
    ambiguous = CaseResult(None, "test_x", "test_t", Outcome.PASSED, 0.1)
    exact = CaseResult(None, "b.test_x", "test_t", Outcome.FAILED, 0.1)
    joined = join_results(known, [("one", [ambiguous, exact])])
    assert joined.matched == 1 and joined.orphans_total == 1
    assert joined.of_file("r", "b/test_x.py")["b/test_x.py::test_t"].overall is Outcome.FAILED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;">]>'
            '<testsuite><testcase classname="m" name="&c;"/></testsuite>',
            "refused",
            id="billion-laughs",
        ),
        pytest.param(
            '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            '<testsuite><testcase classname="m" name="&x;"/></testsuite>',
            "refused",
            id="external-entity",
        ),
    ],
)
def test_hostile_xml_is_refused_not_expanded(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "hostile.xml"
    path.write_text(text)
    problems: list[ReadProblem] = []
    assert list(read_junit(path, problems)) == []
    assert [p.message.split(":")[0] for p in problems] == [expected]


def test_a_truncated_file_keeps_what_came_before(tmp_path: Path) -> None:
    cases = "".join(f'<testcase classname="m" name="test_{n}" time="0.1"/>' for n in range(3))
    path = tmp_path / "cut.xml"
    path.write_text(f"<testsuites>\n<testsuite>\n{cases}\n<testcase classname=")
    problems: list[ReadProblem] = []
    assert [r.name for r in read_junit(path, problems)] == ["test_0", "test_1", "test_2"]
    [problem] = problems
    assert problem.message.startswith("not well-formed XML") and problem.line == 4


def test_a_report_log_with_bad_lines_keeps_the_good_ones(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    good = (
        '{"$report_type": "TestReport", "nodeid": "t.py::test_a", "when": "%s",'
        ' "outcome": "passed", "duration": 0.5}\n'
    )
    path.write_text(good % "call" + "not json\n" + good % "teardown" + '{"nodeid": "cut')
    problems: list[ReadProblem] = []
    assert [r.shown for r in read_results(path, problems)] == ["t.py::test_a"]
    assert problems == [ReadProblem("2 line(s) are not JSON reports, skipped", 2)]


def test_a_200000_case_file_is_read_as_a_stream(tmp_path: Path) -> None:
    path = tmp_path / "big.xml"
    with path.open("w") as out:
        out.write("<testsuites><testsuite>")
        for n in range(200_000):
            out.write(f'<testcase classname="pkg.test_m" name="test_{n}" time="0.001"/>\n')
        out.write("</testsuite></testsuites>")
    size = path.stat().st_size
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_junit(path, []))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 200_000
    # The whole tree would take several times the file's size; a stream, a fraction.
    assert peak < size / 4, (peak, size)


# --- The pages ------------------------------------------------------------------------


def project(tmp_path: Path, ran: Path) -> Path:
    root = tmp_path / "proj"
    shutil.copytree(ran, root, ignore=shutil.ignore_patterns("__pycache__"))
    write_tree(
        root / "docs",
        {
            "conf.py": 'extensions = ["sphinx_testdocs"]\ntestdocs_dirs = ["../tests"]\n'
            'testdocs_results = ["../junit.xml", "../log.jsonl"]\n'
            "show_warning_types = True\n",  # Sphinx 7's default is False
            "index.rst": "Project\n=======\n",
        },
    )
    # A test the results predate, and results of a test removed since.
    (root / "tests/test_new.py").write_text("def test_new():\n    pass\n")
    return root / "docs"


def build(make_app: Any, srcdir: Path, parallel: int = 1) -> Any:
    app = make_app("html", srcdir=srcdir, parallel=parallel)
    app.build()
    return app


def test_pages_show_outcomes_totals_and_the_results_indices(
    make_app: Any, tmp_path: Path, ran: Path
) -> None:
    srcdir = project(tmp_path, ran)
    (srcdir.parent / "tests/test_other.py").write_text("def test_renamed():\n    pass\n")
    app = build(make_app, srcdir)
    assert app.warning.getvalue() == ""
    out = Path(app.outdir)
    page = (out / "testdocs/tests/test_m.py.html").read_text()
    for badge in ("failed", "error", "xfailed", "xpassed", "skipped", "passed"):
        assert f'testdocs-badge testdocs-outcome-{badge}"' in page, badge
    # Each results file is a column: test_xpass passed in JUnit, xpassed in the log.
    assert "../junit.xml" in page and "../log.jsonl" in page
    assert "says: not today" in page and "says: known bug" in page
    assert "of 7 known tests, 7 ran" in page
    folder = (out / "testdocs/tests/index.html").read_text()
    assert "of 9 known tests, 7 ran" in folder  # test_new and test_renamed never ran
    failing = (out / "test-failingindex.html").read_text()
    assert "test_m.py::test_param" in failing and "test_m.py::test_error" in failing
    assert "test_m.py::test_ok" not in failing
    assert "test_new.py::test_new" in (out / "test-notrunindex.html").read_text()
    orphans = (out / "test-orphanindex.html").read_text()
    assert "tests.test_other::test_other" in orphans  # JUnit's name for it
    assert "tests/test_other.py::test_other" in orphans  # the report log's
    skipped = (out / "test-skippedindex.html").read_text()
    assert "skipped: not today" in skipped and "xfailed: known bug" in skipped
    assert "test_m.py::test_param" in (out / "test-slowestindex.html").read_text()
    # The owners index counts each owner's failing tests (test_param, test_error).
    assert "7 tests; 2 failing" in (out / "test-ownerindex.html").read_text()


def test_a_changed_results_file_rereads_only_the_pages_it_changes(
    make_app: Any, tmp_path: Path, ran: Path
) -> None:
    srcdir = project(tmp_path, ran)
    app = build(make_app, srcdir)
    # test_other now fails in the report log: its page and the folder's totals change.
    log = srcdir.parent / "log.jsonl"
    text = log.read_text()
    marker = '"nodeid": "tests/test_other.py::test_other"'
    lines = [
        line.replace('"outcome": "passed"', '"outcome": "failed"')
        if marker in line and '"when": "call"' in line
        else line
        for line in text.splitlines()
    ]
    log.write_text("\n".join(lines) + "\n")
    app = make_app("html", srcdir=srcdir)
    with recording_reads(app) as read:
        app.build()
    assert sorted(read) == ["testdocs/tests/index", "testdocs/tests/test_other.py"]
    page = (Path(app.outdir) / "testdocs/tests/test_other.py.html").read_text()
    assert "testdocs-outcome-failed" in page


def test_a_broken_results_file_warns_once_and_keeps_the_rest(
    make_app: Any, tmp_path: Path, ran: Path
) -> None:
    srcdir = project(tmp_path, ran)
    junit = srcdir.parent / "junit.xml"
    text = junit.read_text()
    junit.write_text(text[: text.index("test_skip")])  # cut mid-file
    app = build(make_app, srcdir)
    warnings = app.warning.getvalue().strip().splitlines()
    assert len(warnings) == 1
    assert "junit.xml" in warnings[0] and "not well-formed XML" in warnings[0]
    assert "[testdocs.results]" in warnings[0]
    page = (Path(app.outdir) / "testdocs/tests/test_m.py.html").read_text()
    assert "testdocs-outcome-failed" in page  # test_param[2], read before the cut


def test_parallel_builds_with_results_give_the_same_pages(
    make_app: Any, tmp_path: Path, ran: Path
) -> None:
    from tests.helpers import html_files

    outputs = []
    for parallel in (1, 2):
        srcdir = project(tmp_path / f"j{parallel}", ran)
        app = build(make_app, srcdir, parallel)
        outputs.append(html_files(Path(app.outdir), lambda p: "testdocs" in p.parts))
    assert outputs[0] == outputs[1]


def test_the_collection_json_and_the_command_line_carry_the_outcomes(
    make_app: Any, tmp_path: Path, ran: Path
) -> None:

    srcdir = project(tmp_path, ran)
    app = build(make_app, srcdir)
    data = json.loads((Path(app.outdir) / "testdocs.json").read_text())
    results = data["results"]
    assert results["sources"] == ["../junit.xml", "../log.jsonl"]
    xpass = results["tests"]["tests/test_m.py::test_xpass"]
    assert xpass["jobs"] == {"../junit.xml": {"passed": 1}, "../log.jsonl": {"xpassed": 1}}
    assert results["not_run"] == ["tests/test_new.py::test_new"]

    # The same join from the command line, on the same files.
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    cli = [sys.executable, "-m", "sphinx_testdocs"]
    collected = subprocess.run(
        [*cli, "collect", "--format", "json", "--results", "*.xml", "tests"],
        cwd=srcdir.parent,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    from_cli = json.loads(collected.stdout)["results"]
    assert from_cli["sources"] == ["junit.xml"]
    assert from_cli["tests"]["tests/test_m.py::test_param"]["jobs"] == {
        "junit.xml": {"failed": 1, "passed": 2}
    }
    site = subprocess.run(
        [*cli, "tests", "-o", str(tmp_path / "site"), "--results", "log.jsonl"],
        cwd=srcdir.parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert site.returncode == 0, site.stderr
    page = (tmp_path / "site/testdocs/tests/test_m.py.html").read_text()
    assert "testdocs-outcome-xpassed" in page
    assert (tmp_path / "site/test-failingindex.html").is_file()


def test_a_module_pytest_could_not_collect_is_said_on_its_page(
    make_app: Any, tmp_path: Path
) -> None:
    # pytest's JUnit XML reports a collection error as a case named by the module.
    root = write_tree(
        tmp_path,
        {
            "tests/test_fine.py": "def test_fine():\n    pass\n",
            "tests/test_broken.py": "import not_a_module_anywhere\n\ndef test_x():\n    pass\n",
        },
    )
    run_pytest(root, "--junitxml=junit.xml", "--continue-on-collection-errors", "tests")
    write_tree(
        root / "docs",
        {
            "conf.py": 'extensions = ["sphinx_testdocs"]\ntestdocs_dirs = ["../tests"]\n'
            'testdocs_results = ["../junit.xml"]\n',
            "index.rst": "Project\n=======\n",
        },
    )
    app = build(make_app, root / "docs")
    out = Path(app.outdir)
    page = (out / "testdocs/tests/test_broken.py.html").read_text()
    assert "pytest could not collect this file in ../junit.xml" in page
    assert "not_a_module_anywhere" in page
    folder = (out / "testdocs/tests/index.html").read_text()
    assert "1 file pytest could not collect" in folder
    assert "test_broken" not in (out / "test-orphanindex.html").read_text()


def test_results_show_in_a_myst_project_and_its_inline_directives(
    make_app: Any, rootdir: Path, tmp_path: Path
) -> None:
    srcdir = tmp_path / "myst"
    shutil.copytree(rootdir / "test-myst", srcdir, ignore=shutil.ignore_patterns("testdocs"))
    run_pytest(srcdir, "--junitxml=junit.xml", "suite")
    conf = srcdir / "conf.py"
    conf.write_text(conf.read_text() + 'testdocs_results = ["junit.xml"]\n')
    app = build(make_app, srcdir)
    assert app.warning.getvalue() == ""
    assert "matched a known test, 0 did not" in app.status.getvalue()
    inline = (Path(app.outdir) / "in_myst.html").read_text()
    assert "testdocs-outcome-passed" in inline  # the Detailed Analysis of the directive
    assert "Results, from the results file junit.xml" in inline


def test_untrusted_text_in_results_never_becomes_markup(make_app: Any, tmp_path: Path) -> None:
    # Sphinx's index template writes group names unescaped: a skip reason from a results
    # file, or a failing test's file name, must not reach the page as markup.
    root = write_tree(
        tmp_path,
        {
            "tests/test_<b>x.py": "def test_fails():\n    assert False\n",
            "tests/test_skip.py": "import pytest\n\n\n"
            '@pytest.mark.skip(reason="<script>alert(1)</script>")\n'
            "def test_s():\n    pass\n",
            "docs/conf.py": 'extensions = ["sphinx_testdocs"]\ntestdocs_dirs = ["../tests"]\n'
            'testdocs_results = ["../junit.xml"]\n',
            "docs/index.rst": "Project\n=======\n",
        },
    )
    run_pytest(root, "--junitxml=junit.xml", "tests")
    app = build(make_app, root / "docs")
    out = Path(app.outdir)
    skipped = (out / "test-skippedindex.html").read_text()
    assert "<script>alert(1)" not in skipped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in skipped  # the reason, as text
    failing = (out / "test-failingindex.html").read_text()
    assert "test_<b>x.py" not in failing and "test_&lt;b&gt;x.py" in failing


def test_a_result_the_static_map_may_have_missed_is_not_called_gone(
    make_app: Any, tmp_path: Path
) -> None:
    # setattr() adds a test at import time: the map of that file is partial, so a
    # result for the added test is listed with the doubt, not as a test that is gone.
    root = write_tree(
        tmp_path,
        {
            "tests/test_dyn.py": "class TestX:\n    def test_a(self):\n        pass\n\n\n"
            "setattr(TestX, 'test_added', lambda self: None)\n",
            "tests/test_gone.py": "def test_still():\n    pass\n",
            "docs/conf.py": 'extensions = ["sphinx_testdocs"]\ntestdocs_dirs = ["../tests"]\n'
            'testdocs_results = ["../log.jsonl"]\n',
            "docs/index.rst": "Project\n=======\n",
        },
    )
    run_pytest(root, "--report-log=log.jsonl", "tests")
    with (root / "log.jsonl").open("a") as log:  # a test removed since the run
        log.write(
            '{"$report_type": "TestReport", "nodeid": "tests/test_gone.py::test_removed",'
            ' "when": "teardown", "outcome": "passed", "duration": 0.1}\n'
        )
    app = build(make_app, root / "docs")
    orphans = (Path(app.outdir) / "test-orphanindex.html").read_text()
    added, removed = orphans.split("test_added")[1], orphans.split("test_removed")[1]
    assert "test_dyn.py is partly known: pytest may collect this test" in added.split("</tr>")[0]
    assert "partly known" not in removed.split("</tr>")[0]
    data = json.loads((Path(app.outdir) / "testdocs.json").read_text())
    flags = {o["name"]: o["maybe_collected"] for o in data["results"]["unmatched_listed"]}
    assert flags == {
        "tests/test_dyn.py::TestX::test_added": True,
        "tests/test_gone.py::test_removed": False,
    }
