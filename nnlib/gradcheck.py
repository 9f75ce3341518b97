"""Gradient checking: compare an analytic gradient with central differences.

For a scalar function f and a small step h, each partial derivative is estimated as

    ∂f/∂x_i ≈ (f(x + h e_i) − f(x − h e_i)) / (2h)

whose error shrinks like h². Compare two gradients with the relative error
‖a − n‖ / (‖a‖ + ‖n‖) (see :func:`relative_error`). In float64, a correct gradient
typically gives 1e-10 or less; above 1e-6 something is usually wrong. Always check in float64:
float32 rounding alone gives errors near 1e-3.
"""

import numpy as np

from nnlib._checks import as_rng


def numerical_gradient(f, x, h=1e-5):
    """Central-difference estimate of the gradient of a scalar function ``f`` at ``x``.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns a scalar. ``x`` is changed in place, one entry at a time, and restored
        afterwards, so ``f`` may also ignore its argument and read the array directly (handy for
        a layer's weights).
    x : ndarray of float64, any shape
    h : float
        Step size.

    Returns
    -------
    grad : ndarray
        The estimate of ∂f/∂x, with the shape of ``x``.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError("numerical_gradient needs a float64 ndarray that f reads (it is nudged in "
                        f"place); got {type(x).__name__}" + (f" of dtype {x.dtype}" if hasattr(x, "dtype") else ""))
    if not x.flags.c_contiguous:
        raise ValueError("numerical_gradient needs a C-contiguous array (use np.ascontiguousarray)")
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        f_plus = float(f(x))
        flat[i] = old - h
        f_minus = float(f(x))
        flat[i] = old
        gflat[i] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(a, b, eps=1e-12):
    """Relative error ‖a − b‖ / max(‖a‖ + ‖b‖, eps) between two arrays of the same shape.

    Zero when they agree exactly, at most 1 however different they are. Scale-free, so a
    gradient of size 1e-6 is judged as fairly as one of size 1e6. In float64, about 1e-8 or
    less means a gradient check passed.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error needs arrays of the same shape, got {a.shape} and {b.shape}")
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), eps))


def check_layer(layer, x, rng=None, h=1e-5):
    """Gradient-check a layer's backward pass on input ``x`` (float64).

    Uses the scalar L = Σ (layer(x) ⊙ g) for a random upstream gradient g, so dL/d(output) = g.
    Returns a dict of relative errors: ``"input"`` and ``"param0"``, ``"param1"``, … in the order of
    ``layer.parameters()``.

    Every forward pass runs in the layer's current mode. A ``BatchNorm1d`` in training mode
    therefore updates its running statistics on each of the many forward passes; check a copy,
    or reset them afterwards.
    """
    x = np.array(x, dtype=np.float64)
    g = as_rng(rng).normal(size=np.shape(layer.forward(x)))

    def loss(_):
        return float(np.sum(layer.forward(x) * g))

    layer.zero_grad()
    layer.forward(x)
    grad_x = layer.backward(g)
    if grad_x is None:
        raise TypeError(f"check_layer: {type(layer).__name__}.backward returned None instead of dL/dx "
                        f"(an array of shape {x.shape}); backward must return the input gradient")
    grad_x = np.asarray(grad_x)
    if grad_x.shape != x.shape:
        raise ValueError(f"check_layer: {type(layer).__name__}.backward returned dL/dx of shape "
                         f"{grad_x.shape}, but the input has shape {x.shape}")
    errors = {"input": relative_error(grad_x, numerical_gradient(loss, x, h))}
    for i, p in enumerate(layer.parameters()):
        errors[f"param{i}"] = relative_error(p.grad, numerical_gradient(loss, p.data, h))
    return errors
