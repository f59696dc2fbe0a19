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
    (lambda: so.newton_step([1.0, 2.0], np.eye(3)), "grad must have shape"),
    (lambda: so.newton_step([1.0, 2.0], np.zeros((2, 2))), "singular"),
    (lambda: so.newton_step([1.0], [1.0, 2.0]), "square matrix"),
    (lambda: so.modify_hessian([[1.0, 2.0], [0.0, 1.0]]), "symmetric"),
    (lambda: so.modify_hessian(np.eye(2), delta=0), "delta must be"),
    (lambda: so.backtracking(lambda x: x @ x, np.ones(2), np.ones(2), np.ones(2)), "not a descent"),
    (lambda: so.newton(functions.rosenbrock(), [1.0], 3), "dimension 2"),
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
