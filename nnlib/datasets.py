"""Data for the course: seeded synthetic sets and the data sets that ship inside scikit-learn.

Nothing is downloaded, ever. Every function that draws random numbers takes ``rng`` (a
``numpy.random.Generator`` or an integer seed), so the same seed gives the same data.
Features ``X`` have shape (N, D); labels ``y`` have shape (N,) with integer classes 0, 1, ….
"""

import numpy as np

from nnlib._checks import as_rng


def make_blobs(n_samples=200, centers=2, n_features=2, cluster_std=1.0, rng=None):
    """Gaussian blobs: ``centers`` clusters of roughly equal size.

    ``centers`` is a number of clusters (their centres are drawn uniformly in [−5, 5]^D) or an
    array of shape (K, D) with the centres. Each point is its centre plus N(0, cluster_std²) noise.

    Returns ``X`` (n_samples, D) float64 and ``y`` (n_samples,) int64 with labels 0 … K−1.
    """
    rng = as_rng(rng)
    if np.isscalar(centers):
        centers = rng.uniform(-5.0, 5.0, size=(int(centers), int(n_features)))
    centers = np.asarray(centers, dtype=np.float64)
    if centers.ndim != 2:
        raise ValueError(f"make_blobs expected centers as an int or an array of shape (K, D), "
                         f"got shape {centers.shape}")
    y = np.arange(int(n_samples)) % len(centers)
    rng.shuffle(y)
    X = centers[y] + rng.normal(0.0, cluster_std, size=(len(y), centers.shape[1]))
    return X, y.astype(np.int64)


def make_xor(n_samples=200, noise=0.0, rng=None):
    """The XOR problem: points uniform in [−1, 1]², label 1 when x₁ and x₂ have opposite signs.

    No straight line separates the classes. ``noise`` adds N(0, noise²) to the features after
    labelling. Returns ``X`` (n_samples, 2) and ``y`` (n_samples,) int64 in {0, 1}.
    """
    rng = as_rng(rng)
    X = rng.uniform(-1.0, 1.0, size=(int(n_samples), 2))
    y = (X[:, 0] * X[:, 1] < 0).astype(np.int64)
    return X + rng.normal(0.0, noise, size=X.shape), y


def make_moons(n_samples=200, noise=0.1, rng=None):
    """Two interleaving half circles (class 0 on top, class 1 below, shifted right).

    Returns ``X`` (n_samples, 2) with N(0, noise²) added, and ``y`` (n_samples,) int64 in {0, 1}.
    """
    rng = as_rng(rng)
    y = np.arange(int(n_samples)) % 2
    angle = rng.uniform(0.0, np.pi, size=len(y))
    X = np.where(y[:, None] == 0,
                 np.c_[np.cos(angle), np.sin(angle)],
                 np.c_[1.0 - np.cos(angle), 0.5 - np.sin(angle)])
    return X + rng.normal(0.0, noise, size=X.shape), y.astype(np.int64)


def make_circles(n_samples=200, noise=0.05, factor=0.5, rng=None):
    """Two concentric circles: class 0 on the unit circle, class 1 on a circle of radius ``factor``.

    Returns ``X`` (n_samples, 2) with N(0, noise²) added, and ``y`` (n_samples,) int64 in {0, 1}.
    """
    if not 0 < factor < 1:
        raise ValueError(f"make_circles needs 0 < factor < 1 (inner radius), got {factor}")
    rng = as_rng(rng)
    y = np.arange(int(n_samples)) % 2
    angle = rng.uniform(0.0, 2 * np.pi, size=len(y))
    radius = np.where(y == 0, 1.0, factor)
    X = radius[:, None] * np.c_[np.cos(angle), np.sin(angle)]
    return X + rng.normal(0.0, noise, size=X.shape), y.astype(np.int64)


def make_spirals(n_samples=300, n_classes=3, noise=0.2, rng=None):
    """Interleaved spiral arms, one per class (the CS231n toy problem).

    Arm k has points at radius r ∈ [0, 1] and angle 4r + 2πk/K plus N(0, noise²) jitter.
    Returns ``X`` (n_samples, 2) and ``y`` (n_samples,) int64 in 0 … n_classes−1.
    """
    rng = as_rng(rng)
    y = np.arange(int(n_samples)) % int(n_classes)
    r = rng.uniform(0.0, 1.0, size=len(y))
    angle = 4.0 * r + 2 * np.pi * y / n_classes + rng.normal(0.0, noise, size=len(y))
    return r[:, None] * np.c_[np.sin(angle), np.cos(angle)], y.astype(np.int64)


def make_regression_1d(n_samples=100, noise=0.3, slope=2.0, intercept=1.0, outliers=0.0, rng=None):
    """Noisy points around the line y = slope·x + intercept, x uniform in [−2, 2].

    ``outliers`` is the fraction of targets replaced by gross errors (shifted by 10 to 20
    units up), to compare how MSE, MAE and Huber losses react.
    Returns ``X`` (n_samples, 1) and ``y`` (n_samples,) float64.
    """
    if not 0 <= outliers < 1:
        raise ValueError(f"outliers is a fraction in [0, 1), got {outliers}")
    rng = as_rng(rng)
    x = rng.uniform(-2.0, 2.0, size=int(n_samples))
    y = slope * x + intercept + rng.normal(0.0, noise, size=len(x))
    bad = rng.permutation(len(x))[:int(round(outliers * len(x)))]
    y[bad] += rng.uniform(10.0, 20.0, size=len(bad))
    return x[:, None], y


def one_hot(y, num_classes=None):
    """Integer labels (N,) -> one-hot rows (N, C) of float64, with C = ``num_classes`` or max(y)+1."""
    y = np.asarray(y)
    if y.ndim != 1 or y.dtype.kind not in "iu":
        raise ValueError(f"one_hot expected integer labels of shape (N,), got shape {y.shape} "
                         f"and dtype {y.dtype}")
    num_classes = int(y.max()) + 1 if num_classes is None else int(num_classes)
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(f"one_hot expected labels in 0 … {num_classes - 1}, got {y.min()} to {y.max()}")
    return np.eye(num_classes)[y]


def iterate_minibatches(X, y, batch_size=32, shuffle=True, rng=None):
    """Yield ``(X_batch, y_batch)`` pairs covering the data once (an epoch).

    With ``shuffle`` the order is a fresh permutation drawn from ``rng``; the last batch may be
    smaller than ``batch_size``. Shapes: ``X`` (N, ...) and ``y`` (N, ...) in, batches
    (B, ...) out with B ≤ ``batch_size``, rows of ``X`` and ``y`` kept together.
    """
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"iterate_minibatches expected X and y with the same number of rows, got "
                         f"{len(X)} and {len(y)}")
    if int(batch_size) < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    order = as_rng(rng).permutation(len(X)) if shuffle else np.arange(len(X))
    for start in range(0, len(X), int(batch_size)):
        idx = order[start:start + int(batch_size)]
        yield X[idx], y[idx]


def train_test_split(X, y, test_size=0.25, rng=None, stratify=True):
    """Shuffle and split into ``X_train, X_test, y_train, y_test``.

    Shapes: ``X`` (N, D) and labels ``y`` (N,) in; the four parts keep the trailing shapes,
    with N_test + N_train = N rows.

    ``test_size`` is a fraction in (0, 1) or a number of examples. With ``stratify`` (the default)
    each class keeps its proportion in both parts (so the test part may differ from ``test_size``
    by rounding, one example per class at most).
    """
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"train_test_split expected X and y with the same number of rows, got "
                         f"{len(X)} and {len(y)}")
    n_test = int(round(test_size * len(y))) if test_size < 1 else int(test_size)
    if not 0 < n_test < len(y):
        raise ValueError(f"test_size={test_size} leaves no example for one of the parts "
                         f"(there are {len(y)} examples)")
    rng = as_rng(rng)
    if stratify:
        # Take the same fraction of every class for the test part.
        test = np.concatenate([
            rng.permutation(idx)[:int(round(n_test * len(idx) / len(y)))]
            for idx in (np.flatnonzero(y == c) for c in np.unique(y))])
    else:
        test = rng.permutation(len(y))[:n_test]
    train = rng.permutation(np.setdiff1d(np.arange(len(y)), test))
    test = rng.permutation(test)
    return X[train], X[test], y[train], y[test]


def _load_split(loader, test_size, rng, scale):
    """Load a scikit-learn data set, split it (stratified) and scale it by training statistics."""
    data = loader()
    X_train, X_test, y_train, y_test = train_test_split(
        data.data.astype(np.float64), data.target.astype(np.int64), test_size=test_size, rng=rng)
    if scale:
        mean, std = X_train.mean(axis=0), X_train.std(axis=0)
        std[std == 0] = 1.0  # constant features (e.g. corner pixels of the digits) stay 0
        X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
    return X_train, X_test, y_train, y_test


def load_breast_cancer(test_size=0.25, standardize=True, rng=0):
    """scikit-learn's Wisconsin breast-cancer data (569 tumours, 30 features), split and scaled.

    Label 1 means benign, 0 malignant (scikit-learn's coding). With ``standardize`` each feature
    is shifted and scaled by the *training* mean and standard deviation, so gradient descent
    behaves and no information leaks from the test set.

    Returns ``X_train (N_train, 30), X_test (N_test, 30), y_train (N_train,), y_test (N_test,)``.
    """
    from sklearn.datasets import load_breast_cancer as loader

    return _load_split(loader, test_size, rng, standardize)


def load_digits(test_size=0.25, standardize=True, rng=0):
    """scikit-learn's handwritten digits: 1,797 images of 8×8 pixels (values 0–16), classes 0–9.

    Returns ``X_train (N_train, 64), X_test (N_test, 64), y_train, y_test`` with labels in 0 … 9,
    standardized by training statistics when ``standardize`` is set (constant pixels stay 0).
    """
    from sklearn.datasets import load_digits as loader

    return _load_split(loader, test_size, rng, standardize)


def load_iris(test_size=0.25, standardize=True, rng=0):
    """scikit-learn's iris flowers: 150 examples, 4 features, 3 species (labels 0, 1, 2).

    Returns ``X_train (N_train, 4), X_test (N_test, 4), y_train, y_test``.
    """
    from sklearn.datasets import load_iris as loader

    return _load_split(loader, test_size, rng, standardize)


def breast_cancer_feature_names():
    """The 30 feature names of the breast-cancer data, in column order."""
    from sklearn.datasets import load_breast_cancer as sklearn_load

    return list(sklearn_load().feature_names)
