"""Typical wrong answers for the Chapter 4 exercise (see __init__.py for the format)."""

CHAPTER = "04-backpropagation"

WRONG = {
    "graph_partials_swapped": (
        {
            "graph_forward_backward": """\
def graph_forward_backward(x, y, z):
    q = x + y
    return q * z, q, q, z""",
        },
        ["test_graph"],
    ),
    "graph_add_node_stops_chain": (
        {
            "graph_forward_backward": """\
def graph_forward_backward(x, y, z):
    q = x + y
    return q * z, 1.0, 1.0, q""",
        },
        ["test_graph"],
    ),
    "linear_dW_transposed": (
        {
            "linear_backward": """\
def linear_backward(grad_out, x, W):
    return grad_out @ W, x.T @ grad_out, grad_out.sum(axis=0)""",
        },
        ["test_linear_backward", "test_train"],
    ),
    "linear_db_not_summed": (
        {
            "linear_backward": """\
def linear_backward(grad_out, x, W):
    return grad_out @ W, grad_out.T @ x, grad_out""",
        },
        ["test_linear_backward", "test_train"],
    ),
    "linear_db_mean": (
        {
            "linear_backward": """\
def linear_backward(grad_out, x, W):
    return grad_out @ W, grad_out.T @ x, grad_out.mean(axis=0)""",
        },
        ["test_linear_backward", "test_train"],
    ),
    "sigmoid_backward_forgets_one_minus_a": (
        {
            "sigmoid_backward": """\
def sigmoid_backward(grad_out, a):
    return grad_out * a""",
        },
        ["test_sigmoid_backward", "test_train"],
    ),
    "sigmoid_backward_applies_sigmoid_again": (
        {
            "sigmoid_backward": """\
def sigmoid_backward(grad_out, a):
    s = sigmoid(a)
    return grad_out * s * (1 - s)""",
        },
        ["test_sigmoid_backward", "test_train"],
    ),
    "numgrad_forward_difference": (
        {
            "numerical_gradient": """\
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    f0 = float(f(x))
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        grad[i] = (float(f(x)) - f0) / h
        x[i] = old
    return grad""",
        },
        ["test_numerical_gradient"],
    ),
    "numgrad_h_not_halved": (
        {
            "numerical_gradient": """\
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = float(f(x))
        x[i] = old - h
        f_minus = float(f(x))
        x[i] = old
        grad[i] = (f_plus - f_minus) / h
    return grad""",
        },
        ["test_numerical_gradient"],
    ),
    "numgrad_leaves_x_modified": (
        {
            "numerical_gradient": """\
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += h
        f_plus = float(f(x))
        x[i] -= 2 * h
        f_minus = float(f(x))
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad""",
        },
        ["test_numerical_gradient"],
    ),
    "adam_without_bias_correction": (
        {
            "adam_step": """\
def adam_step(param, grad, m, v, t, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
    m = betas[0] * m + (1 - betas[0]) * grad
    v = betas[1] * v + (1 - betas[1]) * grad ** 2
    return param - lr * m / (np.sqrt(v) + eps), m, v""",
        },
        ["test_adam"],
    ),
    "adam_bias_correction_off_by_one": (
        {
            "adam_step": """\
def adam_step(param, grad, m, v, t, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
    m = betas[0] * m + (1 - betas[0]) * grad
    v = betas[1] * v + (1 - betas[1]) * grad ** 2
    m_hat, v_hat = m / (1 - betas[0] ** (t + 1)), v / (1 - betas[1] ** (t + 1))
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v""",
        },
        ["test_adam"],
    ),
    "adam_returns_corrected_moments": (
        {
            "adam_step": """\
def adam_step(param, grad, m, v, t, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
    m = (betas[0] * m + (1 - betas[0]) * grad) / (1 - betas[0] ** t)
    v = (betas[1] * v + (1 - betas[1]) * grad ** 2) / (1 - betas[1] ** t)
    return param - lr * m / (np.sqrt(v) + eps), m, v""",
        },
        ["test_adam"],
    ),
    "train_forgets_1_over_N": (
        {
            "train_mlp": """\
def train_mlp(params, X, y, lr=2.0, epochs=1000):
    W1, b1, W2, b2 = (np.array(params[k], dtype=float) for k in ("W1", "b1", "W2", "b2"))
    y = np.asarray(y, dtype=float).reshape(-1, 1)
    losses = []
    for _ in range(epochs):
        h = sigmoid(X @ W1.T + b1)
        y_hat = sigmoid(h @ W2.T + b2)
        losses.append(float(-np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))))
        dh, dW2, db2 = linear_backward(y_hat - y, h, W2)
        _, dW1, db1 = linear_backward(sigmoid_backward(dh, h), X, W1)
        W1, b1, W2, b2 = W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}, losses""",
        },
        ["test_train"],
    ),
    "train_backprop_through_pre_update_W2_missed": (
        {
            "train_mlp": """\
def train_mlp(params, X, y, lr=2.0, epochs=1000):
    W1, b1, W2, b2 = (np.array(params[k], dtype=float) for k in ("W1", "b1", "W2", "b2"))
    y = np.asarray(y, dtype=float).reshape(-1, 1)
    losses = []
    for _ in range(epochs):
        h = sigmoid(X @ W1.T + b1)
        y_hat = sigmoid(h @ W2.T + b2)
        losses.append(float(-np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))))
        dz2 = (y_hat - y) / len(X)
        _, dW2, db2 = linear_backward(dz2, h, W2)
        W2, b2 = W2 - lr * dW2, b2 - lr * db2
        dh = dz2 @ W2
        _, dW1, db1 = linear_backward(sigmoid_backward(dh, h), X, W1)
        W1, b1 = W1 - lr * dW1, b1 - lr * db1
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}, losses""",
        },
        ["test_train"],
    ),
    "train_modifies_params_in_place": (
        {
            "train_mlp": """\
def train_mlp(params, X, y, lr=2.0, epochs=1000):
    y = np.asarray(y, dtype=float).reshape(-1, 1)
    losses = []
    for _ in range(epochs):
        h = sigmoid(X @ params["W1"].T + params["b1"])
        y_hat = sigmoid(h @ params["W2"].T + params["b2"])
        losses.append(float(-np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))))
        dz2 = (y_hat - y) / len(X)
        dh, dW2, db2 = linear_backward(dz2, h, params["W2"])
        _, dW1, db1 = linear_backward(sigmoid_backward(dh, h), X, params["W1"])
        for k, g in zip(("W1", "b1", "W2", "b2"), (dW1, db1, dW2, db2)):
            params[k] -= lr * g
    return params, losses""",
        },
        ["test_train"],
    ),
}
