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


def train_test_split(X, y, test_size=0.25, rng=None, stratify=True):
    """Shuffle and split into ``X_train, X_test, y_train, y_test``.

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


def load_breast_cancer(test_size=0.25, standardize=True, rng=0):
    """scikit-learn's Wisconsin breast-cancer data (569 tumours, 30 features), split and scaled.

    Label 1 means benign, 0 malignant (scikit-learn's coding). With ``standardize`` each feature
    is shifted and scaled by the *training* mean and standard deviation, so gradient descent
    behaves and no information leaks from the test set.

    Returns ``X_train (N_train, 30), X_test (N_test, 30), y_train (N_train,), y_test (N_test,)``.
    """
    from sklearn.datasets import load_breast_cancer as sklearn_load

    data = sklearn_load()
    X_train, X_test, y_train, y_test = train_test_split(
        data.data, data.target.astype(np.int64), test_size=test_size, rng=rng)
    if standardize:
        mean, std = X_train.mean(axis=0), X_train.std(axis=0)
        X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
    return X_train, X_test, y_train, y_test


def breast_cancer_feature_names():
    """The 30 feature names of the breast-cancer data, in column order."""
    from sklearn.datasets import load_breast_cancer as sklearn_load

    return list(sklearn_load().feature_names)
