"""What a batch shows its instructor: a summary plot and a printed summary (the files of results are
in grading.results)."""

import unicodedata


def safe_text(text, limit=2000):
    """``text`` with every control or format character (escape sequences, bidi overrides, NUL) shown
    as a ``\\uXXXX`` escape, cut to ``limit`` characters: safe to print on the instructor's terminal."""
    text = str(text)[:limit]
    return "".join(c if c in "\n" or unicodedata.category(c)[0] not in "CZ" or c == " "
                   else f"\\u{ord(c):04x}" for c in text)


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


def summary_text(assignment, tasks, results, seconds, written=()):
    """A few lines for the terminal: how many were graded, the mean, the written answers left to a
    person, and every problem."""
    graded = [r for r in results if r.status == "graded"]
    max_total = sum(points for _, points in tasks)
    lines = [f"{assignment}: graded {len(graded)} of {len(results)} submissions in {seconds:.1f} s"]
    if graded:
        mean = sum(r.total for r in graded) / len(graded)
        lines.append(f"mean score {mean:.1f} / {max_total:g} ({100 * mean / max_total:.0f}%) in the "
                     "autograded tests")
    if written:
        todo = sum(r.recorded_score(gid) is None for r in graded for gid, _ in written)
        lines.append(f"written answers ({len(written)} per student, {sum(p for _, p in written):g} points, "
                     f"not in the totals): {todo} to grade by hand in formgrader (grade --gradebook "
                     "puts them there); blank ones got 0")
    for r in results:
        if r.status != "graded":
            lines.append(safe_text(f"  {r.student}: {r.status}: {r.messages[0] if r.messages else ''}", 500))
    return "\n".join(lines)
