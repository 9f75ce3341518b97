"""The core abstraction: ``Parameter``, ``Layer`` and ``Sequential``.

Every building block in nnlib is a :class:`Layer` with a forward and a backward pass::

    y = layer.forward(x)               # keeps what backward needs on the layer
    grad_x = layer.backward(grad_y)    # adds dL/dW into each Parameter.grad, returns dL/dx

Backward never changes weights; an optimizer (or your own update loop) does. Gradients
*accumulate* (``+=``), so call :meth:`Layer.zero_grad` before each new backward pass.
"""

import numpy as np


class Parameter:
    """A trainable array and its gradient.

    Attributes
    ----------
    data : ndarray
        The values, e.g. a weight matrix of shape ``(out_features, in_features)``.
    grad : ndarray
        dL/d(data), same shape and dtype as ``data``; filled by ``Layer.backward``.
    """

    def __init__(self, data):
        self.data = np.array(data, dtype=np.result_type(np.asarray(data).dtype, np.float32))
        self.grad = np.zeros_like(self.data)

    @property
    def shape(self):
        """The shape of ``data`` (and of ``grad``)."""
        return self.data.shape

    def zero_grad(self):
        """Set the gradient to zero in place."""
        self.grad[...] = 0

    def __repr__(self):
        return f"Parameter(shape={self.shape}, dtype={self.data.dtype})"


class Layer:
    """Base class of every layer: a forward/backward pair with parameters.

    Subclasses implement :meth:`forward` and :meth:`backward`. Parameters and sub-layers stored
    as attributes (or in lists of layers) are found automatically by :meth:`parameters`.
    ``training`` is ``True`` after construction; :meth:`eval` switches layers such as dropout
    to their test-time behaviour.
    """

    training = True

    def forward(self, x):
        """Compute the output for a batch ``x`` and remember what backward needs."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward(x)")

    def backward(self, grad_output):
        """Given dL/d(output), add dL/d(parameters) into ``.grad`` and return dL/d(input)."""
        raise NotImplementedError(f"{type(self).__name__} must implement backward(grad_output)")

    def __call__(self, x):
        """``layer(x)`` is ``layer.forward(x)``."""
        return self.forward(x)

    def children(self):
        """The sub-layers held directly by this layer, in attribute order."""
        for value in vars(self).values():
            if isinstance(value, Layer):
                yield value
            elif isinstance(value, (list, tuple)):
                yield from (v for v in value if isinstance(v, Layer))

    def parameters(self):
        """A list of every :class:`Parameter` of this layer and its sub-layers, without repeats."""
        found, seen = [], set()
        for value in vars(self).values():
            if isinstance(value, Parameter) and id(value) not in seen:
                seen.add(id(value))
                found.append(value)
        for child in self.children():
            for p in child.parameters():
                if id(p) not in seen:
                    seen.add(id(p))
                    found.append(p)
        return found

    def zero_grad(self):
        """Set every parameter's gradient to zero."""
        for p in self.parameters():
            p.zero_grad()

    def train(self, mode=True):
        """Switch this layer and its sub-layers to training mode (or eval mode if ``mode`` is False)."""
        self.training = bool(mode)
        for child in self.children():
            child.train(mode)
        return self

    def eval(self):
        """Switch to evaluation (test-time) mode; same as ``train(False)``."""
        return self.train(False)

    def _saved(self, name):
        """Return what forward stored under ``name``, or explain that forward must run first."""
        value = getattr(self, name, None)
        if value is None:
            raise RuntimeError(f"{type(self).__name__}.backward was called before forward: "
                               "run forward(x) on a batch first")
        return value

    def extra_repr(self):
        """Extra text shown inside ``repr(layer)``; override in subclasses."""
        return ""

    def __repr__(self):
        return f"{type(self).__name__}({self.extra_repr()})"


class Sequential(Layer):
    """Layers applied one after another.

    ``forward`` runs ``x`` through each layer in order; ``backward`` runs the gradient through
    them in reverse order (the chain rule, one block at a time). ``model[i]`` is the i-th layer,
    ``len(model)`` the number of layers, and ``for layer in model`` visits them in order.

    Example
    -------
    >>> from nnlib.layers import Linear
    >>> from nnlib.activations import Sigmoid
    >>> model = Sequential(Linear(2, 4, rng=0), Sigmoid(), Linear(4, 1, rng=1))
    >>> model(np.zeros((5, 2))).shape
    (5, 1)
    """

    def __init__(self, *layers):
        for layer in layers:
            if not isinstance(layer, Layer):
                raise TypeError(f"Sequential takes Layer objects, got {type(layer).__name__}")
        self.layers = list(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_output):
        for layer in reversed(self.layers):
            grad_output = layer.backward(grad_output)
        return grad_output

    def __getitem__(self, index):
        return self.layers[index]

    def __len__(self):
        return len(self.layers)

    def __repr__(self):
        inner = "\n".join(f"  ({i}): {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential(\n{inner}\n)"
