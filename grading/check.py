"""``check``: a student runs their own notebook and sees, task by task, which visible tests pass.

The notebook is run top to bottom in a fresh kernel (the file itself is not changed). Only the
visible tests are in the student's notebook; the hidden ones run when the instructor grades,
so passing here is necessary but not sufficient.

Where bubblewrap works (see grading.sandbox) the kernel runs in the same sandbox as for grading,
so a notebook behaves here as it will when graded; elsewhere it runs as an ordinary kernel.
"""

import json
import os
import subprocess
import tempfile
import textwrap
from pathlib import Path

import nbformat

from grading import sandbox
from grading.feedback import describe_failure, is_test_cell
from grading.outputs import TidyOutputs


def run_notebook(path, timeout=60):
    """Execute a copy of the notebook at ``path``; return the executed notebook."""
    from nbclient import NotebookClient
    from traitlets.config import Config

    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="nnfs-check-") as work:
        config, kernel = Config(), "python3"
        if sandbox.unavailable_reason() is None:
            kernel = "nnfs-sandbox"
            spec = Path(work) / "kernels" / kernel
            spec.mkdir(parents=True)
            (spec / "kernel.json").write_text(json.dumps(sandbox.kernel_spec(sandbox.Limits())), encoding="utf-8")
            (Path(work) / "ipc").mkdir()
            config.KernelManager.transport, config.KernelManager.ip = "ipc", str(Path(work) / "ipc" / "k")
            os.environ["JUPYTER_PATH"] = os.pathsep.join([work, os.environ.get("JUPYTER_PATH", "")]).rstrip(os.pathsep)
        client = NotebookClient(nb, timeout=timeout, allow_errors=True, kernel_name=kernel, config=config,
                                shutdown_kernel="immediate",
                                resources={"metadata": {"path": str(Path(path).resolve().parent)}})
        client.execute(stderr=subprocess.DEVNULL)   # the kernel's own log lines, not cell output
    TidyOutputs().preprocess(nb, {})                 # the pass/fail rule of grading.execute
    return nb


def results(nb):
    """[(grade_id, points earned, points possible, failure message or None)] for each test cell."""
    rows = []
    for cell in nb.cells:
        if is_test_cell(cell):
            points = float(cell.metadata.nbgrader.points)
            failure = describe_failure(cell)
            rows.append((cell.metadata.nbgrader.grade_id, 0.0 if failure else points, points, failure))
    return rows


def format_table(rows):
    """The per-task table printed by ``python -m grading check``."""
    width = max([len("visible tests")] + [len(gid) for gid, *_ in rows])
    lines = [f"{'task':<{width}}  {'points':>9}  result", "-" * (width + 26)]
    for gid, earned, possible, failure in rows:
        lines.append(f"{gid:<{width}}  {earned:>4g} / {possible:<2g}  {'passed' if failure is None else 'FAILED'}")
        if failure:
            message = "not started yet" if "NotImplementedError" in failure else failure
            lines += textwrap.wrap(message, 88, initial_indent=" " * 4, subsequent_indent=" " * 4)
    earned, possible = sum(r[1] for r in rows), sum(r[2] for r in rows)
    lines += ["-" * (width + 26), f"{'visible tests':<{width}}  {earned:>4g} / {possible:<2g}",
              "", "Hidden tests (edge cases) run when your notebook is graded: passing the visible",
              "tests is necessary, not sufficient."]
    return "\n".join(lines)


def check(path, timeout=60):
    """Run the notebook and return (table text, all visible tests passed?)."""
    rows = results(run_notebook(path, timeout))
    if not rows:
        raise ValueError(f"{path} has no graded test cells: is it an exercise notebook from exercises/?")
    return format_table(rows), all(r[3] is None for r in rows)
