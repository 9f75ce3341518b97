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
    with pytest.raises(RuntimeError, match="no useful gradient.*perceptron rule"):
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


def test_perceptron_converges_on_separable_data_within_novikoff_bound():
    from nnlib.datasets import make_blobs
    from nnlib.neuron import Perceptron

    X, y = make_blobs(100, centers=np.array([[-2.0, -2.0], [2.0, 2.0]]), cluster_std=0.6, rng=1)
    p = Perceptron(2).fit(X, y, epochs=100)
    assert p.mistakes_[-1] == 0 and np.array_equal(p.predict(X), y)
    # Novikoff: total mistakes ≤ (R/γ)² for the bias-augmented inputs and any separating (w, b).
    Xa = np.c_[X, np.ones(len(X))]
    w = np.r_[p.weight.data, p.bias.data]
    gamma = np.min((2 * y - 1) * (Xa @ w)) / np.linalg.norm(w)
    R = np.linalg.norm(Xa, axis=1).max()
    assert gamma > 0 and sum(p.mistakes_) <= (R / gamma) ** 2


def test_perceptron_rule_by_hand_and_xor_never_converges():
    from nnlib.neuron import Perceptron

    p = Perceptron(2, lr=0.5)
    # First example: prediction step(0) = 1 but label 0 -> w -= 0.5 x, b -= 0.5.
    assert p.train_epoch(np.array([[1.0, 2.0]]), np.array([0])) == 1
    assert p.weight.data.tolist() == [-0.5, -1.0] and p.bias.data == -0.5
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    xor = Perceptron(2).fit(X, np.array([0, 1, 1, 0]), epochs=50)
    assert len(xor.mistakes_) == 50 and min(xor.mistakes_) > 0
    with pytest.raises(ValueError, match="labels 0 and 1"):
        Perceptron(2).fit(X, np.array([-1, 1, 1, -1]))
    with pytest.raises(ValueError, match=r"labels of shape \(4,\)"):
        Perceptron(2).fit(X, np.array([0, 1]))


def test_neuron_pairs_f_and_its_derivative_through_the_activation_classes():
    from nnlib.activations import ACTIVATIONS, Sigmoid, Tanh

    assert isinstance(Neuron([1.0], activation="sigmoid").f, Sigmoid)
    assert isinstance(Neuron([1.0], activation="tanh").f, Tanh)
    assert set(ACTIVATIONS) >= {"sigmoid", "tanh", "relu", "step", "identity"}
    import nnlib.neuron
    assert not hasattr(nnlib.neuron, "ACTIVATIONS")     # no second table of (f, f') pairs
