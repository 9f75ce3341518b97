"""Every graded exercise, tested both ways with its two-sided corpus.

For each assignment in solutions/: the committed student version in exercises/ is exactly what
``python -m grading release`` generates; the solution passes every test; each typical wrong
answer in tests/wrong_answers/ loses exactly the points it should, and each correct but unusual
answer there scores full marks; where the corpus names the evidence a wrong answer leaves, the failing
test's message must say it. The corpus runs through
tests/exercise_runner.py (one process for all of a chapter's answers); test_exercise_grading.py
checks the runner against ``grade`` on a sample.
"""

import nbformat
import pytest

from exercise_runner import run_variants, scores
from grading.cells import tasks_of
from grading.course import ROOT, find_assignments
from grading.release import generate
from wrong_answers import EVIDENCE, UNUSUAL_ANSWERS, WRONG_ANSWERS

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


def test_feedback_names_the_evidence(corpus):
    name, _, results = corpus
    for student, expected in EVIDENCE.get(name, {}).items():
        assert student in WRONG_ANSWERS[name], f"{name}: EVIDENCE names an unknown wrong answer {student!r}"
        for test, words in expected.items():
            message = results[student][test]
            assert message is not None, f"{name}, wrong answer {student!r}: {test} passed"
            for word in words:
                assert word.lower() in message.lower(), \
                    f"{name}, wrong answer {student!r}: {test}'s message should say {word!r}, it says {message!r}"
