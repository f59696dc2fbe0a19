"""d2lutils.optim.second_order and the framework Hessian–vector products.

Expectations are closed forms worked out by hand (the minimizer of a quadratic,
the solution of a linear system by np.linalg.solve, the Hessian XᵀX/n of the
half mean squared error), never the functions under test.
"""
import subprocess
import sys

import numpy as np
import pytest

from d2lutils.analysis import functions
from d2lutils.models.mlp import FlatMLP
from d2lutils.optim import second_order as so


def spd(d, seed=0, cond=100.0):
    """A random symmetric positive-definite d×d matrix, eigenvalues evenly spaced in [1, cond]."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    return (q * np.linspace(1.0, cond, d)) @ q.T


# ----------------------------------------------------------------------------
# Newton

def test_newton_step_is_the_minimizer_of_a_quadratic():
    """f = ½xᵀAx − bᵀx: one Newton step from anywhere lands on A⁻¹b."""
    A, b = spd(5), np.arange(1.0, 6.0)
    x0 = np.full(5, 3.0)
    x1 = x0 + so.newton_step(A @ x0 - b, A)
    assert np.allclose(x1, np.linalg.solve(A, b), atol=1e-10)


@pytest.mark.parametrize("kappa", [10, 1e4, 1e8])
def test_newton_one_step_on_ill_conditioned_quadratic(kappa):
    """Affine invariance: one step reaches the origin whatever κ."""
    run = so.newton(functions.ill_conditioned(kappa), [-5.0, -2.0], 1)
    assert np.allclose(run.points[-1], 0.0, atol=1e-12)


def test_soft_abs_newton_is_minus_x_cubed_and_line_search_fixes_it():
    fn = functions.soft_abs()
    pure = so.newton(fn, [0.5], 3)
    assert np.allclose(pure.points[:, 0], [0.5, -0.125, 0.125 ** 3, -(0.125 ** 9)])
    assert so.newton(fn, [2.0], 20).diverged
    searched = so.newton(fn, [2.0], 30, line_search=True)
    assert not searched.diverged and abs(searched.points[-1, 0]) < 1e-12


def test_modified_newton_descends_where_pure_newton_climbs():
    """Near Himmelblau's local maximum pure Newton converges to it; the modified one does not."""
    fn = functions.himmelblau()
    x0 = [-0.5, -0.5]
    pure = so.newton(fn, x0, 20)
    assert np.all(np.linalg.eigvalsh(fn.hess(pure.points[-1])) < 0)      # a maximum
    fixed = so.newton(fn, x0, 50, line_search=True, modify=True)
    assert fn.value(fixed.points[-1]) < 1e-12                               # a minimum (f = 0)
    assert np.all(np.diff([fn.value(p) for p in fixed.points]) <= 1e-12)   # monotone descent


def test_modify_hessian_flips_negative_eigenvalues():
    H = np.array([[2.0, 0.0], [0.0, -3.0]])
    assert np.allclose(so.modify_hessian(H), np.diag([2.0, 3.0]))
    assert np.allclose(so.modify_hessian(np.zeros((2, 2)), delta=0.5), 0.5 * np.eye(2))


def test_backtracking_satisfies_armijo():
    fn = functions.rosenbrock()
    x = np.array([-1.2, 1.0])
    g = fn.grad(x)
    alpha = so.backtracking(fn.value, x, -g, g)
    assert fn.value(x - alpha * g) <= fn.value(x) - 1e-4 * alpha * g @ g
    assert so.backtracking(fn.value, x, -g, g, alpha=alpha) == alpha


def test_backtracking_is_the_first_armijo_step_by_hand():
    """f = x², x = 1, d = −2, slope −4; Armijo: f(1 − 2α) ≤ 1 − 4cα.

    c = 0.5: α = 1 gives 1 > −1, α = 1/2 gives 0 ≤ 0 (accepted).  c = 0.9: 1/2, 1/4, 1/8 fail
    (0 > −0.8, 0.25 > 0.1, 0.5625 > 0.55), 1/16 passes (0.765625 ≤ 0.775).  ρ = 0.1: α = 0.1
    gives 0.64 ≤ 0.8."""
    f = lambda x: float(x[0] ** 2)
    x, g = np.array([1.0]), np.array([2.0])
    assert so.backtracking(f, x, -g, g, c=0.5) == 0.5
    assert so.backtracking(f, x, -g, g, c=0.9) == 0.0625
    assert so.backtracking(f, x, -g, g, rho=0.1, c=0.5) == pytest.approx(0.1)


def test_backtracking_rejects_a_step_that_raises_f():
    """A direction of descent whose full step overshoots: f(x + d) > f(x) must never be accepted."""
    f = lambda x: float(np.sum(x ** 2))
    x = np.array([1.0, -2.0])
    g = 2 * x
    for alpha0 in (1.0, 3.0, 10.0):
        alpha = so.backtracking(f, x, -g, g, alpha=alpha0)
        assert f(x - alpha * g) < f(x)


def test_backtracking_reports_failure_and_nan():
    with pytest.raises(RuntimeError, match="no step satisfied the Armijo condition in 5"):
        so.backtracking(lambda x: float(np.nan if x[0] != 1 else 1.0), np.ones(1), -np.ones(1),
                        np.ones(1), max_halvings=5)
    with pytest.raises(ValueError, match="finite f"):
        so.backtracking(lambda x: np.nan, np.ones(1), -np.ones(1), np.ones(1))


def test_correct_digits():
    assert so.correct_digits([1.001], [1.0]) == pytest.approx(3.0)
    assert so.correct_digits([2.0, 3.0], [2.0, 3.0]) == np.inf


# ----------------------------------------------------------------------------
# conjugate gradient

@pytest.mark.parametrize("d", [2, 10, 40])
def test_cg_solves_spd_system_in_at_most_d_steps(d):
    A = spd(d, seed=d)
    b = np.random.default_rng(1).normal(size=d)
    result = so.conjugate_gradient(A, b, tol=1e-8)
    assert result.iterations <= d
    assert np.allclose(result.x, np.linalg.solve(A, b), rtol=1e-6, atol=1e-8)


def test_cg_needs_as_many_steps_as_distinct_eigenvalues():
    rng = np.random.default_rng(3)
    q, _ = np.linalg.qr(rng.normal(size=(30, 30)))
    A = (q * np.repeat([1.0, 5.0, 20.0], 10)) @ q.T
    result = so.conjugate_gradient(A, rng.normal(size=30), tol=1e-10)
    assert result.iterations == 3


def test_cg_accepts_a_matvec():
    A = spd(8)
    b = np.ones(8)
    assert np.allclose(so.conjugate_gradient(lambda v: A @ v, b).x, np.linalg.solve(A, b))


def test_cg_first_step_by_hand():
    """From x0 = 0: r0 = p0 = b, α0 = bᵀb / bᵀAb, x1 = α0 b, r1 = b − α0 A b."""
    A, b = np.diag([1.0, 4.0]), np.array([1.0, 1.0])
    res = so.conjugate_gradient(A, b, tol=0.0, max_iter=1)
    alpha = 2.0 / 5.0
    assert res.iterations == 1
    assert np.allclose(res.points[1], alpha * b)
    assert np.allclose(res.residuals, [np.sqrt(2.0), np.linalg.norm(b - alpha * A @ b)])
    two = so.conjugate_gradient(A, b, tol=0.0, max_iter=2)     # exact in d = 2 steps
    assert np.allclose(two.x, [1.0, 0.25], atol=1e-14)


def test_cg_warm_start_and_residual_tolerance():
    A, b = spd(12, seed=4), np.arange(1.0, 13.0)
    x_star = np.linalg.solve(A, b)
    res = so.conjugate_gradient(A, b, x0=x_star, tol=1e-8)
    assert res.iterations == 0 and np.allclose(res.x, x_star)
    res = so.conjugate_gradient(A, b, tol=1e-6)
    assert res.residuals[-1] <= 1e-6 * np.linalg.norm(b) < res.residuals[-2]
    assert np.allclose(np.linalg.norm(b - A @ res.x), res.residuals[-1])


def test_cg_error_obeys_the_sqrt_kappa_bound_and_jacobi_helps():
    """‖x_k − x*‖_A ≤ 2((√κ−1)/(√κ+1))^k ‖x_0 − x*‖_A, with κ of M^(-1/2) A M^(-1/2) for PCG."""
    rng = np.random.default_rng(0)
    s = np.sqrt(np.geomspace(1e-2, 1e2, 40))
    A = s[:, None] * spd(40, seed=1, cond=5.0) * s
    b = rng.normal(size=40)
    x_star = np.linalg.solve(A, b)
    d = np.diag(A)
    for M_inv, P in [(None, np.eye(40)), (lambda r: r / d, np.diag(d ** -0.5))]:
        res = so.conjugate_gradient(A, b, tol=1e-10, max_iter=500, M_inv=M_inv)
        lam = np.linalg.eigvalsh(P @ A @ P)
        q = (np.sqrt(lam[-1] / lam[0]) - 1) / (np.sqrt(lam[-1] / lam[0]) + 1)
        e = res.points - x_star
        err = np.sqrt(np.einsum("ki,ij,kj->k", e, A, e))
        assert np.all(err <= 2 * q ** np.arange(len(err)) * err[0] * (1 + 1e-12))
        assert np.allclose(res.x, x_star, rtol=1e-6)
    plain = so.conjugate_gradient(A, b, tol=1e-8, max_iter=500).iterations
    jacobi = so.conjugate_gradient(A, b, tol=1e-8, max_iter=500, M_inv=lambda r: r / d).iterations
    assert jacobi < plain / 3


def test_cg_reports_nan_and_indefinite_preconditioner():
    with pytest.raises(ValueError, match="NaN/inf"):
        so.conjugate_gradient(lambda v: np.full(3, np.nan), np.ones(3))
    with pytest.raises(ValueError, match="NaN/inf"):
        so.conjugate_gradient(lambda v: v if v[0] == 1 else v * np.nan, np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="M_inv is not positive definite"):
        so.conjugate_gradient(np.eye(2), np.ones(2), M_inv=lambda r: -r)
    with pytest.raises(ValueError, match=r"returned shape \(2,\)"):
        so.conjugate_gradient(lambda v: v[:2], np.ones(3))


# ----------------------------------------------------------------------------
# quasi-Newton updates

def test_bfgs_and_sr1_satisfy_the_secant_condition():
    rng = np.random.default_rng(2)
    B, s, y = spd(4, seed=3, cond=10), rng.normal(size=4), rng.normal(size=4)
    y = y if y @ s > 0 else -y
    for update in (so.bfgs_update, so.sr1_update):
        B1 = update(B, s, y)
        assert np.allclose(B1 @ s, y) and np.allclose(B1, B1.T)
    assert np.all(np.linalg.eigvalsh(so.bfgs_update(B, s, y)) > 0)     # stays positive definite


def test_sr1_recovers_an_indefinite_quadratic_bfgs_refuses():
    A = np.array([[2.0, 1.0, 0.0], [1.0, -1.0, 0.5], [0.0, 0.5, 3.0]])
    B = np.eye(3)
    for s in np.random.default_rng(0).normal(size=(3, 3)):
        B = so.sr1_update(B, s, A @ s)
    assert np.allclose(B, A, atol=1e-12)
    s = np.array([0.0, 1.0, 0.0])                                     # sᵀAs = −1 < 0
    with pytest.raises(ValueError, match="curvature condition"):
        so.bfgs_update(np.eye(3), s, A @ s)


def test_sr1_skips_a_tiny_denominator_and_bfgs_by_hand():
    B, s = np.eye(2), np.array([1.0, 0.0])
    y = B @ s + np.array([0.0, 1.0])                 # (y − Bs)ᵀs = 0: skipped
    assert np.array_equal(so.sr1_update(B, s, y), B)
    # BFGS from B = I with s = e1, y = 2 e1: B − e1e1ᵀ + 4 e1e1ᵀ / 2 = diag(2, 1)
    assert np.allclose(so.bfgs_update(np.eye(2), [1.0, 0.0], [2.0, 0.0]), np.diag([2.0, 1.0]))
    # SR1 from B = I with s = e1, y = 3 e1 + e2: v = (2, 1), vᵀs = 2 -> I + v vᵀ / 2
    assert np.allclose(so.sr1_update(np.eye(2), [1.0, 0.0], [3.0, 1.0]), [[3.0, 1.0], [1.0, 1.5]])


# ----------------------------------------------------------------------------
# trust region

def test_cauchy_point_by_hand():
    g, B = np.array([3.0, 4.0]), np.eye(2)
    assert np.allclose(so.cauchy_point(g, B, 10.0), -g)                # τ = ‖g‖³/(Δ gᵀBg) = 0.5
    assert np.allclose(so.cauchy_point(g, B, 1.0), -g / 5)             # on the boundary
    assert np.allclose(so.cauchy_point(g, -B, 2.0), -2 * g / 5)        # negative curvature: τ = 1
    assert np.allclose(so.cauchy_point(np.zeros(2), B, 1.0), 0.0)


def test_dogleg_cases():
    B, g = np.diag([1.0, 10.0]), np.array([1.0, 1.0])
    newton = -np.linalg.solve(B, g)
    assert np.allclose(so.dogleg(g, B, 10.0), newton)                   # inside: Newton
    p_u = -(g @ g) / (g @ B @ g) * g
    assert np.allclose(so.dogleg(g, B, 0.1), 0.1 * p_u / np.linalg.norm(p_u))   # along −g
    p = so.dogleg(g, B, 0.5)                                             # on the second leg
    assert np.isclose(np.linalg.norm(p), 0.5)
    t = (p - p_u) / (newton - p_u)
    assert np.allclose(t, t[0]) and 0 < t[0] < 1
    assert np.allclose(so.dogleg(g, -B, 0.5), so.cauchy_point(g, -B, 0.5))   # indefinite


def test_trust_region_ratio_and_radius_rules():
    """On a quadratic the model is exact: ρ = 1, the radius doubles while the step hits it."""
    fn = functions.ill_conditioned(10.0)
    run = so.trust_region(fn, [-5.0, -2.0], 10, radius=0.5, max_radius=3.0)
    assert np.allclose(run.ratios, 1.0)
    assert list(run.radii[:4]) == [0.5, 1.0, 2.0, 3.0]
    assert np.allclose(run.points[-1], 0.0, atol=1e-12)


def test_trust_region_shrinks_and_rejects_a_bad_step():
    """soft_abs from x = 3 with radius 100: the Newton step −x³ − x ... is rejected (ρ < 0)."""
    fn = functions.soft_abs()
    run = so.trust_region(fn, [3.0], 40, radius=100.0, max_radius=100.0)
    assert run.ratios[0] < 0.25 and run.radii[1] == 25.0
    assert np.array_equal(run.points[1], run.points[0])                 # rejected: x unchanged
    assert abs(run.points[-1, 0]) < 1e-8 and np.all(np.diff([fn.value(p) for p in run.points]) <= 0)


@pytest.mark.parametrize("hessian", ["exact", "sr1"])
def test_trust_region_finds_minima_from_a_maximum(hessian):
    fn = functions.himmelblau()
    run = so.trust_region(fn, [-0.27, -0.92], 200, hessian=hessian, tol=1e-9)
    assert fn.value(run.points[-1]) < 1e-12
    assert np.all(np.diff([fn.value(p) for p in run.points]) <= 1e-12)


def test_trust_region_matches_scipy_dogleg():
    from scipy import optimize
    fn = functions.rosenbrock()
    ours = so.trust_region(fn, [-1.2, 1.0], 200, radius=1.0, max_radius=1000.0, eta=0.15, tol=1e-8)
    theirs = optimize.minimize(fn.value, [-1.2, 1.0], jac=fn.grad, hess=fn.hess, method="dogleg",
                               options={"initial_trust_radius": 1.0, "max_trust_radius": 1000.0,
                                        "eta": 0.15, "gtol": 1e-8})
    assert len(ours.points) - 1 == theirs.nit
    assert np.allclose(ours.points[-1], theirs.x, atol=1e-8)


def test_newton_stops_at_tol_and_line_search_descends():
    fn = functions.rosenbrock()
    run = so.newton(fn, [-1.2, 1.0], 100, line_search=True, modify=True, tol=1e-6)
    assert np.linalg.norm(fn.grad(run.points[-1])) <= 1e-6
    assert np.linalg.norm(fn.grad(run.points[-2])) > 1e-6
    assert np.all(np.diff([fn.value(p) for p in run.points]) <= 0)
    damped = so.newton(functions.ill_conditioned(10.0), [-5.0, -2.0], 3, lr=0.5)
    assert np.allclose(damped.points[:, 0], -5.0 * 0.5 ** np.arange(4))


# ----------------------------------------------------------------------------
# the flat MLP

def test_flat_mlp_gradient_matches_finite_differences():
    mlp = FlatMLP((4, 3, 2))
    rng = np.random.default_rng(0)
    X, y, theta = rng.normal(size=(6, 4)), rng.integers(0, 2, 6), mlp.init(1)
    _, g = mlp.loss_grad(theta, X, y)
    eye = np.eye(mlp.size) * 1e-6
    numeric = [(mlp.loss_grad(theta + e, X, y)[0] - mlp.loss_grad(theta - e, X, y)[0]) / 2e-6
               for e in eye]
    assert np.allclose(g, numeric, atol=1e-7)


# ----------------------------------------------------------------------------
# bad input

@pytest.mark.parametrize("call, message", [
    (lambda: so.newton_step([1.0, 2.0], np.eye(3)), "grad must be a 1-D vector with length 3"),
    (lambda: so.newton_step([1.0, 2.0], np.zeros((2, 2))), "singular"),
    (lambda: so.newton_step([1.0], [1.0, 2.0]), "square matrix"),
    (lambda: so.modify_hessian([[1.0, 2.0], [0.0, 1.0]]), "symmetric"),
    (lambda: so.modify_hessian(np.eye(2), delta=0), "delta must be"),
    (lambda: so.backtracking(lambda x: x @ x, np.ones(2), np.ones(2), np.ones(2)), "need a descent direction"),
    (lambda: so.newton(functions.rosenbrock(), [1.0], 3), "x0 must be a 1-D vector with length 2"),
    (lambda: so.newton(functions.rosenbrock(), [1.0, 1.0], 3, tol=np.nan), "tol must be a finite"),
    (lambda: so.newton(functions.rosenbrock(), [1.0, 1.0], 3, tol=-1), "tol must be non-negative"),
    (lambda: so.newton(functions.rosenbrock(), [1.0, np.nan], 3), "x0 must be finite"),
    (lambda: so.backtracking(lambda x: x @ x, np.ones(2), -np.ones(2), np.ones(2), alpha=-1), "alpha must be positive"),
    (lambda: so.backtracking(lambda x: x @ x, np.ones(2), -np.ones(2), np.ones(2), rho=1), "rho must lie in"),
    (lambda: so.backtracking(lambda x: x @ x, np.ones(2), -np.ones(2), np.ones(2), c=0), "c must lie in"),
    (lambda: so.conjugate_gradient(np.eye(2), np.ones(2), tol=-1), "tol must be non-negative"),
    (lambda: so.conjugate_gradient(np.eye(2), np.ones(2), x0=np.ones(3)), "x0 must be a 1-D vector with length 2"),
    (lambda: so.conjugate_gradient(np.eye(2), [1.0, np.nan]), "b must be finite"),
    (lambda: so.cauchy_point([1.0, 1.0], np.eye(2), 0.0), "radius must be positive"),
    (lambda: so.trust_region(functions.rosenbrock(), [1.0, 1.0], 3, radius=5, max_radius=2), "radius must lie in"),
    (lambda: so.trust_region(functions.rosenbrock(), [1.0, 1.0], 3, eta=0.5), "eta must lie in"),
    (lambda: so.trust_region(functions.rosenbrock(), [1.0, 1.0], 3, hessian="bfgs"), "hessian must be"),
    (lambda: so.bfgs_update(np.eye(2), [1.0, 0.0], [1.0]), "y must be a 1-D vector with length 2"),
    (lambda: so.newton(functions.rosenbrock(), [1.0, 1.0], -1), "steps must be"),
    (lambda: so.newton(functions.rosenbrock(), [1.0, 1.0], 1, lr=0), "lr must be"),
    (lambda: so.conjugate_gradient(np.diag([1.0, -1.0]), np.ones(2)), "not positive definite"),
    (lambda: so.conjugate_gradient(np.eye(3), np.ones(2)), "b has length 2"),
    (lambda: FlatMLP((4,)), "two or more positive integers"),
    (lambda: FlatMLP((4, 3, 2)).unpack(np.zeros(5)), "theta must have shape"),
    (lambda: FlatMLP((4, 3, 2)).loss_grad(np.zeros(23), np.zeros((2, 4)), [0, -1]), "labels must be"),
    (lambda: FlatMLP((4, 3, 2)).loss_grad(np.zeros(23), np.zeros((2, 4)), [0, 2]), "labels must be"),
    (lambda: FlatMLP((4, 3, 2)).loss_grad(np.zeros(23), np.zeros((2, 4)), [0.0, 1.0]), "labels must be"),
])
def test_bad_input_raises_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("call", [
    lambda: so.newton("quadratic", [1.0, 1.0], 3),
    lambda: so.trust_region("rosenbrock", [1.0, 1.0], 3),
    lambda: so.newton(functions.rosenbrock(), [1.0, 1.0], 3, line_search="yes"),
    lambda: so.newton(functions.rosenbrock(), [1.0, 1.0], 2.5),
])
def test_wrong_types_raise_type_error(call):
    with pytest.raises(TypeError, match="must be"):
        call()


# ----------------------------------------------------------------------------
# framework Hessian–vector products (each in a fresh process: they import MXNet / TensorFlow)

HVP_SCRIPT = r"""
import d2lutils, numpy as np
rng = np.random.default_rng(0)
X = rng.normal(size=(30, 4)).astype(np.float32)
y = rng.normal(size=(30, 1)).astype(np.float32)
A = np.hstack([X, np.ones((30, 1))]).astype(np.float64)
H = A.T @ A / 30                                  # Hessian of mean((Xw + b - y)^2) / 2
v_w, v_b = np.array([[1.], [-2.], [0.5], [3.]], np.float32), np.array([0.25], np.float32)
expected = H @ np.concatenate([v_w.ravel(), v_b])
w0 = rng.normal(size=(4, 1)).astype(np.float32)
{body}
got = np.concatenate([np.asarray(h).ravel() for h in hv])
assert np.allclose(got, expected, rtol=1e-4, atol=1e-4), (got, expected)
print("ok")
"""

MXNET_BODY = r"""
from mxnet import nd
from d2lutils.mxnet import hvp as mxnet_hvp
Xn, yn = nd.array(X), nd.array(y)
loss = lambda w, b: ((nd.dot(Xn, w) + b - yn) ** 2).mean() / 2
try:
    mxnet_hvp.hvp(loss, [nd.array(w0), nd.zeros(1)], [nd.array(v_w), nd.array(v_b)])
    raise AssertionError("expected NotImplementedError for dot")
except NotImplementedError as err:
    assert "_backward_dot" in str(err) and "hvp_quadratic" in str(err)
try:
    mxnet_hvp.hvp(loss, [nd.array(w0)], [nd.array(v_w), nd.array(v_b)])
    raise AssertionError("expected ValueError")
except ValueError as err:
    assert "one array per entry of params" in str(err)
x = nd.array([0.3, -1.0])
t = np.tanh([0.3, -1.0])
assert np.allclose(mxnet_hvp.hvp(nd.tanh, [x], [nd.ones(2)])[0].asnumpy(), -2 * t * (1 - t * t), atol=1e-6)
hv = [h.asnumpy() for h in mxnet_hvp.hvp_quadratic(loss, [nd.array(w0), nd.zeros(1)],
                                                  [nd.array(v_w), nd.array(v_b)])]
try:
    mxnet_hvp.hvp(nd.tanh, [nd.array([np.nan, 0.5])], [nd.ones(2)])
    raise AssertionError("expected a NaN report")
except FloatingPointError as err:
    assert "NaN" in str(err)
try:
    mxnet_hvp.hvp_quadratic("loss", [nd.array(w0)], [nd.array(v_w)])
    raise AssertionError("expected a TypeError")
except TypeError as err:
    assert "loss_fn must be a function" in str(err)
"""

TF_BODY = r"""
import tensorflow as tf
from d2lutils.tensorflow import hvp as tensorflow_hvp
loss = lambda w, b: tf.reduce_mean((tf.matmul(X, w) + b - y) ** 2) / 2
w, b = tf.Variable(w0), tf.Variable(np.zeros(1, np.float32))
try:
    tensorflow_hvp.hvp(loss, [w, b], [v_w.ravel(), v_b])
    raise AssertionError("expected ValueError")
except ValueError as err:
    assert "vectors[0] has shape (4,)" in str(err)
hv = [h.numpy() for h in tensorflow_hvp.hvp(loss, [w, b], [v_w, v_b])]
fwd = [h.numpy() for h in tensorflow_hvp.hvp_forward_over_reverse(loss, [w, b], [v_w, v_b])]
assert all(np.allclose(a, c, rtol=1e-4, atol=1e-5) for a, c in zip(hv, fwd)), (hv, fwd)
tanh_loss = lambda w, b: tf.reduce_sum(tf.tanh(w) ** 2) + tf.reduce_sum(b ** 3)
t = np.tanh(w0)
expected_tanh = (2 * (1 - t ** 2) ** 2 - 4 * t ** 2 * (1 - t ** 2)) * v_w        # (tanh²)'' v, elementwise
for fn in (tensorflow_hvp.hvp, tensorflow_hvp.hvp_forward_over_reverse):
    out = fn(tanh_loss, [w, b], [v_w, v_b])
    assert np.allclose(out[0].numpy(), expected_tanh, rtol=1e-4, atol=1e-5), fn.__name__
    assert np.allclose(out[1].numpy(), 6 * np.zeros(1) * v_b), fn.__name__     # b = 0: 6 b v = 0
try:
    tensorflow_hvp.hvp_forward_over_reverse(lambda w, b: tf.reduce_sum(tf.sqrt(w - 10.0)) + b[0],
                                            [w, b], [v_w, v_b])
    raise AssertionError("expected a NaN report")
except (FloatingPointError, ValueError) as err:
    assert "NaN" in str(err), err
try:
    tensorflow_hvp.hvp(lambda w, b: tf.reduce_sum(w), [w, b], [v_w, v_b])
    raise AssertionError("expected a ValueError for an unused parameter")
except ValueError as err:
    assert "params[1]" in str(err)
"""


@pytest.mark.parametrize("body", [MXNET_BODY, TF_BODY], ids=["mxnet", "tensorflow"])
def test_framework_hvp_matches_analytic_hessian(body):
    """H v from the framework equals XᵀX/n · v for linear regression; bad input raises."""
    out = subprocess.run([sys.executable, "-c", HVP_SCRIPT.replace("{body}", body)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout.strip().endswith("ok"), out.stderr[-2000:]


def test_import_d2lutils_loads_no_framework():
    code = ("import sys, d2lutils, d2lutils.optim.second_order; "
            "print('mxnet' in sys.modules, 'tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False False", out.stderr[-2000:]
