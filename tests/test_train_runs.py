"""d2lutils.training.train_runs: loud failures (issue 23), schedules of any hyperparameter,
the median rule of Runs.best_lr_index, any depth, and the framework trainers at any depth."""
import math

import numpy as np
import pytest

import d2lutils  # noqa: F401  (first: fixes the MXNet/TensorFlow import order)
from d2lutils.data.digits import load_digits
from d2lutils.models import mlp
from d2lutils.optim import RULES
from d2lutils.optim.schedules import cosine, one_cycle, one_cycle_momentum
from d2lutils.training import Runs, batch_orders, train_runs

DEEP = (64, 16, 16, 16, 10)


@pytest.fixture(scope="module")
def data():
    return load_digits()


def small(d, n=200):
    """The first n training examples (fast), the whole test set."""
    return (d.X_train[:n], d.y_train[:n], d.X_test, d.y_test)


@pytest.mark.parametrize("kwargs, match", [
    ({"rule": "adam", "beta1": 1.5}, "beta1"),
    ({"rule": "adam", "beta2": -0.1}, "beta2"),
    ({"rule": "adam", "eps": -1.0}, "eps"),
    ({"rule": "adam", "eps_form": "typo"}, "eps_form"),
    ({"rule": "sgd", "eps_form": "paper"}, "eps_form"),
    ({"rule": "sgd", "steps": 0}, "steps"),
    ({"rule": "sgd", "steps": 10_000}, "steps"),
    ({"rule": "adamw", "weight_decay": float("nan")}, "weight_decay"),
    ({"rule": "momentum", "momentum": 1.0}, "momentum"),
    ({"rule": "sgd", "lrs": []}, "lrs"),
    ({"rule": "sgd", "lrs": [0.1, float("nan")]}, r"lrs\[1\]"),
    ({"rule": "sgd", "lrs": [0.0]}, r"lrs\[0\]"),
    ({"rule": "sgd", "seeds": (0, -1)}, r"seeds\[1\]"),
    ({"rule": "sgd", "seeds": ()}, "seeds"),
    ({"rule": "sgd", "num_epochs": 0}, "num_epochs"),
    ({"rule": "sgd", "lr": 0.1}, "lrs"),
    ({"rule": "sgd", "schedule": 0.5}, "schedule"),
    ({"rule": "sgd", "scale": float("inf")}, "scale"),
    ({"rule": "sgd", "sizes": (64, 0, 10)}, "sizes"),
    ({"rule": "sgd", "dtype": np.float16}, "dtype"),
    ({"rule": "lion"}, "lion"),
])
def test_bad_arguments_raise_and_name_the_argument(data, kwargs, match):
    kwargs = dict(kwargs)
    rule = kwargs.pop("rule")
    with pytest.raises((ValueError, TypeError), match=match):
        train_runs(rule, small(data), num_epochs=kwargs.pop("num_epochs", 1), **kwargs)


@pytest.mark.parametrize("bad_data, match", [
    (lambda d: (d.X_train[:0], d.y_train[:0], d.X_test, d.y_test), "training set"),
    (lambda d: (d.X_train[:50], d.y_train[:50], d.X_test[:0], d.y_test[:0]), "test set"),
    (lambda d: (d.X_train[:50], d.y_train[:40], d.X_test, d.y_test), "training set"),
    (lambda d: (d.X_train[:50], d.y_train[:50] + 10, d.X_test, d.y_test), "labels"),
    (lambda d: (d.X_train[:50], d.y_train[:50].astype(float), d.X_test, d.y_test), "labels"),
    (lambda d: (d.X_train[:50] * np.nan, d.y_train[:50], d.X_test, d.y_test), "finite"),
    (lambda d: (d.X_train[:50], d.y_train[:50]), "X_train, y_train, X_test, y_test"),
])
def test_bad_data_raises(data, bad_data, match):
    with pytest.raises(ValueError, match=match):
        train_runs("sgd", bad_data(data), num_epochs=1)


def test_plain_tuples_are_accepted(data):
    a = train_runs("sgd", small(data), num_epochs=1)
    b = train_runs("sgd", tuple(np.asarray(x).tolist() for x in small(data)), num_epochs=1)
    assert np.allclose(a.train_loss, b.train_loss)


def test_a_nan_schedule_is_refused(data):
    with pytest.raises(ValueError, match="schedule"):
        train_runs("sgd", small(data), num_epochs=1, schedule=lambda t: float("nan"))
    with pytest.raises(ValueError, match="t = 3"):
        train_runs("sgd", small(data), num_epochs=1, schedule=lambda t: -1.0 if t == 3 else 1.0)


def test_a_schedule_of_another_hyperparameter_is_checked(data):
    with pytest.raises(ValueError, match="momentum"):
        train_runs("momentum", small(data), num_epochs=1, momentum=lambda t: 1.5)
    with pytest.raises(ValueError, match="t = 2"):
        train_runs("momentum", small(data), num_epochs=1,
                   momentum=lambda t: float("nan") if t == 2 else 0.9)


def test_a_constant_hyperparameter_schedule_equals_the_constant(data):
    fixed = train_runs("momentum", small(data), lrs=[0.05], seeds=(1,), num_epochs=2, momentum=0.8)
    scheduled = train_runs("momentum", small(data), lrs=[0.05], seeds=(1,), num_epochs=2,
                           momentum=lambda t: 0.8)
    assert np.array_equal(fixed.train_loss, scheduled.train_loss)


def test_a_momentum_schedule_is_applied_update_by_update(data):
    """Momentum γ_t = 0 for the first update, 0.9 after: equals SGD for one step, then not."""
    gamma = lambda t: 0.0 if t == 0 else 0.9
    one = [p[0] for p in train_runs("momentum", small(data), lrs=[0.1], steps=1, momentum=gamma)]
    sgd = [p[0] for p in train_runs("sgd", small(data), lrs=[0.1], steps=1)]
    assert all(np.allclose(a, b) for a, b in zip(one, sgd))
    # two steps by hand with the rule, γ_1 = 0.9
    rule = RULES["momentum"]
    params = [p[None].copy() for p in mlp.init_params(0)]
    states = [rule.init(p.shape) for p in params]
    X, y, _, _ = small(data)
    order = batch_orders(len(y), 64, 1, 0)[0]
    for t, idx in enumerate(order[:2]):
        _, grads = mlp.loss_and_grads(params, X[idx][None], y[idx][None])
        for p, g, s in zip(params, grads, states):
            rule.update(p, g, s, {"lr": 0.1, "momentum": gamma(t)})
    two = train_runs("momentum", small(data), lrs=[0.1], steps=2, momentum=gamma)
    assert all(np.allclose(a, b, atol=1e-6) for a, b in zip(two, params))


def test_one_cycle_with_momentum_cycle_trains(data):
    total = 2 * 4
    runs = train_runs("momentum", small(data), lrs=[0.3], seeds=(0, 1), num_epochs=2,
                      schedule=one_cycle(1.0, total, 0.25), momentum=one_cycle_momentum(total, 0.25))
    assert np.all(runs.final()[0] < runs.train_loss[..., 0])


def test_the_schedule_multiplies_the_rate_of_update_t(data):
    """A schedule that is 0 after the first update leaves the parameters where update 1 put them."""
    after_one = train_runs("sgd", small(data), lrs=[0.1], steps=1)
    frozen = train_runs("sgd", small(data), lrs=[0.1], steps=3, schedule=lambda t: 1.0 if t == 0 else 0.0)
    assert all(np.array_equal(a, b) for a, b in zip(after_one, frozen))
    halved = train_runs("sgd", small(data), lrs=[0.2], steps=1, schedule=lambda t: 0.5)
    assert all(np.allclose(a, b) for a, b in zip(after_one, halved))


def test_best_lr_index_uses_the_median():
    """One seed blowing up at the best rate must not hide it (the mean would pick lr 0)."""
    loss = np.array([[0.5, 0.5, 0.5], [0.1, 0.1, 3.0]])
    runs = Runs(np.array([0.01, 0.1]), (0, 1, 2),
                np.stack([np.ones_like(loss), loss], axis=-1), np.zeros((2, 3, 2)))
    assert np.argmin(loss.mean(axis=1)) == 0
    assert runs.best_lr_index() == 1
    diverged = np.stack([np.ones_like(loss), np.where(loss > 2, np.nan, loss)], axis=-1)
    runs = Runs(np.array([0.01, 0.1]), (0, 1, 2), diverged, np.zeros((2, 3, 2)))
    assert runs.diverged.tolist() == [[False] * 3, [False, False, True]]
    assert runs.best_lr_index() == 1


def test_deep_networks_train_stacked_as_alone(data):
    sweep = train_runs("momentum", small(data), lrs=[0.01, 0.03], seeds=(0, 1), num_epochs=2,
                       sizes=DEEP, scale="he", momentum=0.9)
    assert sweep.train_loss.shape == (2, 2, 3) and len(sweep.final_params) == 2 * (len(DEEP) - 1)
    alone = train_runs("momentum", small(data), lrs=[0.03], seeds=(1,), num_epochs=2, sizes=DEEP,
                       scale="he", momentum=0.9)
    assert np.allclose(sweep.train_loss[1, 1], alone.train_loss[0, 0], rtol=1e-5)


def test_float64_runs_stay_float64(data):
    params = train_runs("adam", small(data), steps=3, dtype=np.float64)
    assert all(p.dtype == np.float64 for p in params)


def test_diverged_runs_are_recorded_as_nan(data):
    runs = train_runs("sgd", small(data), lrs=[0.1, 1e30], num_epochs=2)   # float32 overflows
    assert runs.diverged.tolist() == [[False], [True]]
    assert math.isnan(runs.final()[0][1, 0]) and runs.best_lr_index() == 0
    assert math.isnan(runs.final()[1][1, 0]) and not math.isnan(runs.final()[1][0, 0])


def test_cosine_schedule_run_matches_a_manual_loop(data):
    """schedule(t) is the multiplier of update t = 0, 1, ... (updates already applied)."""
    sched = cosine(1.0, 6)
    got = train_runs("sgd", small(data), lrs=[0.2], steps=6, schedule=sched)
    params = [p[None].copy() for p in mlp.init_params(0)]
    X, y, _, _ = small(data)
    order = [b for epoch in batch_orders(len(y), 64, 2, 0) for b in epoch]
    for t in range(6):
        _, grads = mlp.loss_and_grads(params, X[order[t]][None], y[order[t]][None])
        for p, g in zip(params, grads):
            p -= 0.2 * sched(t) * g
    assert all(np.allclose(a, b, atol=1e-6) for a, b in zip(got, params))


def test_record_every_skips_only_the_evaluation(data):
    full = train_runs("adam", small(data), lrs=[0.01, 0.03], seeds=(0, 1), num_epochs=5)
    sparse = train_runs("adam", small(data), lrs=[0.01, 0.03], seeds=(0, 1), num_epochs=5,
                        record_every=2)
    for name in ("train_loss", "test_acc"):
        a, b = getattr(full, name), getattr(sparse, name)
        assert np.array_equal(a[..., [0, 2, 4, 5]], b[..., [0, 2, 4, 5]])
        assert np.all(np.isnan(b[..., [1, 3]]))
    assert np.array_equal(full.final()[0], sparse.final()[0])
    assert full.best_lr_index() == sparse.best_lr_index()
    with pytest.raises(ValueError, match="record_every"):
        train_runs("adam", small(data), num_epochs=2, record_every=0)
