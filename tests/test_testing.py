"""nnlib.testing: a student's return value becomes plain data that cannot decide its own comparisons."""

import numpy as np
import pytest

from nnlib.testing import plain_array, plain_bool, plain_float, plain_int, plain_tuple


class DecidesItsComparisons:
    """Everything a cheating return value might override."""

    def __eq__(self, other):
        return True

    __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __eq__

    def __array_ufunc__(self, *args, **kwargs):
        return True

    def __array_function__(self, *args, **kwargs):
        return True

    def __float__(self):
        raise TypeError


class SneakyArray(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, bool)

    def __array_ufunc__(self, *args, **kwargs):
        return np.ones(self.shape, bool)


@pytest.mark.parametrize("value", [DecidesItsComparisons(), "1.0", None, {"a": 1}, [1, "x"], [[1, 2], [3]]])
def test_non_numbers_are_refused_with_a_message(value):
    with pytest.raises(AssertionError, match="f\\(x\\) should be an array of numbers"):
        plain_array(value, "f(x)")


def test_array_subclasses_become_plain_copies():
    base = np.arange(3.0)
    sneaky = base.view(SneakyArray)
    out = plain_array(sneaky)
    assert type(out) is np.ndarray and out.dtype == float
    assert not np.array_equal(out, [9.0, 9.0, 9.0])
    out[0] = 5.0
    assert base[0] == 0.0, "the student's array must not be shared"


def test_dtype_and_shape():
    assert plain_array([1, 2]).dtype == np.float64
    assert plain_array([1.0, 2.0], dtype=int).tolist() == [1, 2]
    with pytest.raises(AssertionError, match="whole numbers"):
        plain_array([1.5], dtype=int)
    with pytest.raises(AssertionError, match=r"shape \(2, 2\), got \(4,\)"):
        plain_array(np.zeros(4), shape=(2, 2))


def test_scalars():
    assert plain_float(np.float32(0.5)) == 0.5 and type(plain_float(np.array([2.0]))) is float
    with pytest.raises(AssertionError, match="single number"):
        plain_float(np.zeros(2))
    with pytest.raises(AssertionError, match="array of numbers"):
        plain_float(DecidesItsComparisons())
    assert plain_int(3.0) == 3 and type(plain_int(np.int64(3))) is int
    with pytest.raises(AssertionError, match="whole number"):
        plain_int(2.5)
    assert plain_bool(np.True_) is True and plain_bool(0) is False
    with pytest.raises(AssertionError, match="True or False"):
        plain_bool(0.5)


def test_tuples_are_read_without_the_objects_own_iteration():
    class Lying(tuple):
        def __iter__(self):
            return iter([9, 9])

        def __len__(self):
            return 2

    assert plain_tuple(Lying((1, 2, 3))[:2], 2) == (1, 2)
    assert plain_tuple(Lying((1, 2)), 2) == (1, 2)
    with pytest.raises(AssertionError, match="tuple of 2 values, got 3"):
        plain_tuple((1, 2, 3), 2)
    with pytest.raises(AssertionError, match="tuple of 2 values, got DecidesItsComparisons"):
        plain_tuple(DecidesItsComparisons(), 2)
