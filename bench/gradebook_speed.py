"""How fast does ``grading grade --db`` write a graded class into a gradebook, without regrading?

Set-up: two submissions of the Chapter 1 exercise (solutions/01-neurons), one correct and one
partial, are graded for real by ``python -m grading grade``; their saved results (``results/``,
``feedback/``, ``out/nbgrader/{submitted,autograded}``) are then copied to N students (default
300) and ``grades.csv`` is rewritten for all of them. Nothing is left to grade, so the command only
writes the batch into the gradebook (and the submitted/autograded notebooks into the course folder,
a scratch one here). Timed, each in a fresh process, with nothing else of this script running:

  (a) ``python -m grading grade SUBS --out OUT --db sqlite:///new.db`` into a NEW gradebook;
  (b) the same command again, into that gradebook, which now holds every row;
  (c) nbgrader's own way of writing the same rows into a new gradebook: its ``Gradebook`` API as
      ``nbgrader generate_assignment`` and ``nbgrader autograde`` use it (the assignment's cells, then
      per student ``update_or_create_student``, ``add_submission`` and each grade's score, a commit
      after each, and the alembic stamp of a new gradebook; no notebooks are put in a course folder);
  (d) ``python -c pass``: the cost of starting Python.

(a), (b) and (d) run ``--repeat`` times (default 3), each time with a new gradebook and course
folder, and the best time is shown; (c) takes long and runs once. Prints wall and CPU seconds,
(a) and (b) as ratios of (c), and checks that (a) and (c) hold the same scores and that the course
folder got every notebook (a problem is printed loudly and the exit code is 1). The target of
issue #14 is under 3 s for (a) and (b). Other work on the machine skews every number (less so the
CPU seconds): the load average is printed.
Run it from the repository root:  .venv/bin/python bench/gradebook_speed.py  [--n 300] [--work DIR]
(``--work DIR`` keeps the set-up there and reuses it on the next run.)
"""

import argparse
import dataclasses
import os
import resource
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

import nbformat  # noqa: E402

from grade_speed import CHAPTER, build_submissions, timed  # noqa: E402
from grading.cells import tasks_of, written_of  # noqa: E402
from grading.course import configured_course_id  # noqa: E402
from grading.results import load_result, save_result, write_csv  # noqa: E402

# nbgrader's own way, run in a fresh process: argv = gradebook URL, course id, template gradebook, results/
NBGRADER_WAY = r"""
import json, sys, warnings
from pathlib import Path
from nbgrader.api import Gradebook
warnings.simplefilter("ignore")
url, course_id, template, results = sys.argv[1:5]
with Gradebook("sqlite:///" + template, course_id) as ref:
    (a,) = ref.assignments
    (nb,) = a.notebooks
    cells = ([(c.name, {"max_score": c.max_score, "cell_type": c.cell_type}) for c in nb.grade_cells],
             [(c.name, {}) for c in nb.solution_cells],
             [(c.name, {"max_score": c.max_score, "cell_type": c.cell_type}) for c in nb.task_cells],
             [(c.name, {"cell_type": c.cell_type, "locked": c.locked, "source": c.source,
                        "checksum": c.checksum}) for c in nb.source_cells])
    assignment, notebook, kernelspec = a.name, nb.name, nb.kernelspec
with Gradebook(url, course_id) as gb:
    gb.update_or_create_assignment(assignment)
    gb.add_notebook(notebook, assignment, kernelspec=kernelspec)
    for add, rows in zip((gb.update_or_create_grade_cell, gb.update_or_create_solution_cell,
                          gb.update_or_create_task_cell, gb.update_or_create_source_cell), cells):
        for name, info in rows:
            add(name, notebook, assignment, **info)
    for path in sorted(Path(results).glob("*.json")):
        result = json.loads(path.read_text())
        gb.update_or_create_student(result["student"])
        gb.add_submission(assignment, result["student"])
        recorded = result["nbgrader"]
        for grade in gb.find_submission_notebook(notebook, assignment, result["student"]).grades:
            grade.auto_score = recorded["grades"][grade.name]["auto_score"]
            grade.needs_manual_grade = recorded["grades"][grade.name]["needs_manual_grade"]
            gb.db.commit()
        for comment in gb.find_submission_notebook(notebook, assignment, result["student"]).comments:
            comment.auto_comment = recorded["comments"].get(comment.name)
            gb.db.commit()
"""


def new_course(work):
    """An empty course folder (the course's solutions/ and nbgrader_config.py) in ``work``."""
    course = Path(tempfile.mkdtemp(dir=work, prefix="course-"))
    (course / "solutions").symlink_to(ROOT / "solutions")
    shutil.copy2(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    return course


def set_up(work, n):
    """Grade two students for real, then copy their saved results to n students (see the docstring)."""
    work.mkdir(parents=True, exist_ok=True)
    course = new_course(work)
    assignment, _ = build_submissions(work / "submissions", 2)
    out = work / "grades"
    print(f"set-up: grading 2 students of {CHAPTER} for real ...", flush=True)
    # the two notebooks are the course's own solution and a variant of it: no sandbox needed
    seconds, code = timed([sys.executable, "-m", "grading", "--root", str(course), "grade", str(work / "submissions"),
                           "--out", str(out), "--assignment", CHAPTER, "--no-progress", "--unsafe-no-sandbox"],
                          ROOT, work / "setup.log")
    graded = [load_result(out / "results" / f"{s}.json") for s in ("student001", "student002")]
    if code != 0 or not graded[0] or graded[0].total != graded[0].max_total:
        sys.exit(f"grading the two students failed (exit code {code}, the correct one should get full marks); "
                 f"see {work / 'setup.log'} and {out}")
    print(f"  {seconds:.1f} s; copying their results to {n} students ...", flush=True)
    originals = ["student001", "student002"]
    results = []
    for i in range(n):
        student, original = f"student{i + 1:03d}", originals[i % 2]
        result = dataclasses.replace(graded[i % 2], student=student)
        results.append(result)
        if student in originals:
            continue
        shutil.copytree(work / "submissions" / original, work / "submissions" / student)
        save_result(out / "results" / f"{student}.json", result)
        shutil.copy2(out / "feedback" / f"{original}.html", out / "feedback" / f"{student}.html")
        for kind in ("submitted", "autograded"):
            shutil.copytree(out / "nbgrader" / kind / original, out / "nbgrader" / kind / student)
    source = nbformat.read(assignment.source, as_version=4)
    write_csv(out / "grades.csv", tasks_of(source), results, written_of(source))
    shutil.rmtree(course)
    (work / "n").write_text(str(n))


def scores(url, course_id):
    """{student: (total, [(cell, auto score, needs manual grade, auto comment)])} in a gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(url, course_id) as gb:
        found = {}
        for sub in gb.find_assignment(CHAPTER).submissions:
            (nb,) = sub.notebooks
            comments = {c.name: c.auto_comment for c in nb.comments}
            found[sub.student_id] = (sub.score, sorted((g.name, g.auto_score, g.needs_manual_grade,
                                                        comments.get(g.name)) for g in nb.grades))
        return found


def run(command, log):
    """Run ``command`` from the repository root, its output into the file ``log``; return (wall
    seconds, CPU seconds, exit code). The CPU time (user + system) is less skewed by other work."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall, code = timed(command, ROOT, log)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, code


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=300, help="students (default 300)")
    p.add_argument("--repeat", type=int, default=3, help="times (a), (b) and (d) run; the best is shown (default 3)")
    p.add_argument("--work", type=Path, help="keep the set-up in this folder and reuse it next time")
    args = p.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="nnfs-gradebook-speed-"))
    try:
        if not (work / "n").is_file() or (work / "n").read_text() != str(args.n):
            shutil.rmtree(work, ignore_errors=True)
            set_up(work, args.n)
        out = work / "grades"
        course_id = configured_course_id(ROOT)
        print(f"{args.n} students of {CHAPTER}, nothing to regrade; {os.cpu_count()} cores, "
              f"load average {os.getloadavg()[0]:.2f}; best of {args.repeat}")
        times = {"a": [], "b": [], "d": []}
        failed = False
        courses = []
        for i in range(args.repeat):
            # each time a new gradebook and a new course folder; the old ones are removed at the end
            # (removing a course's notebooks just before would slow this run's writes)
            course, db = new_course(work), work / f"ours-{i}.db"
            courses.append(course)
            db.unlink(missing_ok=True)
            command = [sys.executable, "-m", "grading", "--root", str(course), "grade", str(work / "submissions"),
                       "--out", str(out), "--assignment", CHAPTER, "--no-progress", "--db", f"sqlite:///{db}"]
            for key in "ab":
                *seconds, code = run(command, work / f"{key}.log")
                times[key].append(seconds)
                if code:
                    print(f"!!! ({key}) failed with exit code {code}: see {work / f'{key}.log'} (keep it with --work)")
                    failed = True
            times["d"].append(run([sys.executable, "-c", "pass"], os.devnull)[:2])
            placed = {kind: len(list(course.glob(f"{kind}/*/{CHAPTER}/*.ipynb")))
                      for kind in ("submitted", "autograded")}
            if placed != {"submitted": args.n, "autograded": args.n}:
                print(f"!!! the course folder holds {placed} notebooks, not {args.n} of each")
                failed = True
        theirs = work / "nbgrader.db"
        theirs.unlink(missing_ok=True)
        *peer, code = run([sys.executable, "-c", NBGRADER_WAY, f"sqlite:///{theirs}", course_id,
                           str(out / "nbgrader" / "template" / "gradebook.db"), str(out / "results")],
                          work / "nbgrader.log")
        if code:
            print(f"!!! (c) failed with exit code {code}: see {work / 'nbgrader.log'} (keep it with --work)")
            failed = True
        best = {key: min(values) for key, values in times.items()}
        for key, label in (("a", "grade --db, a new gradebook:         "),
                           ("b", "grade --db, the same one again:      ")):
            wall, cpu = best[key]
            print(f"({key}) {label} {wall:5.2f} s ({cpu:.2f} s CPU)  {peer[0] / wall:5.1f}x faster than (c)")
        print(f"(c) nbgrader's Gradebook API, a new one: {peer[0]:5.2f} s ({peer[1]:.2f} s CPU), run once")
        print(f"(d) python -c pass:                      {best['d'][0]:5.2f} s")
        print(f"load average at the end: {os.getloadavg()[0]:.2f} (other work on the machine skews every number)")
        mine, nbgraders = scores(f"sqlite:///{work / f'ours-{args.repeat - 1}.db'}", course_id), scores(
            f"sqlite:///{theirs}", course_id)
        if mine != nbgraders or len(mine) != args.n:
            print(f"!!! MISMATCH: {len(mine)} submissions in (a), {len(nbgraders)} in (c), "
                  f"{sum(mine.get(s) != v for s, v in nbgraders.items())} differ")
            failed = True
        else:
            print(f"(a) and (c) hold the same scores, flags and comments for all {args.n} students")
        for course in courses:
            shutil.rmtree(course)
        for key in "ab":
            if best[key][0] >= 3:
                print(f"({key}) is over the 3 s target")
        return 1 if failed else 0
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
