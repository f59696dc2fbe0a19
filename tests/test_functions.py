"""The book's test functions (d2lutils.analysis.functions): derivatives, minimizers, shapes, bad input.

The gradients and Hessians are checked against centred differences of the
function values, so a wrong sign or factor in a hand-written derivative fails.
"""
import numpy as np
import pytest

from d2lutils.analysis import functions

ALL = {name: (ctor(20.0) if name == "ill_conditioned" else ctor())
       for name, ctor in functions.CATALOG.items()}


def centred(fn_of_x, x, h=1e-6):
    """Centred-difference derivative of a (scalar or vector) function, one column per coordinate."""
    cols = [(np.asarray(fn_of_x(x + h * e)) - np.asarray(fn_of_x(x - h * e))) / (2 * h)
            for e in np.eye(len(x))]
    return np.array(cols)


@pytest.mark.parametrize("name", sorted(ALL))
def test_grad_and_hess_match_finite_differences(name):
    """∇f and ∇²f agree with centred differences of f and ∇f at random points."""
    fn = ALL[name]
    rng = np.random.default_rng(0)
    for x in rng.uniform(-2, 2, size=(5, fn.dim)):
        np.testing.assert_allclose(fn.grad(x), centred(fn.value, x), rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(fn.hess(x), centred(fn.grad, x), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("name", sorted(ALL))
def test_minimizers_are_stationary_with_positive_curvature(name):
    """At every listed minimizer the gradient is 0 and the Hessian positive definite."""
    fn = ALL[name]
    for m in fn.minimizers:
        np.testing.assert_allclose(fn.grad(m), 0.0, atol=1e-9)
        assert np.all(np.linalg.eigvalsh(fn.hess(m)) > 0), (name, m)


def test_known_values():
    """Values worked out by hand."""
    assert functions.quadratic(0.1, 2.0).value([1.0, 1.0]) == pytest.approx(2.1)
    assert functions.rosenbrock().value([0.0, 0.0]) == pytest.approx(1.0)
    assert functions.beale().value([0.0, 0.0]) == pytest.approx(1.5 ** 2 + 2.25 ** 2 + 2.625 ** 2)
    assert functions.saddle().value([1.0, 2.0]) == pytest.approx(-3.0)
    assert functions.xcos(np.pi).value([1.0]) == pytest.approx(-1.0)
    fn = functions.ill_conditioned(20.0, scale=2.0)
    eig = np.linalg.eigvalsh(fn.hess([0.0, 0.0]))
    assert eig.max() / eig.min() == pytest.approx(20.0) and eig.max() == pytest.approx(2.0)


@pytest.mark.parametrize("name", sorted(ALL))
def test_grids_keep_their_shape(name):
    """A (3, 4, d) grid gives values (3, 4), gradients (3, 4, d), Hessians (3, 4, d, d)."""
    fn = ALL[name]
    grid = np.random.default_rng(1).normal(size=(3, 4, fn.dim))
    assert fn.value(grid).shape == (3, 4)
    assert fn.grad(grid).shape == (3, 4, fn.dim)
    assert fn.hess(grid).shape == (3, 4, fn.dim, fn.dim)
    np.testing.assert_allclose(fn.grad(grid)[2, 1], fn.grad(grid[2, 1]))


def test_on_grid_equals_value_of_stacked_points():
    fn = functions.rosenbrock()
    x1, x2 = np.meshgrid(np.linspace(-2, 2, 5), np.linspace(-1, 3, 4))
    np.testing.assert_allclose(fn.on_grid(x1, x2), fn.value(np.stack([x1, x2], axis=-1)))


@pytest.mark.parametrize("call, error, match", [
    (lambda: functions.quadratic(0.1, 2.0).value([1.0, 2.0, 3.0]), ValueError, "length 2"),
    (lambda: functions.quadratic(0.1, 2.0).grad(1.0), ValueError, "length 2"),
    (lambda: functions.rosenbrock().value([np.nan, 0.0]), ValueError, "finite"),
    (lambda: functions.quadratic(-1.0, 2.0), ValueError, "a must be positive"),
    (lambda: functions.quadratic("1", 2.0), TypeError, "real number"),
    (lambda: functions.ill_conditioned(0.5), ValueError, r"kappa \(λ_max / λ_min\) must be >= 1"),
    (lambda: functions.xcos(float("inf")), ValueError, "finite"),
])
def test_bad_input_is_rejected_with_a_message(call, error, match):
    with pytest.raises(error, match=match):
        call()
