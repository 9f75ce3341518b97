"""nnlib.layers.Linear and nnlib.activations: forward values, gradient checks, shape errors."""

import math

import numpy as np
import pytest

from nnlib.activations import ELU, LeakyReLU, ReLU, Sigmoid, Softmax, Step, Tanh
from nnlib.functional import sigmoid
from nnlib.gradcheck import check_layer
from nnlib.layers import BatchNorm1d, Dropout, Linear


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


def test_linear_sizes_must_be_whole_numbers():
    with pytest.raises(TypeError, match=r"whole number for in_features, got 2.5"):
        Linear(2.5, 3)
    with pytest.raises(TypeError, match="out_features"):
        Linear(2, 3.0)
    with pytest.raises(TypeError, match="in_features"):
        Linear(True, 3)
    with pytest.raises(ValueError, match="positive in_features"):
        Linear(0, 3)
    assert Linear(np.int64(2), 3).weight.shape == (3, 2)


def test_linear_has_no_benchmark_options():
    import inspect
    assert list(inspect.signature(Linear).parameters) == ["in_features", "out_features", "bias", "rng", "dtype"]


def test_linear_shape_errors_name_the_expected_shape():
    layer = Linear(3, 2)
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 3\), got \(5, 4\)"):
        layer(np.ones((5, 4)))
    with pytest.raises(ValueError, match=r"\(N, 3\), got \(3,\)"):
        layer(np.ones(3))
    layer(np.ones((5, 3)))
    with pytest.raises(ValueError, match=r"grad_output of shape \(5, 2\), got \(5, 3\)"):
        layer.backward(np.ones((5, 3)))
    with pytest.raises(ValueError, match="positive in_features"):
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


class SeededDropout(Dropout):
    """Dropout that draws the same mask on every forward call, so finite differences apply."""

    def forward(self, x):
        self.rng = np.random.default_rng(0)
        return super().forward(x)


@pytest.mark.parametrize("training", [True, False])
def test_dropout_gradcheck_in_train_and_eval(training, rng):
    layer = SeededDropout(0.3).train(training)
    assert check_layer(layer, rng.normal(size=(5, 4)), rng=rng)["input"] < 1e-8


def test_inverted_dropout_keeps_the_mean_and_is_identity_in_eval():
    x = np.ones((200, 500))
    layer = Dropout(0.2, rng=0)
    y = layer(x)
    dropped = np.mean(y == 0)
    assert abs(dropped - 0.2) < 0.005
    assert np.allclose(np.unique(y), [0.0, 1.25])
    assert abs(y.mean() - 1.0) < 0.01
    assert np.array_equal(layer.backward(np.ones_like(x)), y)  # same mask, same scale
    layer.eval()
    assert np.array_equal(layer(x), x)
    assert np.array_equal(Dropout(0.5, rng=3)(x), Dropout(0.5, rng=3)(x))
    with pytest.raises(ValueError, match="probability of dropping"):
        Dropout(1.0)


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("trial", range(3))
def test_batchnorm_gradcheck_in_train_and_eval(training, trial):
    rng = np.random.default_rng(trial)
    n, d = rng.integers(2, 7), rng.integers(1, 5)
    layer = BatchNorm1d(d)
    layer.weight.data[...] = rng.normal(size=d)
    layer.bias.data[...] = rng.normal(size=d)
    layer.running_mean[...] = rng.normal(size=d)
    layer.running_var[...] = rng.uniform(0.5, 2, size=d)
    layer.train(training)
    errors = check_layer(layer, rng.normal(loc=3, scale=2, size=(n, d)), rng=rng)
    assert max(errors.values()) < 1e-7, errors


def test_batchnorm_normalises_and_tracks_running_statistics(rng):
    x = rng.normal(loc=5.0, scale=3.0, size=(64, 3))
    layer = BatchNorm1d(3, momentum=0.1)
    y = layer(x)
    assert np.allclose(y.mean(axis=0), 0, atol=1e-12) and np.allclose(y.std(axis=0), 1, atol=1e-3)
    assert np.allclose(layer.running_mean, 0.1 * x.mean(axis=0))
    assert np.allclose(layer.running_var, 0.9 + 0.1 * x.var(axis=0, ddof=1))
    for _ in range(200):
        layer(x)
    layer.eval()
    single = layer(x[:1])  # eval mode: one example is fine and uses the running statistics
    assert np.allclose(single, (x[:1] - x.mean(axis=0)) / np.sqrt(x.var(axis=0, ddof=1) + 1e-5))
    layer.train()
    with pytest.raises(ValueError, match="at least 2 examples"):
        layer(x[:1])
    with pytest.raises(ValueError, match=r"input of shape \(N, 3\)"):
        layer(np.ones((4, 2)))


# --- nnlib v2: BatchNorm1d momentum=None and checks, LayerNorm, GELU --------------------------

from nnlib import functional as F  # noqa: E402
from nnlib.activations import GELU  # noqa: E402
from nnlib.layers import LayerNorm  # noqa: E402


def test_batchnorm_momentum_none_is_a_cumulative_average(rng):
    bn = BatchNorm1d(3, momentum=None)
    batches = [rng.normal(loc=i, size=(5, 3)) for i in range(4)]
    for x in batches:
        bn(x)
    np.testing.assert_allclose(bn.running_mean, np.mean([x.mean(axis=0) for x in batches], axis=0), rtol=1e-12)
    # running_var starts at 1, but the first batch has weight 1/1, so the start is forgotten
    np.testing.assert_allclose(bn.running_var, np.mean([x.var(axis=0, ddof=1) for x in batches], axis=0),
                               rtol=1e-12)
    assert bn.num_batches_tracked == 4


def test_batchnorm_momentum_is_checked_and_running_stats_update_in_place():
    with pytest.raises(ValueError, match=r"momentum in \[0, 1\]"):
        BatchNorm1d(3, momentum=1.5)
    with pytest.raises(ValueError, match="eps > 0"):
        BatchNorm1d(3, eps=0)
    with pytest.raises(TypeError, match="num_features"):
        BatchNorm1d(2.5)
    bn = BatchNorm1d(2)
    mean = bn.running_mean
    bn(np.array([[0.0, 2.0], [2.0, 4.0]]))
    assert bn.running_mean is mean                  # in place, so state_dict() arrays stay live
    np.testing.assert_allclose(mean, [0.1, 0.3])    # 0.9·0 + 0.1·[1, 3]


def test_layernorm_by_hand():
    ln = LayerNorm(3, eps=0.0 + 1e-5)
    x = np.array([[1.0, 2.0, 3.0], [-2.0, 0.0, 2.0]])
    # row 1: μ = 2, σ² = 2/3; row 2: μ = 0, σ² = 8/3
    expected = np.array([[-1.0, 0.0, 1.0] / np.sqrt(2 / 3 + 1e-5), [-2.0, 0.0, 2.0] / np.sqrt(8 / 3 + 1e-5)])
    np.testing.assert_allclose(ln(x), expected, rtol=1e-12)
    np.testing.assert_allclose(ln(x[:1]), expected[:1], rtol=1e-12)   # one example is fine
    ln.eval()
    np.testing.assert_allclose(ln(x), expected, rtol=1e-12)           # no running statistics


def test_layernorm_gradients(rng):
    ln = LayerNorm(4)
    ln.weight.data[...] = rng.normal(size=4)
    ln.bias.data[...] = rng.normal(size=4)
    assert max(check_layer(ln, rng.normal(loc=1.0, scale=2.0, size=(5, 4)), rng=1).values()) < 1e-8
    ln2 = LayerNorm((2, 3))
    ln2.weight.data[...] = rng.normal(size=(2, 3))
    assert max(check_layer(ln2, rng.normal(size=(3, 2, 3)), rng=2).values()) < 1e-8
    plain = LayerNorm(4, elementwise_affine=False)
    assert plain.parameters() == []
    assert check_layer(plain, rng.normal(size=(3, 4)), rng=3)["input"] < 1e-8
    with pytest.raises(ValueError, match=r"expected input of shape \(N, ..., 4\), got \(3, 5\)"):
        ln(np.ones((3, 5)))


def test_gelu_values_by_hand():
    # Φ(1) = 0.8413447460685429 and Φ(−1) = 0.15865525393145707 (normal CDF tables)
    np.testing.assert_allclose(F.gelu(np.array([1.0, -1.0, 0.0])), [0.8413447460685429, -0.15865525393145707, 0.0],
                               rtol=1e-14)
    tanh_1 = 0.5 * (1 + math.tanh(math.sqrt(2 / math.pi) * (1 + 0.044715)))
    assert F.gelu(np.array(1.0), approximate="tanh") == pytest.approx(tanh_1, rel=1e-14)
    # φ(1) = e^(−1/2)/√(2π) = 0.24197072451914337, so GELU′(1) = Φ(1) + φ(1)
    assert F.gelu_grad(np.array(1.0)) == pytest.approx(0.8413447460685429 + 0.24197072451914337, rel=1e-14)
    assert F.gelu(np.ones(2, dtype=np.float32)).dtype == np.float32
    assert np.isfinite(F.gelu(np.array([-1e4, 1e4]))).all()


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_gradients(approximate, rng):
    assert check_layer(GELU(approximate), rng.normal(scale=2.0, size=(4, 5)), rng=0)["input"] < 1e-8
    x = rng.normal(scale=2.0, size=7)
    from nnlib.gradcheck import numerical_gradient
    # elementwise, so the gradient of Σ GELU(x) is GELU′ at each x
    np.testing.assert_allclose(F.gelu_grad(x, approximate),
                               numerical_gradient(lambda v: F.gelu(v, approximate).sum(), x), rtol=1e-7)


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(ValueError, match="'none' or 'tanh'"):
        GELU("erf")


def test_check_layer_explains_a_backward_that_returns_none(rng):
    class NoInputGrad(Linear):
        def backward(self, grad_output):
            super().backward(grad_output)
            return None

    with pytest.raises(TypeError, match=r"NoInputGrad.backward returned None instead of dL/dx"):
        check_layer(NoInputGrad(3, 2, rng=0), rng.normal(size=(4, 3)))
