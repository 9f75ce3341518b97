"""nnlib.optim.lr_scheduler: PyTorch's schedules, checked against hand-computed learning rates."""

import math

import numpy as np
import pytest

from nnlib.core import Parameter
from nnlib.optim import SGD, Adam
from nnlib.optim.lr_scheduler import CosineAnnealingLR, ExponentialLR, LambdaLR, LinearLR, StepLR


def lrs(scheduler, steps):
    """The learning rate right after construction, then after each of ``steps`` calls to step()."""
    out = [scheduler.get_last_lr()[0]]
    for _ in range(steps):
        scheduler.optimizer.step()
        scheduler.step()
        out.append(scheduler.get_last_lr()[0])
    return out


def sgd(lr=1.0):
    return SGD([Parameter(np.zeros(1))], lr=lr)


def test_step_lr():
    assert lrs(StepLR(sgd(), step_size=2, gamma=0.5), 5) == pytest.approx([1, 1, 0.5, 0.5, 0.25, 0.25], rel=1e-15)


def test_exponential_lr():
    assert lrs(ExponentialLR(sgd(0.1), gamma=0.9), 3) == pytest.approx([0.1, 0.09, 0.081, 0.0729], rel=1e-14)


def test_cosine_annealing_lr():
    # η_t = 0.1 + 0.9·(1 + cos(πt/4))/2: 1, 0.1 + 0.45·(1 + √2/2), 0.55, 0.1 + 0.45·(1 − √2/2), 0.1,
    # and beyond T_max the cosine goes back up, as in PyTorch (t = 6 gives 0.55 again, t = 8 gives 1)
    expected = [1.0, 0.1 + 0.45 * (1 + math.sqrt(0.5)), 0.55, 0.1 + 0.45 * (1 - math.sqrt(0.5)), 0.1,
                0.1 + 0.45 * (1 - math.sqrt(0.5)), 0.55, 0.1 + 0.45 * (1 + math.sqrt(0.5)), 1.0]
    assert lrs(CosineAnnealingLR(sgd(), T_max=4, eta_min=0.1), 8) == pytest.approx(expected, rel=1e-14)


def test_linear_warm_up():
    # PyTorch's defaults: factor 1/3 -> 1 over 5 steps, then constant; lr 0.3 -> 0.1, 0.14, ..., 0.3
    expected = [0.1, 0.14, 0.18, 0.22, 0.26, 0.3, 0.3, 0.3]
    assert lrs(LinearLR(sgd(0.3)), 7) == pytest.approx(expected, rel=1e-14)
    assert lrs(LinearLR(sgd(1.0), start_factor=1.0, end_factor=0.5, total_iters=2), 3) == pytest.approx(
        [1.0, 0.75, 0.5, 0.5], rel=1e-15)


def test_lambda_lr_warm_up_then_cosine():
    def f(t):
        return (t + 1) / 2 if t < 2 else 0.5 * (1 + math.cos(math.pi * (t - 2) / 2))

    assert lrs(LambdaLR(sgd(0.2), f), 4) == pytest.approx([0.1, 0.2, 0.2, 0.1, 0.0], abs=1e-15)


def test_schedule_sets_every_group_from_its_own_base_lr_and_the_optimizer_uses_it():
    a, b = Parameter(np.array([0.0])), Parameter(np.array([0.0]))
    opt = SGD([{"params": [a], "lr": 1.0}, {"params": [b]}], lr=0.1)
    scheduler = StepLR(opt, step_size=1, gamma=0.5)
    assert scheduler.base_lrs == [1.0, 0.1]
    scheduler.step()
    assert scheduler.get_last_lr() == pytest.approx([0.5, 0.05], rel=1e-15)
    assert [g["lr"] for g in opt.param_groups] == scheduler.get_last_lr()
    a.grad[...] = b.grad[...] = 1.0
    opt.step()                                   # θ ← θ − lr·g with the scheduled rates
    assert (a.data[0], b.data[0]) == pytest.approx((-0.5, -0.05), rel=1e-15)


def test_schedule_keeps_adams_state():
    # the old way to change lr was a new optimizer, which reset Adam's moments; a schedule does not
    p = Parameter(np.array([1.0]))
    opt = Adam([p], lr=0.1)
    scheduler = ExponentialLR(opt, gamma=0.5)
    for _ in range(3):
        p.grad[...] = 1.0
        opt.step()
        scheduler.step()
    assert opt.state[p]["step"] == 3 and opt.param_groups[0]["lr"] == pytest.approx(0.0125, rel=1e-15)


def test_scheduler_state_dict_round_trip_and_bad_arguments():
    s = StepLR(sgd(), step_size=3)
    s.step()
    state = s.state_dict()
    assert "optimizer" not in state and state["last_epoch"] == 1
    fresh = StepLR(sgd(), step_size=3)
    fresh.load_state_dict(state)
    assert fresh.last_epoch == 1
    with pytest.raises(ValueError, match="step_size"):
        StepLR(sgd(), step_size=0)
    with pytest.raises(ValueError, match="T_max"):
        CosineAnnealingLR(sgd(), T_max=2.5)
    with pytest.raises(ValueError, match="start_factor"):
        LinearLR(sgd(), start_factor=0)
    with pytest.raises(TypeError, match="nnlib optimizer"):
        StepLR(object(), step_size=1)
