"""Instructor and student tooling around nbgrader: release, check and grade.

Run ``python -m grading --help``. The commands:

- ``release``: regenerate ``exercises/`` from ``solutions/`` (``--check`` only compares).
- ``check NOTEBOOK``: run a notebook and print a per-task table of its visible tests.
- ``grade SUBMISSIONS --out DIR``: grade a folder of submissions into grades.csv, feedback
  pages and a summary plot.
"""
