"""Learning-rate schedules (PyTorch's ``torch.optim.lr_scheduler``): they set ``group["lr"]``.

A scheduler changes the learning rate of every parameter group of an optimizer as training
goes on. Call ``scheduler.step()`` once per epoch (or once per batch, if the schedule is
counted in batches), *after* ``optimizer.step()``::

    optimizer = SGD(model.parameters(), lr=0.1)
    scheduler = StepLR(optimizer, step_size=30, gamma=0.1)
    for epoch in range(100):
        train_one_epoch(...)           # optimizer.step() for each batch
        scheduler.step()

With η₀ the group's learning rate when the scheduler was created (``base_lrs``) and t the
number of ``step()`` calls so far (``last_epoch``), each schedule here is a formula for η_t,
evaluated afresh at every step:

- ``StepLR``: η_t = η₀·γ^⌊t / step_size⌋
- ``ExponentialLR``: η_t = η₀·γᵗ
- ``CosineAnnealingLR``: η_t = η_min + (η₀ − η_min)·(1 + cos(πt / T_max)) / 2
- ``LinearLR`` (linear warm-up): η_t = η₀·(s + (e − s)·min(t, T) / T)
- ``LambdaLR``: η_t = η₀·f(t) for any function f, e.g. warm-up followed by cosine decay

These are the closed forms of PyTorch's schedules and give the same learning rates. (PyTorch
computes most of them step by step from the current rate instead, so there a rate you set by
hand carries on; here the next ``step()`` overwrites it.) ``get_last_lr()`` returns the rates
just set, one per group.
"""

import math


class LRScheduler:
    """Base class: remembers ``base_lrs`` and writes ``lr_at(t)`` into each group at each step.

    Parameters
    ----------
    optimizer : nnlib.optim.Optimizer
    last_epoch : int
        The index of the last step, −1 for a fresh start (then η₀ = each group's current lr,
        saved as ``group["initial_lr"]``).

    Attributes
    ----------
    base_lrs : list of float
        η₀ of each group.
    last_epoch : int
        t, the number of ``step()`` calls (0 right after construction).
    """

    def __init__(self, optimizer, last_epoch=-1):
        if not hasattr(optimizer, "param_groups"):
            raise TypeError(f"{type(self).__name__} needs an nnlib optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise KeyError("param 'initial_lr' is not specified in param_groups when resuming "
                               "a scheduler (last_epoch != -1)")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self.step()

    def lr_at(self, base_lr, t):
        """η_t for a group whose initial learning rate is ``base_lr``."""
        raise NotImplementedError

    def step(self):
        """Advance t by one and set every group's learning rate to η_t."""
        self.last_epoch += 1
        for group, base_lr in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = float(self.lr_at(base_lr, self.last_epoch))
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self):
        """The learning rates set by the last ``step()`` (or by the constructor), one per group."""
        return list(self._last_lr)

    def state_dict(self):
        """Everything but the optimizer (and functions), for checkpoints."""
        return {k: v for k, v in vars(self).items() if k != "optimizer" and not callable(v)}

    def load_state_dict(self, state_dict):
        """Restore what :meth:`state_dict` saved."""
        self.__dict__.update(state_dict)

    def __repr__(self):
        return f"{type(self).__name__}(last_epoch={self.last_epoch}, last_lr={self._last_lr})"


class StepLR(LRScheduler):
    """Multiply the learning rate by γ every ``step_size`` steps: η_t = η₀·γ^⌊t / step_size⌋.

    Parameters
    ----------
    optimizer : Optimizer
    step_size : int
        Steps (usually epochs) between two decays, ≥ 1.
    gamma : float
        γ, the factor (default 0.1).
    last_epoch : int

    Shape: one learning rate per parameter group (``get_last_lr()`` is a list).
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        if isinstance(step_size, bool) or not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"StepLR needs a whole step_size >= 1, got {step_size!r}")
        self.step_size, self.gamma = step_size, float(gamma)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr, t):
        return base_lr * self.gamma ** (t // self.step_size)


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by γ at every step: η_t = η₀·γᵗ.

    Parameters
    ----------
    optimizer : Optimizer
    gamma : float
        γ, the factor per step (e.g. 0.95).
    last_epoch : int

    Shape: one learning rate per parameter group (``get_last_lr()`` is a list).
    """

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = float(gamma)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr, t):
        return base_lr * self.gamma ** t


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from η₀ down to η_min over ``T_max`` steps (SGDR without restarts):

        η_t = η_min + (η₀ − η_min)·(1 + cos(πt / T_max)) / 2

    so η_0 = η₀ and η_T_max = η_min. Beyond T_max the cosine goes on (back up towards η₀),
    as in PyTorch; usually T_max is the number of epochs.

    Parameters
    ----------
    optimizer : Optimizer
    T_max : int
        Steps of one descent, ≥ 1.
    eta_min : float
        η_min, the lowest learning rate (default 0).
    last_epoch : int

    Shape: one learning rate per parameter group (``get_last_lr()`` is a list).
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        if isinstance(T_max, bool) or not isinstance(T_max, int) or T_max < 1:
            raise ValueError(f"CosineAnnealingLR needs a whole T_max >= 1, got {T_max!r}")
        self.T_max, self.eta_min = T_max, float(eta_min)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr, t):
        return self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * t / self.T_max)) / 2


class LinearLR(LRScheduler):
    """Change the learning rate linearly by a factor from ``start_factor`` to ``end_factor``
    over ``total_iters`` steps, then keep it: a linear warm-up with the defaults.

        η_t = η₀·(s + (e − s)·min(t, T) / T),   s = start_factor, e = end_factor, T = total_iters

    Parameters
    ----------
    optimizer : Optimizer
    start_factor : float in (0, 1]
        s, the factor at t = 0 (default 1/3, as in PyTorch).
    end_factor : float in [0, 1]
        e, the factor from t = T on (default 1).
    total_iters : int
        T, the steps of the ramp (default 5).
    last_epoch : int

    Shape: one learning rate per parameter group (``get_last_lr()`` is a list).
    """

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5, last_epoch=-1):
        if not 0 < start_factor <= 1:
            raise ValueError(f"LinearLR needs 0 < start_factor <= 1, got {start_factor}")
        if not 0 <= end_factor <= 1:
            raise ValueError(f"LinearLR needs 0 <= end_factor <= 1, got {end_factor}")
        if isinstance(total_iters, bool) or not isinstance(total_iters, int) or total_iters < 1:
            raise ValueError(f"LinearLR needs a whole total_iters >= 1, got {total_iters!r}")
        self.start_factor, self.end_factor, self.total_iters = float(start_factor), float(end_factor), total_iters
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr, t):
        s, e, T = self.start_factor, self.end_factor, self.total_iters
        return base_lr * (s + (e - s) * min(t, T) / T)


class LambdaLR(LRScheduler):
    """η_t = η₀·f(t) for a function f of the step number (one f for all groups, or one per group).

    For example a linear warm-up over 5 epochs, then cosine decay to 0 at epoch 50::

        f = lambda t: (t + 1) / 5 if t < 5 else 0.5 * (1 + math.cos(math.pi * (t - 5) / 45))

    Parameters
    ----------
    optimizer : Optimizer
    lr_lambda : callable or list of callables
        f(t) -> float, the factor at step t.
    last_epoch : int

    Shape: one learning rate per parameter group (``get_last_lr()`` is a list).
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        groups = optimizer.param_groups
        lambdas = list(lr_lambda) if isinstance(lr_lambda, (list, tuple)) else [lr_lambda] * len(groups)
        if len(lambdas) != len(groups):
            raise ValueError(f"LambdaLR expected {len(groups)} functions (one per group), got {len(lambdas)}")
        self.lr_lambdas = lambdas
        super().__init__(optimizer, last_epoch)

    def step(self):
        self.last_epoch += 1
        for group, base_lr, f in zip(self.optimizer.param_groups, self.base_lrs, self.lr_lambdas):
            group["lr"] = float(base_lr * f(self.last_epoch))
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self):
        return {k: v for k, v in super().state_dict().items() if k != "lr_lambdas"}
