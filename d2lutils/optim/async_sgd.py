"""Asynchronous SGD simulated: every update uses a gradient computed τ steps earlier.

In a parameter-server setup without synchronization (Downpour, Hogwild!) a
worker reads the parameters, computes a gradient, and by the time it is applied
other workers have made τ more updates.  :func:`stale_gd` models exactly that
on one machine: x_{t+1} = x_t − η ∇f(x_{t−τ}) (with x_s = x_0 for s < 0).
"""
import numpy as np

from ..validation import check_non_negative_int, check_scalar


def stale_gd(grad, x0, lr, tau, steps, bound=1e6):
    """Points x_0..x_steps of gradient descent with staleness ``tau`` (0 = ordinary GD).

    ``grad(x)`` returns the gradient at ``x``.  Stops early, returning the points so
    far and ``diverged=True``, once a coordinate leaves [−bound, bound].
    Returns ``(points, diverged)``.
    """
    check_non_negative_int(tau, "tau")
    check_non_negative_int(steps, "steps")
    check_scalar(lr, "lr", min_val=0, include_boundaries="neither")
    points = [np.atleast_1d(np.asarray(x0, dtype=float)).copy()]
    for t in range(steps):
        old = points[max(t - tau, 0)]
        x = points[-1] - lr * np.asarray(grad(old), dtype=float)
        if not np.all(np.isfinite(x)) or np.max(np.abs(x)) > bound:
            return np.array(points), True
        points.append(x)
    return np.array(points), False


def max_stable_lr(curvature, tau):
    """Largest η for which stale GD on f(x) = curvature · x² / 2 converges (bisection on the roots).

    The recursion x_{t+1} = x_t − η c x_{t−τ} is stable iff every root of
    z^{τ+1} − z^τ + η c = 0 lies inside the unit circle; for τ = 0 this gives η < 2/c.
    """
    check_scalar(curvature, "curvature", min_val=0, include_boundaries="neither")
    check_non_negative_int(tau, "tau")

    def stable(lr):
        coeffs = np.zeros(tau + 2)
        coeffs[0] = 1.0
        coeffs[1] -= 1.0
        coeffs[-1] += lr * curvature
        return np.max(np.abs(np.roots(coeffs))) < 1.0

    lo, hi = 0.0, 2.0 / curvature
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if stable(mid) else (lo, mid)
    return lo
