"""Run a data-parallel training job as several local processes over loopback (no framework here).

:func:`run_workers` starts ``num_workers`` copies of a worker module
(``python -m MODULE``) with ``TF_CONFIG`` naming one 127.0.0.1 port per worker,
waits for all of them with a time limit, and returns what each wrote as JSON.
On any failure or time-out every process is killed before the error is raised,
so nothing is left running.  The same worker code runs on several machines
when ``TF_CONFIG`` lists their addresses instead of 127.0.0.1.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .validation import check_positive_int, check_scalar


def free_ports(count):
    """``count`` distinct TCP ports on 127.0.0.1 that are free right now."""
    sockets, ports = [], []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in sockets:
            s.close()
    return ports


def tf_config(ports, index):
    """The ``TF_CONFIG`` JSON of worker ``index`` in a cluster of loopback ``ports``."""
    return json.dumps({"cluster": {"worker": [f"127.0.0.1:{p}" for p in ports]},
                       "task": {"type": "worker", "index": index}})


def run_workers(module, num_workers=2, args=(), timeout=60.0):
    """Run ``python -m module --out FILE *args`` as ``num_workers`` processes; their JSON results.

    Returns ``(results, seconds)``: one dict per worker (in worker order) and the
    wall time of the whole run.  Raises ``RuntimeError`` with the failing worker's
    last output lines if one exits non-zero, ``TimeoutError`` after ``timeout``
    seconds; in both cases all workers are killed first.
    """
    check_positive_int(num_workers, "num_workers")
    check_scalar(timeout, "timeout (seconds)", min_val=0, include_boundaries="neither")
    ports = free_ports(num_workers)
    root = str(Path(__file__).resolve().parent.parent)
    with tempfile.TemporaryDirectory(prefix="workers-") as tmp:
        procs, outs = [], []
        start = time.perf_counter()
        try:
            for i in range(num_workers):
                out = Path(tmp) / f"worker{i}.json"
                env = {**os.environ, "TF_CONFIG": tf_config(ports, i), "TF_CPP_MIN_LOG_LEVEL": "3",
                       "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
                cmd = [sys.executable, "-m", module, "--out", str(out), *map(str, args)]
                procs.append(subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                                              stderr=subprocess.PIPE, text=True))
                outs.append(out)
            deadline = start + timeout
            for i, proc in enumerate(procs):
                try:
                    _, err = proc.communicate(timeout=max(deadline - time.perf_counter(), 0.01))
                except subprocess.TimeoutExpired:
                    raise TimeoutError(f"workers did not finish within {timeout:g} s") from None
                if proc.returncode != 0:
                    tail = "\n".join(err.strip().splitlines()[-5:])
                    raise RuntimeError(f"worker {i} exited with {proc.returncode}:\n{tail}")
            seconds = time.perf_counter() - start
            return [json.loads(p.read_text()) for p in outs], seconds
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
