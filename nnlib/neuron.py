"""A single artificial neuron (chapter 1): a weighted sum followed by an activation.

    z = w · x + b        (pre-activation: how strongly the inputs vote, plus an offset)
    a = f(z)             (activation)

With the sigmoid as f, a neuron outputs ŷ = σ(w · x + b) = P(y = 1 | x): it *is* binary
logistic regression, and its decision boundary is the hyperplane w · x + b = 0.
"""

import numpy as np

from nnlib._checks import as_float_array, as_rng, check_shape
from nnlib import activations
from nnlib.core import Layer, Parameter

# The neuron pairs f with f′ the one way nnlib does: through an activation class
# (nnlib.activations), whose function(z) is f(z) and derivative(z) is f′(z).
NEURON_ACTIVATIONS = ("sigmoid", "tanh", "relu", "step", "identity")


class Neuron(Layer):
    """One neuron with weights ``w``, bias ``b`` and an activation ``f``.

    Parameters
    ----------
    weights : array_like, shape (D,)
        One weight per input feature.
    bias : float
        The offset b. With a step activation the neuron fires when w · x ≥ −b, so −b acts as
        a threshold; in general the bias shifts the boundary, it is not a slope.
    activation : {"sigmoid", "tanh", "relu", "step", "identity"}
        The name of an activation class of :mod:`nnlib.activations` (``Sigmoid``, ``Tanh``, …),
        which supplies f and its derivative f′.

    Attributes
    ----------
    weight : Parameter, shape (D,)
    bias : Parameter, shape ()

    Shapes
    ------
    - forward: x (D,) -> a scalar, or a batch x (N, D) -> a (N,)
    - backward: grad_output with the shape of the output -> grad_input with the shape of x,
      and adds dL/dw = Σ_n δ_n x_n and dL/db = Σ_n δ_n, where δ = grad_output ⊙ f′(z)
    """

    def __init__(self, weights, bias=0.0, activation="sigmoid"):
        if activation not in NEURON_ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(NEURON_ACTIVATIONS)}, got {activation!r}")
        weights = as_float_array(weights, "weights")
        check_shape(weights, (None,), "weights", "Neuron")
        self.weight = Parameter(weights)
        self.bias = Parameter(np.asarray(bias, dtype=self.weight.data.dtype))
        check_shape(self.bias.data, (), "bias", "Neuron")
        self.activation = activation
        self.f = activations.ACTIVATIONS[activation]()     # f.function(z) = f(z), f.derivative(z) = f′(z)
        self._x = self._z = None

    @classmethod
    def random(cls, n_inputs, activation="sigmoid", rng=None, scale=0.01):
        """A neuron with small random weights w ~ N(0, scale²) and zero bias."""
        return cls(as_rng(rng).normal(0.0, scale, int(n_inputs)), 0.0, activation)

    @property
    def n_inputs(self):
        """D, the number of inputs (weights)."""
        return self.weight.shape[0]

    def _batch(self, x):
        x = as_float_array(x)
        if x.ndim == 1:
            check_shape(x, (self.n_inputs,), "input", "Neuron")
            return x[None, :], True
        check_shape(x, (None, self.n_inputs), "input", "Neuron")
        return x, False

    def preactivation(self, x):
        """z = w · x + b for one example (D,) -> scalar, or a batch (N, D) -> (N,)."""
        batch, single = self._batch(x)
        z = batch @ self.weight.data + self.bias.data
        return z[0] if single else z

    def forward(self, x):
        batch, single = self._batch(x)
        z = self.preactivation(batch)
        self._x, self._z, self._single = batch, z, single
        a = self.f.function(z)
        return a[0] if single else a

    def backward(self, grad_output):
        z = self._saved("_z")
        grad = as_float_array(grad_output, "grad_output").reshape(-1)
        check_shape(grad, z.shape, "grad_output (one value per example)", "Neuron.backward")
        delta = grad * self.f.derivative(z)
        self.weight.grad += delta @ self._x
        self.bias.grad += delta.sum()
        grad_input = np.outer(delta, self.weight.data)
        return grad_input[0] if self._single else grad_input

    def extra_repr(self):
        return f"n_inputs={self.n_inputs}, activation={self.activation!r}"


class Perceptron(Neuron):
    """Rosenblatt's perceptron (1958): a step neuron trained by the perceptron learning rule.

    Prediction: ŷ = step(w · x + b) ∈ {0, 1}. For every example, in order:

        w ← w + η (y − ŷ) x,     b ← b + η (y − ŷ)

    so nothing changes when the prediction is right, and a mistake moves the boundary toward
    the misclassified point. (The bias is the weight of a constant input 1: the "bias trick".)
    On linearly separable data it stops making mistakes after at most (R/γ)² updates
    (Novikoff), where R = max ‖x‖ and γ is the margin of the best separating hyperplane
    (for the bias-augmented inputs); on data that is not separable it never settles.

    Parameters
    ----------
    n_inputs : int
        D, the number of features. Weights and bias start at 0.
    lr : float
        η, the learning rate (with zero initial weights, any η > 0 gives the same predictions in
        exact arithmetic; in floating point, rounding can break exact ties at z = 0).

    Attributes
    ----------
    mistakes_ : list of int
        Mistakes made in each epoch of the last :meth:`fit`.

    Shapes
    ------
    - X (N, D), labels y (N,) with values 0 or 1.
    """

    def __init__(self, n_inputs, lr=1.0):
        super().__init__(np.zeros(int(n_inputs)), 0.0, activation="step")
        if not lr > 0:
            raise ValueError(f"Perceptron needs a positive learning rate, got lr={lr}")
        self.lr = float(lr)
        self.mistakes_ = []

    def predict(self, X):
        """ŷ ∈ {0, 1} for one example (D,) or each row of a batch (N, D)."""
        return self.forward(X).astype(np.int64)

    def _check_labels(self, X, y):
        X, _ = self._batch(X)
        y = np.asarray(y)
        if y.shape != (X.shape[0],):
            raise ValueError(f"Perceptron expected labels of shape ({X.shape[0]},), got {y.shape}")
        if not np.isin(y, (0, 1)).all():
            raise ValueError("Perceptron expected labels 0 and 1; for labels −1/+1 use (y > 0).astype(int)")
        return X, y

    def train_epoch(self, X, y):
        """One pass over the examples in order, updating after each mistake. Returns the mistakes."""
        X, y = self._check_labels(X, y)
        mistakes = 0
        for x_i, y_i in zip(X, y):
            error = y_i - (self.preactivation(x_i) >= 0)
            if error:
                self.weight.data += self.lr * error * x_i
                self.bias.data += self.lr * error
                mistakes += 1
        return mistakes

    def fit(self, X, y, epochs=100):
        """Run :meth:`train_epoch` until an epoch makes no mistake, or ``epochs`` passes.

        Records the mistakes per epoch in ``mistakes_`` and returns ``self``.
        """
        self.mistakes_ = []
        for _ in range(int(epochs)):
            self.mistakes_.append(self.train_epoch(X, y))
            if self.mistakes_[-1] == 0:
                break
        return self

    def extra_repr(self):
        return f"n_inputs={self.n_inputs}, lr={self.lr}"
