"""Input validation shared by nnlib's modules: clear errors that say what was expected.

Layers validate every input and gradient, so these checks run several times per training step;
each is cheap when the answer is "fine" (a type test, or a shape looked up in a cache).
"""

import functools

import numpy as np


def as_float_array(x, name="input"):
    """Return ``x`` as a floating-point array (integers and booleans become float64).

    Floating arrays keep their dtype, so float32 stays float32 end to end.
    """
    if type(x) is np.ndarray and x.dtype.kind == "f":
        return x                        # the common case, already right: nothing to convert
    arr = np.asarray(x)
    if arr.dtype.kind in "biu":
        return arr.astype(np.float64)
    if arr.dtype.kind != "f":
        raise TypeError(f"{name} must be numeric, got an array of dtype {arr.dtype}")
    return arr


def check_shape(arr, expected, name, who):
    """Raise ``ValueError`` unless ``arr.shape`` matches ``expected``.

    ``expected`` is a tuple whose entries are ints or ``None`` (any size), e.g. ``(None, 3)``
    for "a batch of 3-feature rows". The message names the expected shape, e.g.
    ``Linear.forward expected input of shape (N, 3), got (5, 4)``.
    """
    if not _shape_fits(arr.shape, expected):
        shown = ", ".join("N" if e is None else str(e) for e in expected)
        if len(expected) == 1:
            shown += ","
        raise ValueError(f"{who} expected {name} of shape ({shown}), got {tuple(arr.shape)}")


@functools.lru_cache(maxsize=1024)
def _shape_fits(shape, expected):
    """Whether ``shape`` matches ``expected`` (``None`` = any size); remembered per pair of shapes,
    since a training loop asks the same question with the same shapes at every step."""
    return len(shape) == len(expected) and all(e is None or e == s for e, s in zip(expected, shape))


def as_rng(rng):
    """Return a ``numpy.random.Generator`` from a Generator, an integer seed or ``None``.

    ``None`` gives an unseeded generator; pass a seed (or a Generator) for reproducible draws.
    Global random state is never touched.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (int, np.integer)):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be a numpy.random.Generator, an int seed or None, got {type(rng).__name__}")


def as_size(value, name, who):
    """Return ``value`` as a positive int, or raise a ``TypeError``/``ValueError`` that names it.

    Only integers count: ``Linear(2.5, 3)`` is an error, not ``Linear(2, 3)`` (as in PyTorch).
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{who} needs a whole number for {name}, got {value!r} ({type(value).__name__})")
    if value < 1:
        raise ValueError(f"{who} needs a positive {name}, got {value}")
    return int(value)
