"""TensorFlow (Keras 3) training loops for the airfoil linear regression.

Importing this module imports TensorFlow; ``import d2lutils`` alone does not.
Each training call compiles its step once with ``tf.function``.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")     # no C++ start-up chatter in outputs
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")    # reproducible float sums on CPU

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow import keras  # noqa: E402

from ..comparison import reference_trace, relative_gap, scratch_problem  # noqa: E402
from ..training.airfoil import (PermutedData, state_leaves, check_data, check_loop_args,  # noqa: E402
                       check_scratch_hyperparams, check_unchanged, init_linear_params, report,
                       run_epochs)
from ..validation import check_scalar, check_unit_interval  # noqa: E402

#: Keras optimizer attributes and their ranges (the book's names in brackets).
_ATTRIBUTE_CHECKS = {
    "learning_rate": lambda v, n: check_scalar(v, n, min_val=0),          # η
    "momentum": check_unit_interval,                                     # γ (SGD)
    "rho": check_unit_interval,                                          # RMSProp γ, AdaDelta ρ
    "beta_1": check_unit_interval, "beta_2": check_unit_interval,       # Adam β₁, β₂
    "epsilon": lambda v, n: check_scalar(v, n, min_val=0),              # ε
    "initial_accumulator_value": lambda v, n: check_scalar(v, n, min_val=0),
    "weight_decay": lambda v, n: check_scalar(v, n, min_val=0),
}


def squared_loss(y_hat, y):
    """Squared loss with the 1/2: ``(y_hat - y)² / 2``, per example."""
    return (y_hat - tf.reshape(y, tf.shape(y_hat))) ** 2 / 2


def linreg(X, w, b):
    """The linear model ``Xw + b``."""
    return tf.matmul(X, w) + b


def _signatures(num_inputs):
    return (tf.TensorSpec([None, num_inputs], tf.float32), tf.TensorSpec([None], tf.float32))


def train_scratch(trainer_fn, states, hyperparams, features, labels,
                  batch_size=10, num_epochs=2, seed=0, show=True):
    """Train linear regression on airfoil with a hand-written update.

    ``trainer_fn(params, grads, states, hyperparams)`` must update every
    ``tf.Variable`` in ``params = [w, b]`` with ``assign``/``assign_sub`` from
    ``grads`` (of the minibatch *mean* loss), and its ``states`` likewise.  The
    step is traced once by ``tf.function``, so anything that changes between
    steps (Adam's step count, say) must live in ``states`` as a variable.
    Returns a :class:`~d2lutils.training.TrainResult`; with ``show`` it also
    prints the final loss and plots the curve.
    """
    check_loop_args(trainer_fn, "trainer_fn(params, grads, states, hyperparams)", batch_size,
                    num_epochs, seed, show)
    features, labels = check_data(features, labels)
    frozen = check_scratch_hyperparams(hyperparams)
    w0, b0 = init_linear_params(features.shape[1], seed)
    w, b = tf.Variable(w0), tf.Variable(b0)
    params = [w, b]
    check_states(states, params)

    @tf.function(input_signature=_signatures(features.shape[1]))
    def train_step(X, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(squared_loss(linreg(X, w, b), y))
        trainer_fn(params, tape.gradient(loss, params), states, hyperparams)

    @tf.function(input_signature=_signatures(features.shape[1]))
    def full_loss(X, y):
        return tf.reduce_mean(squared_loss(linreg(X, w, b), y))

    _trace(train_step, full_loss)
    result = _run(train_step, full_loss, features, labels, batch_size, num_epochs, seed)
    check_unchanged(frozen, hyperparams)
    return report(result, show)


def check_states(states, params):
    """States must be ``tf.Variable``s with a parameter's shape (or a counter, shape () or (1,)).

    Inside ``tf.function`` only a variable can change from step to step; a
    tensor or NumPy array would be frozen into the graph as a constant.
    """
    if states is None:
        return
    allowed = {tuple(p.shape) for p in params} | {(), (1,)}
    for leaf in state_leaves(states):
        if isinstance(leaf, (tf.Tensor, np.ndarray)):
            raise TypeError("states must hold tf.Variable objects (tf.Variable(tf.zeros(...))): "
                            "a tensor or array cannot change between steps inside tf.function, "
                            f"got {type(leaf).__name__} of shape {tuple(leaf.shape)}")
        if isinstance(leaf, tf.Variable) and tuple(leaf.shape) not in allowed:
            expected = ", ".join(str(tuple(p.shape)) for p in params)
            raise ValueError(f"states: a variable of shape {tuple(leaf.shape)} matches no "
                             f"parameter; states must have the parameters' shapes ({expected}), "
                             "e.g. tf.zeros((feature_dim, 1)) for w and tf.zeros(1) for b")


def _run(train_step, full_loss, features, labels, batch_size, num_epochs, seed):
    """The shared loop: data permuted once per epoch, the full data converted once."""
    data = PermutedData(lambda order: (features[order], labels[order]))
    X_all, y_all = tf.constant(features), tf.constant(labels)
    return run_epochs(lambda idx: train_step(*data.next_batch(len(idx))),
                      lambda: float(full_loss(X_all, y_all)),
                      len(labels), batch_size, num_epochs, seed, on_epoch=data.start_epoch)


def _trace(*functions):
    """Compile the ``tf.function``s now (tracing runs nothing), so that the
    one-off graph construction is not counted as training time."""
    for fn in functions:
        fn.get_concrete_function()


def _check_optimizer(optimizer):
    """Check a Keras optimizer and return a fresh, unbuilt copy with the same configuration.

    Keras 3 ties an optimizer's slot variables to the model variables it was
    first built for; applying the same instance to a second model fails deep
    inside ``tf.function`` ("Unknown variable").  The trainers therefore use the
    instance only as a configuration: every call trains with its own copy
    (``from_config(get_config())``), so one instance can be passed again and a
    second run starts from scratch, exactly like the first.
    """
    if not isinstance(optimizer, keras.optimizers.Optimizer):
        raise TypeError("optimizer must be a keras.optimizers.Optimizer instance "
                        f"(e.g. keras.optimizers.SGD(0.01)), got {optimizer!r}")
    for name, check in _ATTRIBUTE_CHECKS.items():
        value = getattr(optimizer, name, None)
        if value is None or callable(value):
            continue
        try:
            value = float(value)   # the learning rate is a Keras variable
        except (TypeError, ValueError):
            continue
        check(value, name)
    return type(optimizer).from_config(optimizer.get_config())


def train_concise(optimizer, features, labels, batch_size=10, num_epochs=2,
                  seed=0, show=True):
    """Train the same model as :func:`train_scratch` with a Keras optimizer.

    The model is ``keras.layers.Dense(1)`` started from the same weights; the
    loss is Keras' mean squared error times 1/2, so the numbers are comparable
    with the from-scratch loop and with MXNet's ``L2Loss``.  ``optimizer`` is
    read as a configuration: the run uses a fresh copy of it (see
    :func:`_check_optimizer`), so the same instance can be passed again.
    """
    optimizer = _check_optimizer(optimizer)
    check_loop_args(None, "", batch_size, num_epochs, seed, show)
    features, labels = check_data(features, labels)
    w0, b0 = init_linear_params(features.shape[1], seed)
    net = keras.Sequential([keras.Input((features.shape[1],)), keras.layers.Dense(1)])
    net.set_weights([w0, b0])
    mse = keras.losses.MeanSquaredError()
    optimizer.build(net.trainable_variables)

    def half_mse(X, y):
        return 0.5 * mse(y[:, None], net(X))

    @tf.function(input_signature=_signatures(features.shape[1]))
    def train_step(X, y):
        with tf.GradientTape() as tape:
            loss = half_mse(X, y)
        grads = tape.gradient(loss, net.trainable_variables)
        optimizer.apply_gradients(zip(grads, net.trainable_variables))

    full_loss = tf.function(half_mse, input_signature=_signatures(features.shape[1]))
    _trace(train_step, full_loss)
    result = _run(train_step, full_loss, features, labels, batch_size, num_epochs, seed)
    return report(result, show)


def compare_with_builtin(trainer_fn, init_states, hyperparams, optimizer,
                         steps=50, seed=0, dtype=np.float32):
    """Feed the same gradients to a hand-written update and to a Keras optimizer.

    ``trainer_fn`` and ``init_states(feature_dim)`` have the signatures used by
    :func:`train_scratch`.  Both start from the same random parameters (w: 5 x 1,
    b: 1) and see the same random gradients for ``steps`` steps.  Returns the
    largest relative difference of *all* parameters (w and b together) over the
    run; ``steps`` must be at least 1.  Like :func:`train_concise` it uses a
    fresh copy of ``optimizer``.
    """
    optimizer = _check_optimizer(optimizer)
    start, grads, dtype = scratch_problem(trainer_fn, init_states, hyperparams,
                                          "trainer_fn(params, grads, states, hyperparams)",
                                          steps, seed, dtype)
    ours = [tf.Variable(p) for p in start]
    theirs = [tf.Variable(p) for p in start]
    states = init_states(5)
    check_states(states, ours)
    optimizer.build(theirs)
    ours_trace, theirs_trace = [], []
    for step_grads in grads:
        tensors = [tf.constant(g) for g in step_grads]
        trainer_fn(ours, tensors, states, hyperparams)
        optimizer.apply_gradients(zip(tensors, theirs))
        ours_trace.append([p.numpy() for p in ours])
        theirs_trace.append([p.numpy() for p in theirs])
    return relative_gap(ours_trace, theirs_trace)


def compare_with_reference(trainer_fn, init_states, hyperparams, rule, rule_hp=None,
                           steps=50, seed=0, dtype=np.float32):
    """Feed the same gradients to a hand-written update and to a NumPy reference rule.

    ``trainer_fn`` and ``init_states(feature_dim)`` have the signatures used by
    :func:`train_scratch`; ``rule`` is a name in :data:`d2lutils.optim.RULES`, run in
    float64 with ``rule_hp`` (by default ``hyperparams``: the chapters use the
    reference's names ``lr``, ``beta1``, ``eps``, ...; missing ones take the rule's
    defaults).  Both start from the random parameters of :func:`compare_with_builtin`
    and see the same ``steps`` random gradients.  Returns the largest relative
    difference of all parameters over the run.
    """
    start, grads, dtype = scratch_problem(trainer_fn, init_states, hyperparams,
                                          "trainer_fn(params, grads, states, hyperparams)",
                                          steps, seed, dtype)
    theirs = reference_trace(rule, dict(hyperparams if rule_hp is None else rule_hp), start, grads)
    ours = [tf.Variable(p) for p in start]
    states = init_states(5)
    check_states(states, ours)
    ours_trace = []
    for step_grads in grads:
        trainer_fn(ours, [tf.constant(g) for g in step_grads], states, hyperparams)
        ours_trace.append([p.numpy() for p in ours])
    return relative_gap(ours_trace, theirs)
