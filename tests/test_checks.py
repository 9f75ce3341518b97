"""nnlib._checks: the validation every layer runs at every step, with its fast paths."""

import numpy as np
import pytest

from nnlib._checks import as_float_array, check_shape


def test_as_float_array_passes_float_arrays_through_and_converts_the_rest():
    for dtype in (np.float32, np.float64):
        x = np.ones((2, 3), dtype)
        assert as_float_array(x) is x                          # no copy, dtype kept
    assert as_float_array([[1, 2]]).dtype == np.float64
    assert as_float_array(np.array([True, False])).dtype == np.float64
    with pytest.raises(TypeError, match="x must be numeric"):
        as_float_array(np.array(["a"]), "x")


def test_check_shape_is_exact_for_shapes_it_has_seen_before():
    x = np.ones((5, 3))
    for _ in range(3):
        check_shape(x, (None, 3), "input", "Layer.forward")    # remembered after the first call
        check_shape(x, (5, 3), "input", "Layer.forward")
    with pytest.raises(ValueError, match=r"Layer.forward expected input of shape \(N, 4\), got \(5, 3\)"):
        check_shape(x, (None, 4), "input", "Layer.forward")
    with pytest.raises(ValueError, match=r"expected input of shape \(5,\), got \(5, 3\)"):
        check_shape(x, (5,), "input", "Layer.forward")
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 3\), got \(3,\)"):
        check_shape(np.ones(3), (None, 3), "input", "Layer.forward")
