"""nnlib.losses: each formula, its gradient by finite differences, stability and input checks."""

import math
import warnings

import numpy as np
import pytest

from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss


def random_case(loss_cls, shape, rng):
    """Inputs of the right kind for each loss: (pred, target)."""
    if loss_cls is CrossEntropyLoss:
        return rng.normal(scale=3, size=shape), rng.integers(0, shape[1], size=shape[0])
    if loss_cls is BCELoss:
        return rng.uniform(0.05, 0.95, size=shape), rng.integers(0, 2, size=shape).astype(float)
    if loss_cls is BCEWithLogitsLoss:
        return rng.normal(scale=3, size=shape), rng.integers(0, 2, size=shape).astype(float)
    return rng.normal(size=shape), rng.normal(size=shape)


ALL = [MSELoss, L1Loss, HuberLoss, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss]


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("loss_cls", ALL, ids=lambda c: c.__name__)
@pytest.mark.parametrize("trial", range(3))
def test_gradient_matches_finite_differences(loss_cls, reduction, trial):
    rng = np.random.default_rng(trial)
    shape = tuple(rng.integers(1, 6, size=2)) if trial else (int(rng.integers(1, 9)), 3)
    pred, target = random_case(loss_cls, shape, rng)
    loss = loss_cls(reduction=reduction)
    loss(pred, target)
    analytic = loss.backward()
    numeric = numerical_gradient(lambda q: loss_cls(reduction=reduction)(q, target), pred.copy())
    assert analytic.shape == pred.shape
    assert relative_error(analytic, numeric) < 1e-7


def test_known_values():
    p, y = np.array([0.9, 0.2, 0.6]), np.array([1.0, 0.0, 0.0])
    assert np.isclose(BCELoss()(p, y), -np.mean(np.log([0.9, 0.8, 0.4])))
    assert np.isclose(BCELoss(reduction="sum")(p, y), -np.sum(np.log([0.9, 0.8, 0.4])))
    assert np.isclose(MSELoss()(np.array([1.0, 3.0]), np.array([0.0, 0.0])), 5.0)
    assert np.isclose(L1Loss()(np.array([1.0, -3.0]), np.array([0.0, 0.0])), 2.0)
    # Huber: quadratic inside δ, linear outside.
    assert np.isclose(HuberLoss(delta=1.0)(np.array([0.5]), np.array([0.0])), 0.125)
    assert np.isclose(HuberLoss(delta=1.0)(np.array([3.0]), np.array([0.0])), 2.5)
    assert np.isclose(HuberLoss(delta=2.0)(np.array([3.0]), np.array([0.0])), 4.0)
    # Cross-entropy with uniform logits is log C.
    assert np.isclose(CrossEntropyLoss()(np.zeros((2, 4)), np.array([0, 3])), np.log(4))


def test_logit_losses_agree_with_probability_losses(rng):
    z = rng.normal(size=(6,))
    y = rng.integers(0, 2, size=6).astype(float)
    p = 1 / (1 + np.exp(-z))
    assert np.isclose(BCEWithLogitsLoss()(z, y), BCELoss()(p, y))
    logits = rng.normal(size=(5, 3))
    k = rng.integers(0, 3, size=5)
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert np.isclose(CrossEntropyLoss()(logits, k), -np.mean(np.log(probs[np.arange(5), k])))


def test_gradient_wrt_logits_is_prediction_minus_target(rng):
    z = rng.normal(size=(4, 3))
    k = np.array([0, 2, 1, 2])
    loss = CrossEntropyLoss(reduction="sum")
    loss(z, k)
    probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    assert np.allclose(loss.backward(), probs - np.eye(3)[k])


@pytest.mark.parametrize("scale", [1e3, 1e4])
def test_logit_losses_are_stable_for_huge_logits(scale):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bce = BCEWithLogitsLoss()
        value = bce(np.array([scale, -scale, scale]), np.array([1.0, 0.0, 0.0]))
        assert np.isclose(value, scale / 3) and np.isfinite(bce.backward()).all()
        ce = CrossEntropyLoss()
        value = ce(np.array([[scale, 0.0, -scale], [scale, 0.0, -scale]]), np.array([0, 2]))
        assert np.isclose(value, scale) and np.isfinite(ce.backward()).all()


def test_bce_clamps_log_like_pytorch():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert BCELoss()(np.array([0.0]), np.array([1.0])) == 100.0
        assert BCELoss()(np.array([1.0, 0.0]), np.array([1.0, 0.0])) == 0.0
        loss = BCELoss()
        loss(np.array([0.0]), np.array([1.0]))
        assert np.isfinite(loss.backward()).all()


def test_huber_is_robust_to_an_outlier():
    pred, target = np.zeros(10), np.zeros(10)
    target[0] = 100.0
    mse, huber = MSELoss(), HuberLoss()
    mse(pred, target), huber(pred, target)
    assert abs(mse.backward()[0]) == 20.0 and abs(huber.backward()[0]) == 0.1


def test_bad_input_says_what_was_expected():
    with pytest.raises(ValueError, match=r"same shape.*\(3,\).*\(3, 1\)"):
        MSELoss()(np.zeros(3), np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\].*apply a sigmoid"):
        BCELoss()(np.array([1.5, 0.2]), np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match="and NaN"):
        BCELoss()(np.array([np.nan, 0.2]), np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match="target contains NaN"):
        BCEWithLogitsLoss()(np.array([0.5, 0.2]), np.array([np.nan, 0.0]))
    with pytest.raises(ValueError, match=r"targets in \[0, 1\]"):
        BCEWithLogitsLoss()(np.array([0.5, 0.2]), np.array([2.0, 0.0]))
    with pytest.raises(ValueError, match=r"logits of shape \(N, C\)"):
        CrossEntropyLoss()(np.zeros(3), np.zeros(3, dtype=int))
    with pytest.raises(ValueError, match=r"labels of shape \(2,\)"):
        CrossEntropyLoss()(np.zeros((2, 3)), np.zeros((2, 3), dtype=int))
    with pytest.raises(ValueError, match="integer class labels.*astype"):
        CrossEntropyLoss()(np.zeros((2, 3)), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="contains NaN"):
        CrossEntropyLoss()(np.zeros((2, 3)), np.array([0.0, np.nan]))
    with pytest.raises(ValueError, match=r"labels in 0 … 2"):
        CrossEntropyLoss()(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="delta > 0"):
        HuberLoss(delta=0)
    with pytest.raises(RuntimeError, match="before forward"):
        MSELoss().backward()
    with pytest.raises(ValueError, match="reduction"):
        BCELoss(reduction="average")
    assert repr(HuberLoss(2.0)) == "HuberLoss(delta=2.0, reduction='mean')"


# --- nnlib v2: reduction='none', label smoothing ----------------------------------------------


@pytest.mark.parametrize("loss_cls", ALL, ids=lambda c: c.__name__)
def test_reduction_none_returns_the_terms_and_backward_weights_them(loss_cls, rng):
    pred, target = random_case(loss_cls, (5, 3), rng)
    terms = loss_cls(reduction="none")(pred, target)
    assert terms.shape == ((5,) if loss_cls is CrossEntropyLoss else (5, 3))
    assert terms.mean() == pytest.approx(loss_cls()(pred, target), rel=1e-12)
    assert terms.sum() == pytest.approx(loss_cls(reduction="sum")(pred, target), rel=1e-12)
    # backward(w) is the gradient of Σ wᵢ ℓᵢ: check by finite differences
    w = rng.uniform(0.5, 2.0, size=terms.shape)
    loss_fn = loss_cls(reduction="none")
    loss_fn(pred, target)
    analytic = loss_fn.backward(w)
    numeric = numerical_gradient(lambda p: float((loss_cls(reduction="none")(p, target) * w).sum()), pred.copy())
    assert relative_error(analytic, numeric) < 1e-7
    # with w = 1/n it is the mean's gradient
    mean = loss_cls()
    mean(pred, target)
    np.testing.assert_allclose(loss_fn.backward(np.full(terms.shape, 1 / terms.size)), mean.backward(), rtol=1e-12)


def test_reduction_none_needs_grad_output_and_others_refuse_arrays(rng):
    loss_fn = MSELoss(reduction="none")
    loss_fn(np.zeros(3), np.ones(3))
    with pytest.raises(RuntimeError, match=r"needs grad_output of shape \(3,\)"):
        loss_fn.backward()
    with pytest.raises(ValueError, match=r"grad_output of shape \(3,\)"):
        loss_fn.backward(np.ones(4))
    mean = MSELoss()
    mean(np.zeros(3), np.ones(3))
    with pytest.raises(ValueError, match="None or a scalar"):
        mean.backward(np.ones(3))
    np.testing.assert_allclose(mean.backward(2.0), 2 * mean.backward())
    with pytest.raises(ValueError, match="'mean', 'sum' or 'none'"):
        MSELoss(reduction="max")


def test_label_smoothing_by_hand():
    # logits [1, 2, 3], label 0, ε = 0.1: log p = [1, 2, 3] − logsumexp = [−2.4076, −1.4076, −0.4076]
    # ℓ = (1 − ε)·2.40760596 + ε·mean(2.40760596, 1.40760596, 0.40760596) = 2.30760596
    lse = 3 + math.log(1 + math.exp(-1) + math.exp(-2))
    neg_log_p = [lse - 1, lse - 2, lse - 3]
    expected = 0.9 * neg_log_p[0] + 0.1 * sum(neg_log_p) / 3
    loss_fn = CrossEntropyLoss(label_smoothing=0.1)
    assert loss_fn(np.array([[1.0, 2.0, 3.0]]), np.array([0])) == pytest.approx(expected, rel=1e-14)
    assert expected == pytest.approx(2.30760596444438, rel=1e-12)
    # gradient p − q with q = [0.9 + 0.1/3, 0.1/3, 0.1/3]
    p = np.exp([-v for v in neg_log_p])
    np.testing.assert_allclose(loss_fn.backward(), [p - [0.9 + 0.1 / 3, 0.1 / 3, 0.1 / 3]], rtol=1e-12)
    assert "label_smoothing=0.1" in repr(loss_fn)
    with pytest.raises(ValueError, match="label_smoothing"):
        CrossEntropyLoss(label_smoothing=1.5)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_label_smoothing_gradient_matches_finite_differences(reduction, rng):
    z, k = rng.normal(scale=3, size=(4, 5)), rng.integers(0, 5, size=4)
    loss_fn = CrossEntropyLoss(reduction=reduction, label_smoothing=0.2)
    loss_fn(z, k)
    numeric = numerical_gradient(lambda v: CrossEntropyLoss(reduction=reduction, label_smoothing=0.2)(v, k), z.copy())
    assert relative_error(loss_fn.backward(), numeric) < 1e-8


def test_cross_entropy_keeps_no_state_from_forward_but_its_inputs(rng):
    loss_fn = CrossEntropyLoss()
    z, k = rng.normal(size=(3, 4)), np.array([0, 1, 2])
    loss_fn(z, k)
    first = loss_fn.backward()
    np.testing.assert_array_equal(loss_fn.backward(), first)        # backward can be repeated
    assert not [name for name in vars(loss_fn) if "prob" in name]
    assert np.isfinite(CrossEntropyLoss()(np.array([[1e4, -1e4]]), np.array([1])))
