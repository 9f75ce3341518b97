"""The kernels nbval runs the notebooks in (tests/kernel_forker.py, set up in conftest.py) are fresh
kernels: forked from one warm process, yet with nothing of it or of each other in them; they take
interrupts, and they end when jupyter_client kills them."""

import json
import time

import psutil
from jupyter_client.manager import start_new_kernel

from grading.sandbox import install_kernel_spec
from kernel_forker import kernelspec, start_server

REPORT = """\
import json, os, random, sys
import matplotlib, numpy as np
print(json.dumps({"pid": os.getpid(), "cwd": os.getcwd(), "draws": [random.random(), np.random.random()],
                  "seen": "planted" in globals(), "backend": matplotlib.get_backend(), "argv0": sys.argv[0],
                  "variable": os.environ.get("NNFS_PROBE")}))
planted = 1
"""


def run(client, code, timeout=30):
    """What ``code`` printed, and its reply's content."""
    printed = []
    reply = client.execute_interactive(code, timeout=timeout, output_hook=lambda msg: printed.append(
        msg["content"].get("text", "")) if msg["msg_type"] == "stream" else None)
    return "".join(printed), reply["content"]


def test_forked_kernels_are_fresh_take_interrupts_and_end_with_their_client(tmp_path, monkeypatch):
    install_kernel_spec(tmp_path, "forked", kernelspec(tmp_path / "forker.sock"))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    monkeypatch.delenv("MPLBACKEND", raising=False)
    server = start_server(tmp_path / "forker.sock")
    reports, kernels = [], []
    try:
        for probe in ("one", "two"):
            (tmp_path / probe).mkdir()
            monkeypatch.setenv("NNFS_PROBE", probe)
            manager, client = start_new_kernel(kernel_name="forked", cwd=str(tmp_path / probe))
            kernels.append((manager, client))
            printed, reply = run(client, REPORT)
            assert reply["status"] == "ok", reply
            reports.append(json.loads(printed))
        one, two = reports
        assert [one["cwd"], two["cwd"]] == [str(tmp_path / "one"), str(tmp_path / "two")]
        assert [one["variable"], two["variable"]] == ["one", "two"], "each kernel has its client's environment"
        assert not one["seen"] and not two["seen"], "a kernel saw a variable of another"
        assert one["draws"][0] != two["draws"][0] and one["draws"][1] != two["draws"][1], \
            "two kernels drew the same random numbers: the generators were not seeded anew"
        assert one["backend"] == "module://matplotlib_inline.backend_inline", one
        assert one["argv0"].endswith("ipykernel_launcher.py"), one

        manager, client = kernels[0]
        sleeping = client.execute("import time; time.sleep(60)")
        time.sleep(0.5)
        manager.interrupt_kernel()                     # what nbval does when a cell runs too long
        reply = client.get_shell_msg(timeout=20)
        assert reply["parent_header"]["msg_id"] == sleeping
        assert reply["content"].get("ename") == "KeyboardInterrupt", "the kernel did not take the interrupt"

        manager.shutdown_kernel(now=True)              # how jupyter_client kills a kernel: its client
        assert ended(one["pid"]), "the forked kernel outlived its client"
        server.stdin.close()                           # the test run is over: the server ends
        server.wait(timeout=10)
        assert ended(two["pid"]), "a forked kernel outlived the server"
    finally:
        for manager, client in kernels:
            client.stop_channels()
            if manager.has_kernel:
                manager.shutdown_kernel(now=True)
        if server.poll() is None:
            server.kill()


def ended(pid, timeout=10):
    """Whether process ``pid`` is gone (or a zombie) within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False
