"""Time the digits-MLP trainers of the book against a plain NumPy MLP and Keras ``model.fit``.

Run from the repository root:  .venv/bin/python -m bench.networks [--repeats 3] [--epochs 10]

Every trainer does the same job: the 64-32-10 ReLU network of ``d2lutils.models.mlp``
from ``init_params(seed=0)``, Adam (lr 0.01), batch 64, ``--epochs`` epochs over
the 1347 training digits.  For each, the minimum over ``--repeats`` runs of

* ``call s/epoch``: wall time of the whole training call divided by the epochs
  (building the model, compiling, the per-epoch full-data evaluation the book's
  trainers make; ``model.fit`` evaluates nothing);
* ``loop s/epoch``: the update loop only, where the trainer reports it
  (``NetResult.sec_per_epoch`` of ``d2lutils.mxnet.mlp`` / ``d2lutils.tensorflow.mlp``).

The ratios are against the NumPy MLP (``d2lutils.training.train_runs``, one run).
Nothing here is asserted: it prints a table for bench/README.md.
"""
import argparse
import time

import d2lutils  # noqa: F401  (first: lets MXNet and TensorFlow load in either order)
import numpy as np

from d2lutils.data.digits import load_digits
from d2lutils.training import train_runs


def best_of(repeats, fn):
    """(minimum wall seconds, last result) of ``repeats`` calls of ``fn``."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args(argv)
    data, epochs = load_digits(), args.epochs

    from d2lutils.mxnet import mlp as mlp_mxnet
    from d2lutils.tensorflow import mlp as mlp_tensorflow
    import keras

    def keras_fit():
        model = mlp_tensorflow.build(seed=0)
        model.compile(optimizer=keras.optimizers.Adam(0.01),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        model.fit(data.X_train, data.y_train, batch_size=64, epochs=epochs, shuffle=True,
                  verbose=0)

    runs = {
        "numpy (train_runs)": lambda: train_runs("adam", data, lrs=(0.01,), seeds=(0,),
                                                 num_epochs=epochs),
        "mxnet (mlp_mxnet.train)": lambda: mlp_mxnet.train("adam", {"learning_rate": 0.01}, data,
                                                           num_epochs=epochs),
        "tensorflow (mlp_tensorflow.train)": lambda: mlp_tensorflow.train(
            keras.optimizers.Adam(0.01), data, num_epochs=epochs),
        "keras model.fit": keras_fit,
    }
    rows = []
    for name, fn in runs.items():
        seconds, result = best_of(args.repeats, fn)
        loop = getattr(result, "sec_per_epoch", None)
        rows.append((name, seconds / epochs, loop))
    floor = rows[0][1]
    print(f"digits MLP 64-32-10, Adam 0.01, batch 64, {epochs} epochs, min of {args.repeats}")
    print("| trainer | call s/epoch | × numpy | loop s/epoch |")
    print("| --- | ---: | ---: | ---: |")
    for name, per_epoch, loop in rows:
        loop_text = f"{loop:.4f}" if loop is not None else "–"
        print(f"| {name} | {per_epoch:.4f} | {per_epoch / floor:.2f} | {loop_text} |")
    return np.array([r[1] for r in rows])


if __name__ == "__main__":
    main()
