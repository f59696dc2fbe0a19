"""Worker of TensorFlow's all-reduce over loopback (started by :func:`d2lutils.multiworker.run_cluster`).

Each of the k processes reads ``TF_CONFIG`` (all workers' 127.0.0.1 ports and
its own index), joins ``MultiWorkerMirroredStrategy`` (one replica per
process; the collective all-reduce talks gRPC over those ports) and trains the
book's digits MLP (:mod:`d2lutils.models.mlp`, 64-32-10) with synchronous SGD,
on the same data plan as the MXNet parameter server
(:mod:`d2lutils.training.data_parallel`):

* one shuffling of the training set per epoch for all workers
  (:func:`~d2lutils.training.data_parallel.global_batches`), worker ``rank``
  takes its share of every global batch
  (:func:`~d2lutils.training.data_parallel.worker_slice`);
* each worker computes the gradient of its examples' *share of the global mean*
  (loss sum divided by the global batch kn, Goyal et al.'s rule), the
  all-reduce sums the k shares, and every worker applies the same update, so
  the copies stay identical and equal one process with batch kn.

Runs are given as JSON (``--runs``), each ``{"lr": η, "seed": s[, "record": true]}``
(synchronous SGD only: MWMS has no asynchronous mode).  Writes one JSON file
(``--out``) with, per run: the global batch's mean loss before every step, the
final parameters, the final training loss, and with ``"record"`` the
parameters after every step.
"""
import argparse
import json
import os
import time

import numpy as np


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--runs", required=True,
                        help='JSON list of {"lr": η, "seed": s, ["record": true]}')
    parser.add_argument("--data", required=True, help=".npz with X_train, y_train")
    parser.add_argument("--local-batch", type=int, default=16)
    parser.add_argument("--steps", type=int, default=10)
    return parser.parse_args(argv)


def main(argv=None):
    started = time.time()
    args = parse_args(argv)
    import tensorflow as tf  # noqa: PLC0415  (the launcher never imports TensorFlow)

    from ..models import mlp
    from ..multiworker import listening_addresses
    from ..training import data_parallel as dp

    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    rank, workers = strategy.cluster_resolver.task_id, strategy.num_replicas_in_sync
    with np.load(args.data) as f:
        X_train, y_train = f["X_train"].astype(np.float32), f["y_train"].astype(np.int32)
    global_batch = workers * args.local_batch
    # plain (per-process) variables: every worker applies the same all-reduced gradient
    params = [tf.Variable(p) for p in mlp.init_params(0, "he", dp.SIZES)]

    def replica_step(X, y, lr):
        with tf.GradientTape() as tape:
            W1, b1, W2, b2 = params
            logits = tf.nn.relu(X @ W1 + b1) @ W2 + b2
            losses = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
            share = tf.reduce_sum(losses) / global_batch        # this worker's share of the mean
        grads = tape.gradient(share, params)
        ctx = tf.distribute.get_replica_context()
        grads = ctx.all_reduce(tf.distribute.ReduceOp.SUM, grads)    # the mean over kn examples
        for p, g in zip(params, grads):
            p.assign_sub(lr * g)
        return ctx.all_reduce(tf.distribute.ReduceOp.SUM, share)    # the global batch's mean loss

    step = tf.function(lambda X, y, lr: strategy.run(replica_step, args=(X, y, lr)))
    records = []
    for run in json.loads(args.runs):
        for p, start in zip(params, mlp.init_params(run["seed"], "he", dp.SIZES)):
            p.assign(start)
        lr = tf.constant(run["lr"], tf.float32)
        losses, history = [], []
        for batch in dp.global_batches(len(y_train), global_batch, args.steps, run["seed"]):
            mine = dp.worker_slice(batch, rank, workers)
            losses.append(float(step(tf.constant(X_train[mine]), tf.constant(y_train[mine]), lr)))
            if run.get("record"):
                history.append([p.numpy().tolist() for p in params])
        final = [p.numpy() for p in params]
        train_loss, _ = mlp.evaluate([p[None] for p in final], X_train, y_train)
        record = {**run, "losses": losses, "params": [p.tolist() for p in final],
                  "train_loss": float(train_loss[0])}
        if run.get("record"):
            record["history"] = history
        records.append(record)
    result = {"engine": "tensorflow", "rank": rank, "workers": workers, "pid": os.getpid(),
              "listening": listening_addresses(), "started": started, "finished": time.time(), "runs": records}
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
    # TensorFlow's collective runtime takes seconds to shut down (measured: ~3 s of the
    # launch); every result is written and no collective is pending, so leave at once.
    os._exit(0)
