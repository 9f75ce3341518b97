"""Optimizers: they read each ``Parameter.grad`` and update ``Parameter.data`` in place.

The update rules, defaults and state names are PyTorch's (``torch.optim``), so results and
habits carry over. Each optimizer's ``step()`` is its docstring's update rule, line by line.
With g the gradient of a parameter θ and t = 1, 2, … the step number:

- ``SGD``: with momentum μ, b ← μb + g (b = g at the first step), θ ← θ − lr·b
  (Nesterov: θ ← θ − lr·(g + μb)); without momentum, θ ← θ − lr·g
- ``RMSprop``: s ← αs + (1 − α)g², θ ← θ − lr·g / (√s + ε)
- ``Adam``: m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ),
  θ ← θ − lr·m̂ / (√v̂ + ε)
- ``AdamW``: Adam, but weight decay shrinks θ directly: θ ← θ − lr·λθ before the Adam step

Weight decay: ``weight_decay=λ`` adds λθ to the gradient, g ← g + λθ (PyTorch's convention);
``AdamW`` subtracts lr·λθ from θ directly instead. How this λ relates to the ``lam`` of the
penalty helpers is stated once, in :mod:`nnlib.regularization`.

A training step is always::

    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    model.backward(loss_fn.backward())
    optimizer.step()

State like PyTorch: ``optimizer.param_groups`` is a list of dicts, one per parameter group,
each with its ``"params"`` and hyperparameters (``"lr"``, ``"weight_decay"``, …) that can be
read and changed between steps, e.g. by a scheduler from :mod:`nnlib.optim.lr_scheduler`;
``optimizer.state[p]`` holds each parameter's buffers (``momentum_buffer``, ``exp_avg``,
``exp_avg_sq``, ``step``; updated in place, as in PyTorch); ``state_dict()`` /
``load_state_dict()`` save and restore both.
``params`` may be ``model.parameters()`` or a list of parameter-group dicts with their own
settings; for example, weight decay on the weights but not on the biases::

    Adam([{"params": weights, "weight_decay": 0.01}, {"params": biases}], lr=0.01)
"""

import copy
import math

import numpy as np

from nnlib.core import Parameter


class Optimizer:
    """Base class: parameter groups, per-parameter state, ``zero_grad`` and ``state_dict``.

    Parameters
    ----------
    params : iterable of Parameter, or list of dict
        Usually ``model.parameters()``. Or parameter groups: dicts with a ``"params"`` list and,
        optionally, their own values for any of the optimizer's hyperparameters.
    defaults : dict
        The hyperparameters (``lr``, ``weight_decay``, …) for groups that do not set their own.

    Attributes
    ----------
    param_groups : list of dict
        One dict per group: ``"params"`` (a list of Parameter) and every hyperparameter. Change
        ``group["lr"]`` to change the learning rate (``optimizer.lr = …`` is an error).
    state : dict
        ``state[p]`` is parameter p's dict of buffers, filled at its first step.
    defaults : dict
    """

    def __init__(self, params, defaults):
        object.__setattr__(self, "defaults", dict(defaults))
        self.param_groups, self.state = [], {}
        items = list(params)
        groups = items if items and all(isinstance(g, dict) for g in items) else [{"params": items}]
        for group in groups:
            self.add_param_group(group)
        if not any(group["params"] for group in self.param_groups):
            raise ValueError(f"{type(self).__name__} got an empty parameter list: pass model.parameters()")

    def add_param_group(self, group):
        """Add a dict ``{"params": [...], "lr": ..., ...}``; missing settings come from ``defaults``."""
        name = type(self).__name__
        if not isinstance(group, dict) or "params" not in group or set(group) - {"params", *self.defaults}:
            raise ValueError(f"{name}: a parameter group is a dict with 'params' and optionally "
                             f"{', '.join(repr(k) for k in self.defaults)}, got "
                             f"{sorted(group) if isinstance(group, dict) else type(group).__name__}")
        params = [group["params"]] if isinstance(group["params"], Parameter) else list(group["params"])
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        for p in params:
            if not isinstance(p, Parameter):
                raise TypeError(f"{name} expected nnlib Parameters, got {type(p).__name__}; "
                                "pass model.parameters() (or a list of parameter-group dicts)")
            if id(p) in seen:
                raise ValueError(f"{name}: a parameter appears twice (in one group or in two groups)")
            seen.add(id(p))
        full = {**self.defaults, **group, "params": params}
        self._check_settings(full)
        self.param_groups.append(full)

    def _check_settings(self, group):
        """Raise a ValueError for a hyperparameter out of range (subclasses add their own)."""
        if not group["lr"] > 0:
            raise ValueError(f"learning rate must be positive, got lr={group['lr']}")
        if not group.get("weight_decay", 0.0) >= 0:
            raise ValueError(f"weight_decay must be >= 0, got {group['weight_decay']}")
        if not group.get("eps", 0.0) >= 0:
            raise ValueError(f"eps must be >= 0 (it keeps the division away from zero), got {group['eps']}")

    def zero_grad(self):
        """Set every parameter's gradient to zero (gradients accumulate in backward)."""
        for group in self.param_groups:
            for p in group["params"]:
                p.zero_grad()

    def step(self):
        """Apply one update to every parameter, using its current ``grad``."""
        raise NotImplementedError

    def state_dict(self):
        """The optimizer's state as in PyTorch: ``{"state": {i: {...}}, "param_groups": [...]}``.

        Parameters are numbered 0, 1, … over the groups in order; each group lists its numbers
        under ``"params"`` next to its hyperparameters. The state's arrays are the optimizer's
        own (not copies), as in PyTorch; ``copy.deepcopy`` the dict for a snapshot.
        """
        index, groups = {}, []
        for group in self.param_groups:
            numbers = []
            for p in group["params"]:
                index[id(p)] = len(index)
                numbers.append(index[id(p)])
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": numbers})
        state = {index[id(p)]: s for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore hyperparameters and state saved by :meth:`state_dict` (copied, not shared).

        The optimizer must have the same group sizes as the one that was saved.
        """
        name = type(self).__name__
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups) or any(
                len(s["params"]) != len(g["params"]) for s, g in zip(saved_groups, self.param_groups)):
            raise ValueError(f"{name}.load_state_dict: the saved optimizer has groups of sizes "
                             f"{[len(s['params']) for s in saved_groups]}, this one "
                             f"{[len(g['params']) for g in self.param_groups]}")
        saved_state = copy.deepcopy(state_dict["state"])
        self.state = {}
        for saved, group in zip(saved_groups, self.param_groups):
            group.update({k: v for k, v in saved.items() if k != "params"})
            for number, p in zip(saved["params"], group["params"]):
                if number in saved_state:
                    self.state[p] = {k: np.asarray(v, dtype=p.data.dtype) if isinstance(v, np.ndarray) else v
                                     for k, v in saved_state[number].items()}

    def __setattr__(self, name, value):
        if name in self.defaults:
            raise AttributeError(
                f"{type(self).__name__}.{name} = {value!r} would change nothing: settings live in "
                f"optimizer.param_groups. Write `for group in optimizer.param_groups: group[{name!r}] = "
                f"{value!r}`" + (", or use a scheduler from nnlib.optim.lr_scheduler" if name == "lr" else ""))
        object.__setattr__(self, name, value)

    def __getattr__(self, name):
        if name != "defaults" and name in self.__dict__.get("defaults", {}):
            raise AttributeError(f"{type(self).__name__} has no attribute {name!r}: read "
                                 f"optimizer.param_groups[i][{name!r}] (each group has its own)")
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            settings = ", ".join(f"{k}={v}" for k, v in group.items() if k != "params")
            lines.append(f"  group {i}: {len(group['params'])} parameters, {settings}")
        return "\n".join(lines + [")"])


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum (heavy ball or Nesterov).

    For each parameter θ with gradient g (PyTorch's ``torch.optim.SGD``)::

        g ← g + λθ                    if weight_decay λ > 0
        b ← μb + (1 − d)g             momentum μ > 0, dampening d; b ← g at the first step
        g ← g + μb  if nesterov, else  g ← b
        θ ← θ − lr·g

    With μ = 0 this is plain gradient descent, θ ← θ − lr·g.

    Parameters
    ----------
    params : iterable of Parameter, or list of dict (parameter groups)
    lr : float
        Learning rate, > 0.
    momentum : float
        μ in [0, 1).
    dampening : float
        d, the share of the gradient left out of the momentum buffer (default 0).
    weight_decay : float
        λ ≥ 0 (see the module docstring for the convention).
    nesterov : bool
        Nesterov momentum: step along g + μb, a look-ahead (needs μ > 0 and d = 0).

    Shapes
    ------
    Any: θ, g and every state array have the parameter's shape; the update is elementwise.

    State per parameter: ``momentum_buffer`` (b), when μ > 0.
    """

    def __init__(self, params, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov))

    def _check_settings(self, group):
        super()._check_settings(group)
        if not 0 <= group["momentum"] < 1:
            raise ValueError(f"momentum must be in [0, 1), got {group['momentum']}")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum > 0 and zero dampening")

    def step(self):
        for group in self.param_groups:
            lr, mu, d, wd = group["lr"], group["momentum"], group["dampening"], group["weight_decay"]
            for p in group["params"]:
                g = p.grad
                if wd != 0:
                    g = g + wd * p.data                        # g ← g + λθ
                if mu != 0:
                    state = self.state.setdefault(p, {})
                    if "momentum_buffer" not in state:
                        state["momentum_buffer"] = g.copy()    # b ← g at the first step
                    else:
                        b = state["momentum_buffer"]
                        b *= mu
                        b += (1 - d) * g                       # b ← μb + (1 − d)g
                    b = state["momentum_buffer"]
                    g = g + mu * b if group["nesterov"] else b  # g ← g + μb (Nesterov), else g ← b
                p.data -= lr * g                               # θ ← θ − lr·g


class RMSprop(Optimizer):
    """RMSprop: divide each step by a running root-mean-square of recent gradients.

    For each parameter θ with gradient g (PyTorch's ``torch.optim.RMSprop``)::

        g ← g + λθ                    if weight_decay λ > 0
        s ← αs + (1 − α)g²            s starts at 0
        θ ← θ − lr·g / (√s + ε)

    Parameters
    ----------
    params : iterable of Parameter, or list of dict (parameter groups)
    lr : float
        Default 0.01 as in PyTorch.
    alpha : float
        Decay rate α of the running average, in [0, 1).
    eps : float
        ε ≥ 0.
    weight_decay : float

    Shapes
    ------
    Any: θ, g and every state array have the parameter's shape; the update is elementwise.

    State per parameter: ``step`` (t) and ``square_avg`` (s).
    """

    def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay))

    def _check_settings(self, group):
        super()._check_settings(group)
        if not 0 <= group["alpha"] < 1:
            raise ValueError(f"alpha must be in [0, 1), got {group['alpha']}")

    def step(self):
        for group in self.param_groups:
            lr, alpha, eps, wd = group["lr"], group["alpha"], group["eps"], group["weight_decay"]
            for p in group["params"]:
                g = p.grad
                if wd != 0:
                    g = g + wd * p.data                        # g ← g + λθ
                state = self.state.setdefault(p, {})
                if not state:
                    state["step"], state["square_avg"] = 0, np.zeros_like(p.data)
                state["step"] += 1
                s = state["square_avg"]
                s *= alpha
                s += (1 - alpha) * g * g                       # s ← αs + (1 − α)g²
                p.data -= lr * g / (np.sqrt(s) + eps)          # θ ← θ − lr·g / (√s + ε)


class Adam(Optimizer):
    """Adam: momentum on the gradient and RMSprop-style scaling, both bias-corrected.

    For each parameter θ with gradient g, at its t-th step (PyTorch's ``torch.optim.Adam``)::

        g ← g + λθ                    if weight_decay λ > 0 (an L2 penalty; see AdamW)
        m ← β₁m + (1 − β₁)g           m, v start at 0
        v ← β₂v + (1 − β₂)g²
        m̂ = m / (1 − β₁ᵗ)
        v̂ = v / (1 − β₂ᵗ)
        θ ← θ − lr·m̂ / (√v̂ + ε)

    The bias correction undoes the pull of m = v = 0 towards zero in the first steps.

    Parameters
    ----------
    params : iterable of Parameter, or list of dict (parameter groups)
    lr : float
        Default 0.001 as in PyTorch.
    betas : (float, float)
        (β₁, β₂), each in [0, 1).
    eps : float
        ε ≥ 0.
    weight_decay : float
        λ ≥ 0, added to the gradient (PyTorch's ``Adam``, not the decoupled ``AdamW``).

    Shapes
    ------
    Any: θ, g and every state array have the parameter's shape; the update is elementwise.

    State per parameter: ``step`` (t), ``exp_avg`` (m), ``exp_avg_sq`` (v).
    """

    def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    def _check_settings(self, group):
        super()._check_settings(group)
        betas = group["betas"]
        if len(betas) != 2 or not all(0 <= b < 1 for b in betas):
            raise ValueError(f"betas must be two numbers in [0, 1), got {betas}")
        group["betas"] = (float(betas[0]), float(betas[1]))

    def step(self):
        for group in self.param_groups:
            lr, (beta1, beta2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
            for p in group["params"]:
                g = p.grad
                if wd != 0:
                    g = g + wd * p.data                        # g ← g + λθ
                self._adam_update(p, g, lr, beta1, beta2, eps)

    def _adam_update(self, p, g, lr, beta1, beta2, eps):
        state = self.state.setdefault(p, {})
        if not state:
            state["step"], state["exp_avg"], state["exp_avg_sq"] = 0, np.zeros_like(p.data), np.zeros_like(p.data)
        state["step"] += 1
        t, m, v = state["step"], state["exp_avg"], state["exp_avg_sq"]
        m *= beta1
        m += (1 - beta1) * g                                   # m ← β₁m + (1 − β₁)g
        v *= beta2
        v += (1 - beta2) * g * g                               # v ← β₂v + (1 − β₂)g²
        step_size = lr / (1 - beta1 ** t)                      # lr·m̂ = lr·m / (1 − β₁ᵗ)
        denom = np.sqrt(v) / math.sqrt(1 - beta2 ** t) + eps   # √v̂ + ε, with v̂ = v / (1 − β₂ᵗ)
        p.data -= step_size * m / denom                        # θ ← θ − lr·m̂ / (√v̂ + ε)


class AdamW(Adam):
    """AdamW: Adam with decoupled weight decay (Loshchilov & Hutter; PyTorch's ``AdamW``).

    For each parameter θ with gradient g, at its t-th step::

        θ ← θ − lr·λθ                 decay the weights directly, not through g
        m ← β₁m + (1 − β₁)g
        v ← β₂v + (1 − β₂)g²
        m̂ = m / (1 − β₁ᵗ)
        v̂ = v / (1 − β₂ᵗ)
        θ ← θ − lr·m̂ / (√v̂ + ε)

    In ``Adam(weight_decay=λ)`` the decay λθ goes into g and is then divided by √v̂, so weights
    with large gradients are barely decayed; here every weight shrinks by the same factor
    (1 − lr·λ) per step.

    Parameters
    ----------
    params : iterable of Parameter, or list of dict (parameter groups)
    lr : float
        Default 0.001.
    betas : (float, float)
    eps : float
    weight_decay : float
        λ ≥ 0, default 0.01 as in PyTorch.

    Shapes
    ------
    Any: θ, g and every state array have the parameter's shape; the update is elementwise.

    State per parameter: ``step`` (t), ``exp_avg`` (m), ``exp_avg_sq`` (v).
    """

    def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)

    def step(self):
        for group in self.param_groups:
            lr, (beta1, beta2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
            for p in group["params"]:
                p.data *= 1 - lr * wd                          # θ ← θ − lr·λθ
                self._adam_update(p, p.grad, lr, beta1, beta2, eps)
