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


# --- nnlib v2: reuse, the forward-between-forward-and-backward trap, state_dict ---------------

from nnlib.activations import GELU  # noqa: E402
from nnlib.layers import BatchNorm1d, Dropout, LayerNorm  # noqa: E402
from nnlib.losses import CrossEntropyLoss, MSELoss  # noqa: E402


def _grads(model, x, g):
    model.zero_grad()
    model(x)
    grad_x = model.backward(g)
    return [p.grad.copy() for p in model.parameters()], grad_x


@pytest.mark.parametrize("act_cls", [ReLU, Tanh, Sigmoid, GELU])
def test_one_activation_object_used_twice_gives_the_right_gradients(act_cls, rng):
    a = [Linear(3, 5, rng=0), Linear(5, 5, rng=1), Linear(5, 2, rng=2)]
    b = [Linear(3, 5, rng=0), Linear(5, 5, rng=1), Linear(5, 2, rng=2)]
    act = act_cls()
    shared = Sequential(a[0], act, a[1], act, a[2])
    separate = Sequential(b[0], act_cls(), b[1], act_cls(), b[2])
    x, g = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    (grads_shared, gx_shared), (grads_separate, gx_separate) = _grads(shared, x, g), _grads(separate, x, g)
    for gs, gp in zip(grads_shared, grads_separate):
        np.testing.assert_array_equal(gs, gp)
    np.testing.assert_array_equal(gx_shared, gx_separate)
    assert max(check_layer(shared, x, rng=3).values()) < 1e-8


def test_shared_layers_and_blocks_reused_pass_gradient_checks(rng):
    x = rng.normal(size=(5, 3))
    shared = Linear(4, 4, rng=1)                      # weight sharing: one Parameter, two uses
    model = Sequential(Linear(3, 4, rng=0), Tanh(), shared, Tanh(), shared, Linear(4, 1, rng=2))
    assert len(model.parameters()) == 6
    assert max(check_layer(model, x, rng=0).values()) < 1e-8
    block = Sequential(Linear(4, 4, rng=3), Sigmoid())
    nested = Sequential(Linear(3, 4, rng=0), block, block, Linear(4, 2, rng=4))
    assert max(check_layer(nested, x, rng=1).values()) < 1e-8
    norm = LayerNorm(4)
    norm.weight.data[...] = rng.normal(size=4)
    with_norm = Sequential(Linear(3, 4, rng=0), norm, Tanh(), Linear(4, 4, rng=5), norm)
    assert max(check_layer(with_norm, x, rng=2).values()) < 1e-8


def test_reused_dropout_keeps_one_mask_per_use():
    drop = Dropout(0.5, rng=0)
    model = Sequential(drop, drop)
    x = np.ones((6, 8))
    y = model(x)
    # dL/dx of two dropouts in a row is mask1·mask2·4: nonzero exactly where y is
    grad = model.backward(np.ones_like(y))
    np.testing.assert_array_equal(grad, y)


def test_calling_the_model_between_forward_and_backward_is_a_clear_error(rng):
    model = Sequential(Linear(3, 4, rng=0), ReLU(), Linear(4, 2, rng=1))
    loss_fn = CrossEntropyLoss()
    x, y = rng.normal(size=(8, 3)), rng.integers(0, 2, 8)
    loss_fn(model(x), y)
    model(rng.normal(size=(8, 3)))                    # validation data, same batch size
    with pytest.raises(RuntimeError, match=r"called 1 more time\(s\) since.*right after the forward pass"):
        loss_fn.backward()
    # the right order works, and so does evaluating afterwards
    loss_fn(model(x), y)
    model.backward(loss_fn.backward())
    model(rng.normal(size=(3, 3)))
    # a loss on a view of the output (e.g. out.ravel()) is tracked too
    single = Sequential(Linear(3, 1, rng=0))
    mse = MSELoss()
    mse(single(x).ravel(), np.zeros(8))
    single(x)
    with pytest.raises(RuntimeError, match="more time"):
        mse.backward()


def test_state_dict_has_parameters_and_buffers_in_pytorch_order():
    model = Sequential(Linear(3, 4, rng=0), BatchNorm1d(4), ReLU(), Linear(4, 2, rng=1))
    state = model.state_dict()
    assert list(state) == ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                           "1.num_batches_tracked", "3.weight", "3.bias"]
    assert state["0.weight"] is model[0].weight.data            # references, as in PyTorch
    assert [name for name, _ in model.named_parameters()][:2] == ["0.weight", "0.bias"]
    assert [name for name, _ in model.named_buffers()] == ["1.running_mean", "1.running_var",
                                                           "1.num_batches_tracked"]


def test_load_state_dict_copies_parameters_and_buffers(rng):
    def make(seed):
        return Sequential(Linear(3, 4, rng=seed), BatchNorm1d(4), ReLU(), Linear(4, 2, rng=seed + 1))

    trained, fresh = make(0), make(10)
    for _ in range(3):
        trained(rng.normal(size=(8, 3)))                        # moves the running statistics
    fresh.load_state_dict(trained.state_dict())
    x = rng.normal(size=(5, 3))
    np.testing.assert_array_equal(trained.eval()(x), fresh.eval()(x))
    assert fresh[1].num_batches_tracked == 3
    assert fresh[0].weight.data is not trained[0].weight.data   # copied in place, not shared
    with pytest.raises(KeyError, match=r"missing keys \['3.bias'\]"):
        fresh.load_state_dict({k: v for k, v in trained.state_dict().items() if k != "3.bias"})
    bad = dict(trained.state_dict(), **{"0.weight": np.zeros((2, 2))})
    with pytest.raises(ValueError, match=r"'0.weight' has shape \(2, 2\)"):
        fresh.load_state_dict(bad)
    missing, unexpected = fresh.load_state_dict({"0.bias": np.ones(4), "extra": np.ones(1)}, strict=False)
    assert "0.weight" in missing and unexpected == ["extra"] and np.all(fresh[0].bias.data == 1)
