"""Tripwires: cells the grader adds to each submission so that disabled or bent tests show up.

Tests run in the student's kernel, after the student's code, so a submission can try to make them
pass without a right answer: a patched ``np.allclose``, an IPython input transformer that empties
every test cell, an exception hook that swallows failures, a trace function. Rather than guess
every syntax for these (a deny-list), the grader adds cells of its own and reads what they printed
from the executed notebook, which comes back over the kernel protocol:

- a **guard** cell, first of all, before any student code: it records the originals of what the
  tests rely on (grading/guard.py);
- a **check** cell after every test cell and one at the end: each prints ``nnfs guard <nonce> ok``
  only if everything is still the original;
- a **canary**: a copy of a real test cell, hidden tests included, with one more assertion that
  must fail. If it passes, the tests were disabled, whatever did it.

The nonce is new for every student. A tripped submission keeps its scores and is flagged
``needs_review`` with the tasks not to trust. The added cells are marked in their metadata (which
the kernel never sees) and removed before the notebook is kept or shown; a submission that brings
cells with that mark of its own has them removed and is flagged.
"""

import ast
import random
import secrets
from pathlib import Path

import nbformat

from grading.cells import grade_id, is_payoff_cell, is_solution_cell, is_test_cell

MARK = "nnfs_tripwire"
GUARD_SOURCE = (Path(__file__).with_name("guard.py")).read_text(encoding="utf-8")


def _imported_names(source_nb):
    """(name, module, attribute or None) for every import in the locked cells of the source notebook."""
    names = []
    for cell in source_nb.cells:
        if cell.cell_type != "code" or is_solution_cell(cell) or is_payoff_cell(cell):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names += [(a.asname or a.name.split(".")[0], a.name if a.asname else a.name.split(".")[0], None)
                          for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names += [(a.asname or a.name, node.module, a.name) for a in node.names if a.name != "*"]
    return sorted(set(names))


def _cell(kind, source, **extra):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata[MARK] = {"kind": kind, **extra}
    return cell


def arm(nb, source_nb, seed=None):
    """Return (armed notebook, nonce, reasons): ``nb`` with the grader's cells added.

    ``source_nb``: the assignment's source notebook (the full test cells come from it).
    ``reasons``: review reasons found while arming (cells that already carried the mark).
    """
    rng = random.Random(seed)
    nonce = secrets.token_hex(8) if seed is None else f"{rng.getrandbits(64):016x}"
    name = f"_nnfs_check_{nonce}"
    reasons = []
    cells = []
    for cell in nb.cells:
        if MARK in cell.get("metadata", {}):
            reasons.append("the submission carried cells marked as the grader's own; they were removed")
        else:
            cells.append(cell)
    guard = (f"{GUARD_SOURCE}\n\n{name} = arm({nonce!r}, {_imported_names(source_nb)!r})\n"
             "del arm\n")
    armed = [_cell("guard", guard)]
    tests = [c for c in source_nb.cells if is_test_cell(c)]
    after = rng.randrange(len(tests)) if tests else None
    for cell in cells:
        armed.append(cell)
        if is_test_cell(cell):
            gid = grade_id(cell)
            armed.append(_cell("check", f"{name}({gid!r})", task=gid))
            if after is not None and gid == grade_id(tests[after]):
                armed.append(_canary(rng.choice(tests), rng))
    armed.append(_cell("check", f"{name}('at the end')", task=None))
    out = nbformat.from_dict(nb)
    out.cells = armed
    return out, nonce, reasons


def _canary(test, rng):
    """A copy of the test cell ``test`` with one more assertion, which fails, in the tests' style."""
    a = round(rng.uniform(-3, 3), 4)
    b = round(a + rng.choice([-1, 1]) * rng.uniform(0.1, 2), 4)
    tail = rng.choice([
        f"assert np.isclose({a}, {b}), f\"expected {b}, got {{{a}}}\"",
        f"assert np.allclose(np.array([{a}]), [{b}]), \"the value should be {b}\"",
        f"assert abs({a} - ({b})) < 1e-9, \"expected {b}\"",
    ])
    return _cell("canary", f"{test.source.rstrip()}\n{tail}\n",
                 task=grade_id(test))


def _printed(cell, line):
    """Whether the cell printed ``line`` on a line of its own (other lines, e.g. a library's notice, may come too)."""
    text = "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")
    return line in text.splitlines() and not _errored(cell)


def _errored(cell):
    return any(o.get("output_type") == "error" for o in cell.get("outputs", []))


def tripped(executed, nonce, tasks):
    """Review reasons from the grader's cells in the executed notebook (empty when all held).

    ``tasks``: the grade_ids of the test cells, in order, to name the ones not to trust.
    """
    order = list(tasks)
    cells = [c for c in executed.cells if MARK in c.get("metadata", {})]
    kinds = [c.metadata[MARK]["kind"] for c in cells]
    if kinds.count("guard") != 1 or "canary" not in kinds:
        return [f"the grader's checks are missing from the graded notebook: do not trust {', '.join(order)}"]
    reasons = []
    for cell in cells:
        kind, task = cell.metadata[MARK]["kind"], cell.metadata[MARK].get("task")
        if kind == "guard" and not _printed(cell, f"nnfs guard {nonce} armed"):
            error = next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), {})
            reasons.append("the grader's guard cell did not run as written"
                           + (f" ({error.get('ename')}: {str(error.get('evalue'))[:200]})" if error else ""))
        elif kind == "check" and not _printed(cell, f"nnfs guard {nonce} ok {task or 'at the end'}"):
            from_task = order[order.index(task):] if task in order else order
            detail = next((o.get("evalue", "") for o in cell.get("outputs", []) if o.get("output_type") == "error"),
                          "its check printed nothing")
            reasons.append(f"what the tests rely on was changed ({detail[:300]}): do not trust "
                           f"{', '.join(from_task) or 'the last tasks'}")
            break
        elif kind == "canary" and not _errored(cell):
            reasons.append(f"a copy of test {task} with an assertion that must fail passed, so tests were "
                           f"disabled or bent: do not trust {', '.join(order)}")
    return reasons


def disarm(nb):
    """A copy of ``nb`` without the grader's cells."""
    out = nbformat.from_dict(nb)
    out.cells = [c for c in out.cells if MARK not in c.get("metadata", {})]
    return out
