"""nnlib.layers.Linear and nnlib.activations: forward values, gradient checks, shape errors."""

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
