"""Gradient descent and Nesterov's accelerated gradient, the methods whose rates the convexity chapter measures.

The functions on which these rates are tight live with the other test functions in
:mod:`d2lutils.analysis.functions` (:func:`~d2lutils.analysis.functions.huber_worst_case`,
:func:`~d2lutils.analysis.functions.nesterov_worst_case`).
"""
import numpy as np

from ..validation import check_non_negative_int, check_scalar


def _steps(steps):
    return int(check_non_negative_int(steps, "steps"))


def _positive(name, value):
    return float(check_scalar(value, name, min_val=0, include_boundaries="neither"))


def gradient_descent(grad, x0, steps, lr):
    """Plain gradient descent; returns the points, shape ``(steps + 1, d)``."""
    steps, lr = _steps(steps), _positive("lr", lr)
    x = np.atleast_1d(np.array(x0, dtype=float))
    points = [x.copy()]
    for _ in range(steps):
        x = x - lr * grad(x)
        points.append(x.copy())
    return np.array(points)


def accelerated_gradient(grad, x0, steps, L):
    """Nesterov's accelerated gradient in the FISTA form (Beck & Teboulle 2009), η = 1/L.

    x_k = y_k − ∇f(y_k)/L,  s_{k+1} = (1 + √(1 + 4 s_k²))/2,
    y_{k+1} = x_k + (s_k − 1)/s_{k+1} (x_k − x_{k−1}),  s_1 = 1, y_1 = x_0.
    Returns x_0, x_1, …, x_steps; on an L-smooth convex f,
    f(x_k) − f* ≤ 2L‖x_0 − x*‖² / (k + 1)².
    """
    steps, L = _steps(steps), _positive("L", L)
    x = np.atleast_1d(np.array(x0, dtype=float))
    y, s = x.copy(), 1.0
    points = [x.copy()]
    for _ in range(steps):
        x_new = y - grad(y) / L
        s_new = (1 + np.sqrt(1 + 4 * s * s)) / 2
        y = x_new + (s - 1) / s_new * (x_new - x)
        x, s = x_new, s_new
        points.append(x.copy())
    return np.array(points)
