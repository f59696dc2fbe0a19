"""Worker of MXNet's parameter server over loopback (started by :func:`d2lutils.multiworker.run_cluster`).

A parameter server (Li et al. 2014) has three roles, each a process with the
``DMLC_*`` environment that MXNet's own launcher sets: one *scheduler* (the
rendezvous at ``DMLC_PS_ROOT_URI:DMLC_PS_ROOT_PORT``), ``DMLC_NUM_SERVER``
*servers* that store the parameters and run the optimizer, and
``DMLC_NUM_WORKER`` *workers* that compute gradients.  Workers and servers run
this same module, as MXNet's launcher runs one script in every role: with
``DMLC_ROLE=server`` (or ``scheduler``), ``import mxnet`` itself runs that
role's loop and exits the process when the workers are done, so only workers
reach :func:`main`.

The worker talks to the server with explicit ``push`` and ``pull`` of one key
per training run — the whole network as one flat vector — rather than through
``gluon.Trainer(kvstore='dist_sync')`` (which pushes and pulls each parameter
the same way), so that the protocol is in plain sight:

1. ``pull`` the weights; compute the gradient of the *sum* of the losses on
   this worker's ``local_batch`` examples;
2. ``push`` it; the server runs the optimizer, which first multiplies every
   gradient it receives by ``rescale_grad``;
3. ``dist_sync``: the server adds the pushes of all k workers and updates once,
   so ``rescale_grad = 1/(k·local_batch)`` makes the step use the mean over the
   global batch (Goyal et al.'s "normalize by the total minibatch size kn"),
   identical to one process with batch k·n.  ``dist_async``: the server updates
   on each push at once, so ``rescale_grad = 1/local_batch`` (what MXNet's
   ``Module`` uses there too), and a gradient may have been computed on weights
   that other workers have changed since.

The two modes differ only in the server: MXNet's ``mx.kv.create('dist_sync')``
is ``'dist_async'`` plus one command (``kSyncMode``) that worker 0 sends to the
servers (``src/kvstore/kvstore.cc``).  So one cluster can run asynchronous
runs first and then, after worker 0 sends that same command, synchronous
ones: the processes start once (there is no command back to asynchronous).

To *measure* staleness, each key holds ``[weights | version | histogram]``: a
push carries in its version slot the version of the weights it was computed
from, and :class:`~d2lutils.mxnet.server_optimizer.ServerOptimizer` counts
``current version − version read`` as it applies the push.  (With 2-bit
gradient compression the slots would be quantized too, so they are left out.)

Writes one JSON file (``--out``) with, per run: this worker's loss at every
step, seconds of compute and of communication per step, the final parameters
(with ``"record": true`` also those after every step), and the server's
version count and staleness histogram.
"""
import argparse
import json
import os
import time

import numpy as np

import mxnet as mx  # with DMLC_ROLE=server or scheduler, this line runs that role and exits
from mxnet import autograd, nd
from mxnet.kvstore.kvstore import _get_kvstore_server_command_type

from ..training import data_parallel as dp
from ..models import mlp
from ..multiworker import listening_addresses
from .server_optimizer import HIST_BINS, ServerOptimizer


def _loss_sum(params, X, y):
    """Sum of the cross-entropy losses of the 64-32-10 ReLU network (weights as (fan_in, fan_out)).

    ``nd.softmax_cross_entropy`` (which returns the sum over the batch) rather
    than ``-pick(log_softmax(...))``: in MXNet 1.9.1 the latter runs oneDNN's
    log-softmax, whose float32 result is off by about 1e-6 relative — ten
    times the round-off of the rest, measured against a float64 reference.
    """
    W1, b1, W2, b2 = params
    return nd.softmax_cross_entropy(nd.dot(nd.relu(nd.dot(X, W1) + b1), W2) + b2, y)


def _views(flat):
    """``[W1, b1, W2, b2]`` as views into the flat vector (no copies: a pull updates them)."""
    out, start = [], 0
    for shape in mlp.shapes():
        size = int(np.prod(shape))
        out.append(flat[start:start + size].reshape(shape))
        start += size
    return out


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--runs", required=True,
                        help='JSON list of {"mode": "dist_sync"|"dist_async", "optimizer": '
                             '"sgd"|"dcasgd", "lr": η, "seed": s, ["lamda": λ], ["record": true]}, '
                             "asynchronous runs first; one key each")
    parser.add_argument("--data", help=".npz with X_train, y_train (default: load_digits())")
    parser.add_argument("--local-batch", type=int, default=16)
    parser.add_argument("--steps", type=int, default=10, help="pushes per worker and run")
    parser.add_argument("--accumulate", type=int, default=1,
                        help="micro-batches of --local-batch summed before each push")
    parser.add_argument("--compression", type=float, default=0.0,
                        help="2-bit gradient compression threshold (0: none)")
    return parser.parse_args(argv)


def train_run(kv, key, run, args, X_train, y_train, clock):
    """Training run ``run`` on key ``key``; returns this worker's record of it."""
    rank, workers, size = kv.rank, kv.num_workers, dp.num_params()
    extra = 1 + HIST_BINS if clock else 0
    start = dp.flatten(mlp.init_params(run["seed"], "he", dp.SIZES))
    kv.init(key, nd.array(np.concatenate([start, np.zeros(extra, np.float32)])))  # rank 0's value
    weights, grad = nd.zeros(size + extra), nd.zeros(size + extra)
    params = _views(weights)
    autograd.mark_variables(params, _views(grad), grad_reqs="add")   # backward adds into `grad`
    kv.pull(key, out=weights)
    micro = args.local_batch
    batches = []                                  # this worker's micro-batches, step by step
    for batch in dp.global_batches(len(y_train), workers * micro * args.accumulate,
                                   args.steps, run["seed"]):
        mine = dp.worker_slice(batch, rank, workers)
        batches.append([(nd.array(X_train[mine[a * micro:(a + 1) * micro]]),
                         nd.array(y_train[mine[a * micro:(a + 1) * micro]]))
                        for a in range(args.accumulate)])
    losses, compute, comm, history = [], [], [], []
    for step in batches:
        t0 = time.perf_counter()
        grad[:] = 0
        loss = 0.0
        for X, y in step:
            with autograd.record():
                total = _loss_sum(params, X, y)
            total.backward()
            loss += total.asscalar()
        if clock:                                 # the version these gradients were computed from
            grad[size:size + 1] = weights[size:size + 1]
        grad.wait_to_read()
        t1 = time.perf_counter()
        kv.push(key, grad)
        kv.pull(key, out=weights)
        weights.wait_to_read()
        t2 = time.perf_counter()
        losses.append(loss / (micro * args.accumulate))
        compute.append(t1 - t0)
        comm.append(t2 - t1)
        if run.get("record"):
            history.append(weights[:size].asnumpy().tolist())
    kv._barrier()            # every worker's last push is in (MXNet 1.9 has no public barrier)
    kv.pull(key, out=weights)
    final = weights.asnumpy()
    train_loss, _ = mlp.evaluate([p[None] for p in dp.unflatten(final[:size])], X_train, y_train)
    record = {**run, "losses": losses, "compute_seconds": compute, "comm_seconds": comm,
              "params": final[:size].tolist(), "train_loss": float(train_loss[0])}
    if clock:
        record["version"] = int(final[size])
        record["staleness_hist"] = [int(c) for c in final[size + 1:]]
    if run.get("record"):
        record["history"] = history
    return record


def _server_runs(runs, workers, per_push):
    """The optimizer of each run as the server runs it, and how many pushes make one update."""
    out = []
    for r in runs:
        sync = r["mode"] == "dist_sync"
        kwargs = {"learning_rate": r["lr"],
                  "rescale_grad": 1.0 / (workers * per_push if sync else per_push)}
        if "lamda" in r:
            kwargs["lamda"] = r["lamda"]
        out.append((r["optimizer"], kwargs, workers if sync else 1))
    return out


def main(argv=None):
    started = time.time()
    args = parse_args(argv)
    runs = json.loads(args.runs)
    modes = [r["mode"] for r in runs]
    if modes != sorted(modes, key=lambda m: m == "dist_sync"):
        raise SystemExit("asynchronous runs must come before synchronous ones")
    kv = mx.kv.create(modes[0])
    if args.compression:
        kv.set_gradient_compression({"type": "2bit", "threshold": args.compression})
    kv_ready = time.time()
    clock = not args.compression
    kv.set_optimizer(ServerOptimizer(_server_runs(runs, kv.num_workers,
                                                  args.local_batch * args.accumulate),
                                     dp.num_params(), clock))
    if args.data:
        with np.load(args.data) as f:
            X_train, y_train = f["X_train"], f["y_train"]
    else:
        from ..data.digits import load_digits   # imports scikit-learn: about 2 s of CPU
        X_train, y_train, _, _ = load_digits()
    records, server_mode = [], modes[0]
    for key, run in enumerate(runs):
        if run["mode"] != server_mode:            # from asynchronous to synchronous
            kv._barrier()                         # every asynchronous push is in
            if kv.rank == 0:                      # what mx.kv.create('dist_sync') sends
                kv._send_command_to_servers(_get_kvstore_server_command_type("kSyncMode"), "")
            kv._barrier()
            server_mode = run["mode"]
        records.append(train_run(kv, key, run, args, X_train, y_train, clock))
    result = {"engine": "mxnet", "rank": kv.rank, "workers": kv.num_workers, "pid": os.getpid(),
              "listening": listening_addresses(),
              "started": started, "kv_ready": kv_ready, "finished": time.time(), "runs": records}
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
