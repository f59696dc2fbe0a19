"""Worker of the two-process data-parallel example (run by :func:`d2lutils.multiworker.run_workers`).

Every worker builds the same two-layer network from the same NumPy
initialization, takes *its* slice of each global minibatch of the digits, and
computes the gradient of its examples' share of the mean loss.  TensorFlow's
collective all-reduce (``MultiWorkerMirroredStrategy``, one replica per
process, talking over the ports in ``TF_CONFIG``) sums the shares, so every
worker applies the gradient of the whole global batch and the copies stay
identical.  Writes the final parameters and losses as JSON.
"""
import argparse
import json
import time

import numpy as np


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    parser.add_argument("--local-batch", type=int, default=16)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--hidden", type=int, default=16)
    args = parser.parse_args(argv)

    import tensorflow as tf  # noqa: PLC0415  (the parent process never imports TensorFlow)

    from ..data.digits import load_digits
    from ..models.mlp import init_params

    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    rank = strategy.cluster_resolver.task_id
    workers = strategy.num_replicas_in_sync
    data = load_digits()
    params = [tf.Variable(p) for p in init_params(seed=0, sizes=(64, args.hidden, 10))]
    global_batch = workers * args.local_batch

    def local_loss_share(X, y):
        W1, b1, W2, b2 = params
        scores = tf.nn.relu(X @ W1 + b1) @ W2 + b2
        losses = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=scores)
        return tf.reduce_sum(losses) / global_batch        # this worker's share of the mean

    @tf.function
    def step(X, y):
        def replica_step(X, y):
            with tf.GradientTape() as tape:
                share = local_loss_share(X, y)
            grads = tape.gradient(share, params)
            ctx = tf.distribute.get_replica_context()
            grads = ctx.all_reduce(tf.distribute.ReduceOp.SUM, grads)   # sum of the shares
            loss = ctx.all_reduce(tf.distribute.ReduceOp.SUM, share)
            for p, g in zip(params, grads):
                p.assign_sub(args.lr * g)
            return loss
        return strategy.run(replica_step, args=(X, y))

    losses = []
    start = time.perf_counter()
    for t in range(args.steps):
        lo = t * global_batch + rank * args.local_batch          # this worker's slice
        X = tf.constant(data.X_train[lo:lo + args.local_batch])
        y = tf.constant(data.y_train[lo:lo + args.local_batch])
        losses.append(float(step(X, y)))
    result = {"rank": rank, "workers": workers, "losses": losses,
              "train_seconds": time.perf_counter() - start,
              "params": [p.numpy().tolist() for p in params]}
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
