"""The results of a batch, in one place: each student's :class:`Result`, its JSON file in
``results/``, and ``grades.csv``. Every file is written atomically (a reader never sees half of one)."""

import csv
import io
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from grading.report import safe_text


@dataclass
class Result:
    """The outcome for one student; ``status`` is ``graded``, ``error`` or ``timeout``."""

    student: str
    status: str
    scores: dict = field(default_factory=dict)
    total: float | None = None
    max_total: float = 0.0
    messages: list = field(default_factory=list)
    seconds: float = 0.0
    review: list = field(default_factory=list)
    # what nbgrader's autograder recorded, for the course gradebook: {"grades": {cell: {"auto_score",
    # "needs_manual_grade"}}, "comments": {cell: auto_comment}} (empty when not graded)
    nbgrader: dict = field(default_factory=dict)

    @property
    def graded(self):
        return self.status == "graded"

    def recorded_score(self, gid):
        """The score nbgrader's autograder recorded for the cell ``gid``: for a written answer 0 when
        it was left blank, None when a person has to grade it (or nothing was recorded)."""
        return (self.nbgrader or {}).get("grades", {}).get(gid, {}).get("auto_score")

    def recorded_comment(self, gid):
        """nbgrader's own comment on the answer cell ``gid`` ("No response." for a blank one), or None."""
        return (self.nbgrader or {}).get("comments", {}).get(gid)


def load_result(path):
    """The Result saved at ``path``, or None if there is none or it is damaged."""
    try:
        return Result(**json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def save_result(path, result):
    write_atomic(path, json.dumps(asdict(result), indent=1))


def safe_cell(text):
    """A CSV cell that spreadsheets show as text: no leading ``= + - @`` (formula injection), one line."""
    text = safe_text(text).replace("\n", " ")
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def write_atomic(path, text):
    """Write ``text`` to ``path`` so that a reader never sees a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def written_state(result, gid):
    """A written answer's cell in grades.csv: ``to grade`` (a person grades it in formgrader),
    ``0`` (left blank: nbgrader's "No response.") or blank (the submission was not graded)."""
    if not result.graded:
        return ""
    score = result.recorded_score(gid)
    return "to grade" if score is None else f"{score:g}"


def write_csv(path, tasks, results, written=()):
    """One row per student: status, the points of each task, total, the written answers, messages,
    and review flags.

    ``tasks``: [(grade_id, points)] of the autograded tests; ``total`` and ``max_total`` count
    them only. ``written``: [(grade_id, points)] of the written answers, which a person grades in
    formgrader; their columns (named ``<grade_id> (written, P points)``) say ``to grade`` or ``0``
    (no answer), never an automatic score.
    ``needs_review`` lists why a human should look at a submission before trusting its score
    (code that could tamper with the tests, see grading.tampering); it is empty for most.

    Scores are blank (not 0) for a submission that could not be graded, so that it cannot be
    mistaken for a graded one.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["student", "status", *[gid for gid, _ in tasks], "total", "max_total",
                     *[f"{gid} (written, {points:g} points)" for gid, points in written], "message",
                     "needs_review"])
    for r in sorted(results, key=lambda r: r.student):
        scores = [f"{r.scores[gid]:g}" if gid in r.scores else "" for gid, _ in tasks]
        total = "" if r.total is None else f"{r.total:g}"
        writer.writerow([safe_cell(r.student), r.status, *scores, total, f"{r.max_total:g}",
                         *[written_state(r, gid) for gid, _ in written],
                         safe_cell("; ".join(r.messages)), safe_cell("; ".join(r.review))])
    write_atomic(path, buffer.getvalue())
