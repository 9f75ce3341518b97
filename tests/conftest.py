"""Shared pytest set-up: a headless plotting backend and a seeded generator for every test."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")


@pytest.fixture
def rng():
    """A fresh, seeded numpy Generator (tests never touch global random state)."""
    return np.random.default_rng(12345)
