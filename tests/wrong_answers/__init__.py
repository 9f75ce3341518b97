"""The two-sided corpus of each graded exercise: wrong answers and correct but unusual ones.

One module per chapter (``c01_neurons.py``, ``c02_perceptrons.py``, ...) defines ``CHAPTER`` (the
assignment name, e.g. ``"01-neurons"``) and
- ``WRONG``, a dict mapping a short name to ``(answers, failing_tests)``: ``answers`` replaces some
  answer cells of the solution ({grade_id: source}); the submission must lose exactly the points of
  ``failing_tests`` and keep all others. Every test cell of an exercise must be failed by at least
  one wrong answer.
- ``UNUSUAL``, a dict mapping a short name to ``answers``: correct answers written differently from
  the solution (loops, einsum, equivalent formulas, extra helpers, prints and warnings); each must
  score full marks.
- optionally ``EVIDENCE``, a dict mapping a wrong answer's name to ``{test grade_id: [text, ...]}``:
  each text (case-insensitive) must appear in that test's failure message, so the feedback names the
  evidence the bug leaves ("half", "γ", "transpose"), not only that something is wrong.
tests/test_exercises.py checks all three, through tests/exercise_runner.py. Answers are our own code and
share one process: they must not patch modules.
"""

import importlib
import pkgutil

WRONG_ANSWERS, UNUSUAL_ANSWERS, EVIDENCE = {}, {}, {}
for _info in pkgutil.iter_modules(__path__):
    _module = importlib.import_module(f"{__name__}.{_info.name}")
    WRONG_ANSWERS[_module.CHAPTER] = _module.WRONG
    UNUSUAL_ANSWERS[_module.CHAPTER] = getattr(_module, "UNUSUAL", {})
    EVIDENCE[_module.CHAPTER] = getattr(_module, "EVIDENCE", {})
