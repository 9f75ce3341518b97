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

from nnfs_check.messages import NOT_STARTED, describe, describe_answer_error, error_of

__all__ = ["Task", "run_notebook", "tasks", "written", "check", "format_table", "main"]

WRITTEN_STUB = "YOUR ANSWER HERE"


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
    """An answer cell with code to write (nbgrader's "autograded answer")."""
    return cell.cell_type == "code" and bool(_nbgrader(cell).get("solution"))


def is_written_cell(cell):
    """A written answer graded by a person: a markdown cell with points (nbgrader's "manually graded
    answer"). Nothing scores it automatically."""
    meta = _nbgrader(cell)
    return cell.cell_type == "markdown" and bool(meta.get("solution")) and bool(meta.get("grade"))


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


def tasks(nb, sources=None):
    """The executed notebook's graded test cells as :class:`Task` objects, in order.

    A test cell passes when it ran without an error. The answer cells between the previous test
    cell and this one are the task's own code: when one of them still holds
    ``raise NotImplementedError()`` and the test fails, the task is "not started"; when one of
    them raised an error (a syntax error, say), the message names that error and its line rather
    than its consequence in the test. Otherwise the message comes from
    :func:`nnfs_check.messages.describe`, with the student's own failing line. ``sources``:
    {grade_id: the test cell's full source} when it differs from the executed cell's (grading
    runs the hidden tests); by default the cell's own source.
    """
    sources = sources or {}
    found, own, answers, broken_names = [], [], {}, set()
    for cell in nb.cells:
        if is_solution_cell(cell):
            own.append(cell)
            if isinstance(cell.get("execution_count"), int):
                answers[cell["execution_count"]] = (_nbgrader(cell).get("grade_id", "a task"), cell.source)
            if error_of(cell) is not None:
                broken_names.add(_nbgrader(cell).get("grade_id"))
            continue
        if not is_test_cell(cell):
            continue
        meta = _nbgrader(cell)
        gid, points, error = meta["grade_id"], float(meta.get("points", 0)), error_of(cell)
        source = sources.get(gid, cell.source)
        if error is None:
            task = Task(gid, points, "passed")
        elif error.get("ename") == "NotImplementedError" or any(NOT_STARTED in c.source for c in own):
            task = Task(gid, points, "not started",
                        "not started yet: replace raise NotImplementedError() with your code")
        else:
            broken = next((c for c in own if error_of(c) is not None and error_of(c).get("ename") != "NotRun"),
                          None)
            message = (describe(cell, source, answers) if broken is None else
                       describe_answer_error(broken, _nbgrader(broken).get("grade_id", "a task"), source))
            missing = re.fullmatch(r"name '(\w+)' is not defined", str(error.get("evalue", "")))
            if error.get("ename") == "NameError" and missing and missing.group(1) in broken_names:
                message += (f". {missing.group(1)} is not defined because the cell of your answer to it raised "
                            "an error: fix that one first")
            task = Task(gid, points, "FAILED", message)
        found.append(task)
        own = []
    return found


def written(nb):
    """The written answers of a notebook: [(grade_id, points, the answer's text, or "" if none)]."""
    return [(_nbgrader(c).get("grade_id"), float(_nbgrader(c).get("points", 0)),
             "" if c.source.strip() in ("", WRITTEN_STUB) else c.source.strip())
            for c in nb.cells if is_written_cell(c)]


def format_table(found, answers=()):
    """The table printed by ``nnfs-check``: task, points earned / possible, result, message; then
    the written ``answers`` (see :func:`written`), which a person grades."""
    width = max([len("visible tests")] + [len(t.grade_id) for t in found] + [len(a[0]) + 4 for a in answers])
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
    if answers:
        lines += ["", "Written answers (graded by your instructor, not by this check):"]
        for gid, points, text in answers:
            state = f"answered ({len(text.split())} words)" if text else "not answered yet"
            lines.append(f"    {gid:<{width - 4}}  {'–':>4} / {points:<2g}  {state}")
    return "\n".join(lines)


def check(path, timeout=60, **kernel):
    """Run the notebook at ``path``; return ``(tasks, table text, every task passed?)``.

    ``kernel``: ``kernel_name`` and ``config`` for :func:`run_notebook`. Raises ``ValueError``
    when the notebook has no graded test cells.
    """
    executed = run_notebook(path, timeout, **kernel)
    found = tasks(executed)
    if not found:
        raise ValueError(f"{path} has no graded test cells: is it an exercise notebook "
                         "(exercises/NN-topic/topic.ipynb)?")
    return found, format_table(found, written(executed)), all(t.passed for t in found)


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
