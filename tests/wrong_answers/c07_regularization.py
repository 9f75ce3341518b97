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
    # ---- Task 5: early stopping
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
    # ---- Task 6: ridge
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
