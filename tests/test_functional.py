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


def test_leaky_relu_is_max_of_alpha_x_and_x(rng):
    x = rng.normal(size=50)
    assert np.allclose(F.leaky_relu(x), np.maximum(0.01 * x, x))
    assert np.allclose(F.leaky_relu(x, 0.2), np.maximum(0.2 * x, x))
    assert set(np.unique(F.leaky_relu_grad(x, 0.2))) == {0.2, 1.0}


def test_elu_values_and_range():
    assert F.elu(2.0) == 2.0 and np.isclose(F.elu(-1.0), np.exp(-1) - 1)
    assert F.elu(-1e4) == -1.0 and np.isclose(F.elu(-1e4, alpha=0.5), -0.5)


@pytest.mark.parametrize("f, df", [(lambda x: F.leaky_relu(x, 0.1), lambda x: F.leaky_relu_grad(x, 0.1)),
                                   (lambda x: F.elu(x, 0.7), lambda x: F.elu_grad(x, 0.7))],
                         ids=["leaky_relu", "elu"])
def test_more_derivatives_match_finite_differences(f, df, rng):
    x = rng.normal(scale=2, size=(3, 4))
    x[np.abs(x) < 1e-3] = 0.5
    assert relative_error(df(x), numerical_gradient(lambda v: f(v).sum(), x)) < 1e-8


@pytest.mark.parametrize("f", [F.leaky_relu, F.leaky_relu_grad, F.elu, F.elu_grad,
                               F.softmax, F.log_softmax])
def test_more_functions_safe_and_keep_dtype(f):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = f(EXTREME.astype(np.float32))
    assert np.all(np.isfinite(out)) and out.dtype == np.float32


def test_softmax_is_a_distribution_and_shift_invariant(rng):
    x = rng.normal(size=(4, 5))
    s = F.softmax(x)
    assert np.allclose(s.sum(axis=1), 1) and np.all(s > 0)
    assert np.allclose(F.softmax(x + 1000.0), s)
    assert np.allclose(np.exp(F.log_softmax(x)), s)
    assert np.allclose(F.softmax(x, axis=0).sum(axis=0), 1)
    naive = np.exp(x[0]) / np.exp(x[0]).sum()
    assert np.allclose(s[0], naive)
    assert np.allclose(F.log_softmax(np.array([1000.0, 0.0])), [0.0, -1000.0])
