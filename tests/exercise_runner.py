"""Run many answer variants of one exercise through its test cells, fast, in one IPython shell.

Grading a notebook through ``grade`` starts a sandboxed kernel and an nbgrader course for it: about
1.5 s of CPU. The two-sided corpus of each chapter (tests/wrong_answers/) has dozens of variants, so
tests/test_exercises.py grades only a few notebooks end to end and runs the whole corpus here
instead: the source notebook top to bottom in an IPython shell, with the variant's answer cells in
place of the solution's. That is what ``nbgrader autograde`` runs too (the solution notebook's test
cells, hidden tests included), with the same rule: a test cell passes when it raises nothing (output
on stderr, such as a warning, does not fail it).

Most variants differ from the solution in one answer, so they share the cells before it: those run
once, and where the variants start to differ, each group that runs the same code goes on in a forked
copy of the process (``os.fork``). So every variant sees exactly the state a run of its own notebook
from the top would leave, and nothing a variant does (patching a module, say) reaches another.

Each test cell's outcome is ``None`` when it passed, else its error as ``"Type: message"``, so that
tests can check what the feedback says. The ungraded payoff cells at the end of an exercise (locked
cells whose grade_id starts with ``payoff``: a figure) run for the solution only.

Usage (what ``run_variants`` does): ``python exercise_runner.py SOURCE.ipynb VARIANTS.json`` with
VARIANTS.json = {variant: {grade_id: source}}; prints {variant: {test grade_id: outcome}} as JSON.
"""

import contextlib
import functools
import gc
import importlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

RUNNER = Path(__file__).resolve()


def run_variants(source, variants, timeout=600):
    """{variant: {test grade_id: None or "Type: message"}} for each {variant: {grade_id: answer}}."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(variants, f)
    env = {**os.environ, "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    # A session of its own, so that a timeout ends the forked copies too, not only the first process.
    runner = subprocess.Popen([sys.executable, str(RUNNER), str(source), f.name], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=Path(source).parent, env=env,
                              start_new_session=True)
    try:
        stdout, stderr = runner.communicate(timeout=timeout)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(runner.pid, signal.SIGKILL)
        runner.wait()
        os.unlink(f.name)
    assert runner.returncode == 0, stderr[-3000:]
    return json.loads(stdout.splitlines()[-1])


def scores(outcomes, tasks):
    """{task: points} from {task: None (passed) or its error} and {task: max points}."""
    return {task: points if outcomes[task] is None else 0.0 for task, points in tasks.items()}


def _main(source, variants_file):
    import nbformat
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    cells = [cell for cell in nbformat.read(source, as_version=4).cells if cell.cell_type == "code"]
    with open(variants_file, encoding="utf-8") as f:
        variants = json.load(f)
    plans = {name: _plan(cells, name, answers) for name, answers in variants.items()}
    tests = [meta["grade_id"] if meta.get("grade") and not meta.get("solution") else None
             for meta in (cell.metadata.get("nbgrader", {}) for cell in cells)]
    config = Config()
    config.HistoryManager.enabled = False          # no history database: no variant reads In
    config.InteractiveShell.xmode = "Minimal"      # an error's last line: no highlighted traceback (0.1 s each)
    shell = InteractiveShell.instance(config=config, cache_size=0)   # no output cache (Out, _): none reads it
    real_stdout, sys.stdout = sys.stdout, open(os.devnull, "w")      # the cells' prints
    try:
        # The cells every variant runs alike (the imports, say) run here, once. Then the first
        # variant (the solution) goes on alone, in a copy; what it imported on its way (scikit-learn,
        # when a test loads a data set) is then imported here, once, instead of in every copy again.
        first, *others = plans
        shared = next((i for i in range(len(tests)) if len({plan[i] for plan in plans.values()}) > 1), len(tests))
        outcomes = {}
        for i in range(shared):
            outcomes = _run_cell(shell, plans[first][i], tests[i], outcomes)
        results, modules = _forked(functools.partial(_run_listing_modules, shell, plans, tests, shared, first,
                                                     outcomes))
        for module in modules:
            if module not in sys.modules:
                with contextlib.suppress(Exception):    # only a warm-up: what fails is left to the cells
                    importlib.import_module(module)
        if others:
            results.update(_run(shell, plans, tests, shared, others, outcomes))
    finally:
        sys.stdout.close()
        sys.stdout = real_stdout
    print(json.dumps({name: results[name] for name in variants}))


def _plan(cells, name, answers):
    """The code one variant runs, cell by cell: its answer in each answer cell, None for a cell it
    skips (the payoff cells, except for the solution)."""
    plan = []
    for cell in cells:
        meta = cell.metadata.get("nbgrader", {})
        if str(meta.get("grade_id", "")).startswith("payoff") and name != "solution":
            plan.append(None)
        else:
            plan.append(answers.get(meta.get("grade_id"), cell.source) if meta.get("solution") else cell.source)
    return plan


def _run(shell, plans, tests, start, names, outcomes):
    """Run the cells from ``start`` on for the variants ``names``, which ran the same code up to
    there (with ``outcomes`` so far); return {variant: {test grade_id: outcome}}. At the first
    cell where they differ, each group that agrees continues in a forked copy of this process."""
    for i in range(start, len(tests)):
        groups = {}
        for name in names:
            groups.setdefault(plans[name][i], []).append(name)
        if len(groups) > 1:
            *others, last = groups.values()
            results = {}
            for group in others:
                results.update(_forked(functools.partial(_run, shell, plans, tests, i, group, outcomes)))
            return {**results, **_run(shell, plans, tests, i, last, outcomes)}
        outcomes = _run_cell(shell, plans[names[0]][i], tests[i], outcomes)
    return dict.fromkeys(names, outcomes)


def _run_cell(shell, code, test, outcomes):
    """Run one cell's ``code`` (None: skip it); return ``outcomes`` with the cell's own if ``test``
    names it a test cell."""
    if code is None:
        return outcomes
    run = shell.run_cell(code, silent=True)
    if not test:
        return outcomes
    error = run.error_in_exec or run.error_before_exec
    return {**outcomes, test: None if run.success else f"{type(error).__name__}: {error}"}


def _run_listing_modules(shell, plans, tests, start, name, outcomes):
    """``name``'s outcomes, as _run gives them, and every module imported by then."""
    return _run(shell, plans, tests, start, [name], outcomes), sorted(sys.modules)


def _forked(work):
    """``work()``'s result (JSON data), computed in a forked copy of this process, which then ends:
    nothing it runs changes this process."""
    sys.stderr.flush()
    gc.freeze()            # the collector leaves the objects so far alone: the copy shares their memory
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:                                   # the copy
        os.close(read)
        try:
            with os.fdopen(write, "w", encoding="utf-8") as out:
                json.dump(work(), out)
        except BaseException:
            traceback.print_exc()
            sys.stderr.flush()
            os._exit(1)
        sys.stderr.flush()
        os._exit(0)
    os.close(write)
    with os.fdopen(read, encoding="utf-8") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status or not data:
        raise RuntimeError(f"a forked run of the variants ended with status {status}")
    return json.loads(data)


if __name__ == "__main__":
    _main(*sys.argv[1:])
