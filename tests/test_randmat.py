"""GOE samples and the exact probability that a GOE matrix is positive definite (d2lutils.analysis.randmat).

The exact values are checked against closed forms for n = 1, 2, 3, against plain
sampling (which never uses the formula) for n = 3, 4, 5, and against the known
large-n behaviour P ~ 3^(-n^2/4) (Dean and Majumdar, 2006).
"""
import math

import numpy as np
import pytest

from d2lutils.analysis.randmat import MAX_EXACT_N, goe, prob_all_positive


def test_goe_is_symmetric_with_the_goe_variances():
    """Off-diagonal entries have variance 1, diagonal entries variance 2, all means 0."""
    h = goe(4, 50_000, np.random.default_rng(0))
    assert h.shape == (50_000, 4, 4)
    np.testing.assert_array_equal(h, np.swapaxes(h, 1, 2))
    var = h.var(axis=0)
    np.testing.assert_allclose(np.diag(var), 2.0, rtol=0.03)
    np.testing.assert_allclose(var[~np.eye(4, dtype=bool)], 1.0, rtol=0.03)
    np.testing.assert_allclose(h.mean(axis=0), 0.0, atol=0.03)


def test_goe_is_reproducible_from_the_seed():
    np.testing.assert_array_equal(goe(3, 5, np.random.default_rng(7)),
                                  goe(3, 5, np.random.default_rng(7)))


@pytest.mark.parametrize("n, expected", [
    (1, 0.5),                                      # the sign of one N(0, 2) number
    (2, (2 - math.sqrt(2)) / 4),                   # mean > radius: a 45-degree cone in 3-D
    (3, 0.25 - 1 / (math.sqrt(2) * math.pi)),      # closed form of the 3 x 3 case
])
def test_exact_probability_closed_forms(n, expected):
    assert prob_all_positive(n) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("n", [3, 4, 5])
def test_exact_probability_matches_sampling(n):
    """The formula agrees with the share of sampled matrices whose eigenvalues are all positive."""
    samples = 400_000
    rng = np.random.default_rng(n)
    hits = sum(int(np.sum(np.linalg.eigvalsh(goe(n, samples // 4, rng))[:, 0] > 0))
               for _ in range(4))
    p = prob_all_positive(n)
    assert abs(hits - samples * p) < 4 * math.sqrt(samples * p * (1 - p))


def test_exact_probability_decays_like_three_to_minus_n_squared_over_four():
    """-ln P / n^2 decreases with n towards ln(3)/4 from above."""
    rates = [-math.log(prob_all_positive(n)) / n ** 2 for n in range(1, MAX_EXACT_N + 1)]
    assert all(a > b for a, b in zip(rates, rates[1:]))
    assert all(r > math.log(3) / 4 for r in rates)
    assert rates[-1] < math.log(3) / 4 + 0.015
    assert prob_all_positive(20) < 2.0 ** -20 * 1e-45  # far below the coin-flip model


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, MAX_EXACT_N + 1])
def test_exact_probability_rejects_bad_n(bad):
    with pytest.raises((ValueError, TypeError), match="n must"):
        prob_all_positive(bad)


@pytest.mark.parametrize("kwargs, message", [
    ({"n": 0, "size": 1}, "n must"),
    ({"n": 2, "size": 0}, "size must"),
    ({"n": 2.0, "size": 1}, "n must"),
])
def test_goe_rejects_bad_sizes(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        goe(rng=np.random.default_rng(0), **kwargs)


def test_goe_rejects_a_seed_instead_of_a_generator():
    with pytest.raises(TypeError, match="Generator"):
        goe(2, 3, 0)
