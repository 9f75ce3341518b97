"""``grade``: score a folder of submissions, one scratch nbgrader course per student.

The pipeline, one stage after the other:

1. **Prepare** (this process; no student code runs here): find the submissions
   (grading.submissions), take the results already saved, and, if any student is left, make a
   template course once (the source notebook released, its gradebook filled in) and the feedback
   page's template (grading.feedback). Each submission is pre-checked and scanned
   (grading.tampering); one that cannot be graded gets an error row with a clear message. The
   rest get a copy of the template with their notebook in it, armed with the tripwires
   (grading.tripwires).
2. **Run in the sandbox**: one zygote per batch (grading.zygote), a process under bubblewrap
   without any capability that sees only the Python environment, the grading code, the scratch
   courses and the batch's cgroups. It imports nbgrader once and forks a child per student,
   which autogrades the student's scratch course, its kernel in a nested sandbox of its own
   (grading.sandbox, grading.execute), with a time limit per cell; ``jobs`` children at once.
   This process stops a child that overruns the time limit per student, with all its processes.
3. **Collect**: the child, after its kernel is gone, reads the scores from the scratch gradebook,
   the tripwires' verdict and renders the feedback page, and leaves them in the scratch course
   as data; this process reads them back without following anything the zygote made.
4. **Save** (this process): ``results/<student>.json``, ``feedback/<student>.html`` and
   ``grades.csv``, each written atomically (grading.results). Students already graded are
   skipped on the next run (``force`` regrades them; errors and timeouts are always retried),
   so a batch killed halfway loses nothing.
5. **Report** (grading.report, grading.cli): the summary and its plot.
"""

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from tqdm import tqdm

from grading import sandbox, tripwires
from grading.cells import is_payoff_cell, locked_ids, tasks_of, written_of
from grading.course import GradingError, make_course
from grading.results import Result, load_result, save_result, write_atomic, write_csv
from grading.submissions import discover, load_checked
from grading.tampering import review_reasons
from grading.zygote import Zygote, ZygoteDied, error_outcome, read_back


class Batch:
    """Grades the submissions in ``submissions`` for ``assignment`` into the folder ``out``."""

    def __init__(self, assignment, submissions, out, jobs=2, cell_timeout=60, student_timeout=600,
                 force=False, progress=True, memory_mb=3072, sandboxed=True):
        """``sandboxed=False`` grades with per-process limits only (``--unsafe-no-sandbox``).

        Raises GradingError when a sandbox is asked for but cannot be made here.
        """
        self.assignment, self.submissions, self.out = assignment, Path(submissions), Path(out)
        self.jobs, self.cell_timeout, self.student_timeout = max(1, int(jobs)), cell_timeout, student_timeout
        self.force, self.progress = force, progress
        self.limits = sandbox.Limits(memory_mb=int(memory_mb), cpu_seconds=int(student_timeout))
        self.sandboxed = bool(sandboxed)
        reason = sandbox.unavailable_reason() if self.sandboxed else None
        if reason:
            raise GradingError(f"{reason}.\nStudent code must not run unsandboxed. To grade "
                               "anyway, knowing what is then unprotected, pass --unsafe-no-sandbox.")
        self.source = nbformat.read(assignment.source, as_version=4)
        self.tasks = tasks_of(self.source)           # [(grade_id, points)] of the test cells
        self.written = written_of(self.source)       # [(grade_id, points)] of the answers a person grades
        if not self.tasks:
            raise GradingError(f"{assignment.source} has no graded test cells")
        self.max_scores = dict(self.tasks)
        self.max_total = sum(self.max_scores.values())
        self.results = {}                            # student -> Result, saved ones included
        self.graded_now = 0                          # students graded by this run

    # -- files -------------------------------------------------------------------------------
    def _result_path(self, student):
        return self.out / "results" / f"{student}.json"

    def _load_previous(self, student):
        """The saved Result of a graded student (None to grade again: ``force``, no file, a damaged
        file, or an error or timeout, which are always retried)."""
        previous = None if self.force else load_result(self._result_path(student))
        return previous if previous is not None and previous.graded else None

    def _save(self, result, page):
        result.messages = list(dict.fromkeys(result.messages))
        self.results[result.student] = result
        save_result(self._result_path(result.student), result)
        write_atomic(self.out / "feedback" / f"{result.student}.html", page)
        write_csv(self.out / "grades.csv", self.tasks, self.results.values(), self.written)

    # -- one student -------------------------------------------------------------------------
    def _prepare(self, sub):
        """Pre-check one submission; return its scratch course, or save an error result.

        Whatever the file holds, a failure here costs only this student: an error row.
        """
        try:
            if sub.problem is None:
                nb, notes = load_checked(sub.path, self.release)
                sub.notes.extend(notes)
                sub.review = review_reasons(nb, self.locked_ids)
                return self._scratch_course(sub, nb)
        except ValueError as error:
            sub.problem = str(error)
        except Exception as error:  # noqa: BLE001 - any other surprise is this student's error row
            sub.problem = f"this notebook could not be prepared for grading ({type(error).__name__}: {error})"
        self._error(sub.student, sub.problem, sub.notes)
        return None

    def _scratch_course(self, sub, nb):
        """A copy of the template course with the submission in it, armed with the tripwires."""
        scratch = self.work / "students" / sub.student
        shutil.copytree(self.template, scratch)
        target = scratch / "submitted" / sub.student / self.assignment.name / self.assignment.notebook
        target.parent.mkdir(parents=True)
        nb.cells = [cell for cell in nb.cells if not is_payoff_cell(cell)]
        armed, sub.nonce, reasons = tripwires.arm(nb, self.source)
        sub.review.extend(reasons)
        nbformat.write(armed, target)
        self.zygote.hand_over(scratch)
        return scratch

    def _kernel_spec(self, key):
        """The kernelspec of one student's kernel; ``key`` names its cgroup."""
        if not self.sandboxed:
            return sandbox.plain_kernel_spec(self.limits)
        return sandbox.kernel_spec(self.limits, self.shared, self.cgroups.kernel_paths(key))

    def _error(self, student, message, notes=(), status="error", seconds=0.0):
        result, page = self._error_outcome(student, message, notes, status)
        result.seconds = seconds
        self._keep_notebooks(student, None)
        self._save(result, page)

    def _error_outcome(self, student, message, notes=(), status="error"):
        return error_outcome(student, self.assignment.name, self.max_total, message, notes, status)

    def _collect(self, sub, seconds):
        """Save the outcome the grading child left in the student's scratch course (an error row if
        it left none). Read with :func:`read_back`: nothing the zygote made is followed."""
        try:
            result = Result(**json.loads(read_back(self.work / "students", f"{sub.student}/outcome.json")))
            page = read_back(self.work / "students", f"{sub.student}/feedback.html").decode("utf-8")
            if result.student != sub.student:
                raise ValueError("the outcome is another student's")
            self._keep_notebooks(sub.student, result.graded)
        except Exception:  # noqa: BLE001 - whatever the scratch course holds, it costs only this student
            result, page = self._error_outcome(sub.student, "the grader could not finish this notebook "
                                               "(its grading process stopped early): grade it again", sub.notes)
            self._keep_notebooks(sub.student, False)
        result.seconds = seconds
        self._save(result, page)

    def _keep_template(self, release):
        """Keep the template's gradebook and released notebook in ``out/nbgrader/template``: what
        ``--gradebook`` records for the assignment, without running generate_assignment again."""
        kept = self.out / "nbgrader" / "template"
        fresh = Path(tempfile.mkdtemp(dir=self.work))
        shutil.copy2(self.template / "gradebook.db", fresh / "gradebook.db")
        shutil.copy2(release, fresh / self.assignment.notebook)
        shutil.rmtree(kept, ignore_errors=True)
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(fresh, kept)

    def _keep_notebooks(self, student, graded):
        """Keep nbgrader's submitted and autograded notebooks of a ``graded`` student (for
        ``--gradebook``) in ``out/nbgrader/``, laid out as in a course folder, without the grader's
        tripwire cells; drop older ones of an ungraded student. Read back from the scratch course
        without following anything the zygote made."""
        for kind in ("submitted", "autograded"):
            target = self.out / "nbgrader" / kind / student / self.assignment.name
            shutil.rmtree(target, ignore_errors=True)
            if graded:
                kept = read_back(self.work / "students",
                                 f"{student}/{kind}/{student}/{self.assignment.name}/{self.assignment.notebook}")
                target.mkdir(parents=True)
                nb = nbformat.reads(kept.decode("utf-8"), as_version=4)
                nbformat.write(tripwires.disarm(nb), target / self.assignment.notebook)

    # -- the batch ---------------------------------------------------------------------------
    def run(self):
        """Grade every submission; return the list of Results (previous ones included).

        The pipeline: find the submissions, take the results already saved, then (only if some are
        left) make the template course and the cgroups, and grade the rest.
        """
        subs = discover(self.submissions, self.assignment.notebook)
        self.out.mkdir(parents=True, exist_ok=True)
        todo = []
        for sub in subs:
            previous = self._load_previous(sub.student)
            if previous is not None:
                self.results[sub.student] = previous
            else:
                todo.append(sub)
        if self.results:
            write_csv(self.out / "grades.csv", self.tasks, self.results.values(), self.written)
        self.graded_now = len(todo)
        if todo:
            self._grade_in_scratch(todo)
        return [self.results[s.student] for s in subs if s.student in self.results]

    def _grade_in_scratch(self, todo):
        """Set up the batch (its folder, cgroups, zygote, template course), grade ``todo``, clean up."""
        self.work = Path(tempfile.mkdtemp(prefix="nnfs-grade-"))
        for name in ("students", "ipc", "zygote"):
            (self.work / name).mkdir()
        self.cgroups = sandbox.Cgroups.for_batch() if self.sandboxed else sandbox.Cgroups([])
        self.zygote = None
        try:
            if self.sandboxed and self.cgroups.reason:
                print(f"note: {sandbox.cgroup_note(self.cgroups.reason, self.limits)}", file=sys.stderr)
            self.worker_note = sandbox.worker_unavailable_reason() if self.sandboxed else None
            if self.worker_note:
                print(f"note: {self.worker_note}; nbgrader runs unsandboxed, as you, and starts each "
                      "student's kernel in its sandbox as before", file=sys.stderr)
            self.zygote = self._start_zygote()           # it imports nbgrader while the template is made
            self.template = self.work / "template"
            release = make_course(self.assignment, self.template)
            self.release = nbformat.read(release, as_version=4)
            self._keep_template(release)
            self.locked_ids = locked_ids(self.release)
            self.shared = sandbox.shared_paths()
            for kind, notebook in (("source", self.assignment.source), ("release", release)):
                (self.work / "zygote" / kind).mkdir()
                shutil.copy2(notebook, self.work / "zygote" / kind / self.assignment.notebook)
            self.zygote.configure(self._zygote_config())
            self._grade_all(todo)
        finally:
            if self.zygote is not None:
                self.zygote.close()
            self.cgroups.close()
            shutil.rmtree(self.work, ignore_errors=True)

    def _start_zygote(self):
        return Zygote(self.work, self.sandboxed and self.worker_note is None, self.cgroups)

    def _zygote_config(self):
        folder = self.work / "zygote"
        return {"assignment": self.assignment.name, "source": str(folder / "source" / self.assignment.notebook),
                "release": str(folder / "release" / self.assignment.notebook), "cell_timeout": self.cell_timeout}

    def _grade_all(self, subs):
        bar = tqdm(total=len(subs), desc=f"grading {self.assignment.name}", unit="student",
                   disable=not self.progress, file=sys.stderr)
        pending = list(subs)
        running = {}                      # job id (also the kernel's cgroup) -> (submission, start time)
        started = 0
        try:
            while pending or running:
                while pending and len(running) < self.jobs:
                    sub = pending.pop(0)
                    scratch = self._prepare(sub)
                    if scratch is None:
                        bar.update()
                        continue
                    key = f"k{started}"
                    started += 1
                    (self.work / "ipc" / key).mkdir()
                    self.zygote.hand_over(self.work / "ipc" / key)
                    self.zygote.start({"id": key, "student": sub.student, "scratch": str(scratch),
                                       "ipc": str(self.work / "ipc" / key), "spec": self._kernel_spec(key),
                                       "review": sub.review, "nonce": sub.nonce, "notes": sub.notes})
                    running[key] = (sub, time.monotonic())
                self._reap(running, bar)
        finally:
            for key in running:
                self.cgroups.remove_kernel(key)
            bar.close()

    def _reap(self, running, bar):
        """Collect finished children and stop those over the per-student limit. If the zygote died,
        its running students get an error row (grade them again) and a new zygote takes the rest."""
        try:
            finished = set(self.zygote.finished(0.05))
        except ZygoteDied as died:
            if not self.zygote.ready:
                raise GradingError(f"the grading worker (grading.zygote) could not start: {died}") from None
            self.zygote.close()
            finished = set(running)
            self.zygote = self._start_zygote()
            self.zygote.configure(self._zygote_config())
        for key, (sub, start) in list(running.items()):
            elapsed = time.monotonic() - start
            if key in finished:
                self.cgroups.remove_kernel(key)      # whatever the kernel left, in case the child could not
                del running[key]
                self._collect(sub, elapsed)
            elif elapsed > self.student_timeout:
                self.zygote.stop(key)
                self.cgroups.remove_kernel(key)
                del running[key]
                self._error(sub.student, f"grading took longer than the {self.student_timeout:g} s limit per "
                            "student and was stopped: look for an endless loop or very slow code",
                            sub.notes, status="timeout", seconds=elapsed)
            else:
                continue
            shutil.rmtree(self.work / "students" / sub.student, ignore_errors=True)
            bar.update()
