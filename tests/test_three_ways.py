"""One pass/fail rule: ``check``, ``grade`` and stock ``nbgrader autograde`` score the same notebooks alike.

The same submissions of the toy assignment (tests/fixtures/grading) go through the student's
checker (nnfs_check, the kernel in the sandbox where it can be made), through ``grade``, and through
nbgrader's own command line in a course folder that uses this course's ``nbgrader_config.py``: a
formgrader regrade must not change a score. Among them, correct code that warns or prints on stderr.
"""

import concurrent.futures
import csv
import os
import shutil
import subprocess
import sys

import pytest
from nbgrader.api import Gradebook

from grading.check import kernel_options
from grading.cli import main
from grading.course import ROOT, configured_course_id
from grading.sandbox import unavailable_reason
from nnfs_check import check
from notebook_builders import released, submission, write
from toy import FIXTURES, GOOD, TOY, WRONG, answers

SUBMISSIONS = {
    "solution": GOOD,
    "warns": answers(add="import warnings\nwarnings.warn('a harmless warning from correct code')"),
    "stderr": answers(mean="import sys\nprint('a note on stderr', file=sys.stderr)"),
    "wrong_add": {**GOOD, "add": WRONG["add"]},
    "wrong_both": WRONG,
    "blank": {},
}
TASKS = ("test_add", "test_mean")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder with this course's nbgrader configuration and the toy assignment submitted."""
    if unavailable_reason():
        pytest.skip(unavailable_reason())
    course = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(FIXTURES / "solutions", course / "solutions")
    release = released(TOY)
    for student, student_answers in SUBMISSIONS.items():
        write(submission(release, student_answers), course / "submitted", student, "toy/toy.ipynb")
    return course


def stock_nbgrader(course, env):
    """Per-task scores from nbgrader's own ``generate_assignment`` and ``autograde`` commands, run
    with the environment ``env``."""
    for command in (["generate_assignment", "toy", "--force"], ["autograde", "toy", "--force"]):
        done = subprocess.run([sys.executable, "-m", "nbgrader", *command], cwd=course, capture_output=True,
                              text=True, timeout=600, env=env)
        assert done.returncode == 0, done.stderr[-2000:]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", configured_course_id(course)) as gb:
        return {student: {g.name: float(g.score) for g in gb.find_submission_notebook("toy", "toy", student).grades
                          if g.name in TASKS} for student in SUBMISSIONS}


def graded(course, tmp_path):
    out = tmp_path / "out"
    assert main(["--root", str(FIXTURES), "grade", str(course / "submitted"), "--out", str(out),
                 "--assignment", "toy", "--no-progress"]) == 0
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        return {row["student"]: {t: float(row[t]) for t in TASKS} for row in csv.DictReader(f)}


def checked(course):
    """Per-task pass/fail from the checker, as points (the toy's tests have no hidden edge case
    that these answers fail, so visible and hidden agree)."""
    points = {"test_add": 2.0, "test_mean": 3.0}
    scores = {}
    with kernel_options() as kernel:
        for student in SUBMISSIONS:
            found, _, _ = check(course / "submitted" / student / "toy" / "toy.ipynb", 60, **kernel)
            scores[student] = {t.grade_id: points[t.grade_id] if t.passed else 0.0 for t in found}
    return scores


def test_check_grade_and_stock_nbgrader_give_the_same_scores(course, tmp_path):
    # Stock nbgrader grades one notebook after the other, mostly waiting for its kernels: it runs
    # meanwhile (it writes only autograded/ and gradebook.db in the course; the others only read it),
    # in the environment of now (the checker points JUPYTER_PATH at its sandboxed kernel for a while).
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        by_stock = pool.submit(stock_nbgrader, course, dict(os.environ))
        by_grade = graded(course, tmp_path)
        by_check = checked(course)
        by_stock = by_stock.result()
    assert by_grade["warns"] == by_grade["stderr"] == by_grade["solution"] == {"test_add": 2, "test_mean": 3}
    assert by_grade["wrong_add"] == {"test_add": 0, "test_mean": 3}
    assert by_grade == by_check, "check and grade disagree"
    assert by_grade == by_stock, "grade and nbgrader autograde (a formgrader regrade) disagree"
