"""d2lutils.optim.first_order and d2lutils.analysis.worst_case (saved from book/convexity.ipynb).

Expectations are closed forms worked out by hand (geometric sequences on quadratics, the KKT
point of a disk-constrained quadratic found by a 1-D root search, the exact worst-case gaps),
never the functions under test.
"""
import numpy as np
import pytest
from scipy.optimize import brentq

from d2lutils.analysis.worst_case import huber_worst_case, nesterov_worst_case
from d2lutils.optim import first_order as fo


def half_square(lam):
    """∇ of f(x) = λ x²/2 (any dimension)."""
    return lambda x: lam * np.asarray(x)


# ----------------------------------------------------------------------------
# gradient descent

def test_gradient_descent_on_a_quadratic_is_a_geometric_sequence():
    pts = fo.gradient_descent(half_square(3.0), [2.0, -1.0], 4, lr=0.1)
    assert pts.shape == (5, 2)
    expected = np.array([2.0, -1.0]) * 0.7 ** np.arange(5)[:, None]
    np.testing.assert_allclose(pts, expected, rtol=1e-12)


def test_gradient_descent_schedule_counts_updates_already_made():
    """lr(t) with t = 0, 1, 2, ... (the convention of d2lutils.trajectory and schedules)."""
    seen = []

    def lr(t):
        seen.append(t)
        return (0.5, 0.25, 0.125)[t]

    pts = fo.gradient_descent(half_square(1.0), [8.0], 3, lr=lr)
    assert seen == [0, 1, 2]
    np.testing.assert_allclose(pts[:, 0], [8.0, 4.0, 3.0, 2.625])


def test_gradient_descent_zero_steps_and_no_aliasing():
    x0 = np.array([1.0, 2.0])
    assert np.array_equal(fo.gradient_descent(half_square(1.0), x0, 0, lr=0.1), [[1.0, 2.0]])
    pts = fo.gradient_descent(half_square(1.0), x0, 2, lr=0.5)
    assert np.array_equal(x0, [1.0, 2.0]) and not np.shares_memory(pts, x0)


def test_gradient_descent_stops_when_it_diverges():
    """f = x²/2, lr = 3: x_t = (−2)^t; |x_7| = 128 is the first beyond bound = 100."""
    with pytest.raises(FloatingPointError, match="diverged at step 7"):
        fo.gradient_descent(half_square(1.0), [1.0], 20, lr=3.0, bound=100.0)
    with np.errstate(over="ignore"), pytest.raises((FloatingPointError, ValueError),
                                                   match="step"):   # never a silent inf
        fo.gradient_descent(lambda x: x ** 3, [10.0], 50, lr=1.0, bound=1e300)


def test_gradient_descent_reports_a_nan_gradient_and_its_step():
    calls = []

    def grad(x):
        calls.append(1)
        return np.array([np.nan]) if len(calls) == 3 else x

    with pytest.raises(ValueError, match=r"grad\(x\) at step 2 must be finite"):
        fo.gradient_descent(grad, [1.0], 5, lr=0.1)


def test_subgradient_method_bound_on_abs():
    """|x| from x0 = R = 1 with the fixed-horizon step R/(G√T): mean of f(x_t) <= R G/√T."""
    T = 50
    pts = fo.gradient_descent(np.sign, [1.0], T, lr=1 / np.sqrt(T))
    assert np.mean(np.abs(pts[:T, 0])) <= 1 / np.sqrt(T) + 1e-12
    assert abs(pts[:T, 0].mean()) <= 1 / np.sqrt(T)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"grad": 3.0}, TypeError, "grad must be a function"),
    ({"steps": -1}, ValueError, "steps must be non-negative"),
    ({"steps": 2.0}, TypeError, "steps must be an integer"),
    ({"lr": 0.0}, ValueError, "lr must be positive"),
    ({"lr": np.nan}, ValueError, "lr must be a finite number"),
    ({"lr": "0.1"}, TypeError, "lr must be a real number"),
    ({"lr": lambda t: np.nan if t == 1 else 0.1}, ValueError, r"lr\(1\) must be a finite"),
    ({"lr": lambda t: -0.1}, ValueError, r"lr\(0\) must be positive"),
    ({"x0": [1.0, np.nan]}, ValueError, "x0 must be finite"),
    ({"x0": [[1.0, 2.0]]}, ValueError, "x0 must be a 1-D vector"),
    ({"x0": "a"}, TypeError, "x0 must be a vector of numbers"),
    ({"x0": [1e9, 0.0]}, FloatingPointError, "diverged at step 0"),
    ({"grad": lambda x: np.ones(3)}, ValueError, r"grad\(x\) at step 0 must be a 1-D vector with length 2"),
    ({"bound": 0.0}, ValueError, "bound must be positive"),
])
def test_gradient_descent_bad_input(kwargs, error, match):
    args = {"grad": half_square(1.0), "x0": [1.0, 2.0], "steps": 3, "lr": 0.1, **kwargs}
    with pytest.raises(error, match=match):
        fo.gradient_descent(**args)


# ----------------------------------------------------------------------------
# Nesterov's accelerated gradient and the worst-case functions

def test_accelerated_gradient_first_steps_by_hand():
    """f = x²/2 with L = 2: x_k = y_k / 2, y_{k+1} = x_k + (s_k − 1)/s_{k+1} (x_k − x_{k−1})."""
    s2 = (1 + np.sqrt(5)) / 2                      # s_1 = 1
    s3 = (1 + np.sqrt(1 + 4 * s2 ** 2)) / 2
    s4 = (1 + np.sqrt(1 + 4 * s3 ** 2)) / 2
    x1 = 0.5                                       # y_1 = x_0 = 1
    x2 = 0.5 * x1                                  # (s_1 − 1)/s_2 = 0
    x3 = 0.5 * (x2 + (s2 - 1) / s3 * (x2 - x1))
    x4 = 0.5 * (x3 + (s3 - 1) / s4 * (x3 - x2))
    pts = fo.accelerated_gradient(half_square(1.0), [1.0], 4, L=2.0)
    np.testing.assert_allclose(pts[:, 0], [1.0, x1, x2, x3, x4], rtol=1e-12)


def test_accelerated_gradient_stops_when_it_diverges():
    with pytest.raises(FloatingPointError, match="diverged"):
        fo.accelerated_gradient(half_square(1.0), [1.0], 100, L=0.1)
    with pytest.raises(ValueError, match="L must be positive"):
        fo.accelerated_gradient(half_square(1.0), [1.0], 3, L=0.0)


def test_huber_worst_case_gap_is_exact():
    for N in (1, 7, 50):
        f, grad = huber_worst_case(2.0, 3.0, N)
        x = fo.gradient_descent(grad, [3.0], N, lr=0.5)
        assert f(x[-1]) == pytest.approx(2.0 * 9.0 / (4 * N + 2), rel=1e-12)


def test_huber_worst_case_value_and_gradient_agree():
    f, grad = huber_worst_case(2.0, 3.0, 4)        # delta = 1/3
    assert f([0.0]) == 0.0 and f([1 / 3]) == pytest.approx(1 / 9)
    for x in (-2.0, -0.2, 0.1, 0.7, 5.0):
        numeric = (f([x + 1e-6]) - f([x - 1e-6])) / 2e-6
        assert grad([x])[0] == pytest.approx(numeric, rel=1e-6, abs=1e-9)


def test_nesterov_worst_case_is_the_stated_quadratic():
    d = 9
    q = nesterov_worst_case(d, L=2.0)
    A = 0.5 * (2 * np.eye(d) - np.eye(d, k=1) - np.eye(d, k=-1))      # (L/4) tridiag
    assert np.allclose([q.matvec(e) for e in np.eye(d)], A)
    assert np.allclose(q.b, np.eye(d)[0] * 0.5)
    assert np.allclose(A @ q.x_star, q.b)                              # x* is the minimizer
    assert q.f_star == pytest.approx(q.value(q.x_star))
    eig = np.linalg.eigvalsh(A)
    assert eig.min() > 0 and eig.max() < 2.0                           # inside (0, L)


def test_nesterov_lower_bound_holds_only_for_d_equal_2k_plus_1():
    for k in (1, 5, 20):
        q = nesterov_worst_case(2 * k + 1)
        R2, bound = q.x_star @ q.x_star, 3 / 32 / (k + 1) ** 2
        x_agd = fo.accelerated_gradient(q.grad, np.zeros(2 * k + 1), k, L=1.0)[-1]
        x_gd = fo.gradient_descent(q.grad, np.zeros(2 * k + 1), k, lr=1.0)[-1]
        assert q.value(x_agd) - q.f_star >= bound * R2                   # lower bound
        assert q.value(x_gd) - q.f_star >= bound * R2
        assert q.value(x_agd) - q.f_star <= 2 * R2 / (k + 1) ** 2        # AGD's upper bound
    q = nesterov_worst_case(101)                                         # the docstring's remark
    x1 = fo.accelerated_gradient(q.grad, np.zeros(101), 1, L=1.0)[-1]
    ratio = (q.value(x1) - q.f_star) / (3 * (q.x_star @ q.x_star) / 32 / 4)
    assert ratio == pytest.approx(0.098, abs=5e-4)


@pytest.mark.parametrize("call, error, match", [
    (lambda: huber_worst_case(-1.0, 1.0, 3), ValueError, "L must be positive"),
    (lambda: huber_worst_case(1.0, 0.0, 3), ValueError, "R must be positive"),
    (lambda: huber_worst_case(1.0, 1.0, -1), ValueError, "steps must be non-negative"),
    (lambda: nesterov_worst_case(0), ValueError, "d must be"),
    (lambda: nesterov_worst_case(3.0), TypeError, "d must be an integer"),
    (lambda: nesterov_worst_case(3, L=np.inf), ValueError, "L must be a finite number"),
])
def test_worst_case_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ----------------------------------------------------------------------------
# projections, projected gradient descent, gradient mapping

def test_project_ball():
    c = np.array([2.0, 1.5])
    inside = np.array([2.3, 1.2])
    assert np.array_equal(fo.project_ball(inside, c, 1.0), inside)
    np.testing.assert_allclose(fo.project_ball([5.0, 5.5], c, 2.0), c + 2.0 * np.array([0.6, 0.8]))
    assert np.array_equal(fo.project_ball(c, c, 1.0), c)
    with pytest.raises(ValueError, match="radius must be positive"):
        fo.project_ball(inside, c, 0.0)


def test_project_box():
    np.testing.assert_array_equal(fo.project_box([-3.0, 0.5, 9.0], [-1, 0, 0], [1, 1, 2]),
                                  [-1.0, 0.5, 2.0])
    with pytest.raises(ValueError, match="the box is empty"):
        fo.project_box([0.0], [1.0], [0.0])


A_Q, CENTER = np.array([0.1, 2.0]), np.array([2.0, 1.5])


def disk_problem():
    """min 0.1 x1² + 2 x2² on the unit disk around (2, 1.5): the KKT point by a 1-D root search."""
    def x_of(nu):
        return nu * CENTER / (A_Q + nu)
    nu = brentq(lambda nu: np.linalg.norm(x_of(nu) - CENTER) - 1.0, 1e-9, 1e6, xtol=1e-15)
    grad = lambda x: 2 * A_Q * np.asarray(x)
    ball = lambda z: fo.project_ball(z, CENTER, 1.0)
    return grad, ball, x_of(nu), nu


def test_projected_gradient_descent_reaches_the_kkt_point_at_the_proven_rate():
    grad, ball, x_star, nu = disk_problem()
    pts = fo.projected_gradient_descent(grad, ball, [2.6, 2.2], 80, lr=0.25)
    assert np.linalg.norm(pts[-1] - x_star) < 1e-12
    dist = np.linalg.norm(pts - x_star, axis=1)
    assert np.all(dist[1:] <= (1 - 0.2 / 4.0) * dist[:-1] + 1e-15)      # (1 − μ/L) per step
    assert np.all(np.linalg.norm(pts - CENTER, axis=1) <= 1.0 + 1e-12)    # always feasible


def test_projected_gradient_descent_projects_the_start_and_checks_project():
    grad, ball, _, _ = disk_problem()
    pts = fo.projected_gradient_descent(grad, ball, [10.0, 1.5], 0, lr=0.25)
    np.testing.assert_allclose(pts[0], [3.0, 1.5])
    with pytest.raises(TypeError, match="project must be a function"):
        fo.projected_gradient_descent(grad, None, [2.0, 1.5], 3, lr=0.25)
    with pytest.raises(ValueError, match=r"project\(x\) at step 0 must be a 1-D vector with length 2"):
        fo.projected_gradient_descent(grad, lambda z: z[:1], [2.0, 1.5], 3, lr=0.25)
    with pytest.raises(ValueError, match=r"project\(x\) at step 1 must be finite"):
        calls = []
        fo.projected_gradient_descent(
            grad, lambda z: calls.append(1) or (z * np.nan if len(calls) == 3 else z),
            [2.0, 1.5], 3, lr=0.25)


def test_gradient_mapping_is_the_gradient_inside_and_zero_at_the_optimum():
    grad, ball, x_star, nu = disk_problem()
    inside = np.array([2.1, 1.4])                   # a small step stays in the disk
    np.testing.assert_allclose(fo.gradient_mapping(grad, ball, inside, 0.01), grad(inside))
    assert np.linalg.norm(fo.gradient_mapping(grad, ball, x_star, 0.25)) < 1e-12
    assert np.linalg.norm(grad(x_star)) > 2.0        # while the gradient is not small
    outside_step = fo.gradient_mapping(grad, ball, np.array([2.6, 2.2]), 0.25)
    np.testing.assert_allclose(outside_step, (np.array([2.6, 2.2]) - ball(
        np.array([2.6, 2.2]) - 0.25 * grad([2.6, 2.2]))) / 0.25)
    with pytest.raises(ValueError, match="lr must be positive"):
        fo.gradient_mapping(grad, ball, x_star, -1.0)
