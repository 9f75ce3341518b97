"""Run a student's kernel as untrusted code: in a bubblewrap sandbox, under per-kernel limits.

Each kernel runs under `bubblewrap <https://github.com/containers/bubblewrap>`_ (``bwrap``, the
unprivileged sandbox Flatpak is built on). What the kernel sees is an allow-list:

- read-only: the Python environment (without debugpy, ipykernel's debugger), nnlib, and the
  system libraries of ``/usr``;
- writable: a private working folder (``/home/student``), a private ``/tmp`` and the folder of
  its sockets, each an empty tmpfs of limited size that vanishes with the kernel;
- nothing else of the host: no course folder or any copy of it, no submissions, no outputs, no
  ``/run``, ``/etc`` or home folders.

It gets new user, PID, network, IPC, UTS, cgroup and mount namespaces, no capabilities, no way to
make further user namespaces, a session of its own, and it dies with its launcher. When the kernel
ends, its PID namespace ends, and every process it started dies with it.

**Limits per kernel.** Where this process may create cgroups (root, with cgroup v1's ``memory``
and ``pids`` controllers or cgroup v2), each kernel gets one: total memory of all its processes
(tmpfs files included), number of processes and threads. Always, per process: address space
(a large allocation raises ``MemoryError``), CPU seconds, file size, no core dumps. Without a
cgroup, the process count is an rlimit too, which the user namespace keeps per kernel.

**Who starts it.** In ``grade``, the batch's grading worker (grading.zygote), itself under
bubblewrap with no capability (:func:`worker_argv`), so a kernel's sandbox is nested in the
worker's. In ``check``, the student's own process.

**Talking to the kernel.** The kernel binds its ZeroMQ sockets (``transport = "ipc"``) inside its
own tmpfs. The launcher (trusted, outside the kernel's sandbox) opens each socket with ``O_NOFOLLOW`` through
``/proc/<pid>/root``, checks that it *is* a socket, and points the grader's socket path at that
open file (``/proc/<launcher>/fd/<n>``). The grader therefore never follows a path the kernel made:
a symlink planted by student code cannot redirect it.

``python -m grading.sandbox OPTIONS_JSON CONNECTION_FILE [KERNEL ARGS]`` is the launcher: the
kernelspec made by :func:`kernel_spec` runs it, and jupyter_client sees an ordinary kernel process.
"""

import functools
import importlib.util
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

ONE_BLAS_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
HOME, IPC, CONNECTION = "/home/student", "/run/ipc", "/run/kernel.json"
SANDBOX_UID = 1000                 # the kernel's user id inside its user namespace
WORKER_UID = 65534                 # nobody: the grading worker's user when grading runs as root
INSTALL_BWRAP = ("install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap; Fedora: "
                 "sudo dnf install bubblewrap; Arch: sudo pacman -S bubblewrap)")


@dataclass(frozen=True)
class Limits:
    """What one kernel may use. ``memory_mb`` is per process and, with a cgroup, for all together."""

    memory_mb: int = 3072
    processes: int = 64            # processes and threads (an idle kernel has about 10)
    cpu_seconds: int = 600         # per process
    disk_mb: int = 64              # each of the working folder and /tmp; also the largest file


# -- is a sandbox possible here? -------------------------------------------------------------------

@functools.cache
def unavailable_reason():
    """Why no sandbox can be made on this machine (a sentence with what to do), or None if it can."""
    if not sys.platform.startswith("linux"):
        return f"the grading sandbox needs Linux (bubblewrap); this is {sys.platform}"
    if shutil.which("bwrap") is None:
        return f"bubblewrap (bwrap) is not installed: {INSTALL_BWRAP}"
    probe = subprocess.run(["bwrap", *_namespaces(), "--ro-bind", "/", "/", "--", "true"],
                           capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        return ("bubblewrap cannot create unprivileged namespaces here (" + probe.stderr.strip()[:300] + "); "
                "enable user namespaces (sysctl kernel.unprivileged_userns_clone=1, or on Ubuntu 24.04+ "
                "an AppArmor profile for bwrap) or grade as root")
    return None


@functools.cache
def worker_unavailable_reason():
    """Why the grading worker cannot run sandboxed here (a sentence), or None if it can.

    As root, the worker runs as nobody: the Python environment and the grading code must be
    readable by that user, and the kernels' bubblewrap inside it needs user namespaces for
    unprivileged users, which some systems turn off while root still has them. The probe starts
    Python in the worker's sandbox, imports the grading code and makes a kernel's sandbox there.
    """
    if unavailable_reason() is not None:
        return unavailable_reason()
    folders, python_path = grading_code()
    inner = ["bwrap", *_namespaces(), "--ro-bind", "/", "/", "--", "true"]
    command = [sys.executable, "-c", "import os, sys, grading.sandbox, nnfs_check; os.execvp('bwrap', sys.argv[1:])",
               *inner]
    probe = subprocess.run(worker_argv(shared_paths() + folders, [], command, python_path), capture_output=True,
                           text=True, timeout=60)
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["no message"])[-1][:300]
        who = "nobody, who must be able to read the Python environment and the grading code" if os.geteuid() == 0 \
            else "you"
        return (f"the grading worker cannot start in its sandbox here ({last}); it runs as {who}, and must be "
                "able to make user namespaces")
    return None


def grading_code():
    """The folders of the grading code (``grading``, ``nnfs_check``) and the PYTHONPATH that finds them."""
    import grading
    import nnfs_check

    folders = [str(Path(module.__file__).parent) for module in (grading, nnfs_check)]
    return folders, os.pathsep.join(sorted({str(Path(f).parent) for f in folders}))


def _namespaces():
    return ["--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session",
            "--cap-drop", "ALL", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID), "--hostname", "sandbox"]


# -- cgroups: limits for all the processes of one kernel -----------------------------------------------

class Cgroups:
    """The cgroups of one batch (cgroup v1 ``memory`` + ``pids``, or v2), or none when not allowed.

    ``Cgroups.for_batch()`` makes a parent group per controller under this process's own group;
    each kernel gets a child group named by :meth:`kernel_paths`. ``reason`` says why there are none.
    """

    def __init__(self, parents, reason=None):
        self.parents, self.reason = parents, reason

    @classmethod
    def for_batch(cls):
        root = Path("/sys/fs/cgroup")
        name = f"nnfs-grade-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        parents = []
        try:
            if (root / "cgroup.controllers").exists():                      # cgroup v2
                own = root / _own_cgroup("")
                parent = own.parent / name if own != root else root / name
                parent.mkdir()
                try:
                    (parent / "cgroup.subtree_control").write_text("+memory +pids")
                except OSError:
                    (parent.parent / "cgroup.subtree_control").write_text("+memory +pids")
                    parent.rmdir()
                    parent.mkdir()
                    (parent / "cgroup.subtree_control").write_text("+memory +pids")
                return cls([parent])
            for controller in ("memory", "pids"):
                parent = root / controller / _own_cgroup(controller) / name
                parent.mkdir()
                parents.append(parent)
            return cls(parents)
        except OSError as error:
            for parent in parents:
                _remove_group(parent)
            return cls([], f"no cgroup could be made ({error.strerror or error})")

    def kernel_paths(self, key):
        return [str(parent / key) for parent in self.parents]

    def delegate(self, uid):
        """Let ``uid`` make the kernels' groups and move processes among the batch's groups, the way
        the kernel's cgroup documentation delegates a subtree: the parent folders and their
        ``cgroup.procs``, ``cgroup.threads`` and ``cgroup.subtree_control`` (``tasks`` on v1)."""
        for parent in self.parents:
            os.chown(parent, uid, uid)
            for name in ("cgroup.procs", "cgroup.threads", "cgroup.subtree_control", "tasks"):
                if (parent / name).exists():
                    os.chown(parent / name, uid, uid)

    def group_for(self, key):
        """Make the group ``key`` (no limits of its own) and return a function that moves the calling
        process into it: called in a child before exec, everything the child starts is in it, and
        :meth:`close` kills whatever is left there (the zygote's group)."""
        for parent in self.parents:
            (parent / key).mkdir(exist_ok=True)

        def join():
            for parent in self.parents:
                (parent / key / "cgroup.procs").write_text(str(os.getpid()))
        return join

    def remove_kernel(self, key):
        for parent in self.parents:
            _remove_group(parent / key)

    def close(self):
        for parent in self.parents:
            for child in [p for p in parent.iterdir() if p.is_dir()]:
                _remove_group(child)
            _remove_group(parent)


def _own_cgroup(controller):
    """This process's cgroup path for ``controller`` ('' for v2), relative to its hierarchy's root."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(",") or (not controller and controllers == ""):
            return path.lstrip("/")
    return ""


def _join_group(path, limits):
    """Create the kernel's cgroup at ``path``, set its limits, and move this process into it."""
    group = Path(path)
    group.mkdir()
    memory, procs = str(limits.memory_mb * 2**20), str(limits.processes)
    settings = {"memory.limit_in_bytes": memory, "memory.memsw.limit_in_bytes": memory,
                "memory.max": memory, "memory.swap.max": "0", "pids.max": procs}
    for name, value in settings.items():
        if (group / name).exists():
            try:
                (group / name).write_text(value)
            except OSError:
                if name != "memory.memsw.limit_in_bytes":     # absent without swap accounting
                    raise
    (group / "cgroup.procs").write_text(str(os.getpid()))


def _remove_group(group):
    """Kill every process in ``group`` and remove it (quietly if it is already gone)."""
    group = Path(group)
    for _ in range(50):
        if not group.exists():
            return
        try:
            if (group / "cgroup.kill").exists():
                (group / "cgroup.kill").write_text("1")
            else:
                for pid in (group / "cgroup.procs").read_text().split():
                    try:
                        os.kill(int(pid), signal.SIGKILL)
                    except ProcessLookupError:
                        pass
            group.rmdir()
            return
        except OSError:
            time.sleep(0.05)


def set_rlimits(limits, processes=True):
    """Per-process limits for this process and everything it starts.

    ``RLIMIT_NPROC`` counts every process and thread of the user, so without a cgroup the kernel may
    start ``limits.processes`` more than the user runs now (kernels of one user share that margin).
    """
    import resource

    values = {"RLIMIT_AS": limits.memory_mb * 2**20, "RLIMIT_CPU": limits.cpu_seconds,
              "RLIMIT_FSIZE": limits.disk_mb * 2**20, "RLIMIT_CORE": 0}
    if processes:
        values["RLIMIT_NPROC"] = _tasks_of_this_user() + limits.processes
    for name, value in values.items():
        kind = getattr(resource, name)
        _, hard = resource.getrlimit(kind)
        value = int(value) if hard == resource.RLIM_INFINITY else min(int(value), hard)
        resource.setrlimit(kind, (value, value))


def _tasks_of_this_user():
    uid, count = os.getuid(), 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            if int(fields["Uid"].split()[0]) == uid:
                count += int(fields["Threads"])
        except (OSError, KeyError, ValueError):
            pass
    return count


def cgroup_note(reason, limits):
    """What to print once when a batch runs without cgroups: which limits still hold."""
    return (f"{reason}: limits for all of a kernel's processes together are not enforced; each process "
            f"still has {limits.memory_mb} MB of address space and {limits.cpu_seconds} s of CPU, the kernel "
            f"may start {limits.processes} processes more than you run, and its working folder, /tmp and "
            f"/dev/shm hold {limits.disk_mb} MB each. Grade as root for per-kernel memory and process limits.")


# -- the kernel's view of the file system ---------------------------------------------------------------

def _nnlib():
    """The folder of the nnlib this process imports (the kernel imports the same one)."""
    return Path(importlib.util.find_spec("nnlib").origin).parent


def shared_paths():
    """What the kernel reads: the Python environment, nnlib, the system's libraries and font set-up."""
    paths = [Path(sys.prefix), Path(sys.base_prefix), Path(os.path.realpath(sys.executable)).parent, _nnlib()]
    paths += [Path(p) for p in ("/usr/lib", "/usr/lib64", "/usr/lib32", "/usr/bin", "/usr/share", "/etc/fonts")]
    keep = []
    for path in sorted({p.resolve() for p in paths if p.exists()}, key=lambda p: len(p.parts)):
        if not any(k == path or k in path.parents for k in keep):
            keep.append(path)
    return [str(p) for p in keep]


def _view(shared, writable=()):
    """bwrap arguments for the rest of a sandbox's file system, after its private mounts: ``shared``
    read-only and ``writable`` bound read-write at the same paths, the usual links into /usr, and
    everything else read-only."""
    argv = []
    for path in shared:
        argv += ["--ro-bind", path, path]
    for path in writable:
        argv += ["--bind", path, path]
    for link, target in (("/lib", "usr/lib"), ("/lib64", "usr/lib64"), ("/lib32", "usr/lib32"), ("/bin", "usr/bin")):
        if os.path.islink(link) and os.path.exists(link):
            argv += ["--symlink", target, link]
    return argv + ["--remount-ro", "/"]


def _environment(**settings):
    """``--clearenv`` and the few variables a sandboxed Python needs (``settings`` add or override)."""
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "LANG": "C.UTF-8", "MPLBACKEND": "Agg",
           "MPLCONFIGDIR": "/tmp/matplotlib", "IPYTHONDIR": "/tmp/ipython", "JUPYTER_RUNTIME_DIR": "/tmp/jupyter",
           "PYTHONDONTWRITEBYTECODE": "1", **ONE_BLAS_THREAD, **settings}
    argv = ["--clearenv"]
    for name, value in env.items():
        argv += ["--setenv", name, value]
    return argv


def _without_debugger():
    """bwrap arguments that put an empty, read-only folder in place of debugpy's package.

    ipykernel then starts without its debugger, which no graded notebook uses, and without the
    hundred modules of debugpy it imports for it: 0.34 s of CPU per kernel instead of 0.48.
    """
    spec = importlib.util.find_spec("debugpy")
    if spec is None or not spec.submodule_search_locations:
        return []
    folder = spec.submodule_search_locations[0]
    return ["--perms", "0555", "--tmpfs", folder, "--remount-ro", folder]


def bwrap_argv(limits, shared, kernel_args, connection_fd):
    """The bubblewrap command that runs the kernel (reading its connection file from ``connection_fd``)."""
    size = str(limits.disk_mb * 2**20)
    # The private mounts first, then the shared paths: a Python or a course under /tmp (a CI
    # checkout, say) must be bound on top of the kernel's own /tmp, not hidden by it.
    argv = ["bwrap", *_namespaces(), "--proc", "/proc", "--dev", "/dev",
            "--size", size, "--tmpfs", HOME, "--size", size, "--tmpfs", "/tmp", "--size", size, "--tmpfs", "/dev/shm",
            "--size", str(2**20), "--tmpfs", IPC, "--perms", "0400", "--file", str(connection_fd), CONNECTION]
    argv += [*_view(shared), *_without_debugger(), "--chdir", HOME,
             *_environment(HOME=HOME, PYTHONPATH=str(_nnlib().parent))]
    return argv + ["--", sys.executable, "-m", "ipykernel_launcher", "-f", CONNECTION, *kernel_args]


def worker_argv(shared, writable, command, python_path=""):
    """The bubblewrap command that runs the batch's grading worker (grading.zygote) with ``command``.

    The worker sees ``shared`` read-only and ``writable`` (the batch's scratch courses, the kernels'
    socket folders and cgroups) read-write, a private /tmp, the host's /proc and nothing else of
    the host. It gets new IPC, network, UTS and mount namespaces. It keeps the host's PID namespace
    and /proc, because the kernels' own bubblewrap must mount a fresh /proc, which Linux allows only
    where a /proc is fully visible, and bubblewrap's own /proc is not.

    As root, the worker runs as user ``WORKER_UID`` (nobody), with no capability at all, dropped by
    util-linux's setpriv inside the sandbox: it cannot signal or trace root's processes, write a
    sysctl, or touch a file it could not as nobody; ``writable`` must belong to that user. Otherwise
    it runs as the caller in a user namespace of its own, with no capability.
    """
    as_root = os.geteuid() == 0
    argv = ["bwrap", "--unshare-ipc", "--unshare-net", "--unshare-uts", "--die-with-parent", "--new-session",
            "--hostname", "grader", "--bind", "/proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"]
    if not as_root:
        argv[1:1] = ["--unshare-user", "--cap-drop", "ALL", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID)]
    made = set()                 # folders bubblewrap makes on the way to a bound path: traversable
    for path in [*shared, *writable]:
        for parent in reversed(Path(path).parents):
            if str(parent) not in made and str(parent) not in ("/", "/tmp", "/proc", "/dev"):
                made.add(str(parent))
                argv += ["--perms", "0755", "--dir", str(parent)]
    argv += [*_view(shared, writable), "--chdir", "/tmp", *_environment(HOME="/tmp", PYTHONPATH=python_path)]
    if as_root:
        argv += ["--", "setpriv", f"--reuid={WORKER_UID}", f"--regid={WORKER_UID}", "--clear-groups",
                 "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"]
    return argv + ["--", *command]


# -- the launcher: the kernelspec's process ---------------------------------------------------------------

def launch(options, connection_file, kernel_args):
    """Start the sandboxed kernel and live exactly as long as it (runs outside the sandbox, trusted).

    ``options``: {"limits": {...}, "shared": [paths], "cgroups": [paths]}. Exits with the kernel's code.
    It dies with the process that started it (nbgrader's), and the kernel with it.
    """
    die_with_parent()
    limits = Limits(**options["limits"])
    info = json.loads(Path(connection_file).read_text(encoding="utf-8"))
    inside = {**info, "transport": "ipc", "ip": f"{IPC}/kernel"}
    for group in options["cgroups"]:
        _join_group(group, limits)
    set_rlimits(limits, processes=not options["cgroups"])
    data_r, data_w = os.pipe()
    os.write(data_w, json.dumps(inside).encode())
    os.close(data_w)
    info_r, info_w = os.pipe()
    argv = bwrap_argv(limits, options["shared"], kernel_args, data_r)
    argv[1:1] = ["--info-fd", str(info_w)]
    bwrap = subprocess.Popen(argv, stdin=subprocess.DEVNULL, pass_fds=(data_r, info_w), preexec_fn=die_with_parent)
    os.close(info_w)
    os.close(data_r)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: (bwrap.kill(), os._exit(1)))
    signal.signal(signal.SIGINT, signal.SIG_IGN)        # interrupts reach the kernel as messages
    try:
        with os.fdopen(info_r, "rb") as info_file:         # bwrap writes one JSON object, then closes it
            child = json.loads(info_file.read(65536) or b"{}").get("child-pid")
        if child:
            _expose_sockets(child, info, bwrap)
    except BaseException:
        bwrap.kill()
        raise
    sys.exit(bwrap.wait())


def _expose_sockets(child, info, bwrap, timeout=60):
    """Point the grader's socket paths at the kernel's sockets, without following anything it made.

    The kernel binds ``/run/ipc/kernel-<port>`` inside its sandbox. Each is opened here with
    O_PATH | O_NOFOLLOW from the tmpfs mount point (which the kernel cannot replace) and must be a
    socket; ``<ip>-<port>`` on the grader's side becomes a symlink to this process's open file.
    """
    ports = [info[k] for k in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")]
    deadline = time.monotonic() + timeout
    host_root, folder = os.stat("/"), None
    while folder is None:
        try:
            root = os.stat(f"/proc/{child}/root")
            if (root.st_dev, root.st_ino) != (host_root.st_dev, host_root.st_ino):    # set up by now
                folder = os.open(f"/proc/{child}/root{IPC}", os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:
            pass
        if folder is None:
            if bwrap.poll() is not None or time.monotonic() > deadline:
                return
            time.sleep(0.01)
    pending = set(ports)
    while pending and bwrap.poll() is None and time.monotonic() < deadline:
        for port in sorted(pending):
            try:
                fd = os.open(f"kernel-{port}", os.O_PATH | os.O_NOFOLLOW, dir_fd=folder)
            except FileNotFoundError:
                continue
            if not stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.close(fd)
                return                      # not what ipykernel makes: leave the grader unconnected
            os.symlink(f"/proc/{os.getpid()}/fd/{fd}", f"{info['ip']}-{port}")
            pending.discard(port)
        time.sleep(0.01)
    os.close(folder)


def die_with_parent():
    """Get SIGKILL when the parent process dies (called in a child, before exec for a new program:
    bwrap's --die-with-parent covers only the processes inside its sandbox, not bwrap itself)."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)       # PR_SET_PDEATHSIG


def kernel_spec(limits, shared=None, cgroups=()):
    """A kernelspec (kernel.json content) whose kernels run in the sandbox.

    ``cgroups``: the kernel's own cgroup paths (see :meth:`Cgroups.kernel_paths`), created by the launcher.
    """
    options = {"limits": asdict(limits), "shared": shared_paths() if shared is None else list(shared),
               "cgroups": list(cgroups)}
    argv = [sys.executable, "-m", "grading.sandbox", json.dumps(options), "{connection_file}"]
    return {"argv": argv, "display_name": "Python 3 (grading sandbox)", "language": "python",
            "interrupt_mode": "message", "metadata": {"debugger": False}}


def install_kernel_spec(folder, name, spec):
    """Write ``spec`` as kernel ``name`` under ``folder/kernels`` (put ``folder`` on JUPYTER_PATH)."""
    target = Path(folder) / "kernels" / name
    target.mkdir(parents=True)
    (target / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")


def plain_kernel_spec(limits):
    """A kernelspec for when no sandbox is possible: an ordinary kernel under the per-process limits."""
    options = {"limits": asdict(limits)}
    argv = [sys.executable, "-m", "grading.sandbox", "--plain", json.dumps(options), "-f", "{connection_file}"]
    return {"argv": argv, "display_name": "Python 3 (grading, no sandbox)", "language": "python",
            "interrupt_mode": "message", "metadata": {"debugger": False}}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--plain"] and len(argv) >= 3:
        set_rlimits(Limits(**json.loads(argv[1])["limits"]))
        os.environ.update(MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1", **ONE_BLAS_THREAD)
        os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *argv[2:]])
    elif len(argv) >= 2:
        launch(json.loads(argv[0]), argv[1], argv[2:])
    else:
        sys.exit("usage: python -m grading.sandbox OPTIONS_JSON CONNECTION_FILE [KERNEL ARGS]\n"
                 "       python -m grading.sandbox --plain OPTIONS_JSON -f CONNECTION_FILE [KERNEL ARGS]")


if __name__ == "__main__":
    main()
