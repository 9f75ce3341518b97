"""Turn what a student's function returns into plain data before any test compares it.

Every exercise test passes a student's return value through these helpers first. What comes
out is a plain ``numpy.ndarray`` (never a subclass), a Python ``float``, ``int`` or ``bool``,
or a tuple of those, so the comparisons that follow are NumPy's and Python's own: an object that
overrides ``__eq__``, ``__array_ufunc__`` or ``__array_function__`` cannot decide them.

A value that cannot be converted fails with an ``AssertionError`` that names what was expected,
e.g. ``softmax(z) should return an array of numbers, got a str``.
"""

import numbers

import numpy as np

__all__ = ["plain_array", "plain_float", "plain_int", "plain_bool", "plain_tuple"]


def _kind(value):
    return type(value).__name__


def plain_array(value, name="the result", dtype=float, shape=None):
    """Return ``value`` as a new, plain ``numpy.ndarray`` of ``dtype``.

    Lists, tuples, numbers and arrays (of any NumPy dtype or subclass) are copied into a base
    ``ndarray``; the caller's array is never shared. With ``dtype=int`` the values must be whole
    numbers (``2.0`` is accepted, ``2.5`` is not). With ``shape`` (a tuple) the shape must match.

    Shape: any; ``shape`` checks it exactly.
    """
    try:
        if isinstance(value, np.ndarray):
            value = value.view(np.ndarray)       # drop a subclass and its methods
        raw = np.array(value, copy=True, subok=False)
        if raw.dtype == object or raw.dtype.kind not in "biuf":
            raise TypeError
        arr = np.array(raw, dtype=dtype, copy=True, subok=False)
    except (TypeError, ValueError, OverflowError):
        raise AssertionError(
            f"{name} should be an array of numbers, got {_kind(value)}"
        ) from None
    if np.dtype(dtype).kind in "iu" and not np.array_equal(arr, raw):
        raise AssertionError(f"{name} should hold whole numbers, got {raw.tolist()}")
    if shape is not None and arr.shape != tuple(shape):
        raise AssertionError(
            f"{name} should have shape {tuple(shape)}, got {arr.shape}"
        )
    return arr


def plain_float(value, name="the result"):
    """Return ``value`` as a Python ``float``: a real number or an array with one element."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    arr = plain_array(value, name)
    if arr.size != 1:
        raise AssertionError(
            f"{name} should be a single number, got an array of shape {arr.shape}"
        )
    return float(arr.reshape(()))


def plain_int(value, name="the result"):
    """Return ``value`` as a Python ``int``; it must be a whole number."""
    number = plain_float(value, name)
    if not number.is_integer():
        raise AssertionError(f"{name} should be a whole number, got {number}")
    return int(number)


def plain_bool(value, name="the result"):
    """Return ``value`` as a Python ``bool``: ``True``, ``False``, ``numpy.bool_``, 0 or 1."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    number = plain_float(value, name)
    if number not in (0.0, 1.0):
        raise AssertionError(f"{name} should be True or False, got {number}")
    return number == 1.0


def plain_tuple(value, length, name="the result"):
    """Return ``value`` as a tuple of ``length`` items (still unconverted; convert each one).

    Use it for functions that return several things, e.g. ``loss, grad = plain_tuple(f(x), 2)``.
    """
    if not isinstance(value, (tuple, list)):
        raise AssertionError(
            f"{name} should be a tuple of {length} values, got {_kind(value)}"
        )
    items = tuple(list.__iter__(value) if isinstance(value, list) else tuple.__iter__(value))
    if len(items) != length:
        raise AssertionError(
            f"{name} should be a tuple of {length} values, got {len(items)}"
        )
    return items
