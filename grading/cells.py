"""nbgrader's cell metadata, read in one place.

A graded test cell has ``grade`` and no ``solution``; an answer cell has ``solution``; a written
answer (graded by a person in formgrader) is a markdown cell with both. The student
kit's checker (nnfs_check, which has no nbgrader) defines those two tests and is reused here, so
that ``check`` and ``grade`` can never disagree on which cell is which.
"""

from nnfs_check import is_solution_cell, is_test_cell, is_written_cell

__all__ = ["nbgrader", "grade_id", "is_solution_cell", "is_test_cell", "is_written_cell", "is_payoff_cell",
           "tasks_of", "written_of", "locked_ids"]


def nbgrader(cell):
    """The cell's nbgrader metadata (an empty dict when it has none)."""
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_id(cell):
    return nbgrader(cell).get("grade_id")


def is_payoff_cell(cell):
    """A locked, ungraded cell whose grade_id starts with ``payoff``: the figure at the end of an
    exercise, drawn from the student's own functions. It is for the student; grading leaves it out
    (nothing is scored there, no output is shown, and drawing costs time)."""
    meta = nbgrader(cell)
    return (cell.get("cell_type") == "code" and bool(meta.get("locked")) and not meta.get("grade")
            and str(meta.get("grade_id", "")).startswith("payoff"))


def tasks_of(notebook):
    """The tasks of an exercise: [(grade_id, points)] of its autograded test cells, in order."""
    return [(grade_id(c), float(nbgrader(c)["points"])) for c in notebook.cells if is_test_cell(c)]


def written_of(notebook):
    """The written answers of an exercise: [(grade_id, points)], in order. A person grades them."""
    return [(grade_id(c), float(nbgrader(c)["points"])) for c in notebook.cells if is_written_cell(c)]


def locked_ids(notebook):
    """The grade_ids of the notebook's locked cells (nbgrader restores these before it runs them)."""
    return {grade_id(c) for c in notebook.cells if nbgrader(c).get("locked")}
