"""Every graded exercise, tested both ways by grading real submissions.

For each assignment in solutions/: the committed student version in exercises/ is exactly what
``python -m grading release`` generates; ``grade`` gives the solution full marks and the blank
release 0; each typical wrong answer in tests/wrong_answers/ loses exactly the points it should,
and each correct but unusual answer there scores full marks. The corpus runs through
tests/exercise_runner.py (one process for all of a chapter's answers), which a test checks against
``grade`` on a sample.
"""

import csv

import nbformat
import pytest

from grading.cli import main
from grading.course import ROOT, find_assignments
from grading.cells import tasks_of
from grading.release import generate
from exercise_runner import run_variants
from notebook_builders import released, solution_answers, submission, write
from wrong_answers import UNUSUAL_ANSWERS, WRONG_ANSWERS

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
def corpus(request):
    """Run the solution and every answer of one assignment's two-sided corpus through its tests."""
    name = request.param
    variants = {"solution": {}, **{k: answers for k, (answers, _) in WRONG_ANSWERS[name].items()},
                **{f"unusual:{k}": answers for k, answers in UNUSUAL_ANSWERS[name].items()}}
    tasks = dict(tasks_of(nbformat.read(ASSIGNMENTS[name].source, as_version=4)))
    return name, tasks, run_variants(ASSIGNMENTS[name].source, variants)


def scores(passed, tasks):
    return {task: points if passed[task] else 0.0 for task, points in tasks.items()}


def test_the_solution_passes_every_test(corpus):
    name, tasks, results = corpus
    assert scores(results["solution"], tasks) == tasks, name


def test_wrong_answers_lose_exactly_their_points(corpus):
    name, tasks, results = corpus
    for student, (_, failing) in WRONG_ANSWERS[name].items():
        expected = {task: 0.0 if task in failing else points for task, points in tasks.items()}
        assert scores(results[student], tasks) == expected, f"{name}, wrong answer {student!r}"


def test_unusual_correct_answers_score_full_marks(corpus):
    name, tasks, results = corpus
    assert len(UNUSUAL_ANSWERS[name]) >= 6, f"{name}: add correct but unusual answers (UNUSUAL)"
    for student in UNUSUAL_ANSWERS[name]:
        assert scores(results[f"unusual:{student}"], tasks) == tasks, f"{name}, unusual answer {student!r}"


@pytest.fixture(scope="module", params=NAMES)
def graded(request, tmp_path_factory):
    """Grade the solution, the blank release, one wrong and one unusual answer end to end."""
    name = request.param
    assignment = ASSIGNMENTS[name]
    release, solution = released(assignment), solution_answers(assignment)
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
    return name, code, rows, tasks, run_variants(assignment.source, picked)


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


def test_grade_agrees_with_the_corpus_runner(graded):
    """The fast runner behind the corpus tests scores notebooks exactly as ``grade`` does."""
    name, _, rows, tasks, results = graded
    for student, passed in results.items():
        got = {task: float(rows[student][task]) for task in tasks}
        assert got == scores(passed, tasks), f"{name}, {student!r}: grade and the runner disagree"
