"""nnlib.testing: a student's return value becomes plain data that cannot decide its own comparisons."""

import numpy as np
import pytest

from nnlib.testing import assert_close, plain_array, plain_bool, plain_float, plain_int, plain_tuple


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


# ---------------------------------------------------------------- assert_close: evidence, not a verdict
EXPECTED = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])
GAMMA = np.array([1.5, -0.5, 2.0])


def evidence(value, expected=EXPECTED, **kwargs):
    """assert_close's message for a wrong ``value`` (fails the test if the value passes)."""
    with pytest.raises(AssertionError) as error:
        assert_close(value, expected, "dx", **kwargs)
    return str(error.value)


def test_a_close_value_passes_as_a_plain_array():
    class Sub(np.ndarray):
        pass

    got = assert_close((EXPECTED + 1e-12).view(Sub), EXPECTED)
    assert type(got) is np.ndarray and np.array_equal(got, EXPECTED + 1e-12)
    assert assert_close(2, 2.0) == 2.0
    with pytest.raises(AssertionError, match="array of numbers"):
        assert_close(DecidesItsComparisons(), EXPECTED)


@pytest.mark.parametrize("value, kwargs, words", [
    (EXPECTED / 2, {}, "every entry of dx is half the expected value"),
    # a forward difference measured over 2h: half, up to the O(h) error of the estimate
    (EXPECTED / 2 + 1e-6, {}, "half the expected value"),
    (2 * EXPECTED, {}, "twice"),
    (-EXPECTED, {}, "the negative of the expected value"),
    (8 * EXPECTED, {"factors": {"N": 8}}, "N times the expected value"),
    (EXPECTED / 8, {"factors": {"N": 8}}, "1/N times the expected value"),
    (EXPECTED / GAMMA, {"factors": {"γ": GAMMA}}, "each column is 1/γ times the expected one"),
    (EXPECTED * GAMMA, {"factors": {"γ": GAMMA}}, "each column is γ times"),
    (EXPECTED * [[1.0], [3.0]], {}, "each row is off by its own factor (yours / expected per row: 1, 3)"),
    (EXPECTED.T, {}, "should have shape (2, 3), got (3, 2) (the transpose of the expected result)"),
    (np.ones((3, 2)), {}, "got (3, 2) (the transposed shape)"),
    (np.zeros((2, 3)), {}, "dx is all zeros"),
    (np.where(EXPECTED > 3, np.nan, EXPECTED), {}, "nan at index (1, 1)"),
    (np.where(EXPECTED < 0, np.inf, EXPECTED), {}, "inf at index (0, 1), (1, 2)"),
    (EXPECTED + 1, {"others": {"dW": EXPECTED + 1}}, "equals what dW should be: are two results swapped?"),
    (np.where(EXPECTED == 4.0, 7.0, EXPECTED), {},
     "differs at index (1, 1): got 7, expected 4 (1 of 6 entries is wrong, the largest error is 3)"),
])
def test_the_message_names_the_evidence(value, kwargs, words):
    assert words in evidence(value, **kwargs)


def test_a_square_transpose_and_a_concept():
    square = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert "dx is the transpose of the expected result" in evidence(square.T, square)
    message = evidence(-EXPECTED, concept="Descent goes against the gradient.")
    assert message.endswith("the negative of the expected value. Descent goes against the gradient.")


def test_a_ratio_of_almost_one_is_not_called_a_factor():
    message = evidence(EXPECTED * 1.0004)
    assert "times" not in message and message.startswith("dx differs at index (0, 0)")


def test_scalars_get_words_only_for_a_recognised_factor():
    assert evidence(2.0, 1.0) == "dx is twice the expected value"
    assert evidence(1.3, 1.0) == "dx differs: got 1.3, expected 1"
