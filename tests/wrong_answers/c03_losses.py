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
}
