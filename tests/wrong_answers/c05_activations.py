"""Typical wrong answers for the Chapter 5 exercise (see __init__.py for the format)."""

CHAPTER = "05-activations"

_SIGMOID_GRAD = '''

def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)'''

_SIGMOID = '''def sigmoid(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))
'''

_RELU_GRAD = '''

def relu_grad(x):
    return (np.asarray(x, dtype=float) > 0).astype(float)
'''

_LEAKY = '''

def leaky_relu(x, negative_slope=0.01):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x, negative_slope * x)


def leaky_relu_grad(x, negative_slope=0.01):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, 1.0, negative_slope)'''

_SOFTMAX = '''def softmax_jvp(z, g):
    z, g = np.asarray(z, dtype=float), np.asarray(g, dtype=float)
'''

_NORMS_HEAD = '''ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "leaky_relu": (leaky_relu, leaky_relu_grad),
}


def layer_grad_norms(X, Y, weights, biases, activation):
    f, df = ACTIVATIONS[activation]
    h, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    inputs, zs = [], []
    for l, (W, b) in enumerate(zip(weights, biases)):
        inputs.append(h)
        z = h @ np.asarray(W).T + b
        zs.append(z)
'''


def _norms(last_activation="h = f(z) if l < len(weights) - 1 else z",
           delta="delta = 2 * (h - Y) / h.size",
           back="delta = (delta @ weights[l]) * df(zs[l - 1])",
           ret="return norms"):
    return (_NORMS_HEAD + f"""        {last_activation}
    {delta}
    norms = np.zeros(len(weights))
    for l in reversed(range(len(weights))):
        norms[l] = np.linalg.norm(delta.T @ inputs[l])
        if l > 0:
            {back}
    {ret}""")


WRONG = {
    "sigmoid_overflows": (
        {"sigmoid": "def sigmoid(x):\n    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))" + _SIGMOID_GRAD},
        ["test_sigmoid"],
    ),
    "sigmoid_grad_of_input_not_output": (
        {"sigmoid": _SIGMOID + "\n\ndef sigmoid_grad(x):\n    x = np.asarray(x, dtype=float)\n    return x * (1 - x)"},
        ["test_sigmoid", "test_layer_grad_norms"],
    ),
    "tanh_from_exponentials_overflows": (
        {"tanh": """\
def tanh(x):
    x = np.asarray(x, dtype=float)
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))


def tanh_grad(x):
    return 1 - tanh(x) ** 2"""},
        ["test_tanh"],
    ),
    "tanh_grad_one_minus_x_squared": (
        {"tanh": """\
def tanh(x):
    return np.tanh(np.asarray(x, dtype=float))


def tanh_grad(x):
    x = np.asarray(x, dtype=float)
    return 1 - x ** 2"""},
        ["test_tanh", "test_layer_grad_norms"],
    ),
    "relu_grad_one_at_zero": (
        {"relu": """\
def relu(x):
    return np.maximum(np.asarray(x, dtype=float), 0.0)


def relu_grad(x):
    return (np.asarray(x, dtype=float) >= 0).astype(float)
""" + _LEAKY},
        ["test_relu"],
    ),
    "leaky_relu_ignores_negative_slope": (
        {"relu": """\
def relu(x):
    return np.maximum(np.asarray(x, dtype=float), 0.0)
""" + _RELU_GRAD + """

def leaky_relu(x, negative_slope=0.01):
    x = np.asarray(x, dtype=float)
    return np.maximum(0.01 * x, x)


def leaky_relu_grad(x, negative_slope=0.01):
    return np.where(np.asarray(x, dtype=float) > 0, 1.0, 0.01)"""},
        ["test_relu"],
    ),
    "elu_exp_overflows": (
        {"elu": """\
def elu(x, alpha=1.0):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x, alpha * (np.exp(x) - 1))


def elu_grad(x, alpha=1.0):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, 1.0, alpha * np.exp(x))"""},
        ["test_elu"],
    ),
    "elu_grad_forgets_alpha": (
        {"elu": """\
def elu(x, alpha=1.0):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def elu_grad(x, alpha=1.0):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, 1.0, np.exp(np.minimum(x, 0)))"""},
        ["test_elu"],
    ),
    "softmax_jvp_diagonal_only": (
        {"softmax_jvp": _SOFTMAX + """\
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    s = e / np.sum(e, axis=-1, keepdims=True)
    return s * g"""},
        ["test_softmax_jvp"],
    ),
    "softmax_without_max_shift": (
        {"softmax_jvp": _SOFTMAX + """\
    e = np.exp(z)
    s = e / np.sum(e, axis=-1, keepdims=True)
    return s * (g - np.sum(g * s, axis=-1, keepdims=True))"""},
        ["test_softmax_jvp"],
    ),
    "softmax_sums_over_the_batch": (
        {"softmax_jvp": _SOFTMAX + """\
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    s = e / np.sum(e, axis=-1, keepdims=True)
    return s * (g - np.sum(g * s, axis=0, keepdims=True))"""},
        ["test_softmax_jvp"],
    ),
    "dead_counts_entries_not_units": (
        {"dead_fraction": """\
def dead_fraction(X, W, b):
    Z = np.asarray(X, dtype=float) @ np.asarray(W, dtype=float).T + b
    return float(np.mean(Z <= 0))"""},
        ["test_dead_fraction"],
    ),
    "dead_strictly_negative": (
        {"dead_fraction": """\
def dead_fraction(X, W, b):
    Z = np.asarray(X, dtype=float) @ np.asarray(W, dtype=float).T + b
    return float(np.mean(np.all(Z < 0, axis=0)))"""},
        ["test_dead_fraction"],
    ),
    "dead_wrong_weight_layout": (
        {"dead_fraction": """\
def dead_fraction(X, W, b):
    Z = np.asarray(X, dtype=float) @ np.asarray(W, dtype=float) + b
    return float(np.mean(np.all(Z <= 0, axis=0)))"""},
        ["test_dead_fraction"],
    ),
    "norms_in_reverse_order": (
        {"layer_grad_norms": _norms(ret="return norms[::-1]")},
        ["test_layer_grad_norms"],
    ),
    "norms_derivative_at_activation_output": (
        {"layer_grad_norms": _norms(back="delta = (delta @ weights[l]) * df(inputs[l])")},
        ["test_layer_grad_norms"],
    ),
    "norms_loss_not_averaged": (
        {"layer_grad_norms": _norms(delta="delta = 2 * (h - Y)")},
        ["test_layer_grad_norms"],
    ),
    "norms_activation_after_last_layer": (
        {"layer_grad_norms": _norms(last_activation="h = f(z)",
                                    delta="delta = 2 * (h - Y) / h.size * df(zs[-1])")},
        ["test_layer_grad_norms"],
    ),
}
