"""The 8×8 handwritten digits that ship inside scikit-learn, split once for the whole book.

``sklearn.datasets.load_digits`` reads a file inside the scikit-learn package
(1,797 images, 10 classes, pixel values 0–16): nothing is downloaded.  Every
chapter that trains on digits uses :func:`load_digits` so that they all see the
same training and test examples.
"""
from typing import NamedTuple

import numpy as np


class Digits(NamedTuple):
    """A fixed train/test split: features float32 (n, 64) scaled to [0, 1], labels int64 (n,)."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def load_digits(test_fraction=0.25, seed=0):
    """The digits as :class:`Digits`, pixels divided by 16, split by a seeded permutation.

    The split is stratified: each class contributes ``round(test_fraction · count)``
    test examples, so both parts have the same class balance.  The same
    ``(test_fraction, seed)`` always gives the same split.
    """
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, (int, float)):
        raise TypeError(f"test_fraction must be a number, got {type(test_fraction).__name__}")
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must lie strictly between 0 and 1, got {test_fraction}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    from sklearn.datasets import load_digits as _sklearn_digits  # imported on use: it is slow

    data = _sklearn_digits()
    X = (data.data / 16.0).astype(np.float32)
    y = data.target.astype(np.int64)
    rng = np.random.default_rng(seed)
    test = np.zeros(len(y), dtype=bool)
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        test[members[:int(round(test_fraction * len(members)))]] = True
    train_idx = rng.permutation(np.flatnonzero(~test))
    test_idx = np.flatnonzero(test)
    return Digits(X[train_idx], y[train_idx], X[test_idx], y[test_idx])
