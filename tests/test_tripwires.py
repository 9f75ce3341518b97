"""grading.tripwires: the cells the grader adds, and how their outputs are read (no kernel here;
tests/test_hostile.py runs real attacks against them)."""

import nbformat
import pytest

from grading import tripwires
from notebook_builders import grade_id, released, solution_answers, submission

from toy import TOY

TASKS = ["test_add", "test_mean"]


@pytest.fixture
def armed():
    source = nbformat.read(TOY.source, as_version=4)
    nb = submission(released(TOY), solution_answers(TOY))
    return tripwires.arm(nb, source), source


def kinds(nb):
    return [c.metadata.get(tripwires.MARK, {}).get("kind") or grade_id(c) for c in nb.cells]


def test_guard_first_a_check_after_every_test_one_canary_and_a_last_check(armed):
    (nb, nonce, reasons), source = armed
    order = kinds(nb)
    assert order[0] == "guard" and order[-1] == "check" and not reasons
    for task in TASKS:
        assert order[order.index(task) + 1] == "check"
    assert order.count("canary") == 1 and order.count("check") == len(TASKS) + 1
    canary = next(c for c in nb.cells if c.metadata.get(tripwires.MARK, {}).get("kind") == "canary")
    test = next(c for c in source.cells if grade_id(c) == canary.metadata[tripwires.MARK]["task"])
    assert canary.source.startswith(test.source.rstrip()) and "### BEGIN HIDDEN TESTS" in canary.source
    assert nonce in nb.cells[0].source and tripwires.disarm(nb).cells == submission(
        released(TOY), solution_answers(TOY)).cells


def test_every_student_gets_a_new_nonce(armed):
    (_, nonce, _), source = armed
    again = tripwires.arm(submission(released(TOY), {}), source)[1]
    assert again != nonce and len(nonce) == 16


def test_cells_carrying_the_mark_are_removed_and_flagged(armed):
    (nb, _, _), source = armed
    again, _, reasons = tripwires.arm(nb, source)
    assert kinds(again).count("guard") == 1 and reasons


def run(nb, nonce, outputs):
    """Give each grader cell the output a kernel would: ``outputs`` maps a kind to (stdout text, error)."""
    for cell in nb.cells:
        mark = cell.metadata.get(tripwires.MARK)
        if mark:
            text, error = outputs[mark["kind"]]
            text = text.format(nonce=nonce, where=mark.get("task") or "at the end")
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)] if text else []
            if error:
                cell.outputs.append(nbformat.v4.new_output("error", ename="AssertionError", evalue=error, traceback=[]))
    return tripwires.tripped(nb, nonce, TASKS)


HONEST = {"guard": ("nnfs guard {nonce} armed\n", None), "check": ("nnfs guard {nonce} ok {where}\n", None),
          "canary": ("", "expected 1.0")}


def test_an_honest_run_trips_nothing(armed):
    (nb, nonce, _), _ = armed
    assert run(nb, nonce, HONEST) == []


@pytest.mark.parametrize("kind, output, reason", [
    ("check", ("", "nnfs guard x changed: numpy.allclose"), "do not trust test_add, test_mean"),
    ("check", ("", None), "its check printed nothing"),
    ("canary", ("", None), "must fail passed"),
    ("guard", ("Fake\n", None), "guard cell did not run"),
    ("check", ("nnfs guard 0000000000000000 ok {where}\n", None), "do not trust"),
])
def test_a_tripped_wire_names_the_tasks_not_to_trust(armed, kind, output, reason):
    (nb, nonce, _), _ = armed
    reasons = run(nb, nonce, {**HONEST, kind: output})
    assert reasons and reason in " ".join(reasons)


def test_missing_grader_cells_trip(armed):
    (nb, nonce, _), _ = armed
    nb.cells = [c for c in nb.cells if c.metadata.get(tripwires.MARK, {}).get("kind") != "canary"]
    assert "missing" in run(nb, nonce, HONEST)[0]
