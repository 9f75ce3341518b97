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


@pytest.mark.parametrize("make", [datasets.make_moons, datasets.make_circles, datasets.make_spirals])
def test_2d_generators_are_seeded_and_balanced(make):
    X, y = make(300, rng=4)
    assert X.shape == (300, 2) and y.shape == (300,) and y.dtype == np.int64
    assert np.bincount(y).min() == np.bincount(y).max()
    assert np.array_equal(X, make(300, rng=4)[0])
    assert not np.array_equal(X, make(300, rng=5)[0])


def test_shapes_follow_their_definitions():
    X, y = datasets.make_circles(400, noise=0.0, factor=0.3, rng=0)
    radius = np.linalg.norm(X, axis=1)
    assert np.allclose(radius[y == 0], 1.0) and np.allclose(radius[y == 1], 0.3)
    X, y = datasets.make_moons(400, noise=0.0, rng=0)
    assert np.allclose(np.linalg.norm(X[y == 0], axis=1), 1.0)
    assert np.allclose(np.linalg.norm(X[y == 1] - [1.0, 0.5], axis=1), 1.0)
    X, y = datasets.make_spirals(300, n_classes=3, noise=0.0, rng=0)
    assert set(np.unique(y)) == {0, 1, 2} and np.linalg.norm(X, axis=1).max() <= 1.0
    with pytest.raises(ValueError, match="factor"):
        datasets.make_circles(10, factor=1.5)


def test_regression_1d_with_outliers():
    X, y = datasets.make_regression_1d(200, noise=0.0, slope=2.0, intercept=1.0, outliers=0.05, rng=0)
    assert X.shape == (200, 1) and y.shape == (200,)
    residual = y - (2.0 * X[:, 0] + 1.0)
    assert np.sum(residual > 9) == 10 and np.sum(np.abs(residual) < 1e-12) == 190
    with pytest.raises(ValueError, match="fraction"):
        datasets.make_regression_1d(10, outliers=1.0)


def test_one_hot():
    assert datasets.one_hot(np.array([2, 0, 1])).tolist() == [[0, 0, 1], [1, 0, 0], [0, 1, 0]]
    assert datasets.one_hot(np.array([1]), num_classes=4).shape == (1, 4)
    with pytest.raises(ValueError, match="integer labels"):
        datasets.one_hot(np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"labels in 0 … 1"):
        datasets.one_hot(np.array([0, 2]), num_classes=2)


def test_iterate_minibatches_covers_every_row_once():
    X, y = np.arange(20).reshape(10, 2), np.arange(10)
    batches = list(datasets.iterate_minibatches(X, y, batch_size=4, rng=0))
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    seen = np.concatenate([b[1] for b in batches])
    assert sorted(seen.tolist()) == list(range(10)) and seen.tolist() != list(range(10))
    assert all(np.array_equal(bx[:, 0] // 2, by) for bx, by in batches)
    ordered = list(datasets.iterate_minibatches(X, y, batch_size=4, shuffle=False))
    assert ordered[0][1].tolist() == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="batch_size"):
        list(datasets.iterate_minibatches(X, y, batch_size=0))


@pytest.mark.parametrize("loader, n_features, n_classes, n_total", [
    (datasets.load_digits, 64, 10, 1797), (datasets.load_iris, 4, 3, 150)])
def test_sklearn_loaders(loader, n_features, n_classes, n_total):
    X_tr, X_te, y_tr, y_te = loader(rng=0)
    assert X_tr.shape[1] == n_features and len(X_tr) + len(X_te) == n_total
    assert set(np.unique(y_tr)) == set(range(n_classes))
    assert np.all(np.isfinite(X_tr)) and np.allclose(X_tr.mean(axis=0), 0, atol=1e-10)
