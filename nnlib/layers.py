"""Layers with parameters."""

import numpy as np

from nnlib._checks import as_float_array, as_rng, check_shape
from nnlib.core import Layer, Parameter


class Linear(Layer):
    """Fully connected (dense) layer: y = x Wᵀ + b, over a batch.

    Initialisation follows PyTorch: W and b are drawn from U(−k, k) with k = 1/√in_features.

    Parameters
    ----------
    in_features : int
        The size of each input row.
    out_features : int
        The size of each output row.
    bias : bool
        Whether to learn an additive bias ``b`` (default True).
    rng : numpy.random.Generator, int or None
        Source of the initial weights (a seed makes them reproducible).
    dtype : str or numpy dtype
        ``"float64"`` (default; needed for gradient checks) or ``"float32"`` (faster).
    input_grad : bool
        Whether backward computes dL/dx (default True). Set it to False on a network's first
        layer, whose input is data that nobody differentiates: backward then skips that matrix
        product (a third of the layer's backward work) and returns None, as PyTorch skips
        gradients for inputs that do not require them.

    Attributes
    ----------
    weight : Parameter, shape (out_features, in_features)
    bias : Parameter, shape (out_features,) or None

    Shapes
    ------
    - forward: x (N, in_features) -> y (N, out_features)
    - backward: grad_output (N, out_features) -> grad_input = grad_output W, shape (N, in_features),
      and adds dL/dW = grad_outputᵀ x, shape (out_features, in_features),
      and dL/db = Σ_n grad_output[n], shape (out_features,)
    """

    def __init__(self, in_features, out_features, bias=True, rng=None, dtype="float64", input_grad=True):
        if int(in_features) < 1 or int(out_features) < 1:
            raise ValueError(f"Linear needs positive sizes, got in_features={in_features}, "
                             f"out_features={out_features}")
        self.in_features, self.out_features = int(in_features), int(out_features)
        rng = as_rng(rng)
        k = 1.0 / np.sqrt(self.in_features)
        self.weight = Parameter(rng.uniform(-k, k, (self.out_features, self.in_features)).astype(dtype))
        self.bias = Parameter(rng.uniform(-k, k, self.out_features).astype(dtype)) if bias else None
        self.input_grad = bool(input_grad)
        self._x = None

    def forward(self, x):
        x = as_float_array(x)
        check_shape(x, (None, self.in_features), "input", "Linear.forward")
        self._x = x
        y = x @ self.weight.data.T
        if self.bias is not None:
            y += self.bias.data          # in place: y is a fresh array
        return y

    def backward(self, grad_output):
        x = self._saved("_x")
        grad_output = as_float_array(grad_output, "grad_output")
        check_shape(grad_output, (x.shape[0], self.out_features), "grad_output", "Linear.backward")
        self.weight.grad += grad_output.T @ x
        if self.bias is not None:
            self.bias.grad += grad_output.sum(axis=0)
        return grad_output @ self.weight.data if self.input_grad else None

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}" + ("" if self.input_grad else ", input_grad=False"))


class Dropout(Layer):
    """Inverted dropout: during training, zero each input with probability ``p`` and scale the
    survivors by 1/(1 − p); in eval mode, the identity.

    The scaling keeps the expected value of every unit unchanged, E[y] = x, so nothing needs to
    change at test time: the whole network is used, with no rescaling and no re-training.
    Training with dropout samples a different sub-network for every batch; using all units at
    test time approximately averages that ensemble.

    Parameters
    ----------
    p : float in [0, 1)
        Probability of *dropping* a unit (PyTorch's convention), e.g. 0.2.
    rng : numpy.random.Generator, int or None
        Source of the dropout masks.

    Shapes
    ------
    - forward: any shape; the output has the shape of the input.
    - backward: dL/dx = dL/dy ⊙ mask / (1 − p) in training mode, dL/dy in eval mode.
    """

    def __init__(self, p=0.5, rng=None):
        if not 0 <= p < 1:
            raise ValueError(f"Dropout needs 0 <= p < 1 (the probability of dropping a unit), got {p}")
        self.p = float(p)
        self.rng = as_rng(rng)
        self._scale = None

    def forward(self, x):
        x = as_float_array(x)
        if not self.training or self.p == 0:
            self._scale = np.ones((), dtype=x.dtype)
            return x
        keep = self.rng.random(x.shape, dtype=x.dtype if x.dtype == np.float32 else np.float64) >= self.p
        self._scale = keep.astype(x.dtype) / x.dtype.type(1.0 - self.p)
        return x * self._scale

    def backward(self, grad_output):
        scale = self._saved("_scale")
        grad_output = as_float_array(grad_output, "grad_output")
        if scale.ndim:
            check_shape(grad_output, scale.shape, "grad_output", "Dropout.backward")
        return grad_output * scale

    def extra_repr(self):
        return f"p={self.p}"


class BatchNorm1d(Layer):
    """Batch normalization over a batch of feature vectors (PyTorch's ``BatchNorm1d``).

    Training mode, for each feature over the N examples of the batch:

        μ = mean(x),  σ² = mean((x − μ)²)          (biased variance)
        x̂ = (x − μ) / √(σ² + ε),   y = γ x̂ + β

    and the running statistics are updated for later use in eval mode:

        running_mean ← (1 − momentum)·running_mean + momentum·μ
        running_var  ← (1 − momentum)·running_var  + momentum·σ²·N/(N − 1)   (unbiased)

    Eval mode uses x̂ = (x − running_mean) / √(running_var + ε) instead, so a prediction does
    not depend on the other examples in the batch.

    Backward in training mode (every example influences μ and σ²), with g = dL/dy:

        dL/dγ = Σ_n g ⊙ x̂,   dL/dβ = Σ_n g,
        dL/dx = (γ / √(σ² + ε)) ⊙ (g − mean(g) − x̂ ⊙ mean(g ⊙ x̂))

    Parameters
    ----------
    num_features : int
        D, the number of features.
    eps : float
        ε, added to the variance for numerical safety.
    momentum : float
        Weight of the newest batch in the running statistics.
    dtype : str or numpy dtype

    Attributes
    ----------
    weight : Parameter (γ), shape (D,), starts at 1
    bias : Parameter (β), shape (D,), starts at 0
    running_mean, running_var : ndarray, shape (D,), start at 0 and 1

    Shapes
    ------
    - forward: x (N, D) -> y (N, D); training mode needs N ≥ 2.
    - backward: grad_output (N, D) -> grad_input (N, D).
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, dtype="float64"):
        self.num_features = int(num_features)
        self.eps, self.momentum = float(eps), float(momentum)
        self.weight = Parameter(np.ones(self.num_features, dtype=dtype))
        self.bias = Parameter(np.zeros(self.num_features, dtype=dtype))
        self.running_mean = np.zeros(self.num_features, dtype=dtype)
        self.running_var = np.ones(self.num_features, dtype=dtype)
        self._x_hat = None

    def forward(self, x):
        x = as_float_array(x)
        check_shape(x, (None, self.num_features), "input", "BatchNorm1d.forward")
        if self.training:
            n = x.shape[0]
            if n < 2:
                raise ValueError("BatchNorm1d needs at least 2 examples per batch in training mode "
                                 "(the variance of one example is 0); call .eval() to predict one example")
            mean, var = x.mean(axis=0), x.var(axis=0)
            self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mean
            self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var * n / (n - 1)
        else:
            mean, var = self.running_mean, self.running_var
        self._inv_std = 1.0 / np.sqrt(var + self.eps)
        self._x_hat = (x - mean) * self._inv_std
        self._batch_stats = self.training
        return self.weight.data * self._x_hat + self.bias.data

    def backward(self, grad_output):
        x_hat = self._saved("_x_hat")
        grad_output = as_float_array(grad_output, "grad_output")
        check_shape(grad_output, x_hat.shape, "grad_output", "BatchNorm1d.backward")
        self.weight.grad += (grad_output * x_hat).sum(axis=0)
        self.bias.grad += grad_output.sum(axis=0)
        scale = self.weight.data * self._inv_std
        if not self._batch_stats:
            return grad_output * scale
        return scale * (grad_output - grad_output.mean(axis=0)
                        - x_hat * (grad_output * x_hat).mean(axis=0))

    def extra_repr(self):
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"
