"""What a batch leaves behind: ``grades.csv``, a summary plot and a printed summary."""

import csv
import io
import os
import tempfile
import unicodedata
from pathlib import Path


def safe_text(text, limit=2000):
    """``text`` with every control or format character (escape sequences, bidi overrides, NUL) shown
    as a ``\\uXXXX`` escape, cut to ``limit`` characters: safe to print on the instructor's terminal."""
    text = str(text)[:limit]
    return "".join(c if c in "\n" or unicodedata.category(c)[0] not in "CZ" or c == " "
                   else f"\\u{ord(c):04x}" for c in text)


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


def write_csv(path, tasks, results):
    """One row per student: status, the points of each task, total, messages, and review flags.

    ``needs_review`` lists why a human should look at a submission before trusting its score
    (code that could tamper with the tests, see grading.tampering); it is empty for most.

    Scores are blank (not 0) for a submission that could not be graded, so that it cannot be
    mistaken for a graded one.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["student", "status", *[gid for gid, _ in tasks], "total", "max_total", "message",
                     "needs_review"])
    for r in sorted(results, key=lambda r: r.student):
        scores = [f"{r.scores[gid]:g}" if gid in r.scores else "" for gid, _ in tasks]
        total = "" if r.total is None else f"{r.total:g}"
        writer.writerow([safe_cell(r.student), r.status, *scores, total, f"{r.max_total:g}",
                         safe_cell("; ".join(r.messages)), safe_cell("; ".join(r.review))])
    write_atomic(path, buffer.getvalue())


def plot_summary(path, tasks, results):
    """Save a figure: the distribution of totals, and the mean score of each task in %."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    graded = [r for r in results if r.status == "graded"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), constrained_layout=True)
    max_total = sum(points for _, points in tasks)
    left.hist([r.total for r in graded], bins=min(20, max(int(max_total), 1)), range=(0, max_total),
              color="#1f77b4", edgecolor="white")
    left.set(xlabel=f"total score (out of {max_total:g})", ylabel="students",
             title=f"{len(graded)} graded, {len(results) - len(graded)} not graded")
    means = [100 * sum(r.scores.get(gid, 0) for r in graded) / (points * len(graded)) if graded else 0
             for gid, points in tasks]
    right.barh([gid for gid, _ in tasks][::-1], means[::-1], color="#2ca02c")
    right.set(xlim=(0, 100), xlabel="mean score (%)", title="by task")
    fig.savefig(path, dpi=100)
    plt.close(fig)


def summary_text(assignment, tasks, results, seconds):
    """A few lines for the terminal: how many were graded, the mean, and every problem."""
    graded = [r for r in results if r.status == "graded"]
    max_total = sum(points for _, points in tasks)
    lines = [f"{assignment}: graded {len(graded)} of {len(results)} submissions in {seconds:.1f} s"]
    if graded:
        mean = sum(r.total for r in graded) / len(graded)
        lines.append(f"mean score {mean:.1f} / {max_total:g} ({100 * mean / max_total:.0f}%)")
    for r in results:
        if r.status != "graded":
            lines.append(safe_text(f"  {r.student}: {r.status}: {r.messages[0] if r.messages else ''}", 500))
    return "\n".join(lines)
