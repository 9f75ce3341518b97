"""Layers with parameters."""

import numpy as np

from nnlib._checks import as_float_array, as_rng, as_size, check_shape
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

    def __init__(self, in_features, out_features, bias=True, rng=None, dtype="float64"):
        self.in_features = as_size(in_features, "in_features", "Linear")
        self.out_features = as_size(out_features, "out_features", "Linear")
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
            y += self.bias.data          # in place: y is a fresh array
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
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


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
        self._scale = keep / x.dtype.type(1.0 - self.p)       # mask / (1 − p), in x's dtype
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

    and the running statistics are updated for later use in eval mode, with a = ``momentum``
    (or a = 1/t for the t-th training batch when ``momentum=None``: a cumulative average):

        running_mean ← (1 − a)·running_mean + a·μ
        running_var  ← (1 − a)·running_var  + a·σ²·N/(N − 1)   (unbiased)

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
        ε > 0, added to the variance for numerical safety.
    momentum : float in [0, 1] or None
        Weight of the newest batch in the running statistics; None for a cumulative average
        of all batches so far (as in PyTorch).
    dtype : str or numpy dtype

    Attributes
    ----------
    weight : Parameter (γ), shape (D,), starts at 1
    bias : Parameter (β), shape (D,), starts at 0
    running_mean, running_var : ndarray, shape (D,), start at 0 and 1 (buffers, updated in place)
    num_batches_tracked : ndarray of int64, shape (), training batches seen (a buffer)

    Shapes
    ------
    - forward: x (N, D) -> y (N, D); training mode needs N ≥ 2.
    - backward: grad_output (N, D) -> grad_input (N, D).
    """

    buffers = ("running_mean", "running_var", "num_batches_tracked")

    def __init__(self, num_features, eps=1e-5, momentum=0.1, dtype="float64"):
        self.num_features = as_size(num_features, "num_features", "BatchNorm1d")
        if not eps > 0:
            raise ValueError(f"BatchNorm1d needs eps > 0, got {eps}")
        if momentum is not None and not 0 <= momentum <= 1:
            raise ValueError(f"BatchNorm1d needs momentum in [0, 1] (or None for a cumulative "
                             f"average), got {momentum}")
        self.eps = float(eps)
        self.momentum = None if momentum is None else float(momentum)
        self.weight = Parameter(np.ones(self.num_features, dtype=dtype))
        self.bias = Parameter(np.zeros(self.num_features, dtype=dtype))
        self.running_mean = np.zeros(self.num_features, dtype=dtype)
        self.running_var = np.ones(self.num_features, dtype=dtype)
        self.num_batches_tracked = np.zeros((), dtype=np.int64)
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
            self.num_batches_tracked += 1
            a = 1.0 / int(self.num_batches_tracked) if self.momentum is None else self.momentum
            self.running_mean[...] = (1 - a) * self.running_mean + a * mean
            self.running_var[...] = (1 - a) * self.running_var + a * var * n / (n - 1)
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


class LayerNorm(Layer):
    """Layer normalization (PyTorch's ``LayerNorm``): normalize each example over its last
    dimensions, with no dependence on the rest of the batch (so train and eval are the same).

    For each example, over the D = prod(normalized_shape) values of its last dimensions:

        μ = mean(x),  σ² = mean((x − μ)²)          (biased variance)
        x̂ = (x − μ) / √(σ² + ε),   y = γ ⊙ x̂ + β

    Backward, with g = dL/dy and the means taken over the same D values of each example:

        dL/dγ = Σ_n g ⊙ x̂,   dL/dβ = Σ_n g,   ĝ = γ ⊙ g,
        dL/dx = (1 / √(σ² + ε)) (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂))

    Parameters
    ----------
    normalized_shape : int or tuple of int
        The shape of the trailing dimensions to normalize, e.g. D for inputs (N, D).
    eps : float
        ε > 0, added to the variance for numerical safety.
    elementwise_affine : bool
        Whether to learn γ (``weight``, starts at 1) and β (``bias``, starts at 0).
    bias : bool
        Whether to learn β (only with ``elementwise_affine``).
    dtype : str or numpy dtype

    Attributes
    ----------
    weight : Parameter (γ) of shape normalized_shape, or None
    bias : Parameter (β) of shape normalized_shape, or None

    Shapes
    ------
    - forward: x of shape (N, …) + normalized_shape -> y of the same shape (N may be 1).
    - backward: grad_output of the same shape -> grad_input of the same shape.
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, dtype="float64"):
        shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else tuple(normalized_shape)
        self.normalized_shape = tuple(as_size(d, "normalized_shape", "LayerNorm") for d in shape)
        if not self.normalized_shape:
            raise ValueError("LayerNorm needs a non-empty normalized_shape")
        if not eps > 0:
            raise ValueError(f"LayerNorm needs eps > 0, got {eps}")
        self.eps = float(eps)
        self.elementwise_affine = bool(elementwise_affine)
        affine = self.elementwise_affine
        self.weight = Parameter(np.ones(self.normalized_shape, dtype=dtype)) if affine else None
        self.bias = Parameter(np.zeros(self.normalized_shape, dtype=dtype)) if affine and bias else None
        self._x_hat = None

    def forward(self, x):
        x = as_float_array(x)
        k = len(self.normalized_shape)
        if x.ndim <= k or x.shape[-k:] != self.normalized_shape:
            raise ValueError(f"LayerNorm.forward expected input of shape (N, ..., "
                             f"{', '.join(map(str, self.normalized_shape))}), got {tuple(x.shape)}")
        axes = tuple(range(-k, 0))
        mean = x.mean(axis=axes, keepdims=True)
        var = x.var(axis=axes, keepdims=True)
        self._inv_std = 1.0 / np.sqrt(var + self.eps)
        self._x_hat = (x - mean) * self._inv_std
        y = self._x_hat
        if self.weight is not None:
            y = self.weight.data * y
        if self.bias is not None:
            y = y + self.bias.data
        return y

    def backward(self, grad_output):
        x_hat = self._saved("_x_hat")
        grad_output = as_float_array(grad_output, "grad_output")
        check_shape(grad_output, x_hat.shape, "grad_output", "LayerNorm.backward")
        axes = tuple(range(-len(self.normalized_shape), 0))
        batch_axes = tuple(range(x_hat.ndim - len(self.normalized_shape)))
        if self.weight is not None:
            self.weight.grad += (grad_output * x_hat).sum(axis=batch_axes)
        if self.bias is not None:
            self.bias.grad += grad_output.sum(axis=batch_axes)
        g_hat = grad_output * self.weight.data if self.weight is not None else grad_output
        return self._inv_std * (g_hat - g_hat.mean(axis=axes, keepdims=True)
                                - x_hat * (g_hat * x_hat).mean(axis=axes, keepdims=True))

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
