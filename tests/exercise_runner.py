"""Run many answer variants of one exercise through its test cells, fast, in one IPython process.

Grading a notebook through ``grade`` starts a sandboxed kernel and an nbgrader course for it: about
1.5 s of CPU. The two-sided corpus of each chapter (tests/wrong_answers/) has dozens of variants, so
tests/test_exercises.py grades only a few notebooks end to end and runs the whole corpus here
instead: the source notebook top to bottom in one IPython shell, with the variant's answer cells in
place of the solution's, once per variant. That is what ``nbgrader autograde`` runs too (the
solution notebook's test cells, hidden tests included), with the same rule: a test cell passes when
it raises nothing (output on stderr, such as a warning, does not fail it).

The variants are our own code, so they share one process: a variant must not patch modules.

Each test cell's outcome is ``None`` when it passed, else its error as ``"Type: message"``, so that
tests can check what the feedback says. The ungraded payoff cells at the end of an exercise (locked
cells whose grade_id starts with ``payoff``: a figure) run for the solution only.

Usage (what ``run_variants`` does): ``python exercise_runner.py SOURCE.ipynb VARIANTS.json`` with
VARIANTS.json = {variant: {grade_id: source}}; prints {variant: {test grade_id: outcome}} as JSON.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

RUNNER = Path(__file__).resolve()


def run_variants(source, variants, timeout=600):
    """{variant: {test grade_id: None or "Type: message"}} for each {variant: {grade_id: answer}}."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(variants, f)
    env = {**os.environ, "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    try:
        done = subprocess.run([sys.executable, str(RUNNER), str(source), f.name], capture_output=True,
                              text=True, timeout=timeout, cwd=Path(source).parent, env=env)
    finally:
        os.unlink(f.name)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def scores(outcomes, tasks):
    """{task: points} from {task: None (passed) or its error} and {task: max points}."""
    return {task: points if outcomes[task] is None else 0.0 for task, points in tasks.items()}


def _main(source, variants_file):
    import matplotlib.pyplot as plt
    import nbformat
    from IPython.core.interactiveshell import InteractiveShell

    cells = nbformat.read(source, as_version=4).cells
    with open(variants_file, encoding="utf-8") as f:
        variants = json.load(f)
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False          # no history database: no variant reads In
    # no output cache (Out, _): no variant reads it, and without it reset() skips a full gc.collect(),
    # a third of the corpus's time
    shell = InteractiveShell.instance(config=config, cache_size=0)
    results = {}
    real_stdout = sys.stdout
    for name, answers in variants.items():
        shell.reset(new_session=False)
        outcomes = {}
        sys.stdout = open(os.devnull, "w")                 # the cells' prints
        try:
            for cell in cells:
                if cell.cell_type != "code":
                    continue
                meta = cell.metadata.get("nbgrader", {})
                if str(meta.get("grade_id", "")).startswith("payoff") and name != "solution":
                    continue
                code = answers.get(meta.get("grade_id"), cell.source) if meta.get("solution") else cell.source
                run = shell.run_cell(code, silent=True)
                if meta.get("grade") and not meta.get("solution"):
                    error = run.error_in_exec or run.error_before_exec
                    outcomes[meta["grade_id"]] = None if run.success else f"{type(error).__name__}: {error}"
        finally:
            sys.stdout.close()
            sys.stdout = real_stdout
        results[name] = outcomes
        plt.close("all")
    print(json.dumps(results))


if __name__ == "__main__":
    _main(*sys.argv[1:])
