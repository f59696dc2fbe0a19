"""dp.steps_to_target: the large-batch chapter's step counts, against a plain loop."""
import numpy as np
import pytest

from d2lutils.data import load_digits
from d2lutils.models import mlp
from d2lutils.optim import resolve
from d2lutils.training import data_parallel as dp


@pytest.fixture(scope="module")
def data():
    return load_digits()


def losses_after_every_step(data, batch, lr, seed, steps, accuracy=False):
    """The same run, one float64 network, the whole training loss (and test accuracy) after every step."""
    rule, hp = resolve("momentum", {"lr": lr, "momentum": 0.9})
    params = mlp.init_params(seed, dtype=np.float64)
    states = [rule.init(p.shape) for p in params]
    X = data.X_train.astype(np.float64)
    out, acc = [], []
    for idx in dp.global_batches(len(data.y_train), batch, steps, seed):
        _, grads = mlp.loss_and_grads(params, X[idx], data.y_train[idx])
        for p, g, s in zip(params, grads, states):
            rule.update(p, g, s, hp)
        out.append(mlp.evaluate(params, X, data.y_train)[0])
        acc.append(mlp.evaluate(params, data.X_test, data.y_test)[1])
    return (np.array(out), np.array(acc)) if accuracy else np.array(out)


def test_crossing_lies_between_the_checks_that_bracket_the_true_first_crossing(data):
    hit, acc = dp.steps_to_target(data, 64, 0.1, [0, 1], [0.5, 0.3], max_epochs=6, momentum=0.9)
    assert hit.shape == acc.shape == (2, 2) and np.isfinite(hit).all()
    for j, seed in enumerate((0, 1)):
        curve = losses_after_every_step(data, 64, 0.1, seed, int(hit[:, j].max()) + 40)
        for k, target in enumerate((0.5, 0.3)):
            first = int(np.argmax(curve < target)) + 1            # first step whose loss is below
            # checks come every ~√2 times more steps: the interpolated step is within that bracket
            assert first / np.sqrt(2) - 1 <= hit[k, j] <= first * np.sqrt(2) + 1
    assert np.all((acc > 0.5) & (acc <= 1))
    assert np.all(hit[0] <= hit[1])                                 # 0.5 is reached before 0.3


def test_a_target_never_reached_is_inf_with_nan_accuracy(data):
    hit, acc = dp.steps_to_target(data, 256, 0.05, [0], [1e-6], max_epochs=2, momentum=0.9)
    assert np.isinf(hit).all() and np.isnan(acc).all()


def test_a_diverging_run_never_hits(data):
    hit, _ = dp.steps_to_target(data, 256, 50.0, [0, 1], [0.1], max_epochs=3, momentum=0.9)
    assert np.isinf(hit).all()


@pytest.mark.parametrize("kwargs, match", [
    (dict(batch_size=0), "batch_size"),
    (dict(targets=[]), "at least one"),
    (dict(targets=[-0.1]), "targets"),
    (dict(check_ratio=1.0), "check_ratio"),
    (dict(seeds=[-1]), "seeds"),
    (dict(rule="nosuch"), "nosuch"),
])
def test_bad_arguments(data, kwargs, match):
    args = dict(batch_size=64, lr=0.1, seeds=[0], targets=[0.3])
    args.update(kwargs)
    with pytest.raises((ValueError, KeyError), match=match):
        dp.steps_to_target(data, **args)


def test_the_step_is_interpolated_in_log_loss_between_two_checks(data):
    """Checks after s0·r^k steps (s0 = a quarter epoch); linear in (step, log loss) between the
    two checks around the FIRST crossing; the test accuracy is the one at the later check."""
    targets, batch = (0.4, 0.2), 64
    hit, acc = dp.steps_to_target(data, batch, 0.1, [2], targets, max_epochs=8, momentum=0.9)
    s0 = len(data.y_train) // (4 * batch)
    checks = sorted(set(np.round(s0 * np.sqrt(2) ** np.arange(40)).astype(int)))
    curve, test_acc = losses_after_every_step(data, batch, 0.1, 2, 170, accuracy=True)
    X = data.X_train.astype(np.float64)
    start = mlp.evaluate(mlp.init_params(2, dtype=np.float64), X, data.y_train)[0]
    points = [(0, start)] + [(c, curve[c - 1]) for c in checks if c <= len(curve)]
    for k, target in enumerate(targets):
        (a, la), (b, lb) = next((p, q) for p, q in zip(points, points[1:]) if q[1] < target)
        expected = a + (np.log(la) - np.log(target)) / (np.log(la) - np.log(lb)) * (b - a)
        assert hit[k, 0] == pytest.approx(expected, rel=1e-9)
        assert acc[k, 0] == pytest.approx(test_acc[b - 1], abs=1e-12)
