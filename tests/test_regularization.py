"""nnlib.regularization: penalties (values and gradients), early stopping, weight averaging."""

import numpy as np
import pytest

from nnlib.core import Parameter, Sequential
from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.layers import Linear
from nnlib.regularization import EarlyStopping, ExponentialMovingAverage, l1_penalty, l2_penalty


@pytest.mark.parametrize("penalty", [l1_penalty, l2_penalty])
def test_penalty_gradients_match_finite_differences(penalty, rng):
    weights = [rng.normal(size=(3, 4)), rng.normal(size=5)]
    value, grads = penalty(weights, 0.3)
    for w, g in zip(weights, grads):
        numeric = numerical_gradient(lambda _: penalty(weights, 0.3)[0], w)
        assert g.shape == w.shape and relative_error(g, numeric) < 1e-8


def test_penalty_values_and_conventions():
    W = np.array([[1.0, -2.0], [0.0, 3.0]])
    value, (grad,) = l2_penalty([Parameter(W)], 0.5)
    assert value == 0.5 * 14 and np.array_equal(grad, 2 * 0.5 * W)  # λ‖W‖², gradient 2λW
    value, (grad,) = l1_penalty([W], 0.5)
    assert value == 0.5 * 6 and np.array_equal(grad, 0.5 * np.sign(W))
    assert grad[1, 0] == 0.0  # subgradient 0 at w = 0
    with pytest.raises(ValueError, match=">= 0"):
        l2_penalty([W], -1.0)


def test_early_stopping_waits_patience_epochs_then_stops():
    stopper = EarlyStopping(patience=2, restore_best=False)
    # two epochs without improvement stop training; an improvement resets the count
    decisions = [stopper.step(v) for v in [1.0, 0.8, 0.9, 0.79, 0.85, 0.95]]
    assert decisions == [False, False, False, False, False, True]
    assert stopper.best == 0.79 and stopper.best_epoch == 4
    maximise = EarlyStopping(patience=0, mode="max")
    assert [maximise.step(v) for v in [0.5, 0.7, 0.6]] == [False, False, True]
    with pytest.raises(ValueError, match="diverged"):
        EarlyStopping().step(float("nan"))


def test_early_stopping_restores_the_best_weights():
    model = Sequential(Linear(2, 2, rng=0))
    stopper = EarlyStopping(patience=1)
    best = None
    for epoch, val_loss in enumerate([0.9, 0.5, 0.7, 0.8]):
        model[0].weight.data += 1.0  # training keeps changing the weights
        if val_loss == 0.5:
            best = model[0].weight.data.copy()
        if stopper({"val_loss": [val_loss]}, model):
            break
    stopper.on_train_end(model)
    assert np.array_equal(model[0].weight.data, best)
    with pytest.raises(KeyError, match="pass validation_data"):
        EarlyStopping()({"loss": [1.0]}, model)


def test_ema_averages_and_swaps_back():
    p = Parameter(np.zeros(2))
    ema = ExponentialMovingAverage([p], decay=0.5)
    for value in [2.0, 4.0]:
        p.data[...] = value
        ema.update()
    # 0 -> 0.5·0 + 0.5·2 = 1 -> 0.5·1 + 0.5·4 = 2.5
    assert np.allclose(ema.shadow[0], 2.5)
    with ema.average_parameters():
        assert np.allclose(p.data, 2.5)
    assert np.allclose(p.data, 4.0)
    with pytest.raises(ValueError, match="decay"):
        ExponentialMovingAverage([p], decay=1.0)


def test_early_stopping_restores_batchnorm_running_statistics_too(rng):
    from nnlib.layers import BatchNorm1d

    model = Sequential(Linear(2, 3, rng=0), BatchNorm1d(3))
    stopper = EarlyStopping(patience=1)
    snapshots = []
    for val_loss in [0.9, 0.5, 0.7]:
        model(rng.normal(loc=val_loss * 10, size=(8, 2)))     # training moves the running statistics
        model[0].weight.data += 1.0
        snapshots.append({k: v.copy() for k, v in model.state_dict().items()})
        if stopper.step(val_loss, model):
            break
    stopper.on_train_end(model)
    best = snapshots[1]
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, best[name], err_msg=name)
    assert not np.array_equal(best["1.running_mean"], snapshots[2]["1.running_mean"])


def test_one_lambda_convention_is_stated_once():
    import nnlib.optim
    import nnlib.regularization

    assert "weight_decay=wd`` is ``l2_penalty(..., lam=wd/2)" in nnlib.regularization.__doc__
    assert "l2_penalty" not in nnlib.optim.__doc__ and "stated once, in :mod:`nnlib.regularization`" in nnlib.optim.__doc__
