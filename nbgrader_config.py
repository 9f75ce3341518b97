"""nbgrader configuration for the course.

Source notebooks (with solutions and hidden tests) live in ``solutions/NN-topic/``;
``nbgrader generate_assignment NN-topic`` (or ``python -m grading release``) writes the
student versions into ``exercises/NN-topic/``.
"""

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.root = "."
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.course_id = "nn-from-scratch"

# One pass/fail rule for `python -m grading grade`, `check` and nbgrader itself (a formgrader regrade,
# `nbgrader autograde`): a test fails when it raises, not when correct code prints a warning.
from grading.execute import AUTOGRADE_PREPROCESSORS  # noqa: E402

c.Autograde.autograde_preprocessors = AUTOGRADE_PREPROCESSORS
