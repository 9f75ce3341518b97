"""Build submissions for the grading tests from an assignment's released notebook."""

import copy

import nbformat

from grading.cells import grade_id, is_solution_cell, is_written_cell
from grading.release import generate


def released(assignment):
    """The student notebook nbgrader generates for ``assignment``."""
    return nbformat.reads(generate(assignment), as_version=4)


def solution_answers(assignment):
    """{grade_id: source} of every answer cell (code and written) in the instructor's solution notebook."""
    source = nbformat.read(assignment.source, as_version=4)
    return {grade_id(c): c.source for c in source.cells if is_solution_cell(c) or is_written_cell(c)}


def submission(release, answers):
    """A copy of the released notebook with the answer cells in ``answers`` filled in."""
    nb = copy.deepcopy(release)
    for cell in nb.cells:
        if grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    return nb


def write(nb, folder, student, name):
    """Save ``nb`` as ``folder/student/name`` and return the path."""
    path = folder / student / name
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path
