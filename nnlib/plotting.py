"""Figures used throughout the course (matplotlib)."""

import matplotlib.pyplot as plt
import numpy as np

CLASS_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"]


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
