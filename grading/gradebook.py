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


def _create_if_new(url):
    """Give a database without tables nbgrader's gradebook schema, stamped with its alembic revision,
    as nbgrader's Gradebook does for a new database, but in one transaction.

    Python's sqlite3 module runs each CREATE statement in a transaction of its own, so nbgrader
    makes a new SQLite gradebook with 64 disk syncs, each a wait for the disk: 35 ms in all on an
    idle local disk, far more on a busy one or a network file system. Here SQLite gets explicit
    transactions (SQLAlchemy's recipe for pysqlite) on this engine only, and syncs 4 times;
    PostgreSQL already runs the statements in one transaction.
    """
    import nbgrader.api
    from sqlalchemy import create_engine, event, inspect, text

    stamp_in_process()
    engine = create_engine(url)
    if engine.dialect.driver == "pysqlite":
        @event.listens_for(engine, "connect")
        def _no_implicit_transactions(dbapi_connection, _):
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN")
    try:
        with engine.begin() as conn:
            if inspect(conn).get_table_names():
                return
            nbgrader.api.Base.metadata.create_all(conn)
            # nbgrader's own statements (Gradebook.__init__)
            conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL);"))
            conn.execute(text("INSERT INTO alembic_version (version_num) VALUES ('{}');".format(
                nbgrader.api.get_alembic_version())))
    finally:
        engine.dispose()


def template_of(assignment, course):
    """The assignment as ``nbgrader generate_assignment`` records it: a scratch course at ``course``
    (its ``gradebook.db`` and released notebook), made once and reused as the reference that
    :func:`_record_assignment` copies from. ``grade`` keeps the one it graded with in
    ``out/nbgrader/template``."""
    release = make_course(assignment, course)
    return Path(course) / "gradebook.db", release


CELL_KINDS = ("grade", "solution", "task", "source")


def _cells(nb):
    """The rows generate_assignment records for one notebook (an nbgrader ``Notebook``), as plain data."""
    return {"kernelspec": nb.kernelspec,
            "grade": {c.name: {"max_score": c.max_score, "cell_type": c.cell_type} for c in nb.grade_cells},
            "solution": {c.name: {} for c in nb.solution_cells},
            "task": {c.name: {"max_score": c.max_score, "cell_type": c.cell_type} for c in nb.task_cells},
            "source": {c.name: {"cell_type": c.cell_type, "locked": c.locked, "source": c.source,
                                "checksum": c.checksum} for c in nb.source_cells}}


def _reference_cells(reference, assignment_id, notebook_id):
    """:func:`_cells` of the notebook in the gradebook file ``reference`` (see :func:`template_of`),
    read without nbgrader's Gradebook, which would first check every table of that file."""
    from nbgrader.api import Assignment, Notebook
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    engine = create_engine(f"sqlite:///{reference}")
    try:
        with Session(engine) as session:
            return _cells(session.query(Notebook).join(Assignment, Notebook.assignment_id == Assignment.id)
                          .filter(Notebook.name == notebook_id, Assignment.name == assignment_id).one())
    finally:
        engine.dispose()


def _record_assignment(gb, assignment, wanted, url):
    """Record the assignment's notebook and cells (``wanted``, from :func:`_reference_cells`) in the
    open Gradebook ``gb`` as generate_assignment does: nothing is written when they are already
    there. nbgrader's rule holds: the cells of an assignment with submissions cannot change.

    The cells are nbgrader's own objects, made as its ``add_*_cell`` methods make them, without
    the two queries each of those methods runs first.
    """
    from nbgrader.api import GradeCell, MissingEntry, Notebook, SolutionCell, SourceCell, TaskCell

    notebook_id = Path(assignment.notebook).stem
    found = gb.update_or_create_assignment(assignment.name)
    others = [nb.name for nb in found.notebooks if nb.name != notebook_id]
    try:
        notebook = gb.find_notebook(notebook_id, assignment.name)
        have = _cells(notebook)
    except MissingEntry:
        notebook = have = None
    if have == wanted and not others:
        return
    if found.submissions and (others or have is None or any(set(have[kind]) != set(wanted[kind])
                                                            for kind in CELL_KINDS)):
        raise GradebookError(
            f"the gradebook {shown_url(url)} already holds submissions of {assignment.name} made "
            f"with other cells than {assignment.source} has now; nbgrader will not change the cells "
            "of an assignment that has submissions. Remove that assignment's submissions in "
            "formgrader (or use another --db) and run again")
    for name in others + ([notebook_id] if have is not None and not found.submissions else []):
        gb.remove_notebook(name, assignment.name)
    gb.db.flush()
    existing = {kind: {} for kind in CELL_KINDS}
    if have is None or not found.submissions:      # as gb.add_notebook
        notebook = Notebook(name=notebook_id, assignment=found, kernelspec=wanted["kernelspec"])
        gb.db.add(notebook)
    else:
        existing = {kind: {c.name: c for c in cells} for kind, cells in (
            ("grade", notebook.grade_cells), ("solution", notebook.solution_cells),
            ("task", notebook.task_cells), ("source", notebook.source_cells))}
    for kind, model in zip(CELL_KINDS, (GradeCell, SolutionCell, TaskCell, SourceCell)):
        for name, info in wanted[kind].items():
            cell = existing[kind].get(name)
            if cell is None:                        # as gb.add_<kind>_cell
                gb.db.add(model(name=name, notebook=notebook, **info))
            else:                                   # as gb.update_or_create_<kind>_cell
                for key, value in info.items():
                    setattr(cell, key, value)


@contextlib.contextmanager
def _one_transaction(session):
    """Write a whole batch in one transaction: all of it or, on an error, nothing.

    nbgrader's Gradebook methods commit after every row they add, change or remove, and each commit
    is a disk sync and expires every object loaded so far. Inside this block those commits do
    nothing: the rows go to the database when a query needs them (SQLAlchemy's autoflush) or at the
    one real commit at the end, where a violated constraint rolls everything back.
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


def _auto_score(result, name, tests):
    """The automatic score of the cell ``name`` in ``result``, as ``nbgrader autograde`` sets it: the
    test's score; for a written answer 0 if untouched ("No response."), else None (a person grades
    it); None for every cell of a notebook that could not be graded."""
    if not result.graded:
        return None
    score = result.scores.get(name) if name in tests else result.recorded_score(name)
    return None if score is None else float(score)


def _needs_manual_grade(auto_score, manual_score):
    """nbgrader's rule (SaveAutoGrades): a person has to look at a cell with a hand-given score or no
    automatic one."""
    return manual_score is not None or auto_score is None


def _write_scores(gb, assignment_id, notebook_id, results, tests):
    """Record every result's submission, grades and comments, as ``nbgrader autograde`` leaves them.

    A new submission gets the rows nbgrader's ``add_submission`` makes (its student too, if new): a
    grade per grade cell, a comment per solution cell, both per task cell, here with their final
    values. The rows of an existing submission are updated where they differ; a score given by hand
    in formgrader is kept. Each table gets one statement for all of its rows: going through
    nbgrader's objects, one row at a time, costs seconds for a class.
    """
    from nbgrader.api import (BaseCell, Comment, Grade, Student, SubmittedAssignment, SubmittedNotebook,
                              new_uuid)
    from sqlalchemy import bindparam, insert, select, update

    gb.db.flush()                              # the assignment's cells, if just recorded
    notebook = gb.find_notebook(notebook_id, assignment_id)
    graded = [(c.id, c.name) for c in notebook.grade_cells + notebook.task_cells]
    commented = [(c.id, c.name) for c in notebook.solution_cells + notebook.task_cells]
    by_student = {r.student: r for r in results}

    def current(table, *columns):
        """(student id, cell name, row id, columns...) of the batch's existing rows in ``table``."""
        query = (select(SubmittedAssignment.student_id, BaseCell.name, table.id, *columns)
                 .join(BaseCell, table.cell_id == BaseCell.id)
                 .join(SubmittedNotebook, table.notebook_id == SubmittedNotebook.id)
                 .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
                 .where(SubmittedNotebook.notebook_id == notebook.id))
        return [row for row in gb.db.execute(query) if row[0] in by_student]

    grades = []
    for student, name, row_id, auto, manual, needs_manual in current(
            Grade, Grade.auto_score, Grade.manual_score, Grade.needs_manual_grade):
        score = _auto_score(by_student[student], name, tests)
        needs = _needs_manual_grade(score, manual)
        if (auto, needs_manual) != (score, needs):
            grades.append({"row": row_id, "auto": score, "manual": needs})
    if grades:
        gb.db.execute(update(Grade.__table__).where(Grade.__table__.c.id == bindparam("row"))
                      .values(auto_score=bindparam("auto"), needs_manual_grade=bindparam("manual")), grades)
    comments = [{"row": row_id, "comment": wanted}
                for student, name, row_id, comment in current(Comment, Comment.auto_comment)
                if comment != (wanted := by_student[student].recorded_comment(name))]
    if comments:
        gb.db.execute(update(Comment.__table__).where(Comment.__table__.c.id == bindparam("row"))
                      .values(auto_comment=bindparam("comment")), comments)

    have = set(gb.db.execute(select(SubmittedAssignment.student_id)
                             .where(SubmittedAssignment.assignment_id == notebook.assignment_id)).scalars())
    known = set(gb.db.execute(select(Student.id)).scalars())
    rows = {Student: [], SubmittedAssignment: [], SubmittedNotebook: [], Grade: [], Comment: []}
    for student in sorted(set(by_student) - have):
        result = by_student[student]
        if student not in known:
            rows[Student].append({"id": student})
        submission, submitted = new_uuid(), new_uuid()
        rows[SubmittedAssignment].append({"id": submission, "assignment_id": notebook.assignment_id,
                                          "student_id": student})
        rows[SubmittedNotebook].append({"id": submitted, "assignment_id": submission, "notebook_id": notebook.id})
        for cell_id, name in graded:
            score = _auto_score(result, name, tests)
            rows[Grade].append({"id": new_uuid(), "notebook_id": submitted, "cell_id": cell_id,
                                "auto_score": score, "needs_manual_grade": _needs_manual_grade(score, None)})
        for cell_id, name in commented:
            rows[Comment].append({"id": new_uuid(), "notebook_id": submitted, "cell_id": cell_id,
                                  "auto_comment": result.recorded_comment(name)})
    for table, values in rows.items():              # in this order: a row's parents first
        if values:
            gb.db.execute(insert(table.__table__), values)


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

    from grading.cells import tasks_of

    _connect(url)
    notebook_id = Path(assignment.notebook).stem
    scratch = Path(tempfile.mkdtemp(prefix="nnfs-gradebook-"))
    try:
        kept = Path(saved) / "template" if saved is not None else None
        if kept is not None and (kept / "gradebook.db").is_file():
            reference, release = kept / "gradebook.db", kept / assignment.notebook
        else:
            reference, release = template_of(assignment, scratch / "course")
        release = release.read_text(encoding="utf-8")
        wanted = _reference_cells(reference, assignment.name, notebook_id)
    except Exception as error:
        raise GradebookError(f"could not read {assignment.name} as nbgrader generate_assignment records it: "
                             f"{_reason(error)}") from error
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    tests = {grade_id for grade_id, _ in tasks_of(nbformat.read(assignment.source, as_version=4))}
    try:
        _create_if_new(url)
        with Gradebook(url, course_id) as gb, _one_transaction(gb.db):
            _record_assignment(gb, assignment, wanted, url)
            _write_scores(gb, assignment.name, notebook_id, results, tests)
    except GradebookError:
        raise
    except Exception as error:
        raise GradebookError(f"could not write {assignment.name} into the gradebook {shown_url(url)}: "
                             f"{_reason(error)}") from error
    written = Written(url, assignment.name)
    for result in sorted(results, key=lambda r: r.student):
        (written.graded if result.graded else written.flagged).append(result.student)
    if course_root is not None and saved is not None:
        for result in results:
            _place_notebooks(assignment, result, Path(course_root), Path(saved), release)
    return written


def _place_notebooks(assignment, result, course_root, saved, release):
    """Put a student's submitted and autograded notebooks where nbgrader keeps them in a course."""
    import nbformat

    placeholder = None                 # the released notebook with a note, for both kinds
    for kind in ("submitted", "autograded"):
        kept = saved / kind / result.student / assignment.name / assignment.notebook
        if result.graded and kept.is_file():
            content = kept.read_bytes()
        else:
            if placeholder is None:
                nb = nbformat.reads(release, as_version=4)
                reason = "; ".join(result.messages) or result.status
                nb.cells.insert(0, nbformat.v4.new_markdown_cell(
                    f"**Not graded automatically** ({result.status}): {reason}\n\nThe student's answers are "
                    "not shown here; see their submission and grades.csv.", id="nnfs-not-graded"))  # same id each time
                placeholder = nbformat.writes(nb).encode("utf-8")
            content = placeholder
        _one_file_folder(course_root / kind / result.student / assignment.name, assignment.notebook, content)


def _one_file_folder(folder, name, content):
    """Make ``folder`` hold one file, ``name``, with ``content`` (bytes). A folder that already does
    is left as it is: writing a batch again rewrites nothing."""
    path = folder / name
    with contextlib.suppress(OSError):
        if (not folder.is_symlink() and [p.name for p in folder.iterdir()] == [name] and not path.is_symlink()
                and path.is_file() and path.read_bytes() == content):
            return
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        folder.unlink()
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    path.write_bytes(content)
