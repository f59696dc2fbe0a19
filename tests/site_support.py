"""Helpers for the browser tests of the built HTML site (tests/test_site*.py).

The site is served from ``_build/html`` (or ``$SITE_DIR``) by ``python -m http.server`` on
127.0.0.1 and loaded in headless Chromium through Selenium 4 and Debian's chromedriver.
Every request the page makes and every console message are read from Chromium's
performance log (DevTools protocol ``Network.*`` events) and browser log.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE_DIR = Path(os.environ.get("SITE_DIR", ROOT / "_build" / "html"))

CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
DRIVER_CANDIDATES = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]

CHROME_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--lang=zh-CN",
    # Every host but the test server resolves to nothing: an off-site request fails at
    # once (and is still recorded and counted) instead of leaving the machine.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def _first_executable(env_name, candidates):
    chosen = os.environ.get(env_name)
    if chosen:
        return chosen if os.access(chosen, os.X_OK) else None
    for path in candidates:
        if os.access(path, os.X_OK):
            return path
    return None


def require_browser():
    """(chromium, chromedriver) paths, or skip the test with a clear message."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        pytest.skip("browser tests need the selenium package (requirements.txt)")
    chromium = _first_executable("CHROMIUM", CHROMIUM_CANDIDATES)
    driver = _first_executable("CHROMEDRIVER", DRIVER_CANDIDATES)
    if not chromium or not driver:
        pytest.skip("browser tests need Chromium and chromedriver "
                    "(apt-get install -y chromium chromium-driver); none found")
    return chromium, driver


def _build_site_if_missing():
    """Build the HTML site (``bash .ci/build``) if it is not there: once, under a lock that the
    pytest-xdist workers share. Raises RuntimeError if it cannot be had."""
    if (SITE_DIR / "search.html").is_file():
        return
    if "SITE_DIR" in os.environ:
        raise RuntimeError(f"SITE_DIR={SITE_DIR} has no built site (no search.html)")
    import fcntl
    lock_path = ROOT / "_build" / ".site-build.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)   # one worker builds, the others wait for it
        if (SITE_DIR / "search.html").is_file():
            return
        proc = subprocess.run(["bash", str(ROOT / ".ci" / "build")], cwd=ROOT, capture_output=True,
                              text=True, env={**os.environ, "OPTIM_BOOK_SETUP_DONE": "1"})
        if proc.returncode != 0 or not (SITE_DIR / "search.html").is_file():
            raise RuntimeError("the browser tests need the HTML site and `bash .ci/build` failed:\n"
                               + (proc.stdout + proc.stderr)[-3000:])


def browser_available():
    try:
        import selenium  # noqa: F401
    except ImportError:
        return False
    return bool(_first_executable("CHROMIUM", CHROMIUM_CANDIDATES) and
                _first_executable("CHROMEDRIVER", DRIVER_CANDIDATES))


def ensure_built():
    """At the import of a browser test module: build the site if it is missing, so that the
    pages its tests are parametrized over exist (a fresh clone used to collect placeholders
    and skip them silently). Without a browser nothing is built: those tests skip, each
    reason on one line of the summary (-rs). A failed build fails the collection."""
    if browser_available():
        try:
            _build_site_if_missing()
        except RuntimeError as exc:
            pytest.fail(str(exc), pytrace=False)


def require_site():
    """The built site's folder (built now if missing); a site that cannot be had fails the test."""
    try:
        _build_site_if_missing()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    return SITE_DIR


def _free_port():
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(directory: Path, ready: str = "search.html", gzip: bool = False):
    """Serve ``directory`` over HTTP on 127.0.0.1; yields the base URL (ends with '/') once the
    file ``ready`` (a path under ``directory``) can be fetched. With ``gzip``, text files go out
    gzip-encoded to clients that accept it (tests/gzip_http.py), as a web host sends them."""
    port = _free_port()
    if gzip:
        cmd = [sys.executable, str(Path(__file__).with_name("gzip_http.py")), str(port), str(directory)]
    else:
        cmd = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(directory)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(base + ready, timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the test HTTP server did not start")
                time.sleep(0.1)
        yield base
    finally:
        stop(proc)


def stop(proc, timeout=10):
    """End a server started for a test: terminate, and kill it if it has not exited in time."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextlib.contextmanager
def chromium_driver(chromium: str, chromedriver: str, width=1280, height=900, trace_categories=None):
    """Headless Chromium with a fresh profile and performance + browser logging. With
    ``trace_categories`` (e.g. "devtools.timeline"), the performance log also carries the
    browser's trace events of those categories (``Tracing.dataCollected`` messages)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="site-test-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={width},{height}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    if trace_categories:
        options.add_experimental_option("perfLoggingPrefs", {"traceCategories": trace_categories,
                                                             "enableNetwork": False})
    service = Service(executable_path=chromedriver)
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(60)
    try:
        if not trace_categories:  # reading the performance log would end chromedriver's trace
            driver.get("about:blank")
            time.sleep(0.5)
            drain_logs(driver)  # what the new profile's start page did
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait_for_late_scripts(driver, what, timeout=10.0):
    """Until late.js (page_speed.LATE_SCRIPTS) has run every script it fetches after the load
    event: it then sets data-late-scripts="loaded" on <html>. `what` names the page in a timeout."""
    wait_until(lambda: driver.execute_script(
        "return document.documentElement.getAttribute('data-late-scripts')") == "loaded",
        timeout, message=f"{what}: the late scripts to run")


PHONE_WIDTH = 390
PHONE_HEIGHT = 844


def emulate_phone(driver, width=PHONE_WIDTH, height=PHONE_HEIGHT):
    """Make the viewport a phone's: headless Chromium will not open a window narrower than
    500 px, so the width is set through the DevTools protocol (mobile viewport, touch)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": True})
    driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})


@dataclass
class PageRecord:
    """What one page load did: requests, their outcomes and console messages."""
    requests: dict = field(default_factory=dict)    # requestId -> url
    statuses: dict = field(default_factory=dict)    # requestId -> HTTP status
    failures: dict = field(default_factory=dict)    # requestId -> net error text
    console: list = field(default_factory=list)     # (level, message)

    def urls(self):
        return list(self.requests.values())


def drain_logs(driver, record: PageRecord | None = None) -> PageRecord:
    """Move the pending performance and browser log entries into ``record``."""
    record = record or PageRecord()
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        method, params = msg.get("method"), msg.get("params", {})
        if method == "Network.requestWillBeSent":
            record.requests[params["requestId"]] = params["request"]["url"]
        elif method == "Network.responseReceived":
            record.statuses[params["requestId"]] = params["response"]["status"]
            record.requests.setdefault(params["requestId"], params["response"]["url"])
        elif method == "Network.loadingFailed":
            # A request the page itself cancelled (e.g. a superseded image) is not a failure.
            if not params.get("canceled"):
                record.failures[params["requestId"]] = params.get("errorText", "failed")
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            record.console.append(("EXCEPTION", json.dumps(details)[:500]))
    for entry in driver.get_log("browser"):
        record.console.append((entry["level"], entry["message"]))
    return record


def problems(record: PageRecord, base_url: str):
    """Console errors, off-site requests and failed requests of one page load."""
    own = urlsplit(base_url).netloc
    found = []
    for level, message in record.console:
        if level in ("SEVERE", "ERROR", "EXCEPTION"):
            found.append(f"console {level}: {message}")
    for rid, url in record.requests.items():
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https", "ws", "wss", "ftp"):
            continue  # data:, blob:, about: and the browser's own chrome:// pages
        if parts.netloc != own:
            found.append(f"off-site request: {url}")
            continue
        status = record.statuses.get(rid)
        if status is not None and status >= 400:
            found.append(f"HTTP {status}: {url}")
        if rid in record.failures:
            found.append(f"failed request ({record.failures[rid]}): {url}")
    return found


WIDGETS_RENDERED_JS = """
const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
let rendered = 0;
for (const v of views) {
  const area = v.previousElementSibling;
  if (area && area.classList.contains('widget-subarea') && area.querySelector('.jupyter-widgets')) rendered++;
}
return [views.length, rendered];
"""

MATH_DONE_JS = """
const done = arguments[arguments.length - 1];
if (!window.MathJax || !MathJax.startup || !MathJax.startup.promise) { done(false); return; }
MathJax.startup.promise.then(() => done(true), () => done(false));
"""


def wait_until(predicate, timeout=30.0, interval=0.05, message="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {message}")
        time.sleep(interval)


QUIET_POLL = 0.1     # s between two looks at the resource count
QUIET_WINDOW = 0.3   # s the count must stay the same to call the network quiet


def settle(driver, timeout=45.0):
    """Wait until the page is loaded, its widgets rendered, its math typeset and the
    network quiet. Returns (widget views, rendered widget views)."""
    wait_until(lambda: driver.execute_script("return document.readyState") == "complete",
               timeout, interval=0.1, message="document.readyState == complete")
    views, rendered = driver.execute_script(WIDGETS_RENDERED_JS)
    if views:
        try:
            wait_until(lambda: (lambda v: v[1] == v[0])(driver.execute_script(WIDGETS_RENDERED_JS)),
                       timeout, interval=0.1, message="widgets to render")
        except AssertionError:
            pass  # reported by the caller from the counts
        views, rendered = driver.execute_script(WIDGETS_RENDERED_JS)
    if driver.execute_script("return !!document.querySelector('script[src*=\"mathjax\"]')"):
        driver.set_script_timeout(timeout)
        driver.execute_async_script(MATH_DONE_JS)
    # Network quiet: no new resource for QUIET_WINDOW seconds (looked at every QUIET_POLL s).
    deadline = time.monotonic() + timeout
    count, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        now = driver.execute_script("return performance.getEntriesByType('resource').length")
        if now != count:
            count, since = now, time.monotonic()
        elif time.monotonic() - since >= QUIET_WINDOW:
            break
        time.sleep(QUIET_POLL)
    return views, rendered


def page_path(docname: str) -> str:
    return f"{docname}.html"


class BackgroundPass:
    """Steps ``(name, work, phone)`` run one after the other in a thread, each ``work(driver)``
    on a fresh Chromium of its own (phone-sized if ``phone``), so that visits of every page
    overlap the interactive tests. ``result(name)`` waits for that step and returns what its
    ``work`` returned (or raises what it raised)."""

    def __init__(self, steps, chromium, chromedriver):
        import threading
        self._steps, self._chromium, self._chromedriver = steps, chromium, chromedriver
        self._done = {name: threading.Event() for name, _, _ in steps}
        self._value, self._error = {}, {}
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        for name, work, phone in self._steps:
            try:
                with chromium_driver(self._chromium, self._chromedriver) as drv:
                    if phone:
                        emulate_phone(drv)
                    self._value[name] = work(drv)
            except BaseException as exc:  # re-raised in the tests that ask for the result
                self._error[name] = exc
            finally:
                self._done[name].set()

    def result(self, name, timeout=900.0):
        if not self._done[name].wait(timeout):
            raise AssertionError(f"the background page pass {name!r} did not finish in {timeout:.0f} s")
        if name in self._error:
            raise self._error[name]
        return self._value[name]

    def join(self, timeout=900.0):
        self._thread.join(timeout)
