"""A small training loop, and helpers to measure a model.

:func:`fit` is the loop every chapter writes by hand first, packaged::

    for each epoch:
        for each mini-batch (X_b, y_b):
            optimizer.zero_grad()
            loss = loss_fn(model(X_b), y_b)        # forward
            model.backward(loss_fn.backward())     # backward: fills every Parameter.grad
            optimizer.step()                       # update
"""

import sys

import numpy as np
from tqdm import tqdm

from nnlib._checks import as_rng
from nnlib.datasets import iterate_minibatches
from nnlib.losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss

# Where each classification loss puts its decision threshold on the model's output.
_THRESHOLDS = {BCELoss: 0.5, BCEWithLogitsLoss: 0.0}


def accuracy(scores, y, threshold=0.5):
    """Fraction of correct predictions.

    ``scores`` of shape (N, C) with C > 1 are class scores (logits or probabilities): the
    prediction is the argmax. Scores of shape (N,) or (N, 1) are binary: the prediction is 1
    where score ≥ ``threshold`` (0.5 for probabilities, 0 for logits). ``y``: labels (N,) or (N, 1).
    """
    scores, y = np.asarray(scores), np.asarray(y).reshape(-1)
    if scores.ndim == 2 and scores.shape[1] > 1:
        pred = scores.argmax(axis=1)
    else:
        pred = (scores.reshape(-1) >= threshold).astype(np.int64)
    if pred.shape != y.shape:
        raise ValueError(f"accuracy expected {pred.shape[0]} labels to match the scores, got {y.shape}")
    return float(np.mean(pred == y))


def _target_like(y, out, loss_fn):
    """Labels (N,) for a model that outputs (N, 1) are reshaped to (N, 1), except for cross-entropy."""
    if not isinstance(loss_fn, CrossEntropyLoss) and out.ndim == 2 and y.ndim == 1 and out.shape == (len(y), 1):
        return y.reshape(-1, 1)
    return y


def _batch_accuracy(loss_fn, out, y):
    if isinstance(loss_fn, CrossEntropyLoss):
        return accuracy(out, y)
    threshold = _THRESHOLDS.get(type(loss_fn))
    return None if threshold is None else accuracy(out, y, threshold)


def evaluate(model, loss_fn, X, y, batch_size=1024):
    """Loss and accuracy of ``model`` on (X, y) in eval mode (dropout off, running statistics).

    Parameters
    ----------
    model : Layer
    loss_fn : Loss
    X : ndarray, shape (N, D)
    y : ndarray, shape (N,) or shaped like the model's output
        Labels or targets, as for :func:`fit`.
    batch_size : int
        Examples per forward pass (only memory depends on it, not the result).

    Returns
    -------
    loss : float
        The loss over all N examples.
    accuracy : float or None
        The fraction classified correctly; None for regression losses.

    The model's train/eval mode is restored afterwards.
    """
    was_training = model.training
    model.eval()
    try:
        outputs = [model(X[i:i + batch_size]) for i in range(0, len(X), batch_size)]
    finally:
        model.train(was_training)
    out = np.concatenate(outputs)
    loss = loss_fn(out, _target_like(np.asarray(y), out, loss_fn))
    return loss, _batch_accuracy(loss_fn, out, y)


def fit(model, loss_fn, optimizer, X, y, epochs=10, batch_size=32, validation_data=None,
        callbacks=(), rng=None, progress=True):
    """Train ``model`` with mini-batch gradient descent and return the history.

    Parameters
    ----------
    model : Layer
        The network to train, e.g. a ``Sequential``.
    loss_fn : Loss
        E.g. ``CrossEntropyLoss()``; its ``backward()`` starts each backward pass.
    optimizer : Optimizer
        An ``nnlib.optim`` optimizer over ``model.parameters()``.
    X : ndarray, shape (N, D)
        Training inputs, one example per row.
    y : ndarray, shape (N,) or shaped like the model's output
        Integer class labels (N,) for ``CrossEntropyLoss``; 0/1 labels (N,) for a binary model
        with output (N, 1); otherwise targets with the shape of the output.
    epochs : int
        Passes over the training data.
    batch_size : int
        Examples per mini-batch (the last batch of an epoch may be smaller).
    validation_data : tuple (X_val, y_val), optional
        Evaluated after every epoch (``val_loss``, ``val_accuracy``).
    callbacks : list of callables
        Each is called as ``cb(history, model)`` after every epoch; if any returns True,
        training stops (e.g. :class:`~nnlib.regularization.EarlyStopping`). A callback's
        ``on_train_end(model)``, if it has one, runs at the end.
    rng : numpy.random.Generator, int or None
        Source of the mini-batch shuffling (a seed makes training reproducible).
    progress : bool
        Show a tqdm progress bar (on stderr) with the latest losses.

    Returns
    -------
    history : dict of lists
        One entry per epoch under each key: ``loss`` (mean training loss over the epoch's
        batches), ``accuracy`` (on the training batches, for classification losses), and
        ``val_loss``, ``val_accuracy`` when validation data is given.
    """
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"fit expected X and y with the same number of rows, got {len(X)} and {len(y)}")
    rng = as_rng(rng)
    history = {}
    bar = tqdm(range(int(epochs)), desc="epochs", disable=not progress, file=sys.stderr, leave=False)
    for _ in bar:
        model.train()
        loss_sum, correct, seen = 0.0, 0.0, 0
        for X_b, y_b in iterate_minibatches(X, y, batch_size, shuffle=True, rng=rng):
            optimizer.zero_grad()
            out = model(X_b)
            loss = loss_fn(out, _target_like(y_b, out, loss_fn))
            model.backward(loss_fn.backward())
            optimizer.step()
            acc = _batch_accuracy(loss_fn, out, y_b)
            loss_sum, seen = loss_sum + loss * len(X_b), seen + len(X_b)
            correct = None if acc is None else correct + acc * len(X_b)
        history.setdefault("loss", []).append(loss_sum / seen)
        if correct is not None:
            history.setdefault("accuracy", []).append(correct / seen)
        if validation_data is not None:
            val_loss, val_acc = evaluate(model, loss_fn, *validation_data)
            history.setdefault("val_loss", []).append(val_loss)
            if val_acc is not None:
                history.setdefault("val_accuracy", []).append(val_acc)
        bar.set_postfix({k: f"{v[-1]:.4f}" for k, v in history.items()})
        if any([bool(cb(history, model)) for cb in callbacks]):
            break
    for cb in callbacks:
        if hasattr(cb, "on_train_end"):
            cb.on_train_end(model)
    return history
