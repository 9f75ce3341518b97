"""Weight initializers that fill an array in place (chapter 6), named as in ``torch.nn.init``.

Each takes a weight (a :class:`~nnlib.core.Parameter` or a float ndarray), overwrites its
values and returns the array. Random ones take ``rng``, a ``numpy.random.Generator`` or a seed.

Why the variances: for z = Σᵢ wᵢ xᵢ over n_in independent inputs with zero-mean weights,
Var(z) = n_in · Var(w) · Var(x). Keeping Var(z) = Var(x) layer after layer needs
Var(w) = 1 / n_in. Glorot and Bengio (Xavier) average the forward and backward conditions:
Var(w) = 2 / (fan_in + fan_out). He et al. (Kaiming) account for ReLU zeroing about half of its pre-activations:
Var(w) = 2 / fan_in. A uniform distribution on [−a, a] has variance a²/3, so the uniform
variants use a = √3 · std.

Fans follow PyTorch: a weight of shape (out_features, in_features) has fan_in = in_features
and fan_out = out_features.
"""

import math

import numpy as np

from nnlib._checks import as_rng
from nnlib.core import Parameter

_LINEAR_GAINS = ("linear", "identity", "sigmoid")


def calculate_gain(nonlinearity, param=None):
    """The recommended scale factor for an initializer's standard deviation with this nonlinearity.

    These are PyTorch's values, used as ``gain`` by the Xavier initializers and built into the
    Kaiming ones. For ReLU the factor √2 exactly undoes the halving of the second moment; for
    tanh, 5/3 is a rule of thumb, not a measured shrinkage.

    - linear, identity, sigmoid: 1
    - tanh: 5/3
    - relu: √2
    - leaky_relu: √(2 / (1 + slope²)), with slope = ``param`` (default 0.01)
    - selu: 3/4
    """
    if nonlinearity in _LINEAR_GAINS:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"unsupported nonlinearity {nonlinearity!r}; use one of "
                     f"{list(_LINEAR_GAINS) + ['tanh', 'relu', 'leaky_relu', 'selu']}")


def _array(tensor):
    """The ndarray to fill: ``Parameter.data`` or the array itself (must be floating point)."""
    array = tensor.data if isinstance(tensor, Parameter) else tensor
    if not isinstance(array, np.ndarray) or not np.issubdtype(array.dtype, np.floating):
        raise TypeError(f"initializers fill a float ndarray or a Parameter in place, got {type(tensor).__name__}"
                        + (f" of dtype {array.dtype}" if isinstance(array, np.ndarray) else ""))
    return array


def _fans(array):
    """(fan_in, fan_out) of a weight of shape (out_features, in_features, ...)."""
    if array.ndim < 2:
        raise ValueError(f"fan in and fan out need a weight with at least 2 dimensions, got shape {array.shape}; "
                         "biases are usually set with zeros_")
    receptive = int(np.prod(array.shape[2:]))
    return array.shape[1] * receptive, array.shape[0] * receptive


def zeros_(tensor):
    """Fill with 0. Fine for biases; for weights it makes every hidden unit identical forever."""
    return constant_(tensor, 0.0)


def constant_(tensor, val):
    """Fill with the constant ``val``."""
    array = _array(tensor)
    array[...] = val
    return array


def normal_(tensor, mean=0.0, std=1.0, rng=None):
    """Fill with draws from N(mean, std²)."""
    array = _array(tensor)
    array[...] = as_rng(rng).normal(mean, std, size=array.shape)
    return array


def uniform_(tensor, a=0.0, b=1.0, rng=None):
    """Fill with draws from U(a, b)."""
    array = _array(tensor)
    array[...] = as_rng(rng).uniform(a, b, size=array.shape)
    return array


def xavier_uniform_(tensor, gain=1.0, rng=None):
    """Glorot/Xavier uniform: U(−a, a) with a = gain · √(6 / (fan_in + fan_out)).

    The variance is gain² · 2 / (fan_in + fan_out). Designed for tanh/sigmoid-like layers.
    """
    fan_in, fan_out = _fans(_array(tensor))
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, rng)


def xavier_normal_(tensor, gain=1.0, rng=None):
    """Glorot/Xavier normal: N(0, std²) with std = gain · √(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(_array(tensor))
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), rng)


def _kaiming_std(tensor, a, mode, nonlinearity):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _fans(_array(tensor))
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", rng=None):
    """He/Kaiming uniform: U(−b, b) with b = √3 · gain / √fan.

    With the defaults (``a=0``, leaky ReLU of slope 0 = ReLU) the variance is 2 / fan_in.
    ``mode='fan_out'`` preserves the variance of gradients in the backward pass instead.
    """
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, rng)


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", rng=None):
    """He/Kaiming normal: N(0, std²) with std = gain / √fan (√(2 / fan_in) for ReLU)."""
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity), rng)
