"""Typical wrong answers for the Chapter 7 exercise (see __init__.py for the format)."""

CHAPTER = "07-regularization"

_DROPOUT_HEAD = '''\
class Dropout(Layer):
    """Inverted dropout with drop probability p; the identity in eval mode."""

    def __init__(self, p, rng):
        self.p = p
        self.rng = rng
        self.scale = None
'''

_BN_TEMPLATE = '''\
def batchnorm_forward(x, gamma, beta, state, training):
    x = np.asarray(x, dtype=float)
    m, eps = state["momentum"], state["eps"]
    if training:
        n = x.shape[0]
        if n < 2:
            raise ValueError("one example has no batch variance")
        mean, var = x.mean(axis=0), x.var(axis=0{ddof})
        {update}
    else:
        mean, var = {eval_stats}
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (x_hat, inv_std, gamma)'''

_BN_UPDATE = ('state["running_mean"] = (1 - m) * state["running_mean"] + m * mean\n'
              '        state["running_var"] = (1 - m) * state["running_var"] + m * var * n / (n - 1)')


def _bn(ddof="", update=_BN_UPDATE, eval_stats='state["running_mean"], state["running_var"]'):
    return _BN_TEMPLATE.format(ddof=ddof, update=update, eval_stats=eval_stats)


_BN_BACKWARD = '''\
def batchnorm_backward(grad_out, cache):
    x_hat, inv_std, gamma = cache
    g = np.asarray(grad_out, dtype=float)
    dgamma, dbeta = np.sum(g * x_hat, axis=0), np.sum(g, axis=0)
    dx = {dx}
    return dx, dgamma, dbeta'''

_EARLY = '''\
def early_stopping(val_losses, patience):
    best_epoch, best, wait = 0, float("inf"), 0
    for epoch, loss in enumerate(val_losses):
        if {improved}:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if {stop}:
                return {best_epoch}, epoch
    return {best_epoch}, len(val_losses) - 1'''

_RIDGE = '''\
def ridge_fit(X, y, lam):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    x_mean, y_mean = X.mean(axis=0), y.mean()
    Xc, yc = X - x_mean, y - y_mean
    n, d = X.shape
    w = np.linalg.solve(Xc.T @ Xc / n + {lam} * np.eye(d), Xc.T @ yc / n)
    return w, float(y_mean - x_mean @ w)


def choose_lambda(X_train, y_train, X_val, y_val, lambdas):
    errors = [mse({Xe}, {ye}, *ridge_fit(X_train, y_train, lam)) for lam in lambdas]
    return lambdas[int(np.argmin(errors))]'''

WRONG = {
    # ---- Task 1: L2 penalty
    "l2_gradient_lambda_w": (
        {
            "l2_penalty": """\
def l2_penalty(model, lam):
    total = 0.0
    for layer in model:
        if isinstance(layer, Linear):
            total += lam * np.sum(layer.weight.data ** 2)
            layer.weight.grad += lam * layer.weight.data
    return float(total)""",
        },
        ["test_l2_penalty"],
    ),
    "l2_penalizes_biases": (
        {
            "l2_penalty": """\
def l2_penalty(model, lam):
    total = 0.0
    for p in model.parameters():
        total += lam * np.sum(p.data ** 2)
        p.grad += 2 * lam * p.data
    return float(total)""",
        },
        ["test_l2_penalty"],
    ),
    "l2_overwrites_grad": (
        {
            "l2_penalty": """\
def l2_penalty(model, lam):
    total = 0.0
    for layer in model:
        if isinstance(layer, Linear):
            total += lam * np.sum(layer.weight.data ** 2)
            layer.weight.grad = 2 * lam * layer.weight.data
    return float(total)""",
        },
        ["test_l2_penalty"],
    ),
    # ---- Task 2: dropout
    "dropout_scales_at_test_time": (
        {
            "dropout": _DROPOUT_HEAD + """
    def forward(self, x):
        if not self.training:
            self.scale = np.full(np.shape(x), 1.0 - self.p)
            return x * (1.0 - self.p)
        self.scale = (self.rng.random(np.shape(x)) >= self.p).astype(float)
        return x * self.scale

    def backward(self, grad_output):
        return grad_output * self.scale""",
        },
        ["test_dropout"],
    ),
    "dropout_backward_ignores_mask": (
        {
            "dropout": _DROPOUT_HEAD + """
    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        self.scale = (self.rng.random(np.shape(x)) >= self.p) / (1.0 - self.p)
        return x * self.scale

    def backward(self, grad_output):
        if not self.training:
            return grad_output
        return grad_output / (1.0 - self.p)""",
        },
        ["test_dropout"],
    ),
    "dropout_new_mask_in_backward": (
        {
            "dropout": _DROPOUT_HEAD + """
    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        return x * (self.rng.random(np.shape(x)) >= self.p) / (1.0 - self.p)

    def backward(self, grad_output):
        if not self.training or self.p == 0:
            return grad_output
        return grad_output * (self.rng.random(np.shape(grad_output)) >= self.p) / (1.0 - self.p)""",
        },
        ["test_dropout"],
    ),
    # ---- Task 3: batch-norm forward (a wrong forward also breaks the backward test when it
    # changes the function being differentiated)
    "bn_unbiased_variance_to_normalize": (
        {"batchnorm_forward": _bn(ddof=", ddof=1")},
        ["test_batchnorm_forward", "test_batchnorm_backward"],
    ),
    "bn_running_var_biased": (
        {"batchnorm_forward": _bn(update=_BN_UPDATE.replace(" * n / (n - 1)", ""))},
        ["test_batchnorm_forward"],
    ),
    "bn_eval_uses_batch_statistics": (
        {"batchnorm_forward": _bn(eval_stats="x.mean(axis=0), x.var(axis=0)")},
        ["test_batchnorm_forward"],
    ),
    "bn_running_stats_not_updated": (
        {"batchnorm_forward": _bn(update="pass")},
        ["test_batchnorm_forward"],
    ),
    "bn_momentum_swapped": (
        {"batchnorm_forward": _bn(update=(
            'state["running_mean"] = m * state["running_mean"] + (1 - m) * mean\n'
            '        state["running_var"] = m * state["running_var"] + (1 - m) * var * n / (n - 1)'))},
        ["test_batchnorm_forward"],
    ),
    # ---- Task 4: batch-norm backward
    "bn_backward_ignores_batch_statistics": (
        {"batchnorm_backward": _BN_BACKWARD.format(dx="gamma * inv_std * g")},
        ["test_batchnorm_backward"],
    ),
    "bn_backward_forgets_variance_term": (
        {"batchnorm_backward": _BN_BACKWARD.format(dx="gamma * inv_std * (g - g.mean(axis=0))")},
        ["test_batchnorm_backward"],
    ),
    # ---- Task 6: early stopping
    "early_stops_one_epoch_late": (
        {"early_stopping": _EARLY.format(improved="loss < best", stop="wait > patience",
                                         best_epoch="best_epoch")},
        ["test_early_stopping"],
    ),
    "early_ties_count_as_improvement": (
        {"early_stopping": _EARLY.format(improved="loss <= best", stop="wait >= max(patience, 1)",
                                         best_epoch="best_epoch")},
        ["test_early_stopping"],
    ),
    "early_best_over_all_epochs": (
        {"early_stopping": _EARLY.format(improved="loss < best", stop="wait >= max(patience, 1)",
                                         best_epoch="int(np.argmin(val_losses))")},
        ["test_early_stopping"],
    ),
    # ---- Task 7: ridge
    "ridge_penalizes_bias": (
        {
            "ridge": """\
def ridge_fit(X, y, lam):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    n, d = X.shape
    Xa = np.column_stack([X, np.ones(n)])
    theta = np.linalg.solve(Xa.T @ Xa / n + lam * np.eye(d + 1), Xa.T @ y / n)
    return theta[:d], float(theta[d])


def choose_lambda(X_train, y_train, X_val, y_val, lambdas):
    errors = [mse(X_val, y_val, *ridge_fit(X_train, y_train, lam)) for lam in lambdas]
    return lambdas[int(np.argmin(errors))]""",
        },
        ["test_ridge"],
    ),
    "ridge_half_lambda_convention": (
        {"ridge": _RIDGE.format(lam="lam / 2", Xe="X_val", ye="y_val")},
        ["test_ridge"],
    ),
    "ridge_lambda_chosen_on_training_error": (
        {"ridge": _RIDGE.format(lam="lam", Xe="X_train", ye="y_train")},
        ["test_ridge"],
    ),
}

_KFOLD_CV = '''

def cross_val_mse(X, y, folds, fit):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    errors = []
    for train_idx, val_idx in folds:
        w, b = fit(X[train_idx], y[train_idx])
        errors.append(np.mean((X[val_idx] @ w + b - y[val_idx]) ** 2))
    return float(np.mean(errors))'''

_KFOLD_INDICES = '''\
def kfold_indices(n, k, rng):
    order = rng.permutation(int(n))
    return [(np.setdiff1d(order, v), v) for v in np.array_split(order, int(k))]
'''


def _cv(body):
    return _KFOLD_INDICES + "\n\ndef cross_val_mse(X, y, folds, fit):\n" + body


# ---- the test classes of issue #15: globals, mutation, integers, state, ignored parameters
WRONG.update({
    "l2_reads_global_model": (
        {"l2_penalty": """\
def l2_penalty(net, lam):
    total = 0.0
    for layer in model:                      # the notebook's model, not the argument
        if isinstance(layer, Linear):
            total += lam * float(np.sum(layer.weight.data ** 2))
            layer.weight.grad += 2.0 * lam * layer.weight.data
    return total"""},
        ["test_l2_penalty"],
    ),
    "l2_decays_the_weights_too": (
        {"l2_penalty": """\
def l2_penalty(model, lam):
    total = 0.0
    for layer in model:
        if isinstance(layer, Linear):
            W = layer.weight
            total += lam * float(np.sum(W.data ** 2))
            W.grad += 2.0 * lam * W.data
            W.data *= 1.0 - 1e-3 * lam          # a little weight decay on the side
    return total"""},
        ["test_l2_penalty"],
    ),
    "dropout_global_random": (
        {"dropout": _DROPOUT_HEAD + """
    def forward(self, x):
        x = np.asarray(x, dtype=float)
        if not self.training or self.p == 0:
            self.scale = np.ones_like(x)
            return x
        self.scale = (np.random.random(x.shape) >= self.p) / (1.0 - self.p)
        return x * self.scale

    def backward(self, grad_output):
        return grad_output * self.scale"""},
        ["test_dropout"],
    ),
    "dropout_zeroes_input_in_place": (
        {"dropout": _DROPOUT_HEAD + """
    def forward(self, x):
        x = np.asarray(x)
        if not self.training or self.p == 0:
            self.scale = np.ones(x.shape)
            return x
        self.scale = (self.rng.random(x.shape) >= self.p) / (1.0 - self.p)
        x *= self.scale                          # the caller's array
        return x

    def backward(self, grad_output):
        return grad_output * self.scale"""},
        ["test_dropout"],
    ),
    "dropout_backward_scales_grad_in_place": (
        {"dropout": _DROPOUT_HEAD + """
    def forward(self, x):
        x = np.asarray(x, dtype=float)
        if not self.training or self.p == 0:
            self.scale = np.ones_like(x)
            return x
        self.scale = (self.rng.random(x.shape) >= self.p) / (1.0 - self.p)
        return x * self.scale

    def backward(self, grad_output):
        grad_output *= self.scale                # the caller's gradient
        return grad_output"""},
        ["test_dropout"],
    ),
    "bn_centers_input_in_place": (
        {"batchnorm_forward": _bn().replace("    inv_std = 1.0 / np.sqrt(var + eps)\n    x_hat = (x - mean) * inv_std",
                                            "    inv_std = 1.0 / np.sqrt(var + eps)\n    x -= mean\n    x_hat = x * inv_std")},
        ["test_batchnorm_forward", "test_batchnorm_backward"],
    ),
    "bn_backward_centres_grad_out_in_place": (
        {"batchnorm_backward": """\
def batchnorm_backward(grad_out, cache):
    x_hat, inv_std, gamma = cache
    g = np.asarray(grad_out, dtype=float)
    dgamma, dbeta = np.sum(g * x_hat, axis=0), np.sum(g, axis=0)
    g -= g.mean(axis=0)                      # centres the caller's gradient
    dx = gamma * inv_std * (g - x_hat * np.mean(g * x_hat, axis=0))
    return dx, dgamma, dbeta"""},
        ["test_batchnorm_backward"],
    ),
    "early_zero_loss_means_unset": (
        {"early_stopping": """\
def early_stopping(val_losses, patience):
    best_epoch, best, wait = 0, None, 0
    for epoch, loss in enumerate(val_losses):
        if not best or loss < best:          # a best loss of 0 looks unset
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= max(patience, 1):
                return best_epoch, epoch
    return best_epoch, len(val_losses) - 1"""},
        ["test_early_stopping"],
    ),
    "early_appends_sentinel_to_the_list": (
        {"early_stopping": """\
def early_stopping(val_losses, patience):
    losses = val_losses if isinstance(val_losses, list) else list(val_losses)
    losses.append(float("inf"))              # a sentinel, in the caller's list
    best_epoch, best, wait = 0, float("inf"), 0
    for epoch, loss in enumerate(losses[:-1]):
        if loss < best:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= max(patience, 1):
                return best_epoch, epoch
    return best_epoch, len(losses) - 2"""},
        ["test_early_stopping"],
    ),
    "ridge_centers_in_place": (
        {"ridge": _RIDGE.format(lam="lam", Xe="X_val", ye="y_val").replace(
            "    Xc, yc = X - x_mean, y - y_mean\n",
            "    X -= x_mean\n    y -= y_mean\n    Xc, yc = X, y\n").replace(
            "X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)", "X, y = np.asarray(X), np.asarray(y)")},
        ["test_ridge"],
    ),
    "choose_lambda_reads_global_validation_set": (
        {"ridge": _RIDGE.format(lam="lam", Xe="X_val", ye="y_val").replace(
            "def choose_lambda(X_train, y_train, X_val, y_val, lambdas):",
            "def choose_lambda(X_train, y_train, X_v, y_v, lambdas):")},
        ["test_ridge"],
    ),
    # ---- Task 8: K-fold cross-validation
    "kfold_drops_the_remainder": (
        {"kfold": """\
def kfold_indices(n, k, rng):
    order, size = rng.permutation(n), n // k
    folds = []
    for i in range(k):
        val = order[i * size:(i + 1) * size]
        folds.append((np.setdiff1d(order, val), val))
    return folds
""" + _KFOLD_CV},
        ["test_kfold"],
    ),
    "kfold_remainder_in_the_last_fold": (
        {"kfold": """\
def kfold_indices(n, k, rng):
    order, size = rng.permutation(n), n // k
    folds = []
    for i in range(k):
        val = order[i * size:] if i == k - 1 else order[i * size:(i + 1) * size]
        folds.append((np.setdiff1d(order, val), val))
    return folds
""" + _KFOLD_CV},
        ["test_kfold"],
    ),
    "kfold_not_shuffled": (
        {"kfold": """\
def kfold_indices(n, k, rng):
    return [(np.setdiff1d(np.arange(n), v), v) for v in np.array_split(np.arange(n), k)]
""" + _KFOLD_CV},
        ["test_kfold"],
    ),
    "kfold_random_rotation_only": (
        {"kfold": """\
def kfold_indices(n, k, rng):
    order = np.roll(np.arange(n), int(rng.integers(n)))
    return [(np.setdiff1d(order, v), v) for v in np.array_split(order, k)]
""" + _KFOLD_CV},
        ["test_kfold"],
    ),
    "kfold_global_random": (
        {"kfold": """\
def kfold_indices(n, k, rng):
    order = np.random.permutation(n)
    return [(np.setdiff1d(order, v), v) for v in np.array_split(order, k)]
""" + _KFOLD_CV},
        ["test_kfold"],
    ),
    "kfold_shuffle_drawn_once": (
        {"kfold": """\
_orders = {}


def kfold_indices(n, k, rng):
    if (n, k) not in _orders:                # reused at the next call with the same rng
        _orders[(n, k)] = rng.permutation(n)
    order = _orders[(n, k)]
    return [(np.setdiff1d(order, v), v) for v in np.array_split(order, k)]
""" + _KFOLD_CV},
        ["test_kfold"],
    ),
    "kfold_validation_rows_also_in_training": (
        {"kfold": """\
def kfold_indices(n, k, rng):
    order = rng.permutation(n)
    return [(order, v) for v in np.array_split(order, k)]
""" + _KFOLD_CV},
        ["test_kfold"],
    ),
    "cv_pools_all_validation_errors": (
        {"kfold": _cv("""\
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    squared = []
    for train_idx, val_idx in folds:
        w, b = fit(X[train_idx], y[train_idx])
        squared.extend((X[val_idx] @ w + b - y[val_idx]) ** 2)
    return float(np.mean(squared))""")},
        ["test_kfold"],
    ),
    "cv_fits_on_all_the_data": (
        {"kfold": _cv("""\
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    w, b = fit(X, y)
    return float(np.mean([np.mean((X[v] @ w + b - y[v]) ** 2) for _, v in folds]))""")},
        ["test_kfold"],
    ),
    "cv_measures_on_the_training_rows": (
        {"kfold": _cv("""\
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    errors = []
    for t, v in folds:
        w, b = fit(X[t], y[t])
        errors.append(np.mean((X[t] @ w + b - y[t]) ** 2))
    return float(np.mean(errors))""")},
        ["test_kfold"],
    ),
    "cv_reads_global_data": (
        {"kfold": _KFOLD_INDICES + """

def cross_val_mse(inputs, targets, folds, fit):
    errors = []
    for t, v in folds:
        w, b = fit(X[t], y[t])                # the notebook's X and y
        errors.append(np.mean((X[v] @ w + b - y[v]) ** 2))
    return float(np.mean(errors))"""},
        ["test_kfold"],
    ),
    "cv_sorts_the_folds_in_place": (
        {"kfold": _cv("""\
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    errors = []
    for train_idx, val_idx in folds:
        train_idx.sort()                      # the caller's index arrays
        val_idx.sort()
        w, b = fit(X[train_idx], y[train_idx])
        errors.append(np.mean((X[val_idx] @ w + b - y[val_idx]) ** 2))
    return float(np.mean(errors))""")},
        ["test_kfold"],
    ),
})

UNUSUAL = {
    "l2_over_parameters_with_print": {"l2_penalty": """\
def l2_penalty(model, lam):
    linear_weights = [layer.weight for layer in model if isinstance(layer, Linear)]
    total = sum(np.einsum("ij,ij->", W.data, W.data) for W in linear_weights)
    for W in linear_weights:
        np.add(W.grad, 2 * lam * W.data, out=W.grad)
    print(f"L2 penalty over {len(linear_weights)} weight matrices")
    return lam * float(total)"""},
    "dropout_binomial_mask_and_warning": {"dropout": _DROPOUT_HEAD + """
    def forward(self, x):
        import warnings
        x = np.array(x, dtype=float)          # a copy
        if not self.training or self.p == 0:
            self.scale = 1.0
            return x
        if self.p > 0.8:
            warnings.warn(f"dropping {self.p:.0%} of the units")
        self.scale = self.rng.binomial(1, 1.0 - self.p, size=x.shape) / (1.0 - self.p)
        x *= self.scale                       # in place, on the copy
        return x

    def backward(self, grad_output):
        return np.multiply(grad_output, self.scale)"""},
    "bn_forward_with_helper_and_dict_cache": {"batchnorm_forward": """\
def _moments(x):
    mean = np.mean(x, axis=0)
    return mean, np.mean((x - mean) ** 2, axis=0)


def batchnorm_forward(x, gamma, beta, state, training):
    x = np.array(x, dtype=float)
    if training:
        n = len(x)
        if n == 1:
            raise ValueError(f"training mode needs a batch, got {x.shape}")
        mean, var = _moments(x)
        m = state["momentum"]
        state["running_mean"] = state["running_mean"] + m * (mean - state["running_mean"])
        state["running_var"] = state["running_var"] + m * (var * n / (n - 1) - state["running_var"])
    else:
        mean, var = state["running_mean"], state["running_var"]
    x -= mean                                 # in place, on the copy
    x /= np.sqrt(var + state["eps"])
    return gamma * x + beta, {"x_hat": x, "std": np.sqrt(var + state["eps"]), "gamma": gamma}""",
        "batchnorm_backward": """\
def batchnorm_backward(grad_out, cache):
    x_hat, std, gamma = cache["x_hat"], cache["std"], cache["gamma"]
    g = np.asarray(grad_out, dtype=float)
    n = g.shape[0]
    dx_hat = g * gamma
    dx = (n * dx_hat - dx_hat.sum(axis=0) - x_hat * np.sum(dx_hat * x_hat, axis=0)) / (n * std)
    return dx, np.einsum("nd,nd->d", g, x_hat), g.sum(axis=0)"""},
    "early_stopping_by_index_arithmetic": {"early_stopping": """\
def early_stopping(val_losses, patience):
    losses = [float(v) for v in val_losses]
    limit = max(patience, 1)
    best = 0
    for epoch in range(1, len(losses)):
        if losses[epoch] < losses[best]:
            best = epoch
        elif epoch - best >= limit:
            return best, epoch
    return best, len(losses) - 1"""},
    "ridge_augmented_system": {"ridge": """\
def ridge_fit(X, y, lam):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    n, d = X.shape
    A = np.column_stack([X, np.ones(n)])
    penalty = lam * np.eye(d + 1)
    penalty[d, d] = 0.0                       # the bias is not penalized
    theta = np.linalg.solve(A.T @ A / n + penalty, A.T @ y / n)
    return theta[:d], float(theta[d])


def choose_lambda(X_train, y_train, X_val, y_val, lambdas):
    best, best_error = None, np.inf
    for lam in lambdas:
        error = mse(X_val, y_val, *ridge_fit(X_train, y_train, lam))
        if error < best_error:
            best, best_error = lam, error
    return best"""},
    "kfold_round_robin_loops": {"kfold": """\
def kfold_indices(n, k, rng):
    order = list(rng.permutation(n))
    folds = []
    for i in range(k):
        val = order[i::k]                     # deal the shuffled indices like cards
        train = [j for j in order if j not in set(val)]
        folds.append((np.array(train), np.array(val)))
    return folds


def cross_val_mse(X, y, folds, fit):
    total = 0.0
    for train_idx, val_idx in folds:
        w, b = fit(np.asarray(X)[train_idx], np.asarray(y)[train_idx])
        residual = np.asarray(X)[val_idx] @ w + b - np.asarray(y)[val_idx]
        total += np.einsum("i,i->", residual, residual) / len(val_idx)
    return total / len(folds)"""},
    "kfold_fold_labels_and_masks_with_warning": {"kfold": """\
import warnings


def kfold_indices(n, k, rng):
    label = rng.permutation(np.arange(n) % k)     # fold number of each example
    if n % k:
        warnings.warn("the folds differ in size by one")
    return [(np.flatnonzero(label != i), np.flatnonzero(label == i)) for i in range(k)]


def cross_val_mse(X, y, folds, fit):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    errors = np.zeros(len(folds))
    for i, (train_idx, val_idx) in enumerate(folds):
        model = fit(X[train_idx], y[train_idx])
        errors[i] = mse(X[val_idx], y[val_idx], *model)
    return errors.mean()"""},
}

# ---- issue #20: bugs nobody predicted, the derive-it task, and the evidence feedback names
WRONG.update({
    "bn_backward_missing_gamma": (
        {"batchnorm_backward": _BN_BACKWARD.format(
            dx="inv_std * (g - g.mean(axis=0) - x_hat * np.mean(g * x_hat, axis=0))")},
        ["test_batchnorm_backward"],
    ),
    "bn_backward_swaps_dgamma_dbeta": (
        {"batchnorm_backward": _BN_BACKWARD.format(
            dx="gamma * inv_std * (g - g.mean(axis=0) - x_hat * np.mean(g * x_hat, axis=0))"
        ).replace("return dx, dgamma, dbeta", "return dx, dbeta, dgamma")},
        ["test_batchnorm_backward"],
    ),
    "bn_backward_mean_not_sum_for_dgamma": (
        {"batchnorm_backward": _BN_BACKWARD.format(
            dx="gamma * inv_std * (g - g.mean(axis=0) - x_hat * np.mean(g * x_hat, axis=0))"
        ).replace("np.sum(g * x_hat, axis=0)", "np.mean(g * x_hat, axis=0)")},
        ["test_batchnorm_backward"],
    ),
    "bn_forward_allows_one_example": (
        {"batchnorm_forward": _bn().replace(
            '        if n < 2:\n            raise ValueError("one example has no batch variance")\n',
            "        n = max(n, 2)                 # avoids dividing by zero\n")},
        ["test_batchnorm_forward"],
    ),
    "dropout_scales_by_one_over_p": (
        {"dropout": _DROPOUT_HEAD + """
    def forward(self, x):
        x = np.asarray(x, dtype=float)
        if not self.training or self.p == 0:
            self.scale = np.ones_like(x)
            return x
        self.scale = (self.rng.random(x.shape) >= self.p) / self.p
        return x * self.scale

    def backward(self, grad_output):
        return grad_output * self.scale"""},
        ["test_dropout"],
    ),
    "dropout_survivors_not_scaled": (
        {"dropout": _DROPOUT_HEAD + """
    def forward(self, x):
        x = np.asarray(x, dtype=float)
        if not self.training or self.p == 0:
            self.scale = np.ones_like(x)
            return x
        self.scale = (self.rng.random(x.shape) >= self.p).astype(float)
        return x * self.scale

    def backward(self, grad_output):
        return grad_output * self.scale"""},
        ["test_dropout"],
    ),
})

UNUSUAL["bn_backward_through_the_chain"] = {"batchnorm_backward": """\
def batchnorm_backward(grad_out, cache):
    x_hat, inv_std, gamma = cache                 # the staged derivation, step by step
    g = np.asarray(grad_out, dtype=float)
    n = g.shape[0]
    dx_hat = g * gamma
    d_var = np.sum(dx_hat * x_hat, axis=0) * -0.5 * inv_std ** 2       # dL/dσ²
    d_mean = -np.sum(dx_hat, axis=0) * inv_std                        # dL/dμ
    dx = dx_hat * inv_std + d_var * 2 * x_hat / (inv_std * n) + d_mean / n
    return dx, np.sum(g * x_hat, axis=0), np.sum(g, axis=0)"""}

EVIDENCE = {
    "bn_backward_missing_gamma": {"test_batchnorm_backward": ["each column", "γ"]},
    "bn_backward_swaps_dgamma_dbeta": {"test_batchnorm_backward": ["swapped"]},
    "bn_backward_mean_not_sum_for_dgamma": {"test_batchnorm_backward": ["1/N times"]},
    "bn_forward_allows_one_example": {"test_batchnorm_forward": ["ValueError",
                                                                "one example"]},
    "bn_unbiased_variance_to_normalize": {"test_batchnorm_forward": ["sqrt((N-1)/N)"]},
    "bn_running_var_biased": {"test_batchnorm_forward": ["biased variance"]},
    "dropout_scales_by_one_over_p": {"test_dropout": ["1/p", "4 times the input"]},
    "dropout_survivors_not_scaled": {"test_dropout": ["0.8 times the input"]},
    "l2_gradient_lambda_w": {"test_l2_penalty": ["half"]},
    "bn_momentum_swapped": {"test_batchnorm_forward": ["running_mean", "9 times"]},
}

# ---- Task 5: layer-norm backward, the derive-it task (the book gives only the forward pass)
_LN_BACKWARD = '''\
def layernorm_backward(grad_out, cache):
    x_hat, inv_std, gamma = cache["x_hat"], cache["inv_std"], cache["gamma"]
    g = np.asarray(grad_out, dtype=float)
    g_hat = g * gamma
    dx = {dx}
    return dx, {dgamma}, np.sum(g, axis=0)'''


def _ln(dx="inv_std * (g_hat - g_hat.mean(axis=1, keepdims=True)"
           " - x_hat * np.mean(g_hat * x_hat, axis=1, keepdims=True))",
        dgamma="np.sum(g * x_hat, axis=0)"):
    return {"layernorm_backward": _LN_BACKWARD.format(dx=dx, dgamma=dgamma)}


WRONG.update({
    # Task 4's formula copied: means over the batch (axis 0) instead of the features
    "ln_backward_batch_norm_formula_copied": (
        _ln(dx="gamma * inv_std * (g - g.mean(axis=0) - x_hat * np.mean(g * x_hat, axis=0))"),
        ["test_layernorm_backward"],
    ),
    "ln_backward_missing_gamma": (
        _ln(dx="inv_std * (g - g.mean(axis=1, keepdims=True)"
               " - x_hat * np.mean(g * x_hat, axis=1, keepdims=True))"),
        ["test_layernorm_backward"],
    ),
    # the right axis, but γ outside the means, as batch norm allows and layer norm does not
    "ln_backward_gamma_outside_the_means": (
        _ln(dx="gamma * inv_std * (g - g.mean(axis=1, keepdims=True)"
               " - x_hat * np.mean(g * x_hat, axis=1, keepdims=True))"),
        ["test_layernorm_backward"],
    ),
    "ln_backward_missing_x_hat_term": (
        _ln(dx="inv_std * (g_hat - g_hat.mean(axis=1, keepdims=True))"),
        ["test_layernorm_backward"],
    ),
    "ln_backward_statistics_as_constants": (
        _ln(dx="inv_std * g_hat"),
        ["test_layernorm_backward"],
    ),
    "ln_backward_mean_for_dgamma": (
        _ln(dgamma="np.mean(g * x_hat, axis=0)"),
        ["test_layernorm_backward"],
    ),
    "ln_backward_dgamma_over_features": (
        _ln(dgamma="np.sum(g * x_hat, axis=1)"),
        ["test_layernorm_backward"],
    ),
    "ln_backward_scales_grad_out_in_place": (
        {"layernorm_backward": """\
def layernorm_backward(grad_out, cache):
    x_hat, inv_std = cache["x_hat"], cache["inv_std"]
    g = np.asarray(grad_out, dtype=float)
    dgamma, dbeta = np.sum(g * x_hat, axis=0), np.sum(g, axis=0)
    g *= cache["gamma"]                      # the caller's gradient, when it is float
    dx = inv_std * (g - g.mean(axis=1, keepdims=True)
                    - x_hat * np.mean(g * x_hat, axis=1, keepdims=True))
    return dx, dgamma, dbeta"""},
        ["test_layernorm_backward"],
    ),
})

UNUSUAL.update({
    "ln_backward_staged_through_mean_and_variance": {"layernorm_backward": """\
def layernorm_backward(grad_out, cache):
    x, mean, inv_std = cache["x"], cache["mean"], cache["inv_std"]
    g = np.asarray(grad_out, dtype=float)
    d = x.shape[1]
    centred = x - mean
    dx_hat = g * cache["gamma"]
    d_var = np.sum(dx_hat * centred, axis=1, keepdims=True) * -0.5 * inv_std ** 3
    d_mean = (-np.sum(dx_hat, axis=1, keepdims=True) * inv_std
              - 2 * d_var * np.mean(centred, axis=1, keepdims=True))
    dx = dx_hat * inv_std + d_var * 2 * centred / d + d_mean / d
    return dx, np.sum(g * cache["x_hat"], axis=0), np.sum(g, axis=0)"""},
    "ln_backward_einsum_jacobian": {"layernorm_backward": """\
def layernorm_backward(grad_out, cache):
    x_hat, s = cache["x_hat"], cache["inv_std"][:, 0]
    d = x_hat.shape[1]
    g = np.asarray(grad_out, dtype=float)
    # ∂x̂_nk/∂x_nj divided by s_n, one D × D matrix per example
    jac = np.eye(d) - 1.0 / d - np.einsum("nk,nj->nkj", x_hat, x_hat) / d
    dx = s[:, None] * np.einsum("nk,nkj->nj", g * cache["gamma"], jac)
    return dx, np.einsum("nj,nj->j", g, x_hat), np.einsum("nj->j", g)"""},
    "ln_backward_batch_norm_on_the_transpose": {"layernorm_backward": """\
def layernorm_backward(grad_out, cache):
    g = np.asarray(grad_out, dtype=float)
    g_hat_t, x_hat_t = (g * cache["gamma"]).T, cache["x_hat"].T  # features down columns
    dx_t = cache["inv_std"].T * (g_hat_t - g_hat_t.mean(axis=0)
                                 - x_hat_t * np.mean(g_hat_t * x_hat_t, axis=0))
    print(f"layer norm as batch norm on the transpose, {dx_t.shape[1]} example(s)")
    return dx_t.T, np.sum(g * cache["x_hat"], axis=0), np.sum(g, axis=0)"""},
})

EVIDENCE.update({
    "ln_backward_batch_norm_formula_copied": {"test_layernorm_backward": ["each row of dx",
                                                                          "sum to 0"]},
    "ln_backward_missing_gamma": {"test_layernorm_backward": ["γ = 1", "depends on γ"]},
    "ln_backward_gamma_outside_the_means": {"test_layernorm_backward": ["sum to 0"]},
    "ln_backward_missing_x_hat_term": {"test_layernorm_backward": ["orthogonal to x̂"]},
    "ln_backward_statistics_as_constants": {"test_layernorm_backward": ["sum to 0"]},
    "ln_backward_mean_for_dgamma": {"test_layernorm_backward": ["dγ", "1/N times"]},
    "ln_backward_dgamma_over_features": {"test_layernorm_backward": ["shape (6,)"]},
    "ln_backward_scales_grad_out_in_place": {"test_layernorm_backward": [
        "changed grad_out"]},
})
