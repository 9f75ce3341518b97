"""``nnfs-check``: check an exercise notebook of *Neural Networks from Scratch*, task by task.

    nnfs-check exercises/01-neurons/neurons.ipynb        (or: python -m nnfs_check ...)

A copy of the notebook runs top to bottom in a fresh kernel, in the notebook's own folder; the
file itself is never changed. Each graded test cell (nbgrader metadata: ``grade_id``, ``points``)
is one task, reported as

- ``not started``: the task's code still says ``raise NotImplementedError()`` and its test fails;
- ``passed``: the test cell ran without an error (warnings printed on stderr do not count);
- ``FAILED``: the test cell raised an error; its message (written to teach) is shown.

The exit code is 0 only when every task passed (1 otherwise, 2 when the file is not an exercise
notebook). The student's notebook holds only the visible tests; the hidden ones (edge cases) run
when the instructor grades, so passing here is necessary, not sufficient.

This module needs only nbformat, nbclient and ipykernel (no nbgrader), so it ships in the student
kit. The course's own ``python -m grading check`` can use the same rule through :func:`check`.
"""

import argparse
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat

__all__ = ["Task", "run_notebook", "tasks", "check", "format_table", "main"]

NOT_STARTED = "raise NotImplementedError()"
HIDDEN_START = "### BEGIN HIDDEN TESTS"
CELL_LINE = re.compile(r"Cell In\[\d+\], line (\d+)")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
HIDDEN_FAILURE = ("a hidden test (an edge case: another shape, a single example as well as a batch, "
                  "an extreme value) failed")


class Task:
    """One graded test cell after the run: ``grade_id``, ``points``, ``status`` (``"passed"``,
    ``"not started"`` or ``"FAILED"``) and ``message`` (why it did not pass, or ``None``)."""

    def __init__(self, grade_id, points, status, message=None):
        self.grade_id, self.points, self.status, self.message = grade_id, points, status, message

    @property
    def passed(self):
        return self.status == "passed"

    def __repr__(self):
        return f"Task({self.grade_id!r}, {self.points:g}, {self.status!r})"


def _nbgrader(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def is_test_cell(cell):
    """A graded test cell: a code cell with points and no solution (nbgrader's "autograder tests")."""
    meta = _nbgrader(cell)
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def is_solution_cell(cell):
    return cell.cell_type == "code" and bool(_nbgrader(cell).get("solution"))


def run_notebook(path, timeout=60, kernel_name="python3", config=None):
    """Execute a copy of the notebook at ``path`` (in its folder) and return the executed copy.

    Every cell runs even after an error, each with ``timeout`` seconds, so that every task is
    reported; the file on disk is not touched. ``config``: traitlets settings for nbclient and
    its kernel manager (the course's ``grading check`` passes its sandbox's here).
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    finished = set()
    client = NotebookClient(nb, timeout=timeout, allow_errors=True, kernel_name=kernel_name,
                            shutdown_kernel="immediate", **({"config": config} if config else {}),
                            resources={"metadata": {"path": str(path.resolve().parent)}},
                            on_cell_executed=lambda cell_index, **_: finished.add(cell_index))
    try:
        client.execute(stderr=subprocess.DEVNULL)   # the kernel's own log lines, not cell output
    except (CellTimeoutError, DeadKernelError) as error:
        # The run stopped in the first code cell that did not finish: record why there, and
        # mark every later code cell as not run (no outputs would look like a pass).
        kind = "CellTimeoutError" if isinstance(error, CellTimeoutError) else "DeadKernelError"
        unfinished = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and i not in finished]
        for n, i in enumerate(unfinished):
            nb.cells[i].outputs = [nbformat.v4.new_output(
                "error", ename=kind if n == 0 else "NotRun", evalue=f"{timeout:g} s" if n == 0 else kind,
                traceback=[])]
    return nb


def _error(cell):
    return next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)


def _message(cell, error):
    """What the student is told about a failed test cell (never the source of a hidden test)."""
    if error.ename == "CellTimeoutError":
        return (f"the cell ran out of time ({error.evalue} allowed): look for an endless loop or very "
                "slow code; later cells did not run")
    if error.ename == "DeadKernelError":
        return "Python crashed while running this cell (out of memory?); later cells did not run"
    if error.ename == "NotRun":
        why = "ran out of time" if error.evalue == "CellTimeoutError" else "crashed Python"
        return f"this test did not run: an earlier cell {why}"
    lines = cell.source.splitlines()
    hidden_from = next((i + 1 for i, line in enumerate(lines) if line.strip() == HIDDEN_START), None)
    if hidden_from is not None:
        where = CELL_LINE.findall(ANSI.sub("", "\n".join(error.get("traceback", []))))
        if not where or int(where[0]) > hidden_from:   # the first frame is the test cell's own line
            return HIDDEN_FAILURE
    return f"{error.ename}: {ANSI.sub('', error.evalue)}".strip()


def tasks(nb):
    """The executed notebook's graded test cells as :class:`Task` objects, in order.

    A test cell passes when it ran without an error. The solution cells between the previous
    test cell and this one are the task's own code: when one of them still holds
    ``raise NotImplementedError()`` and the test fails, the task is "not started"; when one of
    them raised an error, the message names that error rather than its consequence in the test.
    """
    found, own = [], []
    for cell in nb.cells:
        if is_solution_cell(cell):
            own.append(cell)
            continue
        if not is_test_cell(cell):
            continue
        meta = _nbgrader(cell)
        error = _error(cell)
        if error is None:
            task = Task(meta["grade_id"], float(meta.get("points", 0)), "passed")
        elif error.ename == "NotImplementedError" or any(NOT_STARTED in c.source for c in own):
            task = Task(meta["grade_id"], float(meta.get("points", 0)), "not started",
                        "not started yet: replace raise NotImplementedError() with your code")
        else:
            broken = next((c for c in own if _error(c) is not None and _error(c).ename != "NotRun"), None)
            message = _message(cell, error)
            if broken is not None:
                e = _error(broken)
                message = (f"your code in the cell above the test raised "
                           f"{e.ename}: {ANSI.sub('', e.evalue)}").strip()
            task = Task(meta["grade_id"], float(meta.get("points", 0)), "FAILED", message)
        found.append(task)
        own = []
    return found


def format_table(found):
    """The table printed by ``nnfs-check``: task, points earned / possible, result, message."""
    width = max([len("visible tests")] + [len(t.grade_id) for t in found])
    rule = "-" * (width + 30)
    lines = [f"{'task':<{width}}  {'points':>9}  result", rule]
    for t in found:
        earned = t.points if t.passed else 0
        lines.append(f"{t.grade_id:<{width}}  {earned:>4g} / {t.points:<2g}  {t.status}")
        if t.message and t.status != "not started":
            lines += textwrap.wrap(t.message, 88, initial_indent=" " * 4, subsequent_indent=" " * 4)
    earned = sum(t.points for t in found if t.passed)
    possible = sum(t.points for t in found)
    lines += [rule, f"{'visible tests':<{width}}  {earned:>4g} / {possible:<2g}"]
    todo = sum(t.status == "not started" for t in found)
    if todo:
        lines.append(f"{todo} task(s) not started: replace raise NotImplementedError() with your code.")
    lines += ["", "Hidden tests (edge cases) run when your notebook is graded: passing the visible",
              "tests is necessary, not sufficient."]
    return "\n".join(lines)


def check(path, timeout=60, **kernel):
    """Run the notebook at ``path``; return ``(tasks, table text, every task passed?)``.

    ``kernel``: ``kernel_name`` and ``config`` for :func:`run_notebook`. Raises ``ValueError``
    when the notebook has no graded test cells.
    """
    found = tasks(run_notebook(path, timeout, **kernel))
    if not found:
        raise ValueError(f"{path} has no graded test cells: is it an exercise notebook "
                         "(exercises/NN-topic/topic.ipynb)?")
    return found, format_table(found), all(t.passed for t in found)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="nnfs-check",
        description="Run a copy of an exercise notebook in a fresh kernel and report each task: "
                    "not started, passed or FAILED (with the test's message). Your file is not changed. "
                    "Exit code 0 when every task passed.")
    parser.add_argument("notebook", type=Path, help="the exercise notebook, e.g. exercises/01-neurons/neurons.ipynb")
    parser.add_argument("--timeout", type=float, default=60, help="seconds allowed for one cell (default 60)")
    args = parser.parse_args(argv)
    if not args.notebook.is_file():
        print(f"nnfs-check: no such file: {args.notebook}", file=sys.stderr)
        return 2
    try:
        _, table, ok = check(args.notebook, args.timeout)
    except (ValueError, nbformat.reader.NotJSONError) as error:
        print(f"nnfs-check: {error}", file=sys.stderr)
        return 2
    print(f"Checking {args.notebook} (a copy, in a fresh kernel) ...\n")
    print(table)
    return 0 if ok else 1
