"""Jupyter kernels for nbval, forked from one warm process instead of started from scratch.

nbval runs each of the book's notebooks in a kernel of its own. Starting one costs about a second of
CPU before the notebook's first line: Python starts, imports ipykernel, then the notebook imports
NumPy and Matplotlib. The test-suite runs 34 notebooks, so conftest.py gives nbval the kernel
``nnfs-forked`` instead: a small client (this file with ``--client``) asks a server (this file, one per
pytest process) to fork a kernel from a process that has imported all that once already.

A forked kernel is a fresh kernel for the notebook: nothing has run in it, its working folder and
environment are the ones jupyter_client asked for, and Matplotlib chooses its backend from that
environment as in a kernel started from scratch. Only the modules are already imported. Its random
numbers are its own: Python's ``random`` seeds itself anew in a forked child, and NumPy's global
generator is seeded anew here.

The client stands in for the kernel towards jupyter_client: it lives exactly as long as the kernel
and ends with its exit code, and it passes on interrupts and terminations. When the client is killed,
the server kills the kernel.

Usage: ``python kernel_forker.py SOCKET`` (the server; it ends when its standard input closes) and
``python kernel_forker.py --client SOCKET KERNEL-ARGS...`` (the kernelspec's command).
"""

import json
import os
import select
import signal
import socket
import subprocess
import sys
import time

# What every kernel imports, what nearly every notebook of the book imports first, and scikit-learn's
# data sets (0.8 s of CPU, which nine notebooks import through nnlib.datasets). Not pyplot nor a
# backend: those depend on the kernel's environment and shell, so each kernel imports its own.
PRELOAD = ["ipykernel.kernelapp", "ipykernel.ipkernel", "numpy", "matplotlib", "matplotlib.figure",
           "matplotlib.axes", "sklearn.datasets"]


def kernelspec(path):
    """The kernelspec (kernel.json's content) whose kernels the server at socket ``path`` forks."""
    argv = [sys.executable, os.path.abspath(__file__), "--client", str(path), "-f", "{connection_file}"]
    return {"argv": argv, "display_name": "Python 3 (forked for nbval)", "language": "python"}


def start_server(path):
    """Start a server at socket ``path``; it ends, with its kernels, when its standard input closes."""
    return subprocess.Popen([sys.executable, os.path.abspath(__file__), str(path)], stdin=subprocess.PIPE)


# -- the client: the process jupyter_client starts and watches ----------------------------------------

def client(path, kernel_args):
    conn = socket.socket(socket.AF_UNIX)
    deadline = time.monotonic() + 60
    while True:                          # the server may still be importing
        try:
            conn.connect(path)
            break
        except (FileNotFoundError, ConnectionRefusedError) as error:
            if time.monotonic() > deadline:
                sys.exit(f"no kernel forker answers at {path} ({error}): tests/conftest.py starts one for "
                         "each pytest process; run the notebooks through pytest, or pass --nbval-kernel-name")
            time.sleep(0.02)
    request = {"args": kernel_args, "cwd": os.getcwd(), "env": dict(os.environ)}
    socket.send_fds(conn, [json.dumps(request).encode() + b"\n"], [0, 1, 2])
    reply = conn.makefile("r")
    pid = int(reply.readline())

    def forward(signum, _frame):
        os.kill(pid, signum)
        if signum == signal.SIGTERM:
            sys.exit(128 + signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)
    status = reply.readline()          # the kernel's exit code, once it has ended
    sys.exit(int(status) if status.strip() else 1)


# -- the server: one warm process that forks the kernels ----------------------------------------------

def serve(path):
    import importlib

    for module in PRELOAD:
        importlib.import_module(module)
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(path)
    listener.listen(16)
    kernels = {}                         # pid -> the client's connection
    while True:
        ready, _, _ = select.select([listener, sys.stdin, *kernels.values()], [], [], 0.1)
        if sys.stdin in ready and not sys.stdin.readline():
            break                        # the test run is over
        if listener in ready:
            conn, request, fds = _accept(listener)
            if request is not None:
                pid = os.fork()
                if pid == 0:
                    listener.close()
                    for other in kernels.values():
                        other.close()
                    _become_kernel(request, fds)
                conn.sendall(f"{pid}\n".encode())
                kernels[pid] = conn
            for fd in fds:
                os.close(fd)
        for pid, conn in list(kernels.items()):
            if conn in ready:            # the client ended (killed): end its kernel too
                _kill(pid)
        while kernels:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            conn = kernels.pop(pid, None)
            if conn is not None:
                try:
                    conn.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())
                except OSError:
                    pass
                conn.close()
    for pid in kernels:
        _kill(pid)


def _accept(listener):
    """(connection, request, its file descriptors) of the next client; request None if it broke off."""
    conn, _ = listener.accept()
    message, fds, _, _ = socket.recv_fds(conn, 1 << 16, 3)
    while message and not message.endswith(b"\n"):
        chunk = conn.recv(1 << 16)
        message += chunk
        if not chunk:
            break
    if len(fds) != 3 or not message.endswith(b"\n"):
        conn.close()
        return conn, None, fds
    return conn, json.loads(message), fds


def _kill(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _become_kernel(request, fds):
    """In the forked child: take the client's standard streams, folder and environment, then run
    ipykernel as ``python -m ipykernel_launcher`` would; never returns."""
    code = 1
    try:
        for target, fd in zip((0, 1, 2), fds):
            os.dup2(fd, target)
            os.close(fd)
        os.setsid()
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.path[0] = request["cwd"]     # what ``python -m`` puts first
        import importlib.util

        import matplotlib
        import numpy.random

        numpy.random.seed()              # NumPy's global generator, imported before the fork: seeded anew
        matplotlib.rcParams["backend"] = os.environ.get("MPLBACKEND",
                                                         "module://matplotlib_inline.backend_inline")
        from ipykernel.kernelapp import IPKernelApp

        sys.argv = [importlib.util.find_spec("ipykernel_launcher").origin, *request["args"]]
        app = IPKernelApp.instance()
        app.initialize([*request["args"], f"--IPKernelApp.parent_handle={os.getppid()}"])
        app.start()
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--client"]:
        client(sys.argv[2], sys.argv[3:])
    else:
        serve(sys.argv[1])
