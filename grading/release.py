"""``release``: regenerate every student notebook in ``exercises/`` from ``solutions/``.

nbgrader's GenerateAssignment strips the solutions (leaving ``raise NotImplementedError()``),
removes hidden tests, clears outputs and records checksums of the locked cells. The result is
deterministic, so a test can check that the committed exercises are up to date.
"""

import tempfile
from pathlib import Path

from grading.course import ROOT, find_assignments, make_course


def generate(assignment):
    """The student version of ``assignment`` as text (the ``.ipynb`` file's content)."""
    with tempfile.TemporaryDirectory(prefix="nnfs-release-") as tmp:
        return make_course(assignment, Path(tmp) / "course").read_text(encoding="utf-8")


def release(root=ROOT, check=False, names=None):
    """Write ``exercises/<name>/<notebook>`` for every assignment (or those in ``names``).

    With ``check=True`` nothing is written. Returns the list of exercise paths that were
    (or, with ``check``, would be) changed.
    """
    root = Path(root)
    changed = []
    for name, assignment in find_assignments(root).items():
        if names and name not in names:
            continue
        target = root / "exercises" / name / assignment.notebook
        text = generate(assignment)
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        changed.append(target)
        if not check:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    return changed
