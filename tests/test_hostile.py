"""A corpus of hostile and broken submissions, graded in one batch with good ones.

Every submission has an expected outcome (status, scores, a message or a review flag), asserted
below. The toy assignment has two tasks: ``add`` (2 points) and ``mean`` (3 points). When the
corpus needs the grading sandbox (bubblewrap, grading/sandbox.py) and is skipped, saying why, where
none can be made; tests/test_sandbox.py attacks the sandbox itself, as root and as another user.
"""

import copy
import csv
import hashlib
import os
import socket
import threading

import nbformat
import psutil
import pytest

from grading.cli import main
from grading.sandbox import unavailable_reason
from notebook_builders import grade_id, released, solution_answers, submission, write
from toy import FIXTURES, GOOD, TOY, WRONG, answers

STRAY = "987654"                      # the argument of the background process a submission starts
LONG_NAME = "a" * 250                 # a student folder name longer than any file system likes
LONG_ID = "a" * 55 + "-" + hashlib.sha256(LONG_NAME.encode()).hexdigest()[:8]
SCRIPT = "<script>document.title='pwned'</script>"
KERNEL = "ip = getattr(__import__('IPy' + 'thon'), 'get_' + 'ipython')()"
EQUALS_EVERYTHING = """\
class Anything(float):
    def __eq__(self, other):
        return True
    def __array_ufunc__(self, *args, **kwargs):
        return True"""
HIDDEN = ("hidden: add(-1, 1) should be 0", "plain_float(add(-1, 1))", "hidden: mean of a 2-D array",
          "mean(np.ones((2, 3)))")
BANNER = "<div style='font-size:40px'>Score: 5 / 5</div>"


def hostile_answers(port, subs):
    """Submissions that only change answer cells: {student: answers}."""
    secret = TOY.source
    return {
        "loop": answers(add="while True:\n    pass"),
        "os_exit": answers(add="import os\nos._exit(1)"),
        "sys_exit": {"add": "import sys\nsys.exit(0)", "mean": GOOD["mean"]},
        "memory_bomb": {"add": "big = np.ones(2**30)   # 8 GB", "mean": GOOD["mean"]},
        "background": answers(add=f"import subprocess\nsubprocess.Popen(['sleep', '{STRAY}'])"),
        "reads_solutions": {"mean": GOOD["mean"], "add": f"""\
leaked = ""
for path in [{str(secret)!r}, "../../../source/toy/toy.ipynb", "../../../gradebook.db"]:
    try:
        leaked += open(path, errors="replace").read()
    except OSError:
        pass
def add(a, b):
    return a + b if "BEGIN HIDDEN" in leaked else None"""},
        "reads_others": {"mean": GOOD["mean"], "add": f"""\
import glob
others = glob.glob({str(subs)!r} + "/*/*.ipynb") + glob.glob("../../../../*/submitted/*/*/*.ipynb")
def add(a, b):
    return a + b if others else None"""},
        "writes_gradebook": answers(add="""\
import sqlite3
try:
    db = sqlite3.connect("../../../gradebook.db")
    db.execute("UPDATE grade SET auto_score = 100")
    db.commit()
except Exception:
    pass""", wrong=True),
        "network": answers(add=f"""\
import socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=3).close()
except OSError:
    pass"""),
        "huge_output": answers(add="print('x' * 2 * 10**7)"),
        "warns": answers(add="import warnings\nwarnings.warn('a harmless warning from correct code')"),
        "patches_numpy": answers(add="np.allclose = lambda *a, **k: True\nnp.mean = lambda x: 2.0", wrong=True),
        "hides_errors": answers(add="get_ipython().set_custom_exc((AssertionError,), lambda *a, **k: None)",
                                wrong=True),
        # Tests bent at run time, with names built from strings so that no scan can read them: the
        # tripwires (grading/tripwires.py) must flag each one, naming the tasks not to trust.
        "empties_tests": answers(add=f"{KERNEL}\ngetattr(ip, 'input_transformers_' + 'cleanup').append(\n"
                                 "    lambda lines: ['pass\\n'] if 'ass' + 'ert' in ''.join(lines) else lines)", wrong=True),
        "swallows_errors": answers(add=f"{KERNEL}\ngetattr(ip, 'set_custom_' + 'exc')((Exception,), lambda *a, **k: None)",
                                   wrong=True),
        "traces": answers(add="getattr(__import__('s' + 'ys'), 'set' + 'trace')(lambda *a: None)", wrong=True),
        "patches_quietly": answers(add="m = __import__('nu' + 'mpy')\nsetattr(m, 'all' + 'close', lambda *a, **k: True)",
                                   wrong=True),
        "fools_the_guard": answers(add=f"""{KERNEL}
def bend(lines):
    text = ''.join(lines)
    if '_nnfs_check_' in text:        # answer the grader's checks as they expect
        nonce = text.split('_nnfs_check_')[1][:16]
        where = text.split("('")[1].split("')")[0] if "('" in text else 'at the end'
        return [f"print('nnfs guard {{nonce}} ok {{where}}')\\n"]
    return ['pass\\n'] if 'ass' + 'ert' in text else lines
getattr(ip, 'input_transformers_' + 'cleanup').append(bend)""", wrong=True),
        "equals_everything": {"add": EQUALS_EVERYTHING + "\ndef add(a, b):\n    return Anything()",
                              "mean": "def mean(x):\n    return Anything()"},
        # Hidden tests carried into the feedback: through printed output, display data and the
        # message of an exception raised while a visible test runs.
        "prints_hidden": answers(mean="print(In)\nfrom IPython.display import display, HTML\ndisplay(HTML(str(In)))"),
        "raises_hidden": {"mean": GOOD["mean"], "add": "def add(a, b):\n"
                          "    raise ValueError(' | '.join(globals()['I' + 'n'][-1].splitlines()))"},
        "names_hidden": {"mean": GOOD["mean"], "add": "def add(a, b):\n"
                         "    return open(globals()['I' + 'n'][-1].splitlines()[3][:200]).read()"},
    }


def edited(release, student_answers, change):
    nb = submission(release, student_answers)
    change(nb)
    return nb


def cell(nb, gid):
    return next(c for c in nb.cells if grade_id(c) == gid)


def broken_notebooks(release):
    """Submissions broken at the notebook level: {student: notebook}."""
    def edit_test(nb):
        cell(nb, "test_add").source = "assert True"

    def delete_tests(nb):
        nb.cells = [c for c in nb.cells if grade_id(c) not in ("test_add", "test_mean")]

    def duplicate(nb):
        nb.cells.append(copy.deepcopy(cell(nb, "add")))

    def bad_schema(nb):
        cell(nb, "mean").metadata.nbgrader["schema_version"] = 99

    def rename(nb):
        cell(nb, "mean").metadata.nbgrader["grade_id"] = "my_mean"

    def delete_answer(nb):
        nb.cells = [c for c in nb.cells if grade_id(c) != "mean"]

    def forge_tripwire(nb):
        fake = nbformat.v4.new_code_cell("print('nnfs guard 0 ok at the end')")
        fake.metadata["nnfs_tripwire"] = {"kind": "check"}
        nb.cells.append(fake)

    return {
        "edited_test": edited(release, {**GOOD, "add": WRONG["add"]}, edit_test),
        "deleted_tests": edited(release, GOOD, delete_tests),
        "duplicated_cell": edited(release, GOOD, duplicate),
        "bad_schema": edited(release, GOOD, bad_schema),
        "renamed_cell": edited(release, GOOD, rename),
        "deleted_answer": edited(release, GOOD, delete_answer),
        "forged_tripwire": edited(release, GOOD, forge_tripwire),
    }


def v3_notebook(nb4):
    """The same notebook in nbformat 3 (the format of IPython 2 and older)."""
    from nbformat.v3 import new_code_cell, new_notebook, new_worksheet, writes_json

    cells = [new_code_cell(input=c.source, metadata=dict(c.metadata)) for c in nb4.cells if c.cell_type == "code"]
    return writes_json(new_notebook(worksheets=[new_worksheet(cells=cells)]))


# student -> (status, {task: score} or None, text expected in the message, text expected in needs_review)
EXPECTED = {
    "solution": ("graded", {"test_add": 2, "test_mean": 3}, "", ""),
    "rewritten": ("graded", {"test_add": 2, "test_mean": 3}, "", ""),
    "partial": ("graded", {"test_add": 2, "test_mean": 0}, "", ""),
    "blank": ("graded", {"test_add": 0, "test_mean": 0}, "", ""),
    "loop": ("graded", {"test_add": 0, "test_mean": 3}, "stopped after the 5 s limit per cell", ""),
    "os_exit": ("error", None, "kernel died", ""),
    "sys_exit": ("graded", {"test_add": 0, "test_mean": 3}, "", "imports sys"),
    "memory_bomb": ("graded", {"test_add": 0, "test_mean": 3}, "", ""),
    "background": ("graded", {"test_add": 2, "test_mean": 3}, "", "imports subprocess"),
    "reads_solutions": ("graded", {"test_add": 0, "test_mean": 3}, "", "opens files"),
    "reads_others": ("graded", {"test_add": 0, "test_mean": 3}, "", "imports glob"),
    "writes_gradebook": ("graded", {"test_add": 0, "test_mean": 0}, "", "imports sqlite3"),
    "network": ("graded", {"test_add": 2, "test_mean": 3}, "", "imports socket"),
    "huge_output": ("graded", {"test_add": 2, "test_mean": 3}, "", ""),
    "warns": ("graded", {"test_add": 2, "test_mean": 3}, "", ""),
    "patches_numpy": ("graded", {"test_add": 0, "test_mean": 0}, "", "reassigns np.allclose"),
    "hides_errors": ("graded", {"test_add": 0, "test_mean": 0}, "", "set_custom_exc"),
    "empties_tests": ("graded", {"test_add": 2, "test_mean": 3}, "", "do not trust test_add, test_mean"),
    "swallows_errors": ("graded", {"test_add": 0, "test_mean": 0}, "", "do not trust test_add, test_mean"),
    "traces": ("graded", {"test_add": 0, "test_mean": 0}, "", "do not trust test_add, test_mean"),
    "patches_quietly": ("graded", {"test_add": 0, "test_mean": 0}, "", "do not trust test_add, test_mean"),
    "fools_the_guard": ("graded", {"test_add": 2, "test_mean": 3}, "", "must fail passed"),
    "equals_everything": ("graded", {"test_add": 0, "test_mean": 0}, "", ""),
    "prints_hidden": ("graded", {"test_add": 2, "test_mean": 3}, "", "reads the cells run so far"),
    "raises_hidden": ("graded", {"test_add": 0, "test_mean": 3}, "", "edits globals()"),
    "names_hidden": ("graded", {"test_add": 0, "test_mean": 3}, "", "edits globals()"),
    "forged_tripwire": ("graded", {"test_add": 2, "test_mean": 3}, "", "marked as the grader's own"),
    "edited_test": ("graded", {"test_add": 0, "test_mean": 3}, "", ""),
    "deleted_tests": ("graded", {"test_add": 2, "test_mean": 3}, "'test_add' was missing and was restored", ""),
    "duplicated_cell": ("error", None, "appears more than once", ""),
    "bad_schema": ("error", None, "schema version 99", ""),
    "renamed_cell": ("graded", {"test_add": 2, "test_mean": 3}, "'my_mean' is not part of the exercise", ""),
    "deleted_answer": ("graded", {"test_add": 2, "test_mean": 0}, "answer cell 'mean' was missing", ""),
    "empty": ("error", None, "empty", ""),
    "not_utf8": ("error", None, "not UTF-8", ""),
    "truncated": ("error", None, "not valid notebook JSON", ""),
    "nbformat3": ("graded", {"test_add": 2, "test_mean": 3}, "", ""),
    "wrong_name": ("error", None, "no notebook named toy.ipynb (found: answers.ipynb)", ""),
    "copy_name": ("graded", {"test_add": 2, "test_mean": 3}, "graded 'toy (1).ipynb' as toy.ipynb", ""),
    # inputs that once aborted a whole batch: each must cost only its own row
    "deep_json": ("error", None, "nested too deeply", ""),
    "nbgrader_list": ("error", None, "nbgrader metadata is a list", ""),
    "points_text": ("error", None, "nbgrader metadata has points", ""),
    "huge_expression": ("graded", {"test_add": 2, "test_mean": 3}, "", "not scanned"),
    "nested_expression": ("graded", {"test_add": 0, "test_mean": 3}, "", ""),
    "folder_named_like_it": ("error", None, "is a folder, not a notebook file", ""),
    "dangling_link": ("error", None, "is a symlink", ""),
    "linked_notebook": ("error", None, "is a symlink", ""),
    "link_to_solutions": ("error", None, "is a symlink", ""),
    "fifo": ("error", None, "is a special file", ""),
    "template": ("graded", {"test_add": 2, "test_mean": 3}, "", ""),
    "students": ("graded", {"test_add": 2, "test_mean": 3}, "", ""),
    "ipc": ("graded", {"test_add": 2, "test_mean": 3}, "", ""),
    LONG_ID: ("graded", {"test_add": 2, "test_mean": 3}, "", ""),
    "empty_attachment": ("graded", {"test_add": 2, "test_mean": 3}, "", ""),
    "html_everywhere": ("graded", {"test_add": 0, "test_mean": 0}, "", ""),
    "escapes": ("error", None, "no notebook named toy.ipynb", ""),
}


def write_file_level_corpus(release, subs):
    """Submissions broken at the level of files, folders, JSON and rendering."""
    (subs / "deep_json").mkdir()
    (subs / "deep_json" / "toy.ipynb").write_text('{"cells": [], "a": ' + "[" * 5000 + "]" * 5000 + "}")
    write(edited(release, GOOD, lambda nb: cell(nb, "add").metadata.__setitem__("nbgrader", [])),
          subs, "nbgrader_list", "toy.ipynb")
    write(edited(release, GOOD, lambda nb: cell(nb, "test_add").metadata.nbgrader.__setitem__("points", "2")),
          subs, "points_text", "toy.ipynb")
    write(submission(release, answers(add="x = '" + "a" * 100_001 + "'")), subs, "huge_expression", "toy.ipynb")
    write(submission(release, answers(add="x = " + "(" * 30_000 + "1" + ")" * 30_000)), subs,
          "nested_expression", "toy.ipynb")
    (subs / "folder_named_like_it" / "toy.ipynb").mkdir(parents=True)
    (subs / "dangling_link").mkdir()
    (subs / "dangling_link" / "toy.ipynb").symlink_to(subs / "nowhere.ipynb")
    (subs / "linked_notebook").mkdir()
    (subs / "linked_notebook" / "toy.ipynb").symlink_to(TOY.source)
    (subs / "link_to_solutions").symlink_to(TOY.source.parent, target_is_directory=True)
    (subs / "fifo").mkdir()
    os.mkfifo(subs / "fifo" / "toy.ipynb")
    for name in ("template", "students", "ipc", LONG_NAME):
        write(submission(release, GOOD), subs, name, "toy.ipynb")

    def attach(nb):
        nb.cells.append(nbformat.v4.new_markdown_cell("![x](attachment:x.png)",
                                                      attachments={"x.png": {"image/png": ""}}))
    write(edited(release, GOOD, attach), subs, "empty_attachment", "toy.ipynb")

    def html_everywhere(nb):
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(SCRIPT + BANNER))
        nb.cells.append(nbformat.v4.new_code_cell(
            f"from IPython.display import HTML, Javascript, display\ndisplay(HTML({SCRIPT + BANNER!r}))\n"
            "display(Javascript(\"document.title='pwned'\"))"))
    write(edited(release, WRONG, html_everywhere), subs, "html_everywhere", "toy.ipynb")
    write(submission(release, GOOD), subs, "escapes", "toy\x1b]0;pwned\x07\x1b[2J all graded.ipynb")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Grade every submission of the corpus in one batch; return (exit code, rows, stderr, out, connections)."""
    if unavailable_reason():
        pytest.skip(unavailable_reason())
    release = released(TOY)
    subs, out = tmp_path_factory.mktemp("hostile"), tmp_path_factory.mktemp("hostile-out")
    listener = socket.create_server(("127.0.0.1", 0))
    connections = []
    threading.Thread(target=lambda: connections.append(listener.accept()), daemon=True).start()
    write(submission(release, solution_answers(TOY)), subs, "solution", "toy.ipynb")
    write(submission(release, GOOD), subs, "rewritten", "toy.ipynb")
    write(submission(release, {**GOOD, "mean": WRONG["mean"]}), subs, "partial", "toy.ipynb")
    write(release, subs, "blank", "toy.ipynb")
    for student, student_answers in hostile_answers(listener.getsockname()[1], subs).items():
        write(submission(release, student_answers), subs, student, "toy.ipynb")
    for student, nb in broken_notebooks(release).items():
        write(nb, subs, student, "toy.ipynb")
    for student, content in {"empty": b"", "not_utf8": b"\xff\xfe{\x00}", "truncated": b'{"cells": [',
                             "nbformat3": v3_notebook(submission(release, GOOD)).encode()}.items():
        (subs / student).mkdir()
        (subs / student / "toy.ipynb").write_bytes(content)
    write(submission(release, GOOD), subs, "wrong_name", "answers.ipynb")
    write(submission(release, GOOD), subs, "copy_name", "toy (1).ipynb")
    write_file_level_corpus(release, subs)
    assert len(EXPECTED) - 4 >= 20, "the corpus must hold at least 20 hostile or broken submissions"
    from contextlib import redirect_stderr, redirect_stdout
    from io import StringIO

    err, printed = StringIO(), StringIO()
    command = ["--root", str(FIXTURES), "grade", str(subs), "--out", str(out), "--assignment", "toy",
               "--cell-timeout", "5", "--student-timeout", "120", "--no-progress"]
    with redirect_stderr(err), redirect_stdout(printed):
        code = main(command)
        rerun = main(command)           # errors are retried; nothing may crash the second time either
    listener.close()
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    return code, rows, err.getvalue() + printed.getvalue(), out, connections, rerun


def test_every_submission_gets_its_expected_outcome(corpus):
    code, rows, *_ = corpus
    assert code == 1, "a batch with ungradable submissions exits 1"
    assert set(rows) == set(EXPECTED)
    wrong = {}
    for student, (status, scores, message, review) in EXPECTED.items():
        row = rows[student]
        got = {"status": row["status"], "scores": {t: float(row[t]) for t in scores} if scores else None}
        if (got["status"] != status or (scores and got["scores"] != scores) or message not in row["message"]
                or review not in row["needs_review"] or (not review and row["needs_review"])):
            wrong[student] = (row["status"], got["scores"], row["message"], row["needs_review"])
    assert not wrong, f"unexpected outcomes: {wrong}"


def test_errors_have_blank_scores_so_they_cannot_pass_as_zero(corpus):
    _, rows, *_ = corpus
    for student, (status, *_) in EXPECTED.items():
        if status == "error":
            assert rows[student]["total"] == "" and rows[student]["test_add"] == "", student


def test_no_hidden_test_reaches_a_feedback_page_or_the_csv(corpus):
    _, _, _, out, *_ = corpus
    pages = {p.name: p.read_text(encoding="utf-8") for p in (out / "feedback").glob("*.html")}
    pages["grades.csv"] = (out / "grades.csv").read_text(encoding="utf-8")
    leaks = {name: [h for h in HIDDEN if h in text] for name, text in pages.items()}
    assert not {k: v for k, v in leaks.items() if v}
    # its own exception carried the hidden tests (In[-1]): only their type and its own line are shown
    assert ("your code raised ValueError at line 2 of your answer to add: raise ValueError(&#x27; | &#x27;"
            ".join(globals()[&#x27;I&#x27; + &#x27;n&#x27;][-1].splitlines())): (its message was withheld "
            "because it quoted test code)") in pages["raises_hidden.html"]


def test_huge_output_is_capped(corpus):
    _, _, _, out, *_ = corpus
    assert (out / "feedback" / "huge_output.html").stat().st_size < 1_000_000


def test_outputs_are_capped_in_bytes_and_stderr_does_not_fail_a_test():
    from nbformat.v4 import new_code_cell, new_output

    from grading.outputs import TidyOutputs

    cell = new_code_cell("print('x' * 10**6)", outputs=[
        new_output("stream", name="stdout", text="é" * 10**6),
        new_output("stream", name="stderr", text="UserWarning: harmless\n"),
        new_output("error", ename="AssertionError", evalue="wrong", traceback=["Traceback", "AssertionError: wrong"])])
    cell, _ = TidyOutputs(max_bytes=1000).preprocess_cell(cell, {}, 0)
    big, warning, error = cell.outputs
    assert len(big.text.encode()) < 1200 and "cut by the grader" in big.text
    assert warning.name == "stdout" and warning.text == "UserWarning: harmless\n"
    assert error.output_type == "error" and error.ename == "AssertionError"


def test_nothing_outlives_its_kernel_and_nothing_reaches_the_network(corpus):
    _, _, stderr, _, connections, _ = corpus
    stray = [p for p in psutil.process_iter(["cmdline"]) if p.info["cmdline"] == ["sleep", STRAY]]
    for p in stray:
        p.kill()
    assert not stray, "a background process started by a submission outlived grading"
    assert not connections, "a submission's kernel reached a TCP port on the grading machine"


def test_unsafe_no_sandbox_still_has_limits_and_the_same_scores(tmp_path):
    """``--unsafe-no-sandbox`` (no bubblewrap): the same scores, a memory bomb still stopped by the limits."""
    from grading.grade import Batch

    release = released(TOY)
    write(submission(release, GOOD), tmp_path / "subs", "good", "toy.ipynb")
    write(submission(release, {"add": "big = np.ones(2**30)   # 8 GB", "mean": GOOD["mean"]}),
          tmp_path / "subs", "memory_bomb", "toy.ipynb")
    results = Batch(TOY, tmp_path / "subs", tmp_path / "out", progress=False, sandboxed=False).run()
    assert {r.student: r.scores for r in results} == {"good": {"test_add": 2, "test_mean": 3},
                                                      "memory_bomb": {"test_add": 0, "test_mean": 3}}


def test_a_rerun_of_the_same_batch_completes_with_the_same_rows(corpus):
    code, rows, _, out, _, rerun = corpus
    assert rerun == code == 1


def test_nothing_student_controlled_reaches_the_terminal_or_the_page_raw(corpus):
    _, rows, printed, out, *_ = corpus
    assert "\x1b" not in printed and "\x07" not in printed, "an escape sequence reached the terminal"
    assert "\\u001b" in printed, "the escaped file name should still be shown"
    page = (out / "feedback" / "html_everywhere.html").read_text(encoding="utf-8")
    assert SCRIPT not in page and BANNER not in page and "<div style='font-size:40px'" not in page
    assert "Score: 0 / 5" in page
    assert len(max(rows, key=len)) <= 64
    for row in rows.values():
        assert not any(v and v[0] in "=+@" for v in row.values()), row


def test_a_notebook_swapped_for_a_symlink_is_refused_not_followed(tmp_path):
    from grading.submissions import load_checked

    secret = tmp_path / "gradebook.db"
    secret.write_text("secret")
    (tmp_path / "toy.ipynb").symlink_to(secret)
    with pytest.raises(ValueError, match="symlink"):
        load_checked(tmp_path / "toy.ipynb", released(TOY))
