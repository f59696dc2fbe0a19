"""The NumPy airfoil trainer: hand-written gradient and loop."""
import numpy as np
import pytest

from d2lutils import load_airfoil
from d2lutils.models.linreg import gradients, half_mse, train_sgd_numpy


def test_gradient_matches_finite_differences():
    """The hand-written gradient of the half squared loss equals central differences."""
    rng = np.random.default_rng(1)
    X, y, w, b = rng.normal(size=(20, 3)), rng.normal(size=20), rng.normal(size=3), 0.3
    grad_w, grad_b = gradients(X, y, w, b)
    h = 1e-6
    numeric_w = [(half_mse(X, y, w + h * e, b) - half_mse(X, y, w - h * e, b)) / (2 * h)
                 for e in np.eye(3)]
    numeric_b = (half_mse(X, y, w, b + h) - half_mse(X, y, w, b - h)) / (2 * h)
    np.testing.assert_allclose(grad_w, numeric_w, rtol=1e-6)
    assert grad_b == pytest.approx(numeric_b, rel=1e-6)


def test_trains_airfoil_like_the_framework_trainers():
    """Batch 10, lr 0.05, 2 epochs brings the airfoil loss to about 0.24-0.25 (like train_scratch)."""
    features, labels = load_airfoil()
    result = train_sgd_numpy(features, labels, batch_size=10, lr=0.05, num_epochs=2)
    assert 0.235 < result.final_loss < 0.255
    assert len(result.losses) == len(result.times) == 31


def test_full_batch_gd_is_deterministic_gradient_descent():
    """With batch = n, one epoch is one exact gradient step from the initial weights."""
    features, labels = load_airfoil(100)
    result = train_sgd_numpy(features, labels, batch_size=100, lr=0.1, num_epochs=1)
    assert result.losses[1] < result.losses[0]


@pytest.mark.parametrize("kwargs, match", [
    ({"lr": -0.1}, "non-negative"),
    ({"batch_size": 0}, "batch_size"),
    ({"num_epochs": 1.5}, "num_epochs must be an integer"),
])
def test_bad_arguments_raise(kwargs, match):
    """Negative learning rates and non-positive or fractional sizes raise ValueError / TypeError."""
    features, labels = load_airfoil(50)
    with pytest.raises((ValueError, TypeError), match=match):
        train_sgd_numpy(features, labels, **kwargs)


# ----------------------------------------------------------------------------
# train_runs: a sweep of learning rates and seeds, all runs at once

from d2lutils import RULES  # noqa: E402
from d2lutils.data.airfoil import minibatches  # noqa: E402
from d2lutils.models.linreg import train_runs  # noqa: E402
from d2lutils.training.airfoil import init_linear_params  # noqa: E402


def one_run(rule, features, labels, lr, seed, batch_size, num_epochs, **hp):
    """Reference: one run with a plain loop over run_epochs' minibatches and the rule's update."""
    X, y = features.astype(float), labels.astype(float)
    w0, _ = init_linear_params(X.shape[1], seed)
    w, b = w0[:, 0].astype(float), np.zeros(1)
    spec = RULES[rule]
    states, hp = (spec.init(w.shape), spec.init(b.shape)), {**spec.defaults, **hp, "lr": lr}
    rng, losses = np.random.default_rng(seed), [half_mse(X, y, w, b[0])]
    for _ in range(num_epochs):
        seen = 0
        for idx in minibatches(len(y), batch_size, rng):
            grad_w, grad_b = gradients(X[idx], y[idx], w, b[0])
            spec.update(w, grad_w, states[0], hp)
            spec.update(b, np.array([grad_b]), states[1], hp)
            before, seen = seen, seen + len(idx)
            if seen // 100 > before // 100 or seen == len(y):
                losses.append(half_mse(X, y, w, b[0]))
    return np.array(losses)


def test_train_runs_equals_one_run_per_lr_and_seed():
    """Run (i, j) of the sweep is the single run with values[i] and seeds[j] (lr-major, not transposed)."""
    features, labels = load_airfoil(230)     # 230 = 23 batches of 10: records at 100, 200, 230
    runs = train_runs("momentum", features, labels, values=[0.01, 0.03], seeds=[3, 0, 7],
                      batch_size=10, num_epochs=2, momentum=0.7)
    assert runs.losses.shape == (2, 3, len(runs.epochs))
    for i, lr in enumerate([0.01, 0.03]):
        for j, seed in enumerate([3, 0, 7]):
            expected = one_run("momentum", features, labels, lr, seed, 10, 2, momentum=0.7)
            np.testing.assert_allclose(runs.losses[i, j], expected, rtol=1e-12)


def test_train_runs_records_where_the_framework_trainers_record():
    """Same record points and, for SGD, the same losses as train_sgd_numpy (uneven last batch too)."""
    features, labels = load_airfoil(257)
    runs = train_runs("sgd", features, labels, values=[0.05], seeds=[2], batch_size=20, num_epochs=3)
    result = train_sgd_numpy(features, labels, batch_size=20, lr=0.05, num_epochs=3, seed=2)
    np.testing.assert_allclose(runs.epochs, result.epochs)
    np.testing.assert_allclose(runs.losses[0, 0], result.losses, rtol=1e-10)


def test_train_runs_seed_reproduces_the_chapters_run():
    """Seed 0, momentum 0.02 / 0.5: the loss the MXNet and TensorFlow chapters print (0.248)."""
    features, labels = load_airfoil()
    runs = train_runs("momentum", features, labels, values=[0.02], seeds=[0], momentum=0.5)
    assert round(float(runs.final()[0, 0]), 3) == 0.248


def test_last_epoch_mean_averages_the_records_of_the_last_epoch():
    features, labels = load_airfoil(200)
    runs = train_runs("sgd", features, labels, values=[0.05, 0.1], seeds=[0, 1], num_epochs=3)
    last = (runs.epochs > 2) & (runs.epochs <= 3)
    assert last.sum() == 2      # records at 2.5 and 3.0
    np.testing.assert_allclose(runs.last_epoch_mean(), runs.losses[..., last].mean(axis=-1))
    np.testing.assert_allclose(runs.final(), runs.losses[..., -1])


def test_diverged_runs_are_nan_and_flagged():
    """A too-large rate overflows: recorded as nan (never inf), flagged by .diverged; others unaffected."""
    features, labels = load_airfoil(300)
    runs = train_runs("sgd", features, labels, values=[0.05, 5.0], seeds=[0, 1], num_epochs=2)
    assert runs.diverged.tolist() == [[False, False], [True, True]]
    assert not np.isinf(runs.losses).any()
    assert np.isnan(runs.final()[1]).all() and np.isfinite(runs.final()[0]).all()


@pytest.mark.parametrize("kwargs, error, match", [
    ({"lr": 0.1}, ValueError, "values=\\[...\\], not lr="),
    ({"values": []}, ValueError, "values must hold at least 1"),
    ({"values": [0.1, -1]}, ValueError, "lr must be non-negative|learning rates must be positive"),
    ({"values": [float("nan")]}, ValueError, "values\\[0\\]"),
    ({"seeds": [0, -2]}, ValueError, "seeds\\[1\\]"),
    ({"seeds": []}, ValueError, "seeds must hold at least 1"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"batch_size": 51}, ValueError, "batch_size must be at most 50"),
    ({"num_epochs": 0}, ValueError, "num_epochs"),
    ({"momentum": 1.0}, ValueError, "momentum"),
    ({"gamma": 0.9}, ValueError, "unknown hyperparameter"),
])
def test_train_runs_bad_arguments_raise(kwargs, error, match):
    features, labels = load_airfoil(50)
    args = {"values": [0.1], **kwargs}
    with pytest.raises(error, match=match):
        train_runs("momentum", features, labels, **args)


def test_train_runs_refuses_bad_data_and_rules():
    features, labels = load_airfoil(50)
    bad = features.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="finite"):
        train_runs("sgd", bad, labels)
    with pytest.raises(ValueError, match="labels must have shape"):
        train_runs("sgd", features, labels[:-1])
    with pytest.raises(ValueError, match="unknown rule"):
        train_runs("adamm", features, labels)


def test_bound_decides_divergence():
    """bound is checked (positive, finite) and a run is diverged once a weight leaves it."""
    features, labels = load_airfoil(300)
    assert not train_runs("sgd", features, labels, values=[0.05], seeds=[0]).diverged.any()
    assert train_runs("sgd", features, labels, values=[0.05], seeds=[0], bound=1e-3).diverged.all()
    for bad in (0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="bound"):
            train_runs("sgd", features, labels, bound=bad)
