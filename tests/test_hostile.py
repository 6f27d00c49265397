"""Hostile and broken input: every file gives a page or one clear warning, never a traceback.

Awkward files (bad bytes, FIFOs, symlinks, names git cannot hold, modules that would
misbehave if imported) are written at test time into a copy of a small root; one build
of the mixed tree is shared by most assertions to keep the file fast.
"""

from __future__ import annotations

import faulthandler
import os
import random
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from docutils import nodes
from sphinx.testing.util import SphinxTestApp

from sphinx_testdocs.analysis.parsing import parse_module
from sphinx_testdocs.project import Project
from sphinx_testdocs.run import build_run

# --- what the user sees --------------------------------------------------------------

_ESCAPES = re.compile(r"\x1b\[[0-9;]*m")


def warning_lines(app: SphinxTestApp) -> list[str]:
    """The warnings of a build, one per line, without colour codes."""
    text = _ESCAPES.sub("", app.warning.getvalue())
    return [line for line in text.splitlines() if ": WARNING: " in line]


def warned_path(line: str) -> str:
    """The file a warning line is about, tolerant of the ".rst" Sphinx appends today."""
    location = line.split(": WARNING: ", 1)[0]
    location = re.sub(r":\d*$", "", location)
    return location.removesuffix(".rst")


def expected_line(path: Path, line: int | None, message: str, subtype: str) -> str:
    where = f"{path}:{line}" if line else str(path)
    return f"{where}: WARNING: {message} [testdocs.{subtype}]"


def project_of(app: SphinxTestApp) -> Project:
    project = build_run(app.env).project
    assert project is not None
    return project


def page_html(app: SphinxTestApp, relpath: str) -> str:
    root = project_of(app).roots[0]
    docname = root.file_docnames[relpath]
    return (Path(app.outdir) / f"{docname}.html").read_text(encoding="utf-8")


def parse_error(source: bytes) -> tuple[str, str, int | None] | None:
    """What the running Python says about ``source``, in its own words (any version).

    Returns (subtype, message, line): ``recursion`` when the parser runs out of stack.
    """
    try:
        parse_module(source)
    except SyntaxError as exc:
        where = f" (line {exc.lineno})" if exc.lineno else ""
        return "syntax", f"Python cannot parse the file: {exc.msg}{where}", exc.lineno
    except ValueError as exc:
        return "syntax", f"Python cannot parse the file: {exc}", None
    except (RecursionError, MemoryError) as exc:
        return "recursion", f"Python cannot parse the file: {exc}", None
    return None


# --- the cases -----------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One hostile file: its bytes, the warning it must give and what its page shows."""

    id: str
    name: str
    data: bytes
    #: (subtype, message, line) of the one warning, or None for a clean page.
    warning: tuple[str, str, int | None] | None = None
    shows: tuple[str, ...] = ()
    marks: tuple[Any, ...] = field(default=())


def _syntax_case(id: str, name: str, data: bytes, *shows: str) -> Case:
    error = parse_error(data)
    if error is None:  # a newer Python parses it: then it is simply a page
        return Case(id, name, data, None, shows)
    subtype, message, line = error
    return Case(id, name, data, (subtype, message, line), shows)


NEWER_GRAMMAR = (
    b"type Number = int | float\n\n\ndef first[T](items: list[T]) -> T:\n    return items[0]\n\n\n"
    b'def test_template():\n    assert t"{1}" is not None\n'
)
DEEP_EXPRESSION = b"def test_deep():\n    assert 0 == " + b"+".join([b"0"] * 200_000) + b"\n"


def nested_classes(depth: int) -> bytes:
    """Classes nested ``depth`` deep around one test (Python allows 98: 100 indents)."""
    return b"".join(b"    " * i + b"class TestLevel%d:\n" % i for i in range(depth)) + (
        b"    " * depth + b"def test_bottom(self):\n" + b"    " * (depth + 1) + b"pass\n"
    )


PARAMS = (
    b"import pytest\n\n\n@pytest.mark.parametrize('n', ["
    + b", ".join(b"%d" % i for i in range(50_000))
    + b"])\ndef test_many(n):\n    assert n >= 0\n"
)
_BINARY = random.Random(5).randbytes(4096)

CASES: list[Case] = [
    _syntax_case(
        "syntax-error",
        "test_syntax.py",
        b"def test_bad(:\n    pass\n",
        # One line for the three findings sections, not a heading and a sentence each.
        "<strong>Code Patterns &amp; Idioms</strong>, <strong>Performance Considerations"
        "</strong> and <strong>Security &amp; Safety</strong>: not analysed, the file could "
        "not be parsed.",
    ),
    _syntax_case("newer-grammar", "test_newer.py", NEWER_GRAMMAR, "first"),
    Case(
        "undecodable",
        "test_undecodable.py",
        b'def test_x():\n    s = "\xff\xfe"\n',
        ("decode", "bytes are not valid utf-8 at byte offset 23: invalid start byte", 2),
        ("test_x", "unknown (shown as UTF-8 with replacement characters)"),
    ),
    Case(
        "cookie-latin-1",
        "test_latin1.py",
        b'# -*- coding: latin-1 -*-\n"""Caf\xe9 cr\xe8me."""\n\n\ndef test_a():\n    pass\n',
        None,
        ("Café crème.", "iso-8859-1"),
    ),
    Case(
        "cookie-cp1252",
        "test_cp1252.py",
        b'# coding: cp1252\n"""\x93Smart\x94 quotes \x80."""\n\n\ndef test_a():\n    pass\n',
        None,
        ("\u201cSmart\u201d quotes \u20ac.", "cp1252"),
    ),
    Case(
        "cookie-utf-8-sig",
        "test_utf8sig.py",
        b'\xef\xbb\xbf# coding: utf-8-sig\n"""Signed."""\n\n\ndef test_a():\n    pass\n',
        None,
        ("Signed.", "with byte order mark"),
    ),
    Case(
        "cookie-unknown",
        "test_klingon.py",
        b"#!/usr/bin/env python\n# coding: klingon\ndef test_a():\n    pass\n",
        ("decode", "cannot determine the encoding: unknown encoding: klingon", 2),
        ("coding: klingon",),
    ),
    Case(
        "bom-contradicts-cookie",
        "test_bom_latin1.py",
        b"\xef\xbb\xbf# coding: latin-1\ndef test_a():\n    pass\n",
        (
            "decode",
            "cannot determine the encoding: a UTF-8 byte order mark and a coding cookie "
            "that names another encoding",
            1,
        ),
    ),
    Case(
        "bom",
        "test_bom.py",
        b'\xef\xbb\xbf"""With a BOM."""\n\n\ndef test_a():\n    pass\n',
        None,
        ("With a BOM.", "with byte order mark"),
    ),
    Case(
        "crlf",
        "test_crlf.py",
        b'"""Windows."""\r\n\r\n\r\ndef test_a():\r\n    pass\r\n',
        None,
        ("Windows.", "CRLF", 'id="L-5"'),
    ),
    Case(
        "lone-cr",
        "test_cr.py",
        b'"""Classic Mac."""\r\r\rdef test_a():\r    pass\r',
        None,
        ("Classic Mac.", "<p>CR</p>", 'id="L-5"'),
    ),
    Case(
        "form-feed",
        "test_formfeed.py",
        b'"""Pages."""\n\x0c\ndef test_a():\n    pass\n\x0c\n\ndef test_b():\n    pass\n',
        None,
        ("Pages.", "test_b"),
    ),
    Case("tabs", "test_tabs.py", b"def test_a():\n\tif True:\n\t\tpass\n", None, ("test_a",)),
    _syntax_case("mixed-tabs", "test_taberror.py", b"def test_a():\n\tif True:\n        pass\n"),
    _syntax_case("nul-byte", "test_nul.py", b'def test_a():\n    s = "a\x00b"\n'),
    Case("empty", "test_empty.py", b"", None, ("This file contains 0 classes",)),
    _syntax_case("deep-expression", "test_deep.py", DEEP_EXPRESSION),
    Case(
        "deep-definitions",
        "test_nested.py",
        nested_classes(98),
        None,
        ("TestLevel97", "test_bottom"),
    ),
    # One level deeper than Python allows: the page shows the recovered structure.
    _syntax_case("nesting-beyond-parser", "test_too_deep.py", nested_classes(99), "TestLevel98"),
    Case("parametrize-50000", "test_params.py", PARAMS, None, ("test_many", "50,000")),
    Case(
        "binary",
        "test_binary.py",
        _BINARY,
        ("binary", "the file holds binary data, not Python source", None),
        ("The content cannot be shown as text.",),
    ),
    Case(
        "script-in-docstring",
        "test_inject.py",
        b'"""<script>alert(1)</script>\n\n.. raw:: html\n\n   <b>RAW</b>\n\n'
        b'.. include:: /etc/passwd\n\n|subst| and :doc:`index`\n"""\n\n\n'
        b'def test_x():\n    """<script>alert(2)</script>"""\n',
        None,
        ("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;b&gt;RAW&lt;/b&gt;", "|subst|"),
    ),
]

#: Names that are hard to turn into document names and URLs; each file is well formed.
NAMES = [
    "test with spaces.py",
    "test_ünïcödé.py",
    "test_#hash.py",
    "test_%41percent.py",
    "test_[bracket].py",
    ".test_leading_dot.py",
    "a-b.py",
    "a_b.py",
    "Test.py",
    "test.py",
    "test_<script>alert(3)<script>.py",
    "test_new\nline.py",
    "x" * 240 + ".py",
]
CASES += [
    Case(
        f"name-{i}",
        name,
        b'"""Named %d."""\n\n\ndef test_named():\n    pass\n' % i,
        None,
        (f"Named {i}.",),
    )
    for i, name in enumerate(NAMES)
]

#: A module or conftest.py that ran at import would leave this file, exit or hang.
MARKER_NAME = "IMPORTED-MARKER"


def _exec_modules(marker: Path) -> dict[str, bytes]:
    write = f"import pathlib\npathlib.Path({str(marker)!r}).write_text('imported')\n".encode()
    return {
        "conftest.py": b'"""Would run at collection."""\n' + write + b"import sys\nsys.exit(3)\n",
        "test_exec_marker.py": b'"""Would write a file."""\n' + write,
        "test_exec_exit.py": b'"""Would exit."""\nimport os\nos._exit(3)\n',
        "test_exec_hang.py": b'"""Would hang."""\nwhile True:\n    pass\n',
    }


@dataclass
class FsCase:
    """A file-system oddity: made by ``make``, warned about at ``where`` (or silent)."""

    id: str
    make: Callable[[Path, Path], Path]  # (suite, outside) -> the path warned about
    warning: tuple[str, str] | None
    marks: tuple[Any, ...] = ()


def _fifo(suite: Path, outside: Path) -> Path:
    os.mkfifo(suite / "test_fifo.py")
    return suite / "test_fifo.py"


def _self_loop(suite: Path, outside: Path) -> Path:
    (suite / "test_selfloop.py").symlink_to("test_selfloop.py")
    return suite / "test_selfloop.py"


def _folder_loop(suite: Path, outside: Path) -> Path:
    (suite / "looped").mkdir()
    (suite / "looped" / "test_in_loop.py").write_bytes(b"def test_l():\n    pass\n")
    (suite / "looped" / "up").symlink_to("..")
    return suite / "looped" / "up"


def _outside_file(suite: Path, outside: Path) -> Path:
    (outside / "test_outside.py").write_bytes(b"def test_o():\n    pass\n")
    (suite / "test_escape.py").symlink_to(outside / "test_outside.py")
    return suite / "test_escape.py"


def _outside_folder(suite: Path, outside: Path) -> Path:
    (suite / "escape").symlink_to(outside)
    return suite / "escape"


def _directory_named_py(suite: Path, outside: Path) -> Path:
    (suite / "x.py").mkdir()
    return suite / "x.py"


def _undecodable_name(suite: Path, outside: Path) -> Path:
    # The file system takes any bytes; Python names them with a surrogate escape.
    (suite / os.fsdecode(b"test_\xff.py")).write_bytes(b"x = 1\n")
    return suite


FS_CASES = [
    FsCase("fifo", _fifo, ("scan", "not a regular file (a named pipe); no page")),
    FsCase("symlink-self-loop", _self_loop, ("symlink", "symbolic link loop; not followed")),
    FsCase(
        "symlink-folder-loop",
        _folder_loop,
        (
            "symlink",
            "symbolic link loop: it leads back to a folder that contains it; not followed",
        ),
    ),
    FsCase(
        "symlink-outside-file",
        _outside_file,
        (
            "symlink",
            "symbolic link leads outside the documented folder; not followed (set "
            "testdocs_follow_symlinks to follow it)",
        ),
    ),
    FsCase(
        "symlink-outside-folder",
        _outside_folder,
        (
            "symlink",
            "symbolic link leads outside the documented folder; not followed (set "
            "testdocs_follow_symlinks to follow it)",
        ),
    ),
    FsCase("directory-named-x.py", _directory_named_py, None),
    FsCase(
        "undecodable-name",
        _undecodable_name,
        (
            "scan",
            "skipped b'test_\\xff.py': the name is not valid UTF-8, so no page can show it",
        ),
    ),
]


# --- the shared build ----------------------------------------------------------------


@dataclass
class Built:
    app: SphinxTestApp
    suite: Path
    marker: Path
    warned: dict[str, Path]  # FsCase id -> path its warning names


def _write_cases(suite: Path, outside: Path, marker: Path) -> dict[str, Path]:
    for case in CASES:
        (suite / case.name).write_bytes(case.data)
    for name, data in _exec_modules(marker).items():
        (suite / name).write_bytes(data)
    return {fs.id: fs.make(suite, outside) for fs in FS_CASES}


@pytest.fixture(scope="module")
def mixed(rootdir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    base = tmp_path_factory.mktemp("hostile")
    srcdir = base / "docs"
    shutil.copytree(rootdir / "test-hostile-mixed", srcdir)
    outside = srcdir / "outside"
    outside.mkdir()
    marker = base / MARKER_NAME
    warned = _write_cases(srcdir / "suite", outside, marker)
    # A module that ran at import would hang the build: fail loudly instead of forever.
    faulthandler.dump_traceback_later(300, exit=True)
    app = SphinxTestApp("html", srcdir=srcdir, status=StringIO(), warning=StringIO())
    try:
        app.build()
    finally:
        faulthandler.cancel_dump_traceback_later()
    yield Built(app, srcdir / "suite", marker, warned)
    app.cleanup()


def _params(cases: list[Case]) -> list[Any]:
    """One param per case, named after it."""
    return [pytest.param(case, id=case.id, marks=list(case.marks)) for case in cases]


@pytest.mark.parametrize("case", _params(CASES))
def test_every_file_gets_a_page(mixed: Built, case: Case) -> None:
    html = page_html(mixed.app, case.name)
    title = case.name.replace("<", "&lt;").replace(">", "&gt;")
    assert f'<h1>{title}<a class="headerlink"' in html
    for shown in case.shows:
        assert shown in html
    if case.warning:
        # The page says what went wrong, too.
        assert case.warning[1].replace("'", "&#39;") in html


@pytest.mark.parametrize("case", _params(CASES))
def test_exact_warning_line(mixed: Built, case: Case) -> None:
    lines = warning_lines(mixed.app)
    if case.warning is None:
        assert not [w for w in lines if warned_path(w) == str(mixed.suite / case.name)]
        return
    subtype, message, line = case.warning
    assert expected_line(mixed.suite / case.name, line, message, subtype) in lines


@pytest.mark.parametrize(
    "fs",
    [pytest.param(fs, id=fs.id) for fs in FS_CASES],
)
def test_file_system_oddity_warning_line(mixed: Built, fs: FsCase) -> None:
    lines = warning_lines(mixed.app)
    path = mixed.warned[fs.id]
    if fs.warning is None:
        assert not [w for w in lines if warned_path(w) == str(path)]
        return
    subtype, message = fs.warning
    assert expected_line(path, None, message, subtype) in lines


def test_one_warning_per_bad_file_and_nothing_else(mixed: Built) -> None:
    lines = warning_lines(mixed.app)
    expected: dict[str, str] = {}
    for case in CASES:
        if case.warning:
            expected[str(mixed.suite / case.name)] = case.warning[1]
    for fs in FS_CASES:
        if fs.warning:
            expected[str(mixed.warned[fs.id])] = fs.warning[1]
    got: dict[str, list[str]] = {}
    for line in lines:
        got.setdefault(warned_path(line), []).append(line)
    assert {path: len(ws) for path, ws in got.items()} == dict.fromkeys(expected, 1)
    for path, message in expected.items():
        assert f": WARNING: {message} [testdocs." in got[path][0]


def test_the_rest_of_the_build_is_unaffected(mixed: Built) -> None:
    html = page_html(mixed.app, "test_ok.py")
    assert (
        "The module docstring says: <em>A well-behaved module next to the hostile ones.</em>"
        in html
    )
    assert "Nothing unusual here." in html
    assert "python -m pytest suite/test_ok.py" in html
    folder = (Path(mixed.app.outdir) / "testdocs/suite/index.html").read_text(encoding="utf-8")
    # Every page is linked from the folder page; files that gave no page are not.
    project = project_of(mixed.app)
    root = project.roots[0]
    for case in CASES:
        assert f'href="{Path(root.file_docnames[case.name]).name}.html"' in folder
    assert "test_fifo.py.html" not in folder
    assert root.tree.folder("looped") is not None  # a loop does not cost its folder


def test_analysed_code_is_never_imported(mixed: Built) -> None:
    # The build returned (no exit, no hang) and nothing wrote the marker.
    assert not mixed.marker.exists()
    for name in ("conftest.py", "test_exec_marker.py", "test_exec_exit.py", "test_exec_hang.py"):
        assert "<h1>" in page_html(mixed.app, name)
    assert "while" in page_html(mixed.app, "test_exec_hang.py")


def test_analysed_text_is_never_markup(mixed: Built) -> None:
    html = page_html(mixed.app, "test_inject.py")
    assert "<script>alert" not in html
    assert "<b>RAW</b>" not in html
    assert "root:x:0:0" not in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    doctree = mixed.app.env.get_doctree(
        project_of(mixed.app).roots[0].file_docnames["test_inject.py"]
    )
    assert not list(doctree.findall(nodes.raw))
    assert not list(doctree.findall(nodes.substitution_reference))
    name_page = page_html(mixed.app, "test_<script>alert(3)<script>.py")
    assert "<script>alert(3)" not in name_page
    assert "test_&lt;script&gt;alert(3)&lt;script&gt;.py" in name_page


def test_names_that_collide_as_document_names_stay_distinct(mixed: Built) -> None:
    root = project_of(mixed.app).roots[0]
    docnames = [root.file_docnames[name] for name in NAMES]
    assert len({d.casefold() for d in docnames}) == len(NAMES)
    assert root.file_docnames["a-b.py"] == "testdocs/suite/a-b.py"
    assert root.file_docnames["a_b.py"] == "testdocs/suite/a_b.py"
    for docname in docnames:
        assert all(len(part) < 200 for part in docname.split("/"))


def test_nul_byte_is_shown_and_lines_stay_linked(mixed: Built) -> None:
    html = page_html(mixed.app, "test_nul.py")
    assert 'id="L-2"' in html
    # Shown as the symbol for NUL, written as a reference (beyond Latin-1: listing.narrow).
    assert "&#9216;" in html and "\x00" not in html


# --- files that change under the build -----------------------------------------------


@pytest.fixture(scope="module")
def vanished(rootdir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SphinxTestApp]:
    srcdir = tmp_path_factory.mktemp("vanished") / "docs"
    shutil.copytree(rootdir / "test-hostile-mixed", srcdir)
    suite = srcdir / "suite"
    (suite / "test_gone.py").write_bytes(b"def test_gone():\n    pass\n")
    (suite / "test_now_a_folder.py").write_bytes(b"def test_folder():\n    pass\n")
    app = SphinxTestApp("html", srcdir=srcdir, status=StringIO(), warning=StringIO())

    def pull_the_rug(_app: Any, _env: Any, *_sets: set[str]) -> list[str]:
        (suite / "test_gone.py").unlink()
        (suite / "test_now_a_folder.py").unlink()
        (suite / "test_now_a_folder.py").mkdir()  # reading it fails: IsADirectoryError
        return []

    # After the scan (builder-inited), before the extension analyses (priority 500).
    app.connect("env-get-outdated", pull_the_rug, priority=100)
    app.build()
    yield app
    app.cleanup()


def test_files_that_vanish_before_reading_cost_one_warning_each(vanished: SphinxTestApp) -> None:
    lines = warning_lines(vanished)
    assert len(lines) == 2
    assert any("test_gone.py" in line for line in lines)
    assert any("test_now_a_folder.py" in line for line in lines)
    html = page_html(vanished, "test_ok.py")
    assert "Nothing unusual here." in html


def test_files_that_vanish_before_reading_warn_as_read_errors(vanished: SphinxTestApp) -> None:
    suite = Path(vanished.srcdir) / "suite"
    lines = warning_lines(vanished)
    assert (
        expected_line(
            suite / "test_gone.py", None, "cannot read the file: No such file or directory", "read"
        )
        in lines
    )
    assert (
        expected_line(
            suite / "test_now_a_folder.py", None, "cannot read the file: Is a directory", "read"
        )
        in lines
    )
    assert "<h1>test_gone.py" in page_html(vanished, "test_gone.py")


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0,
    reason="permissions do not stop root (or Windows); the read-error path is covered by "
    "test_files_that_vanish_before_reading_*",
)
def test_unreadable_file(make_app: Any, rootdir: Path, tmp_path: Path) -> None:
    srcdir = tmp_path / "docs"
    shutil.copytree(rootdir / "test-hostile-mixed", srcdir)
    locked = srcdir / "suite" / "test_locked.py"
    locked.write_bytes(b"def test_l():\n    pass\n")
    locked.chmod(0)
    try:
        app = make_app("html", srcdir=srcdir)
        app.build()
    finally:
        locked.chmod(0o644)
    assert expected_line(
        locked, None, "cannot read the file: Permission denied", "read"
    ) in warning_lines(app)


# --- configured directories ------------------------------------------------------------


@pytest.mark.sphinx("html", testroot="hostile-dirs")
def test_configured_directories(app: SphinxTestApp) -> None:
    app.build()
    project = project_of(app)
    assert [root.name for root in project.roots] == ["tests", "tests-2"]
    assert (Path(app.outdir) / "testdocs/tests/test_a.py.html").is_file()
    assert (Path(app.outdir) / "testdocs/tests-2/test_b.py.html").is_file()
    messages = sorted(line.split(": WARNING: ", 1)[1] for line in warning_lines(app))
    assert messages == [
        "test directory 'a/tests/' is listed twice [testdocs.config]",
        "test directory 'a/tests/test_a.py' is not a folder [testdocs.missing_dir]",
        "test directory 'missing' does not exist [testdocs.missing_dir]",
    ]


@pytest.mark.sphinx("html", testroot="hostile-dirs", srcdir="hostile-dirs-location")
def test_missing_directory_warning_names_it(app: SphinxTestApp) -> None:
    app.build()
    assert expected_line(
        Path(app.srcdir) / "missing",
        None,
        "test directory 'missing' does not exist",
        "missing_dir",
    ) in warning_lines(app)


@pytest.mark.sphinx("html", testroot="hostile-srcdir")
def test_the_source_directory_itself(app: SphinxTestApp) -> None:
    app.build()
    assert warning_lines(app) == []
    root = project_of(app).roots[0]
    # Its Python files are documented; the generated pages and the output are not.
    assert sorted(root.file_docnames) == ["conf.py", "test_here.py"]
    assert (Path(app.outdir) / f"{root.file_docnames['test_here.py']}.html").is_file()


def test_a_directory_holding_the_source_and_output_directories(
    make_app: Any, rootdir: Path, tmp_path: Path
) -> None:
    tests = tmp_path / "tests"
    docs = tests / "docs"
    shutil.copytree(rootdir / "test-hostile-srcdir", docs)
    (docs / "test_here.py").rename(tests / "test_outer.py")
    (docs / "conf.py").write_text(
        (docs / "conf.py").read_text().replace('testdocs_dirs = ["."]', 'testdocs_dirs = [".."]')
    )
    app = make_app("html", srcdir=docs, builddir=docs / "_build")
    app.build()
    assert warning_lines(app) == []
    root = project_of(app).roots[0]
    assert sorted(root.file_docnames) == ["test_outer.py"]
    assert [f.relpath for f in root.tree.folders] == [""]


def test_follow_symlinks_option(make_app: Any, rootdir: Path, tmp_path: Path) -> None:
    srcdir = tmp_path / "docs"
    shutil.copytree(rootdir / "test-hostile-mixed", srcdir)
    outside = tmp_path / "elsewhere"
    (outside / "deeper").mkdir(parents=True)
    (outside / "deeper" / "test_far.py").write_bytes(b"def test_far():\n    pass\n")
    (outside / "deeper" / "back").symlink_to(outside)  # a loop through the followed link
    (srcdir / "suite" / "linked").symlink_to(outside)
    app = make_app("html", srcdir=srcdir, confoverrides={"testdocs_follow_symlinks": True})
    app.build()
    root = project_of(app).roots[0]
    assert "linked/deeper/test_far.py" in root.file_docnames
    lines = warning_lines(app)
    assert len(lines) == 1
    assert (
        "symbolic link loop: it leads back to a folder that contains it; not followed "
        "[testdocs.symlink]" in lines[0]
    )


# --- big files --------------------------------------------------------------------------

BIG_SIZE = 5 * 1024 * 1024


def _big_module() -> bytes:
    rows = [b'"""Five megabytes of test data."""\n\nDATA = [\n']
    size, n = len(rows[0]), 0
    while size < BIG_SIZE:
        row = b"    (%d, 'value-%08d-abcdefghijklmnopqrstuvwxyz'),\n" % (n, n)
        rows.append(row)
        size += len(row)
        n += 1
    rows.append(b"]\n\n\ndef test_data():\n    assert DATA\n")
    return b"".join(rows)


@pytest.fixture(scope="module")
def big(rootdir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SphinxTestApp]:
    # The text builder: the HTML builder's Pygments pass over 5 MB alone takes ~30 s.
    srcdir = tmp_path_factory.mktemp("big") / "docs"
    shutil.copytree(rootdir / "test-hostile-big", srcdir)
    (srcdir / "suite" / "test_big.py").write_bytes(_big_module())
    app = SphinxTestApp("text", srcdir=srcdir, status=StringIO(), warning=StringIO())
    app.build()
    yield app
    app.cleanup()


def test_five_megabyte_file(big: SphinxTestApp) -> None:
    assert warning_lines(big) == []
    docname = project_of(big).roots[0].file_docnames["test_big.py"]
    text = (Path(big.outdir) / f"{docname}.txt").read_text(encoding="utf-8")
    assert "test_data" in text
    assert "value-00001000-abcdefghijklmnopqrstuvwxyz" in text


def test_five_megabyte_listing_is_not_highlighted(big: SphinxTestApp) -> None:
    docname = project_of(big).roots[0].file_docnames["test_big.py"]
    blocks = [
        b
        for b in big.env.get_doctree(docname).findall(nodes.literal_block)
        if "testdocs-source" in b["classes"]
    ]
    assert [b["language"] for b in blocks] == ["text"]
