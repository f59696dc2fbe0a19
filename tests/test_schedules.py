"""d2lutils.optim.schedules: each schedule equals what MXNet's and Keras's optimizers actually apply."""
import subprocess
import sys

import numpy as np
import pytest

import d2lutils  # noqa: F401  (first: fixes the MXNet/TensorFlow import order)
from d2lutils.optim import schedules

T = 50          # schedule length in the comparisons
N = 70          # updates probed (beyond T, so the end value is checked too)


def ours():
    return {
        "factor": schedules.factor(0.5, 0.5, 12),
        "multi_factor": schedules.multi_factor(0.5, 0.1, [20, 35]),
        "polynomial": schedules.polynomial(0.5, T, 0.01, power=2),
        "cosine": schedules.cosine(0.5, T, 0.01),
        "warmup_cosine": schedules.warmup(schedules.cosine(0.5, T - 10, 0.01), 10),
        "one_cycle": schedules.one_cycle(0.5, T),
    }


def applied_mxnet(scheduler, n):
    import mxnet as mx
    updater = mx.optimizer.get_updater(
        mx.optimizer.SGD(learning_rate=scheduler.base_lr, lr_scheduler=scheduler))
    w, g, out = mx.nd.zeros(1), mx.nd.ones(1), []
    for _ in range(n):
        w[:] = 0
        updater(0, g, w)
        out.append(-w.asscalar())
    return np.array(out)


def applied_keras(schedule, n):
    import tensorflow as tf
    from tensorflow import keras
    optimizer = keras.optimizers.SGD(learning_rate=schedule)
    w, g = tf.Variable([0.0]), tf.ones(1)
    optimizer.build([w])

    @tf.function
    def update():
        w.assign([0.0])
        optimizer.apply_gradients([(g, w)])
        return -w[0]
    return np.array([float(update()) for _ in range(n)])


def test_mxnet_schedulers_equal_ours():
    """MXNet's k-th update (k = 1, 2, ...) uses η_(k-1) for Factor/MultiFactor and η_k for Poly/Cosine."""
    import mxnet as mx
    s = mx.lr_scheduler
    k = np.arange(1, N + 1)
    cases = {
        "factor": (s.FactorScheduler(12, 0.5, base_lr=0.5), k - 1),
        "multi_factor": (s.MultiFactorScheduler([20, 35], 0.1, base_lr=0.5), k - 1),
        "polynomial": (s.PolyScheduler(T, 0.5, pwr=2, final_lr=0.01), k),
        "cosine": (s.CosineScheduler(T, 0.5, final_lr=0.01), k),
        "warmup_cosine": (s.CosineScheduler(T, 0.5, final_lr=0.01, warmup_steps=10), k),
        "one_cycle": (s.PolyScheduler(T, 0.5, pwr=1, final_lr=0.005, warmup_steps=15,
                                      warmup_begin_lr=0.05), k),
    }
    mine = ours()
    for name, (scheduler, t) in cases.items():
        gap = np.abs(applied_mxnet(scheduler, N) - mine[name](t)).max()
        assert gap < 1e-6, (name, gap)


def test_keras_schedules_equal_ours():
    """Keras's k-th update uses η_(k-1) (it passes optimizer.iterations, counted from 0)."""
    from tensorflow import keras
    sch = keras.optimizers.schedules
    cases = {
        "factor": sch.ExponentialDecay(0.5, 12, 0.5, staircase=True),
        "multi_factor": sch.PiecewiseConstantDecay([19, 34], [0.5, 0.05, 0.005]),
        "polynomial": sch.PolynomialDecay(0.5, T, 0.01, power=2),
        "cosine": sch.CosineDecay(0.5, T, alpha=0.02),
        "warmup_cosine": sch.CosineDecay(0.0, T - 10, alpha=0.02, warmup_target=0.5,
                                         warmup_steps=10),
    }
    mine = ours()
    for name, schedule in cases.items():
        gap = np.abs(applied_keras(schedule, N) - mine[name](np.arange(N))).max()
        assert gap < 1e-6, (name, gap)


def test_values_at_key_points():
    """Hand-computed values: the formulas, not only agreement with a framework."""
    mine = ours()
    assert mine["factor"](11) == 0.5 and mine["factor"](12) == 0.25
    assert mine["multi_factor"](19) == 0.5 and np.isclose(mine["multi_factor"](20), 0.05)
    assert np.isclose(mine["cosine"](T // 2), 0.01 + 0.49 / 2)
    assert np.isclose(mine["polynomial"](T), 0.01) and np.isclose(mine["polynomial"](T + 9), 0.01)
    assert mine["warmup_cosine"](0) == 0.0 and np.isclose(mine["warmup_cosine"](5), 0.25)
    cycle = mine["one_cycle"](np.arange(T + 5))
    assert np.isclose(cycle[0], 0.05) and np.isclose(cycle.max(), 0.5)
    assert int(np.argmax(cycle)) == 15 and np.isclose(cycle[-1], 0.005)
    assert schedules.constant(0.3)(np.arange(4)).tolist() == [0.3] * 4


@pytest.mark.parametrize("make", [
    lambda: schedules.constant(-0.1),
    lambda: schedules.constant(float("nan")),
    lambda: schedules.factor(0.1, 1.5, 10),
    lambda: schedules.factor(0.1, 0.5, 0),
    lambda: schedules.factor(0.1, 0.5, 2.5),
    lambda: schedules.multi_factor(0.1, 0.5, [30, 20]),
    lambda: schedules.multi_factor(0.1, 0.5, []),
    lambda: schedules.polynomial(0.1, 0),
    lambda: schedules.cosine(0.1, 10, end_lr=-1),
    lambda: schedules.warmup(0.1, 10),
    lambda: schedules.one_cycle(0.1, 1),
    lambda: schedules.one_cycle(0.1, 10, up_fraction=1.0),
    lambda: schedules.exponential_range(1.0, 0.1, 10),
    lambda: schedules.cosine(0.1, 10)(-1),
    lambda: schedules.cosine(0.1, 10)(0.5),
    lambda: schedules.lr_range_test("not a function"),
])
def test_bad_input_raises(make):
    with pytest.raises(ValueError):
        make()


def test_range_test_on_a_quadratic():
    """One GD step from x = 1 on f(x) = x²/2 leaves loss (1 - lr)²/2: lowest at lr = 1."""
    def step(lr):
        return 0.5 * (1.0 - lr) ** 2 + 0.1

    result = schedules.lr_range_test(step, 1e-2, 100.0, steps=200, smoothing=0.5)
    assert len(result.lrs) < 200 and 1.0 < result.lrs[-1] < 5.0   # stopped once it rose
    assert 0.8 < result.best_lr < 1.5
    assert np.isclose(result.suggested_lr, result.best_lr / 10)
    assert np.allclose(result.losses, 0.5 * (1 - result.lrs) ** 2 + 0.1)


def test_import_d2lutils_loads_no_framework():
    code = ("import sys, d2lutils; from d2lutils.optim import schedules; from d2lutils.models import mlp; from d2lutils.figures import bands; "
            "print(any(m in sys.modules for m in ('mxnet', 'tensorflow')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
