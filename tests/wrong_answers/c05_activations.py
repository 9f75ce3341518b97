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

# ---- the test classes of issue #15: state, mutation, integers, globals
WRONG.update({
    "sigmoid_abs_in_place_changes_input": (
        {"sigmoid": '''def sigmoid(x):
    x = np.asarray(x, dtype=float)
    negative = x < 0
    x[negative] = -x[negative]               # |x| written into the caller's array
    e = np.exp(-x)
    return np.where(negative, e / (1 + e), 1 / (1 + e))
''' + _SIGMOID_GRAD},
        ["test_sigmoid"],
    ),
    "sigmoid_integer_output": (
        {"sigmoid": '''def sigmoid(x):
    x = np.asarray(x)
    out = np.zeros_like(x)                   # an int array for int input
    e = np.exp(-np.abs(x))
    out[...] = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
    return out
''' + _SIGMOID_GRAD},
        ["test_sigmoid"],
    ),
    "leaky_relu_in_place": (
        {"relu": """\
def relu(x):
    return np.maximum(np.asarray(x, dtype=float), 0.0)
""" + _RELU_GRAD + """

def leaky_relu(x, negative_slope=0.01):
    x = np.asarray(x)
    x[x < 0] *= negative_slope               # the caller's array, truncated for ints
    return x


def leaky_relu_grad(x, negative_slope=0.01):
    return np.where(np.asarray(x, dtype=float) > 0, 1.0, negative_slope)"""},
        ["test_relu"],
    ),
    "elu_integer_output": (
        {"elu": """\
def elu(x, alpha=1.0):
    x = np.asarray(x)
    out = x.copy()
    negative = x <= 0
    out[negative] = alpha * np.expm1(x[negative])
    return out


def elu_grad(x, alpha=1.0):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0)))"""},
        ["test_elu"],
    ),
    "softmax_jvp_keeps_softmax_of_first_call": (
        {"softmax_jvp": """\
_cache = {}


def softmax_jvp(z, g):
    z, g = np.asarray(z, dtype=float), np.asarray(g, dtype=float)
    if z.shape not in _cache:                # computed once per shape, then reused
        e = np.exp(z - np.max(z, axis=-1, keepdims=True))
        _cache[z.shape] = e / np.sum(e, axis=-1, keepdims=True)
    s = _cache[z.shape]
    return s * (g - np.sum(g * s, axis=-1, keepdims=True))"""},
        ["test_softmax_jvp"],
    ),
    "softmax_jvp_shifts_z_in_place": (
        {"softmax_jvp": _SOFTMAX + """\
    z -= np.max(z, axis=-1, keepdims=True)   # changes the caller's logits
    e = np.exp(z)
    s = e / np.sum(e, axis=-1, keepdims=True)
    return s * (g - np.sum(g * s, axis=-1, keepdims=True))"""},
        ["test_softmax_jvp"],
    ),
    "dead_fraction_reads_global_b": (
        {"dead_fraction": """\
def dead_fraction(X, W, bias):
    Z = np.asarray(X, dtype=float) @ np.asarray(W, dtype=float).T + b
    return float(np.mean(np.all(Z <= 0, axis=0)))"""},
        ["test_dead_fraction"],
    ),
    "norms_helper_reads_global_weights": (
        {"layer_grad_norms": _NORMS_HEAD.split("def layer_grad_norms")[0] + """\
def forward(X, activation):
    f = ACTIVATIONS[activation][0]
    h, inputs, zs = np.asarray(X, dtype=float), [], []
    for l, (W, b) in enumerate(zip(weights, biases)):    # the notebook's weights
        inputs.append(h)
        zs.append(h @ np.asarray(W).T + b)
        h = f(zs[-1]) if l < len(weights) - 1 else zs[-1]
    return h, inputs, zs


def layer_grad_norms(X, Y, weights, biases, activation):
    df = ACTIVATIONS[activation][1]
    h, inputs, zs = forward(X, activation)
    delta = 2 * (h - np.asarray(Y, dtype=float)) / h.size
    norms = np.zeros(len(weights))
    for l in reversed(range(len(weights))):
        norms[l] = np.linalg.norm(delta.T @ inputs[l])
        if l > 0:
            delta = (delta @ weights[l]) * df(zs[l - 1])
    return norms"""},
        ["test_layer_grad_norms"],
    ),
    "norms_sum_of_squares_not_norm": (
        {"layer_grad_norms": _norms(ret="return norms ** 2")},
        ["test_layer_grad_norms"],
    ),
})

UNUSUAL = {
    "sigmoid_tanh_form_with_print": {"sigmoid": """\
def sigmoid(x):
    x = np.asarray(x, dtype=float)
    print("sigmoid of shape", x.shape)
    return 0.5 * (1.0 + np.tanh(x / 2))      # the same function, never overflows


def sigmoid_grad(x):
    t = np.tanh(np.asarray(x, dtype=float) / 2)
    return 0.25 * (1.0 - t * t)"""},
    "sigmoid_logaddexp_form": {"sigmoid": """\
def sigmoid(x):
    x = np.asarray(x, dtype=float)
    return np.exp(-np.logaddexp(0.0, -x))    # 1 / (1 + e^-x) in log space


def sigmoid_grad(x):
    x = np.asarray(x, dtype=float)
    return np.exp(-np.logaddexp(0.0, -x) - np.logaddexp(0.0, x))"""},
    "tanh_from_sigmoid_with_warning": {"tanh": """\
import warnings


def tanh(x):
    if np.any(np.abs(x) > 100):
        warnings.warn("tanh saturates: some inputs are beyond ±100")
    return 2 * sigmoid(2 * np.asarray(x, dtype=float)) - 1


def tanh_grad(x):
    return 4 * sigmoid_grad(2 * np.asarray(x, dtype=float))"""},
    "relu_loops_and_copies": {"relu": """\
def relu(x):
    out = np.array(x, dtype=float)           # a copy: safe to change
    for i in np.ndindex(out.shape):
        if out[i] < 0:
            out[i] = 0.0
    return out


def relu_grad(x):
    x = np.asarray(x, dtype=float)
    return np.array([1.0 if v > 0 else 0.0 for v in x.ravel()]).reshape(x.shape)


def leaky_relu(x, negative_slope=0.01):
    out = np.array(x, dtype=float)
    out[out <= 0] *= negative_slope          # in place, on the copy
    return out


def leaky_relu_grad(x, negative_slope=0.01):
    out = np.ones(np.shape(x))
    out[np.asarray(x) <= 0] = negative_slope
    return out"""},
    "elu_masks_on_a_copy": {"elu": """\
def _negative(x):
    x = np.array(x, dtype=float)
    return x, x <= 0


def elu(x, alpha=1.0):
    out, neg = _negative(x)
    out[neg] = alpha * np.expm1(out[neg])
    return out


def elu_grad(x, alpha=1.0):
    out, neg = _negative(x)
    out[neg] = alpha * np.exp(out[neg])
    out[~neg] = 1.0
    return out"""},
    "softmax_jvp_einsum_jacobian": {"softmax_jvp": """\
def softmax_jvp(z, g):
    z, g = np.asarray(z, dtype=float), np.asarray(g, dtype=float)
    log_s = z - np.max(z, axis=-1, keepdims=True)
    log_s = log_s - np.log(np.sum(np.exp(log_s), axis=-1, keepdims=True))
    s = np.exp(log_s)
    J = np.einsum("...i,ij->...ij", s, np.eye(z.shape[-1])) - np.einsum("...i,...j->...ij", s, s)
    return np.einsum("...ij,...j->...i", J, g)"""},
    "dead_fraction_loop_over_units": {"dead_fraction": """\
def dead_fraction(X, W, b):
    X, W, b = np.asarray(X, dtype=float), np.asarray(W, dtype=float), np.asarray(b, dtype=float)
    dead = 0
    for j in range(W.shape[0]):
        if np.max(X @ W[j] + b[j]) <= 0:
            dead += 1
    print(f"{dead} of {W.shape[0]} units are dead")
    return dead / W.shape[0]"""},
    "norms_einsum_and_list": {"layer_grad_norms": _NORMS_HEAD.split("def layer_grad_norms")[0] + """\
def layer_grad_norms(X, Y, weights, biases, activation):
    f, df = ACTIVATIONS[activation]
    weights = [np.asarray(W, dtype=float) for W in weights]
    hs, zs = [np.asarray(X, dtype=float)], []
    for l, (W, b) in enumerate(zip(weights, biases)):
        zs.append(np.einsum("nj,kj->nk", hs[-1], W) + b)
        hs.append(f(zs[-1]) if l < len(weights) - 1 else zs[-1])
    delta = 2 * (hs[-1] - np.asarray(Y, dtype=float)) / hs[-1].size
    norms = []
    for l in range(len(weights) - 1, -1, -1):
        grad = np.einsum("nk,nj->kj", delta, hs[l])
        norms.insert(0, np.sqrt(np.sum(grad ** 2)))
        if l > 0:
            delta = (delta @ weights[l]) * df(zs[l - 1])
    return norms"""},
}


# ---- issue #20: the derive-it task (Mish), and bugs nobody predicted
_MISH = '''def mish(x):
    x = np.asarray(x, dtype=float)
    return x * np.tanh(np.logaddexp(0.0, x))


def mish_grad(x):
    x = np.asarray(x, dtype=float)
    t = np.tanh(np.logaddexp(0.0, x))
'''

WRONG.update({
    "mish_softplus_overflows": (
        {"mish": """\
def mish(x):
    x = np.asarray(x, dtype=float)
    return x * np.tanh(np.log(1 + np.exp(x)))


def mish_grad(x):
    x = np.asarray(x, dtype=float)
    t = np.tanh(np.log(1 + np.exp(x)))
    return t + x * (1 - t ** 2) * sigmoid(x)"""},
        ["test_mish"],
    ),
    "mish_grad_only_first_term": (
        {"mish": _MISH + "    return t"},
        ["test_mish"],
    ),
    "mish_grad_forgets_the_softplus_slope": (
        {"mish": _MISH + "    return t + x * (1 - t ** 2)"},
        ["test_mish"],
    ),
    "mish_grad_tanh_slope_at_its_output": (
        {"mish": _MISH + "    return t + x * tanh_grad(t) * sigmoid(x)   # tanh' at t, not at softplus"},
        ["test_mish"],
    ),
    "sigmoid_grad_at_the_output": (
        {"sigmoid": _SIGMOID + '''

def sigmoid_grad(x):
    s = sigmoid(sigmoid(x))                  # the slope taken at σ(x)
    return s * (1 - s)'''},
        ["test_sigmoid", "test_layer_grad_norms"],
    ),
    "softmax_jvp_softmax_over_the_batch_axis": (
        {"softmax_jvp": _SOFTMAX + """\
    e = np.exp(z - np.max(z, axis=0, keepdims=True))
    s = e / np.sum(e, axis=0, keepdims=True)   # normalised down each column
    return s * (g - np.sum(g * s, axis=-1, keepdims=True))"""},
        ["test_softmax_jvp"],
    ),
    "norms_forward_without_bias": (
        {"layer_grad_norms": _NORMS_HEAD.replace("z = h @ np.asarray(W).T + b",
                                                 "z = h @ np.asarray(W).T")
         + """        h = f(z) if l < len(weights) - 1 else z
    delta = 2 * (h - Y) / h.size
    norms = np.zeros(len(weights))
    for l in reversed(range(len(weights))):
        norms[l] = np.linalg.norm(delta.T @ inputs[l])
        if l > 0:
            delta = (delta @ weights[l]) * df(zs[l - 1])
    return norms"""},
        ["test_layer_grad_norms"],
    ),
})

# Words each wrong answer's failure message must contain: the evidence the test found.
EVIDENCE = {
    "sigmoid_grad_of_input_not_output": {"test_sigmoid": ["x * (1 - x)"]},
    "sigmoid_grad_at_the_output": {"test_sigmoid": ["at σ(x), the output"]},
    "tanh_grad_one_minus_x_squared": {"test_tanh": ["1 - x**2"]},
    "elu_exp_overflows": {"test_elu": ["both branches"]},
    "softmax_jvp_diagonal_only": {"test_softmax_jvp": ["only the diagonal"]},
    "softmax_jvp_keeps_softmax_of_first_call": {"test_softmax_jvp": ["earlier call"]},
    "mish_softplus_overflows": {"test_mish": ["NumPy warning"]},
    "mish_grad_only_first_term": {"test_mish": ["product rule"]},
    "mish_grad_tanh_slope_at_its_output": {"test_mish": ["finite-difference slope"]},
    "dead_counts_entries_not_units": {"test_dead_fraction": ["entries of Z"]},
    "norms_in_reverse_order": {"test_layer_grad_norms": ["last layer first"]},
    "norms_derivative_at_activation_output": {"test_layer_grad_norms": ["pre-activation"]},
    "norms_loss_not_averaged": {"test_layer_grad_norms": ["N·K times"]},
}

UNUSUAL.update({
    "mish_from_the_notebook_functions": {"mish": """\
def softplus(x):
    x = np.asarray(x, dtype=float)
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def mish(x):
    return np.asarray(x, dtype=float) * tanh(softplus(x))


def mish_grad(x):
    x = np.asarray(x, dtype=float)
    sp = softplus(x)
    return tanh(sp) + x * tanh_grad(sp) * sigmoid(x)   # product rule, then chain rule"""},
    "mish_per_element_with_math": {"mish": """\
import math


def _softplus(v):
    return max(v, 0.0) + math.log1p(math.exp(-abs(v)))


def mish(x):
    x = np.array(x, dtype=float)
    return np.vectorize(lambda v: v * math.tanh(_softplus(v)), otypes=[float])(x)


def mish_grad(x):
    def slope(v):
        t = math.tanh(_softplus(v))
        return t + v * (1 - t * t) * math.exp(v - _softplus(v))
    return np.vectorize(slope, otypes=[float])(np.array(x, dtype=float))"""},
    "elu_grad_from_elu": {"elu": """\
def elu(x, alpha=1.0):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def elu_grad(x, alpha=1.0):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, 1.0, elu(x, alpha) + alpha)   # α(e^x − 1) + α = α e^x"""},
})
