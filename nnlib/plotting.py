"""Figures used throughout the course (matplotlib)."""

import matplotlib.pyplot as plt
import numpy as np

CLASS_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"]

BOOK_STYLE = {
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 10,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "figure.dpi": 100,
    "figure.figsize": (6.0, 4.0),
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def use_book_style():
    """Draw the book's figures sharp and readable: larger text, and in Jupyter a PNG at twice the
    resolution it is shown at (sharp on high-density screens).

    The book's figures are at most 6.5 inches (650 CSS pixels) wide, so 11-point text stays
    readable at desktop width and, scaled to a phone, about 9 pixels tall. Outside IPython only
    the matplotlib settings change.
    """
    plt.rcParams.update(BOOK_STYLE)
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # pragma: no cover - plain Python
        return
    if get_ipython() is not None:
        set_matplotlib_formats("retina")


def plot_decision_boundary(predict, X, y, ax=None, resolution=200, padding=0.5, title=None):
    """Shade what a 2-D classifier predicts over the plane and draw the data on top.

    Parameters
    ----------
    predict : callable
        Maps points of shape (M, 2) to M scores: probabilities of class 1 in [0, 1] (drawn as a
        colour gradient with the 0.5 contour as the boundary) or integer class labels.
    X : ndarray, shape (N, 2)
    y : ndarray, shape (N,), integer labels
    ax : matplotlib Axes, optional
    resolution : int
        Grid points per axis.

    Returns the Axes.
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary expected X of shape (N, 2), got {X.shape}")
    ax = ax or plt.gca()
    lo, hi = X.min(axis=0) - padding, X.max(axis=0) + padding
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    scores = np.asarray(predict(np.c_[xx.ravel(), yy.ravel()]), dtype=float).reshape(xx.shape)
    if np.issubdtype(np.asarray(y).dtype, np.integer) and np.unique(y).size > 2:
        ax.contourf(xx, yy, scores, levels=np.arange(scores.max() + 2) - 0.5, cmap="tab10", alpha=0.25)
    else:
        ax.contourf(xx, yy, scores, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.35)
        ax.contour(xx, yy, scores, levels=[0.5], colors="k", linewidths=1.5)
    for c in np.unique(y):
        ax.scatter(*X[y == c].T, s=18, color=CLASS_COLORS[int(c) % len(CLASS_COLORS)],
                   edgecolor="white", linewidth=0.5, label=f"class {c}")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend(loc="best", fontsize="small")
    if title:
        ax.set_title(title)
    return ax



def plot_history(history, keys=None, ax=None, title=None):
    """Plot training curves: one line per entry of a history, against the epoch number.

    Losses and accuracies have different scales, so pass ``keys`` (or two Axes' worth of calls)
    to keep them apart; by default every key whose name contains "loss" is drawn. A key and its
    ``val_`` twin share a colour: solid for training, dashed for validation.

    Parameters
    ----------
    history : dict of str to sequence of float
        What :func:`nnlib.training.fit` returns, e.g. ``{"loss": [...], "val_loss": [...]}``;
        each sequence has one value per epoch, epoch 1 first.
    keys : sequence of str, optional
        The entries to draw.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns the Axes.
    """
    keys = list(keys) if keys is not None else [k for k in history if "loss" in k]
    missing = [k for k in keys if k not in history]
    if missing or not keys:
        raise ValueError(f"plot_history: history has keys {sorted(history)}, cannot plot {missing or keys}")
    ax = ax or plt.gca()
    bases = list(dict.fromkeys(k.removeprefix("val_") for k in keys))
    for key in keys:
        values = np.asarray(history[key], dtype=float)
        base = key.removeprefix("val_")
        color = CLASS_COLORS[bases.index(base) % len(CLASS_COLORS)]
        ax.plot(np.arange(1, len(values) + 1), values, color=color,
                linestyle="--" if key.startswith("val_") else "-", label=key)
    ax.set_xlabel("epoch")
    ax.legend(loc="best", fontsize="small")
    if title:
        ax.set_title(title)
    return ax


def plot_activation(f, df, x=None, ax=None, name=None):
    """Plot an activation function f and its derivative f' on one Axes.

    Parameters
    ----------
    f, df : callable
        Elementwise functions of an array, e.g. ``nnlib.functional.tanh`` and ``tanh_grad``.
    x : ndarray, shape (M,), optional
        Where to evaluate them; by default 401 points on [-5, 5].
    ax : matplotlib Axes, optional
    name : str, optional
        Used in the legend and title, e.g. ``"tanh"``; by default ``f.__name__``.

    Returns the Axes.
    """
    x = np.linspace(-5, 5, 401) if x is None else np.asarray(x, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"plot_activation expected x of shape (M,), got {x.shape}")
    name = name or getattr(f, "__name__", "f")
    ax = ax or plt.gca()
    ax.axhline(0, color="0.8", lw=0.8)
    ax.axvline(0, color="0.8", lw=0.8)
    ax.plot(x, f(x), color=CLASS_COLORS[0], lw=2, label=name)
    ax.plot(x, df(x), color=CLASS_COLORS[1], lw=1.5, linestyle="--", label=f"{name}\u2032 (derivative)")
    ax.set_xlabel("$x$")
    ax.legend(loc="best", fontsize="small")
    ax.set_title(name)
    return ax


def plot_layer_histograms(values, labels=None, bins=50, axes=None, title=None):
    """One histogram per layer, on a shared x-axis: how activations or gradients spread.

    Parameters
    ----------
    values : sequence of ndarray
        One array per layer (any shape; every entry counts), e.g. each layer's activations on a batch.
    labels : sequence of str, optional
        One caption per layer; by default "layer 1", "layer 2", ...
    bins : int
    axes : sequence of matplotlib Axes, optional
        One per layer; by default a new figure with up to three subplots per row.
    title : str, optional
        A title for the whole row.

    Returns the Axes, one per layer. Each caption also shows the layer's standard deviation.
    """
    arrays = [np.asarray(v, dtype=float).ravel() for v in values]
    if not arrays or any(a.size == 0 for a in arrays):
        raise ValueError("plot_layer_histograms needs one non-empty array per layer")
    labels = list(labels) if labels is not None else [f"layer {i}" for i in range(1, len(arrays) + 1)]
    if len(labels) != len(arrays):
        raise ValueError(f"plot_layer_histograms got {len(labels)} labels for {len(arrays)} layers")
    if axes is None:
        # At most three panels per row, so that the figure keeps readable text on a phone.
        ncols = min(3, len(arrays))
        nrows = -(-len(arrays) // ncols)
        fig, grid = plt.subplots(nrows, ncols, figsize=(6.5, 2.1 * nrows + 0.4),
                                 sharex=True, sharey=True, squeeze=False)
        for ax in grid.ravel()[len(arrays):]:
            ax.remove()
        axes = grid.ravel()[:len(arrays)]
    if len(axes) != len(arrays):
        raise ValueError(f"plot_layer_histograms got {len(axes)} Axes for {len(arrays)} layers")
    finite = np.concatenate(arrays)
    finite = finite[np.isfinite(finite)]
    lo, hi = (finite.min(), finite.max()) if finite.size else (-1.0, 1.0)
    edges = np.linspace(lo, hi if hi > lo else lo + 1.0, bins + 1)
    for ax, a, label in zip(axes, arrays, labels):
        ax.hist(a[np.isfinite(a)], bins=edges, color=CLASS_COLORS[0])
        ax.set_title(f"{label}\nstd {np.std(a):.2g}", fontsize="small")
        ax.set_yticks([])
    if title:
        axes[0].figure.suptitle(title)
    return axes

def _arrow(ax, start, end, **kwargs):
    ax.annotate("", xy=end, xytext=start,
                arrowprops=dict(arrowstyle="-|>", color=kwargs.pop("color", "0.25"), lw=1.2,
                                shrinkA=0, shrinkB=0, **kwargs))


def draw_neuron(n_inputs=3, ax=None, activation="σ"):
    """Draw one artificial neuron: inputs, weights, bias, weighted sum, activation and output.

    Inputs x1 … xn sit on the left; arrows labelled w1 … wn lead into a circle that shows the
    weighted sum Σ followed by the activation f; a bias b feeds in from above, and the output
    arrow on the right is labelled a = f(w·x + b).

    Parameters
    ----------
    n_inputs : int
        Number of inputs n (at least 1).
    ax : matplotlib Axes, optional
        Where to draw; by default the current Axes.
    activation : str
        The symbol shown for the activation f, e.g. ``"σ"`` or ``"step"``.

    Returns
    -------
    matplotlib Axes
    """
    n_inputs = int(n_inputs)
    if n_inputs < 1:
        raise ValueError(f"draw_neuron needs at least one input, got n_inputs={n_inputs}")
    ax = ax or plt.gca()
    center, radius = np.array([5.0, 0.0]), 1.0
    ys = np.linspace(1.6, -1.6, n_inputs) * (1 if n_inputs > 1 else 0) * min(1.0, n_inputs / 3)
    for i, y in enumerate(ys, start=1):
        node = np.array([1.0, y])
        ax.add_patch(plt.Circle(node, 0.35, facecolor="#dbe9f6", edgecolor="0.25", lw=1.2))
        ax.text(*node, f"$x_{{{i}}}$", ha="center", va="center", fontsize=12)
        direction = center - node
        end = center - radius * direction / np.linalg.norm(direction)
        start = node + 0.35 * direction / np.linalg.norm(direction)
        _arrow(ax, start, end)
        mid = start + 0.45 * (end - start)
        ax.text(mid[0], mid[1] + 0.22, f"$w_{{{i}}}$", ha="center", va="bottom", fontsize=11,
                color="#d62728")
    bias_node = center + np.array([0.0, 2.6])
    ax.text(*bias_node, "$b$", ha="center", va="center", fontsize=12,
            bbox=dict(boxstyle="round", facecolor="#fde8d0", edgecolor="0.25"))
    _arrow(ax, bias_node - np.array([0.0, 0.35]), center + np.array([0.0, radius]))
    ax.add_patch(plt.Circle(center, radius, facecolor="#f4f4f4", edgecolor="0.1", lw=1.5))
    ax.plot([center[0], center[0]], [center[1] - 0.8 * radius, center[1] + 0.8 * radius],
            color="0.4", lw=1)
    ax.text(center[0] - 0.45, center[1], "Σ", ha="center", va="center", fontsize=16)
    ax.text(center[0] + 0.45, center[1], activation, ha="center", va="center", fontsize=13)
    out_end = center + np.array([3.2, 0.0])
    _arrow(ax, center + np.array([radius, 0.0]), out_end)
    ax.text(out_end[0] + 0.15, out_end[1], r"$a = f(\mathbf{w}\cdot\mathbf{x} + b)$",
            ha="left", va="center", fontsize=12)
    ax.set_xlim(0.3, 11.8)
    ax.set_ylim(-2.3, 3.2)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def draw_network(layer_sizes, ax=None, labels=None):
    """Draw a fully connected feed-forward network, one column of circles per layer.

    Every unit of a layer is joined by a line to every unit of the next layer. Each column gets
    a caption such as "input (3)", "hidden (4)" or "output (1)".

    Parameters
    ----------
    layer_sizes : sequence of int
        Units per layer, input first, e.g. ``[3, 4, 1]``. Needs at least two layers, each of
        size at least 1.
    ax : matplotlib Axes, optional
        Where to draw; by default the current Axes.
    labels : sequence of str, optional
        One caption name per layer; by default "input", "hidden" (or "hidden 1", "hidden 2",
        … when there are several) and "output". The size is appended in brackets.

    Returns
    -------
    matplotlib Axes
    """
    sizes = [int(s) for s in layer_sizes]
    if len(sizes) < 2:
        raise ValueError(f"draw_network needs at least 2 layers (input and output), got {sizes}")
    if min(sizes) < 1:
        raise ValueError(f"draw_network needs every layer size to be at least 1, got {sizes}")
    n_hidden = len(sizes) - 2
    if labels is None:
        hidden = ["hidden"] if n_hidden == 1 else [f"hidden {i}" for i in range(1, n_hidden + 1)]
        labels = ["input", *hidden, "output"]
    if len(labels) != len(sizes):
        raise ValueError(f"draw_network got {len(labels)} labels for {len(sizes)} layers")
    ax = ax or plt.gca()
    spacing, radius, gap = 1.0, 0.3, 3.0
    tallest = max(sizes)
    positions = []
    for j, n in enumerate(sizes):
        ys = (np.arange(n) - (n - 1) / 2) * spacing
        positions.append([(j * gap, y) for y in ys[::-1]])
    for left, right in zip(positions[:-1], positions[1:]):
        for x0, y0 in left:
            for x1, y1 in right:
                ax.plot([x0 + radius, x1 - radius], [y0, y1], color="0.6", lw=0.8, zorder=1)
    colors = ["#dbe9f6"] + ["#e5f5e0"] * n_hidden + ["#fde8d0"]
    for j, (column, color) in enumerate(zip(positions, colors)):
        for x, y in column:
            ax.add_patch(plt.Circle((x, y), radius, facecolor=color, edgecolor="0.2", lw=1.2,
                                    zorder=2))
        ax.text(j * gap, -(tallest - 1) / 2 * spacing - 0.8, f"{labels[j]} ({sizes[j]})",
                ha="center", va="top", fontsize=11)
    half = (tallest - 1) / 2 * spacing
    ax.set_xlim(-0.8, (len(sizes) - 1) * gap + 0.8)
    ax.set_ylim(-half - 1.5, half + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax
