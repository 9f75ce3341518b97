"""Shared pytest set-up: one BLAS thread per process, a headless plotting backend, a seeded
generator for every test, one build of the website for the whole session (used by test_book.py
and test_browser.py), and the browser helpers (a static server, Chromium, an offline browser
context) for the browser tests."""

import os

# The test workers already keep both cores busy; BLAS threads on top of them only wait for each
# other (the capstone test took 27 s of CPU with them, 5 s without). Kernels and subprocesses
# started by the tests inherit this. (The Makefile sets it too, before NumPy is first imported.)
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import contextlib
import fcntl
import functools
import http.server
import json
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")


@pytest.fixture
def rng():
    """A fresh, seeded numpy Generator (tests never touch global random state)."""
    return np.random.default_rng(12345)


BOOK_TESTS = ("test_book.py", "test_browser.py")

# The modules that take a minute or more (in a whole run with three workers on two cores: grading the
# exercises end to end 90 s, their corpus 145 s, the student kit's fresh venv 65 s, the browser 140 s,
# hostile submissions 103 s, the sandbox 92 s), in the order the workers start them; the three workers
# then finished within two seconds of each other. xdist's own order (files with the most tests first,
# turned off in pyproject.toml) started most of them last, so that one worker ran the last of them alone
# after the others had finished. The browser comes fourth: the website it needs is still being built as
# the run starts (third, it waited for it: 329-332 s for the whole run; fourth, 318 s).
SLOW_MODULES = ("tests/test_exercise_grading.py", "tests/test_exercises.py", "tests/test_kit.py",
                "tests/test_browser.py", "tests/test_hostile.py", "tests/test_sandbox.py")


def pytest_collection_modifyitems(config, items):
    """The slow modules first, in SLOW_MODULES' order; everything else after them as collected."""
    first = {module: rank for rank, module in enumerate(SLOW_MODULES)}
    items.sort(key=lambda item: first.get(item.nodeid.split("::")[0], len(first)))


def _shared_folder(basetemp):
    """The run's temporary folder that the controller and every xdist worker share."""
    return basetemp.parent if os.environ.get("PYTEST_XDIST_WORKER") else basetemp


def _book_command(root, out):
    jb = Path(sys.executable).with_name("jupyter-book")
    return [str(jb), "build", str(root), "--path-output", str(out), "-W", "-n", "--keep-going"]


def pytest_sessionstart(session):
    """In a run that includes the website's tests, start building the website at once, in the
    background, so that the workers run other tests meanwhile instead of waiting for it."""
    config = session.config
    if hasattr(config, "workerinput") or os.environ.get("NNFS_BOOK_HTML"):
        return
    args = [Path(a.split("::")[0]).name for a in config.args]
    if args and not any(a in BOOK_TESTS or a in ("tests", ".") for a in args):
        return
    shared = config._tmp_path_factory.getbasetemp()
    root = Path(__file__).resolve().parents[1]
    command = " ".join(shlex.quote(part) for part in _book_command(root, shared / "book"))
    config._nnfs_book = subprocess.Popen(
        ["sh", "-c", f"{command} > book.out 2> book.err; echo $? > book.rc"], cwd=shared,
        start_new_session=True)
    (shared / "book.started").write_text(str(config._nnfs_book.pid))


def pytest_unconfigure(config):
    build = getattr(config, "_nnfs_book", None)
    if build is not None and build.poll() is None:
        os.killpg(build.pid, 9)
    forker = getattr(config, "_nnfs_forker", None)
    if forker is not None:
        forker["server"].stdin.close()          # the server kills what is left and ends
        forker["server"].wait(timeout=10)
        shutil.rmtree(forker["folder"], ignore_errors=True)


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """The website, built once per test run (``jupyter-book build -W -n --keep-going``) into a
    temporary folder, so that test_book.py and test_browser.py share one build, also when
    pytest-xdist runs them in different workers. The build starts in the background as the run
    begins (``pytest_sessionstart``); otherwise the first worker to need it builds it, under
    a file lock in the run's shared temporary folder, and the others wait and reuse it.

    Returns ``(result, html)``: the finished ``subprocess.CompletedProcess`` and the ``_build/html``
    folder. With --keep-going the pages are written even when Sphinx warns, so the browser test
    still runs; test_book.py fails on the warnings.
    """
    root = Path(__file__).resolve().parents[1]
    shared = _shared_folder(tmp_path_factory.getbasetemp())
    out, record = shared / "book", shared / "book-build.json"
    with open(shared / "book.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            if (shared / "book.started").exists():
                waited = 0
                while not (shared / "book.rc").exists() and waited < 900:
                    time.sleep(1)
                    waited += 1
                rc = (shared / "book.rc").read_text().strip() if (shared / "book.rc").exists() else "-1"
                done = {"args": _book_command(root, out), "returncode": int(rc or -1),
                        "stdout": (shared / "book.out").read_text(errors="replace"),
                        "stderr": (shared / "book.err").read_text(errors="replace")}
            else:
                ran = subprocess.run(_book_command(root, out), capture_output=True, text=True, timeout=600)
                done = {"args": ran.args, "returncode": ran.returncode, "stdout": ran.stdout,
                        "stderr": ran.stderr}
            record.write_text(json.dumps(done))
    result = subprocess.CompletedProcess(**json.loads(record.read_text()))
    return result, out / "_build" / "html"


# --------------------------------------------------------------------------- kernels for nbval
# nbval runs each book and solution notebook in a kernel of its own. In this test run they come from
# tests/kernel_forker.py: forked from a process that has imported ipykernel, NumPy and Matplotlib
# once, instead of started from scratch. The 34 notebooks alone (pytest -n 0 book solutions), busy
# CPU-seconds: 87-90 with forked kernels, 105-110 with kernels started from scratch.

FORKED_KERNEL = "nnfs-forked"


def pytest_configure(config):
    """Make ``nnfs-forked`` nbval's kernel (unless the command line names one: --nbval-kernel-name,
    --nbval-current-env) and start this process's kernel forker, in each process that runs tests."""
    option = config.option
    if (not getattr(option, "nbval", False) or option.nbval_kernel_name or option.nbval_current_env
            or (getattr(option, "numprocesses", None) and not hasattr(config, "workerinput"))):  # xdist's controller
        return
    import kernel_forker
    from grading.sandbox import install_kernel_spec

    folder = Path(tempfile.mkdtemp(prefix="nnfs-kernels-"))
    install_kernel_spec(folder, FORKED_KERNEL, kernel_forker.kernelspec(folder / "forker.sock"))
    os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(folder), os.environ.get("JUPYTER_PATH")) if p)
    option.nbval_kernel_name = FORKED_KERNEL
    config._nnfs_forker = {"folder": folder, "server": kernel_forker.start_server(folder / "forker.sock")}


# --------------------------------------------------------------------------- the website in a browser
# Shared by tests/test_browser.py and any other browser test: a static server for the built site,
# Debian's Chromium driven by Playwright (one per session), and a browser context with the
# internet cut off. Import the helpers with ``from conftest import Watch, offline_context, ...``.

TIMEOUT_MS = 20_000
# How Chromium reports a request that offline_context's proxy refused.
BLOCKED = "net::ERR_PROXY_CONNECTION_FAILED"


@contextlib.contextmanager
def serve_directory(directory):
    """Serve ``directory`` on localhost (a plain static server, like any web host); yields the
    base URL, ending in ``/``."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def chromium_executable():
    """Debian's Chromium (or NNFS_CHROMIUM); fails the test with what to install when missing."""
    executable = (os.environ.get("NNFS_CHROMIUM") or shutil.which("chromium")
                  or shutil.which("chromium-browser"))
    if not executable:
        pytest.fail("the browser test needs Chromium and none was found: install Debian's with "
                    "'sudo apt-get install chromium' ('make test' does it when run as root), point "
                    "NNFS_CHROMIUM at a Chromium-based browser, or set NNFS_SKIP_BROWSER=1 to skip "
                    "this test on purpose", pytrace=False)
    return executable


@pytest.fixture(scope="session")
def site(request):
    """The built website's html folder: NNFS_BOOK_HTML, or the session's shared build."""
    if os.environ.get("NNFS_BOOK_HTML"):
        html = Path(os.environ["NNFS_BOOK_HTML"]).resolve()
    else:
        _, html = request.getfixturevalue("built_book")
    assert (html / "index.html").is_file(), f"the website was not built: no {html / 'index.html'}"
    return html


@pytest.fixture(scope="session")
def server(site):
    """A static web server for the site on localhost; yields its base URL."""
    with serve_directory(site) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's), driven by Playwright, one for the whole session."""
    executable = chromium_executable()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True)
        yield chromium
        chromium.close()


class Watch:
    """Everything that went wrong on a page: console errors, uncaught exceptions, failed requests,
    HTTP errors, and requests that tried to leave the machine (they are blocked)."""

    def __init__(self):
        self.problems = []
        self.loading = set()             # requests sent and not yet finished or failed
        self.last_seen = time.monotonic()   # when a request last started or ended

    def attach(self, page):
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console error: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"uncaught exception: {e}"))
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._failed)
        page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"))
        return page

    def settle(self, page, quiet_ms=150):
        """Wait until no request of the page has been in flight for ``quiet_ms`` (what Playwright's
        "networkidle" does with a fixed 500 ms, which cost half a second per page of the crawl). A
        page that has been quiet that long already (while it was measured) is not waited for."""
        page.evaluate("0")                 # a round trip: every event the page sent before is delivered
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while self.loading or time.monotonic() - self.last_seen < quiet_ms / 1000:
            if time.monotonic() > deadline:
                pytest.fail(f"requests still loading after {TIMEOUT_MS / 1000:g} s: {[r.url for r in self.loading]}")
            page.wait_for_timeout(25)      # events (requests ending) are delivered while it waits

    def _started(self, request):
        self.loading.add(request)
        self.last_seen = time.monotonic()

    def _ended(self, request):
        self.loading.discard(request)
        self.last_seen = time.monotonic()

    def _failed(self, request):
        self._ended(request)
        # net::ERR_ABORTED is the browser cancelling a request as it leaves the page (a favicon still
        # loading, say), not a failure of the site; a missing file shows up as an HTTP error.
        if BLOCKED in str(request.failure):
            self.problems.append(f"request to the internet (blocked): {request.url}")
        elif "ERR_ABORTED" not in str(request.failure):
            self.problems.append(f"failed request: {request.url} ({request.failure})")

    def take(self):
        problems, self.problems = self.problems, []
        return problems


@functools.cache
def _nowhere():
    """A local port that refuses every connection (bound, never listening), kept for the session."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


def offline_context(browser, watch, **options):
    """A browser context with the internet cut off: only localhost and file:// are reachable. Every
    other request goes to a proxy that refuses it. ``watch`` is attached to every page the context
    opens (popups too), so it records such requests as problems. (A proxy rather than Playwright's
    request routing, which sends each request through Python and made every page load twice as
    slow.)"""
    proxy = {"server": f"http://127.0.0.1:{_nowhere().getsockname()[1]}", "bypass": "127.0.0.1,localhost"}
    context = browser.new_context(service_workers="block", proxy=proxy, **options)
    context.set_default_timeout(TIMEOUT_MS)
    context.on("page", watch.attach)
    return context
