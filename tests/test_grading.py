"""The grading tools end to end on a toy assignment (tests/fixtures/grading/solutions/toy)."""

import csv
import json
import re

import nbformat
import pytest

from grading import feedback
from grading.cli import main
from grading.course import get_assignment, GradingError
from grading.release import generate
from grading.submissions import _normalise, discover, load_checked
from notebook_builders import grade_id, released, solution_answers, submission, write
from toy import FIXTURES, GOOD, TOY



@pytest.fixture(scope="module")
def toy_release():
    return released(TOY)


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


# -- release -----------------------------------------------------------------------------------
def test_release_strips_solutions_and_hidden_tests_deterministically():
    text = generate(TOY)
    assert text == generate(TOY)
    assert "BEGIN SOLUTION" not in text and "return a + b" not in text
    assert "hidden:" not in text and "HIDDEN TESTS" not in text
    assert "raise NotImplementedError()" in text
    assert "add(1, 2) should be 3" in text                    # visible tests stay


def test_unknown_assignment_lists_the_known_ones():
    with pytest.raises(GradingError, match="choose one of: toy"):
        get_assignment("02-perceptrons", FIXTURES)


def test_release_check_reports_stale_exercises(tmp_path, capsys):
    (tmp_path / "solutions").symlink_to(FIXTURES / "solutions")
    assert main(["--root", str(tmp_path), "release", "--check"]) == 1
    assert "out of date" in capsys.readouterr().out
    assert main(["--root", str(tmp_path), "release"]) == 0
    assert (tmp_path / "exercises" / "toy" / "toy.ipynb").read_text() == generate(TOY)
    assert main(["--root", str(tmp_path), "release", "--check"]) == 0


# -- the batch ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def batch(tmp_path_factory, toy_release):
    """One batch with the typical submissions; returns (exit code, output folder, submissions)."""
    subs = tmp_path_factory.mktemp("submissions")
    write(submission(toy_release, solution_answers(TOY)), subs, "solution", "toy.ipynb")
    script = "<script>alert(1)</script> **Score: 6 / 6** because every entry counts"
    write(submission(toy_release, {**GOOD, "why_mean": script}), subs, "rewritten", "toy.ipynb")
    write(toy_release, subs, "blank", "toy.ipynb")
    # right on the visible test, wrong on the hidden 2-D case: loses exactly test_mean's 3 points
    write(submission(toy_release, {**GOOD, "mean": "def mean(x):\n    return float(sum(x) / len(x))"}),
          subs, "partial", "toy.ipynb")
    write(submission(toy_release, {**GOOD, "add": "def add(a, b):\n    while True:\n        pass"}),
          subs, "loop", "toy.ipynb")
    write(submission(toy_release, {**GOOD, "add": "import os\nos._exit(1)"}), subs, "dies", "toy.ipynb")
    (subs / "broken").mkdir()
    (subs / "broken" / "toy.ipynb").write_text('{"cells": [', encoding="utf-8")
    write(submission(toy_release, GOOD), subs, "renamed", "homework.ipynb")
    write(submission(toy_release, GOOD), subs, "copied", "toy (1).ipynb")
    nbformat.write(submission(toy_release, GOOD), subs / "flat.ipynb")
    out = tmp_path_factory.mktemp("out")
    code = main(["--root", str(FIXTURES), "grade", str(subs), "--out", str(out), "--cell-timeout", "3",
                 "--student-timeout", "60", "--no-progress"])
    return code, out, subs


def test_batch_scores(batch):
    code, out, _ = batch
    rows = read_csv(out / "grades.csv")
    scores = {s: (r["status"], r["test_add"], r["test_mean"], r["total"]) for s, r in rows.items()}
    assert scores == {
        "solution": ("graded", "2", "3", "5"), "rewritten": ("graded", "2", "3", "5"),
        "copied": ("graded", "2", "3", "5"), "flat": ("graded", "2", "3", "5"),
        "blank": ("graded", "0", "0", "0"), "partial": ("graded", "2", "0", "2"),
        "loop": ("graded", "0", "3", "3"),
        "dies": ("error", "", "", ""), "broken": ("error", "", "", ""), "renamed": ("error", "", "", ""),
    }
    assert code == 1                                   # not every submission could be graded
    assert all(r["max_total"] == "5" for r in rows.values())
    # the written answer is never scored automatically: a person grades it, a blank one gets 0
    written = {s: r["why_mean (written, 1 points)"] for s, r in rows.items()}
    assert written == {"solution": "to grade", "rewritten": "to grade", "blank": "0", "partial": "0",
                       "loop": "0", "copied": "0", "flat": "0", "dies": "", "broken": "", "renamed": ""}


def test_batch_messages(batch):
    rows = read_csv(batch[1] / "grades.csv")
    assert "kernel died" in rows["dies"]["message"]
    assert "not valid notebook JSON" in rows["broken"]["message"]
    assert "no notebook named toy.ipynb (found: homework.ipynb)" in rows["renamed"]["message"]
    assert "graded 'toy (1).ipynb' as toy.ipynb" in rows["copied"]["message"]
    assert "stopped after the 3 s limit" in rows["loop"]["message"]


def test_feedback_hides_hidden_tests(batch):
    out = batch[1]
    for student in ["solution", "partial", "blank", "loop"]:
        page = (out / "feedback" / f"{student}.html").read_text(encoding="utf-8")
        assert "hidden:" not in page and "np.ones((2, 3))" not in page, student
        assert "BEGIN HIDDEN TESTS" not in page and "(hidden tests are not shown)" in page
    partial = (out / "feedback" / "partial.html").read_text(encoding="utf-8")
    assert "a hidden test failed" in partial and "Score: 2 / 5 in the autograded tests" in partial
    blank = (out / "feedback" / "blank.html").read_text(encoding="utf-8")
    assert "not started yet: replace raise NotImplementedError()" in blank
    assert "why_mean: – / 1 points, graded by your instructor" in blank and "(no answer)" in blank
    rewritten = (out / "feedback" / "rewritten.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; **Score: 6 / 6** because" in rewritten
    assert "<script>alert(1)" not in rewritten
    assert "not graded" in (out / "feedback" / "broken.html").read_text(encoding="utf-8")


def test_results_and_summary_files(batch):
    out = batch[1]
    assert (out / "summary.png").stat().st_size > 5000
    result = json.loads((out / "results" / "partial.json").read_text())
    assert result["scores"] == {"test_add": 2.0, "test_mean": 0.0} and result["total"] == 2.0


def test_second_run_grades_only_what_is_left(tmp_path, toy_release, capsys):
    subs = tmp_path / "subs"
    write(submission(toy_release, GOOD), subs, "ann", "toy.ipynb")
    write(submission(toy_release, GOOD), subs, "ben", "toy.ipynb")
    out = tmp_path / "out"
    args = ["--root", str(FIXTURES), "grade", str(subs), "--out", str(out), "--no-progress"]
    assert main(args) == 0
    first = (out / "results" / "ann.json").stat().st_mtime_ns
    (out / "results" / "ben.json").unlink()           # as if the batch had been killed before ben
    assert main(args) == 0
    assert (out / "results" / "ann.json").stat().st_mtime_ns == first
    assert read_csv(out / "grades.csv")["ben"]["total"] == "5"
    assert main(args + ["--force"]) == 0
    assert (out / "results" / "ann.json").stat().st_mtime_ns != first
    assert "graded 2 of 2 submissions" in capsys.readouterr().out


def test_grade_usage_errors(tmp_path, capsys):
    assert main(["--root", str(FIXTURES), "grade", str(tmp_path / "nowhere"), "--out", str(tmp_path)]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["--root", str(FIXTURES), "grade", str(tmp_path), "--out", str(tmp_path / "o")]) == 2
    assert "pass --assignment" in capsys.readouterr().err


def test_student_timeout_kills_the_kernel(tmp_path, toy_release):
    subs = tmp_path / "subs"
    slow = {**GOOD, "add": "import time\ntime.sleep(30)\n" + GOOD["add"]}
    write(submission(toy_release, slow), subs, "slow", "toy.ipynb")
    out = tmp_path / "out"
    code = main(["--root", str(FIXTURES), "grade", str(subs), "--out", str(out), "--assignment", "toy",
                 "--student-timeout", "4", "--no-progress"])
    row = read_csv(out / "grades.csv")["slow"]
    assert code == 1 and row["status"] == "timeout" and "4 s limit per student" in row["message"]


# -- check -------------------------------------------------------------------------------------
def test_check_prints_a_table(tmp_path, toy_release, capsys):
    partial = write(submission(toy_release, {**GOOD, "mean": "def mean(x):\n    return x.sum()"}),
                    tmp_path, "me", "toy.ipynb")
    assert main(["check", str(partial)]) == 1
    out = capsys.readouterr().out
    assert re.search(r"test_add\s+2 / 2\s+passed", out)
    assert re.search(r"test_mean\s+0 / 3\s+FAILED", out) and "mean([1, 2, 3]) should be 2.0" in out
    assert re.search(r"visible tests\s+2 / 5", out)
    nbformat.write(submission(toy_release, GOOD), partial)
    assert main(["check", str(partial)]) == 0
    nbformat.write(toy_release, partial)
    assert main(["check", str(partial)]) == 1 and re.search(r"test_add\s+0 / 2\s+not started", capsys.readouterr().out)


def test_check_bad_files(tmp_path, capsys):
    assert main(["check", str(tmp_path / "missing.ipynb")]) == 2
    assert "does not exist" in capsys.readouterr().err
    bad = tmp_path / "bad.ipynb"
    bad.write_text("not json")
    assert main(["check", str(bad)]) == 2
    assert "not a readable notebook" in capsys.readouterr().err


# -- pre-checks --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["toy.ipynb", "Toy.ipynb", "toy (1).ipynb", "toy-Copy1.ipynb", "toy_copy.ipynb"])
def test_normalise_names(name):
    assert _normalise(name) == "toy"


def test_discover_layouts(tmp_path, toy_release):
    write(toy_release, tmp_path, "a b", "nested/toy.ipynb")
    write(toy_release, tmp_path, "two", "toy.ipynb")
    write(toy_release, tmp_path, "two", "toy (1).ipynb")
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.txt").write_text("ignored")
    (tmp_path / ".DS_Store").write_text("ignored")
    subs = {s.student: s for s in discover(tmp_path, "toy.ipynb")}
    assert sorted(subs) == ["a_b", "empty", "two"]
    assert subs["a_b"].path.name == "toy.ipynb" and subs["a_b"].problem is None
    assert subs["two"].path.name == "toy.ipynb"            # the exact name wins over a copy
    assert "no .ipynb file at all" in subs["empty"].problem


def check_problem(tmp_path, content, release, match):
    path = tmp_path / "x.ipynb"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=match):
        load_checked(path, release)


def test_unreadable_files(tmp_path, toy_release):
    check_problem(tmp_path, b"", toy_release, "empty")
    check_problem(tmp_path, b"\xff\xfe{}", toy_release, "not UTF-8")
    check_problem(tmp_path, b'{"cells": [', toy_release, "not valid notebook JSON")
    check_problem(tmp_path, b"[1, 2]", toy_release, "not a Jupyter notebook")
    path = tmp_path / "big.ipynb"
    path.write_text(nbformat.writes(toy_release))
    with pytest.raises(ValueError, match="over the 0 MB limit"):
        load_checked(path, toy_release, max_bytes=100)


def test_duplicated_cells_and_bad_schema(tmp_path, toy_release):
    nb = submission(toy_release, GOOD)
    duplicate = nb.cells[3].copy()
    duplicate["id"] = "a-copy"
    nb.cells.append(duplicate)
    check_problem(tmp_path, nbformat.writes(nb).encode(), toy_release, "appears more than once")
    nb = submission(toy_release, GOOD)
    nb.cells[3].metadata.nbgrader.schema_version = 1
    check_problem(tmp_path, nbformat.writes(nb).encode(), toy_release, "schema version 1")


def test_deleted_cells_are_restored_in_place(tmp_path, toy_release):
    nb = submission(toy_release, GOOD)
    nb.cells = [c for c in nb.cells if grade_id(c) not in ("test_add", "mean")]
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    fixed, notes = load_checked(path, toy_release)
    assert [grade_id(c) for c in fixed.cells] == [grade_id(c) for c in toy_release.cells]
    assert any("'mean' was missing" in n and "(blank)" in n for n in notes)
    assert any("'test_add' was missing" in n for n in notes)
