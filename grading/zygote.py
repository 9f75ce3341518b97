"""The batch's grading worker (the zygote): where nbgrader runs, with the least privilege it needs.

``grade`` starts one zygote per batch. It imports nbgrader once and then forks one child per
student, which autogrades that student's scratch course (its kernel starting in a sandbox of its
own, see grading.sandbox) and leaves the outcome there: ``outcome.json`` and ``feedback.html``.
Forking keeps a child's start-up in milliseconds; importing nbgrader takes more than a second.

**Least privilege.** In a sandboxed batch the zygote itself runs under bubblewrap
(:func:`grading.sandbox.worker_argv`). It sees the Python environment and the grading code
read-only, the batch's scratch courses, the kernels' socket folders and the batch's cgroups
read-write, a private ``/tmp``, and nothing else of the host: no course folder, no submissions, no
outputs, no ``/etc``, ``/run`` or home folders. It has no capabilities, even when ``grade`` runs as
root. The grading process that started it (the parent) keeps its privileges for what only it does:
reading submissions, writing results, making and removing cgroups.

**The channel.** JSON lines over pipes the parent made. The parent writes a configuration line
and then one line per job (a student to grade) or per stop request; the zygote writes
``{"ready": true}`` once, then ``{"done": <job id>}`` per finished child.
The parent believes nothing else the zygote makes: it reads outcome files with
:func:`read_back`, which follows no symbolic link and takes only regular files of bounded size.
"""

import gc

if __name__ == "__main__":
    # The zygote imports much and then forks: the garbage collector stays off while it imports
    # (its passes over everything imported so far cost a quarter of the start-up), and serve()
    # freezes what the children share before each fork (see gc.freeze in Python's documentation).
    gc.disable()

import json
import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import nbformat
import psutil

from grading import feedback, sandbox, tripwires
from grading.cells import tasks_of, written_of
from grading.course import COURSE_ID, Assignment, run_converter
from grading.results import Result, save_result

KERNEL_DIED = ("the Python kernel died while running the notebook (a crash, or os._exit in a cell), so "
               "no test could be scored: run the notebook with Kernel > Restart Kernel and Run All Cells "
               "to find the cell that kills it")
MAX_LINE = 2**20                  # bytes of one protocol line
MAX_OUTCOME = 256 * 2**20         # bytes of one file read back from a scratch course


# -- the parent's side -------------------------------------------------------------------------------

class Zygote:
    """The parent's handle on a running zygote: start it, send it jobs, hear which finished.

    ``work``: the batch's folder; the zygote may write only in ``work/students`` and ``work/ipc``
    (and the batch's ``cgroups``, a :class:`grading.sandbox.Cgroups`, where its kernels get their
    groups), and reads in ``work/zygote`` what :meth:`configure` names. The zygote itself runs in
    the batch's group ``zygote``, so that nothing it starts outlives the batch.
    ``sandboxed=False`` (``--unsafe-no-sandbox``) runs it as an ordinary child process.
    The zygote starts importing nbgrader at once; :meth:`configure` may come later.
    """

    def __init__(self, work, sandboxed, cgroups):
        self.work, self.sandboxed = Path(work), sandboxed
        folder = self.work / "zygote"
        code, python_path = sandbox.grading_code()
        command = [sys.executable, "-m", "grading.zygote"]
        if sandboxed:
            writable = [self.work / "students", self.work / "ipc", *cgroups.parents]
            for path in writable[:2]:
                self.hand_over(path, recursive=False)
            if os.geteuid() == 0:
                cgroups.delegate(sandbox.WORKER_UID)
            command = sandbox.worker_argv(sandbox.shared_paths() + [str(folder), *code],
                                          list(map(str, writable)), command, python_path)
        join_group = cgroups.group_for("zygote")

        def in_child():
            sandbox.die_with_parent()
            join_group()

        self.log = open(folder / "zygote.log", "wb")
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
                                        env={**os.environ, "PYTHONPATH": python_path, **sandbox.ONE_BLAS_THREAD},
                                        preexec_fn=in_child)
        self.ready, self._buffer = False, b""

    def hand_over(self, path, recursive=True):
        """Let the zygote write in ``path`` (a folder the parent made): as root, a sandboxed zygote
        runs as ``sandbox.WORKER_UID``, so ``path`` (and, if ``recursive``, all in it) becomes that
        user's. Nothing to do otherwise."""
        if not (self.sandboxed and os.geteuid() == 0):
            return
        uid = sandbox.WORKER_UID
        os.chown(path, uid, uid, follow_symlinks=False)
        if recursive:
            for folder, subfolders, files in os.walk(path):
                for name in subfolders + files:
                    os.chown(os.path.join(folder, name), uid, uid, follow_symlinks=False)

    def configure(self, config):
        """Send the batch's configuration (see :class:`Grader`): the first line the zygote reads."""
        self._send(config)

    def start(self, job):
        """Ask the zygote to grade one student: ``job`` is a dict with a unique ``id`` (see :func:`grade_one`)."""
        self._send(job)

    def stop(self, job_id):
        """Kill one student's grading child and everything it started."""
        self._send({"stop": job_id})

    def _send(self, message):
        try:
            self.process.stdin.write(json.dumps(message).encode() + b"\n")
            self.process.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass                           # it died: finished() says so

    def finished(self, timeout):
        """Wait up to ``timeout`` seconds; return the ids of the jobs whose children ended.

        Raises ZygoteDied when the zygote is gone. Anything but a well-formed report is ignored.
        """
        out = self.process.stdout.fileno()
        ready, _, _ = select.select([out], [], [], timeout)
        if ready:
            chunk = os.read(out, 65536)
            if not chunk:
                raise ZygoteDied(self.failure())
            self._buffer += chunk
        lines = self._buffer.split(b"\n")
        self._buffer = lines.pop()
        if len(self._buffer) > MAX_LINE:
            raise ZygoteDied("the grading worker sent a line that is too long")
        done = []
        for line in lines:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if not isinstance(message, dict):
                continue
            if message.get("ready") is True:
                self.ready = True
            elif isinstance(message.get("done"), str):
                done.append(message["done"])
        return done

    def failure(self):
        """What went wrong, from the zygote's log (its last lines)."""
        self.log.flush()
        text = (self.work / "zygote" / "zygote.log").read_text(errors="replace").strip().splitlines()
        return " / ".join(text[-3:]) or "no message"

    def close(self):
        """End the zygote: it kills every child it still has, and with it every kernel."""
        try:
            self.process.stdin.close()
        except BrokenPipeError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
        self.log.close()


class ZygoteDied(Exception):
    """The zygote ended before the batch did (killed, out of memory, or it could not start)."""


def read_back(base, relative, max_bytes=MAX_OUTCOME):
    """The bytes of ``base/relative``, a file the zygote wrote, read without following anything it made.

    ``base`` is a folder the parent made and the zygote cannot replace (a mount point in its
    sandbox). Each folder below it is opened with O_NOFOLLOW, the file must be a regular file of at
    most ``max_bytes``. Raises OSError (or ValueError for a file that is too large) otherwise.
    """
    parts = Path(relative).parts
    fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        for part in parts[:-1]:
            inner = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = inner
        inner = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=fd)
        os.close(fd)
        fd = inner
        info = os.fstat(fd)
        if not (info.st_mode & 0o170000 == 0o100000):
            raise OSError(f"{relative} is not a regular file")
        if info.st_size > max_bytes:
            raise ValueError(f"{relative} holds more than {max_bytes} bytes")
        with os.fdopen(fd, "rb") as f:
            fd = None
            return f.read(max_bytes + 1)[:max_bytes]
    finally:
        if fd is not None:
            os.close(fd)


# -- the zygote's side ---------------------------------------------------------------------------------

class Grader:
    """What every grading child of one batch needs, built once in the zygote.

    ``config``: {"assignment": name, "source": path of a copy of the instructor's notebook (its file
    name is the notebook's), "release": path of the released one, "cell_timeout": seconds}.
    """

    def __init__(self, config):
        self.assignment = Assignment(config["assignment"], Path(config["source"]))
        self.name, self.notebook = self.assignment.name, self.assignment.notebook
        self.cell_timeout = config["cell_timeout"]
        source = nbformat.read(config["source"], as_version=4)
        release = nbformat.read(config["release"], as_version=4)
        self.max_scores = dict(tasks_of(source))
        self.max_total = sum(self.max_scores.values())
        self.written = written_of(source)
        self.page = feedback.Page(release, source, f"{self.name}: feedback")

    def outcome(self, job, scratch):
        """The Result (time not yet set) and feedback page of one student, from the scratch course.

        Runs in the grading child after the student's kernel is gone.
        """
        from nbgrader.api import Gradebook, MissingEntry

        student, notes = job["student"], job["notes"]
        graded_nb = scratch / "autograded" / student / self.name / self.notebook
        error_file = scratch / "child-error.txt"
        if not graded_nb.exists():
            log = (scratch / "nbgrader.log").read_text(errors="replace") if (scratch / "nbgrader.log").exists() else ""
            if "DeadKernelError" in log or "kernel died" in log.lower():
                message = KERNEL_DIED
            else:
                detail = error_file.read_text(errors="replace") if error_file.exists() else "no log"
                message = "nbgrader could not grade this notebook: " + detail.strip().splitlines()[0][:500]
            return error_outcome(student, self.name, self.max_total, message, notes)
        try:
            with Gradebook(f"sqlite:///{scratch / 'gradebook.db'}", COURSE_ID) as gb:
                submitted = gb.find_submission_notebook(Path(self.notebook).stem, self.name, student)
                scores = {g.name: float(g.score or 0.0) for g in submitted.grades if g.name in self.max_scores}
                recorded = {"grades": {g.name: {"auto_score": g.auto_score, "needs_manual_grade": g.needs_manual_grade}
                                       for g in submitted.grades},
                            "comments": {c.name: c.auto_comment for c in submitted.comments}}
        except MissingEntry:
            return error_outcome(student, self.name, self.max_total, "nbgrader recorded no scores for this notebook",
                                 notes)
        nb = nbformat.read(graded_nb, as_version=4)
        review = list(job["review"]) + tripwires.tripped(nb, job["nonce"], self.max_scores)
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
            page = self.page.fill(f"{self.name}: feedback for {student}", lines, nb, scores, self.max_scores,
                                  dict(self.written))
        except Exception as error:  # noqa: BLE001 - the scores stand; only the page is simpler
            page = feedback.scores_page(student, self.name, scores, self.max_scores,
                                        f"the full feedback page could not be rendered ({type(error).__name__})")
        return result, page


def error_outcome(student, assignment, max_total, message, notes=(), status="error"):
    """The Result and feedback page of a student who could not be graded."""
    result = Result(student, status, max_total=max_total, messages=[message, *notes])
    return result, feedback.error_page(student, assignment, message)


def grade_one(grader, job):
    """In a forked child: autograde one student, leave the outcome in the scratch course, exit.

    ``job``: {"id", "student", "scratch" (the scratch course), "ipc" (a short folder for the
    kernel's sockets: their paths are limited to 107 bytes), "spec" (the kernelspec of the
    student's kernel), "review", "nonce", "notes" (from the parent's pre-checks)}. The kernel never
    sees the scratch course: nbgrader writes only here, and the kernel's own files stay in its sandbox.
    """
    scratch = Path(job["scratch"])
    try:
        os.setsid()
        sandbox.die_with_parent()
        log = os.open(scratch / "child.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        sandbox.install_kernel_spec(scratch / "jupyter", "python3", job["spec"])
        os.environ["JUPYTER_PATH"] = str(scratch / "jupyter")
        os.environ["JUPYTER_RUNTIME_DIR"] = str(scratch / "runtime")
        from nbgrader.converters import Autograde

        from grading.execute import AUTOGRADE_PREPROCESSORS, KernelManager

        run_converter(Autograde, scratch, grader.assignment, job["student"], **{
            "Execute.timeout": int(grader.cell_timeout), "Execute.shutdown_kernel": "immediate",
            "Execute.kernel_manager_class": KernelManager,
            "Autograde.create_student": True,
            "Autograde.autograde_preprocessors": AUTOGRADE_PREPROCESSORS,
            "KernelManager.transport": "ipc", "KernelManager.ip": str(Path(job["ipc"]) / "k")})
    except BaseException as error:  # anything at all: the outcome below says what went wrong
        (scratch / "child-error.txt").write_text(str(error), encoding="utf-8")
    try:
        result, page = grader.outcome(job, scratch)
        (scratch / "feedback.html").write_text(page, encoding="utf-8")
        save_result(scratch / "outcome.json", result)
    except BaseException:
        pass                               # no outcome: the parent reports that the grader could not finish
    os._exit(0)


def _read_line(stdin):
    """One line from unbuffered ``stdin`` (so that nothing after it is taken from the pipe)."""
    line = b""
    while not line.endswith(b"\n"):
        byte = stdin.read(1)
        if not byte:
            raise SystemExit("the grading process closed the channel before configuring the zygote")
        line += byte
    return line


def kill_tree(pid):
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


def serve():
    """The zygote's loop: read the configuration, then jobs and stop requests from stdin; report
    finished children on stdout. When stdin closes (the parent is done, or gone), every child still
    running is killed.
    """
    import nbgrader.api  # noqa: F401 - imported once here, so that each child starts at once
    import nbgrader.converters  # noqa: F401
    import nbgrader.preprocessors  # noqa: F401
    from jupyter_client import manager  # noqa: F401
    # and what the children would still import, each on its own (0.1 s of CPU per student): IPython
    # and ipykernel's kernelspec (where jupyter_client looks for kernels), the gradebook's SQLite driver
    import IPython.paths  # noqa: F401
    import ipykernel.kernelspec  # noqa: F401
    import sqlalchemy.dialects.sqlite  # noqa: F401

    import grading.execute  # noqa: F401

    feedback.preload()

    stdin = os.fdopen(0, "rb", buffering=0)
    grader = Grader(json.loads(_read_line(stdin)))
    report = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)                          # anything else printed goes to the log, not the channel
    print(json.dumps({"ready": True}), file=report)
    children, buffer, reading = {}, b"", True
    while reading:
        ready, _, _ = select.select([0], [], [], 0.05)
        if ready:
            chunk = os.read(0, 65536)
            reading = bool(chunk)
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                message = json.loads(line)
                if "stop" in message:
                    pid = next((p for p, j in children.items() if j == message["stop"]), None)
                    if pid is not None:
                        kill_tree(pid)          # reaps it too
                        print(json.dumps({"done": children.pop(pid)}), file=report)
                else:
                    gc.freeze()             # the child's collections skip (and so never copy) what it inherits
                    pid = os.fork()
                    if pid == 0:
                        report.close()
                        gc.enable()
                        grade_one(grader, message)
                    children[pid] = message["id"]
        while children:
            pid, _ = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            if pid in children:
                print(json.dumps({"done": children.pop(pid)}), file=report)
    for pid in children:                   # the parent is done, or gone
        kill_tree(pid)


if __name__ == "__main__":
    sandbox.die_with_parent()      # again: setpriv's change of user cleared bubblewrap's --die-with-parent
    signal.signal(signal.SIGINT, signal.SIG_IGN)       # the parent decides when the batch stops
    serve()
    # Each child wrote its own files, and the channel is flushed line by line: with what went to the
    # log flushed too, end without tearing down the interpreter and everything nbgrader imported
    # (a third of a second, which the parent waited for at the end of every batch).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
