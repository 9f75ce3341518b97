"""nnlib.functional: values, derivatives (by finite differences), dtypes and numerical safety."""

import warnings

import numpy as np
import pytest

from nnlib import functional as F
from nnlib.gradcheck import numerical_gradient, relative_error

EXTREME = np.array([-1e4, -1000.0, -50.0, -1.0, 0.0, 1.0, 50.0, 1000.0, 1e4])
PAIRS = [(F.sigmoid, F.sigmoid_grad), (F.tanh, F.tanh_grad), (F.relu, F.relu_grad)]


def test_sigmoid_known_values():
    assert F.sigmoid(0.0) == 0.5
    assert np.isclose(F.sigmoid(0.4), 0.598687660112452)
    assert np.isclose(F.sigmoid(1.0), 0.7310585786300049)
    assert np.allclose(F.sigmoid(-EXTREME) + F.sigmoid(EXTREME), 1.0)  # σ(−x) = 1 − σ(x)


def test_sigmoid_grad_is_bell_shaped_with_max_quarter():
    x = np.linspace(-10, 10, 2001)
    g = F.sigmoid_grad(x)
    assert np.isclose(g.max(), 0.25) and x[g.argmax()] == 0.0
    assert g[0] < 1e-4 and g[-1] < 1e-4  # saturation: the slope goes to 0, not infinity


def test_tanh_identity_and_bound(rng):
    x = rng.normal(scale=3, size=100)
    assert np.allclose(F.tanh(x), 2 * F.sigmoid(2 * x) - 1)
    assert np.allclose(F.tanh(x), (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x)))
    assert np.all(np.abs(F.tanh(x)) <= np.abs(x))


def test_step_and_relu_values():
    x = np.array([-2.0, -0.0, 0.0, 3.0])
    assert F.step(x).tolist() == [0.0, 1.0, 1.0, 1.0]
    assert F.relu(x).tolist() == [0.0, 0.0, 0.0, 3.0]
    assert F.relu_grad(x).tolist() == [0.0, 0.0, 0.0, 1.0]


@pytest.mark.parametrize("f, df", PAIRS, ids=lambda f: getattr(f, "__name__", ""))
def test_derivatives_match_finite_differences(f, df, rng):
    x = rng.normal(scale=2, size=(4, 5))
    x[np.abs(x) < 1e-3] = 0.5  # keep away from ReLU's kink
    numeric = numerical_gradient(lambda v: f(v).sum(), x)
    assert relative_error(df(x), numeric) < 1e-8


@pytest.mark.parametrize("f", [F.step, F.sigmoid, F.sigmoid_grad, F.tanh, F.tanh_grad, F.relu, F.relu_grad])
def test_safe_for_extreme_inputs_and_keeps_dtype(f):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out64 = f(EXTREME)
        out32 = f(EXTREME.astype(np.float32))
    assert np.all(np.isfinite(out64)) and np.all(np.isfinite(out32))
    assert out64.dtype == np.float64 and out32.dtype == np.float32
    assert out64.shape == EXTREME.shape


def test_integer_input_becomes_float_and_strings_are_refused():
    assert F.sigmoid(np.array([0, 1])).dtype == np.float64
    with pytest.raises(TypeError, match="numeric"):
        F.relu(np.array(["a", "b"]))
