"""The test domain, "tested by" links and the suite overview, on a package with tests."""

from __future__ import annotations

import io
import posixpath
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from docutils import nodes
from sphinx.util.inventory import InventoryFile

from sphinx_testdocs.analysis.summary import Totals
from sphinx_testdocs.run import build_run
from tests.helpers import search_index

ROOT_DOC = "testdocs/tests/index"
CORE_DOC = "testdocs/tests/test_core.py"


def inventory(outdir: Path) -> dict[str, dict[str, Any]]:
    """objects.inv as Sphinx's own reader sees it: {"domain:type": {name: item}}."""
    data = (outdir / "objects.inv").read_bytes()
    uri = "https://example.invalid/"
    if hasattr(InventoryFile, "loads"):  # Sphinx 8.2+
        inv = InventoryFile.loads(data, uri=uri)
    else:
        inv = InventoryFile.load(io.BytesIO(data), uri, posixpath.join)
    raw = getattr(inv, "data", inv)  # Sphinx 8.2+ returns an _Inventory object
    return {kind: dict(items) for kind, items in raw.items()}


@pytest.mark.sphinx("html", testroot="xref", warningiserror=True)
def test_builds_nitpicky_clean_and_roles_resolve(app: Any, warning: Any) -> None:
    app.build()
    assert warning.getvalue() == ""
    index = (Path(app.outdir) / "index.html").read_text()
    for href in (
        "testdocs/tests/test_core.py.html#module-test-core-py",
        "testdocs/tests/test_core.py.html#def-testcalc",
        "testdocs/tests/test_core.py.html#def-test-add",
        "testdocs/tests/test_core.py.html#def-testcalc-test-mul",
        "testdocs/tests/conftest.py.html#def-calc",
        "testdocs/tests/index.html#marker-slow",
    ):
        assert f'href="{href}"' in index, href


@pytest.mark.sphinx("html", testroot="xref")
def test_objects_inventory_holds_the_test_objects(app: Any) -> None:
    app.build()
    inv = inventory(Path(app.outdir))
    assert "test_core.py" in inv["test:module"]
    assert {"test_core.py::test_add", "test_core.py::TestCalc::test_mul"} <= set(inv["test:test"])
    assert "test_other.py::OtherTests" in inv["test:class"]
    assert "conftest.py::calc" in inv["test:fixture"]
    assert set(inv["test:marker"]) == {"skip", "slow"}


@pytest.mark.sphinx("text", testroot="xref", srcdir="xref-text")
def test_tested_by_lists_exactly_the_tests_that_use_each_object(app: Any) -> None:
    app.build()
    api = (Path(app.outdir) / "api.txt").read_text()
    explicit, public = api.split("Explicitly")[1].split("Public name")
    assert "by 2 tests" in explicit
    assert "test_add, line 10 (direct)" in explicit
    assert "test_module_attr, line 14 (direct)" in explicit
    assert "imported by the module, line 6" in explicit
    assert "test_skipped" not in explicit and "test_mul" not in explicit
    unused = api.split("mypkg.core.unused()")[1]
    assert 'No test imports or uses "mypkg.core.unused"' in unused
    calc = api.split("class mypkg.core.Calc")[1].split("mypkg.core.add")[0]
    assert "test_calc_class, line 9 (direct)" in calc
    # Calc.mul reached through the ``calc`` fixture, which returns a Calc().
    mul = calc.split("mul(a, b)")[1].split("Tested by")[1]
    assert "test_mul, line 25 (through fixture calc)" in mul
    # The re-exported name lists what the defining name does, under its own name.
    listed = public[public.index("Imported") :].replace('"mypkg.add"', '"mypkg.core.add"')
    assert listed.strip() == explicit[explicit.index("Imported") :].strip()
    # The reverse: the test page names the project objects its tests use.
    core = (Path(app.outdir) / "testdocs/tests/test_core.py.txt").read_text()
    assert '"mypkg.core.add" — used by 2 tests' in core


def _overview_total_tests(app: Any) -> int:
    summaries = next(iter(build_run(app.env).files.summaries.values()))
    return Totals.of([s for _, s in summaries.values()]).tests


def _page_tests(doctree: nodes.document) -> int:
    from sphinx_testdocs.render.pieces import testdocs_fields

    for fields in doctree.findall(testdocs_fields):
        for name, pieces in fields["rows"]:
            if name == "Tests":
                return int("".join(pieces).replace(",", ""))
    raise AssertionError("no Tests field")


@pytest.mark.sphinx("html", testroot="xref")
def test_overview_numbers_equal_the_sum_of_the_pages(app: Any) -> None:
    app.build()
    pages = [d for d in app.env.found_docs if d.endswith(".py")]
    per_page = sum(_page_tests(app.env.get_doctree(d)) for d in pages)
    assert per_page == _overview_total_tests(app) == 5
    overview = (Path(app.outdir) / f"{ROOT_DOC}.html").read_text()
    section = overview.split('id="suite-overview"')[1].split("</section>")[0]
    assert re.search(r"<p>Total</p></td>\s*<td[^>]*><p>3</p></td>\s*<td[^>]*><p>5</p>", section)
    assert 'class="testdocs-bar"' in section
    assert 'id="marker-skip"' in section and 'id="marker-slow"' in section
    assert "Every file parses." in section


@pytest.mark.sphinx("html", testroot="xref", srcdir="xref-serial")
def test_parallel_build_loses_no_domain_entries(app: Any, make_app: Any, tmp_path: Path) -> None:
    app.build()
    copy = tmp_path / "parallel"
    shutil.copytree(app.srcdir, copy, ignore=shutil.ignore_patterns("_build", "testdocs"))
    parallel = make_app("html", srcdir=copy, parallel=2)
    parallel.build()
    serial_inv, parallel_inv = inventory(Path(app.outdir)), inventory(Path(parallel.outdir))
    assert {k: sorted(v) for k, v in parallel_inv.items()} == {
        k: sorted(v) for k, v in serial_inv.items()
    }
    marker_index = (Path(parallel.outdir) / "test-markerindex.html").read_text()
    assert "not ready" in marker_index and "flaky on CI" in marker_index


@pytest.mark.sphinx("html", testroot="xref", srcdir="xref-ambiguous")
def test_ambiguous_and_missing_references_warn(app: Any, make_app: Any) -> None:
    srcdir = Path(app.srcdir)
    with (srcdir / "tests/test_other.py").open("a") as fh:
        fh.write("\n\ndef test_add():\n    pass\n")
    with (srcdir / "index.rst").open("a") as fh:
        fh.write("\nAmbiguous: :test:func:`test_add`. Missing: :test:fixture:`nothing`.\n")
    fresh = make_app("html", srcdir=srcdir, freshenv=True)
    fresh.build()
    warnings = fresh._warning.getvalue()
    assert "ambiguous test reference 'test_add': tests/test_core.py::test_add" in warnings
    assert "[testdocs.ref]" in warnings
    assert "no test object 'nothing' for :test:fixture:" in warnings


def _singular(word: str) -> str:
    if word.endswith("sses"):
        return word[:-2]
    return word if word.endswith("ss") else word.removesuffix("s")


@pytest.mark.parametrize("index_tests", [False, True])
def test_every_object_kind_is_in_the_general_index(
    make_app: Any, rootdir: Path, tmp_path: Path, index_tests: bool
) -> None:
    srcdir = tmp_path / "xref"
    shutil.copytree(rootdir / "test-xref", srcdir)
    app = make_app("html", srcdir=srcdir, confoverrides={"testdocs_index_tests": index_tests})
    app.build()
    genindex = (Path(app.outdir) / "genindex.html").read_text()
    for entry in (
        "test_core.py (test module)",
        "TestCalc (test class in test_core.py)",
        "calc (fixture in conftest.py)",
        "slow (marker)",
    ):
        assert entry in genindex, entry
    # Tests only on request: thousands of test_* entries on large suites.
    assert ("test_add (test in test_core.py)" in genindex) is index_tests
    page = (Path(app.outdir) / f"{CORE_DOC}.html").read_text()
    # The page says exactly what it adds to the index: the kinds it has, counted.
    entries = app.env.domains["index"].entries[CORE_DOC]
    kinds = Counter(
        text.split(" (", 1)[1].split(" in ", 1)[0].rstrip(")") for _, text, *_ in entries
    )
    said = re.search(r"this page adds (\d+) entr(?:y|ies) \(([^)]*)\)", page)
    assert said is not None and int(said[1]) == len(entries) == sum(kinds.values())
    assert said[2].startswith("the file itself")
    shown = {_singular(part.split(" ", 1)[1]) for part in said[2].split(", ")[1:]}
    assert shown == set(kinds) - {"test module"}
    assert ("test" in shown) is index_tests
    # Either way a test is found by the search box and links to its place.
    index = search_index(Path(app.outdir))
    found = {
        f"{prefix}.{o[4]}"
        for prefix, entries in index["objects"].items()
        for o in entries
        if index["objnames"][str(o[1])][:2] == ["test", "test"]
    }
    assert "test_core.py::test_add" in found
    # Modules rank first (priority 0): searchtools.js finds no match in a module's last
    # dotted part ("py"), while its tests named after it match there.
    priorities = {
        f"{prefix}.{o[4]}": o[2] for prefix, entries in index["objects"].items() for o in entries
    }
    assert priorities["test_core.py"] == 0 and priorities["test_core.py::TestCalc"] == 1


@pytest.mark.sphinx("html", testroot="xref")
def test_dependencies_stay_data_until_references_resolve(app: Any) -> None:
    # The section is half of a large suite's nodes: through reading and pickling it is
    # one node; just before references resolve it becomes links, for every builder.
    from sphinx_testdocs.render.module import testdocs_dependencies

    app.build()
    pickled = app.env.get_doctree(CORE_DOC)
    (section,) = [s for s in pickled.findall(nodes.section) if "dependencies" in s["ids"]]
    assert len(list(section.findall(testdocs_dependencies))) == 1
    assert not list(section.findall(nodes.reference))
    html = (app.outdir / f"{CORE_DOC}.html").read_text()
    deps = html[html.index('id="dependencies"') : html.index('id="code-patterns-idioms"')]
    # Documented objects link to their API docs; the rest stay text, without warnings.
    assert re.search(
        r'<a class="reference internal" href="\.\./\.\./api\.html#module-mypkg\.core"', deps
    )
    assert re.search(r'href="\.\./\.\./api\.html#mypkg\.core\.add"', deps)
    assert "Standard library" not in deps and "Project objects the tests use" in deps


def test_names_documented_through_intersphinx_link(
    make_app: Any, rootdir: Path, tmp_path: Path
) -> None:
    # Imports offered to the reference resolver are those the Python domain or an
    # intersphinx inventory knows: a name only another project documents still links.
    other = tmp_path / "other"
    other.mkdir()
    (other / "conf.py").write_text('project = "other"\n')
    (other / "index.rst").write_text("Other\n=====\n\n.. py:module:: os\n")
    make_app("html", srcdir=other).build()
    inventory_file = Path(make_app("html", srcdir=other).outdir) / "objects.inv"
    assert inventory_file.is_file()

    srcdir = tmp_path / "basic"
    shutil.copytree(rootdir / "test-basic", srcdir)
    app = make_app(
        "html",
        srcdir=srcdir,
        confoverrides={
            "extensions": ["sphinx.ext.intersphinx", "sphinx_testdocs"],
            "intersphinx_mapping": {"other": ("https://other.invalid/", str(inventory_file))},
        },
    )
    app.build()
    html = (Path(app.outdir) / "testdocs/suite/test_alpha.py.html").read_text()
    deps = html[html.index('id="dependencies"') : html.index('id="code-patterns-idioms"')]
    assert re.search(
        r'<a class="reference external" href="https://other\.invalid/index\.html#module-os"', deps
    )
    # Nothing documents subprocess: plain code, as before.
    assert (
        '<code class="docutils literal notranslate"><span class="pre">subprocess</span></code>'
        in deps
    )


BUILTIN_MARKS = """\
import pytest

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.mark.parametrize("x, y", [(1, 2), (3, 4)])
def test_pairs(x, y):
    pass


@pytest.mark.skipif(True, reason="never here")
@pytest.mark.usefixtures("calc")
def test_conditional():
    pass


@pytest.mark.xfail(reason="known bug")
def test_known_bug():
    pass


@pytest.mark.parametrize(["z"], [[5]])
class TestBoth:
    def test_z(self, z):
        pass
"""


def test_markers_written_as_decorators_are_all_known(
    make_app: Any, rootdir: Path, tmp_path: Path
) -> None:
    # parametrize, skipif, xfail, usefixtures and filterwarnings are marks like any
    # other: the role, the inventory and the marker index know each one a test carries.
    srcdir = tmp_path / "xref-marks"
    shutil.copytree(rootdir / "test-xref", srcdir)
    (srcdir / "tests" / "test_marks.py").write_text(BUILTIN_MARKS)
    roles = ", ".join(
        f":test:marker:`{m}`"
        for m in ("parametrize", "skipif", "xfail", "usefixtures", "filterwarnings")
    )
    with (srcdir / "index.rst").open("a") as fh:
        fh.write(f"\nBuilt-in marks: {roles}.\n")
    app = make_app("html", srcdir=srcdir, warningiserror=True)
    app.build()
    assert app._warning.getvalue() == ""
    inv = inventory(Path(app.outdir))
    assert set(inv["test:marker"]) == {
        "filterwarnings",
        "parametrize",
        "skip",
        "skipif",
        "slow",
        "usefixtures",
        "xfail",
    }
    index = (Path(app.outdir) / "index.html").read_text()
    assert 'href="testdocs/tests/index.html#marker-parametrize"' in index
    marker_index = (Path(app.outdir) / "test-markerindex.html").read_text()
    group = marker_index.split('id="cap-parametrize"')[1].split('class="cap"')[0]
    # A parametrize entry names its arguments, not its values (they may run to pages).
    assert "test_marks.py::test_pairs" in group and "x, y" in group
    assert "test_marks.py::TestBoth" in group and "(z)" in group.replace("<em>", "")
    assert "(1, 2)" not in group
    overview = (Path(app.outdir) / f"{ROOT_DOC}.html").read_text()
    assert 'id="marker-parametrize"' in overview


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        ('"a, b", [(1, 2)]', "a, b"),
        ('argnames=("x", "y"), argvalues=[]', "x, y"),
        ("a) if b else (c", ""),  # text that is not one call's arguments
        ("NAMES, VALUES", ""),  # names the index cannot know without running code
    ],
)
def test_parametrize_is_summarised_by_its_argument_names(args: str, shown: str) -> None:
    from sphinx_testdocs.analysis.markers import marker_summary

    assert marker_summary("parametrize", args) == shown
    assert marker_summary("skipif", args) == args


def test_a_test_using_a_name_on_several_lines_is_one_row(
    make_app: Any, rootdir: Path, tmp_path: Path
) -> None:
    srcdir = tmp_path / "xref"
    shutil.copytree(rootdir / "test-xref", srcdir, ignore=shutil.ignore_patterns("testdocs"))
    with (srcdir / "tests/test_core.py").open("a") as fh:
        fh.write("\n\ndef test_add_twice():\n    add(1, 1)\n    add(2, 2)\n")
    app = make_app("text", srcdir=srcdir)
    app.build()
    text = (Path(app.outdir) / "api.txt").read_text()
    explicit = text.split("Explicitly")[1].split("Public name")[0]
    assert explicit.count("test_add_twice") == 1
    assert "test_add_twice, lines 29, 30" in explicit
    assert "test_add, line 10" in explicit
