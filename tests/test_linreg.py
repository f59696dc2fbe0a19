"""The NumPy airfoil trainer: hand-written gradient and loop."""
import numpy as np
import pytest

from d2lutils import load_airfoil
from d2lutils import RULES, minibatches
from d2lutils.models.linreg import gradients, half_mse, train_runs, train_sgd_numpy


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
# train_runs: many runs at once


def test_train_runs_sgd_equals_the_single_run_loop():
    """Run (value i, seed j) is train_sgd_numpy(lr=values[i], seed=seeds[j]): same start, batches, records."""
    features, labels = load_airfoil(250)      # not a multiple of 100: the last record is at 250
    runs = train_runs("sgd", features, labels, values=[0.05, 0.2], seeds=[3, 0, 7], batch_size=7)
    assert runs.losses.shape == (2, 3, len(runs.epochs))
    for i, lr in enumerate([0.05, 0.2]):
        for j, seed in enumerate([3, 0, 7]):
            one = train_sgd_numpy(features, labels, batch_size=7, lr=lr, seed=seed)
            np.testing.assert_allclose(runs.losses[i, j], one.losses, rtol=1e-12)
            np.testing.assert_allclose(runs.epochs, one.epochs, rtol=1e-12)


def _one_run(rule, features, labels, seed, batch_size, num_epochs, **hp):
    """A plain loop with the NumPy rule on (w, b) as two tensors: the final full-data loss."""
    from d2lutils.optim.rules import resolve
    from d2lutils.training.airfoil import init_linear_params
    rule, hp = resolve(rule, hp)
    X, y = features.astype(float), labels.astype(float)
    w0, _ = init_linear_params(X.shape[1], seed)
    w, b = w0[:, 0].astype(float), np.zeros(1)
    sw, sb = rule.init(w.shape), rule.init(b.shape)
    rng = np.random.default_rng(seed)
    for _ in range(num_epochs):
        for idx in minibatches(len(y), batch_size, rng):
            gw, gb = gradients(X[idx], y[idx], w, b[0])
            rule.update(w, gw, sw, hp)
            rule.update(b, np.array([gb]), sb, hp)
    return half_mse(X, y, w, b[0])


@pytest.mark.parametrize("rule, name, values, hp", [
    ("adam", "lr", [0.003, 0.03], {}),
    ("adadelta", "eps", [1e-6, 1e-3], {"rho": 0.95}),
    ("yogi", "beta2", [0.9, 0.999], {"lr": 0.02}),
    ("nadam", "lr", [0.01, 0.002], {"schedule_decay": 1.0}),
])
def test_train_runs_matches_a_plain_loop(rule, name, values, hp):
    """Stacked runs of an adaptive rule equal one-at-a-time loops with w and b as separate tensors."""
    features, labels = load_airfoil(200)
    runs = train_runs(rule, features, labels, values=values, seeds=[1, 4], name=name,
                      batch_size=20, num_epochs=2, **hp)
    for i, v in enumerate(values):
        for j, seed in enumerate([1, 4]):
            expected = _one_run(rule, features, labels, seed, 20, 2, **{name: v, **hp})
            assert runs.final()[i, j] == pytest.approx(expected, rel=1e-10), (v, seed)


def test_train_runs_flags_divergence_with_nan():
    """A rate that blows up gives NaN from its first bad record on, and diverged=True; others are finite."""
    features, labels = load_airfoil(200)
    runs = train_runs("sgd", features, labels, values=[0.05, 50.0], seeds=[0, 1])
    assert runs.diverged.tolist() == [[False, False], [True, True]]
    assert np.all(np.isfinite(runs.losses[0]))
    first_bad = np.argmax(np.isnan(runs.losses[1, 0]))
    assert first_bad > 0 and np.all(np.isnan(runs.losses[1, 0, first_bad:]))


@pytest.mark.parametrize("kwargs, error, match", [
    ({"values": []}, ValueError, "values must hold at least 1"),
    ({"values": [0.1, -0.1]}, ValueError, "lr must be non-negative"),
    ({"values": [0.1], "lr": 0.1}, ValueError, "values=\\[...\\], not lr="),
    ({"seeds": [-1]}, ValueError, "seeds\\[0\\]"),
    ({"seeds": []}, ValueError, "seeds must hold at least 1"),
    ({"name": "momentum"}, ValueError, "unknown hyperparameter"),
    ({"name": 3}, TypeError, "name must be"),
    ({"rule": "lars"}, ValueError, "elementwise"),
    ({"rule": "rmsprop", "name": "gamma", "values": [0.9, 1.0]}, ValueError, "gamma must lie"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"eps_form": "keras", "rule": "adam"}, ValueError, "eps_form"),
])
def test_train_runs_bad_arguments_raise(kwargs, error, match):
    """Bad sweeps raise an error that names the argument."""
    features, labels = load_airfoil(50)
    args = {"rule": "sgd", "values": [0.1], "seeds": [0], **kwargs}
    rule = args.pop("rule")
    with pytest.raises(error, match=match):
        train_runs(rule, features, labels, **args)


def test_train_runs_takes_every_elementwise_rule():
    """Every elementwise rule of RULES trains (finite, lower loss) with its defaults at a sane rate."""
    features, labels = load_airfoil(200)
    for name, rule in RULES.items():
        if rule.layerwise:
            continue
        lr = 1.0 if name == "adadelta" else 0.01
        runs = train_runs(name, features, labels, values=[lr], seeds=[0], batch_size=20)
        assert runs.final()[0, 0] < runs.losses[0, 0, 0], name
