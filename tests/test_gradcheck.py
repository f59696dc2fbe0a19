"""Numerical gradients and the gradient check (d2lutils.analysis.gradcheck), on known functions,
the multiclass SVM loss (d2lutils.models.linear_classifier) and the NumPy MLP (d2lutils.models.mlp)."""
import numpy as np
import pytest

from d2lutils.analysis import functions
from d2lutils.analysis.gradcheck import (GradientCheckError, gradient_check, numerical_gradient,
                                relative_error)
from d2lutils.models.linear_classifier import accuracy, add_bias, svm_loss, svm_loss_grad
from d2lutils.models.mlp import flatten, init_params, loss as mlp_loss, loss_and_grads as mlp_loss_grad, unflatten

POINTS = [np.array([-1.2, 1.0]), np.array([0.3, -0.7]), np.array([2.0, 3.5])]


@pytest.mark.parametrize("x", POINTS)
def test_centered_difference_matches_rosenbrock_gradient(x):
    """The centered numerical gradient of the Rosenbrock function equals its analytic gradient."""
    fn = functions.rosenbrock()
    num = numerical_gradient(fn.value, x.copy(), h=1e-5)
    np.testing.assert_allclose(num, fn.grad(x), rtol=1e-7, atol=1e-6)


def test_forward_difference_is_first_order_and_centered_second_order():
    """Error of forward differences shrinks like h, of centered differences like h^2."""
    fn, x = functions.rosenbrock(), np.array([0.3, -0.7])
    exact = fn.grad(x)
    err = {m: [np.max(np.abs(numerical_gradient(fn.value, x.copy(), h=h, method=m) - exact))
               for h in (1e-2, 1e-3)] for m in ("forward", "centered")}
    assert 8 < err["forward"][0] / err["forward"][1] < 12
    assert 80 < err["centered"][0] / err["centered"][1] < 120


def test_numerical_gradient_restores_x_and_keeps_dtype():
    x = np.array([[0.5, -1.0], [2.0, 0.25]], dtype=np.float32)
    before = x.copy()
    g = numerical_gradient(lambda v: float(np.sum(v ** 2)), x, h=1e-2)
    assert g.dtype == np.float32 and g.shape == x.shape
    np.testing.assert_array_equal(x, before)
    np.testing.assert_allclose(g, 2 * before, rtol=1e-3)


def test_numerical_gradient_only_given_coords():
    x = np.arange(6, dtype=float).reshape(2, 3)
    g = numerical_gradient(lambda v: float(np.sum(v ** 2)), x, coords=[(1, 2)])
    expected = np.zeros((2, 3))
    expected[1, 2] = 10.0
    np.testing.assert_allclose(g, expected, atol=1e-6)


@pytest.mark.parametrize("bad, error", [
    (dict(x=np.array([1, 2])), TypeError),                # integer array cannot be perturbed
    (dict(x=[1.0, 2.0]), TypeError),                      # not an array
    (dict(x=np.array([np.nan])), ValueError),
    (dict(h=0.0), ValueError),
    (dict(h=-1e-5), ValueError),
    (dict(method="backward"), ValueError),
])
def test_numerical_gradient_rejects_bad_input(bad, error):
    kwargs = dict(f=lambda v: 0.0, x=np.zeros(2), h=1e-5, method="centered")
    kwargs.update(bad)
    with pytest.raises(error):
        numerical_gradient(**kwargs)


def test_relative_error():
    assert relative_error(0.0, 0.0) == 0.0
    assert relative_error(1.0, 1.1) == pytest.approx(0.1 / 1.1)
    assert relative_error(1.0, 1.1) == relative_error(1.1, 1.0)
    assert relative_error(1.0, -1.0) == pytest.approx(2.0)
    assert relative_error(0.0, 1e-11) == pytest.approx(1.0)
    assert relative_error(0.0, 1e-11, floor=1e-3) == pytest.approx(1e-8)
    with pytest.raises(ValueError, match="shapes differ"):
        relative_error(np.zeros(2), np.zeros(3))


def test_gradient_check_passes_for_correct_gradient():
    fn, x = functions.rosenbrock(), np.array([-1.2, 1.0])
    result = gradient_check(fn.value, x.copy(), fn.grad(x), tol=1e-7)
    assert result.passed and result.max_error < 1e-7
    assert "passed" in result.message


def test_gradient_check_fails_with_clear_message_for_planted_bug():
    """A wrong gradient (one entry off by 1%) raises, naming the coordinate and both values."""
    fn, x = functions.rosenbrock(), np.array([-1.2, 1.0])
    wrong = fn.grad(x)
    wrong[1] *= 1.01
    with pytest.raises(GradientCheckError) as info:
        gradient_check(fn.value, x.copy(), wrong)
    message = str(info.value)
    assert "FAILED" in message and "coordinate (1,)" in message
    assert f"analytic {wrong[1]:.6g}" in message
    assert f"numerical {fn.grad(x)[1]:.6g}" in message


def test_gradient_check_without_raising_returns_the_worst_coordinate():
    fn, x = functions.beale(), np.array([1.0, 0.5])
    wrong = fn.grad(x) * np.array([1.0, -1.0])
    result = gradient_check(fn.value, x.copy(), wrong, raise_on_fail=False)
    assert not result.passed and result.worst == (1,)
    assert result.max_error == pytest.approx(2.0, rel=1e-6)


def test_gradient_check_floor_ignores_round_off_level_differences():
    """An analytic 0 against a numerical value at round-off level does not fail."""
    def f(v):
        return float(1e-3 * v[0] ** 2 + 3e-11 * v[1])     # d/dv1 = 3e-11: below default atol
    x = np.array([0.1, 2.0])
    claimed = np.array([2e-4, 0.0])                       # says 0 where the truth is 3e-11
    result = gradient_check(f, x.copy(), claimed)
    assert result.passed and result.floor == pytest.approx(10 * np.finfo(float).eps / 1e-5 / 1e-6)
    strict = gradient_check(f, x.copy(), claimed, atol=0.0, raise_on_fail=False)
    assert not strict.passed and strict.worst == (1,) and strict.max_error == pytest.approx(1.0)


def test_gradient_check_num_checks_samples_coordinates():
    fn = functions.quadratic(0.1, 2.0)
    x = np.array([1.0, -1.0])
    result = gradient_check(fn.value, x.copy(), fn.grad(x), num_checks=1, seed=3)
    assert np.sum(~np.isnan(result.errors)) == 1


@pytest.mark.parametrize("bad", [dict(analytic=np.zeros(3)), dict(tol=0), dict(atol=-1.0),
                                 dict(num_checks=0)])
def test_gradient_check_rejects_bad_input(bad):
    kwargs = dict(f=lambda v: float(np.sum(v ** 2)), x=np.ones(2), analytic=2 * np.ones(2))
    kwargs.update(bad)
    with pytest.raises(ValueError):
        gradient_check(**kwargs)


# ----------------------------------------------------------------------------
# the models the chapter checks

def _svm_problem(n=30, seed=0):
    rng = np.random.default_rng(seed)
    X = add_bias(rng.random((n, 8)))
    y = rng.integers(0, 4, size=n)
    W = 0.1 * rng.standard_normal((4, 9))
    return W, X, y


def test_svm_loss_at_zero_is_number_of_classes_minus_one():
    W, X, y = _svm_problem()
    assert svm_loss(np.zeros_like(W), X, y) == pytest.approx(3.0)
    assert svm_loss(np.zeros_like(W), X, y, delta=2.0) == pytest.approx(6.0)


def test_svm_loss_of_a_stack_equals_loss_of_each():
    W, X, y = _svm_problem()
    stack = np.stack([W, 2 * W, -W])
    np.testing.assert_allclose(svm_loss(stack, X, y, reg=0.1),
                               [svm_loss(w, X, y, reg=0.1) for w in stack])


@pytest.mark.parametrize("reg", [0.0, 0.3])
def test_svm_gradient_passes_gradient_check(reg):
    W, X, y = _svm_problem()
    loss, grad = svm_loss_grad(W, X, y, reg=reg)
    assert loss == pytest.approx(svm_loss(W, X, y, reg=reg))
    gradient_check(lambda V: svm_loss(V, X, y, reg=reg), W.copy(), grad, tol=1e-7)


def test_svm_gradient_without_correct_class_row_fails_check():
    W, X, y = _svm_problem()
    _, grad = svm_loss_grad(W, X, y)
    planted = grad.copy()
    planted[y[0]] = 0.0                                    # forget one correct-class row
    with pytest.raises(GradientCheckError, match=rf"coordinate \({y[0]}, \d+\)"):
        gradient_check(lambda V: svm_loss(V, X, y), W.copy(), planted, tol=1e-7)


def test_svm_rejects_bad_shapes():
    W, X, y = _svm_problem()
    with pytest.raises(ValueError):
        svm_loss(W[:, :-1], X, y)
    with pytest.raises(ValueError):
        svm_loss(W, X, y[:-1])
    with pytest.raises(ValueError):
        svm_loss(W[:2], X, y)                              # labels up to 3 need 4 classes


def test_accuracy_is_scale_invariant():
    W, X, y = _svm_problem()
    assert accuracy(W, X, y) == accuracy(1000 * W, X, y)


def test_mlp_backprop_passes_gradient_check_in_float64():
    rng = np.random.default_rng(1)
    X, y = rng.random((16, 6)), rng.integers(0, 3, size=16)
    params = init_params(seed=2, sizes=(6, 5, 3), dtype=np.float64)
    params[1] += 0.1                                       # nonzero biases
    loss, grads = mlp_loss_grad(params, X, y)
    assert loss == pytest.approx(mlp_loss(params, X, y))
    f = lambda v: mlp_loss(unflatten(v, params), X, y)    # noqa: E731
    gradient_check(f, flatten(params), flatten(grads), tol=1e-6)


def test_mlp_keeps_float32():
    params = init_params(sizes=(4, 3, 2), dtype=np.float32)
    X, y = np.ones((2, 4)), np.array([0, 1])
    loss, grads = mlp_loss_grad(params, X, y)
    assert np.asarray(mlp_loss(params, X, y)).dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads)


def test_unflatten_inverts_flatten():
    params = init_params(seed=0, sizes=(4, 3, 2))
    back = unflatten(flatten(params), params)
    for p, q in zip(params, back):
        np.testing.assert_array_equal(p, q)
    with pytest.raises(ValueError):
        unflatten(np.zeros(3), params)
