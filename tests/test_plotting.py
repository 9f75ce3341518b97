"""Figures: each drawing function returns its Axes, draws what it promises, and rejects bad input."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.patches import Circle

from nnlib.plotting import (draw_network, draw_neuron, plot_activation, plot_decision_boundary,
                            plot_history, plot_layer_histograms)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def texts(ax):
    return [t.get_text() for t in ax.texts]


def test_plot_decision_boundary_returns_axes(rng):
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    fig, ax = plt.subplots()
    out = plot_decision_boundary(lambda P: 1 / (1 + np.exp(-P[:, 0])), X, y, ax=ax, resolution=20)
    assert out is ax
    assert ax.get_xlabel() == "$x_1$"


def test_plot_decision_boundary_accepts_integer_predictions(rng):
    X = rng.normal(size=(30, 2))
    y = np.arange(30) % 3
    ax = plot_decision_boundary(lambda P: (P[:, 0] > 0).astype(int) + (P[:, 1] > 0), X, y,
                                resolution=15)
    assert len(ax.collections) > 0


def test_plot_decision_boundary_rejects_three_features(rng):
    X = rng.normal(size=(10, 3))
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        plot_decision_boundary(lambda P: P[:, 0], X, np.zeros(10, dtype=int))


@pytest.mark.parametrize("n", [1, 3, 5])
def test_draw_neuron_labels_every_input_and_weight(n):
    fig, ax = plt.subplots()
    out = draw_neuron(n, ax=ax)
    assert out is ax
    labels = texts(ax)
    for i in range(1, n + 1):
        assert f"$x_{{{i}}}$" in labels
        assert f"$w_{{{i}}}$" in labels
    assert f"$x_{{{n + 1}}}$" not in labels
    assert "$b$" in labels and "Σ" in labels
    assert any("f(" in t for t in labels), "the output arrow should be labelled a = f(w·x + b)"
    # n input circles plus the neuron itself
    assert sum(isinstance(p, Circle) for p in ax.patches) == n + 1


def test_draw_neuron_shows_the_activation_symbol():
    ax = draw_neuron(2, activation="step")
    assert "step" in texts(ax)


def test_draw_neuron_rejects_zero_inputs():
    with pytest.raises(ValueError, match="at least one input"):
        draw_neuron(0)


@pytest.mark.parametrize("sizes", [[3, 4, 1], [2, 1], [4, 5, 5, 2]])
def test_draw_network_draws_one_circle_per_unit(sizes):
    fig, ax = plt.subplots()
    out = draw_network(sizes, ax=ax)
    assert out is ax
    assert sum(isinstance(p, Circle) for p in ax.patches) == sum(sizes)
    # one line per connection between consecutive layers
    assert len(ax.lines) == sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))


def test_draw_network_captions():
    ax = draw_network([3, 4, 1])
    assert texts(ax) == ["input (3)", "hidden (4)", "output (1)"]
    ax = draw_network([2, 3, 3, 1], ax=plt.figure().gca())
    assert texts(ax) == ["input (2)", "hidden 1 (3)", "hidden 2 (3)", "output (1)"]
    ax = draw_network([2, 1], labels=["features", "score"], ax=plt.figure().gca())
    assert texts(ax) == ["features (2)", "score (1)"]


@pytest.mark.parametrize("sizes", [[3], [], [3, 0, 1]])
def test_draw_network_rejects_bad_sizes(sizes):
    with pytest.raises(ValueError, match="draw_network"):
        draw_network(sizes)


def test_draw_network_rejects_wrong_number_of_labels():
    with pytest.raises(ValueError, match="labels"):
        draw_network([3, 1], labels=["only one"])


def test_plot_history_pairs_training_and_validation_curves():
    history = {"loss": [1.0, 0.5, 0.25], "val_loss": [1.1, 0.7, 0.6], "accuracy": [0.5, 0.7, 0.9]}
    ax = plot_history(history)
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"loss", "val_loss"}                  # accuracies only when asked for
    assert list(lines["loss"].get_xdata()) == [1, 2, 3]
    assert list(lines["val_loss"].get_ydata()) == [1.1, 0.7, 0.6]
    assert lines["loss"].get_color() == lines["val_loss"].get_color()
    assert lines["val_loss"].get_linestyle() == "--"
    plt.figure()
    assert [l.get_label() for l in plot_history(history, keys=["accuracy"]).get_lines()] == ["accuracy"]


def test_plot_history_names_missing_keys():
    with pytest.raises(ValueError, match="val_accuracy"):
        plot_history({"loss": [1.0]}, keys=["val_accuracy"])


def test_plot_activation_draws_function_and_derivative():
    ax = plot_activation(np.tanh, lambda x: 1 - np.tanh(x) ** 2, x=np.linspace(-2, 2, 5), name="tanh")
    f, df = [line for line in ax.get_lines() if len(line.get_xdata()) == 5]
    assert np.allclose(f.get_ydata(), np.tanh(np.linspace(-2, 2, 5)))
    assert np.isclose(df.get_ydata()[2], 1.0)                  # tanh'(0) = 1
    assert ax.get_title() == "tanh"


def test_plot_layer_histograms_one_axes_per_layer_with_std(rng):
    values = [rng.normal(scale=s, size=(100, 8)) for s in (1.0, 0.1, 0.01)]
    axes = plot_layer_histograms(values)
    assert len(axes) == 3
    assert axes[0].get_title().startswith("layer 1\nstd ")
    assert float(axes[2].get_title().split()[-1]) == pytest.approx(0.01, rel=0.1)
    assert sum(p.get_height() for p in axes[1].patches) == 800  # every entry is counted
    with pytest.raises(ValueError, match="2 labels for 3 layers"):
        plot_layer_histograms(values, labels=["a", "b"])
