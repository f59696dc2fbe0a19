"""The airfoil data set and the framework-free minibatch iterator."""
import statistics
from pathlib import Path

import numpy as np
import pytest

from d2lutils import load_airfoil, minibatches

DAT = Path(__file__).resolve().parent.parent / "d2lutils" / "data" / "datasets" / "airfoil_self_noise.dat"


@pytest.fixture(scope="module")
def data():
    return load_airfoil()


def test_shapes_and_dtype(data):
    """Features are (1500, 5), labels (1500,), both float32."""
    features, labels = data
    assert features.shape == (1500, 5)
    assert labels.shape == (1500,)
    assert features.dtype == np.float32 and labels.dtype == np.float32


def test_every_column_standardized(data):
    """Each feature column and the labels have mean 0 and standard deviation 1."""
    features, labels = data
    columns = np.column_stack([features, labels]).astype(np.float64)
    np.testing.assert_allclose(columns.mean(axis=0), 0.0, atol=1e-6)
    np.testing.assert_allclose(columns.std(axis=0), 1.0, rtol=1e-5)


def test_first_row_matches_file_standardized_independently(data):
    """Row 0 equals the file's first line standardized over the first 1500 lines (plain Python)."""
    rows = [[float(v) for v in line.split()]
            for line in DAT.read_text().splitlines() if line.strip()]
    assert len(rows) == 1503 and all(len(r) == 6 for r in rows)
    rows = rows[:1500]
    expected = []
    for j in range(6):
        column = [r[j] for r in rows]
        expected.append((rows[0][j] - statistics.fmean(column)) / statistics.pstdev(column))
    features, labels = data
    np.testing.assert_allclose(features[0], expected[:5], rtol=1e-5, atol=1e-6)
    assert labels[0] == pytest.approx(expected[5], rel=1e-5)


def test_smaller_n():
    """A smaller n gives n rows, standardized over those n rows only."""
    features, labels = load_airfoil(100)
    assert features.shape == (100, 5) and labels.shape == (100,)
    assert float(np.mean(labels, dtype=np.float64)) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("n, error", [(0, ValueError), (-1, ValueError), (1504, ValueError),
                                      (2.5, TypeError), (True, TypeError), ("10", TypeError)])
def test_bad_n_raises(n, error):
    """n must be a positive integer at most 1503; the message names n and the bound/type."""
    with pytest.raises(error, match=r"\bn must be"):
        load_airfoil(n)


def test_n_above_file_mentions_row_count():
    """Asking for too many rows says how many rows the file has."""
    with pytest.raises(ValueError, match="1503"):
        load_airfoil(1504)


@pytest.mark.parametrize("num, batch", [(1500, 10), (23, 5), (7, 7), (10, 1)])
def test_minibatches_cover_every_index_once(num, batch):
    """One epoch yields every index exactly once, in batches of the requested size."""
    batches = list(minibatches(num, batch, np.random.default_rng(0)))
    joined = np.concatenate(batches)
    assert sorted(joined.tolist()) == list(range(num))
    assert all(len(b) == batch for b in batches[:-1])
    assert len(batches) == -(-num // batch)


def test_last_batch_smaller_when_not_divisible():
    """23 examples in batches of 5: four full batches and a last batch of 3."""
    sizes = [len(b) for b in minibatches(23, 5, np.random.default_rng(0))]
    assert sizes == [5, 5, 5, 5, 3]


def test_minibatches_shuffle_examples_each_epoch():
    """Examples (not batches) are shuffled, and a second epoch has a new order."""
    rng = np.random.default_rng(1)
    first = np.concatenate(list(minibatches(100, 10, rng)))
    second = np.concatenate(list(minibatches(100, 10, rng)))
    assert not np.array_equal(first, np.arange(100))
    assert not np.array_equal(first, second)
    # shuffling whole batches would keep runs of 10 consecutive indices together
    assert not all(np.all(np.diff(b) == 1) for b in np.split(first, 10))


def test_same_seed_same_order():
    """Two generators with the same seed give the same batches."""
    a = [b.tolist() for b in minibatches(50, 7, np.random.default_rng(42))]
    b = [b.tolist() for b in minibatches(50, 7, np.random.default_rng(42))]
    c = [b.tolist() for b in minibatches(50, 7, np.random.default_rng(43))]
    assert a == b
    assert a != c


@pytest.mark.parametrize("num, batch, error, match", [
    (10, 0, ValueError, "batch_size must be positive"),
    (10, -2, ValueError, "batch_size"),
    (10, 11, ValueError, "batch_size must be at most"),
    (10, 2.0, TypeError, "batch_size must be an integer"),
    (0, 1, ValueError, "num_examples"),
    (True, 1, TypeError, "num_examples"),
])
def test_minibatches_bad_arguments(num, batch, error, match):
    """Bad sizes raise ValueError (wrong types TypeError) naming the argument, at the call."""
    with pytest.raises(error, match=match):
        minibatches(num, batch, np.random.default_rng(0))


def test_small_n_with_constant_column_has_no_nan():
    """In the first 50 rows some columns are constant: they become zeros, not NaN."""
    features, labels = load_airfoil(50)
    assert np.isfinite(features).all() and np.isfinite(labels).all()
