"""Write a batch's final scores into a course's nbgrader gradebook, so that formgrader shows them.

``grade --gradebook`` writes into the course's own ``gradebook.db`` (``sqlite:///<root>/gradebook.db``,
where nbgrader and formgrader look in a course folder); ``grade --db URL`` into any database
SQLAlchemy reaches, e.g. ``postgresql://user@/dbname?host=/run/postgresql`` (needs the ``psycopg``
driver). What is written:

- the assignment, its notebook, grade cells (with their points), solution cells and source cells
  (with checksums), exactly as ``nbgrader generate_assignment`` records them: copied from the
  gradebook of the template course ``grade`` made with nbgrader's own GenerateAssignment (kept in
  ``out/nbgrader/template``), or of one made here when there is none;
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

import contextlib
import re
import shutil
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from grading.course import COURSE_ID, GradingError, make_course, stamp_in_process


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


def template_of(assignment, course):
    """The assignment as ``nbgrader generate_assignment`` records it: a scratch course at ``course``
    (its ``gradebook.db`` and released notebook), made once and reused as the reference that
    :func:`record_assignment` copies from. ``grade`` keeps the one it graded with in
    ``out/nbgrader/template``."""
    release = make_course(assignment, course)
    return Path(course) / "gradebook.db", release


def _cells(gb, assignment_id, notebook_id):
    """The rows generate_assignment records for one notebook, as plain data."""
    nb = gb.find_notebook(notebook_id, assignment_id)
    return {"kernelspec": nb.kernelspec,
            "grade": {c.name: {"max_score": c.max_score, "cell_type": c.cell_type} for c in nb.grade_cells},
            "solution": {c.name: {} for c in nb.solution_cells},
            "task": {c.name: {"max_score": c.max_score, "cell_type": c.cell_type} for c in nb.task_cells},
            "source": {c.name: {"cell_type": c.cell_type, "locked": c.locked, "source": c.source,
                                "checksum": c.checksum} for c in nb.source_cells}}


def record_assignment(assignment, url, course_id, reference):
    """Record the assignment's notebook and cells at ``url`` as generate_assignment does, copied from
    the gradebook file ``reference`` (see :func:`template_of`): nothing is written when they are
    already there. nbgrader's rule holds: the cells of an assignment with submissions cannot change.
    """
    from nbgrader.api import Gradebook, MissingEntry

    notebook_id = Path(assignment.notebook).stem
    stamp_in_process()
    with Gradebook(f"sqlite:///{reference}", COURSE_ID) as ref:
        wanted = _cells(ref, assignment.name, notebook_id)
    with Gradebook(url, course_id) as gb, _one_transaction(gb.db):
        found = gb.update_or_create_assignment(assignment.name)
        others = [nb.name for nb in found.notebooks if nb.name != notebook_id]
        try:
            have = _cells(gb, assignment.name, notebook_id)
        except MissingEntry:
            have = None
        if have == wanted and not others:
            return
        if found.submissions and (others or have is None or any(
                set(have[kind]) != set(wanted[kind]) for kind in ("grade", "solution", "task", "source"))):
            raise GradebookError(
                f"the gradebook {shown_url(url)} already holds submissions of {assignment.name} made "
                f"with other cells than {assignment.source} has now; nbgrader will not change the cells "
                "of an assignment that has submissions. Remove that assignment's submissions in "
                "formgrader (or use another --db) and run again")
        for name in others + ([notebook_id] if have is not None and not found.submissions else []):
            gb.remove_notebook(name, assignment.name)
        if have is None or not found.submissions:
            gb.add_notebook(notebook_id, assignment.name, kernelspec=wanted["kernelspec"])
        for kind, add in (("grade", gb.update_or_create_grade_cell), ("solution", gb.update_or_create_solution_cell),
                          ("task", gb.update_or_create_task_cell), ("source", gb.update_or_create_source_cell)):
            for name, info in wanted[kind].items():
                add(name, notebook_id, assignment.name, **info)


def _rows(gb, assignment_id, notebook_id):
    """Every grade and comment of one notebook's submissions, in two queries: lists of
    (student id, cell name, row)."""
    from nbgrader.api import (Assignment, BaseCell, Comment, Grade, Notebook, SubmittedAssignment,
                              SubmittedNotebook)

    def query(table):
        return (gb.db.query(SubmittedAssignment.student_id, BaseCell.name, table)
                .join(BaseCell, table.cell_id == BaseCell.id)
                .join(SubmittedNotebook, table.notebook_id == SubmittedNotebook.id)
                .join(Notebook, SubmittedNotebook.notebook_id == Notebook.id)
                .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
                .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
                .filter(Assignment.name == assignment_id, Assignment.course_id == gb.course_id,
                        Notebook.name == notebook_id)
                .all())

    return query(Grade), query(Comment)


@contextlib.contextmanager
def _one_transaction(session):
    """Write a whole batch in one transaction: all of it or, on an error, nothing.

    nbgrader's Gradebook commits after every row it adds or changes, and each commit expires every
    object it loaded: for 300 students that is about a thousand commits (each a disk sync) and
    thousands of reloads. Inside this block its commits do nothing: the rows go to the database
    when a query needs them (SQLAlchemy's autoflush) or at the one real commit at the end, where a
    violated constraint rolls everything back.
    """
    commit = session.commit
    session.commit = lambda: None     # a query still sends what it needs first (autoflush)
    try:
        yield
    except BaseException:
        session.commit = commit
        session.rollback()
        raise
    session.commit = commit
    session.commit()


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
    scratch = Path(tempfile.mkdtemp(prefix="nnfs-gradebook-"))
    try:
        kept = Path(saved) / "template" if saved is not None else None
        if kept is not None and (kept / "gradebook.db").is_file():
            reference, release = kept / "gradebook.db", kept / assignment.notebook
        else:
            reference, release = template_of(assignment, scratch / "course")
        release = release.read_text(encoding="utf-8")
        record_assignment(assignment, url, course_id, reference)
    except GradebookError:
        raise
    except Exception as error:
        raise GradebookError(f"could not record {assignment.name} in the gradebook {shown_url(url)}: "
                             f"{_reason(error)}") from error
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    tests = {grade_id for grade_id, _ in tasks_of(nbformat.read(assignment.source, as_version=4))}
    notebook_id = Path(assignment.notebook).stem
    written = Written(url, assignment.name)
    try:
        with warnings.catch_warnings(), Gradebook(url, course_id) as gb, _one_transaction(gb.db):
            # nbgrader's add_submission trips SQLAlchemy's autoflush warnings; harmless here
            warnings.simplefilter("ignore", SAWarning)
            by_student = {r.student: r for r in results}
            have = {sub.student_id for sub in gb.find_assignment(assignment.name).submissions}
            new = sorted(set(by_student) - have)
            with gb.db.no_autoflush:       # the new rows go to the database together
                for student in new:
                    gb.update_or_create_student(student)
                gb.db.flush()
                for student in new:
                    gb.add_submission(assignment.name, student)
            grades, comments = _rows(gb, assignment.name, notebook_id)
            for student, name, grade in grades:
                result = by_student.get(student)
                if result is None:
                    continue                           # another batch's student: not ours to change
                if not result.graded:
                    score = None
                elif name in tests:
                    score = result.scores.get(name)
                else:     # a written answer: 0 if untouched ("No response."), else None (a person grades it)
                    score = result.recorded_score(name)
                grade.auto_score = None if score is None else float(score)
                # nbgrader's rule (SaveAutoGrades): a hand-given score, or no automatic one, means a
                # person has to look at this cell
                grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
            for student, name, comment in comments:
                if student in by_student:
                    # nbgrader's own comment ("No response." for an untouched answer), if it made one
                    comment.auto_comment = by_student[student].recorded_comment(name)
            for result in sorted(results, key=lambda r: r.student):
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
