"""Every graded exercise, graded end to end by ``grade`` on a sample of its corpus.

For each assignment in solutions/: ``grade`` (the sandbox, nbgrader, the tripwires) gives the
solution full marks and the blank release 0, flags no honest answer for review, and scores a
wrong and an unusual answer exactly as the corpus says (the points of the wrong answer's failing
tests lost, full marks for the unusual one). tests/test_exercises.py checks the whole corpus the
same way through tests/exercise_runner.py, so the two agree on what passes.
"""

import csv

import nbformat
import pytest

from grading.cells import tasks_of
from grading.cli import main
from grading.course import ROOT, find_assignments
from notebook_builders import solution_answers, submission, write
from wrong_answers import UNUSUAL_ANSWERS, WRONG_ANSWERS

ASSIGNMENTS = find_assignments()
NAMES = sorted(ASSIGNMENTS)


@pytest.fixture(scope="module", params=NAMES)
def graded(request, tmp_path_factory):
    """Grade the solution, the blank release, one wrong and one unusual answer end to end."""
    name = request.param
    assignment = ASSIGNMENTS[name]
    # The committed release, what students get (test_exercises.py checks that it is what
    # ``python -m grading release`` generates; generating it again here cost a second a chapter).
    release = nbformat.read(ROOT / "exercises" / name / assignment.notebook, as_version=4)
    solution = solution_answers(assignment)
    wrong, (wrong_answers, _) = next(iter(WRONG_ANSWERS[name].items()))
    picked = {"solution": {}, wrong: wrong_answers}
    picked.update(list(UNUSUAL_ANSWERS[name].items())[:1])
    subs = tmp_path_factory.mktemp(f"{name}-submissions")
    write(release, subs, "blank", assignment.notebook)
    for student, answers in picked.items():
        write(submission(release, {**solution, **answers}), subs, student, assignment.notebook)
    out = tmp_path_factory.mktemp(f"{name}-grades")
    code = main(["grade", str(subs), "--out", str(out), "--assignment", name, "--no-progress"])
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    tasks = dict(tasks_of(nbformat.read(assignment.source, as_version=4)))
    failing = {student: [] for student in picked}                  # the solution and the unusual answer
    failing[wrong] = WRONG_ANSWERS[name][wrong][1]
    expected = {student: {task: 0.0 if task in fails else points for task, points in tasks.items()}
                for student, fails in failing.items()}
    return name, code, rows, tasks, expected


def test_grade_gives_full_marks_to_the_solution_and_zero_to_the_blank(graded):
    name, code, rows, tasks, _ = graded
    assert code == 0, f"some {name} submissions could not be graded: {rows}"
    assert float(rows["solution"]["total"]) == sum(tasks.values()), rows["solution"]
    assert float(rows["blank"]["total"]) == 0, rows["blank"]


def test_honest_answers_are_not_flagged_for_review(graded):
    """Neither the scan nor the tripwires may flag the solution or a correct but unusual answer."""
    name, _, rows, _, results = graded
    honest = ["solution", *[s for s in results if s in UNUSUAL_ANSWERS[name]]]
    assert {s: rows[s]["needs_review"] for s in honest} == dict.fromkeys(honest, ""), name


def test_grade_scores_the_sample_as_the_corpus_says(graded):
    """``grade`` scores the wrong and the unusual answer as the corpus (and so the runner) does."""
    name, _, rows, tasks, expected = graded
    for student, points in expected.items():
        got = {task: float(rows[student][task]) for task in tasks}
        assert got == points, f"{name}, {student!r}: grade and the corpus disagree"
