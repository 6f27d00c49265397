"""Real builds of a PyTorch-style suite: generated names, doubts on pages, rebuilds.

``tests/roots/test-torchlike`` holds a stand-in of an installed torch (``site``, on
pytest's ``pythonpath``): the analysis reads it as source, as it reads site-packages.
"""

from __future__ import annotations

import html
import os
import time
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import recording_reads

DEVICES_DOC = "testdocs/test/test_devices.py"
SHARED_DOC = "testdocs/test/test_shared.py"


def _html(app: Any, docname: str) -> str:
    # Unescaped: Sphinx writes "@" as "&#64;".
    return html.unescape((Path(app.outdir) / f"{docname}.html").read_text(encoding="utf-8"))


@pytest.mark.sphinx("html", testroot="torchlike")
def test_device_tests_are_shown_as_pytest_names_them(app: Any, warning: Any) -> None:
    app.build()
    assert warning.getvalue() == ""
    page = _html(app, DEVICES_DOC)
    # The generic class is instantiated per device type; its tests renamed.
    assert "collected as <code" in page and "TestKernelsCPU" in page
    for name in (
        "TestKernelsCPU::test_add_cpu_bfloat16",
        "TestKernelsCPU::test_add_cpu_float16",
        "TestKernelsCPU::test_conversion_cpu",
    ):
        assert name in page
    assert "TestKernels::test_conversion" not in page  # pytest collects no such ID
    assert "instantiate_device_type_tests (cpu), @dtypes" in page
    # A device decorator is a marker, named as written, with its framework.
    assert "onlyCUDA</span></code> (PyTorch decorator)" in page


@pytest.mark.sphinx("html", testroot="torchlike")
def test_doubts_are_on_the_page_where_the_reader_looks(app: Any) -> None:
    app.build()
    page = _html(app, DEVICES_DOC)
    # In the High-Level Overview: partly known, and why.
    assert "<strong>Partly known</strong>" in page
    assert "1 test: names depend on @ops over op_db; the dtypes each operator supports" in page
    # On the test's own entry in the Detailed Analysis.
    assert "test_every_op_<op>_cpu_<dtype>" in page
    assert '<span class="testdocs-badge">partly known</span>' in page
    # Not offered as a node ID: no test has that name.
    ids_block = page.split("testdocs-nodeids", 1)[1]
    assert "<op>" not in ids_block.split("</pre>", 1)[0]
    shared = _html(app, SHARED_DOC)
    assert "Fully known" in shared and "Partly known" not in shared
    # A test inherited from another file of the tree, with where it is written.
    assert "test_shared</span></code> from common_base.SharedChecks (test/common_base.py" in shared
    kit = "test_kit_contract</span></code> from kit.KitChecks (site/kit/__init__.py, line 5)"
    assert kit in shared


@pytest.mark.sphinx("html", testroot="torchlike")
def test_suite_overview_says_how_well_the_suite_is_known(app: Any) -> None:
    app.build()
    page = _html(app, "testdocs/test/index")
    assert "How well the tests are known" in page
    assert "1 of 2 test modules are fully known" in page
    assert "1 partly, because:" in page
    # A class decorator is one use, not one per test method (the class has 4 tests).
    row = page.split('id="marker-skipif"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="testdocs-num"><p>1</p></td>' in row


@pytest.mark.sphinx("html", testroot="torchlike")
def test_marker_index_lists_class_decorators_once(app: Any) -> None:
    app.build()
    index = (Path(app.outdir) / "test-markerindex.html").read_text(encoding="utf-8")
    assert "skipIf" in index and "onlyCUDA" in index
    # The class, once, under its marker: not each of its four tests.
    assert index.count("test_devices.py::TestKernelsCPU</code></a> <em>(False,") == 1
    assert "TestKernelsCPU::test_add_cpu_float16</code></a> <em>(False" not in index


@pytest.mark.sphinx("html", testroot="torchlike")
def test_changed_base_class_rereads_the_pages_that_inherit(app: Any) -> None:
    app.build()
    # Files read to resolve names are dependencies; unchanged, they re-read nothing.
    with recording_reads(app) as read:
        app.build()
    assert read == []
    base = Path(app.srcdir) / "test" / "common_base.py"
    stamp = time.time() + 5  # later than the pages were read, however coarse the clock
    os.utime(base, (stamp, stamp))
    with recording_reads(app) as read:
        app.build()
    # The base's own page and the page that inherits from it; not the unrelated one.
    assert SHARED_DOC in read and DEVICES_DOC not in read
    # An installed package read as source is a dependency too.
    kit = Path(app.srcdir) / "site/kit/__init__.py"
    os.utime(kit, (stamp + 5, stamp + 5))
    with recording_reads(app) as read:
        app.build()
    assert SHARED_DOC in read and DEVICES_DOC not in read


@pytest.mark.sphinx(
    "html", testroot="torchlike", confoverrides={"testdocs_device_types": ["cpu", "cuda"]}
)
def test_device_types_are_a_configuration_value(app: Any) -> None:
    app.build()
    page = _html(app, DEVICES_DOC)
    # As a machine with CUDA collects: TestKernels stays CPU-only (only_for), the
    # other generic class gets a class per device type.
    assert "TestAnyDeviceCPU::test_any_cpu" in page
    assert "TestAnyDeviceCUDA::test_any_cuda" in page
    assert "TestKernelsCUDA" not in page
