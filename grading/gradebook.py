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
  autograder's score (``auto_score``), as ``nbgrader autograde`` would set them: the tests' scores,
  and for a written answer 0 when it was left untouched ("No response.") and none otherwise (a
  person grades it in formgrader). A score an
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
    """Record the assignment's notebook and cells in the gradebook, as generate_assignment does.

    Returns the released (student) notebook as text.
    """
    scratch = Path(tempfile.mkdtemp(prefix="nnfs-gradebook-"))
    try:
        release = make_course(assignment, scratch / "course",
                              **{"CourseDirectory.db_url": url, "CourseDirectory.course_id": course_id})
        return release.read_text(encoding="utf-8")
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


def write_gradebook(assignment, results, url, course_id=COURSE_ID, course_root=None, saved=None):
    """Record ``results`` (grading.grade.Result, one per student) for ``assignment`` at ``url``.

    With ``course_root`` and ``saved`` (a batch's ``out/nbgrader`` folder), the course folder also
    gets each student's ``submitted/`` and ``autograded/`` notebooks, as ``nbgrader collect`` and
    ``nbgrader autograde`` leave them, so that every formgrader page and ``nbgrader
    generate_feedback`` work. A student whose notebook could not be graded gets the released
    notebook there, with the reason at its top, for the person who grades it by hand.

    Returns a :class:`Written`. Raises GradebookError when the database cannot be reached or
    written; the caller's own files (grades.csv, results/) are not touched here.
    """
    import nbformat
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    from grading.cells import tasks_of

    _connect(url)
    release = record_assignment(assignment, url, course_id)
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
                recorded = result.nbgrader or {}
                for grade in notebook.grades:
                    if not result.graded:
                        score = None
                    elif grade.name in tests:
                        score = result.scores.get(grade.name)
                    else:     # a written answer: 0 if untouched ("No response."), else None (a person grades it)
                        score = recorded.get("grades", {}).get(grade.name, {}).get("auto_score")
                    grade.auto_score = None if score is None else float(score)
                    # nbgrader's rule (SaveAutoGrades): a hand-given score, or no automatic one,
                    # means a person has to look at this cell
                    grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
                for comment in notebook.comments:
                    # nbgrader's own comment ("No response." for an untouched answer), if it made one
                    comment.auto_comment = recorded.get("comments", {}).get(comment.name)
                gb.db.commit()
                (written.graded if result.graded else written.flagged).append(result.student)
    except Exception as error:
        raise GradebookError(f"could not write the scores into the gradebook {shown_url(url)}: "
                             f"{_reason(error)}") from error
    if course_root is not None and saved is not None:
        for result in results:
            _place_notebooks(assignment, result, Path(course_root), Path(saved), release)
    return written


def _place_notebooks(assignment, result, course_root, saved, release):
    """Put a student's submitted and autograded notebooks where nbgrader keeps them in a course."""
    import nbformat

    for kind in ("submitted", "autograded"):
        source = saved / kind / result.student / assignment.name
        target = course_root / kind / result.student / assignment.name
        if target.is_symlink() or (target.exists() and not target.is_dir()):
            target.unlink()
        shutil.rmtree(target, ignore_errors=True)
        if result.graded and source.is_dir():
            shutil.copytree(source, target, symlinks=True)
            continue
        nb = nbformat.reads(release, as_version=4)
        reason = "; ".join(result.messages) or result.status
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(
            f"**Not graded automatically** ({result.status}): {reason}\n\nThe student's answers are not "
            "shown here; see their submission and grades.csv."))
        target.mkdir(parents=True)
        nbformat.write(nb, target / assignment.notebook)
