"""nnlib.layers.Linear and nnlib.activations: forward values, gradient checks, shape errors."""

import numpy as np
import pytest

from nnlib.activations import ELU, LeakyReLU, ReLU, Sigmoid, Softmax, Step, Tanh
from nnlib.functional import sigmoid
from nnlib.gradcheck import check_layer
from nnlib.layers import Linear


def test_linear_forward_is_x_wT_plus_b():
    layer = Linear(2, 3, rng=0)
    layer.weight.data[...] = [[1, 2], [3, 4], [5, 6]]
    layer.bias.data[...] = [0.5, -0.5, 0.0]
    y = layer(np.array([[1.0, 1.0], [0.0, 2.0]]))
    assert np.allclose(y, [[3.5, 6.5, 11.0], [4.5, 7.5, 12.0]])


def test_linear_init_follows_pytorch_bounds_and_is_reproducible():
    layer = Linear(100, 50, rng=7)
    k = 1 / np.sqrt(100)
    assert layer.weight.shape == (50, 100) and layer.bias.shape == (50,)
    assert np.abs(layer.weight.data).max() <= k and np.abs(layer.weight.data).max() > 0.9 * k
    assert np.array_equal(Linear(100, 50, rng=7).weight.data, layer.weight.data)
    assert not np.array_equal(Linear(100, 50, rng=8).weight.data, layer.weight.data)


@pytest.mark.parametrize("trial", range(5))
def test_linear_gradcheck_on_random_shapes(trial):
    rng = np.random.default_rng(trial)
    n, d_in, d_out = rng.integers(1, 7, size=3)
    layer = Linear(d_in, d_out, rng=rng, bias=bool(trial % 2 == 0))
    errors = check_layer(layer, rng.normal(size=(n, d_in)), rng=rng)
    assert max(errors.values()) < 1e-8, errors


def test_linear_float32_end_to_end():
    layer = Linear(4, 3, rng=0, dtype=np.float32)
    y = layer(np.ones((2, 4), dtype=np.float32))
    assert y.dtype == np.float32
    grad = layer.backward(np.ones((2, 3), dtype=np.float32))
    assert grad.dtype == np.float32 and layer.weight.grad.dtype == np.float32


def test_linear_shape_errors_name_the_expected_shape():
    layer = Linear(3, 2)
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 3\), got \(5, 4\)"):
        layer(np.ones((5, 4)))
    with pytest.raises(ValueError, match=r"\(N, 3\), got \(3,\)"):
        layer(np.ones(3))
    layer(np.ones((5, 3)))
    with pytest.raises(ValueError, match=r"grad_output of shape \(5, 2\), got \(5, 3\)"):
        layer.backward(np.ones((5, 3)))
    with pytest.raises(ValueError, match="positive sizes"):
        Linear(0, 2)


@pytest.mark.parametrize("cls", [Sigmoid, Tanh, ReLU])
def test_activation_layers_gradcheck(cls, rng):
    x = rng.normal(size=(4, 3))
    x[np.abs(x) < 1e-3] = 0.1
    errors = check_layer(cls(), x, rng=rng)
    assert errors["input"] < 1e-8 and len(errors) == 1


def test_activation_layer_values_and_shape_check(rng):
    x = rng.normal(size=(2, 3))
    layer = Sigmoid()
    assert np.array_equal(layer(x), sigmoid(x))
    with pytest.raises(ValueError, match=r"grad_output of shape \(2, 3\)"):
        layer.backward(np.ones((3, 2)))


@pytest.mark.parametrize("layer", [LeakyReLU(0.1), ELU(0.5), Softmax(), Softmax(axis=0)], ids=repr)
def test_more_activation_layers_gradcheck(layer, rng):
    x = rng.normal(size=(4, 3))
    x[np.abs(x) < 1e-3] = 0.1
    assert check_layer(layer, x, rng=rng)["input"] < 1e-8


def test_step_layer_is_forward_only():
    step = Step()
    assert step(np.array([-1.0, 0.0, 2.0])).tolist() == [0.0, 1.0, 1.0]
    with pytest.raises(RuntimeError, match="perceptron rule"):
        step.backward(np.ones(3))


def test_activation_reprs_show_their_settings():
    assert repr(LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(Softmax()) == "Softmax(axis=-1)"
