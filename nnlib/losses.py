"""Loss functions as objects: ``forward(pred, target)`` returns a float, ``backward()`` returns
dL/d(pred). As in PyTorch, ``reduction='mean'`` averages over every element (use ``'sum'`` to add).
"""

import numpy as np

from nnlib._checks import as_float_array


class Loss:
    """Base class: validates inputs, remembers them, and applies the reduction.

    Subclasses implement ``_elementwise(pred, target)`` (the loss of each element, same shape as
    ``pred``) and ``_elementwise_grad(pred, target)`` (its derivative with respect to ``pred``).
    """

    def __init__(self, reduction="mean"):
        if reduction not in ("mean", "sum"):
            raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
        self.reduction = reduction
        self._pred = self._target = None

    def __call__(self, pred, target):
        return self.forward(pred, target)

    def _check(self, pred, target):
        """Return float arrays of equal shape, or raise a ValueError that says what was expected."""
        name = type(self).__name__
        pred = as_float_array(pred, "pred")
        target = as_float_array(target, "target")
        if pred.shape != target.shape:
            raise ValueError(f"{name} expected pred and target of the same shape, got pred "
                             f"{pred.shape} and target {target.shape}; reshape one of them "
                             "(e.g. y.reshape(-1, 1) or pred.ravel())")
        if np.isnan(target).any():
            raise ValueError(f"{name}: target contains NaN; clean the labels first")
        if pred.size == 0:
            raise ValueError(f"{name}: got an empty batch")
        return pred, target

    def forward(self, pred, target):
        """The loss as a Python float."""
        pred, target = self._check(pred, target)
        self._pred, self._target = pred, target
        losses = self._elementwise(pred, target)
        return float(losses.mean() if self.reduction == "mean" else losses.sum())

    def backward(self):
        """dL/d(pred) for the last ``forward`` call; shape of ``pred``."""
        if self._pred is None:
            raise RuntimeError(f"{type(self).__name__}.backward was called before forward")
        grad = self._elementwise_grad(self._pred, self._target)
        return grad / self._pred.size if self.reduction == "mean" else grad

    def __repr__(self):
        return f"{type(self).__name__}(reduction={self.reduction!r})"


class BCELoss(Loss):
    """Binary cross-entropy on probabilities: ℓ = −[y log p + (1 − y) log(1 − p)].

    It is the negative log-likelihood of a Bernoulli model P(y | x) = p^y (1 − p)^(1 − y).
    As in PyTorch, each log is clamped at −100, so p = 0 or 1 gives a large finite loss, not inf.

    Shapes: ``pred`` and ``target`` of any equal shape, e.g. (N,) or (N, 1); p in [0, 1],
    y in [0, 1] (usually 0 or 1). ``backward`` returns (p − y) / (p (1 − p)), divided by the
    number of elements for ``reduction='mean'``. Feeding logits? Use ``BCEWithLogitsLoss``.
    """

    def _check(self, pred, target):
        pred, target = super()._check(pred, target)
        if np.isnan(pred).any() or (pred < 0).any() or (pred > 1).any():
            raise ValueError("BCELoss expected probabilities in [0, 1] as pred (apply a sigmoid "
                             f"first), got values from {np.nanmin(pred):.4g} to {np.nanmax(pred):.4g}"
                             + (" and NaN" if np.isnan(pred).any() else ""))
        if (target < 0).any() or (target > 1).any():
            raise ValueError("BCELoss expected targets in [0, 1] (class labels 0 and 1), got values "
                             f"from {target.min():.4g} to {target.max():.4g}")
        return pred, target

    def _elementwise(self, p, y):
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), -100.0)
            log_1mp = np.maximum(np.log1p(-p), -100.0)
        return -(y * log_p + (1.0 - y) * log_1mp)

    def _elementwise_grad(self, p, y):
        return (p - y) / np.maximum(p * (1.0 - p), 1e-12)
