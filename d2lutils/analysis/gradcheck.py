"""Numerical gradients and the gradient check (NumPy only).

A numerical gradient perturbs one coordinate at a time and measures how much
the function changes::

    forward:   (f(x + h e_i) - f(x)) / h            error O(h)
    centered:  (f(x + h e_i) - f(x - h e_i)) / 2h   error O(h^2)

It costs one (forward) or two (centered) evaluations of ``f`` per coordinate,
so it is only used to *check* an analytic gradient on a small problem::

    result = gradient_check(f, x, analytic_grad)   # raises GradientCheckError if wrong
    result.max_error, result.worst                  # largest relative error, its index

The arithmetic happens in the dtype of ``x``: pass float64 arrays unless you
want to see what float32 round-off does.
"""
from typing import NamedTuple

import numpy as np

METHODS = ("centered", "forward")


class GradientCheckError(AssertionError):
    """An analytic gradient disagrees with the numerical one (the message names the coordinate)."""


def _check_point(x):
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise TypeError("x must be a floating-point NumPy array (it is perturbed in place), got "
                        f"{type(x).__name__}" + (f" of dtype {x.dtype}" if hasattr(x, "dtype") else ""))
    if x.size == 0 or not np.all(np.isfinite(x)):
        raise ValueError(f"x must be a non-empty array of finite numbers, got shape {x.shape}")


def _check_h(h):
    if isinstance(h, bool) or not isinstance(h, (int, float, np.floating)) or not np.isfinite(h) \
            or h <= 0:
        raise ValueError(f"h must be a positive finite number, got {h!r}")


def numerical_gradient(f, x, h=1e-5, method="centered", coords=None):
    """Finite-difference gradient of the scalar function ``f`` at ``x``.

    ``x`` is perturbed in place one coordinate at a time and restored (so ``f``
    may close over it or receive it); the result has the shape and dtype of ``x``.
    ``coords`` (an iterable of multi-indices) limits the work to those entries;
    the others stay 0.  ``method`` is ``"centered"`` or ``"forward"``.
    """
    _check_point(x)
    _check_h(h)
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    grad = np.zeros_like(x)
    f0 = float(f(x)) if method == "forward" else None
    if coords is None:
        coords = np.ndindex(x.shape)
    for ix in coords:
        ix = tuple(np.atleast_1d(ix)) if x.ndim else ()
        old = x[ix]
        x[ix] = old + h
        f_plus = float(f(x))
        if method == "centered":
            x[ix] = old - h
            f_minus = float(f(x))
            grad[ix] = (f_plus - f_minus) / (2 * h)
        else:
            grad[ix] = (f_plus - f0) / h
        x[ix] = old
    return grad


def relative_error(a, b, floor=0.0):
    """Elementwise ``|a - b| / max(|a|, |b|, floor)``, with 0 where the denominator is 0.

    With ``floor > 0``, entries smaller than ``floor`` are compared on the
    absolute scale ``floor`` instead of their own (tiny) size.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} and {b.shape}")
    if not floor >= 0:
        raise ValueError(f"floor must be non-negative, got {floor!r}")
    scale = np.maximum(np.maximum(np.abs(a), np.abs(b)), floor)
    diff = np.abs(a - b)
    return np.divide(diff, scale, out=np.zeros_like(diff), where=scale > 0)


class GradCheck(NamedTuple):
    """Outcome of :func:`gradient_check`.

    ``errors`` holds the relative error of each checked coordinate (NaN where not
    checked), with the denominator floored at ``floor``; ``worst`` is the index
    of the largest, ``max_error`` its value, ``analytic``/``numerical`` the two
    gradients there.
    """

    passed: bool
    max_error: float
    worst: tuple
    analytic: float
    numerical: float
    errors: np.ndarray
    tol: float
    floor: float

    @property
    def message(self):
        verdict = "passed" if self.passed else "FAILED"
        return (f"gradient check {verdict}: max relative error {self.max_error:.1e} "
                f"(tolerance {self.tol:.0e}) at coordinate {self.worst}: "
                f"analytic {self.analytic:.6g}, numerical {self.numerical:.6g}")


def gradient_check(f, x, analytic, h=1e-5, tol=1e-6, atol=None, num_checks=None, seed=0,
                   raise_on_fail=True):
    """Compare an analytic gradient with the centered numerical gradient of ``f`` at ``x``.

    ``analytic`` has the shape of ``x``.  Each checked coordinate gets the
    relative error ``|a - n| / max(|a|, |n|, atol / tol)``; the check passes
    when the largest is at most ``tol``.  The floor ``atol / tol`` means that a
    difference of at most ``atol`` never fails: the numerical gradient is not
    more precise than that.  The default ``atol = 10 eps |f(x)| / h`` (``eps``
    of float64, ``|f(x)|`` at least 1) is about the round-off of a float64
    centered difference; without it an analytic 0 against a numerical 1e-11
    would count as a relative error of 1.  With ``num_checks`` only that many
    coordinates, drawn at random with ``seed``, are checked (two evaluations of
    ``f`` each).  Returns a :class:`GradCheck`; on failure with
    ``raise_on_fail`` raises :class:`GradientCheckError`, whose message names the
    worst coordinate and both values there.
    """
    _check_point(x)
    _check_h(h)
    analytic = np.asarray(analytic)
    if analytic.shape != x.shape:
        raise ValueError(f"analytic gradient has shape {analytic.shape}, expected {x.shape}")
    if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not tol > 0:
        raise ValueError(f"tol must be a positive number, got {tol!r}")
    if atol is None:
        atol = 10 * np.finfo(np.float64).eps * max(1.0, abs(float(f(x)))) / h
    elif isinstance(atol, bool) or not isinstance(atol, (int, float)) or not atol >= 0:
        raise ValueError(f"atol must be a non-negative number, got {atol!r}")
    if num_checks is None:
        flat = np.arange(x.size)
    else:
        if isinstance(num_checks, bool) or not isinstance(num_checks, (int, np.integer)) \
                or num_checks < 1:
            raise ValueError(f"num_checks must be a positive integer, got {num_checks!r}")
        rng = np.random.default_rng(seed)
        flat = np.sort(rng.choice(x.size, size=min(num_checks, x.size), replace=False))
    coords = [np.unravel_index(i, x.shape) for i in flat]
    numerical = numerical_gradient(f, x, h=h, method="centered", coords=coords)
    floor = atol / tol
    errors = np.full(x.shape, np.nan)
    for ix in coords:
        errors[ix] = relative_error(analytic[ix], numerical[ix], floor)
    worst = tuple(int(i) for i in np.unravel_index(np.nanargmax(errors), x.shape))
    max_error = float(errors[worst])
    result = GradCheck(max_error <= tol, max_error, worst, float(analytic[worst]),
                       float(numerical[worst]), errors, float(tol), float(floor))
    if not result.passed and raise_on_fail:
        raise GradientCheckError(result.message)
    return result
