"""Typical wrong answers for the Chapter 2 exercise (see __init__.py for the format).

The solution's ``perceptron_epoch`` calls ``perceptron_predict`` and its ``train_perceptron``
calls ``perceptron_epoch``, so a wrong answer early in that chain also fails the later tests.
"""

CHAPTER = "02-perceptrons"

WRONG = {
    "predict_strict_threshold": (
        {
            "perceptron_predict": """\
def perceptron_predict(X, w, b):
    return (np.asarray(X, dtype=float) @ w + b > 0).astype(int)""",
        },
        ["test_perceptron_predict", "test_perceptron_epoch", "test_train_perceptron"],
    ),
    "predict_sign_labels": (
        {
            "perceptron_predict": """\
def perceptron_predict(X, w, b):
    return np.where(np.asarray(X, dtype=float) @ w + b >= 0, 1, -1)""",
        },
        ["test_perceptron_predict", "test_perceptron_epoch", "test_train_perceptron"],
    ),
    "predict_batch_only": (
        {
            "perceptron_predict": """\
def perceptron_predict(X, w, b):
    return np.array([1 if row @ w + b >= 0 else 0 for row in np.atleast_2d(X)])""",
        },
        # perceptron_epoch then returns b of shape (1,), which float(b) rejects in the next epoch
        ["test_perceptron_predict", "test_train_perceptron"],
    ),
    "epoch_update_sign_flipped": (
        {
            "perceptron_epoch": """\
def perceptron_epoch(X, y, w, b, lr=1.0):
    w, b, mistakes = np.array(w, dtype=float), float(b), 0
    for x_n, y_n in zip(X, y):
        y_hat = perceptron_predict(x_n, w, b)
        if y_hat != y_n:
            w = w - lr * (y_n - y_hat) * x_n
            b = b - lr * (y_n - y_hat)
            mistakes += 1
    return w, b, mistakes""",
        },
        ["test_perceptron_epoch", "test_train_perceptron"],
    ),
    "epoch_updates_on_correct_examples": (
        {
            "perceptron_epoch": """\
def perceptron_epoch(X, y, w, b, lr=1.0):
    w, b, mistakes = np.array(w, dtype=float), float(b), 0
    for x_n, y_n in zip(X, y):
        y_hat = perceptron_predict(x_n, w, b)
        if y_hat == y_n:
            w = w + lr * (2 * y_n - 1) * x_n
            b = b + lr * (2 * y_n - 1)
        else:
            mistakes += 1
    return w, b, mistakes""",
        },
        ["test_perceptron_epoch", "test_train_perceptron"],
    ),
    "epoch_without_bias_update": (
        {
            "perceptron_epoch": """\
def perceptron_epoch(X, y, w, b, lr=1.0):
    w, mistakes = np.array(w, dtype=float), 0
    for x_n, y_n in zip(X, y):
        error = y_n - perceptron_predict(x_n, w, b)
        if error:
            w = w + lr * error * x_n
            mistakes += 1
    return w, b, mistakes""",
        },
        ["test_perceptron_epoch", "test_train_perceptron"],
    ),
    "epoch_batch_update": (
        {
            "perceptron_epoch": """\
def perceptron_epoch(X, y, w, b, lr=1.0):
    X = np.asarray(X, dtype=float)
    errors = y - perceptron_predict(X, w, b)      # every prediction made with the old weights
    return w + lr * errors @ X, b + lr * errors.sum(), int(np.count_nonzero(errors))""",
        },
        ["test_perceptron_epoch", "test_train_perceptron"],
    ),
    "epoch_counts_mistakes_after_updating": (
        {
            "perceptron_epoch": """\
def perceptron_epoch(X, y, w, b, lr=1.0):
    w, b = np.array(w, dtype=float), float(b)
    for x_n, y_n in zip(X, y):
        error = y_n - perceptron_predict(x_n, w, b)
        w, b = w + lr * error * x_n, b + lr * error
    return w, b, int(np.sum(perceptron_predict(X, w, b) != y))""",
        },
        ["test_perceptron_epoch", "test_train_perceptron"],
    ),
    "train_one_epoch_too_many": (
        {
            "train_perceptron": """\
def train_perceptron(X, y, lr=1.0, max_epochs=100):
    w, b, history = np.zeros(np.shape(X)[1]), 0.0, []
    for epoch in range(max_epochs + 1):
        w, b, m = perceptron_epoch(X, y, w, b, lr)
        history.append(m)
        if m == 0:
            break
    return w, b, history""",
        },
        ["test_train_perceptron"],
    ),
    "train_one_epoch_too_few": (
        {
            "train_perceptron": """\
def train_perceptron(X, y, lr=1.0, max_epochs=100):
    w, b, history = np.zeros(np.shape(X)[1]), 0.0, []
    for epoch in range(1, max_epochs):
        w, b, m = perceptron_epoch(X, y, w, b, lr)
        history.append(m)
        if m == 0:
            break
    return w, b, history""",
        },
        ["test_train_perceptron"],
    ),
    "train_never_stops_early": (
        {
            "train_perceptron": """\
def train_perceptron(X, y, lr=1.0, max_epochs=100):
    w, b, history = np.zeros(np.shape(X)[1]), 0.0, []
    for epoch in range(max_epochs):
        w, b, m = perceptron_epoch(X, y, w, b, lr)
        history.append(m)
    return w, b, history""",
        },
        ["test_train_perceptron"],
    ),
    "train_drops_the_final_zero": (
        {
            "train_perceptron": """\
def train_perceptron(X, y, lr=1.0, max_epochs=100):
    w, b, history = np.zeros(np.shape(X)[1]), 0.0, []
    for epoch in range(max_epochs):
        w, b, m = perceptron_epoch(X, y, w, b, lr)
        if m == 0:
            break
        history.append(m)
    return w, b, history""",
        },
        ["test_train_perceptron"],
    ),
    "margin_unnormalised_w": (
        {
            "margin_and_bound": """\
def margin_and_bound(X, y, w, b):
    X = np.asarray(X, dtype=float)
    gamma = float(np.min((2 * y - 1) * (X @ w + b)))
    R = float(np.max(np.linalg.norm(np.c_[X, np.ones(len(X))], axis=1)))
    return gamma, R, (R / gamma) ** 2 if gamma > 0 else np.inf""",
        },
        ["test_margin_and_bound"],
    ),
    "margin_bias_left_out": (
        {
            "margin_and_bound": """\
def margin_and_bound(X, y, w, b):
    X = np.asarray(X, dtype=float)
    gamma = float(np.min((2 * y - 1) * (X @ w + b)) / np.linalg.norm(w))
    R = float(np.max(np.linalg.norm(X, axis=1)))
    return gamma, R, (R / gamma) ** 2 if gamma > 0 else np.inf""",
        },
        ["test_margin_and_bound"],
    ),
    "margin_ignores_labels": (
        {
            "margin_and_bound": """\
def margin_and_bound(X, y, w, b):
    X_tilde = np.c_[np.asarray(X, dtype=float), np.ones(len(X))]
    v = np.append(w, b) / np.linalg.norm(np.append(w, b))
    gamma = float(np.min(np.abs(X_tilde @ v)))          # distance to the boundary, sign lost
    R = float(np.max(np.linalg.norm(X_tilde, axis=1)))
    return gamma, R, (R / gamma) ** 2 if gamma > 0 else np.inf""",
        },
        ["test_margin_and_bound"],
    ),
    "forward_linear_hidden_layer": (
        {
            "step_network_forward": """\
def step_network_forward(X, W1, b1, W2, b2):
    H = X @ W1.T + b1                              # the hidden step is missing
    return (H @ W2.T + b2 >= 0).astype(int)[:, 0]""",
        },
        ["test_step_network_forward"],
    ),
    "forward_keeps_column_shape": (
        {
            "step_network_forward": """\
def step_network_forward(X, W1, b1, W2, b2):
    H = (X @ W1.T + b1 >= 0).astype(float)
    return (H @ W2.T + b2 >= 0).astype(int)        # shape (N, 1), not (N,)""",
        },
        ["test_step_network_forward"],
    ),
    "xor_weights_compute_or": (
        {
            "xor_weights": """\
def xor_weights():
    W1, b1 = np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([-0.5, -1.5])   # OR and AND
    W2, b2 = np.array([[1.0, 0.0]]), np.array([-0.5])                     # ... but passes OR through
    return W1, b1, W2, b2""",
        },
        ["test_xor_weights"],
    ),
    "xor_weights_and_not_nand": (
        {
            "xor_weights": """\
def xor_weights():
    W1, b1 = np.array([[1.0, 1.0], [-1.0, -1.0]]), np.array([-0.5, 1.5])  # OR and NAND
    W2, b2 = np.array([[1.0, 1.0]]), np.array([-0.5])                     # OR of them, not AND
    return W1, b1, W2, b2""",
        },
        ["test_xor_weights"],
    ),
    "predict_changes_X": (
        {
            "perceptron_predict": """\
def perceptron_predict(X, w, b):
    X = np.asarray(X, dtype=float)
    X *= w                                         # scales the caller's data in place
    return (X.sum(axis=-1) + b >= 0).astype(int)""",
        },
        # perceptron_epoch then changes each example as it predicts it, and training goes wrong
        ["test_perceptron_predict", "test_perceptron_epoch", "test_train_perceptron"],
    ),
    "epoch_changes_callers_weights": (
        {
            "perceptron_epoch": """\
def perceptron_epoch(X, y, w, b, lr=1.0):
    w, mistakes = np.asarray(w, dtype=float), 0   # no copy for a float array
    for x_n, y_n in zip(X, y):
        error = y_n - perceptron_predict(x_n, w, b)
        if error:
            w += lr * error * x_n
            b += lr * error
            mistakes += 1
    return w, b, mistakes""",
        },
        ["test_perceptron_epoch"],
    ),
    "epoch_integer_weights": (
        {
            "perceptron_epoch": """\
def perceptron_epoch(X, y, w, b, lr=1.0):
    w, mistakes = np.array(w), 0                   # a copy, but an int one for int w
    for x_n, y_n in zip(X, y):
        error = y_n - perceptron_predict(x_n, w, b)
        if error:
            w += lr * error * x_n
            b += lr * error
            mistakes += 1
    return w, b, mistakes""",
        },
        ["test_perceptron_epoch"],
    ),
    "train_reads_global_data": (
        {
            "train_perceptron": """\
def train_perceptron(X, y, lr=1.0, max_epochs=100):
    w, b, history = np.zeros(2), 0.0, []
    for epoch in range(max_epochs):
        w, b, m = perceptron_epoch(X_and, y, w, b, lr)    # the notebook's inputs
        history.append(m)
        if m == 0:
            break
    return w, b, history""",
        },
        ["test_train_perceptron"],
    ),
    "train_continues_from_last_call": (
        {
            "train_perceptron": """\
_last = {}

def train_perceptron(X, y, lr=1.0, max_epochs=100):
    w, b = _last.get(np.shape(X)[1], (np.zeros(np.shape(X)[1]), 0.0))   # warm start
    history = []
    for epoch in range(max_epochs):
        w, b, m = perceptron_epoch(X, y, w, b, lr)
        history.append(m)
        if m == 0:
            break
    if history[-1] > 0:
        _last[np.shape(X)[1]] = (w, b)
    return w, b, history""",
        },
        ["test_train_perceptron"],
    ),
    "train_fixed_feature_count": (
        {
            "train_perceptron": """\
def train_perceptron(X, y, lr=1.0, max_epochs=100):
    w, b, history = np.zeros(2), 0.0, []          # two features, like the examples
    for epoch in range(max_epochs):
        w, b, m = perceptron_epoch(X, y, w, b, lr)
        history.append(m)
        if m == 0:
            break
    return w, b, history""",
        },
        ["test_train_perceptron"],
    ),
    "margin_divides_by_zero_gamma": (
        {
            "margin_and_bound": """\
def margin_and_bound(X, y, w, b):
    X_tilde = np.c_[np.asarray(X, dtype=float), np.ones(len(X))]
    w_tilde = np.append(w, b)
    gamma = np.min((2 * np.asarray(y) - 1) * (X_tilde @ w_tilde)) / np.linalg.norm(w_tilde)
    R = np.max(np.linalg.norm(X_tilde, axis=1))
    return gamma, R, (R / gamma) ** 2 if gamma >= 0 else np.inf""",
        },
        ["test_margin_and_bound"],
    ),
    "forward_rescales_callers_weights": (
        {
            "step_network_forward": """\
def step_network_forward(X, W1, b1, W2, b2):
    W2 = np.asarray(W2, dtype=float)
    scale = np.abs(W2).max()
    W2 /= scale                                    # the step does not care, but this is the caller's W2
    H = (np.asarray(X) @ W1.T + b1 >= 0).astype(float)
    return (H @ W2.T + b2 / scale >= 0).astype(int)[:, 0]""",
        },
        ["test_step_network_forward"],
    ),
    "epoch_visits_examples_in_reverse": (
        {
            "perceptron_epoch": """\
def perceptron_epoch(X, y, w, b, lr=1.0):
    w, b, mistakes = np.array(w, dtype=float), float(b), 0
    for x_n, y_n in zip(X[::-1], y[::-1]):         # last example first
        error = y_n - perceptron_predict(x_n, w, b)
        if error:
            w, b, mistakes = w + lr * error * x_n, b + lr * error, mistakes + 1
    return w, b, mistakes""",
        },
        ["test_perceptron_epoch", "test_train_perceptron"],
    ),
    "epoch_updates_on_every_example": (
        {
            "perceptron_epoch": """\
def perceptron_epoch(X, y, w, b, lr=1.0):
    w, b, mistakes = np.array(w, dtype=float), float(b), 0
    for x_n, y_n in zip(np.asarray(X, dtype=float), y):
        if perceptron_predict(x_n, w, b) != y_n:
            mistakes += 1
        w = w + lr * (2 * y_n - 1) * x_n          # towards the label, right or wrong
        b = b + lr * (2 * y_n - 1)
    return w, b, mistakes""",
        },
        ["test_perceptron_epoch", "test_train_perceptron"],
    ),
    "fix_ignores_the_tie": (
        {
            "updates_to_fix": """\
def updates_to_fix(x, y, w, b, lr=1.0):
    x = np.asarray(x, dtype=float)
    z, q = float(x @ w + b), lr * (x @ x + 1)
    wrong = (z < 0) if y == 1 else (z > 0)        # as if z = 0 were always right
    return math.ceil(abs(z) / q) if wrong else 0""",
        },
        ["test_updates_to_fix"],
    ),
    "fix_bias_does_not_move": (
        {
            "updates_to_fix": """\
def updates_to_fix(x, y, w, b, lr=1.0):
    x = np.asarray(x, dtype=float)
    z, q = float(x @ w + b), lr * (x @ x)         # only w changes z
    if y == 1 and z < 0:
        return math.ceil(-z / q)
    if y == 0 and z >= 0:
        return math.floor(z / q) + 1
    return 0""",
        },
        ["test_updates_to_fix"],
    ),
    "fix_without_the_learning_rate": (
        {
            "updates_to_fix": """\
def updates_to_fix(x, y, w, b, lr=1.0):
    x = np.asarray(x, dtype=float)
    z, q = float(x @ w + b), x @ x + 1
    if y == 1 and z < 0:
        return math.ceil(-z / q)
    if y == 0 and z >= 0:
        return math.floor(z / q) + 1
    return 0""",
        },
        ["test_updates_to_fix"],
    ),
    "fix_never_checks_if_already_right": (
        {
            "updates_to_fix": """\
def updates_to_fix(x, y, w, b, lr=1.0):
    x = np.asarray(x, dtype=float)
    z, q = float(x @ w + b), lr * (x @ x + 1)
    if y == 1:
        return math.ceil(-z / q)
    return math.floor(z / q) + 1""",
        },
        ["test_updates_to_fix"],
    ),
    "fix_label_one_needs_a_positive_sum": (
        {
            "updates_to_fix": """\
def updates_to_fix(x, y, w, b, lr=1.0):
    x = np.asarray(x, dtype=float)
    z, q = float(x @ w + b), lr * (x @ x + 1)
    if y == 1 and z < 0:
        return math.floor(-z / q) + 1             # stops only once z > 0
    if y == 0 and z >= 0:
        return math.floor(z / q) + 1
    return 0""",
        },
        ["test_updates_to_fix"],
    ),
}

UNUSUAL = {
    "heaviside_and_einsum": {
        "perceptron_predict": """\
def perceptron_predict(X, w, b):
    z = np.einsum("...d,d->...", np.asarray(X, dtype=float), np.asarray(w, dtype=float)) + b
    return np.heaviside(z, 1).astype(int)             # heaviside(0, 1) = 1: the tie rule""",
        "step_network_forward": """\
def step_network_forward(X, W1, b1, W2, b2):
    H = np.heaviside(np.einsum("nd,hd->nh", X, W1) + b1, 1.0)
    return np.heaviside(np.einsum("nh,oh->no", H, W2) + b2, 1.0).ravel().astype(int)""",
    },
    "index_loop_epoch_with_print": {
        "perceptron_epoch": """\
def perceptron_epoch(X, y, w, b, lr=1.0):
    w = np.array(w, dtype=float)                  # our own copy, updated in place
    b = float(b)
    mistakes = 0
    for n in range(len(X)):
        z = sum(w[d] * X[n][d] for d in range(len(w))) + b
        y_hat = 1 if z >= 0 else 0
        if y_hat != y[n]:
            w += lr * (y[n] - y_hat) * np.asarray(X[n], dtype=float)
            b += lr * (y[n] - y_hat)
            mistakes += 1
    print(f"epoch done: {mistakes} mistakes")
    return w, b, mistakes""",
    },
    "while_loop_training_with_warning": {
        "train_perceptron": """\
import warnings

def train_perceptron(X, y, lr=1.0, max_epochs=100):
    w, b = np.zeros(len(X[0])), 0
    history = []
    while len(history) < max_epochs and (not history or history[-1] > 0):
        w, b, mistakes = perceptron_epoch(X, y, w, b, lr)
        history.append(mistakes)
    if history[-1] > 0:
        warnings.warn(f"not separated after {max_epochs} epochs")
    return w, b, tuple(history)""",
    },
    "margin_with_loops_and_helpers": {
        "margin_and_bound": """\
import math

def _norm(values):
    return math.sqrt(sum(float(v) ** 2 for v in values))

def margin_and_bound(X, y, w, b):
    w_tilde = list(w) + [b]
    length = _norm(w_tilde)
    gamma = min(
        (2 * int(label) - 1) * (sum(float(a) * float(c) for a, c in zip(x, w)) + b) / length
        for x, label in zip(X, y)
    )
    R = max(_norm(list(x) + [1.0]) for x in X)
    if gamma <= 0:
        return gamma, R, math.inf
    return gamma, R, (R / gamma) ** 2""",
    },
    "hand_weights_as_lists": {
        "xor_weights": """\
def xor_weights():
    # hidden: "at least one" and "at most one"; output: both of them
    return [[2, 2], [-2, -2]], [-1, 3], [[1, 1]], [-2]""",
    },
    "predict_with_where_and_ravel": {
        "perceptron_predict": """\
def perceptron_predict(X, w, b):
    X = np.asarray(X, dtype=float)
    z = np.atleast_2d(X) @ np.asarray(w, dtype=float) + b
    labels = np.where(z < 0, 0, 1)
    return labels if X.ndim == 2 else int(labels[0])""",
        "step_network_forward": """\
def step_network_forward(X, W1, b1, W2, b2):
    def step(z):
        return (np.asarray(z) >= 0) * 1
    hidden = step(np.dot(X, np.transpose(W1)) + b1)
    return step(np.dot(hidden, np.transpose(W2)) + b2).reshape(-1)""",
    },
    "fix_with_the_bias_trick_and_floor_division": {
        "updates_to_fix": """\
def updates_to_fix(x, y, w, b, lr=1.0):
    x_tilde = np.append(np.asarray(x, dtype=float), 1.0)      # bias trick
    w_tilde = np.append(np.asarray(w, dtype=float), b)
    z, step = x_tilde @ w_tilde, lr * (x_tilde @ x_tilde)
    if y == 1:
        return int(max(0, -(z // step)))          # ceil(-z / step) for z < 0
    return int(max(0, z // step + 1))""",
    },
    "fix_with_numpy_ceil": {
        "updates_to_fix": """\
def updates_to_fix(x, y, w, b, lr=1.0):
    z = np.dot(x, w) + b
    per_update = lr * (np.dot(x, x) + 1)
    right = z >= 0 if y == 1 else z < 0
    if right:
        return 0
    sign = 1 if y == 1 else -1
    k = np.ceil(-sign * z / per_update)           # first k with sign * z_k >= 0
    if y == 0 and z - k * per_update == 0:        # z_k = 0 still predicts 1
        k += 1
    return k""",
    },
}

EVIDENCE = {
    "epoch_updates_on_every_example": {"test_perceptron_epoch": ["already gets right",
                                                                "only from mistakes"]},
    "epoch_updates_on_correct_examples": {"test_perceptron_epoch": ["already gets right"]},
    "epoch_without_bias_update": {"test_perceptron_epoch": ["b after a false alarm",
                                                           "all zeros"]},
    "epoch_batch_update": {"test_perceptron_epoch": ["makes 2 mistakes"]},
    "epoch_changes_callers_weights": {"test_perceptron_epoch": ["changed the caller's w"]},
    "fix_ignores_the_tie": {"test_updates_to_fix": ["label 0 with z = 3", "the tie"]},
    "fix_bias_does_not_move": {"test_updates_to_fix": ["only w moved"]},
    "fix_without_the_learning_rate": {"test_updates_to_fix": ["lr = 0.5", "lr scales"]},
    "fix_never_checks_if_already_right": {"test_updates_to_fix": ["expected 0 updates"]},
    "fix_label_one_needs_a_positive_sum": {"test_updates_to_fix": ["z = -3", "the tie"]},
    "margin_bias_left_out": {"test_margin_and_bound": ["R without the constant input"]},
    "margin_unnormalised_w": {"test_margin_and_bound": ["gamma of the unnormalised"]},
    "margin_ignores_labels": {"test_margin_and_bound": ["gamma without the signs"]},
    "forward_keeps_column_shape": {"test_step_network_forward": ["shape (4,)"]},
}
