"""The airfoil self-noise data set and a framework-free minibatch iterator."""
from importlib import resources

import numpy as np

from ..validation import check_positive_int, check_rng

#: Rows in the shipped file (UCI "Airfoil Self-Noise", CC BY 4.0).
AIRFOIL_ROWS = 1503


def load_airfoil(n=1500):
    """Return the standardized airfoil data as ``(features, labels)``.

    The file has five features and one label per row.  The first ``n`` rows are
    taken and every column (the label too) is shifted to mean 0 and scaled to
    standard deviation 1 (a column constant in those rows becomes 0).  ``features`` has shape ``(n, 5)``, ``labels`` has
    shape ``(n,)``; both are float32 NumPy arrays.
    """
    check_positive_int(n, "n")
    if n > AIRFOIL_ROWS:
        raise ValueError(f"n must be at most {AIRFOIL_ROWS} (rows in the file), got {n}")
    source = resources.files("d2lutils.data.datasets") / "airfoil_self_noise.dat"
    with resources.as_file(source) as path:
        data = np.loadtxt(path, dtype=np.float64)[:n]
    std = data.std(axis=0)
    std[std == 0] = 1.0  # a column that is constant in the first n rows becomes all zeros
    data = (data - data.mean(axis=0)) / std
    data = data.astype(np.float32)
    return data[:, :-1], data[:, -1]


def minibatches(num_examples, batch_size, rng):
    """Yield index arrays of shuffled minibatches covering every example once.

    The *examples* are permuted with ``rng`` (a ``numpy.random.Generator``)
    before they are cut into batches, so each epoch sees a new order.  The last
    batch is smaller when ``batch_size`` does not divide ``num_examples``.
    The arguments are checked (and the order drawn) when it is called.
    """
    check_positive_int(num_examples, "num_examples")
    check_positive_int(batch_size, "batch_size")
    check_rng(rng)
    if batch_size > num_examples:
        raise ValueError(
            f"batch_size must be at most the number of examples ({num_examples}), got {batch_size}")
    return _batches(rng.permutation(num_examples), batch_size)


def _batches(order, batch_size):
    for start in range(0, len(order), batch_size):
        yield order[start:start + batch_size]
