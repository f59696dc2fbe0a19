"""LARS and LAMB (d2lutils.optim.large_batch, registered in RULES), against values worked out by hand."""
import math

import numpy as np
import pytest

from d2lutils.data import load_digits
from d2lutils.optim import RULES, resolve
from d2lutils.optim.large_batch import tensor_norm, trust_ratio
from d2lutils.training import train_runs


def run(name, params, grads_per_step, stacked=False, **hp):
    """Apply the rule ``name`` to each tensor of ``params`` for each list of gradients, in place."""
    rule, hp = resolve(name, hp)
    states = [rule.init(p.shape, stacked=stacked) for p in params]
    for grads in grads_per_step:
        for p, g, s in zip(params, grads, states):
            rule.update(p, np.asarray(g, float), s, hp)
    return states


def test_trust_ratio_is_one_when_a_norm_is_zero():
    assert trust_ratio(np.array(3.0), np.array(4.0)) == 0.75
    assert trust_ratio(np.array(0.0), np.array(4.0)) == 1.0
    assert trust_ratio(np.array(3.0), np.array(0.0)) == 1.0


def test_trust_ratio_of_nan_is_not_silently_one_in_the_update():
    """A NaN gradient must make the parameters NaN (so a trainer reports divergence), not vanish."""
    p = [np.array([3.0, 4.0])]
    run("lars", p, [[[np.nan, 1.0]]], lr=0.5, eta=0.1)
    assert np.isnan(p[0]).any()


def test_lars_two_steps_by_hand():
    """w = [3, 4] (‖w‖ = 5), g = [0, 1] then [1, 0]; lr 0.5, η_L 0.1, γ 0.9, wd 0."""
    w, bias = np.array([3.0, 4.0]), np.array([0.0])
    run("lars", [w, bias], [[[0.0, 1.0], [2.0]]], lr=0.5, momentum=0.9, eta=0.1)
    # λ = 0.1·5/1 = 0.5, v = 0.5·0.5·[0, 1] = [0, 0.25]; the zero bias gets λ = 1: v = 1
    np.testing.assert_allclose(w, [3.0, 3.75])
    np.testing.assert_allclose(bias, [-1.0])
    w2 = np.array([3.0, 4.0])
    run("lars", [w2], [[[0.0, 1.0]], [[1.0, 0.0]]], lr=0.5, momentum=0.9, eta=0.1)
    lam = 0.1 * math.hypot(3.0, 3.75) / 1.0
    np.testing.assert_allclose(w2, [3.0 - 0.5 * lam, 3.75 - 0.9 * 0.25])


def test_lars_weight_decay_enters_both_the_ratio_and_the_step():
    """wd = 0.2: λ = η‖w‖/(‖g‖ + wd‖w‖) = 0.1·5/(1 + 1) = 0.25; v = lr·λ·(g + wd w)."""
    w = np.array([3.0, 4.0])
    run("lars", [w], [[[0.0, 1.0]]], lr=0.5, momentum=0.9, eta=0.1, weight_decay=0.2)
    np.testing.assert_allclose(w, [3.0, 4.0] - 0.5 * 0.25 * np.array([0.6, 1.8]))


def test_lamb_first_step_by_hand():
    """t = 1: m̂ = g, v̂ = g², u = g/(|g|+ε); step = lr · ‖w‖/‖u‖ · u."""
    w, g = np.array([3.0, 4.0]), np.array([2.0, -1.0])
    (state,) = run("lamb", [w], [[g]], lr=0.1, eps=1e-6)
    u = g / (np.abs(g) + 1e-6)
    np.testing.assert_allclose(w, [3.0, 4.0] - 0.1 * 5.0 / np.linalg.norm(u) * u, rtol=1e-12)
    assert state["t"] == 1


def test_lamb_second_step_uses_bias_correction():
    w = np.array([1.0])
    run("lamb", [w], [[[1.0]], [[3.0]]], lr=0.1, beta1=0.5, beta2=0.75, eps=0.0)
    # for a single coordinate the trust ratio |w| / |u| turns every step into lr·|w|·sign(u):
    # u > 0 at both steps (m̂ = 1, then 1.75 / 0.75), so w = 1 · 0.9 · 0.9
    np.testing.assert_allclose(w, [0.9 * 0.9])


def test_lamb_weight_decay_is_inside_the_trust_ratio():
    """u = m̂/(√v̂ + ε) + wd·w; with g = 0 at t = 1, u = wd·w and the step is lr·‖w‖/‖wd w‖·wd w = lr·w."""
    w = np.array([3.0, 4.0])
    run("lamb", [w], [[[0.0, 0.0]]], lr=0.1, eps=1e-6, weight_decay=0.5)
    np.testing.assert_allclose(w, [2.7, 3.6])


def test_stacked_norms_are_per_run():
    """Two runs stacked along axis 0 get the ratios each would get alone."""
    a, b = np.array([[3.0, 4.0]]), np.array([[30.0, 40.0]])
    grads = [[[0.0, 1.0]], [[0.0, 3.0]]]
    alone = []
    for start, g in zip((a, b), grads):
        p = start[0].copy()
        run("lars", [p], [[g[0]]], lr=0.5, eta=0.1)
        alone.append(p)
    stack = np.concatenate([a, b])
    run("lars", [stack], [[np.concatenate(grads)]], stacked=True, lr=0.5, eta=0.1)
    np.testing.assert_allclose(stack, np.stack(alone))


def test_tensor_norm_over_axes():
    x = np.arange(12.0).reshape(2, 2, 3)
    np.testing.assert_allclose(tensor_norm(x, (1, 2))[:, 0, 0], np.linalg.norm(x.reshape(2, -1), axis=1))
    assert tensor_norm(x, None).shape == (1, 1, 1)


@pytest.mark.parametrize("name, hp, match", [
    ("lars", {"lr": float("nan")}, "lr must be a finite number"),
    ("lars", {"weight_decay": float("nan")}, "weight_decay must be a finite number"),
    ("lars", {"momentum": 1.5}, "momentum must lie in"),
    ("lars", {"eta": -1.0}, "eta must be positive"),
    ("lamb", {"lr": -1.0}, "lr must be non-negative"),
    ("lamb", {"beta1": 1.0}, "beta1 must lie in"),
])
def test_bad_hyperparameters(name, hp, match):
    with pytest.raises(ValueError, match=match):
        resolve(name, hp)


def test_layerwise_rules_train_the_digits_network_in_a_sweep():
    """LARS and LAMB through train_runs (stacked over seeds): the loss falls, no run diverges."""
    data = load_digits()
    for name, lr, hp in (("lars", 2.0, {"eta": 0.01}), ("lamb", 0.02, {})):
        runs = train_runs(name, data, lrs=[lr], seeds=(0, 1), num_epochs=5, batch_size=256, **hp)
        assert not runs.diverged.any()
        assert np.all(runs.train_loss[..., -1] < 0.5 * runs.train_loss[..., 0]), name
    assert RULES["lars"].layerwise and RULES["lamb"].layerwise and not RULES["adam"].layerwise


# --- the gradient noise scale ----------------------------------------------------------------

def test_noise_scale_matches_per_example_gradients_taken_one_by_one():
    """tr(Σ)/‖G‖² from each example's own backward pass, unbiased covariance."""
    from d2lutils.models import mlp
    from d2lutils.optim.large_batch import noise_scale
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(7, 64)), rng.integers(0, 10, size=7)
    params = mlp.init_params(3, dtype=np.float64)
    per = np.array([np.concatenate([g.ravel() for g in mlp.loss_and_grads(params, X[i:i + 1], y[i:i + 1])[1]])
                    for i in range(7)])
    expected = np.sum(np.var(per, axis=0, ddof=1)) / np.sum(per.mean(axis=0) ** 2)
    assert noise_scale(params, X, y) == pytest.approx(expected, rel=1e-10)


def test_noise_scale_needs_two_examples_and_a_finite_answer():
    from d2lutils.models import mlp
    from d2lutils.optim.large_batch import noise_scale
    params = mlp.init_params(0, dtype=np.float64)
    with pytest.raises(ValueError, match="at least 2 examples"):
        noise_scale(params, np.zeros((1, 64)), np.array([3]))
    bad = [p.copy() for p in params]
    bad[0][0, 0] = np.nan
    with pytest.raises(ValueError, match="noise scale"):
        noise_scale(bad, np.ones((4, 64)), np.array([0, 1, 2, 3]))
