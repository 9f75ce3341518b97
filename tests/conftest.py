"""Shared pytest set-up: a headless plotting backend, a seeded generator for every test, and one
build of the website for the whole session (used by test_book.py and test_browser.py)."""

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")


@pytest.fixture
def rng():
    """A fresh, seeded numpy Generator (tests never touch global random state)."""
    return np.random.default_rng(12345)


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """The website, built once per test run (``jupyter-book build -W -n --keep-going``) into a
    temporary folder, so that test_book.py, test_browser.py and test_site_quality.py share one build,
    also when pytest-xdist runs them in different workers (the first builds it, under a file lock,
    in the run's shared temporary folder; the others wait and reuse it).

    Returns ``(result, html)``: the finished ``subprocess.CompletedProcess`` and the ``_build/html``
    folder. With --keep-going the pages are written even when Sphinx warns, so the browser test
    still runs; test_book.py fails on the warnings.
    """
    root = Path(__file__).resolve().parents[1]
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent                     # one folder for every worker of this run
    out, record = shared / "book", shared / "book-build.json"
    with open(shared / "book.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            jb = Path(sys.executable).with_name("jupyter-book")
            done = subprocess.run(
                [str(jb), "build", str(root), "--path-output", str(out), "-W", "-n", "--keep-going"],
                capture_output=True, text=True, timeout=600)
            record.write_text(json.dumps({"args": done.args, "returncode": done.returncode,
                                          "stdout": done.stdout, "stderr": done.stderr}))
    result = subprocess.CompletedProcess(**json.loads(record.read_text()))
    return result, out / "_build" / "html"
