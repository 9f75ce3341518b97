"""Typical wrong answers for the Chapter 1 exercise (see __init__.py for the format).

The solution's later functions call its `sigmoid`, so a sigmoid that overflows also fails the
squared-error task, whose test tries z = ±1000.
"""

CHAPTER = "01-neurons"

WRONG = {
    "sigmoid_overflows": (
        {
            "sigmoid": """\
def sigmoid(z):
    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))""",
        },
        ["test_sigmoid", "test_mse_loss_and_grad"],
    ),
    "neuron_without_bias": (
        {
            "neuron_forward": """\
def neuron_forward(x, w, b):
    return sigmoid(np.asarray(x) @ w)""",
        },
        ["test_neuron_forward"],
    ),
    "neuron_batch_only": (
        {
            "neuron_forward": """\
def neuron_forward(x, w, b):
    return np.array([sigmoid(row @ w + b) for row in x])""",
        },
        ["test_neuron_forward"],
    ),
    "dense_wrong_layout": (
        {
            "dense_forward": """\
def dense_forward(X, W, b, activation):
    return activation(X @ W + b)""",
        },
        ["test_dense_forward"],
    ),
    "count_without_biases": (
        {
            "count_parameters": """\
def count_parameters(layer_sizes):
    return sum(a * b for a, b in zip(layer_sizes, layer_sizes[1:]))""",
        },
        ["test_count_parameters"],
    ),
    "bce_not_divided_by_n": (
        {
            "bce_loss_and_grad": """\
def bce_loss_and_grad(X, y, w, b):
    y_hat = sigmoid(X @ w + b)
    p = np.clip(y_hat, 1e-12, 1 - 1e-12)
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    return loss, X.T @ (y_hat - y), np.sum(y_hat - y)""",
        },
        ["test_bce_loss_and_grad", "test_train_neuron"],
    ),
    "bce_unclipped": (
        {
            "bce_loss_and_grad": """\
def bce_loss_and_grad(X, y, w, b):
    y_hat = sigmoid(X @ w + b)
    loss = -np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))
    return loss, X.T @ (y_hat - y) / len(y), np.mean(y_hat - y)""",
        },
        ["test_bce_loss_and_grad"],
    ),
    "train_without_bias_update": (
        {
            "train_neuron": """\
def train_neuron(X, y, lr=0.1, epochs=100):
    w, b, losses = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        loss, gw, gb = bce_loss_and_grad(X, y, w, b)
        losses.append(loss)
        w = w - lr * gw
    return w, b, losses""",
        },
        ["test_train_neuron"],
    ),
    "train_records_loss_after_update": (
        {
            "train_neuron": """\
def train_neuron(X, y, lr=0.1, epochs=100):
    w, b, losses = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        loss, gw, gb = bce_loss_and_grad(X, y, w, b)
        w, b = w - lr * gw, b - lr * gb
        losses.append(bce_loss_and_grad(X, y, w, b)[0])
    return w, b, losses""",
        },
        ["test_train_neuron"],
    ),
    "sigmoid_changes_its_input": (
        {
            "sigmoid": """\
def sigmoid(z):
    z = np.asarray(z, dtype=float)
    negative = z < 0
    np.abs(z, out=z)                               # the caller's array, now all positive
    e = np.exp(-z)
    return np.where(negative, e / (1 + e), 1 / (1 + e))""",
        },
        ["test_sigmoid"],
    ),
    "sigmoid_integer_output_array": (
        {
            "sigmoid": """\
def sigmoid(z):
    z = np.asarray(z)
    out = np.empty_like(z)                         # an int array for int input: values truncated
    pos = z >= 0
    out[pos] = 1 / (1 + np.exp(-z[pos]))
    e = np.exp(z[~pos])
    out[~pos] = e / (1 + e)
    return out""",
        },
        ["test_sigmoid"],
    ),
    "neuron_weights_transposed_for_one_example": (
        {
            "neuron_forward": """\
def neuron_forward(x, w, b):
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        return sigmoid(x[::-1] @ w + b)            # features in the wrong order
    return sigmoid(x @ w + b)""",
        },
        ["test_neuron_forward"],
    ),
    "dense_always_sigmoid": (
        {
            "dense_forward": """\
def dense_forward(X, W, b, activation):
    return sigmoid(X @ W.T + b)                    # the activation argument is ignored""",
        },
        ["test_dense_forward"],
    ),
    "count_pops_the_list": (
        {
            "count_parameters": """\
def count_parameters(layer_sizes):
    sizes, total = layer_sizes, 0                  # not a copy
    while len(sizes) > 1:
        n_in = sizes.pop(0)
        total += n_in * sizes[0] + sizes[0]
    return total""",
        },
        ["test_count_parameters"],
    ),
    "count_biases_of_inputs": (
        {
            "count_parameters": """\
def count_parameters(layer_sizes):
    return sum(n_out * n_in + n_in for n_out, n_in in zip(layer_sizes[1:], layer_sizes[:-1]))""",
        },
        ["test_count_parameters"],
    ),
    "count_remembers_earlier_calls": (
        {
            "count_parameters": """\
_counted = {}

def count_parameters(layer_sizes):
    depth = len(layer_sizes)                       # a cache keyed by depth alone
    if depth not in _counted:
        _counted[depth] = sum(a * b + b for a, b in zip(layer_sizes, layer_sizes[1:]))
    return _counted[depth]""",
        },
        ["test_count_parameters"],
    ),
    "bce_changes_labels": (
        {
            "bce_loss_and_grad": """\
def bce_loss_and_grad(X, y, w, b):
    y_hat = sigmoid(X @ w + b)
    p = np.clip(y_hat, 1e-12, 1 - 1e-12)
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    y -= y_hat                                     # reuses the labels' array for the error
    return loss, X.T @ (-y) / len(y), np.mean(-y)""",
        },
        ["test_bce_loss_and_grad", "test_train_neuron"],
    ),
    "train_reads_global_data": (
        {
            "train_neuron": """\
def train_neuron(X, y, lr=0.1, epochs=100):
    w, b, losses = np.zeros(X_train.shape[1]), 0.0, []
    for _ in range(epochs):
        loss, gw, gb = bce_loss_and_grad(X_train, y_train, w, b)   # the notebook's data
        losses.append(loss)
        w, b = w - lr * gw, b - lr * gb
    return w, b, losses""",
        },
        ["test_train_neuron"],
    ),
    "train_integer_weights": (
        {
            "train_neuron": """\
def train_neuron(X, y, lr=0.1, epochs=100):
    w, b, losses = np.zeros_like(X[0]), 0.0, []    # int weights for int data
    for _ in range(epochs):
        loss, gw, gb = bce_loss_and_grad(X, y, w, b)
        losses.append(loss)
        w -= lr * gw
        b -= lr * gb
    return w, b, losses""",
        },
        ["test_train_neuron"],
    ),
    "train_fixed_learning_rate": (
        {
            "train_neuron": """\
def train_neuron(X, y, lr=0.1, epochs=100):
    w, b, losses = np.zeros(np.shape(X)[1]), 0.0, []
    for _ in range(epochs):
        loss, gw, gb = bce_loss_and_grad(X, y, w, b)
        losses.append(loss)
        w, b = w - 0.5 * gw, b - 0.5 * gb          # the lr of the visible test
    return w, b, losses""",
        },
        ["test_train_neuron"],
    ),
    "sigmoid_overflows_for_large_positive": (
        {
            "sigmoid": """\
def sigmoid(z):
    e = np.exp(np.asarray(z, dtype=float))         # safe for z < 0 only
    return e / (1 + e)""",
        },
        ["test_sigmoid", "test_mse_loss_and_grad"],
    ),
    "bce_grad_w_and_grad_b_swapped": (
        {
            "bce_loss_and_grad": """\
def bce_loss_and_grad(X, y, w, b):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    y_hat = sigmoid(X @ w + b)
    p = np.clip(y_hat, 1e-12, 1 - 1e-12)
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    return loss, np.mean(y_hat - y), X.T @ (y_hat - y) / len(y)""",
        },
        ["test_bce_loss_and_grad", "test_train_neuron"],
    ),
    "mse_missing_factor_two": (
        {
            "mse_loss_and_grad": """\
def mse_loss_and_grad(X, y, w, b):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    y_hat = sigmoid(X @ w + b)
    delta = (y_hat - y) * y_hat * (1 - y_hat)     # the 2 of the square is lost
    return np.mean((y_hat - y) ** 2), X.T @ delta / len(y), np.mean(delta)""",
        },
        ["test_mse_loss_and_grad"],
    ),
    "mse_copies_the_cross_entropy_gradient": (
        {
            "mse_loss_and_grad": """\
def mse_loss_and_grad(X, y, w, b):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    y_hat = sigmoid(X @ w + b)
    return np.mean((y_hat - y) ** 2), X.T @ (y_hat - y) / len(y), np.mean(y_hat - y)""",
        },
        ["test_mse_loss_and_grad"],
    ),
    "mse_without_the_sigmoid_slope": (
        {
            "mse_loss_and_grad": """\
def mse_loss_and_grad(X, y, w, b):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    y_hat = sigmoid(X @ w + b)
    delta = 2 * (y_hat - y)                       # as if y_hat were z itself
    return np.mean((y_hat - y) ** 2), X.T @ delta / len(y), np.mean(delta)""",
        },
        ["test_mse_loss_and_grad"],
    ),
    "mse_sums_instead_of_averaging": (
        {
            "mse_loss_and_grad": """\
def mse_loss_and_grad(X, y, w, b):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    y_hat = sigmoid(X @ w + b)
    delta = 2 * (y_hat - y) * y_hat * (1 - y_hat)
    return np.sum((y_hat - y) ** 2), X.T @ delta, np.sum(delta)""",
        },
        ["test_mse_loss_and_grad"],
    ),
    "mse_gradient_ascent_sign": (
        {
            "mse_loss_and_grad": """\
def mse_loss_and_grad(X, y, w, b):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    y_hat = sigmoid(X @ w + b)
    delta = 2 * (y - y_hat) * y_hat * (1 - y_hat)  # target minus prediction
    return np.mean((y_hat - y) ** 2), X.T @ delta / len(y), np.mean(delta)""",
        },
        ["test_mse_loss_and_grad"],
    ),
    "mse_naive_sigmoid_overflows": (
        {
            "mse_loss_and_grad": """\
def mse_loss_and_grad(X, y, w, b):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    y_hat = 1 / (1 + np.exp(-(X @ w + b)))         # its own sigmoid, not the safe one
    delta = 2 * (y_hat - y) * y_hat * (1 - y_hat)
    return np.mean((y_hat - y) ** 2), X.T @ delta / len(y), np.mean(delta)""",
        },
        ["test_mse_loss_and_grad"],
    ),
    "mse_bias_gradient_forgets_the_slope": (
        {
            "mse_loss_and_grad": """\
def mse_loss_and_grad(X, y, w, b):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    y_hat = sigmoid(X @ w + b)
    delta = 2 * (y_hat - y) * y_hat * (1 - y_hat)
    return np.mean((y_hat - y) ** 2), X.T @ delta / len(y), np.mean(2 * (y_hat - y))""",
        },
        ["test_mse_loss_and_grad"],
    ),
}

UNUSUAL = {
    "tanh_sigmoid_einsum_layer": {
        "sigmoid": """\
def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))   # tanh never overflows""",
        "dense_forward": """\
def dense_forward(X, W, b, activation):
    return activation(np.einsum("nd,md->nm", X, W) + b)""",
    },
    "logaddexp_sigmoid_and_loss": {
        "sigmoid": """\
def sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))""",
        "bce_loss_and_grad": """\
def bce_loss_and_grad(X, y, w, b):
    z = np.dot(X, w) + b
    loss = np.mean(np.logaddexp(0.0, z) - y * z)  # exact, no clipping needed
    error = sigmoid(z) - y
    return loss, np.dot(error, X) / len(error), error.mean()""",
    },
    "loops_everywhere": {
        "neuron_forward": """\
import math

def _one(x, w, b):
    z = b
    for xi, wi in zip(x, w):
        z += xi * wi
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))

def neuron_forward(x, w, b):
    if np.ndim(x) == 1:
        return _one(x, w, b)
    return np.array([_one(row, w, b) for row in x])""",
        "count_parameters": """\
def count_parameters(layer_sizes):
    total = 0
    for i in range(1, len(layer_sizes)):
        total += layer_sizes[i - 1] * layer_sizes[i]   # weights
        total += layer_sizes[i]                        # biases
    print("counted", total, "parameters")
    return total""",
    },
    "masked_sigmoid_on_a_copy": {
        "sigmoid": """\
def sigmoid(z):
    out = np.array(z, dtype=float)                 # a float copy, then filled in place
    pos = out >= 0
    out[pos] = 1 / (1 + np.exp(-out[pos]))
    e = np.exp(out[~pos])
    out[~pos] = e / (1 + e)
    return out""",
    },
    "in_place_training_with_warnings": {
        "train_neuron": """\
def train_neuron(X, y, lr=0.1, epochs=100):
    if epochs > 150:
        warnings.warn(f"{epochs} epochs may take a while")
    w = np.zeros(np.shape(X)[1])
    b = 0.0
    losses = []
    for epoch in range(epochs):
        loss, grad_w, grad_b = bce_loss_and_grad(X, y, w, b)
        losses.append(loss)
        w -= lr * grad_w                           # w is our own float array
        b -= lr * grad_b
    print(f"trained for {epochs} epochs, final loss {losses[-1]:.3f}")
    return w, b, losses""",
    },
    "matmul_transposes": {
        "dense_forward": """\
def dense_forward(X, W, b, activation):
    return activation((np.asarray(W) @ np.asarray(X).T).T + np.asarray(b)[None, :])""",
        "bce_loss_and_grad": """\
def bce_loss_and_grad(X, y, w, b):
    X = np.array(X, dtype=float)
    y = np.array(y, dtype=float)
    y_hat = neuron_forward(X, w, b)
    p = np.minimum(np.maximum(y_hat, 1e-12), 1 - 1e-12)
    loss = -(y @ np.log(p) + (1 - y) @ np.log1p(-p)) / len(y)
    residual = y_hat - y
    residual /= len(y)                             # our own array
    return float(loss), X.T.dot(residual), float(residual.sum())""",
    },
    "mse_one_example_at_a_time": {
        "mse_loss_and_grad": """\
def mse_loss_and_grad(X, y, w, b):
    X = np.atleast_2d(np.asarray(X, dtype=float))
    loss, grad_w, grad_b = 0.0, np.zeros(X.shape[1]), 0.0
    for x_n, y_n in zip(X, y):
        a = float(sigmoid(x_n @ w + b))
        slope = a * (1 - a)                        # sigma'(z), from Section 1.1
        loss += (a - y_n) ** 2
        grad_w += 2 * (a - y_n) * slope * x_n
        grad_b += 2 * (a - y_n) * slope
    n = len(X)
    return loss / n, grad_w / n, grad_b / n""",
    },
    "mse_with_a_derivative_helper": {
        "mse_loss_and_grad": """\
def sigmoid_slope(z):
    s = sigmoid(z)
    return s * (1 - s)

def mse_loss_and_grad(X, y, w, b):
    z = np.einsum("nd,d->n", np.asarray(X, dtype=float), np.asarray(w, dtype=float)) + b
    residual = sigmoid(z) - np.asarray(y)
    delta = 2 * residual * sigmoid_slope(z)
    return float(np.mean(residual ** 2)), np.mean(delta[:, None] * X, axis=0), delta.mean()""",
    },
}

EVIDENCE = {
    "sigmoid_overflows": {"test_sigmoid": ["z = -1000", "overflow"]},
    "sigmoid_overflows_for_large_positive": {"test_sigmoid": ["z = 1000", "overflow"]},
    "count_without_biases": {"test_count_parameters": ["weights alone"]},
    "bce_not_divided_by_n": {"test_bce_loss_and_grad": ["grad_w", "N times"]},
    "bce_grad_w_and_grad_b_swapped": {"test_bce_loss_and_grad": ["grad_w", "shape (2,)"]},
    "train_without_bias_update": {"test_train_neuron": ["b after 2 steps", "all zeros"]},
    "train_records_loss_after_update": {"test_train_neuron": ["losses recorded", "index 0"]},
    "mse_missing_factor_two": {"test_mse_loss_and_grad": ["grad_w", "half"]},
    "mse_copies_the_cross_entropy_gradient": {
        "test_mse_loss_and_grad": ["equals what the cross-entropy gradient should be"]},
    "mse_without_the_sigmoid_slope": {"test_mse_loss_and_grad": ["grad_w differs", "slope"]},
    "mse_sums_instead_of_averaging": {"test_mse_loss_and_grad": ["the loss is N times"]},
    "mse_gradient_ascent_sign": {"test_mse_loss_and_grad": ["the negative of"]},
    "mse_naive_sigmoid_overflows": {"test_mse_loss_and_grad": ["warn", "overflow"]},
    "mse_bias_gradient_forgets_the_slope": {"test_mse_loss_and_grad": ["grad_b differs"]},
}
