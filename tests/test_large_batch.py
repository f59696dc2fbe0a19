"""LARS, LAMB and the digits trainer (d2lutils.optim.large_batch), against values worked out by hand."""
import math

import numpy as np
import pytest

from d2lutils.models import twolayer_net
from d2lutils.data.digits import load_digits
from d2lutils.optim.large_batch import (init_lamb, init_lars, lamb_step, lars_step, train_digits,
                                  trust_ratio)


def test_trust_ratio_is_one_when_a_norm_is_zero():
    assert trust_ratio(3.0, 4.0) == 0.75
    assert trust_ratio(0.0, 4.0) == 1.0 and trust_ratio(3.0, 0.0) == 1.0


def test_lars_two_steps_by_hand():
    """w = [3, 4] (‖w‖ = 5), g = [0, 1] then [1, 0]; lr 0.5, η_L 0.1, γ 0.9, wd 0."""
    w, bias = np.array([3.0, 4.0]), np.array([0.0])
    params = [w, bias]
    vel = init_lars(params)
    lars_step(params, [np.array([0.0, 1.0]), np.array([2.0])], vel, 0.5, 0.9, 0.1)
    # λ = 0.1·5/1 = 0.5, v = -0.5·0.5·[0, 1] = [0, -0.25]; the zero bias gets λ = 1: v = -1
    np.testing.assert_allclose(w, [3.0, 3.75])
    np.testing.assert_allclose(bias, [-1.0])
    lars_step(params, [np.array([1.0, 0.0]), np.array([0.0])], vel, 0.5, 0.9, 0.1)
    lam = 0.1 * math.hypot(3.0, 3.75) / 1.0
    np.testing.assert_allclose(w, [3.0 - 0.5 * lam, 3.75 - 0.9 * 0.25])


def test_lars_skip_uses_the_plain_rate():
    params = [np.array([3.0, 4.0])]
    lars_step(params, [np.array([0.0, 1.0])], init_lars(params), 0.5, 0.0, 0.1, skip=(0,))
    np.testing.assert_allclose(params[0], [3.0, 3.5])


def test_lamb_first_step_by_hand():
    """t = 1: m̂ = g, v̂ = g², u = g/(|g|+ε); step = lr · ‖w‖/‖u‖ · u."""
    w = np.array([3.0, 4.0])
    g = np.array([2.0, -1.0])
    state = init_lamb([w])
    lamb_step([w], [g], state, lr=0.1, eps=1e-6)
    u = g / (np.abs(g) + 1e-6)
    np.testing.assert_allclose(w, [3.0, 4.0] - 0.1 * 5.0 / np.linalg.norm(u) * u, rtol=1e-12)
    assert state["t"] == 1


def test_lamb_second_step_uses_bias_correction():
    w = np.array([1.0])
    state = init_lamb([w])
    lamb_step([w], [np.array([1.0])], state, lr=0.1, beta1=0.5, beta2=0.75, eps=0.0)
    lamb_step([w], [np.array([3.0])], state, lr=0.1, beta1=0.5, beta2=0.75, eps=0.0)
    # for a single coordinate the trust ratio |w| / |u| turns every step into lr·|w|·sign(u):
    # u > 0 at both steps (m̂ = 1, then 1.75 / 0.75), so w = 1 · 0.9 · 0.9
    np.testing.assert_allclose(w, [0.9 * 0.9])


@pytest.mark.parametrize("call, match", [
    (lambda: lars_step([np.ones(2)], [np.ones(2)], [np.zeros(2)], float("nan")),
     "lr must be a finite number"),
    (lambda: lamb_step([np.ones(2)], [np.ones(2)], init_lamb([np.ones(2)]), -1.0),
     "lr must be non-negative"),
])
def test_bad_learning_rate(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_train_digits_records_every_epoch_and_learns():
    data = load_digits()
    params = twolayer_net.init_mlp(64, 16, 10, seed=0)

    def sgd(p, g, t):
        for a, b in zip(p, g):
            a -= 0.5 * b

    hist = train_digits(params, data, 256, 5, sgd)
    assert hist["updates"] == [0, 6, 12, 18, 24, 30]      # ceil(1347 / 256) = 6 per epoch
    assert len(hist["loss"]) == len(hist["test_acc"]) == 6
    assert hist["loss"][-1] < 0.3 * hist["loss"][0] and hist["test_acc"][-1] > 0.8


def test_train_digits_marks_a_diverged_run():
    data = load_digits()
    params = twolayer_net.init_mlp(64, 16, 10, seed=0)

    def explode(p, g, t):
        with np.errstate(over="ignore"):
            for a in p:
                a *= 1e200

    hist = train_digits(params, data, 512, 2, explode)
    assert hist["loss"][1:] == [math.inf, math.inf] and math.isnan(hist["test_acc"][-1])


def test_train_digits_rejects_bad_sizes():
    with pytest.raises(ValueError, match="batch_size must be positive"):
        train_digits([], load_digits(), 0, 1, lambda *a: None)
