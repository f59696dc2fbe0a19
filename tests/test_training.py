"""Airfoil training loops of d2lutils.mxnet and d2lutils.tensorflow."""
import d2lutils  # noqa: F401  (first: lets TensorFlow and MXNet share one process)

import re  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow import keras  # noqa: E402

from d2lutils import load_airfoil  # noqa: E402
from d2lutils import mxnet as d2lmx  # noqa: E402
from d2lutils import tensorflow as d2ltf  # noqa: E402
from d2lutils.training import init_linear_params  # noqa: E402
from d2lutils.training import run_epochs  # noqa: E402

LR = 0.05


def sgd_mx(params, states, hp):
    for p in params:
        p[:] -= hp["lr"] * p.grad


def sgd_tf(params, grads, states, hp):
    for p, g in zip(params, grads):
        p.assign_sub(hp["lr"] * g)


def counting_mx(params, states, hp):
    hp["t"] += 1              # the mistake: a changing value kept in hyperparams
    sgd_mx(params, states, hp)


def counting_tf(params, grads, states, hp):
    hp["t"] += 1
    sgd_tf(params, grads, states, hp)


@pytest.fixture(scope="module")
def data():
    return load_airfoil()


@pytest.fixture(scope="module")
def runs(data):
    """The four 2-epoch runs (lr 0.05, batch 10), trained once for the whole module."""
    f, l = data
    return {
        "mxnet-scratch": d2lmx.train_scratch(sgd_mx, None, {"lr": LR}, f, l, 10, 2, show=False),
        "mxnet-concise": d2lmx.train_concise("sgd", {"learning_rate": LR}, f, l, 10, 2,
                                                 show=False),
        "tf-scratch": d2ltf.train_scratch(sgd_tf, None, {"lr": LR}, f, l, 10, 2, show=False),
        "tf-concise": d2ltf.train_concise(keras.optimizers.SGD(LR), f, l, 10, 2, show=False),
    }


RUNS = ["mxnet-scratch", "mxnet-concise", "tf-scratch", "tf-concise"]


def rel(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.abs(b)))


@pytest.mark.parametrize("name", RUNS)
def test_initial_loss_is_half_mse_at_init(name, runs, data):
    """The first record is mean((Xw0 + b0 - y)²)/2 at the shared initial weights (computed in NumPy)."""
    f, l = data
    w0, b0 = init_linear_params(5, seed=0)
    expected = np.mean((f.astype(np.float64) @ w0 + b0 - l[:, None]) ** 2) / 2
    assert runs[name].losses[0] == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("name", RUNS)
def test_final_loss_and_decrease(name, runs):
    """Two epochs of SGD bring the airfoil loss from 0.5 to 0.245-0.255, decreasing overall."""
    losses = runs[name].losses
    assert 0.245 < runs[name].final_loss < 0.255
    assert losses[-1] < 0.55 * losses[0]
    assert np.mean(losses[-5:]) < np.mean(losses[1:6]) < losses[0]


@pytest.mark.parametrize("framework", ["mxnet", "tf"])
def test_scratch_matches_builtin_sgd(framework, runs):
    """From-scratch SGD and the framework's SGD give the same loss at every record (1e-5)."""
    assert rel(runs[f"{framework}-scratch"].losses, runs[f"{framework}-concise"].losses) < 1e-5


def test_mxnet_and_tensorflow_agree(runs):
    """The same init and minibatches give the same curve in MXNet and TensorFlow (1e-5)."""
    assert rel(runs["mxnet-scratch"].losses, runs["tf-scratch"].losses) < 1e-5
    assert rel(runs["mxnet-concise"].losses, runs["tf-concise"].losses) < 1e-5


@pytest.mark.parametrize("name", RUNS)
def test_record_points_and_timing(name, runs):
    """Loss recorded every 100 examples: 31 points 0, 1/15, ..., 2; timings are positive."""
    r = runs[name]
    assert len(r.epochs) == len(r.losses) == 31
    np.testing.assert_allclose(r.epochs, np.arange(31) / 15, rtol=1e-12)
    assert r.sec_per_epoch > 0
    assert r.eval_seconds > 0


def test_record_points_when_batches_straddle_hundreds():
    """250 examples in batches of 30: records after the batches that cross 100 and 200, and at the end."""
    steps = []
    r = run_epochs(steps.append, lambda: float(len(steps)), 250, 30, 1)
    assert r.epochs == pytest.approx([0.0, 120 / 250, 210 / 250, 1.0])
    assert r.losses == [0.0, 4.0, 7.0, 9.0]  # number of steps taken when each record was made
    assert sum(len(s) for s in steps) == 250


def scratch_cases(train, update, f, l):
    good = {"lr": LR}
    return [
        (lambda: train(update, None, good, f, l, batch_size=0), "batch_size must be positive"),
        (lambda: train(update, None, good, f, l, batch_size=1501), "batch_size must be at most 1500"),
        (lambda: train(update, None, good, f, l, num_epochs=0), "num_epochs must be positive"),
        (lambda: train(update, None, {"lr": -0.05}, f, l), "lr must be non-negative"),
        (lambda: train(update, None, good, f[:, 0], l), r"features must have shape \(n, d\)"),
        (lambda: train(update, None, good, f, l[:-1]), r"labels must have shape \(1500,\)"),
        (lambda: train(update, None, [("lr", LR)], f, l), "hyperparams must be a dict"),
    ]


@pytest.mark.parametrize("framework", ["mxnet", "tf"])
@pytest.mark.parametrize("case", range(7))
def test_scratch_bad_inputs(framework, case, data):
    """train_scratch rejects bad sizes, a negative lr, wrong shapes (ValueError) and non-dict hyperparams (TypeError)."""
    f, l = data
    train, update = (d2lmx.train_scratch, sgd_mx) if framework == "mxnet" else (d2ltf.train_scratch, sgd_tf)
    call, match = scratch_cases(train, update, f, l)[case]
    with pytest.raises((ValueError, TypeError), match=match):
        call()


@pytest.mark.parametrize("call, match", [
    (lambda f, l: d2lmx.train_concise("nosuchopt", {"learning_rate": LR}, f, l),
     "unknown MXNet optimizer 'nosuchopt'; expected one of"),
    (lambda f, l: d2lmx.train_concise("sgd", [("learning_rate", LR)], f, l), "hyperparam"),
    (lambda f, l: d2lmx.train_concise("sgd", {"lr": LR}, f, l), "bad hyperparameters for 'sgd'"),
    (lambda f, l: d2lmx.train_concise("sgd", {"learning_rate": LR}, f, l, batch_size=0),
     "batch_size must be positive"),
    (lambda f, l: d2ltf.train_concise("sgd", f, l), "keras.optimizers.Optimizer"),
    (lambda f, l: d2ltf.train_concise(tf.compat.v1.train.GradientDescentOptimizer(LR), f, l),
     "keras.optimizers.Optimizer"),
    (lambda f, l: d2ltf.train_concise(keras.optimizers.SGD(LR), f, l[:10]),
     "labels must have shape"),
], ids=["mx-unknown-name", "mx-hp-not-dict", "mx-unknown-kwarg", "mx-batch0",
        "tf-string", "tf-v1-optimizer", "tf-labels"])
def test_concise_bad_inputs(call, match, data):
    """The concise trainers reject unknown optimizers and bad arguments with a clear ValueError/TypeError."""
    with pytest.raises((ValueError, TypeError), match=match):
        call(*data)


@pytest.mark.parametrize("call", [
    lambda f, l: d2lmx.train_concise("sgd", {"learning_rate": -LR}, f, l, show=False),
    lambda f, l: d2ltf.train_concise(keras.optimizers.SGD(-LR), f, l, show=False),
], ids=["mxnet", "tf"])
def test_concise_negative_lr(call, data):
    """A negative learning rate given to the concise trainers raises ValueError (GUIDE §2)."""
    f, l = data
    with pytest.raises(ValueError, match="non-negative"):
        call(f[:50], l[:50])


@pytest.mark.parametrize("framework", ["mxnet", "tf"])
def test_update_mutating_hyperparams_is_refused(framework, data):
    """An update that does ``hyperparams['t'] += 1`` is refused with a ValueError pointing to states."""
    f, l = data
    train, update = (d2lmx.train_scratch, counting_mx) if framework == "mxnet" else (
        d2ltf.train_scratch, counting_tf)
    with pytest.raises(ValueError, match=r"changed `hyperparams`.*states"):
        train(update, None, {"lr": LR, "t": 0}, f[:50], l[:50], 10, 1, show=False)


SUMMARY = re.compile(r"loss: 0\.\d{3}, \d+\.\d{3} sec/epoch")


def small_run(framework, kind, f, l, show):
    if framework == "mxnet":
        if kind == "scratch":
            return d2lmx.train_scratch(sgd_mx, None, {"lr": LR}, f, l, 10, 1, show=show)
        return d2lmx.train_concise("sgd", {"learning_rate": LR}, f, l, 10, 1, show=show)
    if kind == "scratch":
        return d2ltf.train_scratch(sgd_tf, None, {"lr": LR}, f, l, 10, 1, show=show)
    return d2ltf.train_concise(keras.optimizers.SGD(LR), f, l, 10, 1, show=show)


@pytest.mark.parametrize("framework", ["mxnet", "tf"])
@pytest.mark.parametrize("kind", ["scratch", "concise"])
def test_show_prints_one_line_and_plots(framework, kind, data, capsys):
    """show=False prints nothing and draws nothing; show=True prints one summary line and draws a figure."""
    f, l = data[0][:100], data[1][:100]
    plt.close("all")
    small_run(framework, kind, f, l, show=False)
    assert capsys.readouterr().out == ""
    assert plt.get_fignums() == []
    result = small_run(framework, kind, f, l, show=True)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and SUMMARY.fullmatch(lines[0]), lines
    assert lines[0].startswith(f"loss: {result.final_loss:.3f}, ")
    assert len(plt.get_fignums()) == 1
    line = plt.gcf().axes[0].lines[0]
    np.testing.assert_allclose(line.get_ydata(), result.losses)


def test_on_epoch_sees_the_order_of_the_minibatches():
    """run_epochs calls on_epoch with exactly the concatenated indices of that epoch's steps."""
    from d2lutils.training import PermutedData, run_epochs
    orders, seen = [], []
    data = PermutedData(lambda order: (np.asarray(order) * 10,))

    def on_epoch(order):
        orders.append(np.array(order))
        data.start_epoch(order)

    def step(indices):
        seen.append(np.array(indices))
        (batch,) = data.next_batch(len(indices))
        np.testing.assert_array_equal(batch, np.asarray(indices) * 10)

    run_epochs(step, lambda: 0.0, 25, 10, 2, on_epoch=on_epoch)
    assert len(orders) == 2 and len(seen) == 6
    np.testing.assert_array_equal(np.concatenate(seen[:3]), orders[0])
    assert sorted(orders[1]) == list(range(25))


# ----------------------------------------------------------------------------
# the same minibatches, the timing, and inputs that used to fail silently or obscurely

def test_numpy_trainer_sees_the_same_minibatches(runs, data):
    """train_sgd_numpy follows the framework trainers' curve record by record (same init, same batches)."""
    from d2lutils.models.linreg import train_sgd_numpy
    numpy_run = train_sgd_numpy(*data, batch_size=10, lr=LR, num_epochs=2)
    gap = rel(numpy_run.losses, runs["mxnet-scratch"].losses)
    assert gap < 1e-5, f"NumPy and MXNet curves differ by {gap:.1e}: different minibatches?"
    other = train_sgd_numpy(*data, batch_size=10, lr=LR, num_epochs=2, seed=1)
    assert rel(other.losses, runs["mxnet-scratch"].losses) > 1e-4   # the check can tell batches apart


class FakeClock:
    """A perf_counter that only moves when told: the timing test asserts no wall time."""

    def __init__(self):
        self.now = 0.0

    def perf_counter(self):
        return self.now


CLOCK = FakeClock()
TRACE_COST = 1000.0     # fake seconds charged each time Python code inside a tf.function runs


def slow_to_trace_sgd(params, grads, states, hp):
    CLOCK.now += TRACE_COST  # Python code in a tf.function runs only while it is traced
    sgd_tf(params, grads, states, hp)


class SlowToTraceSGD(keras.optimizers.SGD):
    def update_step(self, gradient, variable, learning_rate):
        CLOCK.now += TRACE_COST  # once per variable, at trace time only
        super().update_step(gradient, variable, learning_rate)


@pytest.mark.parametrize("kind", ["scratch", "concise"])
def test_tf_tracing_is_not_training_time(kind, data, monkeypatch):
    """Tracing happens before the timed loop: its (fake) cost is not in sec_per_epoch.

    The loop's clock is replaced by one that advances only while a step is traced, so the
    assertion holds or fails the same way on any machine and under any load.
    """
    from d2lutils.training import airfoil
    monkeypatch.setattr(airfoil, "time", CLOCK)
    CLOCK.now = 0.0
    f, l = data[0][:100], data[1][:100]
    if kind == "scratch":
        result = d2ltf.train_scratch(slow_to_trace_sgd, None, {"lr": LR}, f, l, 10, 1, show=False)
    else:
        result = d2ltf.train_concise(SlowToTraceSGD(LR), f, l, 10, 1, show=False)
    assert CLOCK.now >= TRACE_COST, "the step was never traced: the test checks nothing"
    assert result.sec_per_epoch == 0.0, f"tracing counted as training: {result.sec_per_epoch:g} s"


def test_keras_optimizer_instance_can_be_reused(data):
    """Passing one Keras optimizer to two runs works, and the second run starts afresh."""
    f, l = data[0][:200], data[1][:200]
    optimizer = keras.optimizers.Adam(0.01)
    first = d2ltf.train_concise(optimizer, f, l, 10, 1, show=False)
    second = d2ltf.train_concise(optimizer, f, l, 10, 1, show=False)
    fresh = d2ltf.train_concise(keras.optimizers.Adam(0.01), f, l, 10, 1, show=False)
    assert first.losses == second.losses == fresh.losses
    gap = d2ltf.compare_with_builtin(sgd_tf, lambda d: None, {"lr": 0.1},
                                     keras.optimizers.SGD(0.1), steps=5)
    assert gap < 1e-6


def mx_zeros_states(shapes):
    from mxnet import nd
    return lambda d: tuple(nd.zeros(s) for s in shapes)


@pytest.mark.parametrize("framework", ["mxnet", "tf"])
@pytest.mark.parametrize("hp, error, match", [
    ({"lr": float("nan")}, ValueError, "lr must be a finite number, got nan"),
    ({"lr": float("inf")}, ValueError, "lr must be a finite number, got inf"),
    ({"lr": "0.05"}, TypeError, "lr must be a real number, got str"),
    ({"lr": LR, "momentum": 1.5}, ValueError, r"momentum must lie in \[0, 1\)"),
])
def test_scratch_bad_hyperparameters(framework, hp, error, match, data):
    """NaN / inf / string learning rates used to train into NaN losses or fail obscurely."""
    train, update = (d2lmx.train_scratch, sgd_mx) if framework == "mxnet" else (
        d2ltf.train_scratch, sgd_tf)
    with pytest.raises(error, match=match):
        train(update, None, hp, *data, show=False)


@pytest.mark.parametrize("call, error, match", [
    (lambda f, l: d2lmx.train_concise("sgd", {"learning_rate": LR, "momentum": 1.5}, f, l),
     ValueError, r"momentum must lie in \[0, 1\)"),
    (lambda f, l: d2lmx.train_concise("adam", {"learning_rate": LR, "beta1": float("nan")}, f, l),
     ValueError, "beta1 must be a finite number"),
    (lambda f, l: d2lmx.train_concise("sgd", {"learning_rate": float("inf")}, f, l),
     ValueError, "learning_rate must be a finite number"),
    (lambda f, l: d2lmx.train_concise("rmsprop", {"learning_rate": LR, "gamma1": 1.0}, f, l),
     ValueError, r"gamma1 must lie in \[0, 1\)"),
    (lambda f, l: d2lmx.train_concise("sgd", {"learning_rate": "0.1"}, f, l),
     TypeError, "learning_rate must be a real number"),
    (lambda f, l: d2ltf.train_concise(keras.optimizers.Adam(0.01, beta_1=1.5), f, l),
     ValueError, r"beta_1 must lie in \[0, 1\)"),
    (lambda f, l: d2ltf.train_concise(keras.optimizers.SGD(float("nan")), f, l),
     ValueError, "learning_rate must be a finite number"),
    (lambda f, l: d2ltf.train_concise(keras.optimizers.SGD(LR), f, l, show="yes"),
     TypeError, "show must be True or False"),
], ids=["mx-momentum", "mx-beta1-nan", "mx-lr-inf", "mx-gamma1", "mx-lr-str", "tf-beta1",
        "tf-lr-nan", "tf-show"])
def test_concise_checks_every_hyperparameter(call, error, match, data):
    """The concise trainers check every known optimizer argument, like the scratch trainers."""
    with pytest.raises(error, match=match):
        call(*data)


def test_mxnet_states_of_the_wrong_shape(data):
    """A (5,) buffer for a (5, 1) weight would broadcast to (5, 5); it is refused with the shapes expected."""
    from mxnet import nd
    f, l = data
    states = (nd.zeros(5), nd.zeros(1))
    with pytest.raises(ValueError, match=r"shape \(5,\) matches no parameter.*\(5, 1\), \(1,\)"):
        d2lmx.train_scratch(sgd_mx, states, {"lr": LR}, f, l, show=False)
    with pytest.raises(TypeError, match="not NumPy arrays"):
        d2lmx.train_scratch(sgd_mx, (np.zeros((5, 1)), np.zeros(1)), {"lr": LR}, f, l, show=False)
    with pytest.raises(ValueError, match=r"shape \(1, 5\) matches no parameter"):
        d2lmx.compare_with_builtin(sgd_mx, lambda d: [(nd.zeros((1, d)),)], {"lr": LR}, "sgd",
                                   {"learning_rate": LR})


def test_tf_states_must_be_variables_of_the_right_shape(data):
    f, l = data
    with pytest.raises(ValueError, match=r"shape \(5,\) matches no parameter"):
        d2ltf.train_scratch(sgd_tf, (tf.Variable(tf.zeros(5)),), {"lr": LR}, f, l, show=False)
    with pytest.raises(TypeError, match="must hold tf.Variable"):
        d2ltf.train_scratch(sgd_tf, (tf.zeros((5, 1)),), {"lr": LR}, f, l, show=False)


@pytest.mark.parametrize("framework", ["mxnet", "tf"])
def test_show_keeps_the_readers_figure_size(framework, data):
    """A trainer with show=True draws its curve at the book's size without touching rcParams."""
    f, l = data[0][:100], data[1][:100]
    plt.rcParams["figure.figsize"] = (6.0, 4.5)      # the reader's own choice (conftest restores)
    small_run(framework, "scratch", f, l, show=True)
    assert tuple(plt.rcParams["figure.figsize"]) == (6.0, 4.5), \
        f"show=True reset the reader's figure size to {plt.rcParams['figure.figsize']}"
    assert tuple(plt.gcf().get_size_inches()) == (3.5, 2.5)
