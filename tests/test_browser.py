"""A real browser: the built site in headless Chromium, driven over the DevTools protocol.

Chromium is started with ``--remote-debugging-pipe``: it reads protocol messages on file
descriptor 3 and answers on 4, each a JSON text ended by a NUL byte. That needs no
WebSocket client and no port, so this file adds no dependency. The site is served on
127.0.0.1 (an ephemeral port) by ``http.server`` in a thread, as the search page loads its
index with a script the browser will not read from ``file:`` URLs. Every wait is bounded
and the browser is always killed.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import build_cleanly, shop_example

#: Debian's package; ``.ci/run`` installs it where it can.
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
MODULE_PAGE = "testdocs/suite/test_alpha.py.html"
#: Upper bound for one wait; the whole file takes a few seconds.
TIMEOUT = 15.0
#: The first reply waits for the browser to start: on a fresh machine a cold start
#: (profile creation, font caches) has taken longer than TIMEOUT on 2 cores.
STARTUP_TIMEOUT = 90.0

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium on PATH (.ci/run installs Debian's package when run as root)",
)


class BrowserError(RuntimeError):
    """The browser answered a command with an error, or did not answer in time."""


class Chromium:
    """Headless Chromium and one page, spoken to over ``--remote-debugging-pipe``."""

    def __init__(self, executable: str, profile: Path, timeout: float = TIMEOUT) -> None:
        self.timeout = timeout
        self.events: list[dict[str, Any]] = []
        self._replies: dict[int, dict[str, Any]] = {}
        self._next_id = 0
        self._cond = threading.Condition()
        self._closed = False
        to_browser, self._write_fd = os.pipe()
        self._read_fd, from_browser = os.pipe()

        def child_fds() -> None:
            # Only async-signal-safe calls between fork and exec: park both ends above
            # 2 first, so that neither is overwritten by the other's dup2.
            commands = fcntl.fcntl(to_browser, fcntl.F_DUPFD, 10)
            replies = fcntl.fcntl(from_browser, fcntl.F_DUPFD, 10)
            os.dup2(commands, 3)
            os.dup2(replies, 4)

        self._log = (profile / "chromium.log").open("wb")
        # close_fds would also close 3 and 4; Python's own descriptors are not
        # inheritable (PEP 446), so nothing else leaks into the browser.
        self.process = subprocess.Popen(
            [
                executable,
                "--headless=new",
                "--remote-debugging-pipe",
                "--no-sandbox",  # CI runs as root, where the sandbox cannot start
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-default-apps",
                "--disable-extensions",
                "--disable-sync",
                "--disable-breakpad",
                "--disable-crash-reporter",
                "--no-default-browser-check",
                "--no-first-run",
                "--hide-scrollbars",
                "--mute-audio",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            close_fds=False,
            preexec_fn=child_fds,  # noqa: PLW1509 (started before any thread of ours)
            # Its own process group: the renderer and helper processes go with it.
            start_new_session=True,
        )
        os.close(to_browser)
        os.close(from_browser)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.session = ""

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._read_fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            with self._cond:
                for raw in messages:
                    message = json.loads(raw)
                    if "id" in message:
                        self._replies[message["id"]] = message
                    else:
                        self.events.append(message)
                self._cond.notify_all()
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def send(self, method: str, params: dict[str, Any] | None = None, **kw: Any) -> Any:
        """Send one command (to the page unless ``browser=True``) and return its result."""
        with self._cond:
            self._next_id += 1
            message_id = self._next_id
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params or {}}
        if self.session and not kw.get("browser"):
            message["sessionId"] = self.session
        os.write(self._write_fd, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + kw.get("timeout", self.timeout)
        with self._cond:
            while message_id not in self._replies:
                left = deadline - time.monotonic()
                if self._closed or left <= 0:
                    raise BrowserError(f"no reply to {method} ({self.stderr_tail()})")
                self._cond.wait(left)
            reply = self._replies.pop(message_id)
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def open_page(self, width: int = 1280, height: int = 900) -> None:
        """Create a page, attach to it and enable the domains whose events we read."""
        target = self.send(
            "Target.createTarget", {"url": "about:blank"}, browser=True, timeout=STARTUP_TIMEOUT
        )
        attached = self.send(
            "Target.attachToTarget",
            {"targetId": target["targetId"], "flatten": True},
            browser=True,
        )
        self.session = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable")
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )

    def wait_event(self, method: str, since: int) -> dict[str, Any]:
        """The first event ``method`` of this page received after ``since`` events."""
        deadline = time.monotonic() + self.timeout
        with self._cond:
            while True:
                for event in self.events[since:]:
                    if event["method"] == method and event.get("sessionId") == self.session:
                        return event
                left = deadline - time.monotonic()
                if self._closed or left <= 0:
                    raise BrowserError(f"no {method} event within {self.timeout} s")
                self._cond.wait(left)

    def navigate(self, url: str) -> None:
        """Load ``url`` and wait for its load event."""
        since = len(self.events)
        result = self.send("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise BrowserError(f"{url}: {result['errorText']}")
        if "loaderId" in result:  # none for a same-document (fragment) navigation
            self.wait_event("Page.loadEventFired", since)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises are awaited)."""
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def until(self, expression: str, what: str) -> Any:
        """Poll ``expression`` until it is truthy; fail after the timeout."""
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                value = self.evaluate(expression)
            except BrowserError as error:
                # Asked while the page navigates (what a click may have started): the
                # old document is gone before the new one answers. Ask again.
                if "navigated or closed" not in str(error):
                    raise
                value = None
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"timed out waiting for {what}")
            time.sleep(0.05)

    def click(self, selector: str) -> None:
        """A real mouse click in the middle of the first element matching ``selector``."""
        box = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " if (!e) return null; e.scrollIntoView({block: 'center'});"
            " const r = e.getBoundingClientRect();"
            " return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()"
        )
        if box is None:
            raise BrowserError(f"nothing matches {selector}")
        for kind in ("mousePressed", "mouseReleased"):
            self.send(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": box["x"], "y": box["y"], "button": "left", "clickCount": 1},
            )

    def screenshot(self, path: Path) -> None:
        """Save the page, top to bottom of the viewport, as PNG."""
        import base64

        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        path.write_bytes(base64.b64decode(data))

    def console_errors(self) -> list[str]:
        """Console errors, uncaught exceptions and error log entries (network included)."""
        out = []
        for event in self.events:
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                args = params.get("args", [])
                out.append("console: " + " ".join(str(a.get("value", a)) for a in args))
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                text = details.get("exception", {}).get("description") or details["text"]
                out.append(f"exception: {text}")
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                entry = params["entry"]
                out.append(f"log ({entry['source']}): {entry['text']} {entry.get('url', '')}")
        return out

    def stderr_tail(self) -> str:
        self._log.flush()
        text = (Path(self._log.name)).read_text(errors="replace")
        return text[-2000:] or f"exit status {self.process.poll()}"

    def close(self) -> None:
        """Close the browser, then kill its process group (ours, by id) whatever is left."""
        if self.process.poll() is None and not self._closed:
            with contextlib.suppress(BrowserError, OSError):
                self.timeout = 5.0
                self.send("Browser.close", browser=True)
        with contextlib.suppress(OSError):
            os.close(self._write_fd)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        group = self.process.pid
        deadline = time.monotonic() + 10
        try:
            while time.monotonic() < deadline:
                try:
                    os.killpg(group, signal.SIGKILL)
                except ProcessLookupError:
                    break  # every process of the group has gone
                self.process.poll()  # reap the leader: a zombie still counts as a member
                time.sleep(0.05)
            self.process.wait(timeout=5)
        finally:
            with contextlib.suppress(OSError):
                os.close(self._read_fd)
            self._reader.join(timeout=5)
            self._log.close()


@contextlib.contextmanager
def chromium(profile: Path) -> Iterator[Chromium]:
    """A started browser with one open page; killed on the way out, whatever happens."""
    assert CHROMIUM is not None
    browser = Chromium(CHROMIUM, profile)
    try:
        browser.open_page()
        yield browser
    finally:
        browser.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self) -> None:
        # Browsers ask every server for /favicon.ico unprompted. The site declares no
        # icon (html_favicon is unset), so answering that is the server's business:
        # "no content" rather than a 404 the console would report as an error.
        if self.path == "/favicon.ico" and not Path(self.directory, "favicon.ico").exists():
            self.send_response(204)
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 at an ephemeral port; yield the base URL."""
    handler: Callable[..., Any] = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def site(rootdir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The basic root built once as HTML with alabaster, warnings checked, with the
    results of a real pytest run of its suite laid over it."""
    srcdir = tmp_path_factory.mktemp("browser") / "basic"
    shutil.copytree(rootdir / "test-basic", srcdir)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    run = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "suite"]
    subprocess.run(
        [*run, "--junitxml=junit.xml", "--continue-on-collection-errors"],
        cwd=srcdir,
        env={**env, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        check=False,
    )
    overrides = {"html_theme": "alabaster", "testdocs_results": ["junit.xml"]}
    return Path(build_cleanly("html", srcdir, overrides).outdir)


def test_the_site_works_in_a_real_browser(site: Path, tmp_path: Path) -> None:
    # The browser starts before the server thread: no fork happens while a thread runs.
    with chromium(tmp_path) as browser, serve(site) as base:
        page = base + MODULE_PAGE

        # The collapsed source opens when its summary is clicked.
        browser.navigate(page)
        listing = "document.querySelector('details.testdocs-details:not([open])')"
        assert browser.evaluate(f"{listing} !== null"), "the long source should be collapsed"
        browser.evaluate(f"{listing}.id = 'the-listing'")
        assert not browser.evaluate("document.querySelector('#L-12').checkVisibility()")
        browser.click("#the-listing > summary")
        browser.until("document.querySelector('#the-listing').open", "the source to open")
        assert browser.evaluate("document.querySelector('#L-12').checkVisibility()")

        # A line link lands on its line, both as a URL and as a click on the page, even
        # while the listing is still collapsed (the browser opens <details> on its own).
        landed = (
            "(() => { const t = document.querySelector(':target');"
            " if (!t || t.id !== 'L-12') return false;"
            " const r = t.getBoundingClientRect();"
            " return t.checkVisibility() && r.bottom > 0 && r.top < window.innerHeight; })()"
        )
        browser.navigate("about:blank")  # a fresh load, not a same-document jump
        browser.navigate(page + "#L-12")
        browser.until(landed, "#L-12 to be the target, in view")
        browser.navigate(page)
        browser.evaluate("window.scrollTo(0, 0)")
        browser.click('p.testdocs-def a[href="#L-12"]')
        browser.until(landed, "a click on 'line 12' to land on line 12")
        assert browser.evaluate("location.hash") == "#L-12"

        # The search page finds a test by name (the search runs in JavaScript).
        browser.navigate(base + "search.html?q=test_sum")
        hits = browser.until(
            "(() => { const a = [...document.querySelectorAll('#search-results li a')];"
            " return a.length && a.map(e => e.getAttribute('href')); })()",
            "search results for test_sum",
        )
        assert any(MODULE_PAGE in href for href in hits), hits

        # A module comes before its own tests, though their IDs hold its name too.
        browser.navigate(base + "search.html?q=alpha")
        hits = browser.until(
            "(() => { const a = [...document.querySelectorAll('#search-results li a')];"
            " return a.length && a.map(e => e.getAttribute('href')); })()",
            "search results for alpha",
        )
        assert hits[0].endswith(MODULE_PAGE + "#module-test-alpha-py"), hits

        # Outcome badges from the results file stand out from plain badges.
        browser.navigate(page)
        badge = (
            "getComputedStyle(document.querySelector('.testdocs-outcome-passed')).borderTopColor"
        )
        assert browser.evaluate(badge) == "rgb(46, 125, 50)"

        # Nothing went wrong on any of those pages.
        assert browser.console_errors() == []


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not on PATH")
def test_owners_results_and_forge_links_in_a_real_browser(tmp_path: Path) -> None:
    """The example of docs/results.rst: two CI jobs' JUnit files, CODEOWNERS, a forge."""
    project = shop_example(tmp_path)
    commit = (project / ".git" / "refs" / "heads" / "main").read_text().strip()
    out = Path(build_cleanly("html", project, {"html_theme": "alabaster"}).outdir)
    card = "testdocs/tests/payments/test_card.py.html"
    with chromium(tmp_path) as browser, serve(out) as base:
        browser.navigate(base + card)
        # The file's forge link points at the built commit.
        forge = browser.evaluate(
            "[...document.querySelectorAll('a')].filter(a => a.href.includes('github.com'))"
            ".map(a => a.href)"
        )
        blob = f"https://github.com/org/shop/blob/{commit}/tests/payments/test_card.py"
        assert blob in forge
        assert f"{blob}#L18" in forge  # test_refund
        # test_refund failed in the Linux job and passed in the Windows one: flaky, and
        # the badge stands out.
        flaky = "document.querySelector('.testdocs-outcome-flaky')"
        assert browser.evaluate(f"{flaky}.checkVisibility()")
        assert browser.evaluate(
            f"getComputedStyle({flaky}).borderTopColor !== "
            "getComputedStyle(document.querySelector('.testdocs-outcome-passed')).borderTopColor"
        )
        # The owner in File Metadata leads to its section of the owners index, which
        # lists this file.
        browser.click('a[title="@org/payments"]')
        browser.until(
            "location.pathname.endsWith('/test-ownerindex.html')"
            " && document.readyState === 'complete'",
            "the owners index",
        )
        assert browser.evaluate("location.hash") == "#cap-O"
        # The rows of the group, up to the next letter's: the owner, counted, then its files.
        group = browser.evaluate(
            "(() => { const rows = [];"
            " let r = document.getElementById('cap-O').nextElementSibling;"
            " while (r && !r.classList.contains('cap')) {"
            " rows.push(r); r = r.nextElementSibling; }"
            " return {text: rows.map(r => r.innerText).join(' '), hrefs: rows.flatMap("
            "r => [...r.querySelectorAll('a')].map(a => a.getAttribute('href')))}; })()"
        )
        assert "@org/payments (1 file, 3 tests; 1 failing)" in group["text"], group
        assert any(href.startswith(card) for href in group["hrefs"]), group
        # The failing-tests index names the failed test and links to its definition.
        browser.navigate(base + "test-failingindex.html")
        failing = browser.until(
            "document.body && document.body.innerText.includes('Failing') && "
            "document.body.innerText",
            "the failing-tests index",
        )
        assert "test_refund" in failing and "test_total" in failing, failing
        assert browser.console_errors() == []


WIDE_NAME = "test_wide_content_in_a_module_whose_name_alone_stretches_the_overview_tables"
#: A module whose names, IDs and marker arguments are far wider than any theme's body.
WIDE_MODULE = """\
\"\"\"Wide content: long names, IDs and commands that do not wrap.\"\"\"

import pytest

LONG = "x" * 40


@pytest.mark.parametrize(
    "configuration_with_a_rather_long_argument_name",
    [
        pytest.param(i, id="an_extremely_long_parametrize_identifier_not_wrapping_" + str(i) * 40)
        for i in range(3)
    ],
)
@pytest.mark.filterwarnings(
    "ignore:a_deliberately_long_warning_message_filter_that_goes_on:DeprecationWarning"
)
def test_a_test_whose_name_is_much_longer_than_any_reasonable_column_of_a_documentation_theme(
    configuration_with_a_rather_long_argument_name,
):
    assert configuration_with_a_rather_long_argument_name >= 0


class TestAClassWhoseNameIsAlsoRatherLongForAColumnOfADocumentationTheme:
    def test_another_very_long_test_method_name_that_stretches_the_node_id_block_sideways(self):
        assert LONG
"""

#: Each theme's content column: what sticks out of it is clipped or runs under a sidebar.
CONTENT_COLUMN = {
    "alabaster": "div.body",
    "furo": "div.content",
    "sphinx_rtd_theme": "div[itemprop=articleBody]",
    "pydata_sphinx_theme": "div.bd-article-container",
}

#: The visible elements of the content column whose box or text sticks out of it (or of
#: themselves), unless inside something of the column that scrolls (a listing, a code
#: block).
OVERFLOW = """(() => {
  const column = document.querySelector(%s);
  if (!column) return ['no content column'];
  const box = column.getBoundingClientRect();
  const outside = r => r.width && r.height && (r.right > box.right + 1 || r.left < box.left - 1);
  const scrolled = el => {
    for (let a = el.parentElement; a && a !== column; a = a.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX)
          && a.getBoundingClientRect().right <= box.right + 1) return true;
    }
    return false;
  };
  const out = [];
  // Boxes, and text: a long word can run out of a block whose box fits.
  for (const el of column.querySelectorAll('*')) {
    if (outside(el.getBoundingClientRect()) && !scrolled(el)) {
      out.push(`${el.tagName}.${el.className}: ${el.textContent.slice(0, 60)}`);
    }
  }
  const walker = document.createTreeWalker(column, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    if (!t.data.trim()) continue;
    range.selectNodeContents(t);
    if ([...range.getClientRects()].some(outside) && !scrolled(t)) {
      out.push(`text in ${t.parentElement.tagName}: ${t.data.slice(0, 60)}`);
    }
  }
  return out;
})()"""


@pytest.mark.parametrize("theme", sorted(CONTENT_COLUMN))
def test_wide_content_fits_or_scrolls_in_each_theme(
    theme: str, rootdir: Path, tmp_path: Path
) -> None:
    srcdir = tmp_path / "src"
    shutil.copytree(rootdir / "test-basic", srcdir, ignore=shutil.ignore_patterns("testdocs"))
    (srcdir / f"suite/{WIDE_NAME}.py").write_text(WIDE_MODULE)
    outdir = Path(build_cleanly("html", srcdir, {"html_theme": theme}).outdir)
    column = json.dumps(CONTENT_COLUMN[theme])
    pages = {
        f"testdocs/suite/{WIDE_NAME}.py.html": "the module page",
        "testdocs/suite/index.html": "the suite overview",
        "test-markerindex.html": "the marker index",
        "search.html?q=test": "search results",
    }
    (tmp_path / "profile").mkdir()
    with chromium(tmp_path / "profile") as browser, serve(outdir) as base:
        for page, what in pages.items():
            browser.navigate(base + page)
            if page.startswith("search"):
                # Sphinx 7 shows the results one by one: wait for the wide one.
                browser.until(
                    f"document.body.textContent.includes('{WIDE_NAME}')", "the wide result"
                )
            # Everything folded open, as a reader would look at it.
            browser.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            # The long names are on the page (so the check below has something to do).
            assert browser.evaluate(f"document.body.textContent.includes('{WIDE_NAME}')"), page
            assert browser.evaluate(OVERFLOW % column) == [], f"{theme}: {what}"
