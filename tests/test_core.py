"""nnlib.core: Parameter, Layer and Sequential."""

import numpy as np
import pytest

from nnlib.activations import ReLU, Sigmoid, Tanh
from nnlib.core import Layer, Parameter, Sequential
from nnlib.gradcheck import check_layer
from nnlib.layers import Linear


def test_parameter_holds_data_and_zero_grad():
    p = Parameter([[1, 2], [3, 4]])
    assert p.data.dtype == np.float64 and p.shape == (2, 2)
    assert np.array_equal(p.grad, np.zeros((2, 2)))
    p.grad += 5
    p.zero_grad()
    assert not p.grad.any()
    assert Parameter(np.ones(3, dtype=np.float32)).grad.dtype == np.float32
    assert "shape=(2, 2)" in repr(p)


def test_base_layer_explains_what_to_implement():
    with pytest.raises(NotImplementedError, match="forward"):
        Layer()(np.ones(2))
    with pytest.raises(NotImplementedError, match="backward"):
        Layer().backward(np.ones(2))


def test_sequential_collects_parameters_in_order_without_repeats():
    first = Linear(3, 4, rng=0)
    model = Sequential(first, ReLU(), Linear(4, 2, rng=1))
    params = model.parameters()
    assert [p.shape for p in params] == [(4, 3), (4,), (2, 4), (2,)]
    assert params[0] is first.weight
    shared = Sequential(first, first)
    assert len(shared.parameters()) == 2
    assert len(model) == 3 and model[0] is first


def test_train_eval_reach_every_sublayer():
    model = Sequential(Linear(2, 2, rng=0), Sequential(Sigmoid(), Tanh()))
    assert model.eval() is model
    assert not model.training and not model[1][0].training
    model.train()
    assert model[1][1].training


def test_sequential_backward_is_chain_rule_and_accumulates(rng):
    model = Sequential(Linear(3, 5, rng=0), Tanh(), Linear(5, 2, rng=1), Sigmoid())
    x = rng.normal(size=(6, 3))
    errors = check_layer(model, x, rng=2)
    assert max(errors.values()) < 1e-8, errors
    # Gradients accumulate: two backward passes give twice the gradient.
    model.zero_grad()
    model(x)
    model.backward(np.ones((6, 2)))
    once = model[0].weight.grad.copy()
    model.backward(np.ones((6, 2)))
    assert np.allclose(model[0].weight.grad, 2 * once)
    model.zero_grad()
    assert all(not p.grad.any() for p in model.parameters())


def test_backward_before_forward_is_a_clear_error():
    with pytest.raises(RuntimeError, match="before forward"):
        Linear(2, 3).backward(np.ones((1, 3)))
    with pytest.raises(RuntimeError, match="before forward"):
        Sigmoid().backward(np.ones(3))


def test_sequential_rejects_non_layers():
    with pytest.raises(TypeError, match="Layer objects"):
        Sequential(Linear(2, 2), np.tanh)


def test_repr_lists_layers():
    text = repr(Sequential(Linear(2, 3), ReLU()))
    assert "(0): Linear(in_features=2, out_features=3, bias=True)" in text
    assert "(1): ReLU()" in text
