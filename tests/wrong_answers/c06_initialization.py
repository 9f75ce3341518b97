"""Typical wrong answers for the Chapter 6 exercise (see __init__.py for the format)."""

CHAPTER = "06-initialization"

_KAIMING_UNIFORM_OK = """

def kaiming_uniform(shape, rng):
    bound = np.sqrt(6.0 / shape[1])
    return rng.uniform(-bound, bound, size=shape)"""

_KAIMING_NORMAL_OK = """\
def kaiming_normal(shape, rng):
    return rng.normal(0.0, np.sqrt(2.0 / shape[1]), size=shape)

"""

WRONG = {
    "xavier_uniform_fan_in_only": (
        {
            "xavier_uniform": """\
def xavier_uniform(shape, rng):
    bound = np.sqrt(3.0 / shape[1])          # Var = 1 / n_in: LeCun's rule, not Glorot's
    return rng.uniform(-bound, bound, size=shape)""",
        },
        ["test_xavier_uniform"],
    ),
    "xavier_uniform_sqrt3_bound": (
        {
            "xavier_uniform": """\
def xavier_uniform(shape, rng):
    bound = np.sqrt(3.0 / (shape[0] + shape[1]))
    return rng.uniform(-bound, bound, size=shape)""",
        },
        ["test_xavier_uniform"],
    ),
    "xavier_uniform_global_random": (
        {
            "xavier_uniform": """\
def xavier_uniform(shape, rng):
    bound = np.sqrt(6.0 / (shape[0] + shape[1]))
    return np.random.uniform(-bound, bound, size=shape)""",
        },
        ["test_xavier_uniform"],
    ),
    "xavier_normal_variance_as_std": (
        {
            "xavier_normal": """\
def xavier_normal(shape, rng):
    return rng.normal(0.0, 2.0 / (shape[0] + shape[1]), size=shape)""",
        },
        ["test_xavier_normal", "test_init_deep_network"],
    ),
    "xavier_normal_draws_uniform": (
        {
            "xavier_normal": """\
def xavier_normal(shape, rng):
    bound = np.sqrt(6.0 / (shape[0] + shape[1]))
    return rng.uniform(-bound, bound, size=shape)""",
        },
        ["test_xavier_normal"],
    ),
    "kaiming_without_factor_2": (
        {
            "kaiming": """\
def kaiming_normal(shape, rng):
    return rng.normal(0.0, np.sqrt(1.0 / shape[1]), size=shape)


def kaiming_uniform(shape, rng):
    bound = np.sqrt(3.0 / shape[1])
    return rng.uniform(-bound, bound, size=shape)""",
        },
        ["test_kaiming", "test_init_deep_network"],
    ),
    "kaiming_fan_in_from_shape0": (
        {
            "kaiming": """\
def kaiming_normal(shape, rng):
    fan_in = shape[0]
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=shape)


def kaiming_uniform(shape, rng):
    fan_in = shape[0]
    bound = np.sqrt(6.0 / fan_in)
    return rng.uniform(-bound, bound, size=shape)""",
        },
        ["test_kaiming", "test_init_deep_network"],
    ),
    "kaiming_uniform_bound_is_std": (
        {
            "kaiming": _KAIMING_NORMAL_OK + """\
def kaiming_uniform(shape, rng):
    bound = np.sqrt(2.0 / shape[1])        # forgot the sqrt(3) between std and bound
    return rng.uniform(-bound, bound, size=shape)""",
        },
        ["test_kaiming"],
    ),
    "kaiming_normal_global_random": (
        {
            "kaiming": """\
def kaiming_normal(shape, rng):
    return np.random.normal(0.0, np.sqrt(2.0 / shape[1]), size=shape)""" + _KAIMING_UNIFORM_OK,
        },
        ["test_kaiming", "test_init_deep_network"],
    ),
    "predicted_std_exponent_L": (
        {
            "predicted_std": """\
def predicted_std(std_x, n, sigma_w, L, activation="linear"):
    gain = n * sigma_w ** 2
    if activation == "linear":
        return std_x * gain ** L
    return std_x * np.sqrt(gain) * (gain / 2) ** (L - 1)""",
        },
        ["test_predicted_std"],
    ),
    "predicted_std_relu_without_half": (
        {
            "predicted_std": """\
def predicted_std(std_x, n, sigma_w, L, activation="linear"):
    return std_x * (n * sigma_w ** 2) ** (L / 2)""",
        },
        ["test_predicted_std"],
    ),
    "predicted_std_half_in_every_layer": (
        {
            "predicted_std": """\
def predicted_std(std_x, n, sigma_w, L, activation="linear"):
    gain = n * sigma_w ** 2
    if activation == "relu":
        gain = gain / 2
    return std_x * gain ** (L / 2)""",
        },
        ["test_predicted_std"],
    ),
    "train_without_tanh_derivative": (
        {
            "train_two_layer": """\
def train_two_layer(X, Y, W1, b1, W2, b2, lr, steps):
    for _ in range(steps):
        A = np.tanh(X @ W1.T + b1)
        G = 2 * (A @ W2.T + b2 - Y) / Y.size
        delta = G @ W2
        gW2, gb2, gW1, gb1 = G.T @ A, G.sum(axis=0), delta.T @ X, delta.sum(axis=0)
        W1, b1, W2, b2 = W1 - lr * gW1, b1 - lr * gb1, W2 - lr * gW2, b2 - lr * gb2
    return W1, b1, W2, b2""",
        },
        ["test_train_two_layer"],
    ),
    "train_updates_W2_before_backprop": (
        {
            "train_two_layer": """\
def train_two_layer(X, Y, W1, b1, W2, b2, lr, steps):
    for _ in range(steps):
        A = np.tanh(X @ W1.T + b1)
        G = 2 * (A @ W2.T + b2 - Y) / Y.size
        W2 = W2 - lr * G.T @ A
        b2 = b2 - lr * G.sum(axis=0)
        delta = (G @ W2) * (1 - A ** 2)      # uses the already updated W2
        W1, b1 = W1 - lr * delta.T @ X, b1 - lr * delta.sum(axis=0)
    return W1, b1, W2, b2""",
        },
        ["test_train_two_layer"],
    ),
    "train_mse_without_factor_2": (
        {
            "train_two_layer": """\
def train_two_layer(X, Y, W1, b1, W2, b2, lr, steps):
    for _ in range(steps):
        A = np.tanh(X @ W1.T + b1)
        G = (A @ W2.T + b2 - Y) / Y.size
        delta = (G @ W2) * (1 - A ** 2)
        gW2, gb2, gW1, gb1 = G.T @ A, G.sum(axis=0), delta.T @ X, delta.sum(axis=0)
        W1, b1, W2, b2 = W1 - lr * gW1, b1 - lr * gb1, W2 - lr * gW2, b2 - lr * gb2
    return W1, b1, W2, b2""",
        },
        ["test_train_two_layer"],
    ),
    "train_hidden_gradient_reshaped_not_transposed": (
        {
            "train_two_layer": """\
def train_two_layer(X, Y, W1, b1, W2, b2, lr, steps):
    for _ in range(steps):
        A = np.tanh(X @ W1.T + b1)
        G = 2 * (A @ W2.T + b2 - Y) / Y.size
        delta = (G @ W2) * (1 - A ** 2)
        gW2, gb2, gW1, gb1 = G.T @ A, G.sum(axis=0), (X.T @ delta).reshape(W1.shape), delta.sum(axis=0)
        W1, b1, W2, b2 = W1 - lr * gW1, b1 - lr * gb1, W2 - lr * gW2, b2 - lr * gb2
    return W1, b1, W2, b2""",
        },
        ["test_train_two_layer"],
    ),
    "deep_xavier_for_relu": (
        {
            "init_deep_network": """\
def init_deep_network(layer_sizes, activation, rng):
    return [xavier_normal((n_out, n_in), rng) for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:])]""",
        },
        ["test_init_deep_network"],
    ),
    "deep_small_fixed_std": (
        {
            "init_deep_network": """\
def init_deep_network(layer_sizes, activation, rng):
    return [rng.normal(0.0, 0.01, size=(n_out, n_in)) for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:])]""",
        },
        ["test_init_deep_network"],
    ),
    "deep_standard_normal": (
        {
            "init_deep_network": """\
def init_deep_network(layer_sizes, activation, rng):
    return [rng.normal(size=(n_out, n_in)) for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:])]""",
        },
        ["test_init_deep_network"],
    ),
    "deep_he_fan_out": (
        {
            "init_deep_network": """\
def init_deep_network(layer_sizes, activation, rng):
    weights = []
    for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        if activation == "relu":
            weights.append(rng.normal(0.0, np.sqrt(2.0 / n_out), size=(n_out, n_in)))
        else:
            weights.append(xavier_normal((n_out, n_in), rng))
    return weights""",
        },
        ["test_init_deep_network"],
    ),
}
