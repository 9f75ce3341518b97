"""Activation functions as layers, so they can be stacked in a :class:`~nnlib.core.Sequential`.

Each one applies a function from :mod:`nnlib.functional` elementwise. Backward multiplies the
incoming gradient by the derivative at the stored input (the chain rule):
dL/dx = dL/dy ⊙ f′(x). Shapes: any, output and gradients have the shape of the input.
"""

from nnlib import functional as F
from nnlib._checks import as_float_array, check_shape
from nnlib.core import Layer


class Elementwise(Layer):
    """An activation y = f(x) applied elementwise; subclasses set ``function`` and ``derivative``."""

    function = None
    derivative = None

    def __init__(self):
        self._x = None

    def forward(self, x):
        self._x = as_float_array(x)
        return self.function(self._x)

    def backward(self, grad_output):
        x = self._saved("_x")
        grad_output = as_float_array(grad_output, "grad_output")
        check_shape(grad_output, x.shape, "grad_output", f"{type(self).__name__}.backward")
        return grad_output * self.derivative(x)


class Sigmoid(Elementwise):
    """σ(x) = 1 / (1 + e^(−x)); backward uses σ′(x) = σ(x)(1 − σ(x))."""

    function = staticmethod(F.sigmoid)
    derivative = staticmethod(F.sigmoid_grad)


class Tanh(Elementwise):
    """tanh(x); backward uses 1 − tanh(x)²."""

    function = staticmethod(F.tanh)
    derivative = staticmethod(F.tanh_grad)


class ReLU(Elementwise):
    """max(0, x); backward passes the gradient where x > 0 and blocks it elsewhere."""

    function = staticmethod(F.relu)
    derivative = staticmethod(F.relu_grad)
