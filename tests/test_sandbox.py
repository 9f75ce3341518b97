"""The grading sandbox, attacked class by class: nothing a submission does reaches the host, another
student, or anything after its own turn.

Each attack is a submission of the toy exercise (tasks ``add``, 2 points, and ``mean``, 3 points)
whose ``add`` answer first tries the attack and then returns ``a + b`` **only if the attack
worked**. So ``test_add`` scoring 0 means the attack failed, and ``test_mean`` scoring 3 means the
kernel survived its own attack. Around each batch the host is checked directly too: canary files,
processes, SysV IPC objects, files in /tmp and /dev/shm, a listening socket, the batch's outputs.

The same corpus runs as root (the batch makes cgroups), split between two batches graded at the
same time, and as an unprivileged user (the test drops privileges with ``setpriv``; needs root to
do that, so it is skipped otherwise).

The grading worker (grading.zygote, where nbgrader runs) is probed the same two ways: no
capability, no host path it does not need, no host socket, signal or sysctl; and a zygote killed
mid-batch costs only the students it was grading.
"""

import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import pytest

from grading.sandbox import unavailable_reason
from notebook_builders import released, solution_answers, submission, write
from toy import FIXTURES, TOY

MEAN = "def mean(x):\n    return float(x.sum() / x.size)"
MARK = "nnfs-sandbox-test"             # in the name of every folder of these tests
MSG = "nnfs-msg-7f3a"                  # in the name of every file an attack leaves, to look for it
NOBODY = 65534

pytestmark = pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason()))


def attack(code, success):
    """Answers whose ``add`` runs ``code`` and is right only if ``success`` (an expression) holds."""
    body = "\n".join("    " + line for line in code.splitlines())
    return {"add": f"def _attack():\n{body}\n    return {success}\n_worked = _attack()\n"
                   "def add(a, b):\n    return a + b if _worked else None",
            "mean": MEAN}


def attacks(host):
    """{student: answers}; ``host`` holds the host paths the attacks aim at."""
    canary, out, course_copy, sock = (repr(str(host[k])) for k in ("canary", "out", "course_copy", "socket"))
    return {
        # files: plant symlinks where the grader might write later, and write through them now
        "symlinks": attack(f"""\
import os
done = 0
for folder in (".", "/tmp", os.path.expanduser("~")):
    for name in ("toy.ipynb", "feedback.html", "outcome.json", "gradebook.db", "timestamp.txt", ".connection.json"):
        try:
            os.symlink({canary}, os.path.join(folder, name))
        except OSError:
            pass
for path in ({canary}, "toy.ipynb", "/tmp/gradebook.db"):
    try:
        with open(path, "a") as f:
            f.write("pwned")
        done += os.path.realpath(path) == {canary}
    except OSError:
        pass
""", "done > 0"),
        # any copy of the course on the machine, and what mountinfo would reveal of the host
        "course_copy": attack(f"""\
leaked = ""
for path in ({course_copy}, {str(TOY.source)!r}, "/etc/passwd", "/root/.bash_history"):
    try:
        leaked += open(path, errors="replace").read()
    except OSError:
        pass
mounts = open("/proc/self/mountinfo").read()
""", f"'BEGIN HIDDEN' in leaked or 'root:' in leaked or {str(FIXTURES)!r} in mounts"),
        # a service on the host through a Unix socket in the file system, and the network
        "unix_socket": attack(f"""\
import socket
ok = False
for path in ({sock}, "/run/postgresql/.s.PGSQL.5432"):
    try:
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(2)
        s.connect(path)
        ok = True
    except OSError:
        pass
""", "ok"),
        # messages for a classmate graded at the same time: SysV shared memory, files, abstract sockets
        "ipc_writer": attack(f"""\
import ctypes, os, socket, time
libc = ctypes.CDLL(None)
libc.shmget(0x4E4E4653, 4096, 0o1666)
for path in ("/tmp/{MSG}", "/dev/shm/{MSG}", "/home/student/../../tmp/{MSG}"):
    try:
        open(path, "w").write("hello")
    except OSError:
        pass
s = socket.socket(socket.AF_UNIX)
s.bind("\\0{MSG}")
s.listen()
globals()["_keep"] = s
time.sleep(3)
""", "True"),
        "ipc_reader": attack(f"""\
import ctypes, os, socket, time
libc = ctypes.CDLL(None)
seen = False
for _ in range(30):
    seen = seen or libc.shmget(0x4E4E4653, 0, 0) != -1 or os.path.exists("/tmp/{MSG}") or os.path.exists("/dev/shm/{MSG}")
    try:
        socket.socket(socket.AF_UNIX).connect("\\0{MSG}")
        seen = True
    except OSError:
        pass
    time.sleep(0.1)
""", "seen"),
        # resources: the disk, memory across many processes, processes without end
        "disk_fill": attack("""\
written = 0
chunk = b"x" * 2**24
for path in ("big1", "/tmp/big2", "/dev/shm/big3"):
    try:
        with open(path, "wb") as f:
            for _ in range(64):            # 1 GiB each, if nothing stops it
                f.write(chunk)
                written += len(chunk)
    except OSError:
        pass
""", "written > 3 * 2**28"),
        "memory_procs": attack("""\
import os, time
import numpy as np
r, w = os.pipe()
kids = []
for _ in range(6):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        try:
            block = np.ones(2**26)                 # 512 MiB, touched
            os.write(w, b"k")
            time.sleep(4)
        finally:
            os._exit(0)
    kids.append(pid)
time.sleep(3)
os.set_blocking(r, False)
try:
    held = len(os.read(r, 100))
except OSError:
    held = 0
for pid in kids:
    try:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    except OSError:
        pass
""", "held >= 4"),
        "fork_bomb": attack("""\
import os, time
count = 0
for _ in range(2000):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    count += 1
""", "count >= 500"),
        # after its turn: a daemon that edits the results, and signals to processes outside
        "daemon": attack(f"""\
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(2)
        for path in ({out} + "/grades.csv", {canary}):
            try:
                open(path, "a").write("daemon was here")
            except OSError:
                pass
        os._exit(0)
    os._exit(0)
""", "False"),
        "kills_others": attack("""\
import os, signal
seen = []
for entry in os.listdir("/proc"):
    if entry.isdigit():
        try:
            seen.append(open(f"/proc/{entry}/cmdline", "rb").read())
        except OSError:
            pass
for pid in (os.getppid(), 1):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
""", "any(b'pytest' in c or b'grading' in c for c in seen)"),
    }


# student -> {task: score} expected; None: the kernel may die of its own attack (an error row is fine)
EXPECTED = {"solution": {"test_add": 2, "test_mean": 3}, "symlinks": {"test_add": 0, "test_mean": 3},
            "course_copy": {"test_add": 0, "test_mean": 3}, "unix_socket": {"test_add": 0, "test_mean": 3},
            "ipc_writer": {"test_add": 2, "test_mean": 3}, "ipc_reader": {"test_add": 0, "test_mean": 3},
            "disk_fill": {"test_add": 0, "test_mean": 3}, "memory_procs": None,
            "fork_bomb": {"test_add": 0, "test_mean": 3}, "daemon": {"test_add": 0, "test_mean": 3},
            "kills_others": None}


class Host:
    """What the attacks aim at on the host, and how to see that none of it changed."""

    def __init__(self, folder):
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o755)
        self.paths = {"canary": folder / "canary.txt", "out": folder / "out", "socket": folder / "service.sock",
                      "course_copy": folder / "course-copy" / "toy.ipynb"}
        self.paths["canary"].write_text("original")
        self.paths["canary"].chmod(0o666)        # even a file anyone may write must stay untouched
        self.paths["course_copy"].parent.mkdir()
        shutil.copy(TOY.source, self.paths["course_copy"])
        self.listener = socket.socket(socket.AF_UNIX)
        self.listener.bind(str(self.paths["socket"]))
        self.paths["socket"].chmod(0o777)
        self.listener.listen()
        self.connections = []
        threading.Thread(target=self._accept, daemon=True).start()
        self.before = self._snapshot()
        self.batch = str(folder)          # in the environment of the batch's processes (not the kernel's)

    def _accept(self):
        try:
            while True:
                self.connections.append(self.listener.accept())
        except OSError:
            pass

    @staticmethod
    def _snapshot():
        shm = subprocess.run(["ipcs", "-m"], capture_output=True, text=True).stdout
        leftovers = [p for p in ("/tmp", "/dev/shm") for name in os.listdir(p) if MSG in name]
        return {"shm": "0x4e4e4653" in shm, "files": leftovers}

    def check_untouched(self, stat_before):
        canary = self.paths["canary"]
        st = canary.lstat()
        assert canary.read_text() == "original" and not canary.is_symlink(), "a kernel wrote a host file"
        assert (st.st_mode, st.st_uid, st.st_gid) == stat_before, "a kernel changed a host file's mode or owner"
        assert not self.connections, "a kernel reached a Unix socket of the host"
        assert self._snapshot() == self.before, "a kernel left SysV IPC objects or files in /tmp or /dev/shm"
        stray = [p.info for p in psutil.process_iter(["pid", "cmdline", "environ"])
                 if (p.info["environ"] or {}).get("NNFS_TEST_BATCH") == self.batch]
        assert not stray, f"processes outlived the batch: {stray}"

    def close(self):
        self.listener.close()


def write_corpus(host, subs, students=None):
    release = released(TOY)
    write(submission(release, solution_answers(TOY)), subs, "solution", "toy.ipynb")
    for student, answers in attacks(host.paths).items():
        if students is None or student in students:
            write(submission(release, answers), subs, student, "toy.ipynb")


def read_rows(out):
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def check_rows(rows, expected):
    assert set(rows) == set(expected), "the batch did not complete: some students have no row"
    wrong = {}
    for student, scores in expected.items():
        row = rows[student]
        if scores is None:
            ok = row["status"] == "error" or float(row["test_add"] or 0) == 0
        else:
            ok = row["status"] == "graded" and {t: float(row[t]) for t in scores} == scores
        if not ok:
            wrong[student] = {k: row[k] for k in ("status", "test_add", "test_mean", "message")}
    assert not wrong, f"attacks that worked or kernels that died: {wrong}"


GRADE = [sys.executable, "-m", "grading", "--root", str(FIXTURES), "grade"]
OPTIONS = ["--assignment", "toy", "--cell-timeout", "20", "--student-timeout", "90", "--memory-mb", "1024",
           "--no-progress"]


def run_batches(host, batches, as_user=None):
    """Grade each of ``batches`` ({submissions folder: output folder}) with ``grade``, all at once
    (each a command of its own, as two instructors' would be), and check the host around them.
    Returns [(finished process, {student: row})] in the order of ``batches``."""
    stat_before = (lambda st: (st.st_mode, st.st_uid, st.st_gid))(host.paths["canary"].lstat())
    running = []
    for subs, out in batches.items():
        command = [*GRADE, str(subs), "--out", str(out), *OPTIONS]
        if as_user is not None:
            command = unprivileged(command, as_user)
        running.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        env={**os.environ, "NNFS_TEST_BATCH": host.batch}))
    done = []
    for process in running:
        stdout, stderr = process.communicate(timeout=400)
        assert "Traceback" not in stderr, stderr[-3000:]
        done.append(subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr))
    snapshots = {out: (out / "grades.csv").read_bytes() for out in batches.values()}
    time.sleep(3)               # the daemon's moment (2 s after its cell ran): it must be gone already
    for out, snapshot in snapshots.items():
        assert (out / "grades.csv").read_bytes() == snapshot, f"something rewrote {out}/grades.csv after the batch"
    host.check_untouched(stat_before)
    return [(finished, read_rows(out)) for finished, out in zip(done, batches.values())]


def unprivileged(command, uid):
    """``command`` run as ``uid`` with no groups, with Python and this repository made reachable.

    A Python under /root (pyenv) cannot be read by other users; a private mount namespace (made by
    util-linux's ``unshare``) puts an empty, traversable tmpfs over each closed folder and binds the
    needed paths back into it, for this command only.
    """
    needed = sorted({sys.base_prefix, sys.prefix, str(Path(__file__).resolve().parents[1])})
    closed = {}
    for path in needed:
        blocked = next((p for p in reversed(Path(path).parents) if not os.stat(p).st_mode & 0o001), None)
        if blocked is not None:
            closed.setdefault(str(blocked), []).append(path)
    setup = []
    for blocked, paths in closed.items():
        keep = [tempfile.mkdtemp(prefix="nnfs-keep-") for _ in paths]
        setup += [f"mount --bind {p} {k}" for p, k in zip(paths, keep)]
        setup += [f"mount -t tmpfs -o mode=755 tmpfs {blocked}"]
        setup += [f"mkdir -p {p} && mount --move {k} {p}" for p, k in zip(paths, keep)]
    drop = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--",
            "env", f"HOME={tempfile.gettempdir()}", *command]
    script = " && ".join([*setup, "exec " + " ".join(f"'{a}'" for a in drop)])
    return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script]


def fresh_folder(name):
    folder = Path(tempfile.mkdtemp(prefix=f"{MARK}-{name}-"))
    folder.chmod(0o755)
    return folder


# As root the corpus is split between two batches graded at the same time: each batch's own files,
# cgroups and worker must stay its own next to a hostile neighbour. The two students that try to
# message each other (ipc_writer, ipc_reader) stay in one batch, where they are graded side by side.
NEIGHBOURS = ("fork_bomb", "kills_others", "memory_procs")


def test_attacks_as_root_reach_nothing_outside_the_sandbox_nor_a_batch_graded_at_the_same_time():
    if os.geteuid() != 0:
        pytest.skip("this run is for root; the unprivileged run below covers other users")
    folder = fresh_folder("root")
    host = Host(folder / "host")
    halves = {"first": [s for s in attacks(host.paths) if s not in NEIGHBOURS], "second": list(NEIGHBOURS)}
    # the daemon (in the first batch) aims at host.paths["out"]: that is where the first batch writes
    outs = {"first": host.paths["out"], "second": folder / "out-second"}
    try:
        for name, half in halves.items():
            write_corpus(host, folder / name, half)
        batches = {folder / name: outs[name] for name in halves}
        for (done, rows), half in zip(run_batches(host, batches), halves.values()):
            check_rows(rows, {s: e for s, e in EXPECTED.items() if s in ["solution", *half]})
            assert "cgroup" not in done.stderr, f"as root every limit must be enforced: {done.stderr}"
    finally:
        host.close()
        shutil.rmtree(folder, ignore_errors=True)


def test_attacks_as_an_unprivileged_user_reach_nothing_outside_the_sandbox():
    """The same sandbox without root: bubblewrap makes the namespaces as an ordinary user."""
    if os.geteuid() != 0:
        pytest.skip("dropping privileges for this run needs root")
    folder = fresh_folder("user")
    host = Host(folder / "host")
    try:
        students = [s for s in attacks(host.paths) if s != "memory_procs"]   # no cgroup: see the note
        write_corpus(host, folder / "subs", students)
        for path in [folder, *folder.rglob("*")]:
            os.chown(path, NOBODY, NOBODY, follow_symlinks=False)
        [(done, rows)] = run_batches(host, {folder / "subs": host.paths["out"]}, as_user=NOBODY)
        check_rows(rows, {s: e for s, e in EXPECTED.items() if s in ["solution", *students]})
        assert "limits for all of a kernel's processes together are not enforced" in done.stderr, \
            "without cgroups the grader must say which limits are off"
    finally:
        host.close()
        shutil.rmtree(folder, ignore_errors=True)


def test_without_bubblewrap_grade_refuses_and_says_what_to_do(tmp_path, monkeypatch, capsys):
    from grading import sandbox
    from grading.cli import main

    monkeypatch.setenv("PATH", str(tmp_path))               # no bwrap on the PATH
    sandbox.unavailable_reason.cache_clear()
    try:
        write(released(TOY), tmp_path / "subs", "blank", "toy.ipynb")
        code = main(["--root", str(FIXTURES), "grade", str(tmp_path / "subs"), "--out", str(tmp_path / "out"),
                     "--assignment", "toy", "--no-progress"])
    finally:
        sandbox.unavailable_reason.cache_clear()
    assert code == 2
    err = capsys.readouterr().err
    assert "bubblewrap (bwrap) is not installed" in err and "apt-get install bubblewrap" in err
    assert "--unsafe-no-sandbox" in err
    assert not (tmp_path / "out" / "grades.csv").exists(), "no student code may run without the sandbox"


def test_a_python_or_course_under_tmp_stays_visible_to_the_kernel():
    """A checkout under /tmp (a CI clone) is bound after the kernel's private /tmp, not hidden by it."""
    from grading.sandbox import Limits, bwrap_argv

    argv = bwrap_argv(Limits(), ["/usr/lib", "/tmp/ci/.venv", "/tmp/ci/nnlib"], [], 3)
    private_tmp = max(i for i, a in enumerate(argv) if a == "--tmpfs" and argv[i + 1] == "/tmp")
    for path in ("/tmp/ci/.venv", "/tmp/ci/nnlib"):
        assert argv.index(path) > private_tmp, f"{path} would be hidden under the kernel's /tmp"


def run_in_kernel_sandbox(code):
    """Run Python ``code`` in exactly a kernel's sandbox (grading.sandbox.bwrap_argv) instead of the kernel."""
    from grading.sandbox import Limits, bwrap_argv, shared_paths

    read, write = os.pipe()
    os.write(write, b"{}")                  # the connection file bwrap copies in
    os.close(write)
    try:
        argv = bwrap_argv(Limits(), shared_paths(), [], read)
        python = argv.index("--") + 1
        return subprocess.run([*argv[:python + 1], "-c", code], capture_output=True, text=True,
                              pass_fds=(read,), timeout=60)
    finally:
        os.close(read)


def test_the_kernel_has_no_debugger():
    """debugpy's package is an empty, read-only folder in the kernel's sandbox: ipykernel starts
    without its debugger, which no graded notebook uses (and without importing a hundred modules)."""
    done = run_in_kernel_sandbox(
        "import importlib.util, json, debugpy, ipykernel.debugger as d\n"
        "print(json.dumps([d._is_debugpy_available, importlib.util.find_spec('debugpy.server') is None, "
        "list(debugpy.__path__)]))")
    assert done.returncode == 0, done.stderr[-2000:]
    available, server_missing, folders = json.loads(done.stdout)
    assert (available, server_missing) == (False, True), done.stdout
    planted = run_in_kernel_sandbox(f"open({folders[0] + '/server.py'!r}, 'w')")
    assert planted.returncode != 0 and "Read-only file system" in planted.stderr, \
        "the kernel could put a module of its own in debugpy's place"


# --------------------------------------------------------------------------- the grading worker
# nbgrader runs in the batch's zygote (grading.zygote), under bubblewrap, with the least privilege
# it needs. The probe below runs in exactly that sandbox (grading.sandbox.worker_argv) and reports
# what it can see and do.

PROBE = r"""
import json, os, socket, sys
paths = json.loads(sys.argv[1])
status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line)
seen = {"uid": os.getuid(), "caps": [status[k].strip() for k in ("CapPrm", "CapEff", "CapBnd", "CapAmb")]}
seen["visible"] = [p for p in paths["hidden"] if os.path.lexists(p)]

def works(action):
    try:
        action()
        return True
    except OSError:
        return False

seen["writes_shared"] = works(lambda: open(paths["shared_file"], "a").close())
seen["writes_scratch"] = works(lambda: open(paths["scratch_file"], "w").close())
seen["signals_init"] = works(lambda: os.kill(1, 0))
seen["writes_sysctl"] = works(lambda: open("/proc/sys/vm/swappiness", "w").write(
    open("/proc/sys/vm/swappiness").read()))
seen["unix_socket"] = works(lambda: socket.socket(socket.AF_UNIX).connect(paths["socket"]))
seen["network"] = works(lambda: socket.create_connection(("127.0.0.1", paths["port"]), timeout=2))
print(json.dumps(seen))
"""

# Runs the probe in the grading worker's sandbox, made by this process's own user (run through
# unprivileged() for the unprivileged case).
DRIVER = r"""
import json, subprocess, sys
from grading import sandbox
paths = json.loads(sys.argv[1])
argv = sandbox.worker_argv(sandbox.shared_paths() + paths["code"], [paths["scratch"]],
                           [sys.executable, "-c", sys.argv[2], sys.argv[1]])
sys.exit(subprocess.run(argv).returncode)
"""


def probe_worker(folder, as_user=None):
    """What a process in the grading worker's sandbox sees and may do (see PROBE)."""
    import grading
    import nnfs_check

    root = Path(grading.__file__).resolve().parents[1]
    host = Host(folder / "host")
    scratch, subs, out = folder / "students", folder / "submissions", folder / "out"
    for path in (scratch, subs, out):
        path.mkdir()
    (subs / "ada.ipynb").write_text("{}")
    server = socket.create_server(("127.0.0.1", 0))
    paths = {"code": [str(Path(grading.__file__).parent), str(Path(nnfs_check.__file__).parent)],
             "scratch": str(scratch), "scratch_file": str(scratch / "outcome.json"),
             "shared_file": str(Path(grading.__file__).parent / "probe-was-here"), "socket": str(host.paths["socket"]),
             "port": server.getsockname()[1],
             "hidden": [str(p) for p in (root / "solutions", root / "exercises", root / "tests",
                                         host.paths["course_copy"], host.paths["canary"], subs, out,
                                         "/etc/shadow", "/etc/passwd", "/run", "/home", "/root/.bashrc",
                                         Path.home() / ".ssh")]}
    command = [sys.executable, "-c", DRIVER, __import__("json").dumps(paths), PROBE]
    if as_user is not None:
        for path in [folder, *folder.rglob("*")]:
            os.chown(path, as_user, as_user, follow_symlinks=False)
        command = unprivileged(command, as_user)
    elif os.geteuid() == 0:
        os.chown(scratch, NOBODY, NOBODY)            # what the batch hands over to the worker
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60,
                              env={**os.environ, "PYTHONPATH": str(root)})
        assert done.returncode == 0, done.stderr[-2000:]
        assert not host.connections, "the worker reached a Unix socket of the host"
        return __import__("json").loads(done.stdout.strip().splitlines()[-1])
    finally:
        host.close()
        server.close()


def check_least_privilege(seen):
    assert seen["caps"] == ["0000000000000000"] * 4, f"the grading worker has capabilities: {seen['caps']}"
    assert seen["visible"] == [], f"the grading worker sees host paths it does not need: {seen['visible']}"
    assert seen["writes_scratch"], "the grading worker must write the scratch courses"
    for what in ("writes_shared", "signals_init", "writes_sysctl", "unix_socket", "network"):
        assert not seen[what], f"the grading worker could do this: {what}"


def test_as_root_the_grading_worker_is_nobody_without_capabilities_and_sees_only_what_it_needs():
    if os.geteuid() != 0:
        pytest.skip("this run is for root; the unprivileged run below covers other users")
    folder = fresh_folder("worker-root")
    try:
        seen = probe_worker(folder)
        assert seen["uid"] == NOBODY, "as root, nbgrader must not run as root"
        check_least_privilege(seen)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_without_root_the_grading_worker_is_just_as_confined():
    if os.geteuid() != 0:
        pytest.skip("dropping privileges for this run needs root")
    folder = fresh_folder("worker-user")
    try:
        check_least_privilege(probe_worker(folder, as_user=NOBODY))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_read_back_follows_nothing_the_worker_made(tmp_path):
    from grading.zygote import read_back

    base, host = tmp_path / "students", tmp_path / "host"
    (base / "ada").mkdir(parents=True)
    host.mkdir()
    (host / "outcome.json").write_text('{"secret": 1}')
    (base / "ada" / "outcome.json").write_text('{"student": "ada"}')
    assert read_back(base, "ada/outcome.json") == b'{"student": "ada"}'
    (base / "bob").symlink_to(host)                                   # a folder swapped for a link
    (base / "cy").mkdir()
    (base / "cy" / "outcome.json").symlink_to(host / "outcome.json")  # a file swapped for a link
    os.mkfifo(base / "dee")                                          # would block a plain open
    (base / "eve").mkdir()
    (base / "eve" / "outcome.json").write_bytes(b"x" * 2000)
    for relative in ("bob/outcome.json", "cy/outcome.json", "dee", "ada"):
        with pytest.raises(OSError):
            read_back(base, relative)
    with pytest.raises(ValueError):
        read_back(base, "eve/outcome.json", max_bytes=1000)


def test_a_killed_zygote_costs_only_the_students_it_was_grading(tmp_path):
    """Whoever kills the zygote mid-batch: every student still gets a row, those it was grading an
    error that says to grade again, the rest a new zygote; nothing it started survives; a rerun
    grades the errors."""
    from grading.grade import Batch

    release = released(TOY)
    names = [f"zygote-victim-{i}" for i in range(3)]       # unique: other tests' batches may run now
    for name in names:
        write(submission(release, solution_answers(TOY)), tmp_path / "subs", name, "toy.ipynb")
    killed, work = [], []

    def zygotes():
        found = []
        for process in psutil.Process().children(recursive=True):
            try:
                if process.cmdline()[1:3] == ["-m", "grading.zygote"]:
                    found.append(process)
            except psutil.Error:
                pass
        return found

    def kill_the_first_zygote():
        deadline = time.monotonic() + 120
        while not killed and time.monotonic() < deadline:
            started = list(Path(tempfile.gettempdir()).glob(f"nnfs-grade-*/students/{names[0]}/child.log"))
            running = zygotes()
            if started and running:
                running[0].kill()
                killed.append(running[0].pid)
                work.append(str(started[0].parents[2]))
            time.sleep(0.02)

    watcher = threading.Thread(target=kill_the_first_zygote)
    watcher.start()
    results = Batch(TOY, tmp_path / "subs", tmp_path / "out", progress=False).run()
    watcher.join()
    assert killed, "the test did not get to kill the zygote"
    assert sorted(r.student for r in results) == names, "the batch did not complete"
    errors = [r for r in results if not r.graded]
    assert all("grade it again" in r.messages[0] for r in errors), [r.messages for r in errors]
    assert 1 <= len(errors) <= 2 and all(r.total == 5 for r in results if r.graded)
    time.sleep(1)
    left = []
    for process in psutil.process_iter(["cmdline"]):
        if any(work[0] in part for part in process.info["cmdline"] or []):
            left.append(process.info["cmdline"][:3])
    assert not left, f"processes of the killed zygote outlived it: {left}"
    again = Batch(TOY, tmp_path / "subs", tmp_path / "out", progress=False).run()
    assert [r.total for r in again] == [5] * 3


def test_where_the_worker_cannot_be_sandboxed_kernels_still_are(tmp_path, monkeypatch, capsys):
    """Root may make namespaces where other users may not: the worker then runs unsandboxed, says
    so, and every kernel is still sandboxed (the attack below still reaches nothing)."""
    from grading import sandbox
    from grading.grade import Batch

    monkeypatch.setattr(sandbox, "worker_unavailable_reason", lambda: "no user namespaces for nobody")
    host = Host(tmp_path / "host")
    try:
        write_corpus(host, tmp_path / "subs", ["unix_socket"])
        results = {r.student: r for r in Batch(TOY, tmp_path / "subs", tmp_path / "out", progress=False).run()}
    finally:
        host.close()
    assert "no user namespaces for nobody; nbgrader runs unsandboxed" in capsys.readouterr().err
    assert results["solution"].total == 5 and results["unix_socket"].scores == {"test_add": 0, "test_mean": 3}
    assert not host.connections


def test_the_worker_probe_says_when_nobody_cannot_read_the_grading_code(tmp_path, monkeypatch):
    """As root the worker is nobody: grading code only root may read is found out before the batch
    (which then falls back, as the test above shows), with the reason."""
    if os.geteuid() != 0:
        pytest.skip("only root grades as nobody")
    from grading import sandbox

    private = tmp_path / "private"
    folders = [str(shutil.copytree(folder, private / Path(folder).name)) for folder in sandbox.grading_code()[0]]
    (private / "grading").chmod(0o700)            # bound into the sandbox as it is: nobody may not enter
    monkeypatch.setattr(sandbox, "grading_code", lambda: (folders, str(private)))
    sandbox.worker_unavailable_reason.cache_clear()
    try:
        reason = sandbox.worker_unavailable_reason()
    finally:
        sandbox.worker_unavailable_reason.cache_clear()
    assert reason and "nobody" in reason, reason
    assert "No module named 'grading" in reason or "Permission denied" in reason, reason
