"""TensorFlow worker of ``bench/communication.py``: per-step compute and all-reduce seconds.

Started by :func:`d2lutils.multiworker.run_workers` (``engine="tensorflow"``)
as one of k processes with ``TF_CONFIG``.  Trains the digits MLP of
``d2lutils.models.mlp`` (64-32-10, ``init_params(0)``) with synchronous SGD
under ``MultiWorkerMirroredStrategy``, the data plan of
:mod:`d2lutils.training.data_parallel` (each worker its share of every global batch),
and two compiled functions per step, timed apart:

* *compute*: the gradient of the summed loss over ``--accumulate``
  micro-batches of ``--local-batch`` examples (no communication);
* *communication*: the all-reduce (sum over the workers, TensorFlow's
  collective ring/all-gather implementation, over gRPC on loopback) and the
  update ``w -= lr · sum / global_batch`` — the update is 4 tiny tensor ops,
  the rest is the collective.

Each timed part ends with a host read of its result, so TensorFlow's
asynchronous execution cannot move time from one part to the other.
"""
import argparse
import json
import time

import numpy as np


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--data", required=True, help=".npz with X_train, y_train")
    parser.add_argument("--local-batch", type=int, default=16)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--accumulate", type=int, default=1)
    parser.add_argument("--lr", type=float, default=0.5)
    args = parser.parse_args(argv)

    import tensorflow as tf  # noqa: PLC0415  (the launcher never imports TensorFlow)

    from d2lutils.training import data_parallel as dp
    from d2lutils.models import mlp

    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    rank, workers = strategy.cluster_resolver.task_id, strategy.num_replicas_in_sync
    with np.load(args.data) as f:
        X_train, y_train = f["X_train"], f["y_train"].astype(np.int32)
    # plain (per-process) variables, as in d2lutils/tensorflow/multiworker.py: every worker
    # applies the same all-reduced gradient, so the copies stay equal
    params = [tf.Variable(p) for p in mlp.init_params(0, "he", dp.SIZES)]
    micro = args.local_batch
    global_batch = workers * micro * args.accumulate

    def replica_grads(X, y):
        with tf.GradientTape() as tape:
            W1, b1, W2, b2 = params
            logits = tf.nn.relu(X @ W1 + b1) @ W2 + b2
            loss = tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits))
        return tape.gradient(loss, params)

    def replica_update(grads):
        grads = [tf.identity(g) for g in grads]   # placed on this replica's device, as a collective needs
        grads = tf.distribute.get_replica_context().all_reduce(tf.distribute.ReduceOp.SUM, grads)
        for p, g in zip(params, grads):
            p.assign_sub(args.lr / global_batch * g)
        return params[-1].read_value()

    compute_fn = tf.function(lambda X, y: strategy.run(replica_grads, args=(X, y)))
    comm_fn = tf.function(lambda grads: strategy.run(replica_update, args=(grads,)))

    compute, comm = [], []
    for batch in dp.global_batches(len(y_train), global_batch, args.steps, seed=0):
        mine = dp.worker_slice(batch, rank, workers)
        t0 = time.perf_counter()
        grads = None
        for a in range(args.accumulate):
            idx = mine[a * micro:(a + 1) * micro]
            g = compute_fn(tf.constant(X_train[idx]), tf.constant(y_train[idx]))
            grads = g if grads is None else [s + x for s, x in zip(grads, g)]
        _ = [x.numpy() for x in grads]
        t1 = time.perf_counter()
        comm_fn(grads).numpy()
        t2 = time.perf_counter()
        compute.append(t1 - t0)
        comm.append(t2 - t1)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump({"engine": "tensorflow", "rank": rank, "workers": workers,
                   "compute_seconds": compute, "comm_seconds": comm,
                   "params": [p.numpy().tolist() for p in params]}, f)


if __name__ == "__main__":
    main()
