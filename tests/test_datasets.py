"""nnlib.datasets: shapes, labels, seeding and the scikit-learn loader."""

import numpy as np
import pytest

from nnlib import datasets


def test_make_blobs_shapes_labels_and_seed():
    X, y = datasets.make_blobs(101, centers=3, n_features=4, rng=0)
    assert X.shape == (101, 4) and y.shape == (101,)
    assert set(np.unique(y)) == {0, 1, 2} and np.bincount(y).min() >= 33
    X2, y2 = datasets.make_blobs(101, centers=3, n_features=4, rng=0)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    assert not np.array_equal(X, datasets.make_blobs(101, centers=3, n_features=4, rng=1)[0])


def test_make_blobs_with_given_centres_clusters_around_them():
    centres = np.array([[-10.0, 0.0], [10.0, 0.0]])
    X, y = datasets.make_blobs(400, centers=centres, cluster_std=0.5, rng=0)
    for c in (0, 1):
        assert np.allclose(X[y == c].mean(axis=0), centres[c], atol=0.15)
    with pytest.raises(ValueError, match=r"shape \(K, D\)"):
        datasets.make_blobs(10, centers=np.ones(3))


def test_make_xor_labels_are_the_xor_of_the_signs():
    X, y = datasets.make_xor(500, rng=0)
    assert X.shape == (500, 2) and np.all(np.abs(X) <= 1)
    assert np.array_equal(y, ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int))
    assert 0.4 < y.mean() < 0.6
    Xn, yn = datasets.make_xor(500, noise=0.1, rng=0)
    assert np.array_equal(yn, y) and not np.array_equal(Xn, X)


def test_train_test_split_is_a_stratified_partition():
    X = np.arange(200).reshape(100, 2)
    y = np.array([0] * 80 + [1] * 20)
    X_tr, X_te, y_tr, y_te = datasets.train_test_split(X, y, test_size=0.25, rng=0)
    assert len(X_te) == 25 and len(X_tr) == 75
    assert y_te.sum() == 5  # 20% of the test part, like the whole
    rows = np.concatenate([X_tr[:, 0], X_te[:, 0]])
    assert sorted(rows.tolist()) == list(range(0, 200, 2))  # every row once
    assert np.array_equal(y_tr, y[X_tr[:, 0] // 2])  # rows and labels stay paired
    again = datasets.train_test_split(X, y, test_size=0.25, rng=0)
    assert np.array_equal(again[1], X_te)
    with pytest.raises(ValueError, match="same number of rows"):
        datasets.train_test_split(X, y[:-1])
    with pytest.raises(ValueError, match="leaves no example"):
        datasets.train_test_split(X, y, test_size=0.0)


def test_load_breast_cancer_is_standardized_on_train_only():
    X_tr, X_te, y_tr, y_te = datasets.load_breast_cancer(rng=0)
    assert X_tr.shape[1] == 30 and len(X_tr) + len(X_te) == 569
    assert np.allclose(X_tr.mean(axis=0), 0, atol=1e-10) and np.allclose(X_tr.std(axis=0), 1)
    assert not np.allclose(X_te.mean(axis=0), 0, atol=1e-3)
    assert set(np.unique(y_tr)) == {0, 1} and abs(y_tr.mean() - y_te.mean()) < 0.02
    assert len(datasets.breast_cancer_feature_names()) == 30
