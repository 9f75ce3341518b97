"""How fast does nnlib train, compared with its peers measured in the same run?

Trains the classic MNIST-shaped model, 784-128-10 with ReLU, dropout 0.2, Adam and softmax
cross-entropy, for one epoch on 60,000 synthetic float32 samples, at batch sizes 32 and 128:

  (a) nnlib                     Sequential(Linear, ReLU, Dropout, Linear) + CrossEntropyLoss + Adam
  (b) fused NumPy               the same computation written by hand in a few NumPy lines
  (c) scikit-learn              MLPClassifier, one epoch (no dropout: scikit-learn has none)
  (d) PyTorch eager on the CPU  if torch is installed; skipped with a note otherwise

It prints each time and the ratios nnlib/(b), nnlib/(c), nnlib/(d) (below 1 means nnlib is
faster), plus the fraction of this machine's float32 matrix-multiply peak that nnlib reaches.
Run it from the repository root:  .venv/bin/python bench/train_speed.py  [--repeat 3]
On a machine busy with other jobs, wall-clock times swing by several times from run to run;
``OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/train_speed.py --repeat 3 --cpu-time`` is steadier.
"""

import argparse
import os
import time
import warnings

import numpy as np

from nnlib.activations import ReLU
from nnlib.core import Sequential
from nnlib.layers import Dropout, Linear
from nnlib.losses import CrossEntropyLoss
from nnlib.optim import Adam

N, D, H, C = 60_000, 784, 128, 10
LR = 1e-3
clock = time.perf_counter      # --cpu-time switches to time.process_time


def make_data(seed=0):
    """60,000 float32 samples labelled by a random linear teacher (learnable, like MNIST's shape)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, D), dtype=np.float32)
    y = (X @ rng.standard_normal((D, C), dtype=np.float32)).argmax(axis=1)
    return X, y


def batches(n, batch_size, seed):
    order = np.random.default_rng(seed).permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


class DataLinear(Linear):
    """nnlib's ``Linear`` as a network's first layer, whose input is data that nobody
    differentiates: backward adds dL/dW and dL/db as usual but skips dL/dx (returns None).

    PyTorch skips that product too, for inputs that do not require gradients, and so does the
    fused NumPy loop below; it is a third of the layer's backward work. The option lives here,
    in the benchmark, so that the ``Linear`` students read stays the plain formula.
    """

    def backward(self, grad_output):
        x = self._saved("_x")
        self.weight.grad += grad_output.T @ x
        self.bias.grad += grad_output.sum(axis=0)
        return None


def epoch_nnlib(X, y, batch_size, seed=1):
    model = Sequential(DataLinear(D, H, rng=seed, dtype="float32"), ReLU(), Dropout(0.2, rng=seed),
                       Linear(H, C, rng=seed + 1, dtype="float32"))
    loss_fn, opt = CrossEntropyLoss(), Adam(model.parameters(), lr=LR)
    start = clock()
    for idx in batches(len(X), batch_size, seed):
        opt.zero_grad()
        loss_fn(model(X[idx]), y[idx])
        model.backward(loss_fn.backward())
        opt.step()
    return clock() - start


def epoch_fused_numpy(X, y, batch_size, seed=1):
    """The same model, forward, backward and Adam, hand-fused with no abstraction at all.

    Written as one naturally writes it: each line makes new arrays. (The weights are stored
    (in, out) here, the layout this machine's BLAS likes best, while nnlib keeps PyTorch's
    (out, in).)
    """
    rng = np.random.default_rng(seed)
    k1, k2 = 1 / np.sqrt(D), 1 / np.sqrt(H)
    params = [rng.uniform(-k1, k1, (D, H)).astype(np.float32), np.zeros(H, np.float32),
              rng.uniform(-k2, k2, (H, C)).astype(np.float32), np.zeros(C, np.float32)]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    b1, b2, eps = 0.9, 0.999, 1e-8
    start = clock()
    for t, idx in enumerate(batches(len(X), batch_size, seed), start=1):
        W1, c1, W2, c2 = params
        xb, yb = X[idx], y[idx]
        h = xb @ W1 + c1
        mask = (rng.random(h.shape, dtype=np.float32) >= 0.2) * np.float32(1 / 0.8)
        a = np.maximum(h, 0) * mask
        z = a @ W2 + c2
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        p[np.arange(len(yb)), yb] -= 1
        dz = p / len(yb)
        da = (dz @ W2.T) * mask * (h > 0)
        grads = [xb.T @ da, da.sum(0), a.T @ dz, dz.sum(0)]
        for i, g in enumerate(grads):
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            params[i] -= LR * (m[i] / (1 - b1**t)) / (np.sqrt(v[i] / (1 - b2**t)) + eps)
    return clock() - start


def epoch_sklearn(X, y, batch_size, seed=1):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=(H,), solver="adam", batch_size=batch_size,
                        learning_rate_init=LR, max_iter=1, shuffle=True, random_state=seed)
    start = clock()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    return clock() - start


def epoch_torch(X, y, batch_size, seed=1):
    import torch

    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(D, H), torch.nn.ReLU(), torch.nn.Dropout(0.2),
                                torch.nn.Linear(H, C))
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    start = clock()
    for idx in batches(len(X), batch_size, seed):
        idx = torch.from_numpy(idx)
        opt.zero_grad()
        loss_fn(model(Xt[idx]), yt[idx]).backward()
        opt.step()
    return clock() - start


def matmul_peak_gflops(size=2048, repeat=5):
    """This machine's float32 matrix-multiply speed (GFLOP/s), the best of a few runs."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size), dtype=np.float32)
    b = rng.standard_normal((size, size), dtype=np.float32)
    a @ b
    best = min(_timed(lambda: a @ b) for _ in range(repeat))
    return 2 * size**3 / best / 1e9


def _timed(f):
    start = clock()
    f()
    return clock() - start


def epoch_gflop():
    """Useful floating-point work of one epoch: the matrix products of forward and backward.

    Each Linear layer costs 2·N·in·out FLOPs forward and twice that backward (input and weight
    gradients), except the first layer, whose input gradient nobody needs (``DataLinear``).
    """
    return 2 * N * (2 * D * H + 3 * H * C) / 1e9


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement; the best is kept")
    parser.add_argument("--cpu-time", action="store_true",
                        help="measure this process's CPU time instead of wall-clock time: steadier on a "
                             "machine shared with other jobs; use it with OPENBLAS_NUM_THREADS=1 (with "
                             "several BLAS threads, CPU time adds up the threads)")
    args = parser.parse_args()
    global clock
    if args.cpu_time:
        clock = time.process_time
        print("timing: CPU time of this process (time.process_time)")
    X, y = make_data()
    try:
        import torch

        torch.set_num_threads(os.cpu_count() or 1)
        peers = {"fused NumPy": epoch_fused_numpy, "scikit-learn": epoch_sklearn, "PyTorch eager": epoch_torch}
    except ImportError:
        print("note: PyTorch is not installed, so (d) is skipped (pip install torch to include it)")
        peers = {"fused NumPy": epoch_fused_numpy, "scikit-learn": epoch_sklearn}
    peak = matmul_peak_gflops()
    print(f"machine: {os.cpu_count()} cores, float32 matmul peak {peak:.1f} GFLOP/s (2048x2048, best of 5)")
    for batch_size in (32, 128):
        runs = {"nnlib": epoch_nnlib, **peers}
        times = {name: float("inf") for name in runs}
        for _ in range(args.repeat):          # interleaved, so that a slow spell hits every contender
            for name, run in runs.items():
                times[name] = min(times[name], run(X, y, batch_size))
        print(f"\nbatch {batch_size}: one epoch of 60,000 samples, 784-128-10, ReLU, dropout 0.2, Adam")
        for name, seconds in times.items():
            print(f"  {name:<14} {seconds:6.2f} s")
        for name in peers:
            print(f"  nnlib / {name:<14} {times['nnlib'] / times[name]:5.2f}x")
        print(f"  nnlib reaches {epoch_gflop() / times['nnlib'] / peak:.0%} of the matmul peak")


if __name__ == "__main__":
    main()
