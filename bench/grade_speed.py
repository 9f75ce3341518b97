"""How fast does ``grading grade`` score a class, compared with plain nbgrader in the same run?

Builds N submissions of the Chapter 1 exercise (solutions/01-neurons), a mix of
correct (the solution), partial (the solution with one typical wrong answer from
tests/wrong_answers/c01_neurons.py) and blank (the release as handed out), then grades them twice:

  (a) ``python -m grading grade SUBS --out OUT`` with its defaults (2 workers, one scratch course
      per student, the sandbox on when run as root);
  (b) plain nbgrader as an instructor runs it: a standard course folder (nbgrader_config.py,
      source/, ``nbgrader generate_assignment``, submitted/<student>/01-neurons/neurons.ipynb),
      then ``nbgrader autograde 01-neurons``. Only that command is timed.

It does so for several class sizes (default 3, 30 and 300 students) and prints both times and the
ratio (targets: at least 2x at 30 and 300 students, not slower at 3), and checks that both give
every student the same total (a mismatch is printed loudly and the exit code is 1). The machine's
load average is printed too: other work running at the same time skews both.
Run it from the repository root:  .venv/bin/python bench/grade_speed.py  [--n 3 30 300] [--keep]
"""

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from grading.course import COURSE_ID, get_assignment  # noqa: E402
from grading.cells import tasks_of  # noqa: E402
from notebook_builders import released, solution_answers, submission, write  # noqa: E402
from wrong_answers import WRONG_ANSWERS  # noqa: E402

import nbformat  # noqa: E402

CHAPTER = "01-neurons"


def build_submissions(folder, n):
    """Write n submissions into folder/<student>/<notebook>; return {student: expected total}."""
    assignment = get_assignment(CHAPTER)
    release, solution = released(assignment), solution_answers(assignment)
    points = dict(tasks_of(nbformat.read(assignment.source, as_version=4)))
    wrong = list(WRONG_ANSWERS[CHAPTER].items())
    expected = {}
    for i in range(n):
        student = f"student{i + 1:03d}"
        kind = i % 3
        if kind == 0:
            nb, total = submission(release, solution), sum(points.values())
        elif kind == 1:
            _, (answers, failing) = wrong[(i // 3) % len(wrong)]
            nb = submission(release, {**solution, **answers})
            total = sum(p for task, p in points.items() if task not in failing)
        else:
            nb, total = release, 0.0
        write(nb, folder, student, assignment.notebook)
        expected[student] = float(total)
    return assignment, expected


def environment():
    """The environment of both runs: this Python's scripts (nbgrader, alembic) first on PATH."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def timed(cmd, cwd, log):
    """Run cmd, its output into the file log; return (seconds, exit code)."""
    start = time.perf_counter()
    with open(log, "w") as out:
        code = subprocess.run(cmd, cwd=cwd, env=environment(), stdout=out, stderr=subprocess.STDOUT).returncode
    return time.perf_counter() - start, code


def run_grading(subs, out, log):
    seconds, code = timed([sys.executable, "-m", "grading", "grade", str(subs), "--out", str(out),
                           "--assignment", CHAPTER, "--no-progress"], ROOT, log)
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        totals = {row["student"]: float(row["total"]) if row["total"] else None for row in csv.DictReader(f)}
    return seconds, code, totals


def run_nbgrader(assignment, subs, course, log):
    """A standard nbgrader course folder, released, with the submissions in submitted/; time autograde."""
    from nbgrader.api import Gradebook, MissingEntry

    nbgrader = [str(Path(sys.executable).parent / "nbgrader")]
    (course / "source" / CHAPTER).mkdir(parents=True)
    shutil.copy2(assignment.source, course / "source" / CHAPTER / assignment.notebook)
    (course / "nbgrader_config.py").write_text(
        f'c = get_config()\nc.CourseDirectory.course_id = "{COURSE_ID}"\n', encoding="utf-8")
    setup = subprocess.run(nbgrader + ["generate_assignment", CHAPTER], cwd=course, env=environment(),
                           capture_output=True, text=True)
    if setup.returncode != 0:
        sys.exit(f"nbgrader generate_assignment failed:\n{setup.stdout}\n{setup.stderr}")
    students = sorted(p.name for p in subs.iterdir())
    for student in students:
        target = course / "submitted" / student / CHAPTER
        target.mkdir(parents=True)
        shutil.copy2(subs / student / assignment.notebook, target / assignment.notebook)
    seconds, code = timed(nbgrader + ["autograde", CHAPTER], course, log)
    totals = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        for student in students:
            try:
                totals[student] = float(gb.find_submission(CHAPTER, student).score)
            except MissingEntry:
                totals[student] = None
    return seconds, code, totals


def sandbox_state():
    from grading.sandbox import unavailable_reason

    reason = unavailable_reason()
    return f"NO SANDBOX: {reason}" if reason else ("bubblewrap sandbox, " + ("root" if os.geteuid() == 0 else "not root"))


def compare(n, keep):
    """Grade n submissions both ways; return (ours, theirs, problems) with times in seconds."""
    work = Path(tempfile.mkdtemp(prefix="nnfs-grade-speed-"))
    try:
        assignment, expected = build_submissions(work / "submissions", n)
        kinds = [i % 3 for i in range(n)]
        print(f"\n{n} submissions of {CHAPTER}: {kinds.count(0)} correct, {kinds.count(1)} partial, "
              f"{kinds.count(2)} blank; {os.cpu_count()} cores")
        print(f"(a) grading grade ({sandbox_state()}), load average {os.getloadavg()[0]:.1f} ...", flush=True)
        ours, our_code, our_totals = run_grading(work / "submissions", work / "grades", work / "grading.log")
        print(f"    {ours:.1f} s, exit code {our_code}")
        db = f"sqlite:///{work / 'gradebook.db'}"
        written, _ = timed([sys.executable, "-m", "grading", "grade", str(work / "submissions"), "--out",
                            str(work / "grades"), "--assignment", CHAPTER, "--no-progress", "--db", db],
                           ROOT, work / "db.log")
        start, _ = timed([str(Path(sys.executable).parent / "nbgrader"), "--version"], ROOT, work / "start.log")
        print(f"    the same command again with --db (nothing to regrade, written into a gradebook): "
              f"{written:.1f} s, {written / start:.2f}x the time nbgrader takes to start ({start:.1f} s)")
        print(f"(b) plain nbgrader autograde, load average {os.getloadavg()[0]:.1f} ...", flush=True)
        theirs, their_code, their_totals = run_nbgrader(assignment, work / "submissions", work / "course",
                                                        work / "nbgrader.log")
        print(f"    {theirs:.1f} s, exit code {their_code}")
        problems = []
        for s in expected:
            if our_totals.get(s) != their_totals.get(s) or our_totals.get(s) != expected[s]:
                problems.append(f"{s}: grading grade {our_totals.get(s)}, nbgrader {their_totals.get(s)}, "
                                f"expected {expected[s]}")
        if keep:
            print(f"kept {work} (logs: grading.log, nbgrader.log)")
        return ours, theirs, problems
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, nargs="+", default=[3, 30, 300],
                   help="class sizes to compare (default: 3 30 300)")
    p.add_argument("--keep", action="store_true", help="keep the temporary folders and print their paths")
    args = p.parse_args()
    rows, failed = [], False
    for n in args.n:
        ours, theirs, problems = compare(n, args.keep)
        for problem in problems:
            print(f"!!! MISMATCH {problem}")
        failed |= bool(problems)
        rows.append((n, ours, theirs, theirs / ours))
    print(f"\n{'students':>8}  {'grading grade':>13}  {'nbgrader autograde':>18}  ratio")
    for n, ours, theirs, ratio in rows:
        target = 1.0 if n < 10 else 2.0
        verdict = "OK" if ratio >= target else f"BELOW TARGET {target:g}x"
        print(f"{n:>8}  {ours:>11.1f} s  {theirs:>16.1f} s  {ratio:.2f}x  {verdict}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (other work on the machine skews both)")
    print("every student got the same total both ways" if not failed else "!!! totals differ: see above")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
