"""Loss functions as objects: ``forward(pred, target)`` returns a float, ``backward()`` returns
dL/d(pred) with the shape of ``pred``.

As in PyTorch, ``reduction='mean'`` averages the loss terms ℓᵢ (one per element, or one per
example for ``CrossEntropyLoss``), ``reduction='sum'`` adds them, and ``reduction='none'`` returns
them all as an array; ``backward(grad_output)`` then takes dL/dℓᵢ, an array of that shape
(``backward()`` alone is the gradient of the mean or the sum). Which loss for which task:

============================  ===============================  ===========================
task                          model output                     loss
============================  ===============================  ===========================
regression                    any real number                  MSELoss (or L1Loss, HuberLoss
                                                               when there are outliers)
binary classification         a probability p in [0, 1]        BCELoss
binary classification         a logit z (p = σ(z))             BCEWithLogitsLoss (stabler)
multi-class classification    C logits per example             CrossEntropyLoss
============================  ===============================  ===========================
"""

import math

import numpy as np

from nnlib import functional as F
from nnlib._checks import as_float_array
from nnlib.core import producer_of


class Loss:
    """Base class: validates inputs, keeps what backward needs, and applies the reduction.

    Subclasses implement ``_losses(pred, target)`` (the loss terms ℓᵢ, e.g. one per element) and
    ``_grad(pred, target)`` (dℓᵢ/d(pred) for every term at once: the derivative of the *sum* of
    the terms, shaped like ``pred``). With R the reduction, ``backward`` returns

        dL/d(pred) = Σᵢ (dL/dℓᵢ) · dℓᵢ/d(pred),  dL/dℓᵢ = 1/n for 'mean', 1 for 'sum',
        ``grad_output[i]`` for 'none'.

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}
    """

    def __init__(self, reduction="mean"):
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
        self.reduction = reduction
        self._pred = self._target = None
        self._terms_shape, self._producer = None, None

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
        """The loss: a Python float, or for ``reduction='none'`` the array of loss terms."""
        pred, target = self._check(pred, target)
        losses = self._losses(pred, target)
        # what backward needs: the inputs, the shape of the terms, and which layer call made pred
        self._pred, self._target = pred, target
        self._terms_shape, self._producer = losses.shape, producer_of(pred)
        if self.reduction == "none":
            return losses
        total = losses.sum()
        return float(total / losses.size if self.reduction == "mean" else total)

    def backward(self, grad_output=None):
        """dL/d(pred) for the last ``forward`` call; shape of ``pred``.

        Parameters
        ----------
        grad_output : ndarray or None
            For ``reduction='none'``, dL/dℓᵢ for each loss term (the shape ``forward`` returned),
            e.g. per-example weights. For 'mean' and 'sum', None (or a scalar factor).
        """
        name = type(self).__name__
        if self._pred is None:
            raise RuntimeError(f"{name}.backward was called before forward")
        self._check_not_overwritten()
        if self.reduction == "none":
            if grad_output is None:
                raise RuntimeError(f"{name}(reduction='none') returned one loss per term, so backward "
                                   f"needs grad_output of shape {self._terms_shape} (dL/dℓ for each "
                                   "term), e.g. loss_fn.backward(np.ones(shape) / n) for the mean")
            weights = np.asarray(grad_output, dtype=self._pred.dtype)
            if weights.shape != self._terms_shape:
                raise ValueError(f"{name}.backward expected grad_output of shape {self._terms_shape} "
                                 f"(one value per loss term), got {weights.shape}")
            weights = weights.reshape(weights.shape + (1,) * (self._pred.ndim - weights.ndim))
        else:
            if grad_output is not None and np.ndim(grad_output):
                raise ValueError(f"{name}(reduction={self.reduction!r}) returns a number, so grad_output "
                                 f"must be None or a scalar, got shape {np.shape(grad_output)}")
            weights = 1.0 if grad_output is None else float(grad_output)   # a Python float keeps float32
            if self.reduction == "mean":
                weights /= math.prod(self._terms_shape)
        return self._grad(self._pred, self._target) * weights

    def _check_not_overwritten(self):
        """Refuse to go on if the layer that made ``pred`` was called again since (the trap of
        evaluating other data between forward and backward)."""
        if self._producer is None:
            return
        layer, call = self._producer
        if layer._calls != call:
            raise RuntimeError(
                f"{type(self).__name__}.backward: the model that produced these predictions has been "
                f"called {layer._calls - call} more time(s) since, which replaced what its backward "
                "needs (the inputs of that forward pass). Run loss_fn.backward() and model.backward() "
                "right after the forward pass, and call the model on other data (e.g. validation "
                "data) only after them")

    def extra_repr(self):
        return ""

    def __repr__(self):
        extra = self.extra_repr()
        return f"{type(self).__name__}({extra + ', ' if extra else ''}reduction={self.reduction!r})"


class MSELoss(Loss):
    """Mean squared error: ℓ = (ŷ − y)², gradient 2(ŷ − y). Shapes: pred and target equal, any.

    ``backward`` returns 2(ŷ − y), divided by the number of elements for ``reduction='mean'``.
    """

    def _losses(self, pred, target):
        return (pred - target) ** 2

    def _grad(self, pred, target):
        return 2.0 * (pred - target)


class L1Loss(Loss):
    """Mean absolute error: ℓ = abs(ŷ − y), gradient sign(ŷ − y) (0 at a tie). Robust to outliers.

    Shapes: pred and target equal, any. ``backward`` returns sign(ŷ − y), divided by the number
    of elements for ``reduction='mean'``.
    """

    def _losses(self, pred, target):
        return np.abs(pred - target)

    def _grad(self, pred, target):
        return np.sign(pred - target)


class HuberLoss(Loss):
    """Huber loss: quadratic near zero, linear beyond ``delta`` (PyTorch's ``HuberLoss``).

    With r = ŷ − y:  ℓ = ½r²  if abs(r) ≤ δ,  else δ(abs(r) − ½δ).
    Gradient: r clipped to [−δ, δ]. Like MSE for small errors, like MAE (robust) for outliers.
    Shapes: pred and target equal, any. ``backward`` returns clip(r, −δ, δ), divided by the
    number of elements for ``reduction='mean'``.
    """

    def __init__(self, delta=1.0, reduction="mean"):
        super().__init__(reduction)
        if not delta > 0:
            raise ValueError(f"HuberLoss needs delta > 0, got {delta}")
        self.delta = float(delta)

    def _losses(self, pred, target):
        r = np.abs(pred - target)
        return np.where(r <= self.delta, 0.5 * r * r, self.delta * (r - 0.5 * self.delta))

    def _grad(self, pred, target):
        return np.clip(pred - target, -self.delta, self.delta)

    def extra_repr(self):
        return f"delta={self.delta}"


def _check_binary_targets(name, target):
    if (target < 0).any() or (target > 1).any():
        raise ValueError(f"{name} expected targets in [0, 1] (class labels 0 and 1), got values "
                         f"from {target.min():.4g} to {target.max():.4g}")


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
        _check_binary_targets("BCELoss", target)
        return pred, target

    def _losses(self, p, y):
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), -100.0)
            log_1mp = np.maximum(np.log1p(-p), -100.0)
        return -(y * log_p + (1.0 - y) * log_1mp)

    def _grad(self, p, y):
        return (p - y) / np.maximum(p * (1.0 - p), 1e-12)


class BCEWithLogitsLoss(Loss):
    """Binary cross-entropy on logits z (p = σ(z)), computed without ever forming p.

    ℓ = −[y log σ(z) + (1 − y) log(1 − σ(z))] = max(z, 0) − z·y + log(1 + e^(−abs(z))),
    which is finite for any z. The gradient is simply σ(z) − y.
    Shapes: ``pred`` (logits) and ``target`` of any equal shape. ``backward`` returns σ(z) − y,
    divided by the number of elements for ``reduction='mean'``.
    """

    def _check(self, pred, target):
        pred, target = super()._check(pred, target)
        _check_binary_targets("BCEWithLogitsLoss", target)
        return pred, target

    def _losses(self, z, y):
        return np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))

    def _grad(self, z, y):
        return F.sigmoid(z) - y


class CrossEntropyLoss(Loss):
    """Softmax cross-entropy on logits with integer class labels (PyTorch's ``CrossEntropyLoss``).

    For an example with logits z (C,) and label k, with log p = log_softmax(z) and the target
    distribution q = (1 − ε)·onehot(k) + ε/C (ε = ``label_smoothing``, 0 by default):

        ℓ = −Σ_c q_c log p_c       (= −log p_k when ε = 0)

    and the gradient with respect to the logits is p − q (softmax(z) − onehot(k) when ε = 0).

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}
        'mean' averages over the N examples (not over N·C elements); 'none' returns ℓ per example.
    label_smoothing : float in [0, 1]
        ε: the share of the target spread evenly over all C classes.

    Shapes
    ------
    ``pred`` logits (N, C); ``target`` integer labels (N,) with values in 0 … C−1.
    ``backward`` returns (p − q) / N for 'mean', p − q for 'sum', shape (N, C).
    """

    def __init__(self, reduction="mean", label_smoothing=0.0):
        super().__init__(reduction)
        if not 0 <= label_smoothing <= 1:
            raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing}")
        self.label_smoothing = float(label_smoothing)
        self._log_p = None

    def _check(self, pred, target):
        pred = as_float_array(pred, "pred")
        target = np.asarray(target)
        if pred.ndim != 2:
            raise ValueError(f"CrossEntropyLoss expected logits of shape (N, C), got {pred.shape}")
        if target.shape != (pred.shape[0],):
            raise ValueError(f"CrossEntropyLoss expected integer labels of shape ({pred.shape[0]},) "
                             f"to match logits {pred.shape}, got {target.shape}")
        if target.dtype.kind not in "iu":
            if target.dtype.kind == "f" and np.isnan(target).any():
                raise ValueError("CrossEntropyLoss: target contains NaN; clean the labels first")
            raise ValueError(f"CrossEntropyLoss expected integer class labels, got dtype {target.dtype} "
                             "(use y.astype(int); for one-hot rows use y.argmax(axis=1))")
        if pred.shape[0] == 0:
            raise ValueError("CrossEntropyLoss: got an empty batch")
        if target.min() < 0 or target.max() >= pred.shape[1]:
            raise ValueError(f"CrossEntropyLoss expected labels in 0 … {pred.shape[1] - 1} for "
                             f"{pred.shape[1]} classes, got values from {target.min()} to {target.max()}")
        return pred, target

    def _losses(self, z, k):
        log_p = F.log_softmax(z, axis=1)
        self._log_p = log_p                                  # kept for backward, which needs p
        nll = -log_p[np.arange(len(k)), k]                   # −log p_k
        eps = self.label_smoothing
        if not eps:
            return nll
        return (1 - eps) * nll - eps * log_p.mean(axis=1)    # −Σ_c q_c log p_c

    def _grad(self, z, k):
        grad = np.exp(self._log_p)                           # p = exp(log p) = softmax(z)
        grad[np.arange(len(k)), k] -= 1 - self.label_smoothing
        if self.label_smoothing:
            grad -= self.label_smoothing / z.shape[1]        # p − q, q = (1 − ε)·onehot(k) + ε/C
        return grad

    def extra_repr(self):
        return f"label_smoothing={self.label_smoothing}" if self.label_smoothing else ""
