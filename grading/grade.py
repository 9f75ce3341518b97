"""``grade``: score a folder of submissions, one scratch nbgrader course per student.

The pipeline, one stage after the other:

1. **Prepare** (this process; no student code runs here): find the submissions
   (grading.submissions), take the results already saved, and, if any student is left, make a
   template course once (the source notebook released, its gradebook filled in) and the feedback
   page's template (grading.feedback). Each submission is pre-checked and scanned
   (grading.tampering); one that cannot be graded gets an error row with a clear message. The
   rest get a copy of the template with their notebook in it, armed with the tripwires
   (grading.tripwires).
2. **Run in the sandbox**: nbgrader autogrades each student in a forked child process, its
   kernel under bubblewrap (grading.sandbox, grading.execute), with a time limit per cell and
   per student; ``jobs`` children at once. A child that overruns is killed with all its
   processes.
3. **Collect** (the child, after its kernel is gone): the scores from the scratch gradebook,
   the tripwires' verdict, the feedback page; left in the scratch folder as data.
4. **Save** (this process): ``results/<student>.json``, ``feedback/<student>.html`` and
   ``grades.csv``, each written atomically (grading.results). Students already graded are
   skipped on the next run (``force`` regrades them; errors and timeouts are always retried),
   so a batch killed halfway loses nothing.
5. **Report** (grading.report, grading.cli): the summary and its plot.
"""

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import psutil
from tqdm import tqdm

from grading import feedback, sandbox, tripwires
from grading.cells import is_payoff_cell, locked_ids, tasks_of, written_of
from grading.course import COURSE_ID, GradingError, make_course, run_converter
from grading.results import Result, load_result, save_result, write_atomic, write_csv
from grading.submissions import discover, load_checked
from grading.tampering import review_reasons

KERNEL_DIED = ("the Python kernel died while running the notebook (a crash, or os._exit in a cell), so "
               "no test could be scored: run the notebook with Kernel > Restart Kernel and Run All Cells "
               "to find the cell that kills it")


def _child(scratch, ipc, assignment, student, cell_timeout, spec, finish):
    """Runs in the forked child: autograde one student, call ``finish()``, then exit (never returns).

    ``spec`` is the kernelspec of the student's kernel (see grading.sandbox). The kernel never sees
    this scratch course: nbgrader writes only here, and the kernel's own files stay in its sandbox.
    Its sockets appear in the folder ``ipc``, a short path (the limit is 107 bytes).
    ``finish`` reads the scores and renders the feedback page here, so that the parent, which starts
    the next students, never waits for it.
    """
    code = 0
    try:
        os.setsid()
        log = os.open(scratch / "child.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        sandbox.install_kernel_spec(scratch / "jupyter", "python3", spec)
        os.environ["JUPYTER_PATH"] = str(scratch / "jupyter")
        os.environ["JUPYTER_RUNTIME_DIR"] = str(scratch / "runtime")
        from nbgrader.converters import Autograde

        from grading.execute import AUTOGRADE_PREPROCESSORS, KernelManager

        run_converter(Autograde, scratch, assignment, student, **{
            "Execute.timeout": int(cell_timeout), "Execute.shutdown_kernel": "immediate",
            "Execute.kernel_manager_class": KernelManager,
            "Autograde.create_student": True,
            "Autograde.autograde_preprocessors": AUTOGRADE_PREPROCESSORS,
            "KernelManager.transport": "ipc", "KernelManager.ip": str(ipc / "k")})
    except BaseException as error:  # anything at all: report it through the exit code and a file
        (scratch / "child-error.txt").write_text(str(error), encoding="utf-8")
        code = 3
    try:
        finish()
    except BaseException:
        code = 4                           # the parent reads the scores itself
    os._exit(code)


def _preload():
    """Import and build, once, what every grading child needs: forked children inherit it."""
    import nbgrader.api  # noqa: F401
    import nbgrader.converters  # noqa: F401
    import nbgrader.preprocessors  # noqa: F401
    from jupyter_client import manager  # noqa: F401


def _kill_tree(pid):
    """Kill a child process and every descendant it has (kernels run in sessions of their own)."""
    try:
        parent = psutil.Process(pid)
        procs = parent.children(recursive=True) + [parent]
    except psutil.NoSuchProcess:
        procs = []
    for proc in procs:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(procs, timeout=5)
    try:
        os.waitpid(pid, 0)          # reap it, unless wait_procs already did
    except ChildProcessError:
        pass


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

    def _outcome(self, sub, scratch):
        """The Result (time not yet set) and feedback page of a finished child, from its scratch course.

        Only trusted code reads the scratch gradebook: this runs in the grading child after the
        student's kernel is gone.
        """
        from nbgrader.api import Gradebook, MissingEntry

        student, notes = sub.student, sub.notes
        graded_nb = scratch / "autograded" / student / self.assignment.name / self.assignment.notebook
        error_file = scratch / "child-error.txt"
        if not graded_nb.exists():
            log = (scratch / "nbgrader.log").read_text(errors="replace") if (scratch / "nbgrader.log").exists() else ""
            if "DeadKernelError" in log or "Kernel died" in log or "kernel died" in log.lower():
                message = KERNEL_DIED
            else:
                detail = error_file.read_text(errors="replace") if error_file.exists() else "no log"
                message = "nbgrader could not grade this notebook: " + detail.strip().splitlines()[0][:500]
            return self._error_outcome(student, message, notes)
        try:
            with Gradebook(f"sqlite:///{scratch / 'gradebook.db'}", COURSE_ID) as gb:
                submitted = gb.find_submission_notebook(Path(self.assignment.notebook).stem,
                                                        self.assignment.name, student)
                scores = {g.name: float(g.score or 0.0) for g in submitted.grades if g.name in self.max_scores}
                recorded = {"grades": {g.name: {"auto_score": g.auto_score, "needs_manual_grade": g.needs_manual_grade}
                                       for g in submitted.grades},
                            "comments": {c.name: c.auto_comment for c in submitted.comments}}
        except MissingEntry:
            return self._error_outcome(student, "nbgrader recorded no scores for this notebook", notes)
        nb = nbformat.read(graded_nb, as_version=4)
        review = list(sub.review) + tripwires.tripped(nb, sub.nonce, self.max_scores)
        nb = tripwires.disarm(nb)
        messages = list(notes)
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                if out.get("ename") == "CellTimeoutError":
                    messages.append(f"a cell was stopped after the {self.cell_timeout} s limit per cell")
        total = sum(scores.values())
        result = Result(student, "graded", scores, total, self.max_total, messages, review=review,
                        nbgrader=recorded)
        points_by_hand = sum(points for _, points in self.written)
        lines = [f"Score: {total:g} / {self.max_total:g}" + (
                     f" in the autograded tests; your written answers ({points_by_hand:g} points) are "
                     "graded by your instructor" if self.written else ""), *messages,
                 "Below: the exercise with your answers. Each test cell shows its visible tests and your "
                 "points. Hidden tests (edge cases) ran too but are not shown, and neither are the outputs "
                 "of your cells: run the notebook yourself to see them."]
        try:
            page = self.page.fill(f"{self.assignment.name}: feedback for {student}", lines, nb, scores,
                                  self.max_scores, dict(self.written))
        except Exception as error:  # noqa: BLE001 - the scores stand; only the page is simpler
            page = feedback.scores_page(student, self.assignment.name, scores, self.max_scores,
                                        f"the full feedback page could not be rendered ({type(error).__name__})")
        return result, page

    def _error_outcome(self, student, message, notes=(), status="error"):
        result = Result(student, status, max_total=self.max_total, messages=[message, *notes])
        return result, feedback.error_page(student, self.assignment.name, message)

    def _write_outcome(self, sub, scratch):
        """In the grading child: leave the outcome in ``scratch`` for the parent to save."""
        result, page = self._outcome(sub, scratch)
        (scratch / "feedback.html").write_text(page, encoding="utf-8")
        save_result(scratch / "outcome.json", result)

    def _collect(self, sub, scratch, seconds):
        """Save the outcome the grading child left in ``scratch`` (an error row if it left none)."""
        result = load_result(scratch / "outcome.json")
        try:
            page = (scratch / "feedback.html").read_text(encoding="utf-8")
        except OSError:
            result = None
        if result is None:
            result, page = self._error_outcome(sub.student, "the grader could not finish this notebook "
                                               "(its grading process stopped early): grade it again", sub.notes)
        result.seconds = seconds
        self._keep_notebooks(sub.student, scratch if result.graded else None)
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

    def _keep_notebooks(self, student, scratch):
        """Keep nbgrader's submitted and autograded notebooks of a student (for ``--gradebook``) in
        ``out/nbgrader/``, laid out as in a course folder, without the grader's tripwire cells; drop
        older ones of an ungraded student."""
        for kind in ("submitted", "autograded"):
            target = self.out / "nbgrader" / kind / student / self.assignment.name
            shutil.rmtree(target, ignore_errors=True)
            if scratch is not None:
                kept = scratch / kind / student / self.assignment.name / self.assignment.notebook
                target.mkdir(parents=True)
                nbformat.write(tripwires.disarm(nbformat.read(kept, as_version=4)), target / kept.name)

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
        self.work = Path(tempfile.mkdtemp(prefix="nnfs-grade-"))
        try:
            self.template = self.work / "template"
            release = make_course(self.assignment, self.template)
            self.release = nbformat.read(release, as_version=4)
            self._keep_template(release)
            self.locked_ids = locked_ids(self.release)
            self.page = feedback.Page(self.release, self.source, f"{self.assignment.name}: feedback")
            _preload()
            self.shared = sandbox.shared_paths()
            self.cgroups = sandbox.Cgroups.for_batch() if self.sandboxed else sandbox.Cgroups([])
            if self.sandboxed and self.cgroups.reason:
                print(f"note: {sandbox.cgroup_note(self.cgroups.reason, self.limits)}", file=sys.stderr)
            try:
                self._grade_all(todo)
            finally:
                self.cgroups.close()
        finally:
            shutil.rmtree(self.work, ignore_errors=True)

    def _grade_all(self, subs):
        bar = tqdm(total=len(subs), desc=f"grading {self.assignment.name}", unit="student",
                   disable=not self.progress, file=sys.stderr)
        pending = list(subs)
        running = {}                      # pid -> (submission, scratch, start time, cgroup key)
        self._started = 0
        try:
            while pending or running:
                while pending and len(running) < self.jobs:
                    sub = pending.pop(0)
                    scratch = self._prepare(sub)
                    if scratch is None:
                        bar.update()
                        continue
                    key = f"k{self._started}"
                    self._started += 1
                    spec, ipc = self._kernel_spec(key), self.work / "ipc" / key
                    ipc.mkdir(parents=True)
                    pid = os.fork()
                    if pid == 0:
                        _child(scratch, ipc, self.assignment, sub.student, self.cell_timeout, spec,
                               lambda: self._write_outcome(sub, scratch))
                    running[pid] = (sub, scratch, time.monotonic(), key)
                self._reap(running, bar)
        finally:
            for pid in list(running):
                _kill_tree(pid)
            bar.close()

    def _reap(self, running, bar):
        """Collect finished children and kill those over the per-student limit."""
        time.sleep(0.05)
        for pid, (sub, scratch, start, key) in list(running.items()):
            elapsed = time.monotonic() - start
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                self.cgroups.remove_kernel(key)      # whatever the kernel left, in case the child could not
            if not done and elapsed > self.student_timeout:
                _kill_tree(pid)
                self.cgroups.remove_kernel(key)
                del running[pid]
                self._error(sub.student, f"grading took longer than the {self.student_timeout:g} s limit per "
                            "student and was stopped: look for an endless loop or very slow code",
                            sub.notes, status="timeout", seconds=elapsed)
                bar.update()
            elif done:
                del running[pid]
                self._collect(sub, scratch, elapsed)
                shutil.rmtree(scratch, ignore_errors=True)
                bar.update()
