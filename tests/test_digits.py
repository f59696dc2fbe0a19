"""The digits loader (d2lutils.data.digits): a fixed, stratified, reproducible split."""
import numpy as np
import pytest

from d2lutils.data.digits import load_digits


def test_shapes_scale_and_balance():
    d = load_digits()
    assert d.X_train.shape == (1347, 64) and d.X_test.shape == (450, 64)
    assert d.X_train.dtype == np.float32 and d.y_train.dtype == np.int64
    assert 0.0 <= d.X_train.min() and d.X_train.max() == 1.0
    counts = np.bincount(d.y_test, minlength=10)
    assert counts.min() >= 44 and counts.max() <= 46      # ~25 % of each class (174–183 each)


def test_same_split_every_time_and_disjoint():
    a, b = load_digits(), load_digits()
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    train_rows = {row.tobytes() for row in a.X_train}
    overlap = sum(row.tobytes() in train_rows for row in a.X_test)
    assert overlap <= 5   # the data set has a few duplicate images, never a shared index
    assert len(a.y_train) + len(a.y_test) == 1797


def test_other_seed_gives_other_split():
    assert not np.array_equal(load_digits(seed=0).y_train, load_digits(seed=1).y_train)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"test_fraction": 0.0}, ValueError, r"test_fraction must lie in \(0, 1\)"),
    ({"test_fraction": 1.5}, ValueError, r"test_fraction must lie in \(0, 1\)"),
    ({"test_fraction": "0.2"}, TypeError, "test_fraction must be a real number"),
    ({"seed": -1}, ValueError, "seed must be non-negative"),
    ({"seed": 1.5}, TypeError, "seed must be an integer"),
])
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        load_digits(**kwargs)
