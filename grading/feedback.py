"""Feedback pages for students: their notebook with scores, and no hidden tests.

nbgrader's own feedback shows the hidden tests' source and, when one fails, its traceback,
which gives the answers away. Here each test cell keeps only its visible part; a failure in
the visible part shows its message (the messages are written to teach), and a failure in the
hidden part says only that an edge case failed.

Everything the student controls is shown as text, never as HTML: outputs keep only plain text
and PNG images, the student's own Markdown cells are shown verbatim, attachments are dropped,
and nbconvert's sanitizer cleans what remains. No student script runs in a feedback page, and
no student text can pose as a score.
"""

import base64
import binascii
import functools
import html
import re

import nbformat

from nnfs_check import ANSI, CELL_LINE, HIDDEN_START  # one definition, shared with the checker

MAX_OUTPUT_CHARS = 5000

HIDDEN_FAILURE = ("A hidden test in this cell failed. Hidden tests check edge cases: inputs of other "
                  "shapes, a single example as well as a batch, and extreme values.")


def is_test_cell(cell):
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.cell_type == "code" and meta.get("grade") and not meta.get("solution")


def visible_lines(source):
    """Number of lines of a test cell before its hidden tests (all of them if there are none)."""
    lines = source.splitlines()
    for i, line in enumerate(lines):
        if line.strip() == HIDDEN_START:
            return i
    return len(lines)


def describe_failure(cell):
    """A safe one-paragraph description of why a test cell failed, or None if it passed.

    ``cell`` is an executed test cell whose source still contains its hidden tests.
    """
    n_visible = visible_lines(cell.source)
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            trace = ANSI.sub("", "\n".join(output.get("traceback", [])))
            line = CELL_LINE.search(trace)
            if line and int(line.group(1)) <= n_visible:
                return f"{output.ename}: {ANSI.sub('', output.evalue)}".strip()
            if output.ename == "CellTimeoutError":
                return "This cell ran out of time: look for an endless loop or very slow code."
            return HIDDEN_FAILURE
    return None


def _without_hidden(source):
    lines = source.splitlines()
    n = visible_lines(source)
    if n == len(lines):
        return source
    return "\n".join(lines[:n] + ["# (hidden tests are not shown)"])


def _cap(text):
    return text if len(text) <= MAX_OUTPUT_CHARS else text[:MAX_OUTPUT_CHARS] + "\n... (output truncated)"


def _png(data):
    try:
        return isinstance(data, str) and base64.b64decode(data, validate=True)[:8] == b"\x89PNG\r\n\x1a\n"
    except (binascii.Error, ValueError):
        return False


def _safe_outputs(outputs):
    """Outputs as plain text (and PNG images): no HTML, JavaScript, SVG or Markdown from the kernel."""
    safe = []
    for output in outputs:
        kind = output.get("output_type")
        if kind == "stream":
            safe.append(nbformat.v4.new_output("stream", name="stdout", text=_cap(str(output.get("text", "")))))
        elif kind == "error":
            text = ANSI.sub("", f"{output.get('ename', '')}: {output.get('evalue', '')}")
            safe.append(nbformat.v4.new_output("stream", name="stdout", text=_cap(text)))
        elif kind in ("display_data", "execute_result"):
            data = output.get("data", {})
            if _png(data.get("image/png")):
                safe.append(nbformat.v4.new_output("display_data", data={"image/png": data["image/png"]}))
            elif isinstance(data.get("text/plain"), str):
                safe.append(nbformat.v4.new_output("stream", name="stdout", text=_cap(data["text/plain"])))
    return safe


def _verbatim(text):
    """A Markdown cell that shows ``text`` exactly, as a block of plain text."""
    fence = "`" * max(3, 1 + max((len(m) for m in re.findall(r"`+", text)), default=0))
    return nbformat.v4.new_markdown_cell(f"*Your notes:*\n\n{fence}text\n{text}\n{fence}")


def escape_markdown(text):
    """``text`` with Markdown and HTML special characters escaped, for the page's own header."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$&])", r"\\\1", str(text))


def feedback_notebook(nb, scores, max_scores, header_lines):
    """A copy of the autograded notebook ``nb`` that is safe to show the student.

    ``scores`` / ``max_scores``: {grade_id: points}. ``header_lines``: markdown lines to show
    at the top (total, notes).
    """
    nb = nbformat.from_dict(nb)
    cells = [nbformat.v4.new_markdown_cell("\n".join(header_lines))]
    for cell in nb.cells:
        cell.pop("attachments", None)
        if cell.cell_type == "markdown" and not cell.get("metadata", {}).get("nbgrader", {}).get("locked"):
            cells.append(_verbatim(cell.source))
            continue
        if cell.cell_type == "raw":
            cells.append(_verbatim(cell.source))
            continue
        if not is_test_cell(cell):
            if cell.cell_type == "code":
                cell.outputs = _safe_outputs(cell.outputs)
            cells.append(cell)
            continue
        gid = cell.metadata.nbgrader.grade_id
        failure = describe_failure(cell)
        cell.source = _without_hidden(cell.source)
        cell.outputs = [] if failure is None else [
            nbformat.v4.new_output("stream", name="stdout", text=failure)]
        cells.append(cell)
        score, top = scores.get(gid), max_scores.get(gid, 0)
        mark = "✓" if score == top else "✗"
        cells.append(nbformat.v4.new_markdown_cell(
            f"**{mark} {gid}: {_fmt(score)} / {_fmt(top)} points**"))
    nb.cells = cells
    return nb


def _fmt(x):
    return "–" if x is None else f"{x:g}"


@functools.cache
def _exporter():
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="lab", sanitize_html=True)


def to_html(nb, title):
    """Render a notebook as a standalone HTML page (one exporter, made once, is reused)."""
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
