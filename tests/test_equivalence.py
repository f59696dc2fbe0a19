"""The NumPy reference rules agree with the optimizers built into MXNet and Keras.

Same start (w: 5x1, b: (1,)), same random gradients, 50 steps; the displacement
from the start must agree to 1e-5 (relative).  Where the definitions really
differ (Keras defaults, Adam's ε), the difference itself is asserted.

Checked against the installed sources: mxnet/optimizer/optimizer.py (SGD,
AdaGrad, RMSProp, AdaDelta, Adam, Adamax) and keras/src/optimizers/*.py.
MXNet's AdaGrad, RMSProp and AdaDelta create float32 state whatever the weight
dtype (float64 weights are refused), so those run in float32 in MXNet.
"""
import d2lutils  # noqa: F401  (first: lets TensorFlow and MXNet share one process)

import mxnet as mx  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402
from mxnet import nd  # noqa: E402
from tensorflow import keras  # noqa: E402

from d2lutils import mxnet as d2lmx  # noqa: E402
from d2lutils import tensorflow as d2ltf  # noqa: E402
from d2lutils.comparison import random_problem, reference_trace, relative_gap  # noqa: E402
from d2lutils.optim.rules import resolve  # noqa: E402

STEPS = 50

# Adam's default β2 = 0.999 is held as float32 by both frameworks; that alone gives a
# relative gap of about 7e-6 over 50 steps, inside the 1e-5 tolerance.
# reference hyperparameters, MXNet (name, params, dtype), Keras optimizer factory
ALGORITHMS = {
    "sgd": ({"lr": 0.1},
            ("sgd", {"learning_rate": 0.1}, "float64"),
            lambda: keras.optimizers.SGD(0.1)),
    "momentum": ({"lr": 0.05, "momentum": 0.9},
                 ("sgd", {"learning_rate": 0.05, "momentum": 0.9}, "float64"),
                 lambda: keras.optimizers.SGD(0.05, momentum=0.9)),
    "adagrad": ({"lr": 0.1, "eps": 1e-6},
                ("adagrad", {"learning_rate": 0.1, "eps": 1e-6}, "float32"),
                lambda: keras.optimizers.Adagrad(0.1, initial_accumulator_value=0.0, epsilon=1e-6)),
    "rmsprop": ({"lr": 0.01, "gamma": 0.9, "eps": 1e-6},
                ("rmsprop", {"learning_rate": 0.01, "gamma1": 0.9, "epsilon": 1e-6}, "float32"),
                lambda: keras.optimizers.RMSprop(0.01, rho=0.9, epsilon=1e-6)),
    # MXNet's AdaDelta has no learning rate; Keras needs learning_rate=1.0 for the original algorithm
    "adadelta": ({"lr": 1.0, "rho": 0.9, "eps": 1e-5},
                 ("adadelta", {"rho": 0.9, "epsilon": 1e-5}, "float32"),
                 lambda: keras.optimizers.Adadelta(learning_rate=1.0, rho=0.9, epsilon=1e-5)),
    # both frameworks add ε to sqrt(s) before the bias correction
    "adam": ({"lr": 0.01, "eps": 1e-3, "eps_form": "framework"},
             ("adam", {"learning_rate": 0.01, "epsilon": 1e-3}, "float64"),
             lambda: keras.optimizers.Adam(0.01, epsilon=1e-3)),
    # without ε the paper's form is what the frameworks compute
    "adam-paper-eps0": ({"lr": 0.01, "eps": 0.0},
                        ("adam", {"learning_rate": 0.01, "epsilon": 0.0}, "float64"),
                        lambda: keras.optimizers.Adam(0.01, epsilon=0.0)),
    # a large ε tells sqrt(s + ε) (all three) from sqrt(s) + ε; with ε = 1e-6 they agree to 1e-6
    "adagrad-large-eps": ({"lr": 0.1, "eps": 1.0},
                          ("adagrad", {"learning_rate": 0.1, "eps": 1.0}, "float32"),
                          lambda: keras.optimizers.Adagrad(0.1, initial_accumulator_value=0.0,
                                                           epsilon=1.0)),
    # AdaMax (Kingma & Ba §7.1): the paper and MXNet have no ε; with ε = 0 Keras agrees too
    "adamax": ({"lr": 0.01, "eps": 0.0},
               ("adamax", {"learning_rate": 0.01}, "float64"),
               lambda: keras.optimizers.Adamax(0.01, epsilon=0.0)),
    # Keras adds its ε to u: a large ε shows where (MXNet has no ε to compare)
    "adamax-keras-eps": ({"lr": 0.002, "eps": 0.5},
                         None,
                         lambda: keras.optimizers.Adamax(0.002, epsilon=0.5)),
    # Keras multiplies only the step by the learning rate, not the Δx it accumulates
    # (MXNet's AdaDelta has no learning rate, so it is compared with Keras only)
    "adadelta-lr": ({"lr": 0.5, "rho": 0.9, "eps": 1e-3},
                    None,
                    lambda: keras.optimizers.Adadelta(learning_rate=0.5, rho=0.9, epsilon=1e-3)),
}
MXNET_ALGORITHMS = sorted(a for a in ALGORITHMS if ALGORITHMS[a][1] is not None)


def run_mxnet(name, params, dtype, start, grads):
    updater = mx.optimizer.get_updater(mx.optimizer.create(name, **params))
    weights = [nd.array(p, dtype=dtype) for p in start]
    trace = []
    for step_grads in grads:
        for i, (w, g) in enumerate(zip(weights, step_grads)):
            updater(i, nd.array(g, dtype=dtype), w)
        trace.append([w.asnumpy().astype(np.float64) for w in weights])
    return trace


def run_keras(optimizer, start, grads):
    variables = [tf.Variable(np.array(p, dtype=np.float64)) for p in start]
    optimizer.build(variables)
    trace = []
    for step_grads in grads:
        optimizer.apply_gradients(zip([tf.constant(g, dtype=tf.float64) for g in step_grads],
                                      variables))
        trace.append([v.numpy() for v in variables])
    return trace


def displacement(trace, start):
    """Parameters minus their start, so the gap measures the updates themselves."""
    return [[p - np.asarray(s, dtype=np.float64) for p, s in zip(step, start)] for step in trace]


def problem(dtype):
    """Random start and gradients, rounded to ``dtype`` so every side sees the same numbers."""
    start, grads = random_problem(5, STEPS, seed=3, dtype=dtype)
    return start, grads


@pytest.mark.parametrize("algo", MXNET_ALGORITHMS)
def test_reference_matches_mxnet(algo):
    """Reference rule and MXNet's built-in optimizer agree step by step for 50 steps."""
    hp, (name, params, dtype), _ = ALGORITHMS[algo]
    start, grads = problem(dtype)
    ours = reference_trace(algo.split("-")[0], hp, start, grads)
    theirs = run_mxnet(name, params, dtype, start, grads)
    assert max(np.abs(d).max() for d in displacement(ours, start)[-1]) > 0.05  # it really moved
    gap = relative_gap(displacement(ours, start), displacement(theirs, start))
    assert gap < 1e-5, f"{algo}: the reference rule and MXNet differ by {gap:.1e}"


@pytest.mark.parametrize("algo", sorted(ALGORITHMS))
def test_reference_matches_keras(algo):
    """Reference rule and the Keras optimizer (float64 variables) agree step by step for 50 steps."""
    hp, _, factory = ALGORITHMS[algo]
    start, grads = problem(np.float64)
    ours = reference_trace(algo.split("-")[0], hp, start, grads)
    theirs = run_keras(factory(), start, grads)
    gap = relative_gap(displacement(ours, start), displacement(theirs, start))
    assert gap < 1e-5, f"{algo}: the reference rule and Keras differ by {gap:.1e}"


def test_large_eps_separates_inside_from_outside_the_root():
    """Negative control: AdaGrad with ε outside the root, sqrt(s) + ε, is far from every framework at ε = 1."""
    start, grads = problem("float32")
    rule, hp = resolve("adagrad", {"lr": 0.1, "eps": 1.0})
    params = [np.array(p, dtype=np.float64) for p in start]
    states = [rule.init(p.shape) for p in params]
    outside = []
    for step_grads in grads:
        for p, g, s in zip(params, step_grads, states):
            s["s"] += g * g
            p -= 0.1 * g / (np.sqrt(s["s"]) + 1.0)
        outside.append([p.copy() for p in params])
    theirs = run_mxnet("adagrad", {"learning_rate": 0.1, "eps": 1.0}, "float32", start, grads)
    assert relative_gap(displacement(outside, start), displacement(theirs, start)) > 1e-2


def test_keras_adadelta_scales_only_the_step():
    """Keras AdaDelta with lr = 0.5: Δx is accumulated unscaled; scaling it too is far off."""
    start, grads = problem(np.float64)
    theirs = run_keras(keras.optimizers.Adadelta(learning_rate=0.5, rho=0.9, epsilon=1e-3),
                       start, grads)
    params = [np.array(p, dtype=np.float64) for p in start]
    acc = [[np.zeros(p.shape), np.zeros(p.shape)] for p in params]
    scaled = []
    for step_grads in grads:
        for p, g, (s, delta) in zip(params, step_grads, acc):
            s[:] = 0.9 * s + 0.1 * g * g
            step = 0.5 * np.sqrt(delta + 1e-3) / np.sqrt(s + 1e-3) * g
            p -= step
            delta[:] = 0.9 * delta + 0.1 * step * step       # the scaled Δx: not what Keras does
        scaled.append([p.copy() for p in params])
    assert relative_gap(displacement(scaled, start), displacement(theirs, start)) > 1e-2


def test_comparison_detects_a_wrong_hyperparameter():
    """Negative control: RMSProp with γ=0.9 vs MXNet with gamma1=0.95 is far from 1e-5."""
    start, grads = problem("float32")
    ours = reference_trace("rmsprop", {"lr": 0.01, "gamma": 0.9, "eps": 1e-6}, start, grads)
    theirs = run_mxnet("rmsprop", {"learning_rate": 0.01, "gamma1": 0.95, "epsilon": 1e-6},
                       "float32", start, grads)
    assert relative_gap(displacement(ours, start), displacement(theirs, start)) > 1e-2


def first_step(trace, start):
    return np.concatenate([np.ravel(p) for p in displacement(trace, start)[0]])


def test_keras_adadelta_default_lr_is_1000x_smaller():
    """Keras Adadelta defaults to learning_rate=0.001: its first step is 1/1000 of the original algorithm's."""
    assert float(keras.optimizers.Adadelta().learning_rate) == pytest.approx(0.001)
    start, grads = problem(np.float64)
    ours = first_step(reference_trace("adadelta", {"lr": 1.0, "rho": 0.9, "eps": 1e-5},
                                    start, grads[:1]), start)
    keras_default = first_step(run_keras(keras.optimizers.Adadelta(rho=0.9, epsilon=1e-5),
                                         start, grads[:1]), start)
    np.testing.assert_allclose(keras_default, 0.001 * ours, rtol=1e-6)
    mxnet = first_step(run_mxnet("adadelta", {"rho": 0.9, "epsilon": 1e-5}, "float32",
                                 start, grads[:1]), start)
    np.testing.assert_allclose(mxnet, ours, rtol=1e-4)


def test_keras_adagrad_default_accumulator_changes_first_step():
    """Keras Adagrad starts its accumulator at 0.1: step 1 is the textbook step times sqrt((g²+ε)/(g²+0.1+ε))."""
    start, grads = problem(np.float64)
    eps, lr = 1e-6, 0.1
    textbook = first_step(reference_trace("adagrad", {"lr": lr, "eps": eps}, start, grads[:1]), start)
    keras_default = first_step(run_keras(keras.optimizers.Adagrad(lr, epsilon=eps),
                                         start, grads[:1]), start)
    g = np.concatenate([np.ravel(x) for x in grads[0]])
    factor = np.sqrt((g * g + eps) / (g * g + 0.1 + eps))
    np.testing.assert_allclose(textbook, -lr * g / np.sqrt(g * g + eps), rtol=1e-9)
    np.testing.assert_allclose(keras_default, factor * textbook, rtol=1e-6)
    assert np.max(np.abs(keras_default / textbook - 1)) > 0.01  # a real, visible difference


def test_adam_eps_placement_paper_vs_frameworks():
    """With ε=0.1, step 1 is lr·g/(|g|+ε) in the paper but lr·g/(|g|+ε/sqrt(1-β2)) in MXNet and Keras."""
    start, grads = problem(np.float64)
    lr, eps, b2 = 0.01, 0.1, 0.999
    g = np.concatenate([np.ravel(x) for x in grads[0]])
    paper = first_step(reference_trace("adam", {"lr": lr, "eps": eps}, start, grads[:1]), start)
    mxnet = first_step(run_mxnet("adam", {"learning_rate": lr, "epsilon": eps}, "float64",
                                 start, grads[:1]), start)
    kers = first_step(run_keras(keras.optimizers.Adam(lr, epsilon=eps), start, grads[:1]), start)
    np.testing.assert_allclose(paper, -lr * g / (np.abs(g) + eps), rtol=1e-9)
    predicted = -lr * g / (np.abs(g) + eps / np.sqrt(1 - b2))
    # both frameworks hold β2 as float32 (0.999 -> 0.99900001), so 1-β2 is off by 1.3e-5
    np.testing.assert_allclose(mxnet, predicted, rtol=2e-5)
    np.testing.assert_allclose(kers, predicted, rtol=2e-5)
    assert np.all(np.abs(kers) < 0.8 * np.abs(paper))


# ----------------------------------------------------------------------------
# compare_with_builtin: catches the classic "v = ..." momentum bug

def mx_init_states(feature_dim):
    return (nd.zeros((feature_dim, 1)), nd.zeros(1))


def mx_momentum(params, states, hp):
    for p, v in zip(params, states):
        v[:] = hp["momentum"] * v + hp["lr"] * p.grad
        p[:] -= v


def mx_momentum_rebinding(params, states, hp):
    for p, v in zip(params, states):
        v = hp["momentum"] * v + hp["lr"] * p.grad   # rebinds: the state never changes
        p[:] -= v


def tf_init_states(feature_dim):
    return (tf.Variable(tf.zeros((feature_dim, 1))), tf.Variable(tf.zeros(1)))


def tf_momentum(params, grads, states, hp):
    for p, g, v in zip(params, grads, states):
        v.assign(hp["momentum"] * v + hp["lr"] * g)
        p.assign_sub(v)


def tf_momentum_rebinding(params, grads, states, hp):
    for p, g, v in zip(params, grads, states):
        v = hp["momentum"] * v + hp["lr"] * g   # rebinds: the state never changes
        p.assign_sub(v)


HP = {"lr": 0.02, "momentum": 0.9}


def test_mxnet_compare_with_builtin_accepts_correct_momentum():
    """An in-place from-scratch momentum matches MXNet's SGD with momentum (gap < 1e-5)."""
    gap = d2lmx.compare_with_builtin(mx_momentum, mx_init_states, HP, "sgd",
                                     {"learning_rate": 0.02, "momentum": 0.9})
    assert gap < 1e-5


def test_mxnet_compare_with_builtin_catches_rebinding_bug():
    """Rebinding ``v = ...`` loses the momentum; compare_with_builtin reports a gap > 1e-2."""
    gap = d2lmx.compare_with_builtin(mx_momentum_rebinding, mx_init_states, HP, "sgd",
                                     {"learning_rate": 0.02, "momentum": 0.9})
    assert gap > 1e-2


def test_tf_compare_with_builtin_accepts_correct_momentum():
    """An assign-based from-scratch momentum matches keras.optimizers.SGD(momentum=0.9) (gap < 1e-5)."""
    gap = d2ltf.compare_with_builtin(tf_momentum, tf_init_states, HP,
                                     keras.optimizers.SGD(0.02, momentum=0.9))
    assert gap < 1e-5


def test_tf_compare_with_builtin_catches_rebinding_bug():
    """Rebinding ``v = ...`` instead of ``v.assign`` is caught: gap > 1e-2."""
    gap = d2ltf.compare_with_builtin(tf_momentum_rebinding, tf_init_states, HP,
                                     keras.optimizers.SGD(0.02, momentum=0.9))
    assert gap > 1e-2


def mx_momentum_w_only(params, states, hp):
    mx_momentum(params[:1], states[:1], hp)           # b is never updated


def mx_momentum_b_only(params, states, hp):
    mx_momentum(params[1:], states[1:], hp)           # w is never updated


def tf_momentum_w_only(params, grads, states, hp):
    tf_momentum(params[:1], grads[:1], states[:1], hp)


def tf_momentum_b_only(params, grads, states, hp):
    tf_momentum(params[1:], grads[1:], states[1:], hp)


@pytest.mark.parametrize("update", [mx_momentum_w_only, mx_momentum_b_only])
def test_mxnet_compare_with_builtin_checks_every_parameter(update):
    """An update that forgets w (or b) is caught: the gap covers all parameters."""
    gap = d2lmx.compare_with_builtin(update, mx_init_states, HP, "sgd",
                                     {"learning_rate": 0.02, "momentum": 0.9})
    assert gap > 1e-2, f"{update.__name__}: gap {gap:.1e}"


@pytest.mark.parametrize("update", [tf_momentum_w_only, tf_momentum_b_only])
def test_tf_compare_with_builtin_checks_every_parameter(update):
    """An update that forgets w (or b) is caught: the gap covers all parameters."""
    gap = d2ltf.compare_with_builtin(update, tf_init_states, HP,
                                     keras.optimizers.SGD(0.02, momentum=0.9))
    assert gap > 1e-2, f"{update.__name__}: gap {gap:.1e}"


def test_relative_gap_is_the_worst_step():
    """Gaps of 1/11 and 3/13 at two steps: the result is the larger, not their mean."""
    gap = relative_gap([[np.array([1.0])], [np.array([1.0])]],
                       [[np.array([1.1])], [np.array([1.3])]])
    assert gap == pytest.approx(0.3 / 1.3, rel=1e-12)
    assert relative_gap([[np.ones(2), np.ones(1)]], [[np.ones(2), np.array([np.nan])]]) == np.inf


@pytest.mark.parametrize("framework", ["mxnet", "tf"])
def test_compare_with_builtin_needs_at_least_one_step(framework):
    """steps=0 used to return 0.0, which reads as "agrees"."""
    with pytest.raises(ValueError, match="steps must be positive"):
        if framework == "mxnet":
            d2lmx.compare_with_builtin(mx_momentum, mx_init_states, HP, "sgd",
                                       {"learning_rate": 0.02, "momentum": 0.9}, steps=0)
        else:
            d2ltf.compare_with_builtin(tf_momentum, tf_init_states, HP,
                                       keras.optimizers.SGD(0.02, momentum=0.9), steps=0)


def test_compare_with_builtin_rejects_bad_optimizers():
    """Unknown MXNet names raise ValueError, non-Keras optimizer objects TypeError."""
    with pytest.raises(ValueError, match="unknown MXNet optimizer"):
        d2lmx.compare_with_builtin(mx_momentum, mx_init_states, HP, "nesterov-sgd", {})
    with pytest.raises(TypeError, match="keras.optimizers.Optimizer"):
        d2ltf.compare_with_builtin(tf_momentum, tf_init_states, HP, "sgd")


COMPARE_CALLS = {   # every compare_with_* of both frameworks, with the chapter's own arguments
    "mxnet builtin": lambda fn, init, hp: d2lmx.compare_with_builtin(
        fn, init, hp, "sgd", {"learning_rate": 0.02, "momentum": 0.9}, steps=2),
    "tf builtin": lambda fn, init, hp: d2ltf.compare_with_builtin(
        fn, init, hp, keras.optimizers.SGD(0.02, momentum=0.9), steps=2),
    "mxnet reference": lambda fn, init, hp: d2lmx.compare_with_reference(fn, init, hp, "momentum", steps=2),
    "tf reference": lambda fn, init, hp: d2ltf.compare_with_reference(fn, init, hp, "momentum", steps=2),
}


@pytest.mark.parametrize("call", sorted(COMPARE_CALLS))
def test_every_comparison_checks_the_update_and_its_hyperparameters(call):
    """A non-function update, a non-function init_states or an out-of-range lr is refused by name."""
    fn, init = (mx_momentum, mx_init_states) if call.startswith("mxnet") else (tf_momentum, tf_init_states)
    compare = COMPARE_CALLS[call]
    with pytest.raises(TypeError, match="trainer_fn must be a function"):
        compare("momentum", init, HP)
    with pytest.raises(TypeError, match="init_states must be a function"):
        compare(fn, None, HP)
    with pytest.raises(ValueError, match="lr"):
        compare(fn, init, {**HP, "lr": -1.0})
    with pytest.raises(TypeError, match="hyperparams must be a dict"):
        compare(fn, init, [("lr", 0.02)])


# ----------------------------------------------------------------------------
# compare_with_reference: a from-scratch update against the NumPy rule

def test_compare_with_reference_accepts_correct_momentum():
    """In-place from-scratch momentum (MXNet and TensorFlow) equals RULES['momentum'] (gap < 1e-5)."""
    assert d2lmx.compare_with_reference(mx_momentum, mx_init_states, HP, "momentum") < 1e-5
    assert d2ltf.compare_with_reference(tf_momentum, tf_init_states, HP, "momentum") < 1e-5


def test_compare_with_reference_catches_rebinding_bug():
    """The rebinding bug is caught against the reference too (gap > 1e-2), in both frameworks."""
    assert d2lmx.compare_with_reference(mx_momentum_rebinding, mx_init_states, HP, "momentum") > 1e-2
    assert d2ltf.compare_with_reference(tf_momentum_rebinding, tf_init_states, HP, "momentum") > 1e-2


def test_compare_with_reference_uses_rule_hp():
    """rule_hp replaces hyperparams on the reference side: a different momentum is a different run."""
    for framework, update, init in ((d2lmx, mx_momentum, mx_init_states),
                                    (d2ltf, tf_momentum, tf_init_states)):
        other = {"lr": 0.02, "momentum": 0.5}
        assert framework.compare_with_reference(update, init, HP, "momentum", rule_hp=other) > 1e-2
        assert framework.compare_with_reference(update, init, other, "momentum", rule_hp=HP) > 1e-2
        assert framework.compare_with_reference(update, init, other, "momentum", rule_hp=other) < 1e-5
    with pytest.raises(ValueError, match="unknown hyperparameter"):
        d2ltf.compare_with_reference(tf_momentum, tf_init_states, HP, "sgd")
    with pytest.raises(ValueError, match="unknown rule"):
        d2lmx.compare_with_reference(mx_momentum, mx_init_states, HP, "heavyball")
    with pytest.raises(ValueError, match="steps"):
        d2lmx.compare_with_reference(mx_momentum, mx_init_states, HP, "momentum", steps=0)


def test_mxnet_nadam_shares_its_momentum_schedule_across_parameters():
    """MXNet 1.9.1's Nadam keeps the running product of μ_t on the optimizer, not per parameter.

    With one parameter tensor it is RULES['nadam'] (Dozat's schedule_decay = 0.004) step by
    step; with two (w and b, as on airfoil) the product is advanced twice per step and the runs
    part (ch09's Nadam exercise states this).
    """
    start, grads = problem(np.float64)
    hp = {"lr": 0.01, "eps": 1e-8, "schedule_decay": 0.004}
    params = {"learning_rate": 0.01, "epsilon": 1e-8, "schedule_decay": 0.004}
    gaps = []
    for n in (1, 2):
        ours = reference_trace("nadam", hp, start[:n], [g[:n] for g in grads])
        theirs = run_mxnet("nadam", params, "float64", start[:n], [g[:n] for g in grads])
        gaps.append(relative_gap(displacement(ours, start[:n]), displacement(theirs, start[:n])))
    assert gaps[0] < 1e-10
    assert gaps[1] > 0.05
