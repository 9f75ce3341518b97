"""Activation functions as layers, so they can be stacked in a :class:`~nnlib.core.Sequential`.

Each one applies a function from :mod:`nnlib.functional` elementwise. Backward multiplies the
incoming gradient by the derivative at the stored input (the chain rule):
dL/dx = dL/dy ⊙ f′(x). Shapes: any; outputs and gradients have the shape of the input.

These classes are the one place where an activation is paired with its derivative: each has
``function(x)`` = f(x) and ``derivative(x)`` = f′(x). :class:`nnlib.neuron.Neuron` uses them
too, by name (:data:`ACTIVATIONS`).

An activation object keeps nothing between calls except the input of its last forward, so
one object may be used several times in a ``Sequential`` (``act = ReLU()`` after every layer).
"""

import numpy as np

from nnlib import functional as F
from nnlib._checks import as_float_array, check_shape
from nnlib.core import Layer


class Elementwise(Layer):
    """An activation y = f(x) applied elementwise.

    Subclasses define ``function(x)`` and ``derivative(x)`` (the derivative f′ at x).
    """

    def __init__(self):
        self._x = None

    def function(self, x):
        """f(x), elementwise; same shape as ``x``."""
        raise NotImplementedError

    def derivative(self, x):
        """f′(x), elementwise; same shape as ``x``."""
        raise NotImplementedError

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

    def function(self, x):
        return F.sigmoid(x)

    def derivative(self, x):
        return F.sigmoid_grad(x)


class Tanh(Elementwise):
    """tanh(x); backward uses 1 − tanh(x)²."""

    def function(self, x):
        return F.tanh(x)

    def derivative(self, x):
        return F.tanh_grad(x)


class ReLU(Elementwise):
    """max(0, x); backward passes the gradient where x > 0 and blocks it elsewhere."""

    def function(self, x):
        return F.relu(x)

    def derivative(self, x):
        return F.relu_grad(x)


class LeakyReLU(Elementwise):
    """max(αx, x) with a fixed small slope α = ``negative_slope`` (default 0.01)."""

    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def function(self, x):
        return F.leaky_relu(x, self.negative_slope)

    def derivative(self, x):
        return F.leaky_relu_grad(x, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class ELU(Elementwise):
    """x for x > 0, α(eˣ − 1) otherwise (default α = 1)."""

    def __init__(self, alpha=1.0):
        super().__init__()
        self.alpha = alpha

    def function(self, x):
        return F.elu(x, self.alpha)

    def derivative(self, x):
        return F.elu_grad(x, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}"


class GELU(Elementwise):
    """GELU(x) = x·Φ(x), Φ the standard normal CDF; backward uses Φ(x) + x·φ(x).

    ``approximate="tanh"`` uses PyTorch's tanh approximation of Φ (see :func:`nnlib.functional.gelu`).
    """

    def __init__(self, approximate="none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def function(self, x):
        return F.gelu(x, self.approximate)

    def derivative(self, x):
        return F.gelu_grad(x, self.approximate)

    def extra_repr(self):
        return "" if self.approximate == "none" else f"approximate={self.approximate!r}"


class Identity(Elementwise):
    """f(x) = x; backward passes the gradient through unchanged (f′ = 1)."""

    def function(self, x):
        return x

    def derivative(self, x):
        return np.ones_like(x)


class Step(Elementwise):
    """Heaviside step, 1 where x ≥ 0 else 0. Forward only: its gradient is zero wherever it is
    defined, so backpropagation cannot train through it (chapter 2 uses the perceptron rule)."""

    def function(self, x):
        return F.step(x)

    def derivative(self, x):
        raise RuntimeError("Step has no useful gradient (0 almost everywhere, undefined at 0), so "
                           "backpropagation cannot pass through it; use Sigmoid, or train step units "
                           "with the perceptron rule")

    def backward(self, grad_output):
        return self.derivative(self._x)      # raises, with or without a forward first


class Softmax(Layer):
    """softmax along ``axis`` (default: the last, one distribution per row of a (N, C) batch).

    Backward is the Jacobian-vector product: with s = softmax(x) and upstream gradient g,
    dL/dx = s ⊙ (g − Σ_j g_j s_j) along ``axis``, without building the C×C Jacobian.
    For classification, prefer raw logits with ``CrossEntropyLoss``, which is more stable.
    """

    def __init__(self, axis=-1):
        self.axis = axis
        self._s = None

    def forward(self, x):
        self._s = F.softmax(x, axis=self.axis)
        return self._s

    def backward(self, grad_output):
        s = self._saved("_s")
        grad_output = as_float_array(grad_output, "grad_output")
        check_shape(grad_output, s.shape, "grad_output", "Softmax.backward")
        return s * (grad_output - (grad_output * s).sum(axis=self.axis, keepdims=True))

    def extra_repr(self):
        return f"axis={self.axis}"


#: Activation classes by name, as ``Neuron(activation=...)`` takes them.
ACTIVATIONS = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU, "leaky_relu": LeakyReLU, "elu": ELU,
               "gelu": GELU, "step": Step, "identity": Identity}
