"""The generated pages stay out of other extensions' way."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from tests.helpers import recording_reads

#: Files opened while an observed event handler runs (empty: not observing). An audit
#: hook sees every real open() and cannot be removed: it stays idle between tests.
_observing: list[list[str]] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _observing and event == "open" and isinstance(args[0], str | Path):
        _observing[-1].append(str(args[0]))


sys.addaudithook(_audit)


def _observe_autosummary(app: Sphinx) -> None:
    """Observe sphinx.ext.autosummary's builder-inited handler (priority 500): start
    just before it, stop just after."""

    def start(_app: Sphinx) -> None:
        _observing.append([])

    def stop(_app: Sphinx) -> None:
        app.testdocs_opened = _observing.pop()  # type: ignore[attr-defined]

    app.connect("builder-inited", start, priority=499)
    app.connect("builder-inited", stop, priority=501)


def test_autosummary_does_not_scan_the_stubs(make_app: Any, rootdir: Path, tmp_path: Path) -> None:
    # autosummary_generate = True makes autosummary read every source file on every
    # build, looking for autosummary directives; the stubs have none to offer.
    srcdir = tmp_path / "basic"
    shutil.copytree(rootdir / "test-basic", srcdir)
    (srcdir / "api.rst").write_text("API\n===\n\n.. autosummary::\n\n   os.path.join\n")
    with (srcdir / "conf.py").open("a") as fh:
        fh.write(
            "import sys, pathlib\n"
            "sys.path.insert(0, str(pathlib.Path(__file__).parent))\n"
            "extensions = ['observe', 'sphinx.ext.autosummary', 'sphinx_testdocs']\n"
            "autosummary_generate = True\n"
            "exclude_patterns = ['suite', '_build', 'api.rst']\n"
        )
    (srcdir / "observe.py").write_text(
        "from tests.test_other_extensions import _observe_autosummary as setup\n"
    )
    for build in ("first", "incremental"):
        app = make_app("html", srcdir=srcdir)
        with recording_reads(app) as read:
            app.build()
        # A second app in one process re-registers Sphinx's own nodes: its notice only.
        warnings = [
            line
            for line in app._warning.getvalue().splitlines()
            if "is already registered" not in line
        ]
        assert warnings == [], build
        opened = app.testdocs_opened
        assert [p for p in opened if p.endswith(".testdocs")] == [], build
        # It did its own work: it read the project's own pages.
        assert any(p.endswith("index.rst") for p in opened), build
        # The stubs are documents again for everything after it.
        assert "testdocs/suite/test_alpha.py" in app.env.found_docs
    # Nothing changed: the incremental build read nothing (the stubs were not lost).
    assert read == []
