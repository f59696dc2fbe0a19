"""Numerical gradients and the gradient check (d2lutils.analysis.gradcheck), on known functions,
the multiclass SVM loss (d2lutils.models.linear_classifier) and the NumPy MLP (d2lutils.models.mlp)."""
import numpy as np
import pytest

from d2lutils.analysis import functions
from d2lutils.analysis.gradcheck import (GradientCheckError, complex_step_gradient, gradient_check,
                                         numerical_gradient, relative_error)
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
    with pytest.raises(ValueError, match="same shape"):
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
    W = 0.1 * rng.standard_normal((9, 4))        # (features, classes): column j is class j
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
    planted[:, y[0]] = 0.0                                 # forget one correct-class column
    with pytest.raises(GradientCheckError, match=rf"coordinate \(\d+, {y[0]}\)"):
        gradient_check(lambda V: svm_loss(V, X, y), W.copy(), planted, tol=1e-7)


def test_svm_rejects_bad_shapes():
    W, X, y = _svm_problem()
    with pytest.raises(ValueError, match="shape"):
        svm_loss(W[:-1], X, y)
    with pytest.raises(ValueError, match="labels"):
        svm_loss(W, X, y[:-1])
    with pytest.raises(ValueError, match="labels must lie"):
        svm_loss(W[:, :2], X, y)                           # labels up to 3 need 4 classes
    with pytest.raises(ValueError, match="finite"):
        svm_loss(np.full_like(W, np.nan), X, y)


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


# ----------------------------------------------------------------------------
# fail loudly (issue 23): NaN is reported, bad coordinates are named, nothing passes silently

def test_gradient_check_fails_on_nan_in_the_analytic_gradient():
    """The issue's example: a NaN in the analytic gradient must fail, not pass with 6.6e-12."""
    f = lambda x: float(np.sum(x ** 2))                   # noqa: E731
    result = gradient_check(f, np.ones(3), np.array([2.0, np.nan, 2.0]), raise_on_fail=False)
    assert not result.passed and result.worst == (1,) and result.max_error == np.inf
    assert np.isnan(result.analytic) and "FAILED" in result.message
    with pytest.raises(GradientCheckError, match=r"coordinate \(1,\)"):
        gradient_check(f, np.ones(3), np.array([2.0, np.nan, 2.0]))
    assert not gradient_check(f, np.ones(3), np.array([2.0, np.inf, 2.0]),
                              raise_on_fail=False).passed


def test_a_nan_loss_is_reported_by_name():
    def f(x):
        return float("nan") if x[1] > 1.0 else float(np.sum(x ** 2))
    with pytest.raises(ValueError, match=r"f returned nan at x \+ h e_k at k = \(1,\)"):
        numerical_gradient(f, np.ones(3))
    with pytest.raises(ValueError, match="f returned nan"):
        gradient_check(lambda x: float("nan"), np.ones(2), np.zeros(2))
    with pytest.raises(ValueError, match="f returned inf"):
        numerical_gradient(lambda x: float("inf"), np.ones(2), method="forward")


def test_relative_error_never_turns_nan_into_zero():
    assert np.isnan(relative_error(np.nan, 1.0))
    assert np.isnan(relative_error(1.0, np.nan))
    assert np.isnan(relative_error(np.inf, np.inf))
    assert np.isnan(relative_error(np.nan, 0.0, floor=1.0))
    out = relative_error(np.array([0.0, 1.0, np.nan]), np.array([0.0, 1.0, 1.0]))
    assert out[0] == 0.0 and out[1] == 0.0 and np.isnan(out[2])
    with pytest.raises(ValueError, match="floor"):
        relative_error(1.0, 1.0, floor=-1e-3)
    with pytest.raises(ValueError, match="floor"):
        relative_error(1.0, 1.0, floor=np.nan)


def test_relative_error_uses_the_larger_magnitude():
    """|a - b| / max(|a|, |b|), not min: 1 vs 3 is 2/3, and symmetric."""
    assert relative_error(1.0, 3.0) == pytest.approx(2 / 3)
    assert relative_error(-3.0, -1.0) == pytest.approx(2 / 3)
    assert relative_error(1e-3, 2e-3, floor=1.0) == pytest.approx(1e-3)


@pytest.mark.parametrize("coords", [[(2, 0)], [(0, 3)], [(-1, 0)], [(0,)], [(0, 0, 0)],
                                    [(0.5, 1)], [(0, 1), (1, 5)]])
def test_numerical_gradient_names_out_of_range_coordinates(coords):
    x = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"coords\[\d\] = .* is not an index"):
        numerical_gradient(lambda v: 0.0, x, coords=coords)


def test_numerical_gradient_restores_x_even_when_f_raises():
    x = np.array([1.0, 2.0, 3.0])

    def f(v):
        if v[1] != 2.0:
            raise RuntimeError("boom")
        return float(np.sum(v))
    with pytest.raises(RuntimeError):
        numerical_gradient(f, x)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])


def test_centered_and_forward_differences_on_a_cubic():
    """Exact values: centered difference of x^3 is 3x^2 + h^2, forward 3x^2 + 3xh + h^2."""
    f = lambda v: float(v[0] ** 3)                        # noqa: E731
    x, h = np.array([2.0]), 1e-2
    assert numerical_gradient(f, x.copy(), h=h)[0] == pytest.approx(12 + h ** 2, rel=1e-10)
    assert numerical_gradient(f, x.copy(), h=h, method="forward")[0] == pytest.approx(
        12 + 6 * h + h ** 2, rel=1e-10)


def test_num_checks_draws_distinct_coordinates():
    """num_checks = size checks every coordinate once (sampling with replacement would repeat some)."""
    f = lambda v: float(np.sum(v ** 2))                   # noqa: E731
    x = np.arange(1.0, 41.0).reshape(5, 8)
    for n in (40, 39, 25):
        result = gradient_check(f, x.copy(), 2 * x, num_checks=n, seed=1)
        assert np.sum(~np.isnan(result.errors)) == n
    full = gradient_check(f, x.copy(), 2 * x, num_checks=100)
    assert not np.any(np.isnan(full.errors))


def test_num_checks_finds_a_wrong_coordinate_among_the_sampled():
    f = lambda v: float(np.sum(v ** 2))                   # noqa: E731
    x = np.arange(1.0, 7.0)
    wrong = 2 * x
    wrong[4] += 1.0
    result = gradient_check(f, x.copy(), wrong, num_checks=6, raise_on_fail=False)
    assert not result.passed and result.worst == (4,)


def test_gradient_check_reports_the_worst_coordinate_and_the_floor():
    f = lambda v: float(np.sum(v ** 2))                   # noqa: E731
    x = np.array([1.0, 2.0, 3.0])
    wrong = 2 * x * np.array([1.0, 1.001, 1.1])
    result = gradient_check(f, x.copy(), wrong, atol=1e-8, tol=1e-6, raise_on_fail=False)
    assert result.worst == (2,) and result.max_error == pytest.approx(0.1 / 1.1, rel=1e-6)
    assert result.floor == pytest.approx(1e-2)
    assert result.errors[1] == pytest.approx(0.001 / 1.001, rel=1e-6)


def test_gradient_check_tolerance_is_inclusive_and_checked():
    f = lambda v: float(v[0] ** 2)                        # noqa: E731
    x = np.array([1.0])
    assert gradient_check(f, x.copy(), np.array([2.0]), tol=1e-6).passed
    assert not gradient_check(f, x.copy(), np.array([2.0 * (1 + 1e-4)]), tol=1e-6,
                              raise_on_fail=False).passed
    just_above = gradient_check(f, x.copy(), np.array([2.0 * (1 + 3e-6)]), tol=1e-6,
                                raise_on_fail=False)
    assert not just_above.passed and just_above.max_error == pytest.approx(3e-6, rel=1e-3)
    for bad, error in [(dict(tol=True), TypeError), (dict(tol=np.nan), ValueError),
                       (dict(atol=np.inf), ValueError), (dict(h=0), ValueError),
                       (dict(num_checks=2.5), TypeError), (dict(num_checks=3, seed=-1), ValueError)]:
        with pytest.raises(error):
            gradient_check(f, x.copy(), np.array([2.0]), **bad)


# ----------------------------------------------------------------------------
# the complex-step derivative

def test_complex_step_is_exact_to_round_off():
    rosenbrock = lambda v: (1 - v[0]) ** 2 + 100 * (v[1] - v[0] ** 2) ** 2   # noqa: E731
    x = np.array([-1.2, 1.0])
    np.testing.assert_allclose(complex_step_gradient(rosenbrock, x.copy()),
                               functions.rosenbrock().grad(x), rtol=1e-15)
    f = lambda v: np.exp(v[0]) * np.sin(v[0])             # noqa: E731
    exact = np.exp(1.0) * (np.sin(1.0) + np.cos(1.0))
    for h in (1e-8, 1e-20, 1e-100):
        assert complex_step_gradient(f, np.array([1.0]), h=h)[0] == pytest.approx(exact, rel=1e-15)


def test_complex_step_matches_the_hinge_gradient_next_to_a_kink():
    """One margin 1e-9 above 0: central differences cross the kink, the complex step does not."""
    W, X, y = _svm_problem(n=1)
    j = (y[0] + 1) % 4
    margin = X[0] @ W[:, j] - X[0] @ W[:, y[0]] + 1.0
    W[:, j] -= (margin - 1e-9) * X[0] / (X[0] @ X[0])
    f = lambda V: svm_loss(V, X, y)                       # noqa: E731
    _, grad = svm_loss_grad(W, X, y)
    np.testing.assert_allclose(complex_step_gradient(f, W.copy()), grad, atol=1e-14)
    assert not gradient_check(f, W.copy(), grad, tol=1e-7, raise_on_fail=False).passed


def test_complex_step_matches_backprop_of_the_mlp():
    rng = np.random.default_rng(3)
    X, y = rng.random((8, 5)), rng.integers(0, 3, size=8)
    params = init_params(seed=4, sizes=(5, 4, 3), dtype=np.float64)
    _, grads = mlp_loss_grad(params, X, y)
    f = lambda v: mlp_loss(unflatten(v, params), X, y)    # noqa: E731
    np.testing.assert_allclose(complex_step_gradient(f, flatten(params)), flatten(grads),
                               rtol=1e-13, atol=1e-16)


def test_complex_step_refuses_a_function_that_drops_the_imaginary_part():
    with pytest.raises(TypeError, match="drops the imaginary part"):
        complex_step_gradient(lambda v: float(np.sum(np.abs(v))), np.ones(2))
    with pytest.raises(TypeError, match="drops the imaginary part"):
        complex_step_gradient(lambda v: np.sum(np.abs(v)), np.ones(2))
    with pytest.raises(ValueError, match="f returned"):
        complex_step_gradient(lambda v: np.sum(v) * np.nan, np.ones(2))
    with pytest.raises(ValueError, match="coords"):
        complex_step_gradient(lambda v: np.sum(v), np.ones(2), coords=[(2,)])
    x = np.ones(3)
    complex_step_gradient(lambda v: np.sum(v * v), x)
    np.testing.assert_array_equal(x, 1.0)                  # x itself is never touched


# ----------------------------------------------------------------------------
# the linear classifier in the (features, classes) layout

def test_svm_gradient_of_a_stack_equals_gradient_of_each():
    W, X, y = _svm_problem()
    stack = np.stack([W, 2 * W, -W])
    losses, grads = svm_loss_grad(stack, X, y, reg=0.2)
    for w, loss, grad in zip(stack, losses, grads):
        one_loss, one_grad = svm_loss_grad(w, X, y, reg=0.2)
        assert loss == pytest.approx(one_loss)
        np.testing.assert_allclose(grad, one_grad, atol=1e-15)
    np.testing.assert_allclose(accuracy(stack, X, y), [accuracy(w, X, y) for w in stack])


def test_svm_scores_are_X_times_W():
    """Column j of W scores class j: a W that copies feature k into class k's column."""
    X = np.eye(4)[:, :3]                                    # example i has feature i (i < 3)
    W = np.zeros((3, 3))
    W[0, 2] = W[1, 0] = W[2, 1] = 5.0                       # feature 0 -> class 2, ...
    assert accuracy(W, X[:3], np.array([2, 0, 1])) == 1.0
    assert svm_loss(W, X[:3], np.array([2, 0, 1])) == 0.0


def test_svm_loss_accepts_complex_weights():
    W, X, y = _svm_problem()
    value = svm_loss(W + 1e-20j * np.ones_like(W), X, y)
    assert np.iscomplexobj(value) and value.real == pytest.approx(svm_loss(W, X, y))
