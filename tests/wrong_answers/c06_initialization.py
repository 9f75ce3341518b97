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

_TRAIN = '''\
def train_two_layer(X, Y, W1, b1, W2, b2, lr, steps):
{head}
    for _ in range(steps):
        A = np.tanh(X @ W1.T + b1)
        G = 2 * (A @ W2.T + b2 - Y) / Y.size
        delta = (G @ W2) * (1 - A ** 2)
        gW2, gb2, gW1, gb1 = G.T @ A, G.sum(axis=0), delta.T @ X, delta.sum(axis=0)
{update}
    return W1, b1, W2, b2'''

# ---- the test classes of issue #15: globals, ignored parameters, mutation, integers
WRONG.update({
    "xavier_uniform_reads_global_rng": (
        {"xavier_uniform": """\
def xavier_uniform(shape, generator):
    bound = np.sqrt(6.0 / (shape[0] + shape[1]))
    return rng.uniform(-bound, bound, size=shape)      # the notebook's rng, not the argument"""},
        ["test_xavier_uniform"],
    ),
    "kaiming_uniform_fixed_seed_inside": (
        {"kaiming": _KAIMING_NORMAL_OK + """\
def kaiming_uniform(shape, rng):
    bound = np.sqrt(6.0 / shape[1])
    return np.random.default_rng(0).uniform(-bound, bound, size=shape)"""},
        ["test_kaiming"],
    ),
    "predicted_std_integer_exponent": (
        {"predicted_std": """\
def predicted_std(std_x, n, sigma_w, L, activation="linear"):
    gain = n * sigma_w ** 2
    if activation == "linear":
        return float(std_x * gain ** (L // 2))
    return float(std_x * np.sqrt(gain) * (gain / 2) ** ((L - 1) // 2))"""},
        ["test_predicted_std"],
    ),
    "train_updates_callers_arrays_in_place": (
        {"train_two_layer": _TRAIN.format(
            head="    X, Y = np.asarray(X), np.asarray(Y)",
            update="        W1 -= lr * gW1\n        b1 -= lr * gb1\n        W2 -= lr * gW2\n"
                   "        b2 -= lr * gb2")},
        ["test_train_two_layer"],
    ),
    "train_fixed_learning_rate": (
        {"train_two_layer": _TRAIN.format(
            head="    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)",
            update="        W1, b1, W2, b2 = W1 - 0.1 * gW1, b1 - 0.1 * gb1, W2 - 0.1 * gW2, b2 - 0.1 * gb2")},
        ["test_train_two_layer"],
    ),
    "train_helper_reads_global_data": (
        {"train_two_layer": """\
def gradients(W1, b1, W2, b2):
    A = np.tanh(X @ W1.T + b1)                  # the notebook's X and Y
    G = 2 * (A @ W2.T + b2 - Y) / Y.size
    delta = (G @ W2) * (1 - A ** 2)
    return delta.T @ X, delta.sum(axis=0), G.T @ A, G.sum(axis=0)


def train_two_layer(X, Y, W1, b1, W2, b2, lr, steps):
    params = [np.array(p, dtype=float) for p in (W1, b1, W2, b2)]
    for _ in range(steps):
        params = [p - lr * g for p, g in zip(params, gradients(*params))]
    return tuple(params)"""},
        ["test_train_two_layer"],
    ),
    "deep_reads_global_sizes": (
        {"init_deep_network": """\
def init_deep_network(layer_sizes, activation, rng):
    init = kaiming_normal if activation == "relu" else xavier_normal
    return [init((n_out, n_in), rng) for n_in, n_out in zip(sizes[:-1], sizes[1:])]"""},
        ["test_init_deep_network"],
    ),
    "deep_pops_the_input_size": (
        {"init_deep_network": """\
def init_deep_network(layer_sizes, activation, rng):
    init = kaiming_normal if activation == "relu" else xavier_normal
    weights, n_in = [], layer_sizes.pop(0)      # the caller's list loses its first entry
    for n_out in layer_sizes:
        weights.append(init((n_out, n_in), rng))
        n_in = n_out
    return weights"""},
        ["test_init_deep_network"],
    ),
})

UNUSUAL = {
    "xavier_uniform_from_random": {"xavier_uniform": """\
def xavier_uniform(shape, rng):
    bound = np.sqrt(6.0 / (shape[0] + shape[1]))
    return bound * (2.0 * rng.random(shape) - 1.0)      # U(0, 1) stretched to U(-a, a)"""},
    "xavier_normal_standard_normal_with_print": {"xavier_normal": """\
def xavier_normal(shape, rng):
    std = (2.0 / sum(shape)) ** 0.5
    print(f"Xavier normal {shape}: std {std:.4f}")
    return std * rng.standard_normal(size=tuple(shape))"""},
    "kaiming_helper_and_warning": {"kaiming": """\
import warnings


def _fan_in(shape):
    if shape[1] < 10:
        warnings.warn(f"fan-in {shape[1]} is small: the variance estimate is rough")
    return shape[1]


def kaiming_normal(shape, rng):
    return rng.normal(0.0, np.sqrt(2.0 / _fan_in(shape)), size=shape)


def kaiming_uniform(shape, rng):
    bound = np.sqrt(3.0) * np.sqrt(2.0 / _fan_in(shape))
    return rng.uniform(-bound, bound, size=shape)"""},
    "predicted_std_layer_by_layer": {"predicted_std": """\
def predicted_std(std_x, n, sigma_w, L, activation="linear"):
    variance = float(std_x) ** 2
    for layer in range(L):
        mean_square = variance / 2 if activation == "relu" and layer > 0 else variance
        variance = n * sigma_w ** 2 * mean_square
    return np.sqrt(variance)"""},
    "train_einsum_in_place_on_copies": {"train_two_layer": """\
def train_two_layer(X, Y, W1, b1, W2, b2, lr, steps):
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    W1, b1, W2, b2 = (np.array(p, dtype=float, copy=True) for p in (W1, b1, W2, b2))
    for _ in range(steps):
        A = np.tanh(np.einsum("nd,hd->nh", X, W1) + b1)
        G = 2 * (np.einsum("nh,kh->nk", A, W2) + b2 - Y) / Y.size
        delta = np.einsum("nk,kh->nh", G, W2) * (1 - A ** 2)
        grads = (np.einsum("nh,nd->hd", delta, X), delta.sum(axis=0),
                 np.einsum("nk,nh->kh", G, A), G.sum(axis=0))
        for p, g in zip((W1, b1, W2, b2), grads):
            p -= lr * g                                  # in place, on our own copies
    return W1, b1, W2, b2"""},
    "deep_loop_with_uniform_schemes": {"init_deep_network": """\
def init_deep_network(layer_sizes, activation, rng):
    weights = []
    for i in range(1, len(layer_sizes)):
        shape = (layer_sizes[i], layer_sizes[i - 1])
        weights.append(kaiming_uniform(shape, rng) if activation == "relu"
                       else xavier_uniform(shape, rng))
    return weights"""},
}

# ---- issue #20: the derive-it task (the gradient's spread), bugs nobody predicted, evidence
_GRAD = '''\
def predicted_grad_std(std_g, n, sigma_w, L, activation="linear"):
    gain = n * sigma_w ** 2
    if activation == "linear":
        return float(std_g * gain ** (L / 2))
    return float({relu})'''

WRONG.update({
    "xavier_uniform_bound_fan_in_only": (
        {"xavier_uniform": """\
def xavier_uniform(shape, rng):
    bound = np.sqrt(6.0 / shape[1])          # the He bound: the fan-out is forgotten
    return rng.uniform(-bound, bound, size=shape)"""},
        ["test_xavier_uniform"],
    ),
    "grad_std_forward_formula": (
        {"predicted_grad_std": _GRAD.format(
            relu="std_g * np.sqrt(gain) * (gain / 2) ** ((L - 1) / 2)")},
        ["test_predicted_grad_std"],
    ),
    "grad_std_relu_without_half": (
        {"predicted_grad_std": _GRAD.format(relu="std_g * gain ** (L / 2)")},
        ["test_predicted_grad_std"],
    ),
    "grad_std_returns_the_variance": (
        {"predicted_grad_std": _GRAD.format(relu="std_g ** 2 * (gain / 2) ** L")},
        ["test_predicted_grad_std"],
    ),
    "grad_std_half_on_the_std": (
        {"predicted_grad_std": _GRAD.format(relu="std_g * np.sqrt(gain) ** L / 2 ** L")},
        ["test_predicted_grad_std"],
    ),
    "grad_std_integer_exponent": (
        {"predicted_grad_std": _GRAD.format(relu="std_g * (gain / 2) ** (L // 2)")},
        ["test_predicted_grad_std"],
    ),
    "train_bias_gradient_averaged": (
        {"train_two_layer": _TRAIN.format(
            head="    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)",
            update="        gb1, gb2 = gb1 / len(X), gb2 / len(X)      # a mean, not a sum\n"
                   "        W1, b1, W2, b2 = W1 - lr * gW1, b1 - lr * gb1, W2 - lr * gW2, "
                   "b2 - lr * gb2")},
        ["test_train_two_layer"],
    ),
})

UNUSUAL.update({
    "grad_std_layer_by_layer_backwards": {"predicted_grad_std": """\
def predicted_grad_std(std_g, n, sigma_w, L, activation="linear"):
    variance = float(std_g) ** 2                  # dL/dh_L
    for layer in reversed(range(L)):
        if activation == "relu":
            variance *= 0.5                       # through relu'(z_layer)
        variance *= n * sigma_w ** 2              # through W_layer
    return variance ** 0.5"""},
})

EVIDENCE = {
    "xavier_uniform_bound_fan_in_only": {"test_xavier_uniform": ["matches 2 / fan_in"]},
    "xavier_uniform_fan_in_only": {"test_xavier_uniform": ["matches 1 / fan_in"]},
    "xavier_normal_variance_as_std": {"test_xavier_normal": ["square of the intended"]},
    "kaiming_fan_in_from_shape0": {"test_kaiming": ["matches 2 / fan_out"]},
    "kaiming_without_factor_2": {"test_kaiming": ["matches 1 / fan_in"]},
    "grad_std_forward_formula": {"test_predicted_grad_std": ["1.4 times as much",
                                                             "every one of the L layers"]},
    "grad_std_relu_without_half": {"test_predicted_grad_std": ["8 times as much"]},
    "train_mse_without_factor_2": {"test_train_two_layer": ["change of W1", "half"]},
    "train_bias_gradient_averaged": {"test_train_two_layer": ["b1", "1/N times"]},
    "train_without_tanh_derivative": {"test_train_two_layer": ["W1", "tanh's slope"]},
}
