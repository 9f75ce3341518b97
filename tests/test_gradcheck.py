"""nnlib.gradcheck: the checker itself must be right, and must catch a wrong gradient."""

import numpy as np
import pytest

from nnlib.core import Layer, Parameter
from nnlib.gradcheck import check_layer, numerical_gradient, relative_error


def test_numerical_gradient_of_a_quadratic_is_exact(rng):
    A = rng.normal(size=(3, 3))
    x = rng.normal(size=3)
    grad = numerical_gradient(lambda v: v @ A @ v, x)
    assert np.allclose(grad, (A + A.T) @ x, atol=1e-8)


def test_numerical_gradient_restores_x_and_validates_input():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    before = x.copy()
    numerical_gradient(lambda v: np.sum(v**3), x)
    assert np.array_equal(x, before)
    with pytest.raises(TypeError, match="float64"):
        numerical_gradient(lambda v: v.sum(), np.ones(3, dtype=np.float32))
    with pytest.raises(ValueError, match="contiguous"):
        numerical_gradient(lambda v: v.sum(), np.ones((3, 3)).T[:, :2])


def test_relative_error_properties():
    a = np.array([1.0, -2.0, 3.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(a, -a) == 1.0
    assert np.isclose(relative_error(1e-6 * a, 1.01e-6 * a), relative_error(a, 1.01 * a))
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    with pytest.raises(ValueError, match="same shape"):
        relative_error(np.ones(2), np.ones(3))


class WrongScale(Layer):
    """y = w·x with a planted bug: backward forgets a factor 2 that forward has."""

    def __init__(self):
        self.w = Parameter(np.array([0.5, -1.5]))

    def forward(self, x):
        self.x = x
        return 2 * x * self.w.data

    def backward(self, grad_output):
        self.w.grad += (grad_output * self.x).sum(axis=0)
        return grad_output * self.w.data


def test_check_layer_catches_a_planted_bug(rng):
    errors = check_layer(WrongScale(), rng.normal(size=(4, 2)), rng=rng)
    assert errors["input"] > 0.1 and errors["param0"] > 0.1
