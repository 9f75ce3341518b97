"""Optimizers: they read each ``Parameter.grad`` and update ``Parameter.data`` in place.

The update rules and defaults are PyTorch's (``torch.optim``), so results carry over. With
g the gradient of parameter θ at step t (t = 1, 2, ...), and weight decay λ added first as
g ← g + λθ:

- SGD with momentum μ: v ← μ v + g (v = g at the first step), θ ← θ − lr · v
- RMSprop: s ← α s + (1 − α) g², θ ← θ − lr · g / (√s + ε)
- Adam: m ← β₁ m + (1 − β₁) g, v ← β₂ v + (1 − β₂) g²,
  m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ), θ ← θ − lr · m̂ / (√v̂ + ε)

A training step is always::

    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    model.backward(loss_fn.backward())
    optimizer.step()

As in PyTorch, ``params`` may also be a list of *parameter groups*, dicts with their own
``lr`` or ``weight_decay``; a group without them uses the optimizer's. For example, weight
decay on the weights but not on the biases::

    Adam([{"params": weights, "weight_decay": 0.01}, {"params": biases}], lr=0.01)
"""

import math

import numpy as np

from nnlib.core import Parameter


class Optimizer:
    """Base class: holds the parameters and one state dict per parameter.

    Parameters
    ----------
    params : iterable of Parameter, or list of dict
        Usually ``model.parameters()``. Or parameter groups: dicts with a ``"params"`` list and,
        optionally, their own ``"lr"`` and ``"weight_decay"``.
    lr : float
        Learning rate, > 0 (the default for groups that do not set their own).
    weight_decay : float
        λ ≥ 0; adds λθ to every gradient (an L2 penalty of (λ/2)·‖θ‖²).

    Attributes
    ----------
    params : list of Parameter
        Every parameter, group after group.
    settings : list of (float, float)
        ``(lr, weight_decay)`` of each parameter, in the order of ``params``.
    """

    def __init__(self, params, lr, weight_decay=0.0):
        name = type(self).__name__
        items = list(params)
        groups = items if items and all(isinstance(g, dict) for g in items) else [{"params": items}]
        self.params, self.settings, seen = [], [], set()
        for group in groups:
            unknown = set(group) - {"params", "lr", "weight_decay"}
            if "params" not in group or unknown:
                raise ValueError(f"{name}: a parameter group is a dict with 'params' and optionally 'lr' and "
                                 f"'weight_decay', got keys {sorted(group)}")
            group_lr, group_decay = float(group.get("lr", lr)), float(group.get("weight_decay", weight_decay))
            if not group_lr > 0:
                raise ValueError(f"learning rate must be positive, got lr={group_lr}")
            if group_decay < 0:
                raise ValueError(f"weight_decay must be >= 0, got {group_decay}")
            for p in group["params"]:
                if not isinstance(p, Parameter):
                    raise TypeError(f"{name} expected nnlib Parameters, got {type(p).__name__}; "
                                    "pass model.parameters() (or a list of parameter-group dicts)")
                if id(p) in seen:
                    raise ValueError(f"{name}: a parameter appears twice (in one group or in two groups)")
                seen.add(id(p))
                self.params.append(p)
                self.settings.append((group_lr, group_decay))
        if not self.params:
            raise ValueError(f"{name} got an empty parameter list: pass model.parameters()")
        self.lr = float(lr)
        self.state = [{} for _ in self.params]
        self.steps = 0

    def zero_grad(self):
        """Set every parameter's gradient to zero (gradients accumulate in backward)."""
        for p in self.params:
            p.zero_grad()

    def step(self):
        """Apply one update to every parameter, using its current ``grad``."""
        self.steps += 1
        for p, state, (lr, weight_decay) in zip(self.params, self.state, self.settings):
            g = p.grad + weight_decay * p.data if weight_decay else p.grad
            p.data -= self._update(g, state, lr)

    def _update(self, g, state, lr):
        """Return the amount to subtract from θ given its (decayed) gradient g and learning rate.

        ``state`` is this parameter's dict; the returned array may be a buffer kept in it.
        Updates work in place on buffers of the parameter's dtype, so float32 stays float32.
        """
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}(lr={self.lr}, {len(self.params)} parameters)"


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (heavy-ball) momentum.

    ``v ← μ v + g`` (v = g at the first step), then ``θ ← θ − lr · v``. With μ = 0 this is
    plain gradient descent, θ ← θ − lr · g.

    Parameters
    ----------
    params : iterable of Parameter, or list of dict (parameter groups)
    lr : float
    momentum : float
        μ in [0, 1).
    weight_decay : float
    """

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}")
        self.momentum = float(momentum)

    def _update(self, g, state, lr):
        if not self.momentum:
            return lr * g
        if "velocity" not in state:
            state["velocity"] = g.copy()
        else:
            v = state["velocity"]
            v *= self.momentum
            v += g
        return lr * state["velocity"]


class RMSprop(Optimizer):
    """RMSprop: divide each step by a running root-mean-square of recent gradients.

    ``s ← α s + (1 − α) g²`` (s starts at 0), then ``θ ← θ − lr · g / (√s + ε)``.

    Parameters
    ----------
    params : iterable of Parameter, or list of dict (parameter groups)
    lr : float
        Default 0.01 as in PyTorch.
    alpha : float
        Decay rate α of the running average.
    eps : float
    weight_decay : float
    """

    def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        if not 0 <= alpha < 1:
            raise ValueError(f"alpha must be in [0, 1), got {alpha}")
        self.alpha, self.eps = float(alpha), float(eps)

    def _update(self, g, state, lr):
        if "square_avg" not in state:
            state["square_avg"], state["buffer"] = np.zeros_like(g), np.empty_like(g)
        s, buf = state["square_avg"], state["buffer"]
        s *= self.alpha
        np.multiply(g, g, out=buf)
        s += (1 - self.alpha) * buf
        np.sqrt(s, out=buf)
        buf += self.eps
        np.divide(g, buf, out=buf)
        buf *= lr
        return buf


class Adam(Optimizer):
    """Adam: momentum on the gradient and RMSprop-style scaling, both bias-corrected.

    ``m ← β₁ m + (1 − β₁) g``, ``v ← β₂ v + (1 − β₂) g²``, ``m̂ = m / (1 − β₁ᵗ)``,
    ``v̂ = v / (1 − β₂ᵗ)``, then ``θ ← θ − lr · m̂ / (√v̂ + ε)``. The bias correction
    undoes the pull of m = v = 0 towards zero in the first steps.

    Parameters
    ----------
    params : iterable of Parameter, or list of dict (parameter groups)
    lr : float
        Default 0.001 as in PyTorch.
    betas : (float, float)
        (β₁, β₂), each in [0, 1).
    eps : float
    weight_decay : float
        Added to the gradient (PyTorch's ``Adam``, not the decoupled ``AdamW``).
    """

    def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        if not all(0 <= b < 1 for b in betas) or len(betas) != 2:
            raise ValueError(f"betas must be two numbers in [0, 1), got {betas}")
        self.betas, self.eps = (float(betas[0]), float(betas[1])), float(eps)

    def _update(self, g, state, lr):
        b1, b2 = self.betas
        if "m" not in state:
            state["m"], state["v"], state["buffer"] = np.zeros_like(g), np.zeros_like(g), np.empty_like(g)
        m, v, buf = state["m"], state["v"], state["buffer"]
        np.multiply(g, 1 - b1, out=buf)
        m *= b1
        m += buf
        np.multiply(g, g, out=buf)
        buf *= 1 - b2
        v *= b2
        v += buf
        # lr · m̂ / (√v̂ + ε) = (lr·√c₂/c₁) · m / (√v + ε·√c₂) with c₁ = 1 − β₁ᵗ, c₂ = 1 − β₂ᵗ:
        # the same number as PyTorch's, in four passes over the array instead of five. The scalars
        # are Python floats: a NumPy float64 scalar would make a float32 update run in float64.
        c1, root_c2 = 1 - b1 ** self.steps, math.sqrt(1 - b2 ** self.steps)
        np.sqrt(v, out=buf)
        buf += self.eps * root_c2
        np.divide(m, buf, out=buf)
        buf *= lr * root_c2 / c1
        return buf
