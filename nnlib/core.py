"""The core abstraction: ``Parameter``, ``Layer`` and ``Sequential``.

Every building block in nnlib is a :class:`Layer` with a forward and a backward pass::

    y = layer.forward(x)               # keeps what backward needs on the layer
    grad_x = layer.backward(grad_y)    # adds dL/dW into each Parameter.grad, returns dL/dx

Backward never changes weights; an optimizer (or your own update loop) does. Gradients
*accumulate* (``+=``), so call :meth:`Layer.zero_grad` before each new backward pass.

What forward keeps for backward is stored on the layer under names that start with an
underscore (``self._x = x``). :class:`Sequential` relies on that convention: for a layer that
occurs more than once in a model (``act = ReLU()`` used after every ``Linear``, as is common in
PyTorch code), it saves those attributes after each call's forward and puts them back before
that call's backward.

Calling a model as ``model(x)`` numbers the call. A loss remembers which call produced its
predictions, and ``loss_fn.backward()`` raises a clear error if the model has been called
again since (for example on validation data), because that call replaced what the model's
backward needs.

State like PyTorch: :meth:`Layer.state_dict` returns every parameter and buffer (for example
``BatchNorm1d``'s running statistics) by name, ``"0.weight"``, ``"2.running_mean"``, …, and
:meth:`Layer.load_state_dict` copies such a dict back in place.
"""

import collections
import weakref

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


# Which call of which layer produced an output array: id(output) -> (weakref to the output,
# weakref to the layer, the layer's call count). A loss looks its predictions up here, so that
# its backward can refuse a gradient whose forward pass has since been overwritten (see
# Layer.__call__ and nnlib.losses.Loss.backward). Entries go away with their output arrays.
_producers = {}


def _forget(key):
    _producers.pop(key, None)


def producer_of(output):
    """``(layer, call_number)`` of the ``layer(x)`` call that returned ``output`` (or a view of
    it), or ``None`` if no layer call made it."""
    for array in (output, getattr(output, "base", None)):
        entry = _producers.get(id(array)) if array is not None else None
        if entry is not None and entry[0]() is array and entry[1]() is not None:
            return entry[1](), entry[2]
    return None


class Layer:
    """Base class of every layer: a forward/backward pair with parameters.

    Subclasses implement :meth:`forward` and :meth:`backward`. Parameters and sub-layers stored
    as attributes (or in lists of layers) are found automatically by :meth:`parameters`;
    arrays named in the class attribute ``buffers`` (state that is not trained, such as running
    statistics) are saved by :meth:`state_dict` with the parameters. ``training`` is ``True``
    after construction; :meth:`eval` switches layers such as dropout to their test-time
    behaviour.
    """

    training = True
    buffers = ()
    _calls = 0

    def forward(self, x):
        """Compute the output for a batch ``x`` and remember what backward needs."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward(x)")

    def backward(self, grad_output):
        """Given dL/d(output), add dL/d(parameters) into ``.grad`` and return dL/d(input)."""
        raise NotImplementedError(f"{type(self).__name__} must implement backward(grad_output)")

    def __call__(self, x):
        """``layer(x)`` is ``layer.forward(x)``; it also numbers the call, so that a loss can
        tell when the layer was called on other data before the backward pass."""
        out = self.forward(x)
        self._calls += 1
        if isinstance(out, np.ndarray):
            key = id(out)
            _producers[key] = (weakref.ref(out, lambda _, key=key: _forget(key)), weakref.ref(self), self._calls)
        return out

    def named_children(self):
        """``(name, layer)`` for each sub-layer held directly by this layer, in attribute order
        (a list attribute ``blocks`` gives the names ``blocks.0``, ``blocks.1``, …)."""
        for name, value in vars(self).items():
            if isinstance(value, Layer):
                yield name, value
            elif isinstance(value, (list, tuple)):
                yield from ((f"{name}.{i}", v) for i, v in enumerate(value) if isinstance(v, Layer))

    def children(self):
        """The sub-layers held directly by this layer, in attribute order."""
        return (layer for _, layer in self.named_children())

    def named_parameters(self, prefix=""):
        """``(name, Parameter)`` for this layer and its sub-layers, e.g. ``("0.weight", W)``,
        without repeats (a shared parameter is listed once, under its first name)."""
        seen = set()
        for name, p in self._named_state(prefix, want=Parameter):
            if id(p) not in seen:
                seen.add(id(p))
                yield name, p

    def parameters(self):
        """A list of every :class:`Parameter` of this layer and its sub-layers, without repeats."""
        return [p for _, p in self.named_parameters()]

    def named_buffers(self, prefix=""):
        """``(name, ndarray)`` for every buffer (non-trained state such as ``running_mean``)."""
        return list(self._named_state(prefix, want=np.ndarray))

    def _named_state(self, prefix, want):
        if want is Parameter:
            own = ((n, v) for n, v in vars(self).items() if isinstance(v, Parameter))
        else:
            own = ((n, getattr(self, n)) for n in self.buffers)
        for name, value in own:
            yield prefix + name, value
        for name, child in self.named_children():
            yield from child._named_state(f"{prefix}{name}.", want)

    def state_dict(self):
        """Every parameter's ``data`` and every buffer, by name, as in PyTorch.

        The arrays are the layer's own (not copies), so the dict follows later training;
        take a snapshot with ``{k: v.copy() for k, v in model.state_dict().items()}``.

        Returns
        -------
        dict of str -> ndarray
            Keys such as ``"0.weight"``, ``"0.bias"``, ``"1.running_mean"``, in model order.
        """
        state = collections.OrderedDict()
        self._collect_state("", state)
        return state

    def _collect_state(self, prefix, state):
        """Add this layer's parameters, then its buffers, then each sub-layer's (PyTorch's order)."""
        for name, value in vars(self).items():
            if isinstance(value, Parameter):
                state[prefix + name] = value.data
        for name in self.buffers:
            state[prefix + name] = getattr(self, name)
        for name, child in self.named_children():
            child._collect_state(f"{prefix}{name}.", state)

    def load_state_dict(self, state_dict, strict=True):
        """Copy the arrays of ``state_dict`` into this layer's parameters and buffers, in place.

        Parameters
        ----------
        state_dict : dict of str -> array_like
            As returned by :meth:`state_dict` (from this model or one of the same architecture).
        strict : bool
            If True (default), the keys must match :meth:`state_dict`'s exactly.

        Returns
        -------
        (missing_keys, unexpected_keys) : tuple of two lists of str
            Both empty when ``strict`` is True (otherwise a ``KeyError`` is raised).

        Raises ``ValueError`` when an array's shape does not match.
        """
        own = self.state_dict()
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        if strict and (missing or unexpected):
            raise KeyError(f"{type(self).__name__}.load_state_dict: missing keys {missing}, "
                           f"unexpected keys {unexpected}; is it the state of another architecture?")
        for name, target in own.items():
            if name not in state_dict:
                continue
            value = np.asarray(state_dict[name])
            if value.shape != target.shape:
                raise ValueError(f"{type(self).__name__}.load_state_dict: {name!r} has shape "
                                 f"{value.shape} in the state dict but {target.shape} in the model")
            target[...] = value
        return missing, unexpected

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


def _saved_by_forward(layer):
    """What a forward call left on ``layer`` and its sub-layers: their ``_name`` attributes."""
    saved = [(layer, {k: v for k, v in vars(layer).items() if k[0] == "_" and k != "_calls"})]
    for child in layer.children():
        saved.extend(_saved_by_forward(child))
    return saved


def _all_layers(layer):
    """``layer`` and every layer below it, with repeats."""
    yield layer
    for child in layer.children():
        yield from _all_layers(child)


class Sequential(Layer):
    """Layers applied one after another.

    ``forward`` runs ``x`` through each layer in order; ``backward`` runs the gradient through
    them in reverse order (the chain rule, one block at a time). ``model[i]`` is the i-th layer,
    ``len(model)`` the number of layers, and ``for layer in model`` visits them in order.

    The same layer object may appear more than once (an activation reused after every
    ``Linear``, or a shared block): after each forward of such a layer, Sequential keeps what
    that call stored (the layer's ``_name`` attributes) and puts it back before the matching
    backward, so every use gets the gradient of its own input.

    Shapes
    ------
    - forward: x (N, D) -> the last layer's output
    - backward: dL/d(output) -> dL/dx, shape (N, D)

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
        self._per_call = None

    def named_children(self):
        """``("0", first layer), ("1", second layer), …`` as in PyTorch's state-dict keys."""
        return ((str(i), layer) for i, layer in enumerate(self.layers))

    def _reused(self):
        """For each position, whether its layer (or a layer inside it) occurs more than once in
        this model, so that what its forward stores must be kept per call."""
        key = tuple(map(id, self.layers))
        if getattr(self, "_reused_for", (None,))[0] != key:
            ids = [[id(layer) for layer in _all_layers(top)] for top in self.layers]
            counts = collections.Counter(i for sub in ids for i in sub)
            self._reused_for = (key, [any(counts[i] > 1 for i in sub) for sub in ids])
        return self._reused_for[1]

    def forward(self, x):
        per_call = []
        for layer, reused in zip(self.layers, self._reused()):
            x = layer.forward(x)
            per_call.append(_saved_by_forward(layer) if reused else ())
        self._per_call = per_call
        return x

    def backward(self, grad_output):
        per_call = self._saved("_per_call")
        for layer, saved in zip(reversed(self.layers), reversed(per_call)):
            for owner, attributes in saved:           # what this call of a reused layer stored
                vars(owner).update(attributes)
            grad_output = layer.backward(grad_output)
        return grad_output

    def __getitem__(self, index):
        return self.layers[index]

    def __len__(self):
        return len(self.layers)

    def __repr__(self):
        inner = "\n".join(f"  ({i}): {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential(\n{inner}\n)"
