"""nnlib.neuron.Neuron: one example or a batch, each activation, gradients."""

import warnings

import numpy as np
import pytest

from nnlib.gradcheck import check_layer
from nnlib.neuron import Neuron


def test_single_example_and_batch_agree():
    n = Neuron([0.5, -1.0], bias=0.25)
    x = np.array([2.0, 1.0])
    z = 0.5 * 2 - 1.0 * 1 + 0.25
    assert np.isclose(n.preactivation(x), z)
    assert np.isclose(n(x), 1 / (1 + np.exp(-z)))
    batch = np.stack([x, -x, np.zeros(2)])
    out = n(batch)
    assert out.shape == (3,)
    assert np.allclose(out, [n(row) for row in batch])


def test_step_neuron_is_a_threshold_unit():
    # Fires when w·x ≥ −b: an AND gate with threshold 1.5.
    gate = Neuron([1.0, 1.0], bias=-1.5, activation="step")
    inputs = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    assert gate(inputs).tolist() == [0.0, 0.0, 0.0, 1.0]
    gate(inputs)
    with pytest.raises(RuntimeError, match="zero gradient"):
        gate.backward(np.ones(4))


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "identity"])
def test_gradcheck_each_activation(activation, rng):
    n = Neuron(rng.normal(size=4), bias=0.3, activation=activation)
    errors = check_layer(n, rng.normal(size=(6, 4)), rng=rng)
    assert max(errors.values()) < 1e-7, errors


def test_single_example_backward_returns_input_shape():
    n = Neuron([1.0, 2.0, 3.0])
    n(np.ones(3))
    assert n.backward(1.0).shape == (3,)


def test_extreme_inputs_no_warning():
    n = Neuron([1.0], bias=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = n(np.array([[-1e4], [1e4]]))
    assert out.tolist() == [0.0, 1.0]


def test_bad_inputs_say_what_was_expected():
    n = Neuron([1.0, 2.0])
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 2\), got \(4, 3\)"):
        n(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"expected input of shape \(2,\), got \(3,\)"):
        n(np.ones(3))
    with pytest.raises(ValueError, match="activation must be one of"):
        Neuron([1.0], activation="softsign")
    with pytest.raises(ValueError, match=r"weights of shape \(N,\)"):
        Neuron(np.ones((2, 2)))


def test_random_neuron_is_seeded():
    a, b = Neuron.random(5, rng=3), Neuron.random(5, rng=3)
    assert np.array_equal(a.weight.data, b.weight.data) and a.bias.data == 0.0
