"""Typical wrong answers for the Chapter 1 exercise (see __init__.py for the format)."""

CHAPTER = "01-neurons"

WRONG = {
    "sigmoid_overflows": (
        {
            "sigmoid": """\
def sigmoid(z):
    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))""",
        },
        ["test_sigmoid"],
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
}
