"""``check``: a student runs their own notebook and sees, task by task, which visible tests pass.

The student kit's checker, :mod:`nnfs_check`, does the work (one rule for passing, the same in the
kit and here: a test cell passes when it runs without an error). What this adds, in a course
folder: where bubblewrap works (see grading.sandbox) the kernel runs in the sandbox used for
grading, so a notebook behaves here as it will when graded; elsewhere it runs as an ordinary kernel.
"""

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import nnfs_check
from grading import sandbox


@contextmanager
def kernel_options():
    """``kernel_name`` and ``config`` for nnfs_check: the grading sandbox when it can be made here."""
    if sandbox.unavailable_reason() is not None:
        yield {}
        return
    from traitlets.config import Config

    with tempfile.TemporaryDirectory(prefix="nnfs-check-") as work:
        sandbox.install_kernel_spec(work, "nnfs-sandbox", sandbox.kernel_spec(sandbox.Limits()))
        (Path(work) / "ipc").mkdir()
        config = Config()
        config.KernelManager.transport, config.KernelManager.ip = "ipc", str(Path(work) / "ipc" / "k")
        before = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (work, before) if p)
        try:
            yield {"kernel_name": "nnfs-sandbox", "config": config}
        finally:
            if before is None:
                os.environ.pop("JUPYTER_PATH", None)
            else:
                os.environ["JUPYTER_PATH"] = before


def check(path, timeout=60):
    """Run the notebook and return (table text, all visible tests passed?)."""
    with kernel_options() as kernel:
        _, table, passed = nnfs_check.check(path, timeout, **kernel)
    return table, passed
