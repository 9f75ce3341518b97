"""Typical wrong answers for the Chapter 3 exercise (see __init__.py for the format)."""

CHAPTER = "03-losses"

WRONG = {
    "mse_grad_missing_factor_2": (
        {
            "mse_loss_and_grad": """\
def mse_loss_and_grad(pred, target):
    diff = np.asarray(pred, dtype=float) - np.asarray(target, dtype=float)
    return float(np.mean(diff ** 2)), diff / diff.size""",
        },
        ["test_mse"],
    ),
    "mse_summed_not_averaged": (
        {
            "mse_loss_and_grad": """\
def mse_loss_and_grad(pred, target):
    diff = np.asarray(pred, dtype=float) - np.asarray(target, dtype=float)
    return float(np.sum(diff ** 2)), 2 * diff""",
        },
        ["test_mse"],
    ),
    "softmax_without_max_shift": (
        {
            "softmax": """\
def softmax(z):
    e = np.exp(np.asarray(z, dtype=float))
    return e / np.sum(e, axis=-1, keepdims=True)""",
        },
        ["test_softmax"],
    ),
    "softmax_global_max": (
        {
            "softmax": """\
def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z))
    return e / np.sum(e, axis=-1, keepdims=True)""",
        },
        ["test_softmax"],
    ),
    "softmax_normalises_whole_batch": (
        {
            "softmax": """\
def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e)""",
        },
        ["test_softmax"],
    ),
    "softmax_along_columns": (
        {
            "softmax": """\
def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)""",
        },
        ["test_softmax"],
    ),
    "ce_not_divided_by_n": (
        {
            "cross_entropy_loss_and_grad": """\
def cross_entropy_loss_and_grad(logits, labels):
    z = np.asarray(logits, dtype=float)
    n = z.shape[0]
    m = np.max(z, axis=1, keepdims=True)
    log_probs = z - m - np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))
    grad = np.exp(log_probs)
    grad[np.arange(n), labels] -= 1
    return float(-np.sum(log_probs[np.arange(n), labels])), grad""",
        },
        ["test_cross_entropy"],
    ),
    "ce_grad_missing_1_over_n": (
        {
            "cross_entropy_loss_and_grad": """\
def cross_entropy_loss_and_grad(logits, labels):
    z = np.asarray(logits, dtype=float)
    n = z.shape[0]
    m = np.max(z, axis=1, keepdims=True)
    log_probs = z - m - np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))
    grad = np.exp(log_probs)
    grad[np.arange(n), labels] -= 1
    return float(-np.mean(log_probs[np.arange(n), labels])), grad""",
        },
        ["test_cross_entropy"],
    ),
    "ce_mean_over_all_entries": (
        {
            "cross_entropy_loss_and_grad": """\
def cross_entropy_loss_and_grad(logits, labels):
    z = np.asarray(logits, dtype=float)
    n = z.shape[0]
    m = np.max(z, axis=1, keepdims=True)
    log_probs = z - m - np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))
    grad = np.exp(log_probs)
    grad[np.arange(n), labels] -= 1
    return float(-np.sum(log_probs[np.arange(n), labels]) / z.size), grad / z.size""",
        },
        ["test_cross_entropy"],
    ),
    "ce_gradient_transposed": (
        {
            "cross_entropy_loss_and_grad": """\
def cross_entropy_loss_and_grad(logits, labels):
    z = np.asarray(logits, dtype=float)
    n = z.shape[0]
    m = np.max(z, axis=1, keepdims=True)
    log_probs = z - m - np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))
    grad = np.exp(log_probs)
    grad[np.arange(n), labels] -= 1
    return float(-np.mean(log_probs[np.arange(n), labels])), (grad / n).T""",
        },
        ["test_cross_entropy"],
    ),
    "ce_log_of_softmax": (
        {
            "cross_entropy_loss_and_grad": """\
def cross_entropy_loss_and_grad(logits, labels):
    p = softmax(logits)
    n = p.shape[0]
    loss = -np.mean(np.log(p[np.arange(n), labels]))
    grad = p.copy()
    grad[np.arange(n), labels] -= 1
    return float(loss), grad / n""",
        },
        ["test_cross_entropy"],
    ),
    "bce_naive_log_sigmoid": (
        {
            "bce_with_logits_loss_and_grad": """\
def bce_with_logits_loss_and_grad(logits, targets):
    z, y = np.asarray(logits, dtype=float), np.asarray(targets, dtype=float)
    p = sigmoid(z)
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    return float(loss), (p - y) / z.size""",
        },
        ["test_bce_with_logits"],
    ),
    "bce_clipped_probabilities": (
        {
            "bce_with_logits_loss_and_grad": """\
def bce_with_logits_loss_and_grad(logits, targets):
    z, y = np.asarray(logits, dtype=float), np.asarray(targets, dtype=float)
    p = np.clip(sigmoid(z), 1e-12, 1 - 1e-12)
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    return float(loss), (sigmoid(z) - y) / z.size""",
        },
        ["test_bce_with_logits"],
    ),
    "bce_softplus_overflows": (
        {
            "bce_with_logits_loss_and_grad": """\
def bce_with_logits_loss_and_grad(logits, targets):
    z, y = np.asarray(logits, dtype=float), np.asarray(targets, dtype=float)
    loss = np.mean((1 - y) * z + np.log1p(np.exp(-z)))
    return float(loss), (sigmoid(z) - y) / z.size""",
        },
        ["test_bce_with_logits"],
    ),
    "bce_grad_not_averaged": (
        {
            "bce_with_logits_loss_and_grad": """\
def bce_with_logits_loss_and_grad(logits, targets):
    z, y = np.asarray(logits, dtype=float), np.asarray(targets, dtype=float)
    loss = np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))
    return float(loss), sigmoid(z) - y""",
        },
        ["test_bce_with_logits"],
    ),
    "huber_without_half_delta_squared": (
        {
            "huber_loss_and_grad": """\
def huber_loss_and_grad(pred, target, delta=1.0):
    r = np.asarray(pred, dtype=float) - np.asarray(target, dtype=float)
    losses = np.where(np.abs(r) <= delta, 0.5 * r ** 2, delta * np.abs(r))
    return float(np.mean(losses)), np.clip(r, -delta, delta) / r.size""",
        },
        ["test_huber"],
    ),
    "huber_gradient_not_clipped": (
        {
            "huber_loss_and_grad": """\
def huber_loss_and_grad(pred, target, delta=1.0):
    r = np.asarray(pred, dtype=float) - np.asarray(target, dtype=float)
    losses = np.where(np.abs(r) <= delta, 0.5 * r ** 2, delta * (np.abs(r) - 0.5 * delta))
    return float(np.mean(losses)), r / r.size""",
        },
        ["test_huber"],
    ),
    "fit_averages_gradient_again": (
        {
            "fit_line": """\
def fit_line(x, y, loss_and_grad, lr=0.1, epochs=500):
    w, b, losses = 0.0, 0.0, []
    for _ in range(epochs):
        loss, grad = loss_and_grad(w * x + b, y)
        losses.append(loss)
        w -= lr * np.mean(grad * x)
        b -= lr * np.mean(grad)
    return w, b, losses""",
        },
        ["test_fit_line"],
    ),
    "fit_without_bias_update": (
        {
            "fit_line": """\
def fit_line(x, y, loss_and_grad, lr=0.1, epochs=500):
    w, b, losses = 0.0, 0.0, []
    for _ in range(epochs):
        loss, grad = loss_and_grad(w * x + b, y)
        losses.append(loss)
        w -= lr * np.sum(grad * x)
    return w, b, losses""",
        },
        ["test_fit_line"],
    ),
    "fit_records_loss_after_update": (
        {
            "fit_line": """\
def fit_line(x, y, loss_and_grad, lr=0.1, epochs=500):
    w, b, losses = 0.0, 0.0, []
    for _ in range(epochs):
        loss, grad = loss_and_grad(w * x + b, y)
        w -= lr * np.sum(grad * x)
        b -= lr * np.sum(grad)
        losses.append(loss_and_grad(w * x + b, y)[0])
    return w, b, losses""",
        },
        ["test_fit_line"],
    ),
    "fit_off_by_one_epochs": (
        {
            "fit_line": """\
def fit_line(x, y, loss_and_grad, lr=0.1, epochs=500):
    w, b, losses = 0.0, 0.0, []
    for _ in range(1, epochs):
        loss, grad = loss_and_grad(w * x + b, y)
        losses.append(loss)
        w -= lr * np.sum(grad * x)
        b -= lr * np.sum(grad)
    return w, b, losses""",
        },
        ["test_fit_line"],
    ),
    "mse_subtracts_in_place": (
        {
            "mse_loss_and_grad": """\
def mse_loss_and_grad(pred, target):
    diff = np.asarray(pred)
    diff -= target                                 # pred itself now holds the residuals
    return np.mean(diff ** 2), 2 * diff / diff.size""",
        },
        ["test_mse"],
    ),
    "mse_integer_gradient_buffer": (
        {
            "mse_loss_and_grad": """\
def mse_loss_and_grad(pred, target):
    pred, target = np.asarray(pred), np.asarray(target)
    grad = np.zeros_like(pred)                     # an int buffer for int predictions
    grad[...] = 2 * (pred - target) / pred.size    # ... so 1/3 becomes 0
    return np.mean((pred - target) ** 2), grad""",
        },
        ["test_mse"],
    ),
    "softmax_shifts_in_place": (
        {
            "softmax": """\
def softmax(z):
    z = np.asarray(z, dtype=float)
    z -= np.max(z, axis=-1, keepdims=True)         # the caller's logits are shifted too
    e = np.exp(z)
    return e / np.sum(e, axis=-1, keepdims=True)""",
        },
        # the solution's cross-entropy does not call softmax
        ["test_softmax"],
    ),
    "ce_shifts_logits_in_place": (
        {
            "cross_entropy_loss_and_grad": """\
def cross_entropy_loss_and_grad(logits, labels):
    z = np.asarray(logits, dtype=float)
    n = len(z)
    z -= np.max(z, axis=1, keepdims=True)          # the caller's logits
    log_probs = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    grad = np.exp(log_probs)
    grad[np.arange(n), labels] -= 1
    return -np.mean(log_probs[np.arange(n), labels]), grad / n""",
        },
        ["test_cross_entropy"],
    ),
    "bce_loss_buffer_like_logits": (
        {
            "bce_with_logits_loss_and_grad": """\
def bce_with_logits_loss_and_grad(logits, targets):
    z, y = np.asarray(logits), np.asarray(targets)
    losses = np.zeros_like(z)                      # an int buffer for int logits
    losses[...] = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    return np.mean(losses), (sigmoid(z) - y) / z.size""",
        },
        ["test_bce_with_logits"],
    ),
    "huber_clips_residuals_in_place": (
        {
            "huber_loss_and_grad": """\
def huber_loss_and_grad(pred, target, delta=1.0):
    r = np.asarray(pred) - np.asarray(target)      # an int array for int inputs
    a = np.abs(r)
    losses = np.where(a <= delta, 0.5 * r ** 2, delta * (a - 0.5 * delta))
    r[a > delta] = delta * np.sign(r[a > delta])   # the clip, truncated for integers
    return np.mean(losses), r / r.size""",
        },
        ["test_huber"],
    ),
    "fit_params_like_x": (
        {
            "fit_line": """\
def fit_line(x, y, loss_and_grad, lr=0.1, epochs=500):
    w, b = np.zeros_like(x[0]), np.zeros_like(x[0])   # int for int x
    losses = []
    for _ in range(epochs):
        loss, grad = loss_and_grad(w * x + b, y)
        losses.append(loss)
        w -= lr * np.sum(grad * x)
        b -= lr * np.sum(grad)
    return float(w), float(b), losses""",
        },
        ["test_fit_line"],
    ),
    "fit_ignores_the_given_loss": (
        {
            "fit_line": """\
def fit_line(x, y, loss_and_grad, lr=0.1, epochs=500):
    w, b, losses = 0.0, 0.0, []
    for _ in range(epochs):
        r = w * x + b - y
        losses.append(np.mean(r ** 2))              # always MSE
        grad = 2 * r / r.size
        w, b = w - lr * np.sum(grad * x), b - lr * np.sum(grad)
    return w, b, losses""",
        },
        ["test_fit_line"],
    ),
    "fit_continues_from_last_fit": (
        {
            "fit_line": """\
_fitted = {}

def fit_line(x, y, loss_and_grad, lr=0.1, epochs=500):
    w, b = _fitted.get(loss_and_grad, (0.0, 0.0))    # warm start from the last fit with this loss
    losses = []
    for _ in range(epochs):
        loss, grad = loss_and_grad(w * x + b, y)
        losses.append(loss)
        w, b = w - lr * np.sum(grad * x), b - lr * np.sum(grad)
    _fitted[loss_and_grad] = (w, b)
    return w, b, losses""",
        },
        ["test_fit_line"],
    ),
}

UNUSUAL = {
    "vdot_mse_and_logaddexp_softmax": {
        "mse_loss_and_grad": """\
def mse_loss_and_grad(pred, target):
    d = np.subtract(pred, target, dtype=float)
    return np.vdot(d, d) / d.size, d * (2.0 / d.size)""",
        "softmax": """\
def softmax(z):
    z = np.asarray(z, dtype=float)
    return np.exp(z - np.logaddexp.reduce(z, axis=-1, keepdims=True))""",
    },
    "row_loop_cross_entropy_with_helper": {
        "cross_entropy_loss_and_grad": """\
import math

def logsumexp(row):
    m = max(row)
    return m + math.log(sum(math.exp(v - m) for v in row))

def cross_entropy_loss_and_grad(logits, labels):
    n, c = np.shape(logits)
    total, grad = 0.0, np.zeros((n, c))
    for i in range(n):
        row = [float(v) for v in logits[i]]
        lse = logsumexp(row)
        total += lse - row[labels[i]]
        for j in range(c):
            grad[i, j] = (math.exp(row[j] - lse) - (j == labels[i])) / n
    print(f"mean loss over {n} examples: {total / n:.4f}")
    return total / n, grad""",
    },
    "logaddexp_bce_with_tanh_gradient": {
        "bce_with_logits_loss_and_grad": """\
def bce_with_logits_loss_and_grad(logits, targets):
    z = np.asarray(logits, dtype=float)
    y = np.asarray(targets, dtype=float)
    loss = np.mean(np.logaddexp(0.0, z) - z * y)   # log(1 + e^z) - z y, computed stably
    p = 0.5 * (1.0 + np.tanh(0.5 * z))             # sigmoid through tanh
    return loss, (p - y) / z.size""",
    },
    "huber_through_minimum": {
        "huber_loss_and_grad": """\
def huber_loss_and_grad(pred, target, delta=1.0):
    r = np.asarray(pred, dtype=float) - target
    a = np.abs(r)
    q = np.minimum(a, delta)                       # the quadratic part, capped at delta
    loss = np.mean(0.5 * q ** 2 + delta * (a - q))
    return loss, np.sign(r) * q / r.size""",
    },
    "fit_with_array_parameters_and_warning": {
        "fit_line": """\
import warnings

def fit_line(x, y, loss_and_grad, lr=0.1, epochs=500):
    if epochs > 1000:
        warnings.warn(f"{epochs} epochs: this may take a moment")
    x = np.array(x, dtype=float)
    theta = np.zeros(2)                            # (w, b), updated in place
    losses = []
    for _ in range(epochs):
        loss, grad = loss_and_grad(theta[0] * x + theta[1], y)
        losses.append(loss)
        theta -= lr * np.array([grad @ x, grad.sum()])
    return theta[0], theta[1], losses""",
    },
    "einsum_cross_entropy_and_where_huber": {
        "cross_entropy_loss_and_grad": """\
def cross_entropy_loss_and_grad(logits, labels):
    z = np.array(logits, dtype=float)              # our own copy, shifted in place
    z -= z.max(axis=1, keepdims=True)
    one_hot = np.eye(z.shape[1])[labels]
    log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    loss = -np.einsum("nc,nc->", one_hot, log_probs) / len(z)
    return loss, (np.exp(log_probs) - one_hot) / len(z)""",
        "huber_loss_and_grad": """\
def huber_loss_and_grad(pred, target, delta=1.0):
    r = np.subtract(pred, target, dtype=float)
    small = np.abs(r) <= delta
    loss = np.where(small, r * r / 2, delta * np.abs(r) - delta * delta / 2).mean()
    grad = np.where(small, r, delta * np.sign(r)) / r.size
    return loss, grad""",
    },
}


# ---- issue #20: the derive-it task (log-cosh), and bugs nobody predicted
_LOG_COSH = '''def log_cosh_loss_and_grad(pred, target):
    r = np.asarray(pred, dtype=float) - np.asarray(target, dtype=float)
    a = np.abs(r)
    loss = float(np.mean(a + np.log1p(np.exp(-2 * a)) - np.log(2.0)))
'''

WRONG.update({
    "log_cosh_naive_cosh_overflows": (
        {"log_cosh_loss_and_grad": """\
def log_cosh_loss_and_grad(pred, target):
    r = np.asarray(pred, dtype=float) - np.asarray(target, dtype=float)
    return float(np.mean(np.log(np.cosh(r)))), np.tanh(r) / r.size"""},
        ["test_log_cosh"],
    ),
    "log_cosh_grad_sinh_over_cosh": (
        {"log_cosh_loss_and_grad": _LOG_COSH + """\
    return loss, np.sinh(r) / np.cosh(r) / r.size   # inf / inf beyond |r| = 710"""},
        ["test_log_cosh"],
    ),
    "log_cosh_grad_missing_1_over_m": (
        {"log_cosh_loss_and_grad": _LOG_COSH + "    return loss, np.tanh(r)"},
        ["test_log_cosh"],
    ),
    "log_cosh_grad_of_half_square": (
        {"log_cosh_loss_and_grad": _LOG_COSH + "    return loss, r / r.size"},
        ["test_log_cosh"],
    ),
    "log_cosh_grad_sign_flipped": (
        {"log_cosh_loss_and_grad": _LOG_COSH + "    return loss, np.tanh(-r) / r.size"},
        ["test_log_cosh"],
    ),
    "log_cosh_grad_at_the_loss_not_the_residual": (
        {"log_cosh_loss_and_grad": _LOG_COSH + """\
    ell = a + np.log1p(np.exp(-2 * a)) - np.log(2.0)
    return loss, np.tanh(ell) / r.size             # the slope taken at the output"""},
        ["test_log_cosh"],
    ),
    "mse_divides_by_rows_not_elements": (
        {"mse_loss_and_grad": """\
def mse_loss_and_grad(pred, target):
    diff = np.asarray(pred, dtype=float) - np.asarray(target, dtype=float)
    return float(np.mean(diff ** 2)), 2 * diff / len(diff)    # N rows, not M entries"""},
        ["test_mse"],
    ),
    "ce_grad_forgets_the_one_hot": (
        {"cross_entropy_loss_and_grad": """\
def cross_entropy_loss_and_grad(logits, labels):
    z = np.asarray(logits, dtype=float)
    n = z.shape[0]
    m = np.max(z, axis=1, keepdims=True)
    log_probs = z - m - np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))
    return float(-np.mean(log_probs[np.arange(n), labels])), np.exp(log_probs) / n"""},
        ["test_cross_entropy"],
    ),
    "bce_grad_truth_minus_prediction": (
        {"bce_with_logits_loss_and_grad": """\
def bce_with_logits_loss_and_grad(logits, targets):
    z, y = np.asarray(logits, dtype=float), np.asarray(targets, dtype=float)
    loss = np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))
    return float(loss), (y - sigmoid(z)) / z.size"""},
        ["test_bce_with_logits"],
    ),
    "huber_slope_capped_at_one_not_delta": (
        {"huber_loss_and_grad": """\
def huber_loss_and_grad(pred, target, delta=1.0):
    r = np.asarray(pred, dtype=float) - np.asarray(target, dtype=float)
    a = np.abs(r)
    losses = np.where(a <= delta, 0.5 * r ** 2, delta * (a - 0.5 * delta))
    return float(np.mean(losses)), np.clip(r, -1, 1) / r.size"""},
        ["test_huber"],
    ),
})

# Words each wrong answer's failure message must contain: the evidence the test found.
EVIDENCE = {
    "mse_grad_missing_factor_2": {"test_mse": ["half"]},
    "mse_summed_not_averaged": {"test_mse": ["M times"]},
    "mse_divides_by_rows_not_elements": {"test_mse": ["twice"]},
    "softmax_along_columns": {"test_softmax": ["columns sum to 1", "wrong axis"]},
    "ce_grad_missing_1_over_n": {"test_cross_entropy": ["N times"]},
    "ce_not_divided_by_n": {"test_cross_entropy": ["N times"]},
    "ce_mean_over_all_entries": {"test_cross_entropy": ["1/C times"]},
    "ce_gradient_transposed": {"test_cross_entropy": ["transpose"]},
    "ce_grad_forgets_the_one_hot": {"test_cross_entropy": ["true class"]},
    "bce_grad_not_averaged": {"test_bce_with_logits": ["M times"]},
    "bce_grad_truth_minus_prediction": {"test_bce_with_logits": ["negative"]},
    "log_cosh_naive_cosh_overflows": {"test_log_cosh": ["NumPy warning"]},
    "log_cosh_grad_missing_1_over_m": {"test_log_cosh": ["M times"]},
    "log_cosh_grad_of_half_square": {"test_log_cosh": ["r**2 / 2"]},
    "log_cosh_grad_sign_flipped": {"test_log_cosh": ["negative"]},
    "fit_averages_gradient_again": {"test_fit_line": ["1/N"]},
    "fit_ignores_the_given_loss": {"test_fit_line": ["the loss it is given"]},
    "fit_continues_from_last_fit": {"test_fit_line": ["starts again"]},
}

UNUSUAL.update({
    "log_cosh_through_logaddexp_and_sigmoid": {
        "log_cosh_loss_and_grad": """\
def log_cosh_loss_and_grad(pred, target):
    r = np.subtract(pred, target, dtype=float)
    loss = np.logaddexp(r, -r) - np.log(2)          # log((e^r + e^-r) / 2)
    return loss.mean(), (2 * sigmoid(2 * r) - 1) / r.size      # tanh(r) = 2σ(2r) - 1""",
    },
    "log_cosh_per_element_loop": {
        "log_cosh_loss_and_grad": """\
import math

def log_cosh_loss_and_grad(pred, target):
    r = np.array(pred, dtype=float) - np.array(target, dtype=float)
    total, grad = 0.0, np.empty_like(r)
    for i, v in np.ndenumerate(r):
        total += abs(v) + math.log1p(math.exp(-2 * abs(v))) - math.log(2)
        grad[i] = math.tanh(v) / r.size
    return total / r.size, grad""",
    },
})
