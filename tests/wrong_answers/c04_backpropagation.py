"""Typical wrong answers for the Chapter 4 exercise (see __init__.py for the format)."""

CHAPTER = "04-backpropagation"

WRONG = {
    "graph_fan_out_missed": (
        {
            "graph_forward_backward": """\
def graph_forward_backward(x, y, z):
    q, r = x + y, max(y, z)
    return q * r, r, r, (q if z > y else 0.0)     # y's path through the max is lost""",
        },
        ["test_graph"],
    ),
    "graph_max_routes_to_both": (
        {
            "graph_forward_backward": """\
def graph_forward_backward(x, y, z):
    q, r = x + y, max(y, z)
    return q * r, r, r + q, q                      # both inputs of max get the gradient""",
        },
        ["test_graph"],
    ),
    "graph_add_node_stops_chain": (
        {
            "graph_forward_backward": """\
def graph_forward_backward(x, y, z):
    q, r = x + y, max(y, z)
    return q * r, 1.0, 1.0 + (q if y > z else 0.0), (q if z > y else 0.0)""",
        },
        ["test_graph"],
    ),
    "graph_old_worked_example": (
        {
            "graph_forward_backward": """\
def graph_forward_backward(x, y, z):
    q = x + y                                      # the book's (x + y) * z
    return q * z, z, z, q""",
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
    "numgrad_measures_f_of_x": (
        {
            "numerical_gradient": """\
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = float(f(x))
        x[i] = old                                 # meant old - h: this is f(x)
        f_minus = float(f(x))
        grad[i] = (f_plus - f_minus) / (2 * h)
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
    "normalize_direct_path_only": (
        {
            "normalize_backward": """\
def normalize_backward(grad_out, x):
    x = np.asarray(x, dtype=float)
    return grad_out / np.linalg.norm(x, axis=1, keepdims=True)   # r held fixed""",
        },
        ["test_normalize_backward"],
    ),
    "normalize_sums_over_the_batch": (
        {
            "normalize_backward": """\
def normalize_backward(grad_out, x):
    x = np.asarray(x, dtype=float)
    r = np.linalg.norm(x, axis=1, keepdims=True)
    y = x / r
    return (grad_out - y * np.sum(grad_out * y, axis=0, keepdims=True)) / r""",
        },
        ["test_normalize_backward"],
    ),
    "normalize_r_squared_not_cubed": (
        {
            "normalize_backward": """\
def normalize_backward(grad_out, x):
    x = np.asarray(x, dtype=float)
    r = np.linalg.norm(x, axis=1, keepdims=True)
    return grad_out / r - x * np.sum(grad_out * x, axis=1, keepdims=True) / r**2""",
        },
        ["test_normalize_backward"],
    ),
    "normalize_norm_path_sign_flipped": (
        {
            "normalize_backward": """\
def normalize_backward(grad_out, x):
    x = np.asarray(x, dtype=float)
    r = np.linalg.norm(x, axis=1, keepdims=True)
    return grad_out / r + x * np.sum(grad_out * x, axis=1, keepdims=True) / r**3""",
        },
        ["test_normalize_backward"],
    ),
    "normalize_norm_of_the_whole_batch": (
        {
            "normalize_backward": """\
def normalize_backward(grad_out, x):
    x = np.asarray(x, dtype=float)
    r = np.linalg.norm(x)                          # one norm for all rows
    y = x / r
    return (grad_out - y * np.sum(grad_out * y, axis=1, keepdims=True)) / r""",
        },
        ["test_normalize_backward"],
    ),
    "normalize_divides_x_in_place": (
        {
            "normalize_backward": """\
def normalize_backward(grad_out, x):
    r = np.linalg.norm(x, axis=1, keepdims=True)
    x /= r                                         # the caller's x; fails for integers
    return (grad_out - x * np.sum(grad_out * x, axis=1, keepdims=True)) / r""",
        },
        ["test_normalize_backward"],
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
    "linear_integer_dx_buffer": (
        {
            "linear_backward": """\
def linear_backward(grad_out, x, W):
    dx = np.zeros_like(x)                          # an int array for int x
    dx += grad_out @ W                             # float gradients cannot go into it
    return dx, grad_out.T @ x, grad_out.sum(axis=0)""",
        },
        ["test_linear_backward"],
    ),
    "sigmoid_backward_overwrites_a": (
        {
            "sigmoid_backward": """\
def sigmoid_backward(grad_out, a):
    a *= 1 - a                                     # the layer's saved output is gone
    return grad_out * a""",
        },
        ["test_sigmoid_backward"],
    ),
    "sigmoid_backward_in_place_on_grad": (
        {
            "sigmoid_backward": """\
def sigmoid_backward(grad_out, a):
    grad_out = np.asarray(grad_out)
    grad_out *= a * (1 - a)                        # the caller's array; fails for integers
    return grad_out""",
        },
        ["test_sigmoid_backward"],
    ),
    "numgrad_integer_copy": (
        {
            "numerical_gradient": """\
def numerical_gradient(f, x, h=1e-5):
    x_work = np.array(x)                           # keeps an integer dtype: x + h rounds back
    grad = np.zeros(x_work.shape)
    for i in np.ndindex(x_work.shape):
        old = x_work[i]
        x_work[i] = old + h
        f_plus = f(x_work)
        x_work[i] = old - h
        f_minus = f(x_work)
        x_work[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad""",
        },
        ["test_numerical_gradient"],
    ),
    "numgrad_integer_result_buffer": (
        {
            "numerical_gradient": """\
def numerical_gradient(f, x, h=1e-5):
    x_work = np.array(x, dtype=float)
    grad = np.zeros_like(x)                        # an int buffer for int x: 12.01 becomes 12
    for i in np.ndindex(x_work.shape):
        old = x_work[i]
        x_work[i] = old + h
        f_plus = f(x_work)
        x_work[i] = old - h
        f_minus = f(x_work)
        x_work[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad""",
        },
        ["test_numerical_gradient"],
    ),
    "numgrad_ignores_h": (
        {
            "numerical_gradient": """\
def numerical_gradient(f, x, h=1e-5):
    x_work = np.array(x, dtype=float)
    grad = np.zeros_like(x_work)
    for i in np.ndindex(x_work.shape):
        old = x_work[i]
        x_work[i] = old + 1e-5                     # always the default step
        f_plus = f(x_work)
        x_work[i] = old - 1e-5
        f_minus = f(x_work)
        x_work[i] = old
        grad[i] = (f_plus - f_minus) / 2e-5
    return grad""",
        },
        ["test_numerical_gradient"],
    ),
    "adam_sign_error_in_m": (
        {
            "adam_step": """\
def adam_step(param, grad, m, v, t, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
    m = betas[0] * m - (1 - betas[0]) * grad       # minus: m points uphill
    v = betas[1] * v + (1 - betas[1]) * grad ** 2
    m_hat, v_hat = m / (1 - betas[0] ** t), v / (1 - betas[1] ** t)
    return param + lr * m_hat / (np.sqrt(v_hat) + eps), m, v""",
        },
        ["test_adam"],
    ),
    "adam_eps_inside_the_root": (
        {
            "adam_step": """\
def adam_step(param, grad, m, v, t, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
    m = betas[0] * m + (1 - betas[0]) * grad
    v = betas[1] * v + (1 - betas[1]) * grad ** 2
    m_hat, v_hat = m / (1 - betas[0] ** t), v / (1 - betas[1] ** t)
    return param - lr * m_hat / np.sqrt(v_hat + eps), m, v""",
        },
        ["test_adam"],
    ),
    "adam_updates_moments_in_place": (
        {
            "adam_step": """\
def adam_step(param, grad, m, v, t, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
    m *= betas[0]                                  # the caller's m and v change
    m += (1 - betas[0]) * grad
    v *= betas[1]
    v += (1 - betas[1]) * grad ** 2
    m_hat, v_hat = m / (1 - betas[0] ** t), v / (1 - betas[1] ** t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v""",
        },
        ["test_adam"],
    ),
    "adam_counts_its_own_steps": (
        {
            "adam_step": """\
_steps = {}

def adam_step(param, grad, m, v, t, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
    t = _steps["t"] = _steps.get("t", 0) + 1       # ignores the t it is given
    m = betas[0] * m + (1 - betas[0]) * grad
    v = betas[1] * v + (1 - betas[1]) * grad ** 2
    m_hat, v_hat = m / (1 - betas[0] ** t), v / (1 - betas[1] ** t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v""",
        },
        ["test_adam"],
    ),
    "adam_ignores_eps": (
        {
            "adam_step": """\
def adam_step(param, grad, m, v, t, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
    m = betas[0] * m + (1 - betas[0]) * grad
    v = betas[1] * v + (1 - betas[1]) * grad ** 2
    m_hat, v_hat = m / (1 - betas[0] ** t), v / (1 - betas[1] ** t)
    return param - lr * m_hat / (np.sqrt(v_hat) + 1e-8), m, v""",
        },
        ["test_adam"],
    ),
    "adam_integer_param_in_place": (
        {
            "adam_step": """\
def adam_step(param, grad, m, v, t, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
    m = betas[0] * m + (1 - betas[0]) * grad
    v = betas[1] * v + (1 - betas[1]) * grad ** 2
    new = param.copy()                             # a copy, but an int one for int param
    new -= lr * (m / (1 - betas[0] ** t)) / (np.sqrt(v / (1 - betas[1] ** t)) + eps)
    return new, m, v""",
        },
        ["test_adam"],
    ),
    "train_reads_global_data": (
        {
            "train_mlp": """\
def train_mlp(params, X, y, lr=2.0, epochs=1000):
    W1, b1, W2, b2 = (np.array(params[k], dtype=float) for k in ("W1", "b1", "W2", "b2"))
    target = y_train.reshape(-1, 1)                # the notebook's labels, not y
    losses = []
    for _ in range(epochs):
        h = sigmoid(X_train @ W1.T + b1)
        y_hat = sigmoid(h @ W2.T + b2)
        losses.append(float(-np.mean(target * np.log(y_hat) + (1 - target) * np.log(1 - y_hat))))
        dh, dW2, db2 = linear_backward((y_hat - target) / len(X_train), h, W2)
        _, dW1, db1 = linear_backward(sigmoid_backward(dh, h), X_train, W1)
        W1, b1, W2, b2 = W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}, losses""",
        },
        ["test_train"],
    ),
    "adamw_decay_in_the_gradient": (
        {
            "adamw_step": """\
def adamw_step(param, grad, m, v, t, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    grad = grad + weight_decay * param             # L2 inside Adam, not decoupled
    return adam_step(param, grad, m, v, t, lr, betas, eps)""",
        },
        ["test_adamw"],
    ),
    "adamw_decay_divided_by_the_denominator": (
        {
            "adamw_step": """\
def adamw_step(param, grad, m, v, t, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    m = betas[0] * m + (1 - betas[0]) * grad
    v = betas[1] * v + (1 - betas[1]) * grad ** 2
    m_hat, v_hat = m / (1 - betas[0] ** t), v / (1 - betas[1] ** t)
    return param - lr * (m_hat + weight_decay * param) / (np.sqrt(v_hat) + eps), m, v""",
        },
        ["test_adamw"],
    ),
    "adamw_without_bias_correction": (
        {
            "adamw_step": """\
def adamw_step(param, grad, m, v, t, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    m = betas[0] * m + (1 - betas[0]) * grad
    v = betas[1] * v + (1 - betas[1]) * grad ** 2
    return param * (1 - lr * weight_decay) - lr * m / (np.sqrt(v) + eps), m, v""",
        },
        ["test_adamw"],
    ),
    "adamw_decay_after_the_step": (
        {
            "adamw_step": """\
def adamw_step(param, grad, m, v, t, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    new, m, v = adam_step(param, grad, m, v, t, lr, betas, eps)
    return new * (1 - lr * weight_decay), m, v     # decays the already-updated weights""",
        },
        ["test_adamw"],
    ),
    "adamw_decay_without_lr": (
        {
            "adamw_step": """\
def adamw_step(param, grad, m, v, t, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    new, m, v = adam_step(param, grad, m, v, t, lr, betas, eps)
    return new - weight_decay * param, m, v""",
        },
        ["test_adamw"],
    ),
    "adamw_fixed_decay": (
        {
            "adamw_step": """\
def adamw_step(param, grad, m, v, t, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    new, m, v = adam_step(param, grad, m, v, t, lr, betas, eps)
    return new - lr * 0.5 * param, m, v            # the weight_decay of the visible test""",
        },
        ["test_adamw"],
    ),
    "adamw_eps_outside_the_root": (
        {
            "adamw_step": """\
def adamw_step(param, grad, m, v, t, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    m = betas[0] * m + (1 - betas[0]) * grad
    v = betas[1] * v + (1 - betas[1]) * grad ** 2
    m_hat, v_hat = m / (1 - betas[0] ** t), v / (1 - betas[1] ** t)
    return param * (1 - lr * weight_decay) - lr * (m_hat / np.sqrt(v_hat) + eps), m, v""",
        },
        ["test_adamw"],
    ),
    "adamw_counts_its_own_steps": (
        {
            "adamw_step": """\
def adamw_step(param, grad, m, v, t, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    adamw_step.calls = getattr(adamw_step, "calls", 0) + 1
    return adam_step(param * (1 - lr * weight_decay), grad, m, v, adamw_step.calls, lr, betas, eps)""",
        },
        ["test_adamw"],
    ),
    "adamw_decays_param_in_place": (
        {
            "adamw_step": """\
def adamw_step(param, grad, m, v, t, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    param *= 1 - lr * weight_decay                 # the caller's weights; fails for integers
    return adam_step(param, grad, m, v, t, lr, betas, eps)""",
        },
        ["test_adamw"],
    ),
}

UNUSUAL = {
    "graph_with_helpers_and_print": {
        "graph_forward_backward": """\
def add_backward(upstream):
    return upstream, upstream

def mul_backward(upstream, a, b):
    return upstream * b, upstream * a

def max_backward(upstream, a, b):
    return (upstream, 0) if a > b else (0, upstream)

def graph_forward_backward(x, y, z):
    q = x + y
    r = max(y, z)
    f = q * r
    dq, dr = mul_backward(1.0, q, r)
    dx, dy_add = add_backward(dq)
    dy_max, dz = max_backward(dr, y, z)
    print(f"f = {f}, gradients {dx}, {dy_add + dy_max}, {dz}")
    return f, dx, dy_add + dy_max, dz""",
    },
    "graph_numpy_scalars": {
        "graph_forward_backward": """\
def graph_forward_backward(x, y, z):
    y_wins = np.float64(y > z)
    q, r = np.add(x, y), np.maximum(y, z)
    return q * r, r, r + q * y_wins, q * (1 - y_wins)""",
    },
    "einsum_linear_backward": {
        "linear_backward": """\
def linear_backward(grad_out, x, W):
    dx = np.einsum("no,oi->ni", grad_out, W)
    dW = np.einsum("no,ni->oi", grad_out, x)
    db = np.einsum("no->o", grad_out)
    return dx, dW, db""",
        "sigmoid_backward": """\
def sigmoid_backward(grad_out, a):
    return np.multiply(grad_out, a - np.square(a))""",
    },
    "loops_and_flat_views": {
        "linear_backward": """\
def linear_backward(grad_out, x, W):
    n, d_out = np.shape(grad_out)
    d_in = np.shape(x)[1]
    dx, dW, db = np.zeros((n, d_in)), np.zeros((d_out, d_in)), np.zeros(d_out)
    for o in range(d_out):                 # one weight at a time, all samples at once
        g = np.asarray(grad_out)[:, o]
        db[o] = g.sum()
        for k in range(d_in):
            dx[:, k] += g * W[o][k]
            dW[o][k] = g @ np.asarray(x)[:, k]
    return dx, dW, db""",
        "numerical_gradient": """\
def numerical_gradient(f, x, h=1e-5):
    shape = np.shape(x)
    flat = np.array(x, dtype=float).ravel()        # our own float copy
    grad = np.empty_like(flat)
    for i in range(flat.size):
        nudge = np.zeros_like(flat)
        nudge[i] = h
        grad[i] = (f((flat + nudge).reshape(shape)) - f((flat - nudge).reshape(shape))) / (2 * h)
    return grad.reshape(shape)""",
    },
    "normalize_row_by_row_loop": {
        "normalize_backward": """\
def normalize_backward(grad_out, x):
    dx = np.zeros(np.shape(x))
    for n, (g, row) in enumerate(zip(np.asarray(grad_out, float), np.asarray(x, float))):
        r = np.sqrt(row @ row)
        dx[n] = g / r - row * (g @ row) / r**3       # direct path, path through r
    return dx""",
    },
    "normalize_jacobian_per_row": {
        "normalize_backward": """\
def normalize_backward(grad_out, x):
    x = np.asarray(x, dtype=float)
    r = np.linalg.norm(x, axis=1)
    y = x / r[:, None]
    D = x.shape[1]
    jacobians = (np.eye(D) - np.einsum("ni,nj->nij", y, y)) / r[:, None, None]
    return np.einsum("nij,ni->nj", jacobians, grad_out)   # symmetric Jacobians""",
    },
    "pytorch_form_adam_with_warning": {
        "adam_step": """\
import math
import warnings

def adam_step(param, grad, m, v, t, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
    if t < 1:
        warnings.warn("the first step has t = 1")
    beta1, beta2 = betas
    m_new = beta1 * np.asarray(m) + (1 - beta1) * np.asarray(grad)
    v_new = beta2 * np.asarray(v) + (1 - beta2) * np.square(grad)
    step_size = lr / (1 - beta1 ** t)
    denom = np.sqrt(v_new) / math.sqrt(1 - beta2 ** t) + eps
    return param - step_size * m_new / denom, m_new, v_new""",
    },
    "adamw_through_adam_step": {
        "adamw_step": """\
def adamw_step(param, grad, m, v, t, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    shrunk = np.multiply(param, 1 - lr * weight_decay)    # a new array
    return adam_step(shrunk, grad, m, v, t, lr=lr, betas=betas, eps=eps)""",
    },
    "adamw_paper_form_in_place_on_copies": {
        "adamw_step": """\
def adamw_step(param, grad, m, v, t, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    theta = np.array(param, dtype=float)
    m, v = np.array(m, dtype=float), np.array(v, dtype=float)
    m *= betas[0]
    m += (1 - betas[0]) * np.asarray(grad)
    v *= betas[1]
    v += (1 - betas[1]) * np.asarray(grad) ** 2
    adam_direction = (m / (1 - betas[0] ** t)) / (np.sqrt(v / (1 - betas[1] ** t)) + eps)
    theta -= lr * (adam_direction + weight_decay * theta)   # Loshchilov & Hutter's line
    print("AdamW step", t)
    return theta, m, v""",
    },
    "train_in_place_on_copies_with_helper": {
        "train_mlp": """\
def bce(y_hat, y):
    return float(-np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)))

def train_mlp(params, X, y, lr=2.0, epochs=1000):
    p = {k: np.array(w, dtype=float) for k, w in params.items()}
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)[:, None]
    losses = []
    for epoch in range(epochs):
        h = sigmoid(X @ p["W1"].T + p["b1"])
        y_hat = sigmoid(h @ p["W2"].T + p["b2"])
        losses.append(bce(y_hat, y))
        dh, dW2, db2 = linear_backward((y_hat - y) / X.shape[0], h, p["W2"])
        _, dW1, db1 = linear_backward(sigmoid_backward(dh, h), X, p["W1"])
        for k, g in zip(("W1", "b1", "W2", "b2"), (dW1, db1, dW2, db2)):
            p[k] -= lr * g                          # our copies, not the caller's
    return p, losses""",
    },
}

EVIDENCE = {
    "numgrad_measures_f_of_x": {"test_numerical_gradient": ["half"]},
    "numgrad_h_not_halved": {"test_numerical_gradient": ["twice"]},
    "linear_dW_transposed": {"test_linear_backward": ["dW", "transpose"]},
    "linear_db_mean": {"test_linear_backward": ["db", "1/N times"]},
    "adam_sign_error_in_m": {"test_adam": ["new_m", "the negative of"]},
    "adam_counts_its_own_steps": {"test_adam": ["the t it is given"]},
    "adam_eps_inside_the_root": {"test_adam": ["eps = 0.5", "outside the square root"]},
    "graph_fan_out_missed": {"test_graph": ["two paths", "add up"]},
    "graph_max_routes_to_both": {"test_graph": ["lost the max"]},
    "sigmoid_backward_applies_sigmoid_again": {"test_sigmoid_backward": ["applied twice"]},
    "normalize_direct_path_only": {"test_normalize_backward": ["through its norm"]},
    "normalize_divides_x_in_place": {"test_normalize_backward": ["changed its inputs"]},
    "train_modifies_params_in_place": {"test_train": ["changed the arrays in params"]},
    "adamw_decay_after_the_step": {"test_adamw": ["after Adam's step"]},
    "adamw_decay_in_the_gradient": {"test_adamw": ["new_m", "not part of the gradient"]},
}
