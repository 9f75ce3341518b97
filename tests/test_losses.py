"""nnlib.losses.BCELoss: the formula, its gradient, clamping and input checks."""

import warnings

import numpy as np
import pytest

from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.losses import BCELoss


def test_bce_matches_the_bernoulli_negative_log_likelihood():
    p = np.array([0.9, 0.2, 0.6])
    y = np.array([1.0, 0.0, 0.0])
    expected = -np.mean([np.log(0.9), np.log(0.8), np.log(0.4)])
    assert np.isclose(BCELoss()(p, y), expected)
    assert np.isclose(BCELoss(reduction="sum")(p, y), 3 * expected)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("shape", [(7,), (5, 1), (3, 4)])
def test_bce_gradient_matches_finite_differences(reduction, shape, rng):
    p = rng.uniform(0.05, 0.95, size=shape)
    y = rng.integers(0, 2, size=shape).astype(float)
    loss = BCELoss(reduction=reduction)
    loss(p, y)
    analytic = loss.backward()
    numeric = numerical_gradient(lambda q: BCELoss(reduction=reduction)(q, y), p)
    assert analytic.shape == shape
    assert relative_error(analytic, numeric) < 1e-8


def test_bce_clamps_log_like_pytorch():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert BCELoss()(np.array([0.0]), np.array([1.0])) == 100.0
        assert BCELoss()(np.array([1.0, 0.0]), np.array([1.0, 0.0])) == 0.0
        loss = BCELoss()
        loss(np.array([0.0]), np.array([1.0]))
        assert np.isfinite(loss.backward()).all()


def test_bce_rejects_bad_input_with_a_clear_message():
    loss = BCELoss()
    with pytest.raises(ValueError, match=r"same shape.*\(3,\).*\(3, 1\)"):
        loss(np.full(3, 0.5), np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\].*apply a sigmoid"):
        loss(np.array([1.5, 0.2]), np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match="and NaN"):
        loss(np.array([np.nan, 0.2]), np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match="target contains NaN"):
        loss(np.array([0.5, 0.2]), np.array([np.nan, 0.0]))
    with pytest.raises(ValueError, match=r"targets in \[0, 1\]"):
        loss(np.array([0.5, 0.2]), np.array([2.0, 0.0]))
    with pytest.raises(RuntimeError, match="before forward"):
        BCELoss().backward()
    with pytest.raises(ValueError, match="reduction"):
        BCELoss(reduction="average")
