"""Optimizers reproduce hand-computed updates (PyTorch's rules and defaults) for two steps."""

import math

import numpy as np
import pytest

from nnlib.core import Parameter
from nnlib.optim import SGD, Adam, RMSprop


def two_steps(opt_cls, grads=(0.5, -1.0), theta=1.0, **kwargs):
    """Run two steps on a scalar parameter with the given gradients; return θ after each."""
    p = Parameter(np.array([theta]))
    opt = opt_cls([p], **kwargs)
    values = []
    for g in grads:
        opt.zero_grad()
        p.grad += g
        opt.step()
        values.append(float(p.data[0]))
    return values


def test_sgd_plain():
    # θ1 = 1 - 0.1*0.5 = 0.95; θ2 = 0.95 - 0.1*(-1) = 1.05
    assert two_steps(SGD, lr=0.1) == pytest.approx([0.95, 1.05])


def test_sgd_momentum_and_weight_decay():
    # g1 = 0.5 + 0.1*1 = 0.6, v1 = 0.6, θ1 = 1 - 0.06 = 0.94
    # g2 = -1 + 0.1*0.94 = -0.906, v2 = 0.9*0.6 - 0.906 = -0.366, θ2 = 0.94 + 0.0366 = 0.9766
    assert two_steps(SGD, lr=0.1, momentum=0.9, weight_decay=0.1) == pytest.approx([0.94, 0.9766])


def test_rmsprop():
    # s1 = 0.01*0.25 = 0.0025, θ1 = 1 - 0.01*0.5/0.05 = 0.9
    # s2 = 0.99*0.0025 + 0.01*1 = 0.012475, θ2 = 0.9 + 0.01/sqrt(0.012475)
    theta2 = 0.9 + 0.01 * 1.0 / (math.sqrt(0.012475) + 1e-8)
    assert two_steps(RMSprop) == pytest.approx([0.9, theta2], rel=1e-7)


def test_adam():
    # Step 1: m̂ = g, v̂ = g², so the step is lr·sign(g) (up to ε): θ1 = 1 - 0.001
    # Step 2: m = 0.9*0.05 + 0.1*(-1) = -0.055, v = 0.999*0.00025 + 0.001*1 = 0.00124975
    m_hat, v_hat = -0.055 / (1 - 0.9 ** 2), 0.00124975 / (1 - 0.999 ** 2)
    theta2 = 0.999 - 0.001 * m_hat / (math.sqrt(v_hat) + 1e-8)
    assert two_steps(Adam) == pytest.approx([0.999, theta2], rel=1e-7)


def test_step_updates_every_parameter_and_zero_grad_clears(rng):
    params = [Parameter(rng.normal(size=(3, 2))), Parameter(rng.normal(size=3))]
    before = [p.data.copy() for p in params]
    opt = SGD(params, lr=0.5)
    for p in params:
        p.grad[...] = 1.0
    opt.step()
    for p, b in zip(params, before):
        np.testing.assert_allclose(p.data, b - 0.5)
    opt.zero_grad()
    assert all(not p.grad.any() for p in params)


def test_minimises_a_quadratic():
    for opt_cls, kwargs in [(SGD, dict(lr=0.1, momentum=0.5)), (RMSprop, dict(lr=0.01)), (Adam, dict(lr=0.05))]:
        p = Parameter(np.array([3.0, -2.0]))
        opt = opt_cls([p], **kwargs)
        for _ in range(500):
            opt.zero_grad()
            p.grad += 2 * p.data          # d/dθ of ‖θ‖²
            opt.step()
        assert np.abs(p.data).max() < 0.05, opt_cls.__name__


@pytest.mark.parametrize("kwargs, match", [
    (dict(lr=0), "learning rate"), (dict(lr=0.1, momentum=1.0), "momentum"),
    (dict(lr=0.1, weight_decay=-1), "weight_decay")])
def test_sgd_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SGD([Parameter(np.zeros(2))], **kwargs)


def test_bad_parameter_lists():
    with pytest.raises(ValueError, match="empty parameter list"):
        Adam([])
    with pytest.raises(TypeError, match="model.parameters"):
        Adam([np.zeros(3)])
    with pytest.raises(ValueError, match="betas"):
        Adam([Parameter(np.zeros(2))], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="alpha"):
        RMSprop([Parameter(np.zeros(2))], alpha=1.5)


@pytest.mark.parametrize("opt_cls", [SGD, RMSprop, Adam])
def test_float32_parameters_stay_float32(opt_cls, rng):
    p = Parameter(rng.normal(size=(4, 3)).astype(np.float32))
    opt = opt_cls([p], lr=0.01, **({"momentum": 0.9} if opt_cls is SGD else {}))
    for _ in range(3):
        p.grad[...] = rng.normal(size=(4, 3))
        opt.step()
    assert p.data.dtype == np.float32 and all(
        a.dtype == np.float32 for s in opt.state.values() for a in s.values() if isinstance(a, np.ndarray))


def test_momentum_state_does_not_alias_the_gradient():
    p = Parameter(np.array([1.0]))
    opt = SGD([p], lr=0.1, momentum=0.9)
    p.grad[...] = 1.0
    opt.step()
    opt.zero_grad()                      # must not wipe the velocity
    p.grad[...] = 1.0
    opt.step()
    assert p.data[0] == pytest.approx(1 - 0.1 - 0.1 * 1.9)


def test_parameter_groups_decay_weights_only_like_two_optimizers(rng):
    # One Adam with two groups must do exactly what two separate Adams do.
    start = (rng.normal(size=(3, 2)), rng.normal(size=3))
    grads = [(rng.normal(size=(3, 2)), rng.normal(size=3)) for _ in range(3)]
    w1, b1 = (Parameter(v.copy()) for v in start)
    w2, b2 = (Parameter(v.copy()) for v in start)
    grouped = Adam([{"params": [w1], "weight_decay": 0.1}, {"params": [b1]}], lr=0.01)
    separate = [Adam([w2], lr=0.01, weight_decay=0.1), Adam([b2], lr=0.01)]
    for gw, gb in grads:
        for p, g in ((w1, gw), (b1, gb), (w2, gw), (b2, gb)):
            p.zero_grad()
            p.grad += g
        grouped.step()
        for opt in separate:
            opt.step()
    np.testing.assert_array_equal(w1.data, w2.data)
    np.testing.assert_array_equal(b1.data, b2.data)
    assert [(g["lr"], g["weight_decay"]) for g in grouped.param_groups] == [(0.01, 0.1), (0.01, 0.0)]


def test_parameter_groups_with_their_own_learning_rate():
    # θ ← θ − lr·g with g = 1: group 1 uses lr 0.5, group 2 the default 0.1
    a, b = Parameter(np.array([1.0])), Parameter(np.array([1.0]))
    opt = SGD([{"params": [a], "lr": 0.5}, {"params": [b]}], lr=0.1)
    a.grad += 1.0
    b.grad += 1.0
    opt.step()
    assert (a.data[0], b.data[0]) == pytest.approx((0.5, 0.9))


@pytest.mark.parametrize("groups, error, match", [
    ([{"params": []}], ValueError, "empty parameter list"),
    ([{"weights": [Parameter(np.zeros(1))]}], ValueError, "'params'"),
    ([{"params": [Parameter(np.zeros(1))], "nesterov": True}], ValueError, "optionally 'lr', 'betas'"),
    ([{"params": [Parameter(np.zeros(1))], "betas": (0.9, 1.0)}], ValueError, "betas"),
    ([{"params": [Parameter(np.zeros(1))], "lr": -1.0}], ValueError, "learning rate must be positive"),
    ([{"params": [Parameter(np.zeros(1))], "weight_decay": -1.0}], ValueError, "weight_decay"),
    ([{"params": [np.zeros(1)]}], TypeError, "expected nnlib Parameters")])
def test_parameter_group_errors(groups, error, match):
    with pytest.raises(error, match=match):
        Adam(groups)


def test_a_parameter_in_two_groups_is_an_error():
    p = Parameter(np.zeros(2))
    with pytest.raises(ValueError, match="appears twice"):
        SGD([{"params": [p]}, {"params": [p], "lr": 0.5}], lr=0.1)


# --- nnlib v2: state like PyTorch, new optimizers, clear errors --------------------------------

from nnlib.optim import AdamW  # noqa: E402


def test_sgd_nesterov_by_hand():
    # b1 = g1 = 0.5, step along g1 + μb1 = 0.95: θ1 = 1 − 0.1·0.95 = 0.905
    # b2 = 0.9·0.5 − 1 = −0.55, step along −1 + 0.9·(−0.55) = −1.495: θ2 = 0.905 + 0.1495 = 1.0545
    assert two_steps(SGD, lr=0.1, momentum=0.9, nesterov=True) == pytest.approx([0.905, 1.0545], rel=1e-12)


def test_sgd_dampening_by_hand():
    # b1 = g1 = 0.5 (no dampening at the first step, as in PyTorch): θ1 = 0.95
    # b2 = 0.9·0.5 + (1 − 0.5)·(−1) = −0.05: θ2 = 0.95 + 0.005 = 0.955
    assert two_steps(SGD, lr=0.1, momentum=0.9, dampening=0.5) == pytest.approx([0.95, 0.955], rel=1e-12)


def test_nesterov_needs_momentum():
    with pytest.raises(ValueError, match="Nesterov momentum requires a momentum > 0"):
        SGD([Parameter(np.zeros(1))], lr=0.1, nesterov=True)


def test_adamw_by_hand():
    # Step 1: θ ← 1·(1 − 0.1·0.1) = 0.99, then Adam's first step lr·sign(g): θ1 = 0.99 − 0.1
    # Step 2: θ ← θ1·0.99, m = −0.055, v = 0.00124975, then θ ← θ − lr·m̂/(√v̂ + ε)
    m_hat, v_hat = -0.055 / (1 - 0.9 ** 2), 0.00124975 / (1 - 0.999 ** 2)
    theta1 = 0.99 - 0.1 * 0.5 / (0.5 + 1e-8)
    theta2 = theta1 * 0.99 - 0.1 * m_hat / (math.sqrt(v_hat) + 1e-8)
    assert two_steps(AdamW, lr=0.1, weight_decay=0.1) == pytest.approx([theta1, theta2], rel=1e-12)


def test_adamw_decay_is_decoupled_from_adams_l2(rng):
    grads = [rng.normal(size=5) for _ in range(4)]
    start = rng.normal(size=5)

    def run(make):
        p = Parameter(start.copy())
        opt = make([p])
        for g in grads:
            p.zero_grad()
            p.grad += g
            opt.step()
        return p.data

    # without decay AdamW is Adam, bit for bit; with decay the two differ
    np.testing.assert_array_equal(run(lambda ps: AdamW(ps, lr=0.01, weight_decay=0)), run(lambda ps: Adam(ps, lr=0.01)))
    assert not np.allclose(run(lambda ps: AdamW(ps, lr=0.01, weight_decay=0.5)),
                           run(lambda ps: Adam(ps, lr=0.01, weight_decay=0.5)))
    assert AdamW([Parameter(np.zeros(1))]).param_groups[0]["weight_decay"] == 0.01   # PyTorch's default


def test_state_uses_pytorchs_names():
    p = Parameter(np.array([1.0]))
    cases = [(SGD([p], lr=0.1, momentum=0.9), {"momentum_buffer"}),
             (RMSprop([p]), {"step", "square_avg"}),
             (Adam([p]), {"step", "exp_avg", "exp_avg_sq"}),
             (AdamW([p]), {"step", "exp_avg", "exp_avg_sq"})]
    for opt, names in cases:
        p.grad[...] = 1.0
        opt.step()
        opt.step()
        assert set(opt.state[p]) == names, type(opt).__name__
    assert cases[2][0].state[p]["step"] == 2


def test_param_group_lr_is_writable_and_used():
    p = Parameter(np.array([1.0]))
    opt = SGD([p], lr=0.1)
    p.grad[...] = 1.0
    opt.param_groups[0]["lr"] = 0.5
    opt.step()
    assert p.data[0] == pytest.approx(0.5)


def test_setting_optimizer_lr_is_a_clear_error():
    opt = Adam([Parameter(np.zeros(1))], lr=0.1)
    with pytest.raises(AttributeError, match=r"would change nothing.*param_groups.*lr_scheduler"):
        opt.lr = 0.01
    with pytest.raises(AttributeError, match=r"param_groups\[i\]\['lr'\]"):
        opt.lr
    with pytest.raises(AttributeError, match="param_groups"):
        opt.betas = (0.5, 0.5)
    assert opt.param_groups[0]["lr"] == 0.1


def test_adam_rejects_negative_eps():
    with pytest.raises(ValueError, match="eps must be >= 0"):
        Adam([Parameter(np.zeros(1))], eps=-1e-8)
    with pytest.raises(ValueError, match="eps must be >= 0"):
        RMSprop([Parameter(np.zeros(1))], eps=-1.0)


@pytest.mark.parametrize("make", [lambda ps: Adam(ps, lr=0.01, weight_decay=0.1),
                                  lambda ps: SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
                                  lambda ps: RMSprop(ps), lambda ps: AdamW(ps, lr=0.01)])
def test_optimizer_state_dict_resumes_training_exactly(make, rng):
    start = [rng.normal(size=(3, 2)), rng.normal(size=3)]
    grads = [[rng.normal(size=(3, 2)), rng.normal(size=3)] for _ in range(5)]

    def steps(params, opt, gs):
        for g_list in gs:
            for p, g in zip(params, g_list):
                p.zero_grad()
                p.grad += g
            opt.step()

    a = [Parameter(v.copy()) for v in start]
    opt_a = make(a)
    steps(a, opt_a, grads)                               # five steps without a break
    b = [Parameter(v.copy()) for v in start]
    opt_b = make(b)
    steps(b, opt_b, grads[:3])
    saved = copy.deepcopy(opt_b.state_dict())
    assert saved["param_groups"][0]["params"] == [0, 1] and set(saved["state"]) <= {0, 1}
    c = [Parameter(p.data.copy()) for p in b]           # a fresh optimizer over a copy
    opt_c = make(c)
    opt_c.load_state_dict(saved)
    steps(c, opt_c, grads[3:])
    for pa, pc in zip(a, c):
        np.testing.assert_array_equal(pa.data, pc.data)


def test_optimizer_state_dict_restores_lr_and_checks_sizes():
    p, q = Parameter(np.zeros(1)), Parameter(np.zeros(2))
    opt = SGD([p, q], lr=0.1)
    opt.param_groups[0]["lr"] = 0.02
    state = opt.state_dict()
    other = SGD([Parameter(np.zeros(1)), Parameter(np.zeros(2))], lr=0.5)
    other.load_state_dict(state)
    assert other.param_groups[0]["lr"] == 0.02
    with pytest.raises(ValueError, match="groups of sizes"):
        SGD([p], lr=0.1).load_state_dict(state)


import copy  # noqa: E402
