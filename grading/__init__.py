"""Instructor and student tooling around nbgrader: release, check and grade.

Run ``python -m grading --help``. The commands:

- ``release``: regenerate ``exercises/`` from ``solutions/`` (``--check`` only compares).
- ``check NOTEBOOK``: run a notebook and print a per-task table of its visible tests.
- ``grade SUBMISSIONS --out DIR``: grade a folder of submissions into grades.csv, feedback
  pages and a summary plot.
"""

import sys

# jsonschema (imported by nbformat and nbgrader) loads the optional rfc3987_syntax package for two
# string formats that no notebook uses; that import alone costs about 2.2-2.6 s of every command.
# Marking it absent makes jsonschema skip those two formats, as it does where the package is not
# installed. It is done here, before any grading module imports nbformat.
sys.modules.setdefault("rfc3987_syntax", None)
