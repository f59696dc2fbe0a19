"""The NumPy reference rules agree with the optimizers built into MXNet and Keras.

Same start (w: 5x1, b: (1,)), same random gradients, 50 steps; the displacement
from the start must agree to 1e-5 (relative).  Where the definitions really
differ (Keras defaults, Adam's ε), the difference itself is asserted.

Checked against the installed sources: mxnet/optimizer/optimizer.py (SGD,
AdaGrad, RMSProp, AdaDelta, Adam) and keras/src/optimizers/*.py.
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
from d2lutils._common import random_problem, relative_gap  # noqa: E402
from d2lutils.optim import resolve  # noqa: E402

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
}


def run_reference(rule_name, hp, start, grads):
    rule, hp = resolve(rule_name, hp)
    params = [np.array(p, dtype=np.float64) for p in start]
    states = [rule.init(p.shape) for p in params]
    trace = []
    for step_grads in grads:
        for p, g, s in zip(params, step_grads, states):
            rule.update(p, np.asarray(g, dtype=np.float64), s, hp)
        trace.append([p.copy() for p in params])
    return trace


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


@pytest.mark.parametrize("algo", sorted(ALGORITHMS))
def test_reference_matches_mxnet(algo):
    """Reference rule and MXNet's built-in optimizer agree step by step for 50 steps."""
    hp, (name, params, dtype), _ = ALGORITHMS[algo]
    start, grads = problem(dtype)
    ours = run_reference(algo.split("-")[0], hp, start, grads)
    theirs = run_mxnet(name, params, dtype, start, grads)
    assert max(np.abs(d).max() for d in displacement(ours, start)[-1]) > 0.05  # it really moved
    assert relative_gap(displacement(ours, start), displacement(theirs, start)) < 1e-5


@pytest.mark.parametrize("algo", sorted(ALGORITHMS))
def test_reference_matches_keras(algo):
    """Reference rule and the Keras optimizer (float64 variables) agree step by step for 50 steps."""
    hp, _, factory = ALGORITHMS[algo]
    start, grads = problem(np.float64)
    ours = run_reference(algo.split("-")[0], hp, start, grads)
    theirs = run_keras(factory(), start, grads)
    assert relative_gap(displacement(ours, start), displacement(theirs, start)) < 1e-5


def test_comparison_detects_a_wrong_hyperparameter():
    """Negative control: RMSProp with γ=0.9 vs MXNet with gamma1=0.95 is far from 1e-5."""
    start, grads = problem("float32")
    ours = run_reference("rmsprop", {"lr": 0.01, "gamma": 0.9, "eps": 1e-6}, start, grads)
    theirs = run_mxnet("rmsprop", {"learning_rate": 0.01, "gamma1": 0.95, "epsilon": 1e-6},
                       "float32", start, grads)
    assert relative_gap(displacement(ours, start), displacement(theirs, start)) > 1e-2


def first_step(trace, start):
    return np.concatenate([np.ravel(p) for p in displacement(trace, start)[0]])


def test_keras_adadelta_default_lr_is_1000x_smaller():
    """Keras Adadelta defaults to learning_rate=0.001: its first step is 1/1000 of the original algorithm's."""
    assert float(keras.optimizers.Adadelta().learning_rate) == pytest.approx(0.001)
    start, grads = problem(np.float64)
    ours = first_step(run_reference("adadelta", {"lr": 1.0, "rho": 0.9, "eps": 1e-5},
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
    textbook = first_step(run_reference("adagrad", {"lr": lr, "eps": eps}, start, grads[:1]), start)
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
    paper = first_step(run_reference("adam", {"lr": lr, "eps": eps}, start, grads[:1]), start)
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


def test_compare_with_builtin_rejects_bad_optimizers():
    """Unknown MXNet names and non-Keras optimizer objects raise ValueError."""
    with pytest.raises(ValueError, match="unknown MXNet optimizer"):
        d2lmx.compare_with_builtin(mx_momentum, mx_init_states, HP, "nesterov-sgd", {})
    with pytest.raises(ValueError, match="keras.optimizers.Optimizer"):
        d2ltf.compare_with_builtin(tf_momentum, tf_init_states, HP, "sgd")
