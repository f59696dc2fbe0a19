"""Second-order methods and convergence-rate experiments in plain NumPy.

Used by the chapters 凸性 (convexity) and 牛顿法与二阶方法 (Newton's method):

* :func:`newton_step`, :func:`modify_hessian`, :func:`backtracking` and
  :func:`newton` (pure, damped, with a line search and/or a positive-definite
  Hessian modification) on a :class:`~d2lutils.functions.TestFunction`;
* :func:`conjugate_gradient` for a symmetric positive-definite system;
* the functions on which the rates of gradient descent are tight:
  :func:`huber_worst_case` (O(1/t)) and :func:`nesterov_worst_case` (the
  O(1/t²) lower bound for every first-order method), with
  :func:`gradient_descent` and :func:`accelerated_gradient` to run on them;
* :func:`correct_digits` for "how many digits are right".

Every public function checks its input and raises ``ValueError`` with a
message that says what was expected.
"""
from typing import NamedTuple

import numpy as np


def _steps(steps):
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    return int(steps)


def _positive(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a real number > 0, got {value!r}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def _square(name, matrix):
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {matrix.shape}")
    if not np.all(np.isfinite(matrix)):
        raise ValueError(f"{name} must be finite")
    return matrix


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


# ----------------------------------------------------------------------------
# rates of first-order methods and the functions that make them tight

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


def huber_worst_case(L, R, steps):
    """The 1-D Huber function on which gradient descent with η = 1/L is worst after ``steps`` steps.

    f(x) = L x²/2 for |x| ≤ δ and L δ |x| − L δ²/2 outside, δ = R/(2N + 1).
    From x₀ = R, N steps of size 1/L give exactly f(x_N) − f* = L R²/(4N + 2)
    (Drori & Teboulle 2014).  Returns ``(f, grad)`` acting on 1-D arrays.
    """
    L, R, steps = _positive("L", L), _positive("R", R), _steps(steps)
    delta = R / (2 * steps + 1)

    def f(x):
        a = np.abs(np.asarray(x, float))
        return float(np.sum(np.where(a <= delta, L * a ** 2 / 2, L * delta * a - L * delta ** 2 / 2)))

    def grad(x):
        x = np.asarray(x, float)
        return L * np.clip(x, -delta, delta)

    return f, grad


def _tridiag_matvec(x):
    """tridiag(−1, 2, −1) @ x without forming the matrix."""
    out = 2 * x
    out[1:] -= x[:-1]
    out[:-1] -= x[1:]
    return out


class Quadratic(NamedTuple):
    """f(x) = ½ xᵀAx − bᵀx given by ``matvec`` (v ↦ Av), with minimizer ``x_star`` and minimum ``f_star``."""

    matvec: object
    b: np.ndarray
    x_star: np.ndarray
    f_star: float

    def value(self, x):
        x = np.asarray(x, float)
        return float(0.5 * x @ self.matvec(x) - self.b @ x)

    def grad(self, x):
        return self.matvec(np.asarray(x, float)) - self.b


def nesterov_worst_case(d, L=1.0):
    """Nesterov's "worst function in the world" for first-order methods (Lectures, §2.1.2).

    f(x) = (L/4)(½ xᵀAx − x₁), A = tridiag(−1, 2, −1) of size d.  Any method
    whose iterates lie in x₀ + span of past gradients, started at x₀ = 0,
    satisfies f(x_k) − f* ≥ 3L‖x₀ − x*‖² / (32 (k + 1)²) for k ≤ (d − 1)/2.
    Its Hessian has largest eigenvalue below L.
    """
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1:
        raise ValueError(f"d must be a positive integer, got {d!r}")
    L = _positive("L", L)
    b = np.zeros(d)
    b[0] = L / 4
    i = np.arange(1, d + 1)
    x_star = 1 - i / (d + 1)
    quad = Quadratic(lambda x: L / 4 * _tridiag_matvec(x), b, x_star, 0.0)
    return quad._replace(f_star=quad.value(x_star))


# ----------------------------------------------------------------------------
# a 1-D function on which pure Newton overshoots

def soft_abs():
    """f(x) = √(1 + x²) − 1: convex, minimum 0 at 0, and Newton's step is x ↦ −x³.

    f' = x/√(1+x²), f'' = (1+x²)^(−3/2), so x − f'/f'' = −x³: pure Newton
    converges (cubically) from |x₀| < 1 and diverges from |x₀| > 1.
    """
    from ..analysis.functions import TestFunction

    return TestFunction(
        name="soft_abs", formula=r"\sqrt{1 + x^2} - 1", dim=1,
        _value=lambda x: x ** 2 / (np.sqrt(1 + x ** 2) + 1),   # = √(1+x²) − 1 without cancellation
        _grad=lambda x: [x / np.sqrt(1 + x ** 2)],
        _hess=lambda x: [[(1 + x ** 2) ** -1.5]],
        minimizers=((0.0,),))


# ----------------------------------------------------------------------------
# a small multilayer perceptron with a flat parameter vector (for scipy.optimize)

class FlatMLP:
    """A one-hidden-layer tanh MLP with softmax cross-entropy, parameters in one flat vector.

    ``FlatMLP(sizes=(64, 32, 10))``; :meth:`loss_grad` returns the mean loss and
    its gradient for ``scipy.optimize.minimize(..., jac=True)``; :meth:`init`
    draws seeded initial parameters (scaled by 1/√fan_in).
    """

    def __init__(self, sizes=(64, 32, 10)):
        if len(sizes) != 3 or any(isinstance(s, bool) or not isinstance(s, (int, np.integer))
                                  or s < 1 for s in sizes):
            raise ValueError(f"sizes must be three positive integers (in, hidden, out), got {sizes!r}")
        self.sizes = tuple(int(s) for s in sizes)
        n_in, n_hid, n_out = self.sizes
        self.shapes = [(n_in, n_hid), (n_hid,), (n_hid, n_out), (n_out,)]
        self.size = sum(int(np.prod(s)) for s in self.shapes)

    def unpack(self, theta):
        theta = np.asarray(theta, dtype=float)
        if theta.shape != (self.size,):
            raise ValueError(f"theta must have shape ({self.size},), got {theta.shape}")
        out, start = [], 0
        for shape in self.shapes:
            n = int(np.prod(shape))
            out.append(theta[start:start + n].reshape(shape))
            start += n
        return out

    def init(self, seed=0):
        rng = np.random.default_rng(seed)
        n_in, n_hid, n_out = self.sizes
        parts = [rng.normal(0, 1 / np.sqrt(n_in), (n_in, n_hid)), np.zeros(n_hid),
                 rng.normal(0, 1 / np.sqrt(n_hid), (n_hid, n_out)), np.zeros(n_out)]
        return np.concatenate([p.ravel() for p in parts])

    def loss_grad(self, theta, X, y):
        """Mean cross-entropy over (X, y) and its gradient with respect to ``theta``."""
        W1, b1, W2, b2 = self.unpack(theta)
        X = np.asarray(X, dtype=float)
        H = np.tanh(X @ W1 + b1)
        Z = H @ W2 + b2
        Z = Z - Z.max(axis=1, keepdims=True)
        P = np.exp(Z)
        P /= P.sum(axis=1, keepdims=True)
        n = len(y)
        loss = -float(np.mean(np.log(P[np.arange(n), y] + 1e-300)))
        dZ = P
        dZ[np.arange(n), y] -= 1
        dZ /= n
        dH = (dZ @ W2.T) * (1 - H ** 2)
        grads = [X.T @ dH, dH.sum(0), H.T @ dZ, dZ.sum(0)]
        return loss, np.concatenate([g.ravel() for g in grads])

    def accuracy(self, theta, X, y):
        W1, b1, W2, b2 = self.unpack(theta)
        return float(np.mean(np.argmax(np.tanh(X @ W1 + b1) @ W2 + b2, axis=1) == y))


# ----------------------------------------------------------------------------
# loss against gradient evaluations and time: scipy.optimize vs minibatch rules

def _one_blas_thread():
    """A context that limits BLAS to one thread (no-op without threadpoolctl).

    The matrices here are small: with several BLAS threads on a busy machine the
    threads mostly wait for each other, and the measured times say more about
    the machine's load than about the method.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn
        import contextlib
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


class Record(NamedTuple):
    """A run's full-data loss after each unit of work.

    ``passes``: gradient evaluations counted in passes over the whole data set
    (a minibatch of b out of n examples counts b/n); ``times``: seconds since
    the start; ``losses``: the full-data loss there; ``theta``: the final parameters.
    """

    passes: np.ndarray
    times: np.ndarray
    losses: np.ndarray
    theta: np.ndarray


def scipy_run(method, loss_grad, theta0, max_iter=100):
    """Minimize ``loss_grad(θ) -> (loss, gradient)`` with ``scipy.optimize.minimize``.

    Every function evaluation (one full pass) is recorded, line-search trials included.
    Runs with one BLAS thread (see :func:`_one_blas_thread`).
    """
    import time

    from scipy import optimize

    if not callable(loss_grad):
        raise ValueError("loss_grad must be a function θ -> (loss, gradient)")
    passes, times, losses = [0.0], [0.0], [float(loss_grad(theta0)[0])]
    start = None

    def fun(theta):
        loss, grad = loss_grad(theta)
        passes.append(passes[-1] + 1)
        times.append(time.perf_counter() - start)
        losses.append(float(loss))
        return loss, grad

    with _one_blas_thread():
        start = time.perf_counter()
        result = optimize.minimize(fun, np.array(theta0, dtype=float), jac=True, method=method,
                                   options={"maxiter": _steps(max_iter)})
    return Record(np.array(passes), np.array(times), np.array(losses), result.x)


def minibatch_run(rule, loss_grad, theta0, num_examples, batch_size, epochs, seed=0, **hp):
    """Minibatch training with a rule of :data:`d2lutils.optim.RULES`.

    ``loss_grad(θ, idx) -> (loss, gradient)`` on the examples ``idx`` (``idx=None``:
    all of them).  The full-data loss is recorded after every epoch; the time
    spent on recording is not counted.  Runs with one BLAS thread, like :func:`scipy_run`.
    """
    import time

    from ..data.airfoil import minibatches
    from ..optim.rules import resolve

    rule, hp = resolve(rule, hp)
    theta = np.array(theta0, dtype=float)
    state = rule.init(theta.shape)
    rng = np.random.default_rng(seed)
    passes, times, losses = [0.0], [0.0], [float(loss_grad(theta, None)[0])]
    elapsed = 0.0
    with _one_blas_thread():
        for _ in range(_steps(epochs)):
            start = time.perf_counter()
            for idx in minibatches(num_examples, batch_size, rng):
                rule.update(theta, loss_grad(theta, idx)[1], state, hp)
            elapsed += time.perf_counter() - start
            passes.append(passes[-1] + 1)
            times.append(elapsed)
            losses.append(float(loss_grad(theta, None)[0]))
    return Record(np.array(passes), np.array(times), np.array(losses), theta)
