"""Learning-rate schedules in plain NumPy, and the learning-rate range test.

Every schedule is a function ``lr(t)`` of the update count ``t = 0, 1, 2, ...``:
the number of updates already applied before this one, which is what Keras
passes to a schedule (``optimizer.iterations``).  MXNet passes ``t + 1`` (it
counts the update being made); the chapter 学习率调度 shows what that changes.
The functions accept an integer or an integer array and return floats, so a
whole schedule is ``lr(np.arange(n))``.
"""
import math
from typing import Callable, NamedTuple

import numpy as np


def _positive(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def _nonnegative(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def _count(name, value, minimum=1):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _factor(value):
    value = _positive("factor", value)
    if value > 1:
        raise ValueError(f"factor must lie in (0, 1], got {value!r}")
    return value


def _steps(t):
    t = np.asarray(t)
    if t.dtype.kind not in "iu" or np.any(t < 0):
        raise ValueError(f"the update count t must be integers >= 0, got {t!r}")
    return t


def _out(t, values):
    values = np.asarray(values, dtype=float)
    return float(values) if values.ndim == 0 else values


def constant(lr):
    """η_t = lr for every t."""
    lr = _positive("lr", lr)
    return lambda t: _out(t, np.full(np.shape(_steps(t)), lr))


def factor(base_lr, factor, step):
    """η_t = base_lr · factor^⌊t / step⌋: multiply by ``factor`` every ``step`` updates."""
    base_lr, factor, step = _positive("base_lr", base_lr), _factor(factor), _count("step", step)
    return lambda t: _out(t, base_lr * factor ** (_steps(t) // step))


def multi_factor(base_lr, factor, milestones):
    """η_t = base_lr · factor^k, k = number of milestones m with m ≤ t."""
    base_lr, factor = _positive("base_lr", base_lr), _factor(factor)
    milestones = list(milestones)
    if not milestones or any(isinstance(m, bool) or not isinstance(m, (int, np.integer))
                             or m < 1 for m in milestones) \
            or any(b <= a for a, b in zip(milestones, milestones[1:])):
        raise ValueError(f"milestones must be increasing integers >= 1, got {milestones!r}")
    marks = np.array(milestones)
    return lambda t: _out(t, base_lr * factor ** np.searchsorted(marks, _steps(t), side="right"))


def polynomial(base_lr, total, end_lr=0.0, power=1.0):
    """η_t = end + (base − end)(1 − min(t, T)/T)^power, T = ``total``; stays at end after T."""
    base_lr, end_lr = _positive("base_lr", base_lr), _nonnegative("end_lr", end_lr)
    total, power = _count("total", total), _positive("power", power)
    return lambda t: _out(t, end_lr + (base_lr - end_lr)
                          * (1 - np.minimum(_steps(t), total) / total) ** power)


def cosine(base_lr, total, end_lr=0.0):
    """η_t = end + (base − end)(1 + cos(π min(t, T)/T))/2, T = ``total``."""
    base_lr, end_lr, total = (_positive("base_lr", base_lr), _nonnegative("end_lr", end_lr),
                              _count("total", total))
    return lambda t: _out(t, end_lr + (base_lr - end_lr)
                          * (1 + np.cos(np.pi * np.minimum(_steps(t), total) / total)) / 2)


def warmup(after, steps, start_lr=0.0):
    """Linear warmup for ``steps`` updates from ``start_lr`` to ``after(0)``, then ``after(t − steps)``.

    ``after`` is another schedule; its clock starts when the warmup ends.
    """
    if not callable(after):
        raise ValueError(f"after must be a schedule (a function of t), got {after!r}")
    steps, start_lr = _count("steps", steps), _nonnegative("start_lr", start_lr)
    target = after(0)

    def lr(t):
        t = _steps(t)
        ramp = start_lr + (target - start_lr) * t / steps
        return _out(t, np.where(t < steps, ramp, after(np.maximum(t - steps, 0))))
    return lr


def one_cycle(max_lr, total, up_fraction=0.3, div=10.0, final_div=100.0):
    """One cycle (Smith & Topin): linear from max/div up to max, then linear down to max/final_div.

    The rise takes ``round(up_fraction · total)`` updates, the fall the rest;
    after ``total`` updates the rate stays at ``max_lr / final_div``.
    """
    max_lr, total = _positive("max_lr", max_lr), _count("total", total, 2)
    if not 0 < up_fraction < 1:
        raise ValueError(f"up_fraction must lie strictly between 0 and 1, got {up_fraction!r}")
    up = min(max(1, round(up_fraction * total)), total - 1)
    return warmup(polynomial(max_lr, total - up, max_lr / _positive("final_div", final_div)),
                  up, max_lr / _positive("div", div))


def exponential_range(lr_min, lr_max, steps):
    """The range test's ramp: η_t = lr_min · (lr_max/lr_min)^(t/(steps−1)), t < steps."""
    lr_min, lr_max, steps = _positive("lr_min", lr_min), _positive("lr_max", lr_max), \
        _count("steps", steps, 2)
    if lr_max <= lr_min:
        raise ValueError(f"lr_max must exceed lr_min, got {lr_min} and {lr_max}")
    ratio = lr_max / lr_min
    return lambda t: _out(t, lr_min * ratio ** (np.minimum(_steps(t), steps - 1) / (steps - 1)))


class RangeTest(NamedTuple):
    """What :func:`lr_range_test` measured: the rates tried and the (smoothed) losses."""

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    best_lr: float        # the rate at the lowest smoothed loss
    suggested_lr: float   # best_lr / 10, the usual pick


def lr_range_test(step, lr_min=1e-4, lr_max=10.0, steps=100, smoothing=0.9, stop_factor=4.0):
    """Smith's learning-rate range test with an exponential ramp.

    ``step(lr)`` performs one update of a *fresh* training run with learning
    rate ``lr`` and returns that minibatch's loss (a float).  The rate grows
    from ``lr_min`` to ``lr_max`` over ``steps`` updates; the losses are
    smoothed by a bias-corrected exponential moving average, and the test stops
    early once the smoothed loss exceeds ``stop_factor`` times its minimum or
    stops being finite.
    """
    if not callable(step):
        raise ValueError(f"step must be a function lr -> loss, got {step!r}")
    if not 0 <= smoothing < 1:
        raise ValueError(f"smoothing must lie in [0, 1), got {smoothing!r}")
    stop_factor = _positive("stop_factor", stop_factor)
    schedule = exponential_range(lr_min, lr_max, steps)
    lrs, losses, smoothed = [], [], []
    average, best = 0.0, math.inf
    for t in range(steps):
        lr = schedule(t)
        loss = float(step(lr))
        lrs.append(lr)
        losses.append(loss)
        average = smoothing * average + (1 - smoothing) * loss
        value = average / (1 - smoothing ** (t + 1))
        smoothed.append(value)
        if not math.isfinite(value) or value > stop_factor * best:
            break
        best = min(best, value)
    smoothed = np.array(smoothed)
    best_lr = lrs[int(np.nanargmin(np.where(np.isfinite(smoothed), smoothed, np.inf)))]
    return RangeTest(np.array(lrs), np.array(losses), smoothed, best_lr, best_lr / 10)


#: The schedules by name, for loops in the chapters and tests.
SCHEDULES: dict = {
    "constant": constant, "factor": factor, "multi_factor": multi_factor,
    "polynomial": polynomial, "cosine": cosine, "warmup": warmup, "one_cycle": one_cycle,
}
Schedule = Callable[[int], float]
