"""The 8×8 handwritten digits that ship inside scikit-learn, split once for the whole book.

``sklearn.datasets.load_digits`` reads a file inside the scikit-learn package
(1,797 images, 10 classes, pixel values 0–16): nothing is downloaded.  Every
chapter that trains on digits uses :func:`load_digits` so that they all see the
same training and test examples.
"""
from typing import NamedTuple

import numpy as np

from ..validation import check_non_negative_int, check_scalar


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
    check_scalar(test_fraction, "test_fraction", min_val=0, max_val=1, include_boundaries="neither")
    check_non_negative_int(seed, "seed")
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
