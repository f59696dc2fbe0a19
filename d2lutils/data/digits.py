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


def check_digits(data, num_classes=10):
    """Validate digits data (a :class:`Digits` or a plain 4-tuple); return float32 features, int64 labels.

    Raises ``ValueError`` naming what is wrong: not four arrays, shapes that do not
    match, an empty set, non-finite features, or labels outside [0, num_classes).
    """
    try:
        X_train, y_train, X_test, y_test = data
    except (TypeError, ValueError):
        raise ValueError("data must be (X_train, y_train, X_test, y_test), "
                         "e.g. d2lutils.data.load_digits()") from None
    out = []
    for part, (X, y) in (("training", (X_train, y_train)), ("test", (X_test, y_test))):
        X, y = np.asarray(X, np.float32), np.asarray(y)
        if X.ndim != 2 or y.shape != (len(X),) or len(X) == 0:
            raise ValueError(f"{part} set: expected features (n, d) and labels (n,) with n >= 1, "
                             f"got {X.shape} and {y.shape}")
        if not np.all(np.isfinite(X)):
            raise ValueError(f"{part} set: features must be finite")
        if y.dtype.kind not in "iu" or y.min() < 0 or y.max() >= num_classes:
            raise ValueError(f"{part} set: labels must be integers in [0, {num_classes})")
        out += [X, y.astype(np.int64)]
    if out[0].shape[1] != out[2].shape[1]:
        raise ValueError(f"training and test features differ in width: {out[0].shape[1]} "
                         f"and {out[2].shape[1]}")
    return Digits(*out)
