"""Every graded exercise, graded end to end by ``grade`` on a sample of its corpus.

For each assignment in solutions/: ``grade`` (the sandbox, nbgrader, the tripwires) gives the
solution full marks and the blank release 0, flags no honest answer for review, and scores a
sample of the corpus exactly as the corpus says. tests/test_exercises.py checks the whole corpus
the same way through tests/exercise_runner.py, so the two agree on what passes.
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

# The sample: one student per chapter with a typical wrong answer and a correct but unusual one
# (its first, often with a print or a warning) in tasks that do not depend on each other. ``grade``
# must take exactly the wrong answer's points (its failing tests score 0) and give the unusual
# answer's tasks full marks. (One student for both: each student costs a sandboxed kernel.)
SAMPLES = {
    "01-neurons": ("neuron_without_bias", "tanh_sigmoid_einsum_layer"),
    "02-perceptrons": ("epoch_update_sign_flipped", "heaviside_and_einsum"),
    "03-losses": ("ce_not_divided_by_n", "vdot_mse_and_logaddexp_softmax"),
    "04-backpropagation": ("linear_dW_transposed", "graph_with_helpers_and_print"),
    "05-activations": ("tanh_from_exponentials_overflows", "sigmoid_tanh_form_with_print"),
    "06-initialization": ("xavier_normal_variance_as_std", "xavier_uniform_from_random"),
    "07-regularization": ("dropout_scales_at_test_time", "l2_over_parameters_with_print"),
}


def test_every_assignment_has_a_sample_of_independent_answers():
    assert set(SAMPLES) == set(NAMES), "name a wrong and an unusual answer for each assignment in SAMPLES"
    for name, (wrong, unusual) in SAMPLES.items():
        wrong_answers, failing = WRONG_ANSWERS[name][wrong]
        unusual_answers = UNUSUAL_ANSWERS[name][unusual]
        assert not set(wrong_answers) & set(unusual_answers), f"{name}: the sample's answers share a cell"
        assert not {f"test_{cell}" for cell in unusual_answers} & set(failing), \
            f"{name}: {wrong!r} fails a test of the cells {unusual!r} answers"


@pytest.fixture(scope="module", params=NAMES)
def graded(request, tmp_path_factory):
    """Grade the solution, the blank release and the sample (SAMPLES) end to end."""
    name = request.param
    assignment = ASSIGNMENTS[name]
    # The committed release, what students get (test_exercises.py checks that it is what
    # ``python -m grading release`` generates; generating it again here cost a second a chapter).
    release = nbformat.read(ROOT / "exercises" / name / assignment.notebook, as_version=4)
    solution = solution_answers(assignment)
    wrong, unusual = SAMPLES[name]
    picked = {"solution": {}, "sample": {**WRONG_ANSWERS[name][wrong][0], **UNUSUAL_ANSWERS[name][unusual]}}
    subs = tmp_path_factory.mktemp(f"{name}-submissions")
    write(release, subs, "blank", assignment.notebook)
    for student, answers in picked.items():
        write(submission(release, {**solution, **answers}), subs, student, assignment.notebook)
    out = tmp_path_factory.mktemp(f"{name}-grades")
    code = main(["grade", str(subs), "--out", str(out), "--assignment", name, "--no-progress"])
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    tasks = dict(tasks_of(nbformat.read(assignment.source, as_version=4)))
    failing = {"solution": [], "sample": WRONG_ANSWERS[name][wrong][1]}
    expected = {student: {task: 0.0 if task in fails else points for task, points in tasks.items()}
                for student, fails in failing.items()}
    return name, code, rows, tasks, expected


def test_grade_gives_full_marks_to_the_solution_and_zero_to_the_blank(graded):
    name, code, rows, tasks, _ = graded
    assert code == 0, f"some {name} submissions could not be graded: {rows}"
    assert float(rows["solution"]["total"]) == sum(tasks.values()), rows["solution"]
    assert float(rows["blank"]["total"]) == 0, rows["blank"]


def test_honest_answers_are_not_flagged_for_review(graded):
    """Neither the scan nor the tripwires may flag the solution or the sample (a wrong answer and a
    correct but unusual one, none of them tampering)."""
    name, _, rows, _, results = graded
    assert {s: rows[s]["needs_review"] for s in results} == dict.fromkeys(results, ""), name


def test_grade_scores_the_sample_as_the_corpus_says(graded):
    """``grade`` scores the sample as the corpus (and so the runner) does."""
    name, _, rows, tasks, expected = graded
    for student, points in expected.items():
        got = {task: float(rows[student][task]) for task in tasks}
        assert got == points, f"{name}, {student!r} {SAMPLES[name]}: grade and the corpus disagree"
