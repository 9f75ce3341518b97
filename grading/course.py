"""Where the course's assignments live, and nbgrader driven in-process on scratch courses.

An *assignment* is a folder ``solutions/NN-topic/`` holding one nbgrader source notebook
``topic.ipynb``. Every nbgrader run here happens in a throw-away course directory (its own
``source/``, ``release/`` and ``gradebook.db``), so nothing nbgrader writes ever lands in the
repository and one student's grading cannot touch another's.
"""

import functools
import logging
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from traitlets.config import Config

ROOT = Path(__file__).resolve().parent.parent
COURSE_ID = "nn-from-scratch"

# Jupyter finds kernels next to the interpreter: make the environment's scripts reachable even when
# it is not activated.
_BIN = str(Path(sys.executable).parent)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")


@functools.cache
def _alembic_head():
    """The newest revision of nbgrader's gradebook schema, read from its own migration scripts.

    nbgrader stamps every new gradebook with it by running the ``alembic`` command, which costs
    about 5 s per gradebook; reading it in-process gives the same revision once per batch.
    """
    import nbgrader
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(Path(nbgrader.__file__).parent / "alembic")).get_current_head()


def stamp_in_process():
    """Make nbgrader stamp a new gradebook with its schema revision without the alembic command."""
    import nbgrader.api

    nbgrader.api.get_alembic_version = _alembic_head


class GradingError(Exception):
    """A problem the user can fix; the message says how."""


@dataclass(frozen=True)
class Assignment:
    """One graded exercise: ``solutions/<name>/<notebook>.ipynb``."""

    name: str
    source: Path

    @property
    def notebook(self):
        """The notebook's file name, e.g. ``neurons.ipynb``."""
        return self.source.name


def find_assignments(root=ROOT):
    """Every assignment under ``root/solutions``, sorted by name, as {name: Assignment}."""
    found = {}
    for folder in sorted((Path(root) / "solutions").glob("*/")):
        notebooks = sorted(folder.glob("*.ipynb"))
        if len(notebooks) != 1:
            raise GradingError(f"{folder} should hold exactly one source notebook, found {len(notebooks)}")
        found[folder.name] = Assignment(folder.name, notebooks[0])
    return found


def get_assignment(name, root=ROOT):
    """The assignment called ``name``, or a GradingError listing the ones that exist."""
    assignments = find_assignments(root)
    if name not in assignments:
        raise GradingError(f"no assignment {name!r} in {Path(root) / 'solutions'}; "
                           f"choose one of: {', '.join(assignments) or '(none)'}")
    return assignments[name]


def configured_course_id(root):
    """The course id the instructor's ``root/nbgrader_config.py`` sets (nbgrader's default if none)."""
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config_file = Path(root) / "nbgrader_config.py"
    if not config_file.is_file():
        return CourseDirectory().course_id
    config = PyFileConfigLoader(config_file.name, path=str(config_file.parent)).load_config()
    return CourseDirectory(config=config).course_id


def nbgrader_config(course, **settings):
    """An nbgrader Config for the scratch course at ``course``; ``settings`` like {"Execute.timeout": 30}."""
    c = Config()
    c.CourseDirectory.root = str(course)
    c.CourseDirectory.course_id = COURSE_ID
    c.CourseDirectory.db_url = f"sqlite:///{Path(course) / 'gradebook.db'}"
    for key, value in settings.items():
        section, name = key.split(".")
        setattr(c[section], name, value)
    return c


def run_converter(converter_class, course, assignment, student=None, **settings):
    """Run an nbgrader converter (GenerateAssignment, Autograde, ...) on a scratch course.

    nbgrader's log goes to ``course/nbgrader.log``. Raises GradingError with the log's tail
    if nbgrader reports a failure.
    """
    from nbgrader.coursedir import CourseDirectory

    stamp_in_process()
    config = nbgrader_config(course, **settings)
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment.name
    if student is not None:
        coursedir.student_id = student
    app = converter_class(coursedir=coursedir, config=config)
    app.force = True
    log_path = Path(course) / "nbgrader.log"
    handler = logging.FileHandler(log_path)
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    app.log.addHandler(handler)
    app.log.propagate = False
    quiet = [h for h in app.log.handlers if h is not handler]
    for h in quiet:
        app.log.removeHandler(h)
    try:
        app.start()
    except Exception as error:
        handler.flush()
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-15:])
        raise GradingError(f"nbgrader {converter_class.__name__} failed: {error}\n{tail}") from error
    finally:
        app.log.removeHandler(handler)
        for h in quiet:
            app.log.addHandler(h)
        handler.close()


def make_course(assignment, course, **settings):
    """Create a scratch course at ``course`` with the assignment's source notebook, and release it.

    The release step fills ``course/gradebook.db`` (or the gradebook named by a
    ``"CourseDirectory.db_url"`` setting) with the assignment's cells and checksums, which grading
    needs. Returns the path of the generated student notebook.
    """
    from nbgrader.converters import GenerateAssignment

    course = Path(course)
    source = course / "source" / assignment.name
    source.mkdir(parents=True)
    shutil.copy2(assignment.source, source / assignment.notebook)
    run_converter(GenerateAssignment, course, assignment,
                  **{"GenerateAssignment.create_assignment": True, **settings})
    return course / "release" / assignment.name / assignment.notebook
