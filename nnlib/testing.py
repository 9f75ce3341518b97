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

__all__ = ["plain_array", "plain_float", "plain_int", "plain_bool", "plain_tuple", "assert_close"]


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


def _where(mask, limit=3):
    """The first few indices where ``mask`` holds, as text: ``(0, 1), (2, 0) and 3 more``."""
    found = [tuple(int(i) for i in index) for index in np.argwhere(mask)]
    shown = ", ".join(str(index[0]) if len(index) == 1 else str(index) for index in found[:limit])
    return shown + (f" and {len(found) - limit} more" if len(found) > limit else "")


_NAMED_RATIOS = {2.0: "twice", 0.5: "half", -1.0: "the negative of", -2.0: "minus twice",
                 -0.5: "minus half of"}


def _constant(ratios, tol=1e-3):
    """The common value of ``ratios`` if they all agree to a relative ``tol`` (else None)."""
    if ratios.size == 0:
        return None
    middle = float(np.median(ratios))
    return middle if np.all(np.abs(ratios - middle) <= tol * abs(middle) + 1e-12) else None


def _name_ratio(ratio, factors):
    """Words for a constant ratio (yours / expected): "half", "N times", "1/N times"."""
    for label, factor in factors.items():
        if np.ndim(factor) == 0 and factor not in (0, 1):
            if np.isclose(ratio, factor, rtol=1e-3):
                return f"{label} times"
            if np.isclose(ratio, 1 / factor, rtol=1e-3):
                return f"1/{label} times"
    for value, words in _NAMED_RATIOS.items():
        if np.isclose(ratio, value, rtol=1e-3):
            return words
    return f"{ratio:.4g} times"


def _axis_ratio(actual, expected, axis, factors):
    """Evidence that each column (axis=0) or row (axis=1) is off by its own factor, or None."""
    if actual.ndim != 2 or actual.shape[axis] < 2:
        return None
    per_line = []
    for a, e in zip(np.moveaxis(actual, 1 - axis, 0), np.moveaxis(expected, 1 - axis, 0)):
        usable = np.abs(e) > 1e-9
        common = _constant(a[usable] / e[usable]) if usable.sum() >= 2 else None
        if common is None:
            return None
        per_line.append(common)
    per_line = np.array(per_line)
    if _constant(per_line) is not None:
        return None                          # one factor for everything: said elsewhere
    what = "column" if axis == 0 else "row"
    for label, factor in factors.items():
        factor = np.asarray(factor, dtype=float)
        if factor.shape == per_line.shape and np.all(factor != 0):
            if np.allclose(per_line, factor, rtol=1e-3):
                return f"each {what} is {label} times the expected one (a factor of {label} too many)"
            if np.allclose(per_line, 1 / factor, rtol=1e-3):
                return f"each {what} is 1/{label} times the expected one (a factor of {label} is missing)"
    shown = ", ".join(f"{r:.3g}" for r in per_line[:6]) + (", ..." if per_line.size > 6 else "")
    return f"each {what} is off by its own factor (yours / expected per {what}: {shown})"


def _evidence(actual, expected, name, rtol, atol, factors, others):
    """Why ``actual`` is not close to ``expected`` (same shape), in words."""
    bad = ~np.isfinite(actual)
    if bad.any() and np.isfinite(expected).all():
        kinds = " and ".join(k for k, m in (("nan", np.isnan(actual)), ("inf", np.isinf(actual))) if m.any())
        return f"{name} holds {kinds} at index {_where(bad)}: something overflowed or divided by zero"
    for label, other in others.items():
        other = np.asarray(other, dtype=float)
        if other.shape == actual.shape and np.allclose(actual, other, rtol=rtol, atol=atol):
            return f"{name} equals what {label} should be: are two results swapped?"
    if actual.ndim == 2 and actual.shape[0] == actual.shape[1] and actual.shape[0] > 1 \
            and np.allclose(actual.T, expected, rtol=rtol, atol=atol):
        return f"{name} is the transpose of the expected result"
    if not np.any(actual):
        return f"{name} is all zeros"
    usable = np.abs(expected) > max(atol, 1e-9)
    if usable.any() and np.all(np.abs(actual[~usable]) <= atol + 1e-9):
        ratio = _constant(actual[usable] / expected[usable])
        words = None if ratio is None or np.isclose(ratio, 1.0, rtol=1e-3) else _name_ratio(ratio, factors)
        if words and (usable.sum() >= 2 or not words[0].isdigit()):
            what = "every entry of " if actual.size > 1 else ""
            return f"{what}{name} is {words} the expected value"
    for axis in (0, 1):
        found = _axis_ratio(actual, expected, axis, factors)
        if found:
            return found
    wrong = ~np.isclose(actual, expected, rtol=rtol, atol=atol)
    first = tuple(int(i) for i in np.argwhere(wrong)[0])
    where = "" if actual.ndim == 0 else f" at index {first[0] if len(first) == 1 else first}"
    text = f"{name} differs{where}: got {actual[first]:.6g}, expected {expected[first]:.6g}"
    if actual.size == 1:
        return text
    count = int(wrong.sum())
    return (f"{text} ({count} of {wrong.size} entries {'is' if count == 1 else 'are'} wrong,"
            f" the largest error is {float(np.max(np.abs(actual - expected)[wrong])):.3g})")


def assert_close(value, expected, name="the result", *, rtol=1e-6, atol=1e-9, factors=None,
                 others=None, concept=""):
    """Check that ``value`` is close to ``expected``; on a mismatch, say what kind of mismatch it is.

    ``value`` (what a student's function returned) is converted with :func:`plain_array` first, and
    ``expected`` is the reference. The test passes when ``numpy.allclose(value, expected, rtol,
    atol)``. Otherwise the ``AssertionError`` names the evidence found, in this order:

    - a wrong shape (and whether the value is the transpose of the expected one);
    - ``nan`` or ``inf`` entries, with their indices;
    - equality with another result, from ``others`` (``{"dW": dW_ref}``: "equals what dW should
      be: are two results swapped?");
    - the transpose of the expected (square) matrix; all zeros;
    - one constant ratio yours / expected for every entry: "half", "twice", "the negative of",
      or a label from ``factors`` (``{"N": 8}`` gives "N times" or "1/N times");
    - one ratio per column or per row, named when it matches an array in ``factors``
      (``{"γ": gamma}``: "each column is 1/γ times the expected one");
    - else the first wrong entry, its index, and how many entries are wrong.

    ``concept`` (one sentence naming the idea to revisit) is appended. Returns the plain array.

    Shape: ``value`` must have ``expected``'s shape.
    """
    expected = np.asarray(expected, dtype=float)
    actual = plain_array(value, name)
    factors, others = dict(factors or {}), dict(others or {})
    if actual.shape != expected.shape:
        message = f"{name} should have shape {expected.shape}, got {actual.shape}"
        if actual.shape == expected.shape[::-1] and actual.ndim == 2:
            message += " (the transpose" + (" of the expected result)" if np.allclose(
                actual.T, expected, rtol=rtol, atol=atol) else "d shape)")
    elif np.allclose(actual, expected, rtol=rtol, atol=atol):
        return actual
    else:
        message = _evidence(actual, expected, name, rtol, atol, factors, others)
    raise AssertionError(message + (f". {concept}" if concept else ""))
