"""What a student is told about a failed test (nnfs_check.messages), in nnfs-check and in feedback.

The error outputs of a run come from the student's kernel, so every case here is also an attack:
a forged traceback must not make a hidden line visible, and no message may quote hidden tests.
"""

import nbformat
import pytest

from nnfs_check import WRITTEN_STUB, format_table, tasks, written
from nnfs_check.messages import HIDDEN_FAILURE, UNLOCATED_FAILURE, WITHHELD, describe, describe_answer_error

SOURCE = 'assert f(1) == 1, "visible"\n### BEGIN HIDDEN TESTS\nassert f(2) == 4, "secret"\n### END HIDDEN TESTS'
ANSWER = "def f(x):\n    y = x * x\n    return y.sum()"
ANSWERS = {2: ("f", ANSWER)}          # the answer cell ran as In[2]


def failed(evalue, *frames, ename="AssertionError", source=SOURCE, count=4):
    cell = nbformat.v4.new_code_cell(source, execution_count=count)
    cell.outputs = [nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=list(frames))]
    return describe(cell, source, ANSWERS)


def test_a_failed_visible_assertion_shows_its_teaching_message():
    assert failed("visible", "Cell In[4], line 1") == "AssertionError: visible"
    # raised by a test helper (nnlib.testing.assert_close) the test called: still the test's message
    assert failed("every entry of dx is half the expected value", "Cell In[4], line 1",
                  "File /x/nnlib/testing.py:301, in assert_close") == \
        "AssertionError: every entry of dx is half the expected value"


def test_an_error_in_the_students_code_shows_the_students_own_line():
    message = failed("'int' object has no attribute 'sum'", "\x1b[31mCell In[4], line 1\x1b[0m",
                     "Cell In[2], line 3, in f(x)", ename="AttributeError")
    assert message == ("your code raised AttributeError at line 3 of your answer to f: return y.sum(): "
                       "'int' object has no attribute 'sum' (the test was running: assert f(1) == 1, "
                       '"visible")')
    # the student's own assert is theirs, not the test's
    assert failed("oops", "Cell In[4], line 1", "Cell In[2], line 2, in f(x)").startswith(
        "your code raised AssertionError at line 2 of your answer to f")


def test_a_hidden_failure_says_only_where_the_students_code_stopped():
    assert failed("secret", "Cell In[4], line 3") == HIDDEN_FAILURE
    message = failed("shapes (2,3) and (4,) not aligned", "Cell In[4], line 3", "Cell In[2], line 3",
                     ename="ValueError")
    assert message == HIDDEN_FAILURE + "; your code stopped with ValueError at line 3 of your answer to f: " \
                                       "return y.sum()"
    assert "not aligned" not in message and "f(2)" not in message


@pytest.mark.parametrize("frames", [["Cell In[3], line 1"], [], ["File /x.py:1"]])
def test_a_traceback_that_is_not_this_cells_run_is_not_believed(frames):
    assert failed("visible", *frames) == UNLOCATED_FAILURE


def test_a_message_quoting_hidden_code_is_withheld_and_odd_names_are_not_shown():
    assert failed('it said: assert f(2) == 4, "secret"', "Cell In[4], line 1") == WITHHELD
    assert failed('assert f(2) == 4, "secret"', "Cell In[4], line 1", "Cell In[2], line 2", ename="KeyError") == \
        ("your code raised KeyError at line 2 of your answer to f: y = x * x: (its message was withheld because "
         'it quoted test code) (the test was running: assert f(1) == 1, "visible")')
    assert failed("x", "Cell In[4], line 1", "Cell In[2], line 1", ename="<b>Evil</b>").startswith(
        "your code raised an error at line 1")


def test_an_answer_cell_that_raised_is_named_with_its_line():
    cell = nbformat.v4.new_code_cell("def g(x)\n    return x", execution_count=2)
    cell.outputs = [nbformat.v4.new_output("error", ename="SyntaxError", evalue="expected ':' (3175231924.py, line 1)",
                                           traceback=["  Cell In[2], line 1", "    def g(x)", "SyntaxError: expected ':'"])]
    assert describe_answer_error(cell, "g", SOURCE) == \
        "line 1 of your answer to g raised SyntaxError: expected ':' (the line: def g(x))"
    cell.outputs[0]["evalue"] = 'assert f(2) == 4, "secret"'
    assert describe_answer_error(cell, "g", SOURCE) == WITHHELD


def test_tasks_report_a_syntax_error_in_the_answer_cell_not_a_name_error_later(tmp_path):
    """The whole path: nnfs-check runs a notebook whose answer does not parse."""
    from nnfs_check import run_notebook

    nb = nbformat.v4.new_notebook()
    answer = nbformat.v4.new_code_cell("def g(x)\n    return x")
    answer.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "g"}
    test = nbformat.v4.new_code_cell("assert g(1) == 1")
    test.metadata["nbgrader"] = {"solution": False, "grade": True, "grade_id": "test_g", "points": 1}
    question = nbformat.v4.new_markdown_cell(WRITTEN_STUB)
    question.metadata["nbgrader"] = {"solution": True, "grade": True, "grade_id": "why_g", "points": 2}
    later = nbformat.v4.new_code_cell("def h(x):\n    return g(x) + 1")
    later.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "h"}
    later_test = nbformat.v4.new_code_cell("assert h(1) == 2")
    later_test.metadata["nbgrader"] = {"solution": False, "grade": True, "grade_id": "test_h", "points": 1}
    nb.cells = [answer, test, later, later_test, question]
    nbformat.write(nb, tmp_path / "x.ipynb")
    executed = run_notebook(tmp_path / "x.ipynb")
    task, later_task = tasks(executed)
    assert task.status == "FAILED" and "SyntaxError" in task.message and "line 1 of your answer to g" in task.message
    # a later task that uses g is told why g does not exist
    assert later_task.message.startswith("your code raised NameError at line 2 of your answer to h")
    assert "g is not defined because the cell of your answer to it raised an error" in later_task.message
    assert written(executed) == [("why_g", 2.0, "")]
    table = format_table([task, later_task], written(executed))
    assert "Written answers (graded by your instructor" in table and "not answered yet" in table
