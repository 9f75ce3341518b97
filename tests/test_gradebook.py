"""Final scores into an nbgrader gradebook, read back the way formgrader reads them.

The same checks run on SQLite (the course's default ``gradebook.db``) and on a real PostgreSQL
server that this module starts itself: ``initdb`` into a temporary folder, listening only on a
Unix socket there (no TCP), run as the ``postgres`` user when the tests run as root, stopped at
the end. It needs PostgreSQL's server programs (Debian: ``apt-get install -y postgresql``; they
are found on PATH or in /usr/lib/postgresql/<version>/bin) and the ``psycopg`` driver from
requirements.txt. Without them the PostgreSQL tests FAIL and say how to install them; set
NNFS_SKIP_POSTGRES=1 to skip them on purpose (reported as skipped, never as passed).
"""

import contextlib
import csv
import glob
import io
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import (Assignment, BaseCell, Comment, Gradebook, Grade, GradeCell, Notebook, SolutionCell,
                          SourceCell, Student, SubmittedAssignment, SubmittedNotebook)

from grading.cli import main
from grading.course import COURSE_ID, find_assignments, make_course
from grading.results import Result, load_result
from grading.gradebook import GradebookError, default_url, write_gradebook
from notebook_builders import released, submission, write
from toy import FIXTURES, GOOD, TOY

# nbgrader's own Gradebook.add_submission trips SQLAlchemy's autoflush warnings (harmless)
pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")

PARTIAL = {**GOOD, "mean": "def mean(x):\n    return float(sum(x) / len(x))"}    # loses test_mean's 3 points

# what nbgrader's autograder recorded for the written answer why_mean (1 point, graded by a person):
# ann answered it (no automatic score: it waits for a person), bob left it blank (0, "No response.")
ANSWERED = {"grades": {"why_mean": {"auto_score": None, "needs_manual_grade": True}}, "comments": {"why_mean": None}}
BLANK = {"grades": {"why_mean": {"auto_score": 0.0, "needs_manual_grade": False}},
         "comments": {"why_mean": "No response."}}
RESULTS = [
    Result("ann", "graded", {"test_add": 2.0, "test_mean": 3.0}, 5.0, 5.0, nbgrader=ANSWERED),
    Result("bob", "graded", {"test_add": 2.0, "test_mean": 0.0}, 2.0, 5.0, nbgrader=BLANK),
    Result("cy", "error", max_total=5.0, messages=["not valid notebook JSON"]),
    Result("dee", "timeout", max_total=5.0, messages=["took longer than the 600 s limit"]),
]
# what the gradebook must hold for RESULTS: {student: ({cell: score}, total, needs manual grading)}
EXPECTED = {
    "ann": ({"test_add": 2.0, "test_mean": 3.0, "why_mean": 0.0}, 5.0, True),     # the written answer waits
    "bob": ({"test_add": 2.0, "test_mean": 0.0, "why_mean": 0.0}, 2.0, False),
    "cy": ({"test_add": 0.0, "test_mean": 0.0, "why_mean": 0.0}, 0.0, True),
    "dee": ({"test_add": 0.0, "test_mean": 0.0, "why_mean": 0.0}, 0.0, True),
}
TABLES = [Assignment, Notebook, BaseCell, GradeCell, SolutionCell, SourceCell, Student, SubmittedAssignment,
          SubmittedNotebook, Grade, Comment]


def scores_in(url, assignment="toy", course_id=COURSE_ID):
    """{student: ({cell: score}, total, needs_manual_grade)} of an assignment's submissions in the gradebook."""
    with Gradebook(url, course_id) as gb:
        found = {}
        for sub in gb.find_assignment(assignment).submissions:
            (nb,) = sub.notebooks
            found[sub.student_id] = ({g.name: g.score for g in nb.grades}, sub.score, sub.needs_manual_grade)
        return found


def row_counts(url, course_id=COURSE_ID):
    with Gradebook(url, course_id) as gb:
        return {table.__name__: gb.db.query(table).count() for table in TABLES}


def formgrader_view(url, root):
    """What formgrader's back end (nbgrader's NbGraderAPI) shows for the toy assignment."""
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(root=str(root), db_url=url, course_id=COURSE_ID, source_directory="solutions")
    api = NbGraderAPI(coursedir=coursedir)
    submissions = {s["student"]: (s["score"], s["max_score"], s["needs_manual_grade"], s["autograded"])
                   for s in api.get_submissions("toy")}
    assignment = api.get_assignment("toy")
    return submissions, (assignment["max_score"], assignment["average_score"])


INSTRUCTOR_COURSE = "cs101"


def course_root(tmp_path):
    """A course folder holding the toy assignment's source (formgrader lists assignments from it) and
    an instructor's nbgrader_config.py with a course id of its own."""
    root = tmp_path / "course"
    root.mkdir()
    (root / "solutions").symlink_to(FIXTURES / "solutions")
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.source_directory = 'solutions'\n"
        f"c.CourseDirectory.course_id = {INSTRUCTOR_COURSE!r}\n", encoding="utf-8")
    return root


def check_written(url, root):
    """The checks every database gets: scores per cell and totals, formgrader's view, idempotence."""
    written = write_gradebook(TOY, RESULTS, url)
    assert written.graded == ["ann", "bob"] and written.flagged == ["cy", "dee"]
    assert "4 student(s), 2 with scores, 2 marked 'needs manual grading' (not graded: cy, dee)" in written.summary()
    assert scores_in(url) == EXPECTED
    submissions, assignment = formgrader_view(url, root)
    assert submissions == {"ann": (5.0, 6.0, True, True), "bob": (2.0, 6.0, False, True),
                           "cy": (0.0, 6.0, True, True), "dee": (0.0, 6.0, True, True)}
    assert assignment == (6.0, 7.0 / 4)                   # max score (the written point too), average

    counts = row_counts(url)
    write_gradebook(TOY, RESULTS, url)                     # the same batch again: nothing new
    assert row_counts(url) == counts and scores_in(url) == EXPECTED
    # a regrade: bob fixed his notebook, cy's now grades; the rows are updated, not added
    regraded = [RESULTS[0], Result("bob", "graded", {"test_add": 2.0, "test_mean": 3.0}, 5.0, 5.0, nbgrader=BLANK),
                Result("cy", "graded", {"test_add": 0.0, "test_mean": 3.0}, 3.0, 5.0, nbgrader=BLANK), RESULTS[3]]
    write_gradebook(TOY, regraded, url)
    assert row_counts(url) == counts
    assert scores_in(url) == {**EXPECTED, "bob": ({"test_add": 2.0, "test_mean": 3.0, "why_mean": 0.0}, 5.0, False),
                              "cy": ({"test_add": 0.0, "test_mean": 3.0, "why_mean": 0.0}, 3.0, False)}
    assert counts["Student"] == 4 and counts["SubmittedAssignment"] == 4 and counts["Grade"] == 12


def check_keeps_other_rows(url):
    """Rows other tools wrote survive: another assignment, a student's name, a grader's manual score."""
    with Gradebook(url, COURSE_ID) as gb:
        gb.add_assignment("other")
        gb.add_notebook("other", "other")
        gb.add_grade_cell("q1", "other", "other", max_score=4, cell_type="code")
        gb.add_student("zed", first_name="Zoe", last_name="Dee")
        gb.add_student("ann", first_name="Ann", email="ann@example.org")
        gb.add_submission("other", "zed")
        gb.find_grade("q1", "other", "other", "zed").manual_score = 4.0
        gb.db.commit()
    write_gradebook(TOY, RESULTS, url)
    with Gradebook(url, COURSE_ID) as gb:
        gb.find_grade("test_mean", "toy", "toy", "bob").manual_score = 1.5     # a grader's override
        gb.db.commit()
    write_gradebook(TOY, RESULTS, url)
    with Gradebook(url, COURSE_ID) as gb:
        assert gb.find_submission("other", "zed").score == 4.0
        assert (gb.find_student("zed").first_name, gb.find_student("ann").email) == ("Zoe", "ann@example.org")
        bob = gb.find_grade("test_mean", "toy", "toy", "bob")
        assert (bob.auto_score, bob.manual_score, bob.score, bob.needs_manual_grade) == (0.0, 1.5, 1.5, True)
        assert sorted(a.name for a in gb.assignments) == ["other", "toy"]
        assert len(gb.students) == 5


def check_assignment_like_nbgrader(url, tmp_path):
    """The assignment's rows are those ``nbgrader generate_assignment`` writes into a gradebook."""
    write_gradebook(TOY, RESULTS[:1], url)
    make_course(TOY, tmp_path / "reference")                  # nbgrader's own generate_assignment
    reference = f"sqlite:///{tmp_path / 'reference' / 'gradebook.db'}"

    def cells(db):
        with Gradebook(db, COURSE_ID) as gb:
            nb = gb.find_notebook("toy", "toy")
            return (sorted((c.name, c.max_score, c.cell_type) for c in nb.grade_cells),
                    sorted(c.name for c in nb.solution_cells),
                    sorted((c.name, c.cell_type, c.locked, c.source, c.checksum) for c in nb.source_cells),
                    nb.kernelspec, gb.find_assignment("toy").course_id)

    assert cells(url) == cells(reference)
    assert cells(url)[0] == [("test_add", 2.0, "code"), ("test_mean", 3.0, "code"), ("why_mean", 1.0, "markdown")]


def natural_rows(url):
    """Every row of nbgrader's tables in a gradebook, nbgrader's random ids replaced by what they name
    (so that two gradebooks can be compared), each table's rows sorted."""
    from nbgrader.api import Base
    from sqlalchemy import create_engine, select

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = {t.name: [dict(r._mapping) for r in conn.execute(select(t))] for t in Base.metadata.sorted_tables}
    finally:
        engine.dispose()
    key = {}
    for table, names in (("assignment", ("name",)), ("notebook", ("assignment_id", "name")),
                         ("base_cell", ("type", "notebook_id", "name")), ("source_cell", ("notebook_id", "name")),
                         ("submitted_assignment", ("assignment_id", "student_id")),
                         ("submitted_notebook", ("assignment_id", "notebook_id")),
                         ("grade", ("notebook_id", "cell_id")), ("comment", ("notebook_id", "cell_id"))):
        for row in tables[table]:
            key[row["id"]] = (table, *(key.get(row[name], row[name]) for name in names))
    return {table: sorted(repr({column: key.get(value, value) if isinstance(value, str) else value
                                for column, value in row.items()}) for row in rows)
            for table, rows in tables.items()}


def check_rows_like_nbgrader(url, tmp_path):
    """Every row write_gradebook writes is the row nbgrader's own API writes (generate_assignment, then
    update_or_create_student and add_submission per student), given the same scores and comments."""
    write_gradebook(TOY, RESULTS, url)
    make_course(TOY, tmp_path / "nbgrader")
    theirs = f"sqlite:///{tmp_path / 'nbgrader' / 'gradebook.db'}"
    with Gradebook(url, COURSE_ID) as ours, Gradebook(theirs, COURSE_ID) as gb:
        for result in RESULTS:
            gb.update_or_create_student(result.student)
            gb.add_submission("toy", result.student)
            mine = ours.find_submission_notebook("toy", "toy", result.student)
            grades = {g.name: (g.auto_score, g.needs_manual_grade) for g in mine.grades}
            comments = {c.name: c.auto_comment for c in mine.comments}
            nb = gb.find_submission_notebook("toy", "toy", result.student)
            for grade in nb.grades:
                grade.auto_score, grade.needs_manual_grade = grades.pop(grade.name)
            for comment in nb.comments:
                comment.auto_comment = comments.pop(comment.name)
            assert grades == comments == {}
        gb.db.commit()
    mine, nbgraders = natural_rows(url), natural_rows(theirs)
    assert mine.pop("course") == [repr({"id": COURSE_ID})]
    nbgraders.pop("course")                  # nbgrader's preprocessors add a "default_course" too
    assert mine == nbgraders


def schema(url):
    """A gradebook's tables (columns, keys, indexes) and alembic revision; on SQLite its exact DDL."""
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            found = inspect(conn)
            tables = {table: ([(c["name"], str(c["type"]), c["nullable"], c.get("default"))
                               for c in found.get_columns(table)],
                              found.get_pk_constraint(table)["constrained_columns"],
                              sorted((fk["constrained_columns"], fk["referred_table"], fk["referred_columns"])
                                     for fk in found.get_foreign_keys(table)),
                              sorted((i["name"], i["column_names"], i["unique"]) for i in found.get_indexes(table)),
                              sorted((u["column_names"],) for u in found.get_unique_constraints(table)))
                      for table in found.get_table_names()}
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
            ddl = (sorted(conn.execute(text("SELECT type, name, tbl_name, sql FROM sqlite_master")).all())
                   if engine.dialect.name == "sqlite" else None)
    finally:
        engine.dispose()
    return tables, revision, ddl


def check_schema_like_nbgrader(url, other):
    """A new gradebook gets the schema and alembic revision nbgrader's own Gradebook gives a new
    database (``other``)."""
    write_gradebook(TOY, RESULTS, url)
    Gradebook(other, COURSE_ID).close()
    ours, nbgraders = schema(url), schema(other)
    assert len(ours[0]) > 10 and ours[1] and ours == nbgraders


# -- SQLite ------------------------------------------------------------------------------------
def test_sqlite_scores_formgrader_view_and_idempotence(tmp_path):
    check_written(f"sqlite:///{tmp_path / 'gradebook.db'}", course_root(tmp_path))


def test_sqlite_keeps_rows_written_by_others(tmp_path):
    check_keeps_other_rows(f"sqlite:///{tmp_path / 'gradebook.db'}")


def test_sqlite_assignment_rows_match_generate_assignment(tmp_path):
    check_assignment_like_nbgrader(f"sqlite:///{tmp_path / 'gradebook.db'}", tmp_path)


def test_sqlite_schema_matches_nbgraders_own(tmp_path):
    check_schema_like_nbgrader(f"sqlite:///{tmp_path / 'gradebook.db'}", f"sqlite:///{tmp_path / 'nbgrader.db'}")


def test_sqlite_rows_match_nbgraders_own(tmp_path):
    check_rows_like_nbgrader(f"sqlite:///{tmp_path / 'gradebook.db'}", tmp_path)


def changed_toy(root, change):
    """The toy assignment under ``root/solutions`` with ``change(cells)`` applied to its source notebook."""
    nb = nbformat.read(TOY.source, as_version=4)
    change(nb.cells)
    path = root / "solutions" / "toy" / "toy.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nb, path)
    return find_assignments(root)["toy"]


def without_test_mean(cells):
    cells[:] = [c for c in cells if c.metadata.get("nbgrader", {}).get("grade_id") != "test_mean"]


def test_changed_cells_after_submissions_is_a_clear_error(tmp_path):
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    write_gradebook(TOY, RESULTS, url)
    with pytest.raises(GradebookError, match="already holds submissions of toy made with other cells"):
        write_gradebook(changed_toy(tmp_path, without_test_mean), RESULTS, url)
    assert scores_in(url) == EXPECTED                      # nothing was lost


def test_changed_cells_before_submissions_replace_the_old_ones(tmp_path):
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    write_gradebook(TOY, [], url)                          # the assignment only, no submission yet
    write_gradebook(changed_toy(tmp_path, without_test_mean), RESULTS[:1], url)
    assert scores_in(url) == {"ann": ({"test_add": 2.0, "why_mean": 0.0}, 2.0, True)}
    assert row_counts(url)["GradeCell"] == 2


def test_changed_points_after_submissions_update_the_cell(tmp_path):
    """Same cells, a test worth more points: the cell is updated, the submissions stay."""
    def four_points(cells):
        for cell in cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "test_mean":
                cell.metadata.nbgrader.points = 4

    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    write_gradebook(TOY, RESULTS, url)
    counts = row_counts(url)
    write_gradebook(changed_toy(tmp_path, four_points), RESULTS, url)
    assert row_counts(url) == counts and scores_in(url) == EXPECTED
    with Gradebook(url, COURSE_ID) as gb:
        assert gb.find_grade_cell("test_mean", "toy", "toy").max_score == 4.0


def test_default_url_is_the_course_gradebook(tmp_path):
    assert default_url(tmp_path) == f"sqlite:///{tmp_path.resolve() / 'gradebook.db'}"


def test_unreachable_database_is_a_clear_error(tmp_path):
    with pytest.raises(GradebookError, match="cannot reach the gradebook database sqlite:////nonexistent"):
        write_gradebook(TOY, RESULTS, "sqlite:////nonexistent/folder/gradebook.db")
    with pytest.raises(GradebookError, match="cannot use the gradebook URL"):
        write_gradebook(TOY, RESULTS, "nosuchdb://x/y")
    with pytest.raises(GradebookError, match=r"cannot reach .*postgresql://nnfs:\*\*\*@/x"):
        write_gradebook(TOY, RESULTS, f"postgresql://nnfs:secret@/x?host={tmp_path}")


# -- the command line, on one small graded batch -----------------------------------------------
@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade three toy submissions once, with --gradebook; returns (root, subs, out, exit code, output)."""
    base = tmp_path_factory.mktemp("cli")
    root = course_root(base)
    release = released(TOY)
    subs = base / "subs"
    write(submission(release, {**GOOD, "why_mean": "Every entry counts, not every row."}), subs, "ann", "toy.ipynb")
    write(submission(release, PARTIAL), subs, "bob", "toy.ipynb")
    (subs / "cy").mkdir()
    (subs / "cy" / "toy.ipynb").write_text('{"cells": [', encoding="utf-8")
    out = base / "out"
    code, output = run(["--root", str(root), "grade", str(subs), "--out", str(out), "--assignment", "toy",
                        "--no-progress", "--gradebook"])
    GENERATED_BY_FIXTURE[:] = GENERATED
    return root, subs, out, code, output


GENERATED, GENERATED_BY_FIXTURE = [], []          # the nbgrader converters run() ran in this process, by name


def run(argv):
    """Run the CLI; return (exit code, stdout + stderr). GENERATED lists the converters it ran."""
    from grading import course

    real = course.run_converter

    def counting(converter, *args, **kwargs):
        GENERATED.append(converter.__name__)
        return real(converter, *args, **kwargs)

    GENERATED.clear()
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr), \
            pytest.MonkeyPatch.context() as patch:
        patch.setattr(course, "run_converter", counting)
        code = main(argv)
    return code, stdout.getvalue() + stderr.getvalue()


CLI_EXPECTED = {
    "ann": ({"test_add": 2.0, "test_mean": 3.0, "why_mean": 0.0}, 5.0, True),     # ann's written answer waits
    "bob": ({"test_add": 2.0, "test_mean": 0.0, "why_mean": 0.0}, 2.0, False),    # bob left it blank
    "cy": ({"test_add": 0.0, "test_mean": 0.0, "why_mean": 0.0}, 0.0, True),
}


def test_cli_gradebook_writes_the_course_gradebook(graded):
    root, _, out, code, output = graded
    assert code == 1                               # cy's notebook could not be graded
    # the template course made for grading is also what --gradebook records: one generate_assignment
    assert GENERATED_BY_FIXTURE == ["GenerateAssignment"]
    url = default_url(root)
    assert f"gradebook {url}: toy recorded for 3 student(s), 2 with scores, 1 marked" in output
    assert scores_in(url, course_id=INSTRUCTOR_COURSE) == CLI_EXPECTED
    with Gradebook(url, INSTRUCTOR_COURSE) as gb:
        from nbgrader.api import Course
        courses = {c.id for c in gb.db.query(Course)}
        # the course id comes from the config; nbgrader's own preprocessors add "default_course" too
        assert INSTRUCTOR_COURSE in courses and COURSE_ID not in courses, courses
        (bob,) = gb.find_submission("toy", "bob").notebooks
        assert {c.name: c.auto_comment for c in bob.comments} == {"add": None, "mean": None,
                                                                  "why_mean": "No response."}
    for student in ("ann", "bob", "cy"):
        for kind in ("submitted", "autograded"):
            assert (root / kind / student / "toy" / "toy.ipynb").is_file(), (kind, student)
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        totals = {row["student"]: row["total"] for row in csv.DictReader(f)}
    assert totals == {"ann": "5", "bob": "2", "cy": ""}


def test_cli_gradebook_again_changes_nothing(graded):
    root, subs, out, _, _ = graded
    url = default_url(root)
    counts = row_counts(url, INSTRUCTOR_COURSE)
    code, output = run(["--root", str(root), "grade", str(subs), "--out", str(out), "--assignment", "toy",
                        "--no-progress", "--gradebook"])
    assert code == 1 and "toy recorded for 3 student(s)" in output
    # cy's broken notebook is retried, so this run grades too: one generate_assignment, reused by --gradebook
    assert GENERATED == ["GenerateAssignment"]
    assert row_counts(url, INSTRUCTOR_COURSE) == counts and scores_in(url, course_id=INSTRUCTOR_COURSE) == CLI_EXPECTED


def test_a_blank_answer_gets_nbgraders_no_response_comment(tmp_path):
    root = course_root(tmp_path)
    write(released(TOY), tmp_path / "subs", "blank", "toy.ipynb")
    argv = ["--root", str(root), "grade", str(tmp_path / "subs"), "--out", str(tmp_path / "out"),
            "--assignment", "toy", "--no-progress", "--gradebook"]
    assert run(argv)[0] == 0 and GENERATED == ["GenerateAssignment"]    # graded: its template is recorded
    assert run(argv)[0] == 0 and GENERATED == []                        # nothing to grade: nothing generated
    with Gradebook(default_url(root), INSTRUCTOR_COURSE) as gb:
        (nb,) = gb.find_submission("toy", "blank").notebooks
        assert {c.name: c.auto_comment for c in nb.comments} == {"add": "No response.", "mean": "No response.",
                                                                 "why_mean": "No response."}


def test_course_notebooks_are_rewritten_only_where_they_differ(graded, tmp_path):
    """Writing a batch again leaves the notebooks already in the course folder as they are; a folder
    with a stray file, or a symlink where a student's folder belongs, is replaced."""
    _, _, out, _, _ = graded
    course, url = course_root(tmp_path), f"sqlite:///{tmp_path / 'gradebook.db'}"
    results = [load_result(path) for path in sorted((out / "results").glob("*.json"))]
    write_gradebook(TOY, results, url, course_root=course, saved=out / "nbgrader")
    ann, cy = (course / "autograded" / student / "toy" / "toy.ipynb" for student in ("ann", "cy"))
    before = [(path.stat().st_ino, path.stat().st_mtime_ns) for path in (ann, cy)]      # cy's was not graded
    (course / "submitted" / "bob" / "toy" / "stray.txt").write_text("x", encoding="utf-8")
    shutil.rmtree(course / "autograded" / "bob" / "toy")
    (course / "autograded" / "bob" / "toy").symlink_to(tmp_path)
    write_gradebook(TOY, results, url, course_root=course, saved=out / "nbgrader")
    assert [(path.stat().st_ino, path.stat().st_mtime_ns) for path in (ann, cy)] == before
    assert os.listdir(course / "submitted" / "bob" / "toy") == ["toy.ipynb"]
    bob = course / "autograded" / "bob" / "toy"
    assert not bob.is_symlink() and not (tmp_path / "toy.ipynb").exists()
    kept = out / "nbgrader" / "autograded" / "bob" / "toy" / "toy.ipynb"
    assert (bob / "toy.ipynb").read_bytes() == kept.read_bytes()


def test_formgrader_shows_every_view_and_generate_feedback_works(graded, tmp_path):
    """formgrader itself, started on the course folder, answers every page the instructor opens."""
    import json
    import socket
    import time
    import urllib.request

    root, *_ = graded
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("jupyter")), "server", f"--port={port}", "--ip=127.0.0.1",
         "--no-browser", "--ServerApp.token=", "--ServerApp.password=", "--allow-root",
         f"--ServerApp.root_dir={root}", "--ServerApp.jpserver_extensions="
         "{'nbgrader.server_extensions.formgrader': True}"],
        cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTER_DATA_DIR": str(tmp_path / "data"),
             "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")})
    base = f"http://127.0.0.1:{port}/formgrader"

    def get(path):
        with urllib.request.urlopen(base + path, timeout=30) as response:
            return response.status, response.read().decode()

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get("/api/status")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "formgrader did not start"
                time.sleep(0.3)
        (assignment,) = json.loads(get("/api/assignments")[1])
        assert assignment["name"] == "toy" and assignment["num_submissions"] == 3
        submissions = json.loads(get("/api/submissions/toy")[1])
        assert {s["student"]: s["score"] for s in submissions} == {"ann": 5.0, "bob": 2.0, "cy": 0.0}
        students = {s["id"]: s["score"] for s in json.loads(get("/api/students")[1])}
        assert students == {"ann": 5.0, "bob": 2.0, "cy": 0.0}
        notebooks = json.loads(get("/api/submitted_notebooks/toy/toy")[1])   # the gradebook view
        assert {n["student"] for n in notebooks} == {"ann", "bob", "cy"}
        for page in ("/manage_assignments", "/manage_submissions/toy", "/gradebook", "/gradebook/toy",
                     "/gradebook/toy/toy", "/manage_students", "/manage_students/bob"):
            assert get(page)[0] == 200, page
        for n in notebooks:                                     # the manual-grading page of each
            status, body = get(f"/submissions/{n['id']}")
            assert status == 200 and "toy" in body, n["student"]
    finally:
        server.terminate()
        server.wait(timeout=30)
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.CourseDirectory.root = str(root)
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    assert api.generate_feedback("toy", "bob")["success"], "nbgrader generate_feedback failed"
    assert (root / "feedback" / "bob" / "toy" / "toy.html").is_file()


def test_cli_unreachable_database_keeps_the_grades(graded, tmp_path):
    root, subs, out, _, _ = graded
    before = (out / "grades.csv").read_text(encoding="utf-8")
    code, output = run(["--root", str(root), "grade", str(subs), "--out", str(out), "--assignment", "toy",
                        "--no-progress", "--db", f"sqlite:///{tmp_path}/no/such/folder/gradebook.db"])
    assert code == 1
    assert "error: cannot reach the gradebook database" in output
    assert f"the grades are saved in {out}" in output and "run the same command again" in output
    assert (out / "grades.csv").read_text(encoding="utf-8") == before


# -- PostgreSQL: a real server, started here ---------------------------------------------------
INSTALL_HINT = ("PostgreSQL's server programs (initdb, pg_ctl) were not found on PATH or in "
                "/usr/lib/postgresql/<version>/bin. Install them (Debian/Ubuntu: sudo apt-get install -y "
                "postgresql), or set NNFS_SKIP_POSTGRES=1 to skip the PostgreSQL gradebook tests on purpose")


def postgres_bin():
    """The folder holding initdb and pg_ctl, or None."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


@pytest.fixture(scope="module")
def postgres():
    """A throw-away PostgreSQL server on a Unix socket; yields a function making a fresh database URL."""
    if os.environ.get("NNFS_SKIP_POSTGRES") == "1":
        pytest.skip("NNFS_SKIP_POSTGRES=1: PostgreSQL gradebook tests skipped on purpose")
    bindir = postgres_bin()
    if bindir is None:
        pytest.fail(INSTALL_HINT)
    try:
        import psycopg
    except ImportError:
        pytest.fail("the PostgreSQL driver is missing: pip install -r requirements.txt (psycopg[binary])")
    # a short path (Unix socket paths are limited to ~100 bytes) that the server's user can reach
    folder = Path(tempfile.mkdtemp(prefix="nnfs-pg-", dir="/tmp" if os.path.isdir("/tmp") else None))
    as_user = {}
    if os.geteuid() == 0:                  # PostgreSQL refuses to run as root
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            user = pwd.getpwnam("nobody")
        os.chown(folder, user.pw_uid, user.pw_gid)
        as_user = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "HOME": str(folder)}

    def pg(*args):
        done = subprocess.run([str(bindir / args[0]), *args[1:]], capture_output=True, text=True, cwd=folder,
                              env=env, timeout=120, **as_user)
        assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"

    data = folder / "data"
    pg("initdb", "-D", str(data), "-U", "nnfs", "--auth=trust", "-E", "UTF8", "--no-sync")
    pg("pg_ctl", "-D", str(data), "-l", str(folder / "server.log"), "-w", "-t", "60", "-o",
       f"-c listen_addresses='' -k {folder} -c fsync=off", "start")
    made = []

    def new_database():
        name = f"gradebook{len(made)}"
        with psycopg.connect(host=str(folder), user="nnfs", dbname="postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        made.append(name)
        return f"postgresql://nnfs@/{name}?host={folder}"

    try:
        yield new_database
    finally:
        pg("pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def test_postgres_scores_formgrader_view_and_idempotence(postgres, tmp_path):
    url = postgres()
    with Gradebook(url, COURSE_ID) as gb:
        assert gb.engine.dialect.name == "postgresql"
    check_written(url, course_root(tmp_path))


def test_postgres_keeps_rows_written_by_others(postgres):
    check_keeps_other_rows(postgres())


def test_postgres_assignment_rows_match_generate_assignment(postgres, tmp_path):
    check_assignment_like_nbgrader(postgres(), tmp_path)


def test_postgres_schema_matches_nbgraders_own(postgres):
    check_schema_like_nbgrader(postgres(), postgres())


def test_postgres_rows_match_nbgraders_own(postgres, tmp_path):
    check_rows_like_nbgrader(postgres(), tmp_path)


def test_cli_db_url_writes_postgres(graded, postgres):
    root, subs, out, _, _ = graded
    url = postgres()
    argv = ["--root", str(root), "grade", str(subs), "--out", str(out), "--assignment", "toy", "--no-progress",
            "--db", url]
    code, output = run(argv)
    assert code == 1 and f"gradebook {url}: toy recorded for 3 student(s), 2 with scores" in output
    assert scores_in(url) == CLI_EXPECTED
    counts = row_counts(url)
    assert run(argv)[0] == 1
    assert row_counts(url) == counts and scores_in(url) == CLI_EXPECTED

