"""Newton's method, line search and conjugate gradient, in plain NumPy (chapter 牛顿法与二阶方法).

* :func:`newton_step`, :func:`modify_hessian`, :func:`backtracking` and
  :func:`newton` (pure, damped, with a line search and/or a positive-definite
  Hessian modification) on a :class:`~d2lutils.analysis.functions.TestFunction`;
* :func:`conjugate_gradient` for a symmetric positive-definite system (a matrix
  or a Hessian–vector product);
* :func:`correct_digits` for "how many digits are right".
"""
from typing import NamedTuple

import numpy as np

from ..validation import check_non_negative_int, check_scalar, check_square_matrix


def _steps(steps):
    return int(check_non_negative_int(steps, "steps"))


def _positive(name, value):
    return float(check_scalar(value, name, min_val=0, include_boundaries="neither"))


def _square(name, matrix):
    return check_square_matrix(matrix, name)


# ----------------------------------------------------------------------------
# Newton's method

def newton_step(grad, hess):
    """The Newton direction −H⁻¹g (solved, never inverted).

    ``grad`` has shape ``(d,)``, ``hess`` shape ``(d, d)``.  Raises
    ``ValueError`` for mismatched shapes or a singular Hessian.
    """
    hess = _square("hess", hess)
    grad = np.asarray(grad, dtype=float)
    if grad.shape != (hess.shape[0],):
        raise ValueError(f"grad must have shape ({hess.shape[0]},) to match a "
                         f"{hess.shape} Hessian, got {grad.shape}")
    try:
        return -np.linalg.solve(hess, grad)
    except np.linalg.LinAlgError:
        raise ValueError("the Hessian is singular: the Newton step is not defined") from None


def modify_hessian(hess, delta=1e-3):
    """A positive-definite stand-in for a symmetric ``hess``: eigenvalues λ → max(|λ|, δ).

    Directions of negative curvature keep their size but change sign, so the
    Newton step along them goes downhill instead of uphill.
    """
    hess = _square("hess", hess)
    delta = _positive("delta", delta)
    if not np.allclose(hess, hess.T, rtol=1e-10, atol=1e-12):
        raise ValueError("hess must be symmetric")
    lam, vecs = np.linalg.eigh(hess)
    return (vecs * np.maximum(np.abs(lam), delta)) @ vecs.T


def backtracking(f, x, direction, grad, alpha=1.0, rho=0.5, c=1e-4, max_halvings=50):
    """Armijo backtracking: the first α = α₀, ρα₀, ρ²α₀, … with f(x + αd) ≤ f(x) + c α ∇fᵀd.

    ``direction`` must be a descent direction (∇fᵀd < 0).  Returns α.
    """
    slope = float(np.dot(grad, direction))
    if not slope < 0:
        raise ValueError(f"direction is not a descent direction (grad·d = {slope:.3g} >= 0)")
    if not 0 < rho < 1 or not 0 < c < 1:
        raise ValueError(f"need 0 < rho < 1 and 0 < c < 1, got rho={rho}, c={c}")
    fx = f(x)
    for _ in range(max_halvings):
        trial = x + alpha * direction
        value = f(trial)
        if np.isfinite(value) and value <= fx + c * alpha * slope:
            return alpha
        alpha *= rho
    return alpha


class NewtonRun(NamedTuple):
    """Points visited by :func:`newton` and the step size α used at each step."""

    points: np.ndarray
    alphas: np.ndarray
    diverged: bool


def newton(fn, x0, steps, lr=1.0, line_search=False, modify=False, delta=1e-3, tol=0.0,
           bound=1e6):
    """Newton's method x ← x + α d, d = −H⁻¹∇f, on a :class:`~d2lutils.functions.TestFunction`.

    ``lr`` is a fixed α (damping, α < 1); with ``line_search=True`` α comes from
    :func:`backtracking` starting at ``lr``; with ``modify=True`` the Hessian is
    replaced by :func:`modify_hessian` (so d is always a descent direction).
    Stops when ‖∇f‖ ≤ ``tol``; stops with ``diverged=True`` when a coordinate
    leaves ``[-bound, bound]`` or the (unmodified) Hessian is singular.
    """
    steps = _steps(steps)
    lr = _positive("lr", lr)
    x = np.atleast_1d(np.array(x0, dtype=float))
    if x.shape != (fn.dim,):
        raise ValueError(f"x0 must be a point of dimension {fn.dim}, got shape {x.shape}")
    points, alphas = [x.copy()], []
    for _ in range(steps):
        g = fn.grad(x)
        if np.linalg.norm(g) <= tol:
            break
        h = fn.hess(x)
        if modify:
            h = modify_hessian(h, delta)
        try:
            d = newton_step(g, h)
        except ValueError:
            return NewtonRun(np.array(points), np.array(alphas), True)
        alpha = backtracking(fn.value, x, d, g, alpha=lr) if line_search else lr
        x = x + alpha * d
        if not np.all(np.isfinite(x)) or np.max(np.abs(x)) > bound:
            return NewtonRun(np.array(points), np.array(alphas), True)
        points.append(x.copy())
        alphas.append(alpha)
    return NewtonRun(np.array(points), np.array(alphas), False)


def correct_digits(x, x_star):
    """Number of correct decimal digits, −log10 of the error ‖x − x*‖ (inf when exact)."""
    err = float(np.linalg.norm(np.atleast_1d(np.asarray(x, float) - np.asarray(x_star, float))))
    return np.inf if err == 0 else -np.log10(err)


# ----------------------------------------------------------------------------
# conjugate gradient

class CGResult(NamedTuple):
    """Solution of Ax = b by :func:`conjugate_gradient` and the residual norms ‖b − Ax_k‖."""

    x: np.ndarray
    residuals: np.ndarray
    iterations: int


def conjugate_gradient(A, b, x0=None, tol=1e-10, max_iter=None):
    """Solve Ax = b for symmetric positive-definite ``A`` by conjugate gradients.

    ``A`` is a matrix or a function v ↦ Av (e.g. a Hessian–vector product).
    Stops when ‖b − Ax‖ ≤ tol·‖b‖ or after ``max_iter`` steps (default: d).
    Raises ``ValueError`` if it meets a direction with pᵀAp ≤ 0 (A is not
    positive definite).  In exact arithmetic it needs at most d steps.
    """
    b = np.asarray(b, dtype=float)
    if b.ndim != 1 or not np.all(np.isfinite(b)):
        raise ValueError(f"b must be a finite 1-D vector, got shape {b.shape}")
    if callable(A):
        matvec = A
    else:
        A = _square("A", A)
        if A.shape[0] != b.shape[0]:
            raise ValueError(f"A is {A.shape} but b has length {b.shape[0]}")
        matvec = A.__matmul__
    d = b.shape[0]
    max_iter = d if max_iter is None else _steps(max_iter)
    x = np.zeros(d) if x0 is None else np.array(x0, dtype=float)
    r = b - matvec(x)
    p = r.copy()
    rs = float(r @ r)
    residuals = [np.sqrt(rs)]
    stop = tol * np.linalg.norm(b)
    k = 0
    while k < max_iter and residuals[-1] > stop:
        Ap = matvec(p)
        curvature = float(p @ Ap)
        if curvature <= 0:
            raise ValueError(f"A is not positive definite (pᵀAp = {curvature:.3g} at step {k + 1})")
        alpha = rs / curvature
        x = x + alpha * p
        r = r - alpha * Ap
        rs_new = float(r @ r)
        p = r + (rs_new / rs) * p
        rs = rs_new
        residuals.append(np.sqrt(rs))
        k += 1
    return CGResult(x, np.array(residuals), k)


