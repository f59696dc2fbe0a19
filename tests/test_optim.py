"""The NumPy reference update rules (d2lutils.optim.rules.RULES) and trajectory().

The expected numbers are worked out by hand from the book's equations with
x0 = [1, -2], g1 = [0.5, -1], g2 = [-0.25, 2]; the rules are never used to
compute their own expectations.
"""
import math
import warnings

import numpy as np
import pytest

from d2lutils import RULES, trajectory
from d2lutils.optim.rules import resolve

X0 = [1.0, -2.0]
G1 = [0.5, -1.0]
G2 = [-0.25, 2.0]
SQ = math.sqrt


def two_steps(name, **hp):
    """Run the rule ``name`` for the two fixed gradients; return x1 and x2."""
    rule, hp = resolve(name, hp)
    x = np.array(X0)
    state = rule.init(x.shape)
    rule.update(x, np.array(G1), state, hp)
    x1 = x.copy()
    rule.update(x, np.array(G2), state, hp)
    return x1, x.copy()


# name, hyperparameters, hand-computed x1, hand-computed x2
CASES = {
    # x <- x - lr g
    "sgd": ({"lr": 0.1},
            [1 - 0.05, -2 + 0.1],
            [0.95 + 0.025, -1.9 - 0.2]),
    # v1 = lr g1 = [0.05, -0.1];  v2 = 0.5 v1 + lr g2 = [0.0, 0.15]
    "momentum": ({"lr": 0.1, "momentum": 0.5},
                 [0.95, -1.9],
                 [0.95 - 0.0, -1.9 - 0.15]),
    # s1 = g1^2 = [0.25, 1];  s2 = [0.3125, 5];  eps inside the square root
    "adagrad": ({"lr": 0.1, "eps": 0.75},
                [1 - 0.1 * 0.5 / SQ(0.25 + 0.75), -2 + 0.1 * 1 / SQ(1 + 0.75)],
                [1 - 0.1 * 0.5 / SQ(1.0) + 0.1 * 0.25 / SQ(0.3125 + 0.75),
                 -2 + 0.1 / SQ(1.75) - 0.1 * 2 / SQ(5 + 0.75)]),
    # s1 = 0.5 g1^2 = [0.125, 0.5];  s2 = 0.5 s1 + 0.5 g2^2 = [0.09375, 2.25]
    "rmsprop": ({"lr": 0.1, "gamma": 0.5, "eps": 0.01},
                [1 - 0.1 * 0.5 / SQ(0.135), -2 + 0.1 / SQ(0.51)],
                [1 - 0.1 * 0.5 / SQ(0.135) + 0.1 * 0.25 / SQ(0.10375),
                 -2 + 0.1 / SQ(0.51) - 0.1 * 2 / SQ(2.26)]),
}

# AdaDelta, rho = 0.5, eps = 0.01:  s1 = [0.125, 0.5], Δ0 = 0
_d1 = [SQ(0.01) / SQ(0.135) * 0.5, SQ(0.01) / SQ(0.51) * -1.0]          # g'1
_delta1 = [0.5 * _d1[0] ** 2, 0.5 * _d1[1] ** 2]                          # Δ1
_d2 = [SQ(_delta1[0] + 0.01) / SQ(0.09375 + 0.01) * -0.25,                # g'2, s2 = [0.09375, 2.25]
       SQ(_delta1[1] + 0.01) / SQ(2.25 + 0.01) * 2.0]
CASES["adadelta"] = ({"lr": 1.0, "rho": 0.5, "eps": 0.01},
                     [1 - _d1[0], -2 - _d1[1]],
                     [1 - _d1[0] - _d2[0], -2 - _d1[1] - _d2[1]])

# Adam (paper form), beta1 = 0.5, beta2 = 0.75, eps = 0.01, lr = 0.1
# t=1: v̂ = g1, ŝ = g1^2  ->  x1 = x0 - lr g1 / (|g1| + eps)
# t=2: v2 = [0, 0.75], s2 = [0.0625, 1.1875], 1-β1² = 0.75, 1-β2² = 0.4375
#      v̂ = [0, 1], ŝ = [0.0625/0.4375, 1.1875/0.4375]
CASES["adam"] = ({"lr": 0.1, "beta1": 0.5, "beta2": 0.75, "eps": 0.01},
                 [1 - 0.1 * 0.5 / 0.51, -2 + 0.1 * 1 / 1.01],
                 [1 - 0.1 * 0.5 / 0.51 - 0.0,
                  -2 + 0.1 / 1.01 - 0.1 * 1.0 / (SQ(1.1875 / 0.4375) + 0.01)])


# Nesterov (Keras form), lr = 0.1, γ = 0.5: v1 = [0.05, -0.1], step1 = γ v1 + lr g1 = [0.075, -0.15];
# v2 = γ v1 + lr g2 = [0, 0.15], step2 = γ v2 + lr g2 = [-0.025, 0.275]
CASES["nesterov"] = ({"lr": 0.1, "momentum": 0.5},
                     [0.925, -1.85],
                     [0.95, -2.125])
# AdamW (decay, then Adam with ε outside √s), lr = 0.1, λ = 0.5, β1 = 0.5, β2 = 0.75, ε = 0.01.
# t=1: decay x0·(1 - 0.05); v1 = [0.25, -0.5], s1 = [0.0625, 0.25], √(1-β2)/(1-β1) = 1
# t=2: v2 = [0, 0.75], s2 = [0.0625, 1.1875], √0.4375 / 0.75
_k2 = SQ(0.4375) / 0.75
_w1 = [0.95 - 0.1 * 0.25 / 0.26, -1.9 + 0.1 * 0.5 / 0.51]
CASES["adamw"] = ({"lr": 0.1, "weight_decay": 0.5, "beta1": 0.5, "beta2": 0.75, "eps": 0.01},
                  _w1,
                  [_w1[0] * 0.95 - 0.0,
                   _w1[1] * 0.95 - 0.1 * _k2 * 0.75 / (SQ(1.1875) + 0.01)])

# Nadam with Keras's schedule (d = 1): μ_t = β1(1 - ½·0.96^t), β1 = 0.5, β2 = 0.75, ε = 0.01, lr 0.1
_mu = {t: 0.5 * (1 - 0.5 * 0.96 ** t) for t in (1, 2, 3)}       # 0.26, 0.2696, 0.278...
_m1 = [0.25, -0.5]                                                # (1-β1) g1
_hat1 = [_mu[2] * m / (1 - _mu[1] * _mu[2]) + (1 - _mu[1]) * g / (1 - _mu[1])
         for m, g in zip(_m1, G1)]
_n1 = [x - 0.1 * h / (abs(g) + 0.01) for x, h, g in zip(X0, _hat1, G1)]   # ŝ1 = g1²
_m2 = [0.5 * m + 0.5 * g for m, g in zip(_m1, G2)]               # [0, 0.75]
_s2 = [0.75 * 0.25 * g1 * g1 + 0.25 * g2 * g2 for g1, g2 in zip(G1, G2)]
_p2 = _mu[1] * _mu[2]
_hat2 = [_mu[3] * m / (1 - _p2 * _mu[3]) + (1 - _mu[2]) * g / (1 - _p2) for m, g in zip(_m2, G2)]
CASES["nadam"] = ({"lr": 0.1, "beta1": 0.5, "beta2": 0.75, "eps": 0.01, "schedule_decay": 1.0},
                  _n1,
                  [x - 0.1 * h / (SQ(s / 0.4375) + 0.01) for x, h, s in zip(_n1, _hat2, _s2)])

# Yogi, β1 = 0.5, β2 = 0.75, ε = 0.01, lr = 0.1, s0 = 0.  s ← s − (1 − β2)·sign(s − g²)·g²
# t=1: sign(0 − g1²) = −1, s1 = 0.25·g1² = [0.0625, 0.25] (Adam's s1 too): x1 is Adam's x1
# t=2: v2 = [0, 0.75]; g2² = [0.0625, 4]: sign(s1 − g2²) = [0 (a tie), −1],
#      s2 = [0.0625, 0.25 + 0.25·4] = [0.0625, 1.25]   (Adam: 1.1875); c1 = 0.75, c2 = 0.4375
CASES["yogi"] = ({"lr": 0.1, "beta1": 0.5, "beta2": 0.75, "eps": 0.01},
                 [1 - 0.1 * 0.5 / 0.51, -2 + 0.1 * 1 / 1.01],
                 [1 - 0.1 * 0.5 / 0.51 - 0.0,
                  -2 + 0.1 / 1.01 - 0.1 * 1.0 / (SQ(1.25 / 0.4375) + 0.01)])

# AdaMax, β1 = 0.5, β2 = 0.75, ε = 0.01, lr = 0.1:  u ← max(β2·u, |g|), x ← x − lr/(1−β1^t)·v/(u+ε)
# t=1: v1 = [0.25, −0.5], u1 = [0.5, 1]: x1 = x0 − 0.2·v1/(u1 + 0.01)
# t=2: v2 = [0, 0.75], u2 = max([0.375, 0.75], [0.25, 2]) = [0.375, 2]: x2 = x1 − (0.1/0.75)·v2/(u2 + 0.01)
CASES["adamax"] = ({"lr": 0.1, "beta1": 0.5, "beta2": 0.75, "eps": 0.01},
                   [1 - 0.2 * 0.25 / 0.51, -2 + 0.2 * 0.5 / 1.01],
                   [1 - 0.2 * 0.25 / 0.51 - 0.0,
                    -2 + 0.2 * 0.5 / 1.01 - 0.1 / 0.75 * 0.75 / 2.01])

# AMSGrad: with g1, g2 above s never decreases (s2 = [0.0625, 1.1875] >= s1 = [0.0625, 0.25]),
# so its max is s itself and the steps are Adam's; test_amsgrad_keeps_the_largest_s covers the max.
CASES["amsgrad"] = CASES["adam"]


def test_rules_are_the_books_algorithms():
    """RULES holds exactly the algorithms the book trains with; every one is checked by hand.

    The elementwise rules here (CASES); LARS and LAMB, which scale whole tensors, in
    tests/test_large_batch.py.
    """
    assert set(RULES) == {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta",
                          "adam", "amsgrad", "yogi", "adamax", "adamw", "nadam", "lars", "lamb"}
    assert set(CASES) == {name for name, rule in RULES.items() if not rule.layerwise}


@pytest.mark.parametrize("name", sorted(CASES))
def test_first_two_steps_match_hand_computation(name):
    """Steps 1 and 2 of each rule equal the values worked out by hand from its equations."""
    hp, x1, x2 = CASES[name]
    got1, got2 = two_steps(name, **hp)
    np.testing.assert_allclose(got1, x1, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got2, x2, rtol=1e-12, atol=1e-12)


def test_amsgrad_keeps_the_largest_s():
    """g = 1 then 0.1 (β1 = 0.5, β2 = 0.75): s falls 0.25 -> 0.19, AMSGrad divides by sqrt(0.25/c2)."""
    c1, c2 = 0.75, 1 - 0.75 ** 2
    expected = {"amsgrad": 0.1 * (0.3 / c1) / (SQ(0.25 / c2) + 0.01),
                "adam": 0.1 * (0.3 / c1) / (SQ(0.19 / c2) + 0.01)}
    for name, second_step in expected.items():
        rule, hp = resolve(name, {"lr": 0.1, "beta1": 0.5, "beta2": 0.75, "eps": 0.01})
        x = np.zeros(1)
        state = rule.init(x.shape)
        rule.update(x, np.array([1.0]), state, hp)
        np.testing.assert_allclose(x, [-0.1 / 1.01], rtol=1e-12)
        rule.update(x, np.array([0.1]), state, hp)
        np.testing.assert_allclose(x, [-0.1 / 1.01 - second_step], rtol=1e-12)


def _second_step(name, g1, g2, **hp):
    """|x2 − x1| of the rule ``name`` fed the scalar gradients g1, then g2."""
    rule, hp = resolve(name, hp)
    x = np.zeros(1)
    state = rule.init(x.shape)
    rule.update(x, np.array([g1]), state, hp)
    x1 = x.copy()
    rule.update(x, np.array([g2]), state, hp)
    return abs(float(x[0] - x1[0]))


def test_yogi_shrinks_s_additively():
    """g = 1 then 0.1 (β1 = 0.5, β2 = 0.75): Yogi's s falls by (1−β2)·g² = 0.0025 to 0.2475,
    Adam's by the factor β2 (to 0.19); the second step divides by the corrected sqrt of that s."""
    c1, c2 = 0.75, 1 - 0.75 ** 2
    hp = {"lr": 0.1, "beta1": 0.5, "beta2": 0.75, "eps": 0.01}
    expected = {"yogi": 0.1 * (0.3 / c1) / (SQ(0.2475 / c2) + 0.01),
                "adam": 0.1 * (0.3 / c1) / (SQ(0.19 / c2) + 0.01)}
    for name, step in expected.items():
        assert _second_step(name, 1.0, 0.1, **hp) == pytest.approx(step, rel=1e-12), name
    # a growing gradient: s rises by (1−β2)·g² = 0.25·4 (Adam: 0.75·0.25 + 0.25·4)
    assert _second_step("yogi", 1.0, 2.0, **hp) == pytest.approx(
        0.1 * ((0.25 + 1.0) / c1) / (SQ(1.25 / c2) + 0.01), rel=1e-12)


def test_yogi_s_moves_at_most_one_gradient_square_per_step():
    """|s_t − s_{t−1}| = (1−β2)·g_t² or 0, never more, whatever s was (here after a spike)."""
    rule, hp = resolve("yogi", {"beta2": 0.9})
    state = rule.init((1,))
    rng = np.random.default_rng(0)
    grads = np.concatenate([[30.0], rng.normal(size=200)])
    for g in grads:
        before = state["s"].copy()
        rule.update(np.zeros(1), np.array([g]), state, hp)
        change = abs(float(state["s"][0] - before[0]))
        assert change == pytest.approx(0.1 * g * g, rel=1e-12) or change == 0.0
    assert state["s"][0] > 0.1 * 900 - 0.1 * np.sum(grads[1:] ** 2) - 1e-9


def test_adamax_keeps_the_decayed_maximum():
    """g = 1 then 0.1 (β1 = 0.5, β2 = 0.75): u2 = max(0.75·1, 0.1) = 0.75, v2 = 0.3, c1 = 0.75."""
    hp = {"lr": 0.1, "beta1": 0.5, "beta2": 0.75, "eps": 0.01}
    assert _second_step("adamax", 1.0, 0.1, **hp) == pytest.approx(
        0.1 / 0.75 * 0.3 / (0.75 + 0.01), rel=1e-12)
    # a larger gradient replaces the maximum: u2 = max(0.75, 2) = 2, v2 = 0.25 + 1 = 1.25
    assert _second_step("adamax", 1.0, 2.0, **hp) == pytest.approx(
        0.1 / 0.75 * 1.25 / (2.0 + 0.01), rel=1e-12)


def test_adamax_step_is_bounded_by_lr():
    """Kingma & Ba §7.1: |Δx| ≤ η, for any gradients, spikes included (exactly: ≤ η times
    (1−β1)/(1−β1/β2) ≈ 1.009 for β1 = 0.9, β2 = 0.999, since |g_k| ≤ u_t / β2^(t−k))."""
    rule, hp = resolve("adamax", {"lr": 0.01})
    x, state = np.zeros(4), rule.init((4,))
    rng = np.random.default_rng(1)
    for t in range(300):
        g = rng.normal(size=4) * (100.0 if t % 50 == 0 else 1.0)
        before = x.copy()
        rule.update(x, g, state, hp)
        assert np.all(np.abs(x - before) <= 0.01 * 0.1 / (1 - 0.9 / 0.999) * (1 + 1e-12))


def test_adam_first_step_is_a_sign_step():
    """With bias correction Adam's first step is lr·g/(|g|+ε), whatever the betas."""
    g = np.array([3.0, -1e-3, 0.2])
    for b1, b2 in [(0.9, 0.999), (0.5, 0.75)]:
        rule, hp = resolve("adam", {"lr": 0.01, "beta1": b1, "beta2": b2})
        x = np.zeros(3)
        rule.update(x, g, rule.init(x.shape), hp)
        np.testing.assert_allclose(x, -0.01 * g / (np.abs(g) + 1e-8), rtol=1e-12)


def test_adam_framework_eps_form_differs_by_predicted_amount():
    """'framework' puts ε on sqrt(s) before bias correction: first step lr·g/(|g|+ε/sqrt(1-β2))."""
    g, lr, eps, b2 = np.array([0.5, -2.0]), 0.1, 0.1, 0.999
    steps = {}
    for form in ("paper", "framework"):
        rule, hp = resolve("adam", {"lr": lr, "eps": eps, "beta2": b2, "eps_form": form})
        x = np.zeros(2)
        rule.update(x, g, rule.init(x.shape), hp)
        steps[form] = -x
    np.testing.assert_allclose(steps["paper"], lr * g / (np.abs(g) + eps), rtol=1e-12)
    np.testing.assert_allclose(steps["framework"], lr * g / (np.abs(g) + eps / SQ(1 - b2)),
                               rtol=1e-12)
    # the effective ε is 0.1/sqrt(0.001) ≈ 3.16: the framework step is much shorter
    assert np.all(np.abs(steps["framework"]) < 0.5 * np.abs(steps["paper"]))


def test_adam_forms_agree_without_eps():
    """With ε = 0 the paper and framework forms are the same algorithm."""
    a = two_steps("adam", lr=0.1, beta1=0.5, beta2=0.75, eps=0.0)
    b = two_steps("adam", lr=0.1, beta1=0.5, beta2=0.75, eps=0.0, eps_form="framework")
    np.testing.assert_allclose(a, b, rtol=1e-12)


@pytest.mark.parametrize("eta", [0.05, 0.3, 0.75])
def test_gd_on_square_matches_closed_form(eta):
    """Gradient descent on f(x)=x² follows x_t = (1-2η)^t x0."""
    run = trajectory("sgd", lambda x: 2 * x, 3.0, 12, lr=eta)
    assert not run.diverged
    assert run.points.shape == (13, 1)
    expected = 3.0 * (1 - 2 * eta) ** np.arange(13)
    np.testing.assert_allclose(run.points[:, 0], expected, rtol=1e-12, atol=1e-300)


def test_divergence_is_flagged_early_without_overflow():
    """η=1.1 on x² grows like 1.2^t: flagged, stopped at the bound, no overflow warning."""
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        run = trajectory("sgd", lambda x: 2 * x, 1.0, 10_000, lr=1.1)
    assert run.diverged
    # |x_t| = 1.2^t first exceeds the bound 1e6 at t = 76; points x_0..x_75 are kept
    first_out = math.floor(math.log(1e6) / math.log(1.2)) + 1
    assert len(run.points) == first_out == 76
    np.testing.assert_allclose(run.points[:, 0], (-1.2) ** np.arange(76), rtol=1e-12)


def test_learning_rate_schedule_evaluated_each_step():
    """A callable lr is called with t = 0, 1, ... (updates already applied, as schedules count)
    and the path matches ∏(1 - 2·lr(t)) x0."""
    calls = []

    def schedule(t):
        calls.append(t)
        return 0.4 / (t + 1)

    run = trajectory("sgd", lambda x: 2 * x, 2.0, 6, lr=schedule)
    assert calls == [0, 1, 2, 3, 4, 5]
    expected = [2.0]
    for t in range(6):
        expected.append(expected[-1] * (1 - 0.8 / (t + 1)))
    np.testing.assert_allclose(run.points[:, 0], expected, rtol=1e-12)


def test_trajectory_with_momentum_two_dims():
    """trajectory() keeps state between steps: momentum on a 2-D quadratic matches a hand loop."""
    grad = lambda x: np.array([0.2 * x[0], 4 * x[1]])  # noqa: E731
    run = trajectory("momentum", grad, [-5.0, -2.0], 3, lr=0.1, momentum=0.5)
    x, v, expected = np.array([-5.0, -2.0]), np.zeros(2), [[-5.0, -2.0]]
    for _ in range(3):
        v = 0.5 * v + 0.1 * grad(x)
        x = x - v
        expected.append(x.tolist())
    np.testing.assert_allclose(run.points, expected, rtol=1e-12)


@pytest.mark.parametrize("kwargs, match", [
    ({"rule": "lion"}, "unknown rule"),
    ({"rule": "sgd", "momentum": 0.5}, "unknown hyperparameter"),
    ({"rule": "sgd", "lr": -0.1}, "lr must be non-negative"),
    ({"rule": "adagrad", "eps": -1e-6}, "eps must be non-negative"),
    ({"rule": "momentum", "momentum": 1.0}, r"momentum must lie in \[0, 1\)"),
    ({"rule": "rmsprop", "gamma": -0.1}, r"gamma must lie in \[0, 1\)"),
    ({"rule": "adam", "beta2": 1.5}, r"beta2 must lie in \[0, 1\)"),
    ({"rule": "adam", "eps_form": "keras"}, "eps_form"),
    ({"rule": "sgd", "steps": -1}, "steps must be non-negative"),
    ({"rule": "sgd", "x0": [[1.0, 2.0]]}, "x0 must be a scalar or a 1-D point"),
    ({"rule": "sgd", "lr": lambda t: 0.1 - 0.05 * t}, "lr must be non-negative"),
])
def test_bad_arguments_raise(kwargs, match):
    """Unknown rules/hyperparameters and out-of-range values raise ValueError saying what is expected."""
    args = {"grad": lambda x: 2 * x, "x0": 1.0, "steps": 5, **kwargs}
    with pytest.raises(ValueError, match=match):
        trajectory(**args)


def test_train_2d_matches_closed_form_gd():
    """train_2d runs gradient descent on f = x1² + 2 x2²: each coordinate shrinks by (1 - 2ηc)."""
    from d2lutils import train_2d
    run = train_2d("sgd", lambda x: np.array([2 * x[0], 4 * x[1]]), (-5.0, -2.0), steps=20, lr=0.1)
    k = np.arange(21)
    assert not run.diverged
    np.testing.assert_allclose(run.points[:, 0], -5.0 * 0.8 ** k)
    np.testing.assert_allclose(run.points[:, 1], -2.0 * 0.6 ** k)


def test_train_2d_rejects_non_2d_start():
    """A start point that is not (x1, x2) raises a clear ValueError."""
    from d2lutils import train_2d
    with pytest.raises(ValueError, match="2-D start point"):
        train_2d("sgd", lambda x: x, (1.0, 2.0, 3.0), lr=0.1)


def test_nan_is_flagged_as_divergence():
    """A gradient that turns NaN (inf - inf, 0/0) stops the run as diverged; no NaN point is kept."""
    def grad(x):
        return np.array([np.nan, 1.0]) if abs(x[0]) < 0.3 else 2 * x

    run = trajectory("sgd", grad, [1.0, 1.0], 20, lr=0.25)
    assert run.diverged, "a NaN iterate was not flagged as divergence"
    assert np.all(np.isfinite(run.points))
    # x1 halves each step: 1, 0.5, 0.25 -> the gradient at 0.25 is NaN, so 3 points are kept
    np.testing.assert_allclose(run.points[:, 0], [1.0, 0.5, 0.25])
    assert trajectory("sgd", lambda x: np.full(2, np.inf), [1.0, 1.0], 5, lr=0.1).diverged
