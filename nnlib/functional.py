"""Activation functions and their derivatives as pure functions.

The math lives here once; layers, losses and tests reuse it. Every function takes an array
of any shape (or a scalar), works elementwise, keeps float32 as float32, and is numerically
safe: no overflow warnings and no ``nan`` for inputs as large as ±1e4 (or larger).

Derivatives take the same input ``x`` as the function itself, so ``sigmoid_grad(x)`` is
σ'(x), not a function of σ(x).
"""

import numpy as np

from nnlib._checks import as_float_array


def step(x):
    """Heaviside step: 1 where x ≥ 0, else 0 (the McCulloch–Pitts threshold unit).

    Shape: same as ``x``. Its derivative is 0 everywhere except at 0, where it is undefined,
    which is why gradient descent cannot train step units.
    """
    x = as_float_array(x)
    return (x >= 0).astype(x.dtype)


def sigmoid(x):
    """Logistic sigmoid σ(x) = 1 / (1 + e^(−x)), with range (0, 1).

    Computed as 1/(1 + e^(−abs(x))) or e^(−abs(x))/(1 + e^(−abs(x))) depending on the sign of x, so
    the exponential never overflows. Shape: same as ``x``.
    """
    x = as_float_array(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)


def sigmoid_grad(x):
    """Derivative of the sigmoid: σ'(x) = σ(x)·(1 − σ(x)).

    Bell-shaped with its maximum 1/4 at x = 0; it tends to 0 for large abs(x) (saturation).
    Shape: same as ``x``.
    """
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(x):
    """Hyperbolic tangent tanh(x) = (e^x − e^(−x)) / (e^x + e^(−x)) = 2σ(2x) − 1, range (−1, 1).

    Shape: same as ``x``.
    """
    x = as_float_array(x)
    return np.tanh(x)


def tanh_grad(x):
    """Derivative of tanh: 1 − tanh(x)². Shape: same as ``x``."""
    t = tanh(x)
    return 1.0 - t * t


def relu(x):
    """Rectified linear unit: max(0, x). Shape: same as ``x``."""
    x = as_float_array(x)
    return np.maximum(x, 0)


def relu_grad(x):
    """Derivative of ReLU: 1 where x > 0, else 0 (we take 0 at x = 0, as PyTorch does).

    Shape: same as ``x``.
    """
    x = as_float_array(x)
    return (x > 0).astype(x.dtype)


def leaky_relu(x, negative_slope=0.01):
    """Leaky ReLU: max(αx, x) for a small fixed slope α = ``negative_slope`` (0 < α < 1).

    Shape: same as ``x``. Negative inputs keep a small gradient α, so units cannot "die".
    """
    x = as_float_array(x)
    return np.where(x > 0, x, negative_slope * x).astype(x.dtype, copy=False)


def leaky_relu_grad(x, negative_slope=0.01):
    """Derivative of Leaky ReLU: 1 where x > 0, else α. Shape: same as ``x``."""
    x = as_float_array(x)
    return np.where(x > 0, 1.0, negative_slope).astype(x.dtype, copy=False)


def elu(x, alpha=1.0):
    """Exponential linear unit: x for x > 0, α(eˣ − 1) otherwise; smooth, with range (−α, ∞).

    Shape: same as ``x``. The exponential only sees min(x, 0), so it never overflows.
    """
    x = as_float_array(x)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))).astype(x.dtype, copy=False)


def elu_grad(x, alpha=1.0):
    """Derivative of ELU: 1 for x > 0, αeˣ otherwise. Shape: same as ``x``."""
    x = as_float_array(x)
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0))).astype(x.dtype, copy=False)


def gelu(x, approximate="none"):
    """Gaussian error linear unit: GELU(x) = x·Φ(x), with Φ the standard normal CDF.

    Φ(x) = ½(1 + erf(x/√2)). With ``approximate="tanh"`` (as in PyTorch and GPT-2),
    Φ(x) ≈ ½(1 + tanh(√(2/π)(x + 0.044715x³))). Smooth, ≈ x for large x, ≈ 0 for very
    negative x, with a small dip (minimum ≈ −0.17 near x ≈ −0.75). Shape: same as ``x``.
    """
    x = as_float_array(x)
    return (x * _gelu_cdf(x, approximate)).astype(x.dtype, copy=False)


def gelu_grad(x, approximate="none"):
    """Derivative of GELU: Φ(x) + x·φ(x), with φ(x) = exp(−x²/2)/√(2π) the normal density.

    With ``approximate="tanh"``: with u = √(2/π)(x + 0.044715x³) and t = tanh(u),
    d/dx [½x(1 + t)] = ½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²). Shape: same as ``x``.
    """
    x = as_float_array(x)
    if approximate == "tanh":
        c = np.sqrt(2.0 / np.pi)
        t = np.tanh(c * (x + 0.044715 * x**3))
        grad = 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * c * (1.0 + 3 * 0.044715 * x**2)
    else:
        pdf = np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)
        grad = _gelu_cdf(x, approximate) + x * pdf
    return grad.astype(x.dtype, copy=False)


def _gelu_cdf(x, approximate):
    if approximate == "tanh":
        return 0.5 * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.044715 * x**3)))
    if approximate != "none":
        raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")
    from scipy.special import erf     # imported on first use: SciPy takes 0.2-0.4 s to import

    return 0.5 * (1.0 + erf(x / np.sqrt(2.0)))


def log_softmax(x, axis=-1):
    """log softmax(x) = x − logsumexp(x) along ``axis``, computed stably.

    logsumexp(x) = m + log Σ exp(x − m) with m = max(x): every exponent is ≤ 0, so nothing
    overflows even for logits of size 1e4. Shape: same as ``x``.
    """
    x = as_float_array(x)
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(x, axis=-1):
    """softmax(x)_i = exp(x_i) / Σ_j exp(x_j) along ``axis``: positive, sums to 1.

    Computed as exp(x − max(x)) / Σ exp(x − max(x)), which is the same number but never
    overflows. Shape: same as ``x``; for a batch of logits (N, C) use ``axis=-1``.
    """
    x = as_float_array(x)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
