"""Stale-gradient descent (d2lutils.optim.async_sgd)."""
import numpy as np
import pytest

from d2lutils.optim.async_sgd import max_stable_lr, stale_gd


def test_zero_staleness_is_gradient_descent():
    points, diverged = stale_gd(lambda x: 2 * x, [1.0], 0.1, 0, 3)
    np.testing.assert_allclose(points[:, 0], [1.0, 0.8, 0.64, 0.512])
    assert not diverged


def test_stale_gradient_by_hand():
    """τ = 1 on f = x²/2: x1 = x0 - η x0, x2 = x1 - η x0 (the gradient one step old)."""
    points, _ = stale_gd(lambda x: x, [1.0], 0.5, 1, 2)
    np.testing.assert_allclose(points[:, 0], [1.0, 0.5, 0.0])


@pytest.mark.parametrize("tau", [0, 1, 2, 5, 10])
def test_max_stable_lr_matches_closed_form(tau):
    closed = 2 * np.sin(np.pi / (2 * (2 * tau + 1)))
    assert max_stable_lr(1.0, tau) == pytest.approx(closed, rel=1e-9)
    assert max_stable_lr(4.0, tau) == pytest.approx(closed / 4, rel=1e-9)


def test_stability_limit_separates_converging_and_diverging_runs():
    limit = max_stable_lr(1.0, 3)
    ok, _ = stale_gd(lambda x: x, [1.0], 0.95 * limit, 3, 2000)
    bad, _ = stale_gd(lambda x: x, [1.0], 1.05 * limit, 3, 2000)
    assert abs(ok[-1, 0]) < 1e-3 and abs(bad[-1, 0]) > 1e3


def test_divergence_is_flagged():
    points, diverged = stale_gd(lambda x: x, [1.0], 3.0, 0, 100, bound=10)
    assert diverged and len(points) < 101


@pytest.mark.parametrize("kwargs, error, match", [
    ({"tau": -1}, ValueError, "tau must be non-negative"),
    ({"steps": 1.5}, TypeError, "steps must be an integer"),
    ({"lr": 0.0}, ValueError, "lr must be positive"),
    ({"lr": float("nan")}, ValueError, "lr must be a finite number"),
])
def test_bad_arguments(kwargs, error, match):
    args = {"grad": lambda x: x, "x0": [1.0], "lr": 0.1, "tau": 1, "steps": 3, **kwargs}
    with pytest.raises(error, match=match):
        stale_gd(**args)


@pytest.mark.parametrize("tau", [0, 1, 2, 5])
def test_is_stable_switches_at_the_closed_form_limit(tau):
    from d2lutils.optim.async_sgd import is_stable
    limit = 2 * np.sin(np.pi / (2 * (2 * tau + 1)))          # for η c
    assert is_stable(0.999 * limit / 3.0, 3.0, tau)
    assert not is_stable(1.001 * limit / 3.0, 3.0, tau)
    assert not is_stable(0.0, 3.0, tau)          # η = 0: a root at z = 1, the error never decays
