"""The toy assignment the grading tests share (tests/fixtures/grading/solutions/toy): two tasks,
``add`` (2 points) and ``mean`` (3 points), with correct and wrong answers to build submissions from."""

from pathlib import Path

from grading.course import find_assignments

FIXTURES = Path(__file__).parent / "fixtures" / "grading"
TOY = find_assignments(FIXTURES)["toy"]
GOOD = {"add": "def add(a, b):\n    return b + a", "mean": "def mean(x):\n    return float(x.sum() / x.size)"}
WRONG = {"add": "def add(a, b):\n    return a - b", "mean": "def mean(x):\n    return 0.0"}


def answers(add=None, mean=None, wrong=False):
    """GOOD (or WRONG) answers with extra code put before the definitions of add and mean."""
    base = WRONG if wrong else GOOD
    return {"add": (add + "\n" if add else "") + base["add"], "mean": (mean + "\n" if mean else "") + base["mean"]}
