"""Initializers: PyTorch's fan conventions, the right variance and bounds, filled in place."""

import math

import numpy as np
import pytest

from nnlib import init
from nnlib.core import Parameter
from nnlib.layers import Linear

FAN_OUT, FAN_IN = 300, 500      # a weight of shape (out_features, in_features)


@pytest.mark.parametrize("name, param, expected", [
    ("linear", None, 1.0), ("sigmoid", None, 1.0), ("tanh", None, 5 / 3), ("relu", None, math.sqrt(2)),
    ("leaky_relu", None, math.sqrt(2 / (1 + 0.01 ** 2))), ("leaky_relu", 0.2, math.sqrt(2 / 1.04)),
    ("selu", None, 0.75)])
def test_calculate_gain(name, param, expected):
    assert init.calculate_gain(name, param) == pytest.approx(expected)


def test_calculate_gain_unknown():
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")


@pytest.mark.parametrize("fill, kwargs, variance, bound", [
    (init.xavier_uniform_, {}, 2 / (FAN_IN + FAN_OUT), math.sqrt(6 / (FAN_IN + FAN_OUT))),
    (init.xavier_uniform_, {"gain": 5 / 3}, (5 / 3) ** 2 * 2 / (FAN_IN + FAN_OUT), 5 / 3 * math.sqrt(6 / 800)),
    (init.xavier_normal_, {}, 2 / (FAN_IN + FAN_OUT), None),
    (init.kaiming_uniform_, {"nonlinearity": "relu"}, 2 / FAN_IN, math.sqrt(6 / FAN_IN)),
    (init.kaiming_uniform_, {}, 2 / FAN_IN, math.sqrt(6 / FAN_IN)),   # a=0 leaky ReLU is ReLU
    (init.kaiming_normal_, {"nonlinearity": "relu"}, 2 / FAN_IN, None),
    (init.kaiming_normal_, {"mode": "fan_out", "nonlinearity": "relu"}, 2 / FAN_OUT, None),
    (init.kaiming_normal_, {"nonlinearity": "linear"}, 1 / FAN_IN, None),
])
def test_variance_and_bounds(fill, kwargs, variance, bound):
    w = np.empty((FAN_OUT, FAN_IN))
    out = fill(w, rng=0, **kwargs)
    assert out is w
    # 150,000 draws: the sample variance is within about 1% of the true one.
    assert w.var() == pytest.approx(variance, rel=0.03)
    assert abs(w.mean()) < 0.02 * math.sqrt(variance)
    if bound is not None:
        assert np.abs(w).max() <= bound
        assert np.abs(w).max() > 0.99 * bound


def test_fills_a_parameter_in_place_and_is_reproducible():
    layer = Linear(4, 3)
    data = layer.weight.data
    init.kaiming_normal_(layer.weight, rng=1)
    assert layer.weight.data is data
    again = init.kaiming_normal_(np.empty((3, 4)), rng=1)
    np.testing.assert_array_equal(data, again)
    assert not np.array_equal(init.kaiming_normal_(np.empty((3, 4)), rng=2), again)


def test_simple_fills(rng):
    w = rng.normal(size=(2, 3))
    assert not init.zeros_(w).any()
    assert (init.constant_(Parameter(w), 0.25) == 0.25).all()
    n = init.normal_(np.empty(100_000), mean=2.0, std=0.5, rng=0)
    assert n.mean() == pytest.approx(2.0, abs=0.01) and n.std() == pytest.approx(0.5, rel=0.01)
    u = init.uniform_(np.empty(100_000), a=-1.0, b=3.0, rng=0)
    assert u.min() >= -1 and u.max() < 3 and u.var() == pytest.approx(16 / 12, rel=0.02)


def test_bad_inputs():
    with pytest.raises(ValueError, match="at least 2 dimensions, got shape \\(5,\\)"):
        init.xavier_uniform_(np.empty(5))
    with pytest.raises(TypeError, match="float ndarray"):
        init.zeros_(np.zeros(3, dtype=int))
    with pytest.raises(TypeError, match="float ndarray"):
        init.normal_([1.0, 2.0])
    with pytest.raises(ValueError, match="mode must be"):
        init.kaiming_normal_(np.empty((2, 2)), mode="fan_avg")
