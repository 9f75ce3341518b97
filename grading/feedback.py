"""Feedback pages for students: the released exercise with their answers, their scores and no hidden tests.

nbgrader's own feedback shows the hidden tests' source and, when one fails, its traceback, which
gives the answers away. A kernel's output cannot be trusted either: an answer cell that prints
``In`` (the text of every cell run so far) or raises an exception whose message quotes the test
being run would carry hidden tests into the page. So the page is built from trusted data only:

- the released notebook (task text and the visible part of each test, as the student has it),
- the student's own answer code, as submitted (no output of the run is shown),
- per task, the score and, when a test failed, what failed, as ``nnfs-check`` tells it
  (:mod:`nnfs_check.messages`: the message of a failing *visible* test, written to teach, or the
  error the student's code raised and the student's own failing line; for a hidden test, only
  that it failed and where the student's code stopped, never its source or message);
- each written answer as plain text, marked "graded by your instructor".

The released notebook, the course's own text, is rendered once per batch by nbconvert; each
student's parts go into it as escaped text (:class:`Page`). No student script or HTML runs in a
feedback page, and no student text can pose as a score. (nbconvert's sanitizer is not needed for
the course's own text, and it would escape every heading and paragraph of it.)
"""

import functools
import html
import re
import secrets

import nbformat

from grading.cells import grade_id, is_solution_cell, is_test_cell, is_written_cell
from nnfs_check import tasks, written
from nnfs_check.messages import MAX_CHARS, UNLOCATED_FAILURE, visible_lines


def _without_hidden(source):
    lines = source.splitlines()
    n = visible_lines(source)
    if n == len(lines):
        return source
    return "\n".join(lines[:n] + ["# (hidden tests are not shown)"])


class Page:
    """The feedback page of one assignment, rendered once per batch and filled in per student.

    nbconvert renders the released notebook once (about 0.3 s of CPU), with a placeholder where each
    student's part goes: the header, each answer, and each test's result and score. ``fill`` then
    puts each student's parts in as escaped text, which takes milliseconds.
    ``release``: the released notebook; ``source``: the instructor's notebook (full test cells).
    """

    def __init__(self, release, source, title):
        self.slot = f"nnfsslot{secrets.token_hex(6)}n"
        self.full = {grade_id(c): c.source for c in source.cells if is_test_cell(c)}
        self.answers, self.tests, self.written = [], [], []
        cells = [self._placeholder("header")]
        for cell in release.cells:
            gid = grade_id(cell)
            if is_written_cell(cell):
                self.written.append(gid)
                cells.append(self._placeholder(f"written{len(self.written)}"))
            elif cell.cell_type == "markdown":
                cells.append(nbformat.v4.new_markdown_cell(cell.source))
            elif is_solution_cell(cell):
                self.answers.append(gid)
                cells.append(self._placeholder(f"answer{len(self.answers)}"))
            elif is_test_cell(cell):
                self.tests.append(gid)
                cells.append(nbformat.v4.new_code_cell(_without_hidden(self.full.get(gid, cell.source))))
                cells.append(self._placeholder(f"test{len(self.tests)}"))
            elif cell.cell_type == "code":
                cells.append(nbformat.v4.new_code_cell(cell.source))
        nb = nbformat.v4.new_notebook(metadata={k: v for k, v in release.metadata.items()
                                                if k in ("kernelspec", "language_info")})
        nb.cells = cells
        self.html = to_html(nb, title)

    def _placeholder(self, name):
        return nbformat.v4.new_markdown_cell(f"{self.slot}{name}")

    def fill(self, title, lines, executed, scores, max_scores, written_points=None):
        """The page for one student: ``lines`` (plain text) at the top, then the exercise.

        ``executed``: the autograded notebook; only its answer cells' source, its written answers
        and its cells' errors are read. ``scores`` / ``max_scores``: {grade_id: points} of the
        tests; ``written_points``: {grade_id: points} of the written answers (graded by a person).
        """
        answers = {grade_id(c): c.source for c in executed.cells if is_solution_cell(c)}
        failures = {t.grade_id: t.message for t in tasks(executed, self.full)}
        texts = {gid: text for gid, _, text in written(executed)}
        parts = {"header": f"<h1>{html.escape(title)}</h1>" + "".join(f"<p>{html.escape(line)}</p>" for line in lines)}
        for n, gid in enumerate(self.answers, 1):
            code = answers.get(gid, "# (missing from the submission)")
            parts[f"answer{n}"] = f'<pre class="nnfs-answer">{html.escape(str(code))}</pre>'
        for n, gid in enumerate(self.tests, 1):
            failure = failures.get(gid, UNLOCATED_FAILURE)
            score, top = scores.get(gid), max_scores.get(gid, 0)
            mark = "✓" if score == top else "✗"
            parts[f"test{n}"] = ("" if failure is None else
                                 f'<pre class="nnfs-failure">{html.escape(failure[:MAX_CHARS])}</pre>') + \
                f"<p><strong>{mark} {html.escape(gid)}: {_fmt(score)} / {_fmt(top)} points</strong></p>"
        for n, gid in enumerate(self.written, 1):
            text = texts.get(gid) or "(no answer)"
            top = (written_points or {}).get(gid, 0)
            parts[f"written{n}"] = (f'<pre class="nnfs-written">{html.escape(text)}</pre>'
                                    f"<p><strong>{html.escape(gid)}: – / {_fmt(top)} points, graded by your "
                                    "instructor</strong></p>")
        return re.sub(rf"<p>{self.slot}(\w+)</p>", lambda m: parts.get(m.group(1), ""), self.html)


def _fmt(x):
    return "–" if x is None else f"{x:g}"


@functools.cache
def _exporter():
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="lab")


def preload():
    """Import and set up nbconvert's HTML exporter now (about half a second), before the first page."""
    to_html(nbformat.v4.new_notebook(), "")


def to_html(nb, title):
    """Render a notebook of the course's own (trusted) text as a standalone HTML page."""
    body, _ = _exporter().from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


def error_page(student, assignment, message):
    """A short HTML page for a submission that could not be graded."""
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(student)}: "
            f"{html.escape(assignment)}</title></head><body><h1>{html.escape(assignment)}: not graded</h1>"
            f"<p>Student: {html.escape(student)}</p><p>{html.escape(message)}</p></body></html>")


def scores_page(student, assignment, scores, max_scores, note):
    """A plain HTML page with the scores of each task, for when the full page cannot be rendered."""
    rows = "".join(f"<tr><td>{html.escape(gid)}</td><td>{_fmt(scores.get(gid))} / {_fmt(top)}</td></tr>"
                   for gid, top in max_scores.items())
    total = sum(scores.get(gid, 0) for gid in max_scores)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(student)}: "
            f"{html.escape(assignment)}</title></head><body><h1>{html.escape(assignment)}: feedback for "
            f"{html.escape(student)}</h1><p><b>Score: {total:g} / {sum(max_scores.values()):g}</b></p>"
            f"<table>{rows}</table><p>{html.escape(note)}</p></body></html>")
