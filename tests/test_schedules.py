"""d2lutils.optim.schedules (saved from book/lr_schedules.ipynb): each schedule's formula, what
MXNet's and Keras's optimizers actually apply, the range test, and loud failures on bad input."""
import math
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
        "one_cycle_2": schedules.one_cycle(0.5, T, 0.3, final_div=10, three_phase=False),
        "sgdr_2": schedules.sgdr(0.5, 10, 2),
        "sgdr_1": schedules.sgdr(0.5, 7, 1, end_lr=0.05),
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
        "one_cycle_2": (s.PolyScheduler(T, 0.5, pwr=1, final_lr=0.005, warmup_steps=15,
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
        "sgdr_2": sch.CosineDecayRestarts(0.5, 10, t_mul=2.0),
        "sgdr_1": sch.CosineDecayRestarts(0.5, 7, t_mul=1.0, alpha=0.1),
    }
    mine = ours()
    for name, schedule in cases.items():
        gap = np.abs(applied_keras(schedule, N) - mine[name](np.arange(N))).max()
        assert gap < 1e-6, (name, gap)


def test_decays_at_key_points():
    """Hand-computed values: the formulas, not only agreement with a framework."""
    mine = ours()
    assert mine["factor"](11) == 0.5 and mine["factor"](12) == 0.25 and mine["factor"](24) == 0.125
    assert mine["multi_factor"](19) == 0.5 and np.isclose(mine["multi_factor"](20), 0.05)
    assert np.isclose(mine["multi_factor"](35), 0.005)
    assert np.isclose(mine["cosine"](T // 2), 0.01 + 0.49 / 2)
    assert np.isclose(mine["cosine"](10), 0.01 + 0.49 * (1 + np.cos(np.pi * 10 / T)) / 2)
    assert np.isclose(mine["polynomial"](10), 0.01 + 0.49 * (1 - 10 / T) ** 2)
    assert np.isclose(mine["polynomial"](T), 0.01) and np.isclose(mine["polynomial"](T + 9), 0.01)
    assert schedules.polynomial(1.0, 10, 0.0, power=0.5)(1) == pytest.approx(0.9 ** 0.5)
    assert schedules.constant(0.3)(np.arange(4)).tolist() == [0.3] * 4


def test_warmup_hands_over_its_clock():
    after = schedules.factor(0.8, 0.5, 5)
    sched = schedules.warmup(after, 4, start_lr=0.2)
    assert [sched(t) for t in range(4)] == pytest.approx([0.2, 0.35, 0.5, 0.65])
    assert [sched(t) for t in (4, 8, 9)] == pytest.approx([0.8, 0.8, 0.4])


def test_one_cycle_three_phases():
    """Smith & Topin: max/div → max in U, back to max/div in U, then to max/(div·final_div)."""
    sched = schedules.one_cycle(1.0, 100, up_fraction=0.4, div=5, final_div=20)
    t = np.arange(130)
    values = sched(t)
    assert values[0] == pytest.approx(0.2) and values[40] == pytest.approx(1.0)
    assert values[20] == pytest.approx(0.6) and values[60] == pytest.approx(0.6)
    assert values[80] == pytest.approx(0.2) and values[90] == pytest.approx(0.1 + 0.005)
    assert values[100] == pytest.approx(0.01) and values[129] == pytest.approx(0.01)
    assert int(np.argmax(values)) == 40
    two = schedules.one_cycle(1.0, 100, up_fraction=0.3, three_phase=False)(t)
    assert int(np.argmax(two)) == 30 and two[65] == pytest.approx((1.0 + 0.001) / 2)


def test_one_cycle_momentum_mirrors_the_rate():
    mom = schedules.one_cycle_momentum(100, up_fraction=0.4, high=0.95, low=0.85)
    assert [mom(t) for t in (0, 20, 40, 60, 80, 90, 100)] == pytest.approx(
        [0.95, 0.90, 0.85, 0.90, 0.95, 0.95, 0.95])
    two = schedules.one_cycle_momentum(100, up_fraction=0.25, high=0.9, low=0.8, three_phase=False)
    assert [two(t) for t in (0, 25, 100)] == pytest.approx([0.9, 0.8, 0.9])


def test_triangular_and_its_decay():
    tri = schedules.triangular(0.1, 0.5, 4)
    assert [tri(t) for t in (0, 2, 4, 6, 8, 12)] == pytest.approx([0.1, 0.3, 0.5, 0.3, 0.1, 0.5])
    tri2 = schedules.triangular(0.1, 0.5, 4, decay=0.5)
    assert [tri2(t) for t in (4, 12, 20)] == pytest.approx([0.5, 0.3, 0.2])


def test_sgdr_restarts():
    sched = schedules.sgdr(1.0, 10, 2, end_lr=0.1)
    assert [sched(t) for t in (0, 10, 30, 70)] == pytest.approx([1.0] * 4)     # restarts
    assert sched(5) == pytest.approx(0.55) and sched(20) == pytest.approx(0.55)  # mid periods
    assert sched(50) == pytest.approx(0.55)
    assert sched(29) == pytest.approx(0.1 + 0.9 * (1 + np.cos(np.pi * 19 / 20)) / 2)
    assert np.allclose(schedules.sgdr(1.0, 10)(np.arange(30)),
                       np.tile(schedules.cosine(1.0, 10)(np.arange(10)), 3))


def test_inverse_sqrt_matches_vaswani():
    """η = d^-1/2 · min(s^-1/2, s·W^-3/2), s = t + 1, with peak_lr = (d·W)^-1/2."""
    d, W = 512, 40
    sched = schedules.inverse_sqrt((d * W) ** -0.5, W)
    for t in (0, 1, 10, 39, 40, 100, 1000):
        s = t + 1
        assert sched(t) == pytest.approx(d ** -0.5 * min(s ** -0.5, s * W ** -1.5))
    assert int(np.argmax(sched(np.arange(200)))) == W - 1


def test_schedules_take_arrays_and_return_floats():
    for sched in list(ours().values()) + [schedules.one_cycle(1.0, 20), schedules.triangular(0.1, 1, 3),
                                          schedules.inverse_sqrt(1.0, 5)]:
        out = sched(np.arange(25))
        assert out.dtype == np.float64 and out.shape == (25,)
        assert isinstance(sched(3), float) and isinstance(sched(np.int64(3)), float)
        assert np.allclose(out, [sched(t) for t in range(25)])


@pytest.mark.parametrize("make", [
    lambda: schedules.constant(-0.1),
    lambda: schedules.constant(float("nan")),
    lambda: schedules.constant(float("inf")),
    lambda: schedules.constant(True),
    lambda: schedules.factor(0.1, 1.5, 10),
    lambda: schedules.factor(0.1, 0.0, 10),
    lambda: schedules.factor(0.1, 0.5, 0),
    lambda: schedules.factor(0.1, 0.5, 2.5),
    lambda: schedules.multi_factor(0.1, 0.5, [30, 20]),
    lambda: schedules.multi_factor(0.1, 0.5, [20, 20]),
    lambda: schedules.multi_factor(0.1, 0.5, []),
    lambda: schedules.multi_factor(0.1, 0.5, [0, 5]),
    lambda: schedules.polynomial(0.1, 0),
    lambda: schedules.polynomial(0.1, 10, end_lr=0.5),
    lambda: schedules.polynomial(0.1, 10, power=0),
    lambda: schedules.cosine(0.1, 10, end_lr=-1),
    lambda: schedules.cosine(0.1, 10, end_lr=0.2),
    lambda: schedules.warmup(0.1, 10),
    lambda: schedules.warmup(lambda t: float("nan"), 10),
    lambda: schedules.warmup(lambda t: -0.1, 10),
    lambda: schedules.warmup(lambda t: np.where(np.asarray(t) > 3, np.nan, 0.1), 2)(np.arange(8)),
    lambda: schedules.warmup(lambda t: np.where(np.asarray(t) > 3, -1.0, 0.1), 2)(9),
    lambda: schedules.warmup(schedules.constant(0.1), 0),
    lambda: schedules.one_cycle(0.1, 1),
    lambda: schedules.one_cycle(0.1, 10, up_fraction=0.5),
    lambda: schedules.one_cycle(0.1, 10, up_fraction=1.0, three_phase=False),
    lambda: schedules.one_cycle(0.1, 10, up_fraction=0.01),
    lambda: schedules.one_cycle(0.1, 10, div=0.5),
    lambda: schedules.one_cycle(0.1, 10, three_phase="yes"),
    lambda: schedules.one_cycle_momentum(10, high=0.8, low=0.9),
    lambda: schedules.one_cycle_momentum(10, high=1.0),
    lambda: schedules.triangular(0.5, 0.1, 10),
    lambda: schedules.triangular(0.1, 0.5, 0),
    lambda: schedules.triangular(0.1, 0.5, 10, decay=1.5),
    lambda: schedules.sgdr(0.1, 0),
    lambda: schedules.sgdr(0.1, 10, mult=0),
    lambda: schedules.sgdr(0.1, 10, mult=1.5),
    lambda: schedules.sgdr(0.1, 10, end_lr=0.3),
    lambda: schedules.inverse_sqrt(0.1, 0),
    lambda: schedules.inverse_sqrt(-0.1, 10),
    lambda: schedules.exponential_range(1.0, 0.1, 10),
    lambda: schedules.exponential_range(0.1, 1.0, 1),
    lambda: schedules.cosine(0.1, 10)(-1),
    lambda: schedules.cosine(0.1, 10)(0.5),
    lambda: schedules.sgdr(0.1, 10)(np.array([1, -2])),
    lambda: schedules.lr_range_test("not a function"),
    lambda: schedules.lr_range_test(lambda lr: 1.0, smoothing=1.0),
    lambda: schedules.lr_range_test(lambda lr: 1.0, stop_factor=1.0),
    lambda: schedules.lr_range_test(lambda lr: float("nan")),
])
def test_bad_input_raises(make):
    with pytest.raises((ValueError, TypeError)):
        make()


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="end_lr"):
        schedules.cosine(0.1, 10, end_lr=0.2)
    with pytest.raises(ValueError, match="after"):
        schedules.warmup(lambda t: float("nan"), 10)
    with pytest.raises(ValueError, match="milestones"):
        schedules.multi_factor(0.1, 0.5, [30, 20])
    with pytest.raises(ValueError, match="update count|updates already applied"):
        schedules.constant(0.1)(-3)


def quadratic_step(lr):
    """One GD step from x = 1 on f(x) = x²/2 leaves loss (1 - lr)²/2: lowest at lr = 1."""
    return 0.5 * (1.0 - lr) ** 2 + 0.1


def test_range_test_on_a_quadratic():
    result = schedules.lr_range_test(quadratic_step, 1e-2, 100.0, steps=200, smoothing=0.8)
    assert len(result.lrs) < 200 and 1.0 < result.lrs[-1] < 5.0   # stopped once it rose
    assert "4 × its minimum" in result.stopped
    s = result.smoothed                      # it stopped at the first point above 4 × the minimum so far
    assert s[-1] > 4 * s[:-1].min() and all(s[k] <= 4 * s[:k + 1].min() for k in range(len(s) - 1))
    assert 0.8 < result.best_lr < 1.6
    assert np.isclose(result.suggested_lr, result.best_lr / 10)
    assert np.allclose(result.losses, 0.5 * (1 - result.lrs) ** 2 + 0.1)
    assert np.allclose(result.lrs, schedules.exponential_range(1e-2, 100.0, 200)(np.arange(len(result.lrs))))


def test_range_test_smoothing_is_the_bias_corrected_average():
    """β = 0.8 (not a symmetric 0.5): swapping β and 1 − β changes every value."""
    losses = [3.0, 1.0, 2.0, 0.5]
    it = iter(losses)
    result = schedules.lr_range_test(lambda lr: next(it), 0.1, 1.0, steps=4, smoothing=0.8,
                                     stop_factor=100.0)
    beta, average, expected = 0.8, 0.0, []
    for t, loss in enumerate(losses):
        average = beta * average + (1 - beta) * loss
        expected.append(average / (1 - beta ** (t + 1)))
    assert np.allclose(result.smoothed, expected)
    assert result.smoothed[1] == pytest.approx((0.8 * 3.0 + 1.0) / 1.8)
    assert result.stopped.startswith("reached lr_max")
    assert result.best_lr == pytest.approx(result.lrs[int(np.argmin(expected))])


def test_range_test_reports_a_nan_loss():
    """A NaN loss stops the test and is reported; best_lr comes from the finite losses."""
    def step(lr):
        return 2.0 - lr if lr < 0.5 else float("nan")
    result = schedules.lr_range_test(step, 0.01, 10.0, steps=100)
    assert "nan" in result.stopped and math.isnan(result.losses[-1])
    assert math.isnan(result.smoothed[-1]) and len(result.smoothed) == len(result.lrs)
    assert result.best_lr == pytest.approx(result.lrs[-2])
    assert result.best_lr > 0.3


def test_range_test_stops_at_lr_max_when_loss_never_rises():
    result = schedules.lr_range_test(lambda lr: 2.3, 1e-3, 1.0, steps=20)
    assert len(result.lrs) == 20 and result.lrs[-1] == pytest.approx(1.0)
    assert result.stopped.startswith("reached lr_max")


def test_import_d2lutils_loads_no_framework():
    code = ("import sys, d2lutils; from d2lutils.optim import schedules; from d2lutils.models import mlp; "
            "from d2lutils.figures import bands; "
            "print(any(m in sys.modules for m in ('mxnet', 'tensorflow')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
