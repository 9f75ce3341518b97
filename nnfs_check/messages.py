"""What a student is told about a test that did not pass: the evidence and their own failing line.

One description serves ``nnfs-check`` (a student's own run of the released notebook) and the
feedback page of ``grade`` (a run with the hidden tests in place). It is built from the executed
notebook's error outputs, which the student's code could have forged, so it never trusts them to
decide what may be shown:

- which line of a test cell failed comes from the traceback's first frame, which must be the test
  cell's own run (``Cell In[n]`` with n its execution count); a failure after the hidden-tests line
  is reported as :data:`HIDDEN_FAILURE` and nothing more;
- a message is withheld when it quotes a hidden line (student code can read the cell being run);
- the student's failing line is read from the student's own answer cell, never from test source;
- everything is cut to :data:`MAX_CHARS`.
"""

import re

ANSI = re.compile(r"\x1b\[[0-9;]*m")
HIDDEN_START = "### BEGIN HIDDEN TESTS"
NOT_STARTED = "raise NotImplementedError()"
MAX_CHARS = 800
HIDDEN_FAILURE = ("a hidden test failed (hidden tests check edge cases: inputs of other shapes, a single "
                  "example as well as a batch, extreme values)")
UNLOCATED_FAILURE = "a test in this cell failed"
WITHHELD = "a test in this cell failed (its message was withheld because it quoted test code)"
FRAME = re.compile(r"^\s*(?:Cell In\[(\d+)\], line (\d+)|File [^\n]*?:\d+)", re.M)
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,60}")
SYNTAX_PLACE = re.compile(r"\s*\([^()\n]*\.py, line \d+\)$")


def error_of(cell):
    """The first error output of an executed code cell, or None."""
    return next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)


def visible_lines(source):
    """The number of lines of a test cell before its hidden tests (all of them if there are none)."""
    lines = source.splitlines()
    return next((i for i, line in enumerate(lines) if line.strip() == HIDDEN_START), len(lines))


def _quotes(message, lines):
    flat = " ".join(message.split())
    return any(len(line) >= 8 and (line in message or " ".join(line.split()) in flat) for line in lines)


def _line(source, number):
    """Line ``number`` (counting from 1) of ``source``, stripped and cut to 200 characters; "" if none."""
    lines = source.splitlines()
    return lines[number - 1].strip()[:200] if number and 0 < number <= len(lines) else ""


def _hidden(source):
    return [line.strip() for line in source.splitlines()[visible_lines(source):]]


def _frames(error):
    return FRAME.findall(ANSI.sub("", "\n".join(str(t) for t in error.get("traceback", []))))


def _ename(error):
    name = str(error.get("ename", ""))
    return name if IDENTIFIER.fullmatch(name) else "an error"


def _evalue(error):
    return SYNTAX_PLACE.sub("", ANSI.sub("", str(error.get("evalue", ""))).strip())[:MAX_CHARS]


def own_line(error, answers):
    """Where the student's code failed: ``"line 4 of your answer to linear_backward: return x @ W"``.

    ``answers``: {execution count: (task name, source)} of the answer cells that ran. The deepest
    traceback frame in one of them is the student's failing line; None when there is none.
    """
    found = None
    for count, line in ((c, int(n)) for c, n in _frames(error) if c):
        if int(count) in answers:
            found = (answers[int(count)], line)
    if found is None:
        return None
    (task, source), line = found
    text = _line(source, line)
    return f"line {line} of your answer to {task}" + (f": {text}" if text else "")


def describe_answer_error(cell, task, source):
    """The message for an answer cell that itself raised (a syntax error, a name used too early).

    ``source``: the full source of the test cell that follows (its hidden lines are never quoted).
    """
    error = error_of(cell)
    frames = _frames(error)
    line = int(frames[0][1]) if frames and frames[0][0] else None
    where = f"line {line} of your answer to {task}" if line else f"your answer to {task}"
    text = _line(cell.source, line)
    message = f"{where} raised {_ename(error)}: {_evalue(error)}" + (f" (the line: {text})" if text else "")
    return WITHHELD if _quotes(message, _hidden(source)) else message


def describe(cell, source, answers):
    """What to tell a student about the executed test cell ``cell``; None when it passed.

    ``source``: the test cell's full source, hidden tests included (the instructor's, when
    grading; the cell's own in a student's run). ``answers``: as for :func:`own_line`.
    """
    error = error_of(cell)
    if error is None:
        return None
    if error.get("ename") in ("CellTimeoutError", "DeadKernelError", "NotRun"):
        return _stopped(error)
    n_visible = visible_lines(source)
    hidden = _hidden(source)
    frames = _frames(error)
    if not frames or frames[0][0] != str(cell.get("execution_count")):
        return UNLOCATED_FAILURE
    failed_at = int(frames[0][1])
    mine = own_line(error, answers)
    if failed_at > n_visible:
        return HIDDEN_FAILURE + (f"; your code stopped with {_ename(error)} at {mine}" if mine else "")
    message = _evalue(error)
    if mine and _quotes(mine, hidden):
        return WITHHELD
    if mine is None and _ename(error) == "AssertionError":   # a test's own assertion, or nnlib.testing's
        if _quotes(message, hidden):
            return WITHHELD
        return f"AssertionError: {message}" if message else "AssertionError"
    if _quotes(message, hidden):
        message = "(its message was withheld because it quoted test code)"
    test_line = _line(source, failed_at)
    where = f" at {mine}" if mine else ""
    return (f"your code raised {_ename(error)}{where}" + (f": {message}" if message else "")
            + (f" (the test was running: {test_line})" if test_line else ""))


def _stopped(error):
    if error["ename"] == "CellTimeoutError":
        return (f"the cell ran out of time ({error.get('evalue', '')} allowed): look for an endless loop "
                "or very slow code; later cells did not run")
    if error["ename"] == "DeadKernelError":
        return "Python crashed while running this cell (out of memory?); later cells did not run"
    why = "ran out of time" if error.get("evalue") == "CellTimeoutError" else "crashed Python"
    return f"this test did not run: an earlier cell {why}"
