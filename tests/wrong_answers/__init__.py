"""Typical wrong answers for each graded exercise, and the test cells each one must fail.

One module per chapter (``c01_neurons.py``, ``c02_perceptrons.py``, ...) defines ``CHAPTER`` (the
assignment name, e.g. ``"01-neurons"``) and ``WRONG``, a dict mapping a short name to
``(answers, failing_tests)``: ``answers`` replaces some answer cells of the solution
({grade_id: source}); the submission must lose exactly the points of ``failing_tests`` and keep
all others. Every test cell of an exercise must be failed by at least one wrong answer
(tests/test_exercises.py checks this).
"""

import importlib
import pkgutil

WRONG_ANSWERS = {}
for _info in pkgutil.iter_modules(__path__):
    _module = importlib.import_module(f"{__name__}.{_info.name}")
    WRONG_ANSWERS[_module.CHAPTER] = _module.WRONG
