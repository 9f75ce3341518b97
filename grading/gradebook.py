"""Write a batch's final scores into a course's nbgrader gradebook, so that formgrader shows them.

``grade --gradebook`` writes into the course's own ``gradebook.db`` (``sqlite:///<root>/gradebook.db``,
where nbgrader and formgrader look in a course folder); ``grade --db URL`` into any database
SQLAlchemy reaches, e.g. ``postgresql://user@/dbname?host=/run/postgresql`` (needs the ``psycopg``
driver). What is written:

- the assignment, its notebook, grade cells (with their points), solution cells and source cells
  (with checksums), exactly as ``nbgrader generate_assignment`` records them: nbgrader's own
  GenerateAssignment runs on a scratch copy of the source notebook with this database as its
  gradebook;
- every student of the batch, and one submission per student whose grade cells hold the
  autograder's score (``auto_score``), as ``nbgrader autograde`` would set them. A score an
  instructor gave by hand in formgrader (``manual_score``) is kept and, as in nbgrader, the cell
  is then marked for review.

A student whose notebook could not be graded (status ``error`` or ``timeout``) still gets a
submission, with no automatic score on any cell and every cell marked "needs manual grading":
formgrader counts it as 0 and lists it for the instructor to look at, as nbgrader does for a
notebook whose kernel died, instead of leaving the student out where nobody would notice. The
reason is in ``grades.csv`` and the command's output.

Running it again updates the same rows: no duplicate, scores replaced by the latest ones. Rows
it does not own (other assignments, other students, names and e-mails, manual scores and
comments) are left as they are.
"""

import re
import shutil
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from grading.course import COURSE_ID, GradingError, make_course


class GradebookError(GradingError):
    """The gradebook could not be reached or written; the message says why and what to do."""


def default_url(root):
    """The gradebook nbgrader and formgrader use in the course folder ``root``."""
    return f"sqlite:///{(Path(root).resolve() / 'gradebook.db')}"


def shown_url(url):
    """``url`` with any password hidden, for messages."""
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


@dataclass
class Written:
    """What :func:`write_gradebook` recorded."""

    url: str
    assignment: str
    graded: list = field(default_factory=list)        # student ids with their scores
    flagged: list = field(default_factory=list)       # student ids marked for manual grading

    def summary(self):
        n = len(self.graded) + len(self.flagged)
        line = (f"gradebook {shown_url(self.url)}: {self.assignment} recorded for {n} student(s), "
                f"{len(self.graded)} with scores")
        if self.flagged:
            line += (f", {len(self.flagged)} marked 'needs manual grading' (not graded: "
                     f"{', '.join(self.flagged)})")
        return line


def _reason(error):
    """The first line of what the database driver said."""
    return str(getattr(error, "orig", None) or error).strip().splitlines()[0]


def _connect(url):
    """Fail early, with a clear message, when the database cannot be reached."""
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(url)
    except Exception as error:        # a malformed URL or a missing driver
        hint = ""
        if isinstance(error, ModuleNotFoundError) or "psycopg" in str(error):
            hint = " (PostgreSQL needs the driver: pip install 'psycopg[binary]')"
        raise GradebookError(f"cannot use the gradebook URL {shown_url(url)}: {error}{hint}") from error
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as error:
        raise GradebookError(f"cannot reach the gradebook database {shown_url(url)}: {_reason(error)}") from error
    finally:
        engine.dispose()


def record_assignment(assignment, url, course_id=COURSE_ID):
    """Record the assignment's notebook and cells in the gradebook, as generate_assignment does."""
    scratch = Path(tempfile.mkdtemp(prefix="nnfs-gradebook-"))
    try:
        make_course(assignment, scratch / "course",
                    **{"CourseDirectory.db_url": url, "CourseDirectory.course_id": course_id})
    except GradingError as error:
        text = str(error)
        if "because there are submissions associated with it" in text:
            raise GradebookError(
                f"the gradebook {shown_url(url)} already holds submissions of {assignment.name} made "
                f"with other cells than {assignment.source} has now; nbgrader will not change the cells "
                "of an assignment that has submissions. Remove that assignment's submissions in "
                "formgrader (or use another --db) and run again") from error
        raise GradebookError(f"could not record {assignment.name} in the gradebook {shown_url(url)}: "
                             f"{text}") from error
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def write_gradebook(assignment, results, url, course_id=COURSE_ID):
    """Record ``results`` (grading.grade.Result, one per student) for ``assignment`` at ``url``.

    Returns a :class:`Written`. Raises GradebookError when the database cannot be reached or
    written; the caller's own files (grades.csv, results/) are not touched here.
    """
    import nbformat
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    from grading.grade import tasks_of

    _connect(url)
    record_assignment(assignment, url, course_id)
    tests = {grade_id for grade_id, _ in tasks_of(nbformat.read(assignment.source, as_version=4))}
    notebook_id = Path(assignment.notebook).stem
    written = Written(url, assignment.name)
    try:
        with warnings.catch_warnings(), Gradebook(url, course_id) as gb:
            # nbgrader's add_submission trips SQLAlchemy's autoflush warnings; harmless here
            warnings.simplefilter("ignore", SAWarning)
            for result in sorted(results, key=lambda r: r.student):
                gb.update_or_create_student(result.student)
                gb.update_or_create_submission(assignment.name, result.student)
                notebook = gb.find_submission_notebook(notebook_id, assignment.name, result.student)
                for grade in notebook.grades:
                    if grade.name not in tests:
                        continue      # a cell graded by hand: formgrader's job, not the autograder's
                    score = result.scores.get(grade.name) if result.graded else None
                    grade.auto_score = None if score is None else float(score)
                    # nbgrader's rule (SaveAutoGrades): a hand-given score, or no automatic one,
                    # means a person has to look at this cell
                    grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
                gb.db.commit()
                (written.graded if result.graded else written.flagged).append(result.student)
    except Exception as error:
        raise GradebookError(f"could not write the scores into the gradebook {shown_url(url)}: "
                             f"{_reason(error)}") from error
    return written
