"""Every graded exercise, tested both ways by grading real submissions.

For each assignment in solutions/: the committed student version in exercises/ is exactly what
``python -m grading release`` generates; the solution scores full marks; the blank release
scores 0; and each typical wrong answer in tests/wrong_answers/ loses exactly the points it should.
"""

import csv

import nbformat
import pytest

from grading.cli import main
from grading.course import ROOT, find_assignments
from grading.grade import tasks_of
from grading.release import generate
from notebook_builders import released, solution_answers, submission, write
from wrong_answers import WRONG_ANSWERS

ASSIGNMENTS = find_assignments()
NAMES = sorted(ASSIGNMENTS)


def test_there_are_exercises():
    assert NAMES, "solutions/ holds no assignment"


@pytest.mark.parametrize("name", NAMES)
def test_exercise_is_up_to_date(name):
    assignment = ASSIGNMENTS[name]
    committed = ROOT / "exercises" / name / assignment.notebook
    assert committed.exists(), f"{committed} is missing: run python -m grading release"
    assert committed.read_text(encoding="utf-8") == generate(assignment), \
        f"{committed} differs from solutions/{name}: run python -m grading release and commit both"


@pytest.mark.parametrize("name", NAMES)
def test_exercise_size_and_wrong_answer_coverage(name):
    tasks = dict(tasks_of(nbformat.read(ASSIGNMENTS[name].source, as_version=4)))
    assert len(tasks) >= 5 and sum(tasks.values()) >= 20, f"{name}: {len(tasks)} tasks, {sum(tasks.values())} points"
    assert name in WRONG_ANSWERS, f"add typical wrong answers for {name} in a module of tests/wrong_answers/"
    covered = {t for _, failing in WRONG_ANSWERS[name].values() for t in failing}
    assert covered == set(tasks), f"no wrong answer fails {sorted(set(tasks) - covered)}"


@pytest.fixture(scope="module", params=NAMES)
def graded(request, tmp_path_factory):
    """Grade the solution, the blank release and every wrong answer of one assignment."""
    name = request.param
    assignment = ASSIGNMENTS[name]
    release, solution = released(assignment), solution_answers(assignment)
    subs = tmp_path_factory.mktemp(f"{name}-submissions")
    write(submission(release, solution), subs, "solution", assignment.notebook)
    write(release, subs, "blank", assignment.notebook)
    for student, (answers, _) in WRONG_ANSWERS.get(name, {}).items():
        write(submission(release, {**solution, **answers}), subs, student, assignment.notebook)
    out = tmp_path_factory.mktemp(f"{name}-grades")
    code = main(["grade", str(subs), "--out", str(out), "--assignment", name, "--no-progress"])
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    tasks = dict(tasks_of(nbformat.read(assignment.source, as_version=4)))
    return name, code, rows, tasks


def test_solution_full_marks_and_blank_zero(graded):
    name, code, rows, tasks = graded
    assert code == 0, f"some {name} submissions could not be graded: {rows}"
    assert float(rows["solution"]["total"]) == sum(tasks.values()), rows["solution"]
    assert float(rows["blank"]["total"]) == 0, rows["blank"]


def test_wrong_answers_lose_exactly_their_points(graded):
    name, _, rows, tasks = graded
    for student, (_, failing) in WRONG_ANSWERS[name].items():
        got = {task: float(rows[student][task]) for task in tasks}
        expected = {task: 0.0 if task in failing else points for task, points in tasks.items()}
        assert got == expected, f"{name}, wrong answer {student!r}"
