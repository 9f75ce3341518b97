"""Regularization helpers: weight penalties, early stopping, and a moving average of weights.

Penalties are added to the data loss, L_total = L_data + penalty, and their gradients are added
to the weights' gradients. Apply them to weights only, not to biases (a bias only shifts a
unit and does not make the model more complex).

Two names, two conventions, never mixed (this is the one place that states them):

- ``lam`` (λ) in :func:`l2_penalty` and :func:`l1_penalty` is the strength of a penalty written
  out in full: λ‖W‖² with gradient 2λW, and λ‖W‖₁ with gradient λ·sign(W).
- ``weight_decay`` (λ_wd) in the optimizers of :mod:`nnlib.optim` is PyTorch's: it adds λ_wd·θ to
  the gradient, the gradient of (λ_wd/2)‖θ‖². So ``weight_decay=wd`` is ``l2_penalty(..., lam=wd/2)``.
  (``AdamW`` applies the same λ_wd·θ directly to θ instead of through the gradient.)
"""

import contextlib
import copy

import numpy as np

from nnlib.core import Parameter


def _arrays(params):
    """The data arrays of a list of Parameters or arrays."""
    return [p.data if isinstance(p, Parameter) else np.asarray(p) for p in params]


def l2_penalty(params, lam):
    """L2 (ridge, "weight decay") penalty λ Σ_W ‖W‖² and its gradient 2λW for each W.

    Parameters
    ----------
    params : list of Parameter or ndarray
        The weights to penalise (usually every ``Linear.weight``, not the biases).
    lam : float
        λ ≥ 0, the strength.

    Returns
    -------
    value : float
        λ Σ_W ‖W‖², to add to the data loss.
    grads : list of ndarray
        2λW for each W, shaped like it. Add each into the matching ``Parameter.grad`` after the
        backward pass.
    """
    _check_lambda(lam)
    arrays = _arrays(params)
    return float(lam * sum(np.sum(w * w) for w in arrays)), [2.0 * lam * w for w in arrays]


def l1_penalty(params, lam):
    """L1 (lasso) penalty λ Σ_W ‖W‖₁ = λ Σ abs(w) and its (sub)gradient λ·sign(W) (0 at w = 0).

    It pushes weights to exactly zero, so it makes a model sparse. Elastic net is the sum of
    an L1 and an L2 penalty. Arguments and return value as in :func:`l2_penalty`.
    """
    _check_lambda(lam)
    arrays = _arrays(params)
    return float(lam * sum(np.sum(np.abs(w)) for w in arrays)), [lam * np.sign(w) for w in arrays]


def _check_lambda(lam):
    if not lam >= 0:
        raise ValueError(f"the penalty strength λ must be >= 0, got {lam}")


class EarlyStopping:
    """Stop training when a validation metric has not improved for ``patience`` epochs.

    Use it as a callback of :func:`nnlib.training.fit`, or call :meth:`step` yourself once per
    epoch. With ``restore_best`` the model's state (its ``state_dict()``: parameters *and*
    buffers such as BatchNorm's running statistics) is set back, when training ends, to that of
    the best epoch seen.

    Parameters
    ----------
    patience : int
        Epochs without improvement to wait before stopping: training stops at the end of the
        ``patience``-th epoch in a row without improvement (``patience=0`` stops at the first
        such epoch, exactly like ``patience=1``).
    monitor : str
        The history key to watch when used as a ``fit`` callback (default ``"val_loss"``).
    mode : {"min", "max"}
        Whether smaller (losses) or larger (accuracies) is better.
    min_delta : float
        The smallest change that counts as an improvement.
    restore_best : bool
        Whether ``on_train_end`` puts back the state of the best epoch (default True).

    Attributes
    ----------
    best : float or None
        The best value of the metric seen so far.
    best_epoch : int or None
        The epoch (counted from 1) at which ``best`` was seen.
    wait : int
        Epochs since the last improvement.
    epochs : int
        Epochs recorded so far.
    """

    def __init__(self, patience=5, monitor="val_loss", mode="min", min_delta=0.0, restore_best=True):
        if int(patience) < 0:
            raise ValueError(f"patience must be >= 0, got {patience}")
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        self.patience, self.monitor, self.mode = int(patience), monitor, mode
        self.min_delta, self.restore_best = float(min_delta), restore_best
        self.best, self.best_epoch, self.wait, self.epochs, self._best_state = None, None, 0, 0, None

    def _improved(self, value):
        if self.best is None:
            return True
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def step(self, value, model=None):
        """Record this epoch's metric (and copy ``model.state_dict()`` if it is the best); return True to stop.

        Raises ``ValueError`` if ``value`` is NaN (training diverged).
        """
        value = float(value)
        self.epochs += 1
        if np.isnan(value):
            raise ValueError(f"EarlyStopping got NaN for {self.monitor}: training diverged "
                             "(try a smaller learning rate)")
        if self._improved(value):
            self.best, self.wait = value, 0
            self.best_epoch = self.epochs
            if model is not None and self.restore_best:
                self._best_state = copy.deepcopy(model.state_dict())
            return False
        self.wait += 1
        return self.wait >= self.patience

    def __call__(self, history, model):
        """The ``fit`` callback: :meth:`step` with the latest ``history[monitor]``; True means stop.

        Raises ``KeyError`` if ``fit`` did not record ``monitor`` (e.g. no validation data).
        """
        if self.monitor not in history:
            raise KeyError(f"EarlyStopping monitors {self.monitor!r}, which fit did not record; "
                           f"pass validation_data to fit or choose one of {sorted(history)}")
        return self.step(history[self.monitor][-1], model)

    def on_train_end(self, model):
        """Load the best state back into ``model`` (when ``restore_best`` is set)."""
        if self.restore_best and self._best_state is not None:
            model.load_state_dict(self._best_state)


class ExponentialMovingAverage:
    """An exponential moving average (EMA) of parameters, often better than the last weights.

    After each optimizer step call :meth:`update`:  θ̄ ← decay·θ̄ + (1 − decay)·θ.
    Evaluate with the averaged weights inside ``with ema.average_parameters(): ...``; the
    training weights are put back afterwards.

    The average starts at the parameters' values when it is created and has no bias
    correction, so for the first few times 1/(1 − decay) updates it still leans towards those
    starting values (about 100 updates for decay 0.99).

    Parameters
    ----------
    params : iterable of Parameter
        Usually ``model.parameters()``.
    decay : float in (0, 1)
        Weight of the old average; the average spans roughly the last 1/(1 − decay) steps.

    Attributes
    ----------
    shadow : list of ndarray
        The averaged values θ̄, one array per parameter, in the order of ``params``.
    """

    def __init__(self, params, decay=0.99):
        if not 0 < decay < 1:
            raise ValueError(f"decay must be in (0, 1), got {decay}")
        self.params = list(params)
        self.decay = float(decay)
        self.shadow = [p.data.copy() for p in self.params]

    def update(self):
        """Fold the current parameter values into the average."""
        for avg, p in zip(self.shadow, self.params):
            avg *= self.decay
            avg += (1.0 - self.decay) * p.data

    @contextlib.contextmanager
    def average_parameters(self):
        """A context manager that swaps the averaged values into the parameters while it is open."""
        saved = [p.data.copy() for p in self.params]
        for p, avg in zip(self.params, self.shadow):
            p.data[...] = avg
        try:
            yield self
        finally:
            for p, value in zip(self.params, saved):
                p.data[...] = value
