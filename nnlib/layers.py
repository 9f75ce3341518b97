"""Layers with parameters."""

import numpy as np

from nnlib._checks import as_float_array, as_rng, check_shape
from nnlib.core import Layer, Parameter


class Linear(Layer):
    """Fully connected (dense) layer: y = x Wᵀ + b, over a batch.

    Parameters
    ----------
    in_features, out_features : int
        Sizes of each input row and each output row.
    bias : bool
        Whether to learn an additive bias ``b`` (default True).
    rng : numpy.random.Generator, int or None
        Source of the initial weights (a seed makes them reproducible).
    dtype : numpy dtype
        ``np.float64`` (default; needed for gradient checks) or ``np.float32`` (faster).

    Attributes
    ----------
    weight : Parameter, shape (out_features, in_features)
    bias : Parameter, shape (out_features,) or None

    Initialisation follows PyTorch: W and b are drawn from U(−k, k) with k = 1/√in_features.

    Shapes
    ------
    forward:  x (N, in_features) -> y (N, out_features)
    backward: grad_output (N, out_features) -> grad_input (N, in_features), and adds
        dL/dW = grad_outputᵀ x            (out_features, in_features)
        dL/db = Σ_n grad_output[n]        (out_features,)
    """

    def __init__(self, in_features, out_features, bias=True, rng=None, dtype=np.float64):
        if int(in_features) < 1 or int(out_features) < 1:
            raise ValueError(f"Linear needs positive sizes, got in_features={in_features}, "
                             f"out_features={out_features}")
        self.in_features, self.out_features = int(in_features), int(out_features)
        rng = as_rng(rng)
        k = 1.0 / np.sqrt(self.in_features)
        self.weight = Parameter(rng.uniform(-k, k, (self.out_features, self.in_features)).astype(dtype))
        self.bias = Parameter(rng.uniform(-k, k, self.out_features).astype(dtype)) if bias else None
        self._x = None

    def forward(self, x):
        x = as_float_array(x)
        check_shape(x, (None, self.in_features), "input", "Linear.forward")
        self._x = x
        y = x @ self.weight.data.T
        if self.bias is not None:
            y = y + self.bias.data
        return y

    def backward(self, grad_output):
        x = self._saved("_x")
        grad_output = as_float_array(grad_output, "grad_output")
        check_shape(grad_output, (x.shape[0], self.out_features), "grad_output", "Linear.backward")
        self.weight.grad += grad_output.T @ x
        if self.bias is not None:
            self.bias.grad += grad_output.sum(axis=0)
        return grad_output @ self.weight.data

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")
