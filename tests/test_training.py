"""The fit loop, evaluate and accuracy; and the capstone model trains to the stated accuracy."""


import numpy as np
import pytest

from nnlib.activations import ReLU, Sigmoid
from nnlib.core import Sequential
from nnlib.datasets import load_digits, make_blobs, make_moons
from nnlib.layers import Dropout, Linear
from nnlib.losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from nnlib.optim import SGD, Adam
from nnlib.regularization import EarlyStopping
from nnlib.training import accuracy, evaluate, fit


def test_accuracy_binary_and_multiclass():
    assert accuracy(np.array([0.9, 0.2, 0.6, 0.4]), np.array([1, 0, 0, 0])) == 0.75
    assert accuracy(np.array([[2.0], [-1.0]]), np.array([1, 1]), threshold=0.0) == 0.5
    assert accuracy(np.array([[0.1, 2.0, 0.3], [5.0, 0.0, 0.0]]), np.array([1, 2])) == 0.5
    with pytest.raises(ValueError, match="expected 2 labels"):
        accuracy(np.array([0.1, 0.9]), np.array([0, 1, 1]))


def test_fit_learns_moons_and_reports_history(capsys):
    X, y = make_moons(400, noise=0.1, rng=0)
    model = Sequential(Linear(2, 16, rng=0), ReLU(), Linear(16, 1, rng=1))
    history = fit(model, BCEWithLogitsLoss(), Adam(model.parameters(), lr=0.02), X, y, epochs=60,
                  batch_size=32, validation_data=(X, y), rng=0, progress=False)
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 60 for v in history.values())
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert history["val_accuracy"][-1] >= 0.95
    assert capsys.readouterr().err == ""          # progress=False prints nothing


def test_fit_is_reproducible_with_a_seed():
    X, y = make_blobs(100, rng=0)

    def run():
        model = Sequential(Linear(2, 1, rng=0), Sigmoid())
        return fit(model, BCELoss(), SGD(model.parameters(), lr=0.5), X, y, epochs=3, rng=7, progress=False)

    assert run() == run()


def test_progress_bar_goes_to_stderr(capsys):
    X, y = make_blobs(50, rng=0)
    model = Sequential(Linear(2, 1, rng=0), Sigmoid())
    fit(model, BCELoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=2, progress=True)
    assert "epochs" in capsys.readouterr().err


def test_regression_has_no_accuracy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3
    model = Linear(3, 1, rng=0)
    history = fit(model, MSELoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=50, progress=False)
    assert set(history) == {"loss"} and history["loss"][-1] < 1e-6
    np.testing.assert_allclose(model.weight.data, [[1.0, -2.0, 0.5]], atol=1e-3)
    loss, acc = evaluate(model, MSELoss(), X, y)
    assert acc is None and loss < 1e-6


def test_early_stopping_stops_and_restores_the_best_weights():
    X, y = make_moons(200, noise=0.3, rng=0)
    X_val, y_val = make_moons(200, noise=0.3, rng=1)
    model = Sequential(Linear(2, 64, rng=0), ReLU(), Linear(64, 1, rng=1))
    stopper = EarlyStopping(patience=3)
    history = fit(model, BCEWithLogitsLoss(), Adam(model.parameters(), lr=0.1), X, y, epochs=300,
                  validation_data=(X_val, y_val), callbacks=[stopper], rng=0, progress=False)
    epochs_run = len(history["loss"])
    assert epochs_run < 300
    best = int(np.argmin(history["val_loss"]))
    assert epochs_run == best + 1 + 3
    loss, _ = evaluate(model, BCEWithLogitsLoss(), X_val, y_val)
    assert loss == pytest.approx(history["val_loss"][best])


def test_evaluate_uses_eval_mode_and_restores_training_mode():
    X, y = make_blobs(100, rng=0)
    model = Sequential(Linear(2, 8, rng=0), Dropout(0.5, rng=0), Linear(8, 1, rng=1))
    first = evaluate(model, BCEWithLogitsLoss(), X, y)
    assert evaluate(model, BCEWithLogitsLoss(), X, y) == first      # no dropout noise
    assert model.training


def test_fit_rejects_mismatched_data():
    model = Linear(2, 1)
    with pytest.raises(ValueError, match="same number of rows, got 5 and 4"):
        fit(model, MSELoss(), SGD(model.parameters(), lr=0.1), np.zeros((5, 2)), np.zeros(4), progress=False)


def test_capstone_digits_mlp_reaches_97_percent():
    """The chapter 7 capstone: 64-128-10, ReLU, dropout 0.2, Adam, on scikit-learn's digits.

    Same settings and seeds as the notebook (chosen on validation data; seeds 0-4 fixed in
    advance). The 97% claim is about the mean over those seeds, not about one chosen seed.
    How fast it trains is measured by bench/train_speed.py against its peers, not here: a
    wall-clock limit inside a test fails on a busy machine, not on slow code.
    """
    X_train, X_test, y_train, y_test = load_digits()
    accuracies = []
    for seed in range(5):
        model = Sequential(Linear(64, 128, rng=seed), ReLU(), Dropout(0.2, rng=seed + 100),
                           Linear(128, 10, rng=seed + 200))
        fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=2e-3), X_train, y_train,
            epochs=20, batch_size=64, rng=seed, progress=False)
        accuracies.append(evaluate(model, CrossEntropyLoss(), X_test, y_test)[1])
    assert np.mean(accuracies) >= 0.97, f"mean test accuracy {np.mean(accuracies):.2%} over seeds 0-4"
