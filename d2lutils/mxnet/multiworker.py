"""Worker of MXNet's parameter server over loopback (started by :func:`d2lutils.multiworker.run_cluster`).

A parameter server (Li et al. 2014) has three roles, each a process with the
``DMLC_*`` environment that MXNet's own launcher sets: one *scheduler* (the
rendezvous at ``DMLC_PS_ROOT_URI:DMLC_PS_ROOT_PORT``), ``DMLC_NUM_SERVER``
*servers* that store the parameters and run the optimizer, and
``DMLC_NUM_WORKER`` *workers* that compute gradients.  All three run this same
module, as MXNet's launcher runs one script in every role: with
``DMLC_ROLE=server`` or ``scheduler``, ``import mxnet`` itself runs that role's
loop and exits the process when the workers are done, so only workers reach
:func:`main`.

The worker talks to the server with explicit ``push`` and ``pull`` of one key
per training run — the whole network as one flat vector — rather than through
``gluon.Trainer(kvstore='dist_sync')`` (which pushes and pulls each parameter
the same way), so that the protocol is in plain sight:

1. ``pull`` the weights; compute the gradient of the *sum* of the losses on
   this worker's ``local_batch`` examples;
2. ``push`` it; the server runs the optimizer, which multiplies every gradient
   it receives by ``rescale_grad`` first;
3. ``dist_sync``: the server adds the pushes of all k workers and updates once,
   so ``rescale_grad = 1/(k·local_batch)`` makes the step use the mean over the
   global batch (Goyal et al.'s "normalize by the total minibatch size kn"),
   identical to one process with batch k·n.  ``dist_async``: the server updates
   on each push at once, so ``rescale_grad = 1/local_batch`` (what MXNet's
   ``Module`` uses there too), and a worker's gradient may have been computed on
   weights that other workers have changed since.

To *measure* that staleness, each key holds ``[weights | version | histogram]``:
a push carries, in its version slot, the version of the weights it was
computed from; :class:`ServerOptimizer`, the optimizer that runs on the server,
applies MXNet's own ``sgd`` or ``dcasgd`` to the weights part and records
``staleness = current version − version read`` before counting the update.
The histogram is pulled with the weights at the end.  (With 2-bit gradient
compression the slots would be quantized too, so they are left out then.)

Writes one JSON file (``--out``) with, per run: the losses this worker saw,
seconds of compute and of communication per step, the final parameters (and,
with ``--record``, the parameters after every step), the server's version and
staleness histogram.
"""
import argparse
import json
import time

import numpy as np

import mxnet as mx  # with DMLC_ROLE=server or scheduler, this line runs that role and exits
from mxnet import autograd, nd

from .. import data_parallel as dp
from ..data.digits import load_digits
from ..models import mlp
from .server_optimizer import HIST_BINS, ServerOptimizer


def _loss_sum(params, X, y):
    """Sum of the cross-entropy losses of the 64-32-10 ReLU network (weights as (fan_in, fan_out)).

    ``nd.softmax_cross_entropy`` (which returns the sum over the batch) rather
    than ``-pick(log_softmax(...))``: in MXNet 1.9.1 the latter runs oneDNN's
    log-softmax, whose float32 result is off by about 1e-6 relative — ten
    times the round-off of the rest, measured against a float64 reference.
    """
    W1, b1, W2, b2 = params
    logits = nd.dot(nd.relu(nd.dot(X, W1) + b1), W2) + b2
    return nd.softmax_cross_entropy(logits, y)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--mode", default="dist_sync", choices=["dist_sync", "dist_async"])
    parser.add_argument("--runs", required=True,
                        help='JSON list of {"optimizer": "sgd"|"dcasgd", "lr": ..., "seed": ..., '
                             '"lamda": ...}: one training run (one key) each')
    parser.add_argument("--local-batch", type=int, default=16)
    parser.add_argument("--steps", type=int, default=10, help="pushes per worker and run")
    parser.add_argument("--accumulate", type=int, default=1,
                        help="micro-batches of --local-batch summed before each push")
    parser.add_argument("--compression", type=float, default=0.0,
                        help="2-bit gradient compression threshold (0: none)")
    parser.add_argument("--record", action="store_true", help="keep the weights after every step")
    return parser.parse_args(argv)


def train_run(kv, key, run, args, data, clock):
    """One training run on key ``key``; returns this worker's record of it."""
    rank, workers = kv.rank, kv.num_workers
    size = dp.num_params()
    start = dp.flatten(mlp.init_params(run["seed"], "he", dp.SIZES))
    extra = 1 + HIST_BINS if clock else 0
    kv.init(key, nd.array(np.concatenate([start, np.zeros(extra, np.float32)])))  # rank 0's value
    weights = nd.zeros(size + extra)
    kv.pull(key, out=weights)
    params = [nd.zeros(s) for s in dp.shapes()]
    for p in params:
        p.attach_grad()
    micro = args.local_batch
    global_batch = workers * micro * args.accumulate
    X_all, y_all = nd.array(data.X_train), nd.array(data.y_train)
    batches = dp.global_batches(len(data.y_train), global_batch, args.steps, run["seed"])
    losses, compute, comm, history = [], [], [], []
    for batch in batches:
        t0 = time.perf_counter()
        flat = weights[:size]
        offset = 0
        for p in params:                          # the pulled vector into the four tensors
            p[:] = flat[offset:offset + p.size].reshape(p.shape)
            offset += p.size
        mine = dp.worker_slice(batch, rank, workers)
        grad, loss = nd.zeros(size), 0.0
        for a in range(args.accumulate):
            idx = nd.array(mine[a * micro:(a + 1) * micro], dtype="int64")
            with autograd.record():
                total = _loss_sum(params, X_all.take(idx), y_all.take(idx))
            total.backward()
            grad += nd.concat(*[p.grad.reshape(-1) for p in params], dim=0)
            loss += total.asscalar()
        if clock:                                 # the version these gradients were computed from
            grad = nd.concat(grad, weights[size:size + 1], nd.zeros(HIST_BINS), dim=0)
        grad.wait_to_read()
        t1 = time.perf_counter()
        kv.push(key, grad)
        kv.pull(key, out=weights)
        weights.wait_to_read()
        t2 = time.perf_counter()
        losses.append(loss / (micro * args.accumulate))
        compute.append(t1 - t0)
        comm.append(t2 - t1)
        if args.record:
            history.append(weights[:size].asnumpy().tolist())
    kv._barrier()            # every worker's last push is in (MXNet 1.9 has no public barrier)
    kv.pull(key, out=weights)
    final = weights.asnumpy()
    train_loss, _ = mlp.evaluate([p[None] for p in dp.unflatten(final[:size])],
                                 data.X_train, data.y_train)
    record = {**run, "losses": losses, "compute_seconds": compute, "comm_seconds": comm,
              "params": final[:size].tolist(), "train_loss": float(train_loss[0])}
    if clock:
        record["version"] = int(final[size])
        record["staleness_hist"] = [int(c) for c in final[size + 1:]]
    if args.record:
        record["history"] = history
    return record


def main(argv=None):
    started = time.time()
    args = parse_args(argv)
    runs = json.loads(args.runs)
    kv = mx.kv.create(args.mode)
    if args.compression:
        kv.set_gradient_compression({"type": "2bit", "threshold": args.compression})
    kv_ready = time.time()
    workers, sync = kv.num_workers, args.mode == "dist_sync"
    per_push = args.local_batch * args.accumulate
    clock = not args.compression
    kv.set_optimizer(ServerOptimizer(
        [(r["optimizer"], {"learning_rate": r["lr"],
                           "rescale_grad": 1.0 / (workers * per_push if sync else per_push),
                           **({"lamda": r["lamda"]} if "lamda" in r else {})}) for r in runs],
        dp.num_params(), clock, workers if sync else 1))
    data = load_digits()
    records = [train_run(kv, key, run, args, data, clock) for key, run in enumerate(runs)]
    result = {"engine": "mxnet", "rank": kv.rank, "workers": workers, "mode": args.mode,
              "started": started, "kv_ready": kv_ready, "finished": time.time(), "runs": records}
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
