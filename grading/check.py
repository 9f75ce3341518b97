"""``check``: a student runs their own notebook and sees, task by task, which visible tests pass.

The notebook is run top to bottom in a fresh kernel (the file itself is not changed). Only the
visible tests are in the student's notebook; the hidden ones run when the instructor grades,
so passing here is necessary but not sufficient.
"""

import subprocess
import textwrap
from pathlib import Path

import nbformat

from grading.feedback import describe_failure, is_test_cell


def run_notebook(path, timeout=60):
    """Execute a copy of the notebook at ``path`` in its own folder; return the executed notebook."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, allow_errors=True, kernel_name="python3",
                            shutdown_kernel="immediate",
                            resources={"metadata": {"path": str(Path(path).resolve().parent)}})
    client.execute(stderr=subprocess.DEVNULL)   # the kernel's own log lines, not cell output
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
