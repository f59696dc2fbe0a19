"""The one NumPy network (d2lutils.models.mlp) and the sweep trainer (d2lutils.training.train_runs):
shapes of the three views, and bad input refused with a message that names the argument."""
import numpy as np
import pytest

from d2lutils.data import check_digits, load_digits
from d2lutils.figures import bands
from d2lutils.models import mlp
from d2lutils.training import train_runs


@pytest.fixture(scope="module")
def data():
    return load_digits()


def test_one_network_stacked_runs_and_flat_view_agree(data):
    """The same parameters give the same loss and gradients in all three views."""
    params = mlp.init_params(seed=4, sizes=(64, 8, 5, 10), dtype=np.float64)
    X, y = data.X_train[:20], data.y_train[:20]
    loss, grads = mlp.loss_and_grads(params, X, y)
    other = [p + 0.1 for p in mlp.init_params(seed=5, sizes=(64, 8, 5, 10), dtype=np.float64)]
    X2, y2 = data.X_train[20:40], data.y_train[20:40]
    loss_o, grads_o = mlp.loss_and_grads(other, X2, y2)
    stacked = [np.stack([o, p]) for o, p in zip(other, params)]
    loss2, grads2 = mlp.loss_and_grads(stacked, np.stack([X2, X]), np.stack([y2, y]))
    np.testing.assert_allclose(loss2, [loss_o, loss], rtol=1e-12)
    for g_o, g, g2 in zip(grads_o, grads, grads2):
        np.testing.assert_allclose(g2[0], g_o, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(g2[1], g, rtol=1e-10, atol=1e-14)
    shared = mlp.loss(stacked, X, y)            # one minibatch shared by both runs
    assert shared[1] == pytest.approx(loss, rel=1e-12) and shared[0] != pytest.approx(loss)
    flat = mlp.FlatMLP((64, 8, 5, 10), activation="relu")
    value, vector = flat.loss_grad(mlp.flatten(params), X, y)
    assert value == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(vector, mlp.flatten(grads), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("scale, message", [
    (float("inf"), "scale"), (float("nan"), "scale"), (-1.0, "scale"), (0.0, "scale"),
    ("xavier", "scale must be"), (("constant", float("nan")), "constant"),
])
def test_init_params_refuses_a_bad_scale(scale, message):
    with pytest.raises((ValueError, TypeError), match=message):
        mlp.init_params(scale=scale)


@pytest.mark.parametrize("kwargs, message", [
    ({"sizes": (64,)}, "sizes"), ({"sizes": (64, 0, 10)}, "sizes"), ({"seed": -1}, "seed"),
    ({"dtype": np.int32}, "dtype"),
])
def test_init_params_refuses_bad_arguments(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        mlp.init_params(**kwargs)


def test_train_runs_marks_a_diverged_run_and_keeps_the_others(data):
    runs = train_runs("sgd", data, lrs=[0.1, 1e35], seeds=(0, 1), num_epochs=2)   # float32 overflows
    assert runs.diverged.tolist() == [[False, False], [True, True]]
    assert np.isnan(runs.train_loss[1, :, -1]).all() and np.isnan(runs.test_acc[1, :, -1]).all()
    assert np.isfinite(runs.train_loss[0]).all()
    assert runs.best_lr_index() == 0


@pytest.mark.parametrize("kwargs, message", [
    ({"lrs": []}, "lrs must hold at least 1"),
    ({"lrs": [0.1, -0.1]}, "lrs\\[1\\]"),
    ({"seeds": (0, -1)}, "seeds\\[1\\]"),
    ({"seeds": ()}, "seeds must hold at least 1"),
    ({"steps": 0}, "steps"),
    ({"steps": 10 ** 6}, "steps must be at most"),
    ({"num_epochs": 0}, "num_epochs"),
    ({"batch_size": 0}, "batch_size"),
    ({"lr": 0.1}, "lrs=\\[...\\]"),
    ({"schedule": "cosine"}, "schedule must be a function"),
])
def test_train_runs_refuses_bad_arguments(data, kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        train_runs("sgd", data, **kwargs)


@pytest.mark.parametrize("rule, hp, message", [
    ("adam", {"beta1": 1.5}, "beta1 must lie in"),
    ("adam", {"eps": -1.0}, "eps must be non-negative"),
    ("adam", {"eps_form": "typo"}, "eps_form must be"),
    ("sgd", {"eps_form": "paper"}, "unknown hyperparameter"),
    ("adamw", {"weight_decay": float("nan")}, "weight_decay must be a finite number"),
    ("adagrad", {"momentum": 0.9}, "unknown hyperparameter"),
    ("nonsense", {}, "unknown rule"),
])
def test_train_runs_refuses_bad_hyperparameters(data, rule, hp, message):
    with pytest.raises((ValueError, TypeError), match=message):
        train_runs(rule, data, num_epochs=1, **hp)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -0.5])
def test_a_bad_schedule_value_stops_training(data, value):
    with pytest.raises(ValueError, match="schedule\\(t\\) must return a finite number >= 0"):
        train_runs("sgd", data, num_epochs=1, schedule=lambda t: 1.0 if t < 3 else value)


@pytest.mark.parametrize("labels, message", [([0, 10], "labels must be integers in \\[0, 10\\)"),
                                             ([-1, 3], "labels must be integers"),
                                             ([0.0, 1.0], "labels must be integers")])
def test_check_digits_refuses_bad_labels(data, labels, message):
    bad = (data.X_train[:2], np.array(labels), data.X_test, data.y_test)
    with pytest.raises(ValueError, match=message):
        check_digits(bad)


def test_check_digits_accepts_a_plain_tuple_and_refuses_empty_or_mismatched_sets(data):
    assert check_digits(tuple(data)).X_train.dtype == np.float32
    with pytest.raises(ValueError, match="n >= 1"):
        check_digits((data.X_train[:0], data.y_train[:0], data.X_test, data.y_test))
    with pytest.raises(ValueError, match="differ in width"):
        check_digits((data.X_train[:, :10], data.y_train, data.X_test, data.y_test))


def test_bands_draw_the_median_so_one_stalled_seed_does_not_drag_the_line():
    ax = bands.plot_bands([0, 1], {"adam": [[1.0, 1.0], [1.0, 1.0], [100.0, 100.0]]}, legend=None)
    line = ax.lines[0]
    np.testing.assert_allclose(line.get_ydata(), [1.0, 1.0])
    assert line.get_color() == "#000000"          # adam's colour in every figure
