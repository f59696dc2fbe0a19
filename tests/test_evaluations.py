"""d2lutils.training.evaluations: scipy_run and minibatch_run, against runs written out by hand."""
import numpy as np
import pytest
from scipy import optimize

from d2lutils.data.airfoil import minibatches
from d2lutils.training.evaluations import minibatch_run, scipy_run

A = np.diag([1.0, 10.0])
B_VEC = np.array([1.0, -2.0])


def quad(theta):
    """½θᵀAθ − bᵀθ, minimum at A⁻¹b = (1, −0.2)."""
    return 0.5 * theta @ A @ theta - B_VEC @ theta, A @ theta - B_VEC


def test_scipy_run_records_every_evaluation():
    calls = []

    def counted(theta):
        calls.append(np.array(theta))
        return quad(theta)

    rec = scipy_run("L-BFGS-B", counted, np.array([3.0, 3.0]), max_iter=50)
    assert np.allclose(rec.theta, [1.0, -0.2], atol=1e-6)
    assert len(rec.losses) == len(calls) == len(rec.passes) == len(rec.times)
    assert np.array_equal(rec.passes, np.arange(len(calls)))           # one pass per evaluation
    assert np.allclose(rec.losses, [quad(c)[0] for c in calls])          # the loss at each one
    assert rec.losses[0] == quad(np.array([3.0, 3.0]))[0]
    assert np.all(np.diff(rec.times) >= 0)
    direct = optimize.minimize(quad, np.array([3.0, 3.0]), jac=True, method="L-BFGS-B",
                               options={"maxiter": 50})
    assert len(rec.losses) - 1 == direct.nfev and np.allclose(rec.theta, direct.x)


def test_scipy_run_respects_max_iter():
    rec = scipy_run("CG", quad, np.array([3.0, 3.0]), max_iter=1)
    full = scipy_run("CG", quad, np.array([3.0, 3.0]), max_iter=100)
    assert rec.passes[-1] < full.passes[-1]


def test_minibatch_run_equals_a_hand_written_loop():
    rng_data = np.random.default_rng(0)
    X, y = rng_data.normal(size=(23, 3)), rng_data.normal(size=23)

    def loss_grad(theta, idx=None):
        Xb, yb = (X, y) if idx is None else (X[idx], y[idx])
        err = Xb @ theta - yb
        return 0.5 * np.mean(err ** 2), Xb.T @ err / len(yb)

    theta0 = np.array([0.5, -1.0, 2.0])
    rec = minibatch_run("sgd", loss_grad, theta0, 23, 5, 3, seed=7, lr=0.1)
    theta, rng, losses = theta0.copy(), np.random.default_rng(7), [loss_grad(theta0)[0]]
    for _ in range(3):
        for idx in minibatches(23, 5, rng):
            theta = theta - 0.1 * loss_grad(theta, idx)[1]
        losses.append(loss_grad(theta)[0])
    assert np.allclose(rec.theta, theta) and np.allclose(rec.losses, losses)
    assert np.array_equal(rec.passes, [0, 1, 2, 3])
    assert np.array_equal(theta0, [0.5, -1.0, 2.0])                     # not modified in place
    other = minibatch_run("sgd", loss_grad, theta0, 23, 5, 3, seed=8, lr=0.1)
    assert not np.allclose(other.theta, rec.theta)                       # the seed matters


def test_nan_is_reported_not_recorded():
    bad = lambda theta: (np.nan, np.zeros(2))
    with pytest.raises(FloatingPointError, match="at theta0"):
        scipy_run("L-BFGS-B", bad, np.zeros(2))
    later = lambda theta: quad(theta) if abs(theta[0]) < 1 else (np.inf, A @ theta)
    with pytest.raises(FloatingPointError, match="evaluation"):
        scipy_run("BFGS", later, np.zeros(2))

    nan_grad = lambda theta, idx=None: (1.0, np.array([np.nan, 0.0]))
    with pytest.raises(FloatingPointError, match="non-finite loss or gradient"):
        minibatch_run("sgd", nan_grad, np.zeros(2), 10, 5, 1)

    def diverging(theta, idx=None):
        return float(theta @ theta), 2 * theta

    with pytest.raises(FloatingPointError, match="epoch"), np.errstate(over="ignore"):
        minibatch_run("sgd", diverging, np.ones(2), 10, 5, 2000, lr=3.0)


@pytest.mark.parametrize("call, error, message", [
    (lambda: scipy_run(3, quad, np.zeros(2)), TypeError, "method must be"),
    (lambda: scipy_run("CG", "quad", np.zeros(2)), TypeError, "loss_grad must be a function"),
    (lambda: scipy_run("CG", quad, [0.0, np.nan]), ValueError, "theta0 must be finite"),
    (lambda: scipy_run("CG", quad, np.zeros(2), max_iter=0), ValueError, "max_iter must be positive"),
    (lambda: scipy_run("CG", lambda t: (1.0, np.zeros(3)), np.zeros(2)), ValueError, "gradient of shape"),
    (lambda: minibatch_run("sgd", lambda t, i: quad(t), np.zeros(2), 10, 20, 1), ValueError, "batch_size must be at most"),
    (lambda: minibatch_run("sgd", lambda t, i: quad(t), np.zeros(2), 10, 5, -1), ValueError, "epochs must be"),
    (lambda: minibatch_run("sgd", lambda t, i: quad(t), np.zeros(2), 10, 5, 1, seed=-1), ValueError, "seed must be"),
    (lambda: minibatch_run("nope", lambda t, i: quad(t), np.zeros(2), 10, 5, 1), ValueError, "nope"),
])
def test_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()
