"""Make the screenshot of docs/results.rst from the example project, for real.

``tests.helpers.shop_example`` copies ``tests/roots/test-shop`` to a git checkout and
runs its suite as two CI jobs (``--junitxml``); this builds it with furo and
photographs the High-Level Overview and Detailed Analysis of ``payments/test_card.py``
in Chromium::

    python docs/_tools/results_screenshot.py docs/_static/results-example.png

Needs git, Chromium and the test extras (it reuses the browser driver of the tests).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.helpers import shop_example
from tests.test_browser import chromium, serve

PAGE = "testdocs/tests/payments/test_card.py.html"


def main(target: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        project = shop_example(Path(scratch))
        out = project / "_build"
        build = [sys.executable, "-m", "sphinx", "-q", "-W", "-b", "html"]
        subprocess.run([*build, "-D", "html_theme=furo", str(project), str(out)], check=True)
        profile = Path(scratch) / "profile"
        profile.mkdir()
        with chromium(profile) as browser, serve(out) as base:
            browser.navigate(base + PAGE)
            overview = "document.querySelector('#high-level-overview')"
            browser.evaluate(
                "document.documentElement.style.scrollBehavior = 'auto';"
                f"window.scrollTo(0, {overview}.getBoundingClientRect().top + scrollY - 8)"
            )
            browser.until(
                f"Math.abs({overview}.getBoundingClientRect().top - 8) < 2",
                "the overview at the top of the window",
            )
            browser.screenshot(target)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
