"""Run grading kernels as untrusted code: limited, isolated, unprivileged, and started fast.

A batch starts one **zygote** (``python -m grading.sandbox --serve SOCKET``): a process that imports
once what every kernel needs (ipykernel, NumPy, matplotlib, scikit-learn's data sets, nnlib) and
then forks a fresh kernel for each student, so no student pays those imports (about a second
each). Each student's kernelspec runs a small client, ``python -m grading.sandbox --connect SOCKET
--options JSON CONNECTION_FILE``, that asks the zygote for a kernel and stays alive as long as it:
the kernel manager sees an ordinary process, and when the client goes (shutdown, or killed for
overrunning), the zygote kills the kernel. Interrupts travel as messages (``interrupt_mode``).

The kernel's working folder is the client's current directory (the student's scratch folder,
which also receives a copy of the connection file). What the kernel gets:

- **Resource limits** (always, root or not): address space, CPU seconds, processes, file size, no
  core dumps. A memory bomb gets a ``MemoryError``; a fork bomb gets "Resource temporarily unavailable".
- **Isolation** (only when run as root, as on CI and on a course server):
  new PID, mount and network namespaces. The kernel runs under a small init process (PID 1 of the
  namespace); when the kernel exits or is killed, the namespace ends and every process it started dies
  with it. There is no network at all (the kernel talks to the grader over Unix sockets: nbgrader's
  kernel manager uses ``transport = "ipc"``). An empty tmpfs is mounted over every ``--hide`` folder
  (the course with its solutions and git history, the submissions, the output folder), over ``/tmp``,
  ``/var/tmp`` and ``/dev/shm`` (the kernel gets private, empty ones), and over any folder the kernel
  could not traverse anyway; only the paths the kernel needs are bound back into those (the working
  folder, Python, ``--expose`` and ``--writable`` paths, such as the folder of its IPC sockets).
  The kernel then drops to an unprivileged user id of its own (``--uid``), with no groups, which owns
  only the working folder: it cannot read solutions, other students' work or any gradebook, and cannot
  write outside its scratch folder.
"""

import argparse
import ctypes
import importlib
import json
import os
import resource
import select
import signal
import socket
import sys
from pathlib import Path

CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET = 0x00020000, 0x20000000, 0x40000000
MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG = 1
WRITABLE_BY_ALL = ("/tmp", "/var/tmp", "/dev/shm")
ONE_BLAS_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
PROTECTIONS_OFF = ("grading without root: student code runs under resource limits (memory, CPU time, "
                   "processes, file size) but NOT isolated: it can use the network, read files you can "
                   "read (including solutions/) and leave processes behind. Grade untrusted submissions "
                   "as root (e.g. sudo, or a container) to turn the sandbox on.")

_libc = ctypes.CDLL(None, use_errno=True)


def isolation_available():
    """Whether the kernel can be isolated here: root on Linux, with namespaces that work."""
    return sys.platform.startswith("linux") and os.geteuid() == 0


def _check(result, what):
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"sandbox: {what} failed: {os.strerror(errno)}")


def _mount(source, target, fstype, flags, data=None):
    _check(_libc.mount(source.encode() if source else None, str(target).encode(),
                       fstype.encode() if fstype else None, flags, data.encode() if data else None),
           f"mount {target}")


def _inside(path, folder):
    return path == folder or folder in path.parents


def _untraversable(path, uid):
    """The ancestors of ``path`` that user ``uid`` (with no groups) may not enter."""
    blocked = []
    for folder in reversed(path.parents):
        st = os.stat(folder)
        if not (st.st_mode & 0o001 or (st.st_uid == uid and st.st_mode & 0o100)):
            blocked.append(folder)
    return blocked


def mask(folder, keep):
    """Mount an empty tmpfs over ``folder`` and bind the paths in ``keep`` back into it.

    Folders everyone may write to (``/tmp``, ``/dev/shm``) become a private, empty, writable
    scratch space of 64 MB for this kernel alone; the others become read-only to the kernel.
    """
    handles = [(p, os.open(p, os.O_PATH)) for p in keep]
    mode = "1777" if str(folder) in WRITABLE_BY_ALL else "0755"
    _mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, f"mode={mode},size=64m")
    for path, fd in handles:
        if os.path.isdir(f"/proc/self/fd/{fd}"):
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()
        _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        os.close(fd)


def plan_masks(hide, needed, uid):
    """Which folders to cover, each with the needed paths to bind back, deepest first."""
    folders = {Path(f) for f in hide} | {Path(f) for f in WRITABLE_BY_ALL if os.path.isdir(f)}
    for path in needed:
        folders.update(_untraversable(path, uid))
    plan = []
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        if any(_inside(folder, p) for p in needed):
            continue           # the folder is itself needed (or inside something needed): leave it
        plan.append((folder, [p for p in needed if _inside(p, folder) and p != folder]))
    return plan


def limit_resources(memory_mb, cpu_seconds, processes, file_mb):
    """Lower this process's limits (inherited by the kernel and everything it starts)."""
    for name, value in (("RLIMIT_AS", memory_mb * 2**20), ("RLIMIT_CPU", cpu_seconds),
                        ("RLIMIT_NPROC", processes), ("RLIMIT_FSIZE", file_mb * 2**20), ("RLIMIT_CORE", 0)):
        kind = getattr(resource, name)
        soft, hard = resource.getrlimit(kind)
        value = int(value) if hard == resource.RLIM_INFINITY else min(int(value), hard)
        resource.setrlimit(kind, (value, value))


def _clean_environment(workdir):
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin", "HOME": str(workdir),
           "LANG": "C.UTF-8", "MPLBACKEND": "Agg", "MPLCONFIGDIR": str(workdir / ".matplotlib"),
           "PYTHONDONTWRITEBYTECODE": "1", "JUPYTER_RUNTIME_DIR": str(workdir), **ONE_BLAS_THREAD}
    return env


def _take_connection_file(path, workdir):
    """Copy the kernel's connection file (readable only by the grader) into ``workdir``."""
    target = workdir / ".connection.json"
    target.write_bytes(Path(path).read_bytes())
    target.chmod(0o600)
    return target


def _init(kernel_pid):
    """PID 1 of the namespace: reap every process until the kernel exits, then end (and kill the rest)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)       # interrupts are for the kernel
    while True:
        pid, status = os.wait()
        if pid == kernel_pid:
            os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def _drop_privileges(uid):
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)       # if our init dies, so do we


def isolate(args, workdir, kernel_argv):
    """Enter new namespaces, hide the file system, and start the kernel as ``args.uid``.

    Returns (in the calling process, outside the namespaces) the pid of the namespace's init.
    """
    needed = [workdir, Path(sys.prefix), Path(sys.base_prefix), Path(os.path.realpath(sys.executable)).parent,
              *[Path(p) for p in args.expose + args.writable]]
    needed = [p.resolve() for p in needed if p.exists()]
    plan = plan_masks([Path(h).resolve() for h in args.hide if Path(h).exists()], needed, args.uid)
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET), "unshare (needs root)")
    init = os.fork()
    if init:
        return init
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV)
    for folder, keep in plan:
        mask(folder, keep)
    os.chdir(workdir)          # re-enter through the new mounts: ".." must not reach the old tree
    for folder in [workdir, *map(Path, args.writable)]:
        for parent, dirs, files in os.walk(folder):
            for name in [".", *dirs, *files]:
                os.chown(os.path.join(parent, name), args.uid, args.uid, follow_symlinks=False)
    kernel = os.fork()
    if kernel:
        _init(kernel)
    limit_resources(args.memory_mb, args.cpu_seconds, args.processes, args.file_mb)
    _drop_privileges(args.uid)
    _run_kernel(workdir, kernel_argv)


def _run_kernel(workdir, kernel_argv):
    """Become the student's IPython kernel, ``kernel_argv`` being its command-line (never returns)."""
    code = 0
    try:
        os.environ.clear()
        os.environ.update(_clean_environment(workdir))
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(argv=kernel_argv)
    except BaseException:
        code = 1
    os._exit(code)


def start_kernel(args, workdir, kernel_argv):
    """Fork the student's kernel, isolated when possible; return the pid to watch and kill."""
    if args.isolation and isolation_available():
        return isolate(args, workdir, kernel_argv)
    pid = os.fork()
    if pid == 0:
        limit_resources(args.memory_mb, args.cpu_seconds, args.processes, args.file_mb)
        _run_kernel(workdir, kernel_argv)
    return pid


PRELOAD = ("numpy", "matplotlib.pyplot", "IPython", "ipykernel.kernelapp", "sklearn.datasets", "nnlib")


def serve(socket_path):
    """The zygote: import once, then fork one kernel per request on ``socket_path`` (never returns)."""
    os.environ.update(MPLBACKEND="Agg", **ONE_BLAS_THREAD)      # before NumPy starts any BLAS threads
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(socket_path))
    os.chmod(socket_path, 0o600)
    server.listen(64)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)           # request handlers reap themselves
    while True:
        conn, _ = server.accept()
        if os.fork() == 0:
            server.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            try:
                _handle(conn)
            finally:
                os._exit(0)
        conn.close()


def _handle(conn):
    """One request: start the kernel, then kill it when the client goes away (or end with it)."""
    request = json.loads(conn.makefile("r", encoding="utf-8").readline())
    args = parser().parse_args(request["options"])
    workdir = Path(request["cwd"]).resolve()
    os.chdir(workdir)
    connection_file = _take_connection_file(request["connection_file"], workdir)
    pid = start_kernel(args, workdir, [str(connection_file) if a == "{connection_file}" else a
                                       for a in ["-f", "{connection_file}", *request["kernel_args"]]])
    conn.sendall(b"started\n")
    while not os.waitpid(pid, os.WNOHANG)[0]:
        ready, _, _ = select.select([conn], [], [], 0.2)
        if ready and not conn.recv(1):                      # EOF: the client is gone
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return


def connect(socket_path, options, connection_file, kernel_args=()):
    """The kernelspec's process: ask the zygote for a kernel and live exactly as long as it.

    ``kernel_args`` are passed on to the kernel (nbclient adds ``--HistoryManager.hist_file=:memory:``).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)            # interrupts reach the kernel as messages
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))    # closing the socket kills the kernel
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.connect(str(socket_path))
        request = {"options": options, "cwd": os.getcwd(), "connection_file": connection_file,
                   "kernel_args": list(kernel_args)}
        client.sendall(json.dumps(request).encode() + b"\n")
        while client.recv(4096):
            pass


def parser():
    """The kernel options a client sends (see :func:`kernel_spec`)."""
    p = argparse.ArgumentParser(prog="grading.sandbox kernel options")
    p.add_argument("--uid", type=int, default=65534, help="unprivileged user id for the kernel")
    p.add_argument("--memory-mb", type=int, default=3072, help="address-space limit")
    p.add_argument("--cpu-seconds", type=int, default=600, help="CPU time limit")
    p.add_argument("--processes", type=int, default=256, help="processes and threads of --uid")
    p.add_argument("--file-mb", type=int, default=64, help="largest file the kernel may write")
    p.add_argument("--hide", action="append", default=[], help="a folder the kernel must not see")
    p.add_argument("--expose", action="append", default=[], help="a path the kernel needs (e.g. nnlib)")
    p.add_argument("--writable", action="append", default=[], help="a folder the kernel owns (e.g. its sockets)")
    p.add_argument("--no-isolation", dest="isolation", action="store_false", help="only the resource limits")
    return p


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--serve"] and len(argv) == 2:
        serve(argv[1])
    elif argv[:1] == ["--connect"] and len(argv) >= 5 and argv[2] == "--options":
        connect(argv[1], json.loads(argv[3]), argv[4], argv[5:])
    else:
        sys.exit("usage: python -m grading.sandbox --serve SOCKET\n"
                 "       python -m grading.sandbox --connect SOCKET --options JSON CONNECTION_FILE [KERNEL ARGS]")


def kernel_spec(zygote, uid, memory_mb, cpu_seconds, hide=(), expose=(), writable=(), isolation=True):
    """A kernelspec (kernel.json content) whose kernels the zygote listening on ``zygote`` starts."""
    options = ["--uid", str(uid), "--memory-mb", str(memory_mb), "--cpu-seconds", str(int(cpu_seconds))]
    for option, paths in (("--hide", hide), ("--expose", expose), ("--writable", writable)):
        options += [a for path in paths for a in (option, str(path))]
    options += [] if isolation else ["--no-isolation"]
    argv = [sys.executable, "-m", "grading.sandbox", "--connect", str(zygote), "--options", json.dumps(options),
            "{connection_file}"]
    return {"argv": argv, "display_name": "Python 3 (grading sandbox)", "language": "python",
            "interrupt_mode": "message", "metadata": {"debugger": False}}


class Zygote:
    """The batch's zygote process: ``with Zygote(folder) as z: ... kernel_spec(z.socket, ...)``."""

    def __init__(self, folder):
        self.socket = Path(folder) / "zygote"
        self.log = Path(folder) / "zygote.log"

    def __enter__(self):
        import subprocess
        import time

        with open(self.log, "wb") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "grading.sandbox", "--serve", str(self.socket)],
                                            stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                            start_new_session=True)
        deadline = time.monotonic() + 60
        while not self.socket.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the grading sandbox did not start: {self.log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        try:
            os.killpg(self.process.pid, signal.SIGKILL)     # the zygote, its handlers and their kernels
        except ProcessLookupError:
            pass
        self.process.wait()


if __name__ == "__main__":
    main()
