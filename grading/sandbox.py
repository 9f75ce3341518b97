"""Run a grading kernel as untrusted code: limited, isolated, unprivileged.

The grader starts each student's kernel through this launcher (it is the kernelspec's command)::

    python -m grading.sandbox --uid 60101 --memory-mb 3072 --cpu-seconds 600 \\
        --hide /course --hide /submissions --expose /course/nnlib -- python -m ipykernel_launcher -f conn.json

The kernel's working folder (the student's scratch folder, which also holds the connection file
and the kernel's IPC sockets) is the current directory. What the kernel gets:

- **Resource limits** (always, root or not): address space, CPU seconds, processes, file size, no
  core dumps. A memory bomb gets a ``MemoryError``; a fork bomb gets "Resource temporarily unavailable".
- **Isolation** (only when run as root, as on CI and on a course server):
  new PID, mount and network namespaces. The kernel runs under a small init process (PID 1 of the
  namespace); when the kernel exits or is killed, the namespace ends and every process it started dies
  with it. There is no network at all (the kernel talks to the grader over Unix sockets: nbgrader's
  kernel manager uses ``transport = "ipc"``). An empty tmpfs is mounted over every ``--hide`` folder
  (the course with its solutions and git history, the submissions, the output folder), over ``/tmp``,
  ``/var/tmp`` and ``/dev/shm`` (the kernel gets private, empty ones), and over any folder the kernel
  could not traverse anyway; only the
  paths the kernel needs are bound back into those (the working folder, Python, ``--expose`` paths).
  The kernel then drops to an unprivileged user id of its own (``--uid``), with no groups, which owns
  only the working folder: it cannot read solutions, other students' work or any gradebook, and cannot
  write outside its scratch folder.
"""

import argparse
import ctypes
import json
import os
import resource
import shutil
import signal
import sys
from pathlib import Path

CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET = 0x00020000, 0x20000000, 0x40000000
MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG = 1
WRITABLE_BY_ALL = ("/tmp", "/var/tmp", "/dev/shm")
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
        keep = [p for p in needed if _inside(p, folder) and p != folder]
        if any(_inside(folder, p) for p in needed):
            continue           # the folder is itself needed (or inside something needed): leave it
        plan.append((folder, keep))
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
           "PYTHONDONTWRITEBYTECODE": "1", "JUPYTER_RUNTIME_DIR": str(workdir)}
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    return env


def _copy_font_cache(workdir):
    """Give the kernel matplotlib's font list, so it does not rebuild it (a second) in every kernel."""
    source = Path(os.environ.get("MPLCONFIGDIR") or Path.home() / ".cache" / "matplotlib")
    target = workdir / ".matplotlib"
    target.mkdir(exist_ok=True)
    for font_list in source.glob("fontlist-*.json") if source.is_dir() else ():
        shutil.copy(font_list, target)
    return target


def _take_connection_file(command, workdir):
    """Copy the kernel's connection file (``-f PATH``, readable only by the grader) into ``workdir``."""
    if "-f" not in command[:-1]:
        return command
    i = command.index("-f") + 1
    target = workdir / ".connection.json"
    target.write_bytes(Path(command[i]).read_bytes())
    target.chmod(0o600)
    return [*command[:i], str(target), *command[i + 1:]]


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


def isolate(args, command, workdir):
    """Enter new namespaces, hide the file system, and run ``command`` as ``args.uid``. Never returns."""
    needed = [workdir, Path(sys.prefix), Path(sys.base_prefix), Path(os.path.realpath(sys.executable)).parent,
              *[Path(p) for p in args.expose + args.writable]]
    needed = [p.resolve() for p in needed if p.exists()]
    plan = plan_masks([Path(h).resolve() for h in args.hide if Path(h).exists()], needed, args.uid)
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET), "unshare (needs root)")
    init = os.fork()
    if init:                                            # outside: the kernel manager's process
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, lambda *_: os.kill(init, signal.SIGKILL))
        _, status = os.waitpid(init, 0)
        os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
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
    os.execve(command[0], command, _clean_environment(workdir))


def parser():
    p = argparse.ArgumentParser(prog="python -m grading.sandbox", description=__doc__.splitlines()[0])
    p.add_argument("--uid", type=int, default=65534, help="unprivileged user id for the kernel")
    p.add_argument("--memory-mb", type=int, default=3072, help="address-space limit (default 3072)")
    p.add_argument("--cpu-seconds", type=int, default=600, help="CPU time limit (default 600)")
    p.add_argument("--processes", type=int, default=256, help="processes and threads of --uid (default 256)")
    p.add_argument("--file-mb", type=int, default=64, help="largest file the kernel may write (default 64)")
    p.add_argument("--hide", action="append", default=[], help="a folder the kernel must not see")
    p.add_argument("--expose", action="append", default=[], help="a path the kernel needs (e.g. nnlib)")
    p.add_argument("--writable", action="append", default=[], help="a folder the kernel owns (e.g. its sockets)")
    p.add_argument("--no-isolation", action="store_true", help="only apply the resource limits")
    p.add_argument("command", nargs=argparse.REMAINDER, help="-- the kernel's command line")
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser().error("give the kernel's command after --")
    workdir = Path.cwd().resolve()
    if args.no_isolation or not isolation_available():
        limit_resources(args.memory_mb, args.cpu_seconds, args.processes, args.file_mb)
        os.execv(command[0], command)
    _copy_font_cache(workdir)
    isolate(args, _take_connection_file(command, workdir), workdir)


def kernel_spec(uid, memory_mb, cpu_seconds, hide=(), expose=(), writable=(), isolation=True):
    """A kernelspec (kernel.json content) that starts ipykernel through this launcher."""
    argv = [sys.executable, "-m", "grading.sandbox", "--uid", str(uid), "--memory-mb", str(memory_mb),
            "--cpu-seconds", str(int(cpu_seconds))]
    for option, paths in (("--hide", hide), ("--expose", expose), ("--writable", writable)):
        argv += [a for path in paths for a in (option, str(path))]
    argv += [] if isolation else ["--no-isolation"]
    argv += ["--", sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    return {"argv": argv, "display_name": "Python 3 (grading sandbox)", "language": "python",
            "metadata": {"debugger": False}}


if __name__ == "__main__":
    main()
