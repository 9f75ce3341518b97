"""The command line: ``python -m grading {release,check,grade}`` (also installed as ``nnfs-grade``)."""

import argparse
import sys
import time
from pathlib import Path

import nbformat

from grading.course import ROOT, GradingError, find_assignments, get_assignment
from grading.submissions import _normalise


def _release(args):
    from grading.release import release

    changed = release(args.root, check=args.check, names=args.assignments or None)
    if args.check:
        for path in changed:
            print(f"out of date: {path} (run: python -m grading release)")
        print("exercises are up to date" if not changed else f"{len(changed)} exercise(s) out of date")
        return 1 if changed else 0
    for path in changed:
        print(f"wrote {path}")
    print(f"{len(changed)} exercise(s) regenerated" if changed else "exercises were already up to date")
    return 0


def _check(args):
    from grading.check import check

    path = Path(args.notebook)
    if not path.is_file():
        print(f"error: {path} does not exist; give the path of your exercise notebook, e.g. "
              "exercises/01-neurons/neurons.ipynb", file=sys.stderr)
        return 2
    try:
        nbformat.read(path, as_version=4)
    except Exception as error:
        print(f"error: {path} is not a readable notebook ({error}); download it again from Jupyter",
              file=sys.stderr)
        return 2
    print(f"running {path} top to bottom in a fresh kernel ...", flush=True)
    try:
        table, passed = check(path, timeout=args.timeout)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(table)
    return 0 if passed else 1


def _infer_assignment(root, submissions):
    """The one assignment whose notebook name the submissions use, or None."""
    names = {_normalise(p.name) for p in Path(submissions).rglob("*.ipynb")}
    matches = [a for a in find_assignments(root).values() if _normalise(a.notebook) in names]
    return matches[0] if len(matches) == 1 else None


def _grade(args):
    from grading.grade import Batch
    from grading.report import plot_summary, summary_text

    if not Path(args.submissions).is_dir():
        print(f"error: submissions folder {args.submissions} does not exist", file=sys.stderr)
        return 2
    if args.assignment:
        assignment = get_assignment(args.assignment, args.root)
    else:
        assignment = _infer_assignment(args.root, args.submissions)
        if assignment is None:
            print("error: cannot tell which assignment these submissions are for; pass --assignment "
                  f"(one of: {', '.join(find_assignments(args.root))})", file=sys.stderr)
            return 2
    start = time.monotonic()
    batch = Batch(assignment, args.submissions, args.out, jobs=args.jobs, cell_timeout=args.cell_timeout,
                  student_timeout=args.student_timeout, force=args.force, progress=not args.no_progress,
                  memory_mb=args.memory_mb, sandboxed=not args.unsafe_no_sandbox)
    if args.unsafe_no_sandbox:
        print(f"warning: {UNPROTECTED}", file=sys.stderr)
    results = batch.run()
    if not results:
        print(f"error: no submissions found in {args.submissions} (expected one folder or one .ipynb "
              "per student)", file=sys.stderr)
        return 2
    out = Path(args.out)
    if batch.graded_now or not (out / "summary.png").exists():     # the same results draw the same plot
        plot_summary(out / "summary.png", batch.tasks, results)
    print(summary_text(assignment.name, batch.tasks, results, time.monotonic() - start, batch.written))
    print(f"wrote {out / 'grades.csv'}, {out / 'feedback'}/<student>.html and {out / 'summary.png'}")
    if args.gradebook or args.db:
        from grading.course import configured_course_id
        from grading.gradebook import GradebookError, default_url, write_gradebook

        try:
            written = write_gradebook(assignment, results, args.db or default_url(args.root),
                                      configured_course_id(args.root), course_root=args.root,
                                      saved=out / "nbgrader")
            print(written.summary())
        except GradebookError as error:
            print(f"error: {error}\nthe grades are saved in {out}; once the database can be reached, run the "
                  "same command again: students already graded are not graded again", file=sys.stderr)
            return 1
    return 0 if all(r.graded for r in results) else 1


UNPROTECTED = ("grading WITHOUT the sandbox (--unsafe-no-sandbox): student code runs as you, under per-process "
               "limits only (memory, CPU time, processes, file size). It can read everything you can read "
               "(solutions/, other students' work, the gradebook), write your files, use the network, and leave "
               "processes running after the batch. Use this only for submissions you trust.")


def parser():
    p = argparse.ArgumentParser(prog="python -m grading", description=__doc__)
    p.add_argument("--root", type=Path, default=ROOT, help="course folder holding solutions/ and exercises/")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("release", help="regenerate exercises/ from solutions/")
    r.add_argument("assignments", nargs="*", help="only these assignments (default: all)")
    r.add_argument("--check", action="store_true", help="only report exercises that are out of date")
    r.set_defaults(run=_release)

    c = sub.add_parser("check", help="run your notebook and see which visible tests pass")
    c.add_argument("notebook")
    c.add_argument("--timeout", type=int, default=120, help="seconds allowed per cell (default 120)")
    c.set_defaults(run=_check)

    g = sub.add_parser("grade", help="grade a folder of submissions")
    g.add_argument("submissions", help="one folder (or one .ipynb) per student")
    g.add_argument("--out", required=True, help="where grades.csv, feedback/ and summary.png go")
    g.add_argument("--assignment", help="e.g. 01-neurons (default: inferred from the notebook names)")
    g.add_argument("--jobs", type=int, default=2, help="students graded at once (default 2)")
    g.add_argument("--cell-timeout", type=int, default=60, help="seconds per cell (default 60)")
    g.add_argument("--student-timeout", type=float, default=600, help="seconds per student (default 600)")
    g.add_argument("--memory-mb", type=int, default=3072, help="memory limit per kernel in MB (default 3072)")
    g.add_argument("--force", action="store_true", help="regrade students that already have a result")
    g.add_argument("--unsafe-no-sandbox", action="store_true",
                   help="grade even where no bubblewrap sandbox can be made (student code then runs as you)")
    g.add_argument("--no-progress", action="store_true", help="no progress bar")
    g.add_argument("--gradebook", action="store_true",
                   help="also record the scores in the course's nbgrader gradebook (ROOT/gradebook.db) for formgrader")
    g.add_argument("--db", metavar="URL", help="record the scores in this gradebook database instead (implies "
                   "--gradebook), e.g. postgresql://user@/dbname?host=/run/postgresql")
    g.set_defaults(run=_grade)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (GradingError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: results of the students already graded are saved; run again to finish",
              file=sys.stderr)
        return 130
