"""Shared pytest set-up: a headless plotting backend, a seeded generator for every test, and one
build of the website for the whole session (used by test_book.py and test_browser.py)."""

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
    """The website, built once per test session (``jupyter-book build -W -n --keep-going``) into a
    temporary folder, so that test_book.py and test_browser.py share one build.

    Returns ``(result, html)``: the finished ``subprocess.CompletedProcess`` and the ``_build/html``
    folder. With --keep-going the pages are written even when Sphinx warns, so the browser test
    still runs; test_book.py fails on the warnings.
    """
    root = Path(__file__).resolve().parents[1]
    out = tmp_path_factory.mktemp("book")
    jb = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jb), "build", str(root), "--path-output", str(out), "-W", "-n", "--keep-going"],
        capture_output=True, text=True, timeout=600)
    return result, out / "_build" / "html"
