"""Worker of ``bench/communication.py``'s message-size probe: seconds per exchange of one float32 array.

Started by :func:`d2lutils.multiworker.run_workers` with ``--engine``:

* ``mxnet`` (every role runs this module; scheduler and server never get past
  ``import mxnet``): each worker pushes an array of ``size`` floats to the
  ``dist_sync`` server, which adds the pushes of all workers (no optimizer:
  it stores the sum), and pulls the sum back — one push and one pull of
  ``4·size`` bytes per worker, k pushes in and k pulls out at the server;
* ``tensorflow``: each worker all-reduces (sums) an array of ``size`` floats
  with ``MultiWorkerMirroredStrategy``'s collective.

For each size: ``--repeats`` timed exchanges after ``--warmup`` untimed ones,
each ending with a host read of the result.  Writes ``{size: [seconds, ...]}``.
"""
import argparse
import json
import time

import numpy as np


def probe_mxnet(sizes, repeats, warmup):
    import mxnet as mx  # noqa: PLC0415  (a server or scheduler runs its role here and exits)
    kv = mx.kv.create("dist_sync")
    out = {}
    for key, size in enumerate(sizes):
        value = mx.nd.ones(size)
        kv.init(key, mx.nd.zeros(size))
        result = mx.nd.zeros(size)
        times = []
        for _ in range(warmup + repeats):
            start = time.perf_counter()
            kv.push(key, value)
            kv.pull(key, out=result)
            result.wait_to_read()
            times.append(time.perf_counter() - start)
        out[size] = times[warmup:]
    return kv.rank, kv.num_workers, out


def probe_tensorflow(sizes, repeats, warmup):
    import tensorflow as tf  # noqa: PLC0415
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    out = {}
    for size in sizes:
        value = tf.ones(size)

        @tf.function
        def exchange(x):
            def replica(x):
                x = tf.identity(x)            # placed on the replica's device, as a collective needs
                return tf.distribute.get_replica_context().all_reduce(tf.distribute.ReduceOp.SUM, x)
            return strategy.run(replica, args=(x,))

        times = []
        for _ in range(warmup + repeats):
            start = time.perf_counter()
            exchange(value).numpy()
            times.append(time.perf_counter() - start)
        out[size] = times[warmup:]
    return strategy.cluster_resolver.task_id, strategy.num_replicas_in_sync, out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--engine", required=True, choices=["mxnet", "tensorflow"])
    parser.add_argument("--sizes", default="2410,100000,1000000,10000000,25600000")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    probe = probe_mxnet if args.engine == "mxnet" else probe_tensorflow
    rank, workers, out = probe(sizes, args.repeats, args.warmup)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump({"engine": args.engine, "rank": rank, "workers": workers,
                   "seconds": {str(k): v for k, v in out.items()}}, f)


if __name__ == "__main__":
    main()
