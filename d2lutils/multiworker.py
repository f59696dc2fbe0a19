"""Start a data-parallel cluster of local processes over loopback, for either engine (no framework here).

:func:`run_workers` is the one launcher.  It starts the processes of a cluster
(each in its own process group, output to a log file), waits with a time
limit, and returns what each *worker* wrote as JSON.  Workers and servers run
``python -m MODULE --out FILE *args``, as MXNet's own launcher runs one script
in every role (a server never gets past ``import mxnet``); MXNet's scheduler
runs ``d2lutils/mxnet/scheduler.py``:

* ``engine="tensorflow"``: ``num_workers`` workers, each with a ``TF_CONFIG``
  naming one free 127.0.0.1 port per worker (``MultiWorkerMirroredStrategy``,
  all-reduce between the workers);
* ``engine="mxnet"``: MXNet's parameter server — a scheduler, ``num_servers``
  servers and ``num_workers`` workers, with the ``DMLC_*`` environment of
  MXNet's own launcher (role, the scheduler's free 127.0.0.1 port, the numbers
  of servers and workers, and ``DMLC_NODE_HOST=127.0.0.1`` so that every node
  listens on loopback only).

Whatever happens — success, a worker exiting with an error, a helper
(scheduler, server) dying, the time limit, or ``KeyboardInterrupt`` — every
process it started is stopped (``SIGKILL`` to its process group) before it
returns or raises, so no process or port is left behind.  With other machines'
addresses in ``TF_CONFIG`` or ``DMLC_PS_ROOT_URI``, the same worker code
trains across machines.

:func:`run_cluster` is the short form a chapter calls: it builds the worker
arguments of :mod:`d2lutils.mxnet.multiworker` or
:mod:`d2lutils.tensorflow.multiworker` and returns a :class:`ClusterRun`.
"""
import json
import numbers
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .validation import check_bool, check_non_negative_int, check_positive_int, check_scalar

ENGINES = ("tensorflow", "mxnet")
MODES = ("dist_sync", "dist_async")
OPTIMIZERS = ("sgd", "dcasgd")
WORKER_MODULES = {"tensorflow": "d2lutils.tensorflow.multiworker",
                  "mxnet": "d2lutils.mxnet.multiworker"}
_ROOT = str(Path(__file__).resolve().parent.parent)
_SCHEDULER = Path(__file__).resolve().parent / "mxnet" / "scheduler.py"   # run as a file
_NUM_TRAIN = 1347            # training examples of d2lutils.data.load_digits()


def free_ports(count):
    """``count`` distinct TCP ports on 127.0.0.1 that are free right now.

    The operating system picks them (bind to port 0); they are released at once
    for the cluster to bind, so another program could take one in between — a
    launch then fails with an address-in-use error and can simply be repeated.
    """
    check_positive_int(count, "count")
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


def _check_port(port, name):
    return check_scalar(port, name, numbers.Integral, min_val=1, max_val=65535)


def tf_config(ports, index):
    """The ``TF_CONFIG`` JSON of worker ``index`` in a cluster of loopback ``ports``."""
    if isinstance(ports, (str, bytes)) or not hasattr(ports, "__len__") or not len(ports):
        raise TypeError(f"ports must be a non-empty list of port numbers, got {ports!r}")
    for i, p in enumerate(ports):
        _check_port(p, f"ports[{i}]")
    check_non_negative_int(index, "index")
    if index >= len(ports):
        raise ValueError(f"index must be < the number of workers ({len(ports)}), got {index}")
    return json.dumps({"cluster": {"worker": [f"127.0.0.1:{p}" for p in ports]},
                       "task": {"type": "worker", "index": index}})


def dmlc_env(role, root_port, num_workers, num_servers=1):
    """The ``DMLC_*`` variables of one process of an MXNet parameter server on 127.0.0.1."""
    if role not in ("scheduler", "server", "worker"):
        raise ValueError(f"role must be 'scheduler', 'server' or 'worker', got {role!r}")
    _check_port(root_port, "root_port")
    check_positive_int(num_workers, "num_workers")
    check_positive_int(num_servers, "num_servers")
    return {"DMLC_ROLE": role, "DMLC_PS_ROOT_URI": "127.0.0.1", "DMLC_PS_ROOT_PORT": str(root_port),
            "DMLC_NUM_WORKER": str(num_workers), "DMLC_NUM_SERVER": str(num_servers),
            "DMLC_NODE_HOST": "127.0.0.1", "DMLC_INTERFACE": "lo"}


def _cluster(engine, num_workers, num_servers, command, scheduler_module):
    """``(name, is_worker, command, extra environment)`` of every process, workers first."""
    if engine == "tensorflow":
        ports = free_ports(num_workers)
        return [(f"worker {i}", True, command, {"TF_CONFIG": tf_config(ports, i)})
                for i in range(num_workers)]
    (port,) = free_ports(1)
    scheduler = ([sys.executable, str(_SCHEDULER)] if scheduler_module is None
                 else [sys.executable, "-m", scheduler_module, *command[3:]])
    roles = ([(f"worker {i}", "worker", command) for i in range(num_workers)]
             + [(f"server {i}", "server", command) for i in range(num_servers)]
             + [("scheduler", "scheduler", scheduler)])
    return [(name, role == "worker", cmd, dmlc_env(role, port, num_workers, num_servers))
            for name, role, cmd in roles]


def _tail(path, lines=5):
    try:
        text = Path(path).read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])


def _stop(procs):
    """SIGKILL every started process (and its process group) that is still running; reap all."""
    for proc in procs:
        if proc.poll() is None:         # not reaped yet, so its pid (= group id) is still ours
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    for proc in procs:
        proc.wait()


def run_workers(module, num_workers=2, args=(), timeout=60.0, engine="tensorflow",
                num_servers=1, helper_grace=10.0, scheduler_module=None):
    """Run the cluster of ``engine`` with ``python -m module --out FILE *args``; the workers' JSON.

    MXNet's scheduler needs none of the worker's code: it runs
    ``d2lutils/mxnet/scheduler.py`` (MXNet's C API only, 0.2 s of CPU instead
    of 3 s) unless ``scheduler_module`` names a module to run with the
    workers' arguments instead (as the tests' stand-in does).  Returns ``(results, seconds)``: one dict per worker (in rank order) and the
    wall time from the first start until every worker has written its result.
    After the workers succeed, MXNet's scheduler and servers get
    ``helper_grace`` seconds to exit on their own before they are killed.
    Raises ``RuntimeError`` naming the process and its last output lines if a
    worker exits non-zero or a helper exits before the workers are done, and
    ``TimeoutError`` after ``timeout`` seconds; every process is killed first,
    also on ``KeyboardInterrupt``.
    """
    if not isinstance(module, str) or not module:
        raise TypeError(f"module must be a module name such as 'tests.fake_worker', got {module!r}")
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    check_positive_int(num_workers, "num_workers")
    check_positive_int(num_servers, "num_servers")
    check_scalar(timeout, "timeout (seconds)", min_val=0, include_boundaries="neither")
    check_scalar(helper_grace, "helper_grace (seconds)", min_val=0)
    if scheduler_module is not None and (not isinstance(scheduler_module, str) or engine != "mxnet"):
        raise ValueError(f"scheduler_module must be a module name, and only with engine='mxnet', "
                         f"got {scheduler_module!r}")
    base_env = {k: v for k, v in os.environ.items()
                if not k.startswith("DMLC_") and k != "TF_CONFIG"}
    base_env.update(TF_CPP_MIN_LOG_LEVEL="3",
                    PYTHONPATH=_ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    # several processes share the cores: one OpenMP thread each, unless the caller chose
    # (measured: an MXNet launch of 2 workers used 15% less CPU, no idle spinning threads)
    base_env.setdefault("OMP_NUM_THREADS", "1")
    with tempfile.TemporaryDirectory(prefix="cluster-") as tmp:
        procs, names, logs, outs = [], [], [], []
        start = time.perf_counter()
        try:
            command = [sys.executable, "-m", module, "--out", "{out}", *map(str, args)]
            cluster = _cluster(engine, num_workers, num_servers, command, scheduler_module)
            for i, (name, is_worker, cmd, extra) in enumerate(cluster):
                out = Path(tmp) / f"{i}.json"
                log = Path(tmp) / f"{i}.log"
                with open(log, "wb") as log_file:
                    procs.append(subprocess.Popen(
                        [str(out) if c == "{out}" else c for c in cmd],
                        env={**base_env, **extra}, stdin=subprocess.DEVNULL, stdout=log_file,
                        stderr=subprocess.STDOUT, start_new_session=True))
                names.append(name)
                logs.append(log)
                if is_worker:
                    outs.append(out)
            workers = procs[:num_workers]
            deadline = start + timeout
            while not all(w.poll() == 0 for w in workers):
                for proc, name, log in zip(procs, names, logs):
                    # a worker must exit with 0; a helper may end (with 0) as the workers finish
                    if proc.poll() not in (None, 0):
                        raise RuntimeError(f"{name} exited with {proc.returncode}:\n{_tail(log)}")
                if time.perf_counter() > deadline:
                    ended = [f"{name} had ended:\n{_tail(log)}" for proc, name, log
                             in zip(procs[num_workers:], names[num_workers:], logs[num_workers:])
                             if proc.poll() is not None]
                    raise TimeoutError("\n".join([f"workers did not finish within {timeout:g} s"]
                                                 + ended))
                time.sleep(0.02)
            seconds = time.perf_counter() - start
            missing = [name for name, out in zip(names, outs) if not out.exists()]
            if missing:
                raise RuntimeError(f"{missing[0]} exited with 0 but wrote no result")
            results = [json.loads(p.read_text()) for p in outs]
            for proc in procs[num_workers:]:          # scheduler and servers end by themselves
                try:
                    proc.wait(timeout=max(min(helper_grace, deadline - time.perf_counter()), 0.01))
                except subprocess.TimeoutExpired:
                    break
            return results, seconds
        finally:
            _stop(procs)


# ---------------------------------------------------------------------------
# the chapter's short form

@dataclass
class RunRecord:
    """One training run as one worker saw it.

    ``losses[t]``: mean loss of this worker's examples at step t (before the
    update); ``compute_seconds`` / ``comm_seconds``: per step, the gradient
    computation and the push + pull until the new weights had arrived;
    ``params``: final ``[W1, b1, W2, b2]``; ``history``: the parameters after
    every step (``record=True`` only); ``staleness``: the server's histogram —
    ``staleness[s]`` pushes were applied ``s`` updates after the weights they
    were computed from were read (the last bin counts ``s >= len - 1``).
    """

    mode: str
    optimizer: str
    lr: float
    seed: int
    losses: np.ndarray
    train_loss: float
    params: list = field(repr=False)
    compute_seconds: np.ndarray = field(default=None, repr=False)
    comm_seconds: np.ndarray = field(default=None, repr=False)
    history: list = field(default=None, repr=False)
    staleness: np.ndarray = None
    version: int = None


@dataclass
class ClusterRun:
    """What :func:`run_cluster` returns: ``records[rank][i]`` is run ``i`` as worker ``rank`` saw it."""

    engine: str
    workers: int
    seconds: float
    records: list = field(repr=False)
    raw: list = field(repr=False)

    def step_seconds(self, skip=1, reduce=np.median):
        """Seconds per step ``(compute, communication)`` of every worker and run, ``reduce``-d.

        The first ``skip`` steps of each run are left out (start-up effects);
        ``reduce=None`` returns the two arrays.  (The chapter's TensorFlow worker does not
        time its parts; ``bench/tf_comm_worker.py`` does.)
        """
        if any(r.compute_seconds is None for rs in self.records for r in rs):
            raise ValueError(f"no step times in a {self.engine} run: only the MXNet worker records them")
        compute = np.concatenate([r.compute_seconds[skip:] for rs in self.records for r in rs])
        comm = np.concatenate([r.comm_seconds[skip:] for rs in self.records for r in rs])
        return (compute, comm) if reduce is None else (float(reduce(compute)), float(reduce(comm)))


def _params(value, unflatten):
    """Parameters as a worker wrote them: one flat vector (MXNet) or a list of tensors (TensorFlow)."""
    if value and isinstance(value[0], list):
        return [np.array(p, np.float32) for p in value]
    return unflatten(np.array(value, np.float32))


def _record(run, unflatten):
    history = run.get("history")
    timed = "compute_seconds" in run
    return RunRecord(
        mode=run["mode"], optimizer=run["optimizer"], lr=run["lr"], seed=run["seed"],
        losses=np.array(run["losses"]), train_loss=run["train_loss"],
        params=_params(run["params"], unflatten),
        compute_seconds=np.array(run["compute_seconds"]) if timed else None,
        comm_seconds=np.array(run["comm_seconds"]) if timed else None,
        history=None if history is None else [_params(h, unflatten) for h in history],
        staleness=None if "staleness_hist" not in run else np.array(run["staleness_hist"]),
        version=run.get("version"))


_RUN_KEYS = ("mode", "optimizer", "lr", "seed", "lamda", "record")


def _check_runs(runs, mode):
    """Validated copies of the run dicts (defaults filled in), asynchronous ones first."""
    if isinstance(runs, dict) or not isinstance(runs, (list, tuple)) or not runs:
        raise TypeError("runs must be a non-empty list of dicts such as "
                        f"[{{'optimizer': 'sgd', 'lr': 0.5, 'seed': 0}}], got {runs!r}")
    checked = []
    for i, run in enumerate(runs):
        name = f"runs[{i}]"
        if not isinstance(run, dict):
            raise TypeError(f"{name} must be a dict, got {type(run).__name__} {run!r}")
        unknown = set(run) - set(_RUN_KEYS)
        if unknown:
            raise ValueError(f"{name} has unknown key(s) {sorted(unknown)}; expected some of "
                             f"{_RUN_KEYS}")
        entry = {"mode": run.get("mode", mode), "optimizer": run.get("optimizer", "sgd")}
        if entry["mode"] not in MODES:
            raise ValueError(f"{name}['mode'] must be one of {MODES}, got {entry['mode']!r}")
        if entry["optimizer"] not in OPTIMIZERS:
            raise ValueError(f"{name}['optimizer'] must be one of {OPTIMIZERS}, "
                             f"got {entry['optimizer']!r}")
        entry["lr"] = float(check_scalar(run.get("lr"), f"{name}['lr']", min_val=0,
                                         include_boundaries="neither"))
        entry["seed"] = int(check_non_negative_int(run.get("seed", 0), f"{name}['seed']"))
        if "lamda" in run:
            if entry["optimizer"] != "dcasgd":
                raise ValueError(f"{name}: lamda is a dcasgd parameter, not {entry['optimizer']}'s")
            entry["lamda"] = float(check_scalar(run["lamda"], f"{name}['lamda']", min_val=0))
        if check_bool(run.get("record", False), f"{name}['record']"):
            entry["record"] = True
        checked.append(entry)
    modes = [r["mode"] for r in checked]
    if modes != sorted(modes, key=lambda m: m == "dist_sync"):
        raise ValueError("runs: every 'dist_async' run must come before the 'dist_sync' ones "
                         "(a server switches from asynchronous to synchronous, not back)")
    return checked


def run_cluster(engine, workers=2, *, runs=None, mode="dist_sync", steps=10, local_batch=16,
                accumulate=1, compression=0.0, servers=1, lr=0.5, data=None, timeout=120.0):
    """Train the digits MLP on a real loopback cluster of ``engine``; a :class:`ClusterRun`.

    Both engines train ``mlp.init_params(s)`` with SGD on the data plan of
    :mod:`d2lutils.training.data_parallel` (one shuffling per epoch, worker
    ``rank`` takes its share of every global batch of ``workers · local_batch``
    examples), ``steps`` steps per run, and start their processes once for all
    ``runs``.  Each run is a dict ``{'mode': 'dist_sync' | 'dist_async',
    'optimizer': 'sgd' | 'dcasgd', 'lr': η, 'seed': s[, 'lamda': λ]
    [, 'record': True]}`` (``mode`` defaults to the argument ``mode``,
    ``optimizer`` to ``'sgd'``, ``seed`` to 0; default ``runs``: one SGD run
    with rate ``lr``); ``record`` keeps the weights after every step.

    ``engine="mxnet"``: a scheduler, ``servers`` servers and ``workers``
    workers (:mod:`d2lutils.mxnet.multiworker`); each push is the summed
    gradient of ``accumulate`` micro-batches of ``local_batch`` examples.
    Asynchronous runs must come first: the server is then switched to
    synchronous mode, as ``mx.kv.create('dist_sync')`` does.
    ``compression`` > 0: MXNet's 2-bit gradient compression with that
    threshold (synchronous runs only; no staleness histogram then).

    ``engine="tensorflow"``: ``workers`` workers of
    :mod:`d2lutils.tensorflow.multiworker` (``MultiWorkerMirroredStrategy``,
    all-reduce); synchronous SGD runs only, and ``accumulate``,
    ``compression`` and ``servers`` do not apply.  Its records have no step
    times and no staleness.

    ``data``: the digits as :func:`d2lutils.data.load_digits` returns them (the
    default; loaded here once and handed to the workers in a file, so that no
    worker imports scikit-learn).  Every launch is bounded by ``timeout``
    seconds, and no process outlives the call (:func:`run_workers`).
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    check_positive_int(workers, "workers")
    check_positive_int(steps, "steps")
    check_positive_int(local_batch, "local_batch")
    check_positive_int(accumulate, "accumulate")
    check_positive_int(servers, "servers")
    check_scalar(compression, "compression", min_val=0)
    check_scalar(timeout, "timeout (seconds)", min_val=0, include_boundaries="neither")
    if workers * local_batch * accumulate > _NUM_TRAIN:
        raise ValueError(f"workers * local_batch * accumulate must be at most {_NUM_TRAIN} "
                         f"(the training set), got {workers * local_batch * accumulate}")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if engine == "tensorflow":
        given = {"mode": mode != "dist_sync", "accumulate": accumulate != 1,
                 "compression": compression != 0, "servers": servers != 1}
        if any(given.values()):
            raise ValueError(f"{[k for k, v in given.items() if v]} apply to engine='mxnet' only")
    runs = _check_runs([{"lr": lr}] if runs is None else runs, mode)
    if engine == "tensorflow" and any((r["mode"], r["optimizer"]) != ("dist_sync", "sgd")
                                      for r in runs):
        raise ValueError("engine='tensorflow' runs synchronous SGD only ('dist_sync', 'sgd'): "
                         "MultiWorkerMirroredStrategy has no asynchronous mode")
    if compression and any(r["mode"] != "dist_sync" for r in runs):
        raise ValueError("compression is used with 'dist_sync' runs only here")
    from .training import data_parallel as dp    # NumPy only, no framework
    from .data.digits import check_digits, load_digits
    X_train, y_train, _, _ = check_digits(load_digits() if data is None else data)
    with tempfile.TemporaryDirectory(prefix="cluster-data-") as tmp:
        path = Path(tmp) / "digits.npz"
        np.savez(path, X_train=X_train, y_train=y_train)
        args = ["--runs", json.dumps(runs), "--data", path, "--local-batch", local_batch,
                "--steps", steps]
        if engine == "mxnet":
            args += ["--accumulate", accumulate, "--compression", compression]
        raw, seconds = run_workers(WORKER_MODULES[engine], workers, args=args, timeout=timeout,
                                   engine=engine, num_servers=servers)
    records = [[_record(run, dp.unflatten) for run in r["runs"]] for r in raw]
    return ClusterRun(engine, workers, seconds, records, raw)


def listening_addresses(pid="self"):
    """The ``(ip, port)`` pairs on which process ``pid`` accepts TCP connections (Linux ``/proc``).

    A worker records its own, so a test can check that a cluster listens on
    127.0.0.1 only.  IPv4 and IPv6 (``::1`` is IPv6's loopback, ``::`` and
    ``0.0.0.0`` mean every interface).
    """
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table in ("tcp", "tcp6"):
        path = Path(f"/proc/{pid}/net/{table}")
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:          # 0A: LISTEN
                ip_hex, port_hex = fields[1].split(":")
                found.append((_ip(ip_hex), int(port_hex, 16)))
    return found


def _ip(hex_address):
    """An address of /proc/net/tcp{,6} (little-endian 32-bit words in hex) as text."""
    words = [bytes.fromhex(hex_address[i:i + 8])[::-1] for i in range(0, len(hex_address), 8)]
    raw = b"".join(words)
    if len(raw) == 4:
        return socket.inet_ntop(socket.AF_INET, raw)
    return socket.inet_ntop(socket.AF_INET6, raw)
