"""Feedback pages for students: the released exercise with their answers, their scores and no hidden tests.

nbgrader's own feedback shows the hidden tests' source and, when one fails, its traceback, which
gives the answers away. A kernel's output cannot be trusted either: an answer cell that prints
``In`` (the text of every cell run so far) or raises an exception whose message quotes the test
being run would carry hidden tests into the page. So the page is built from trusted data only:

- the released notebook (task text and the visible part of each test, as the student has it),
- the student's own answer code, as submitted (no output of the run is shown),
- per task, the score and, when a test failed, what failed: the message of a failing *visible*
  assertion of the test cell itself (it is written to teach, e.g. "expected 5.0, got 2.5"), or the
  name of the error the student's code raised while a visible test called it, or that a hidden
  test failed, which never says more. A message that quotes hidden test code is withheld.

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

from grading.cells import grade_id, is_solution_cell, is_test_cell
from nnfs_check import ANSI, HIDDEN_START  # one definition, shared with the checker

MAX_MESSAGE_CHARS = 800
HIDDEN_FAILURE = ("A hidden test in this cell failed. Hidden tests check edge cases: inputs of other "
                  "shapes, a single example as well as a batch, and extreme values.")
UNLOCATED_FAILURE = "A test in this cell failed."
TIMEOUT = "This cell ran out of time: look for an endless loop or very slow code."
WITHHELD = " (its message was withheld because it quoted test code)"
FRAME = re.compile(r"^(?:Cell In\[(\d+)\], line (\d+)|File [^\n]*?:\d+)", re.M)
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,60}")


def visible_lines(source):
    """Number of lines of a test cell before its hidden tests (all of them if there are none)."""
    lines = source.splitlines()
    for i, line in enumerate(lines):
        if line.strip() == HIDDEN_START:
            return i
    return len(lines)


def _quotes_hidden(message, hidden_lines):
    flat = " ".join(message.split())
    return any(len(line) >= 8 and (line in message or " ".join(line.split()) in flat) for line in hidden_lines)


def describe_failure(cell, source):
    """A safe description of why the executed test cell ``cell`` failed, or None if it passed.

    ``source`` is the test cell's full source (hidden tests included) from the instructor's notebook,
    not from the run. Which line failed comes from the traceback's frames: the first frame must be
    this cell's own run (``Cell In[n]`` with n its execution count).
    """
    error = next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)
    if error is None:
        return None
    if error.get("ename") == "CellTimeoutError":
        return TIMEOUT
    lines = source.splitlines()
    n_visible = visible_lines(source)
    frames = FRAME.findall(ANSI.sub("", "\n".join(str(t) for t in error.get("traceback", []))))
    if not frames or frames[0][0] != str(cell.get("execution_count")):
        return UNLOCATED_FAILURE
    line = int(frames[0][1])
    if line > n_visible:
        return HIDDEN_FAILURE
    ename = str(error.get("ename", ""))
    ename = ename if IDENTIFIER.fullmatch(ename) else "an error"
    if len(frames) == 1 and ename == "AssertionError":
        message = ANSI.sub("", str(error.get("evalue", ""))).strip()[:MAX_MESSAGE_CHARS]
        if _quotes_hidden(message, [ln.strip() for ln in lines[n_visible:]]):
            return "A visible test in this cell failed" + WITHHELD + "."
        return f"AssertionError: {message}" if message else "AssertionError"
    shown = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    return f"Your code raised {ename} while this visible test ran: {shown}"


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
        self.answers, self.tests = [], []
        cells = [self._placeholder("header")]
        for cell in release.cells:
            gid = grade_id(cell)
            if cell.cell_type == "markdown":
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

    def fill(self, title, lines, executed, scores, max_scores):
        """The page for one student: ``lines`` (plain text) at the top, then the exercise.

        ``executed``: the autograded notebook; only its answer cells' source and its test cells'
        errors are read. ``scores`` / ``max_scores``: {grade_id: points}.
        """
        answers = {grade_id(c): c.source for c in executed.cells if is_solution_cell(c)}
        runs = {grade_id(c): c for c in executed.cells if is_test_cell(c)}
        parts = {"header": f"<h1>{html.escape(title)}</h1>" + "".join(f"<p>{html.escape(line)}</p>" for line in lines)}
        for n, gid in enumerate(self.answers, 1):
            code = answers.get(gid, "# (missing from the submission)")
            parts[f"answer{n}"] = f'<pre class="nnfs-answer">{html.escape(str(code))}</pre>'
        for n, gid in enumerate(self.tests, 1):
            run = runs.get(gid)
            failure = UNLOCATED_FAILURE if run is None else describe_failure(run, self.full.get(gid, ""))
            score, top = scores.get(gid), max_scores.get(gid, 0)
            mark = "✓" if score == top else "✗"
            parts[f"test{n}"] = ("" if failure is None else f'<pre class="nnfs-failure">{html.escape(failure)}</pre>') + \
                f"<p><strong>{mark} {html.escape(gid)}: {_fmt(score)} / {_fmt(top)} points</strong></p>"
        return re.sub(rf"<p>{self.slot}(\w+)</p>", lambda m: parts.get(m.group(1), ""), self.html)


def _fmt(x):
    return "–" if x is None else f"{x:g}"


@functools.cache
def _exporter():
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="lab")


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
