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

from . import _common  # noqa: E402
from .training import PermutedData, run_epochs  # noqa: E402


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
    features, labels = _common.check_data(features, labels)
    frozen = _common.check_scratch_hyperparams(hyperparams)
    w0, b0 = _common.init_linear_params(features.shape[1], seed)
    w, b = tf.Variable(w0), tf.Variable(b0)
    params = [w, b]

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
    _common.check_unchanged(frozen, hyperparams)
    return _common.report(result, show)


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
    if not isinstance(optimizer, keras.optimizers.Optimizer):
        raise ValueError("optimizer must be a keras.optimizers.Optimizer instance "
                         f"(e.g. keras.optimizers.SGD(0.01)), got {optimizer!r}")
    _common.check_hyperparams({"lr": float(optimizer.learning_rate)})


def train_concise(optimizer, features, labels, batch_size=10, num_epochs=2,
                      seed=0, show=True):
    """Train the same model as :func:`train_scratch` with a Keras optimizer.

    The model is ``keras.layers.Dense(1)`` started from the same weights; the
    loss is Keras' mean squared error times 1/2, so the numbers are comparable
    with the from-scratch loop and with MXNet's ``L2Loss``.
    """
    _check_optimizer(optimizer)
    features, labels = _common.check_data(features, labels)
    w0, b0 = _common.init_linear_params(features.shape[1], seed)
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
    return _common.report(result, show)


def compare_with_builtin(trainer_fn, init_states, hyperparams, optimizer,
                         steps=50, seed=0, dtype=np.float32):
    """Feed the same gradients to a hand-written update and to a Keras optimizer.

    ``trainer_fn`` and ``init_states(feature_dim)`` have the signatures used by
    :func:`train_scratch`.  Both start from the same random parameters (w: 5 x 1,
    b: 1) and see the same random gradients for ``steps`` steps.  Returns the
    largest relative difference of the parameters over the run.
    """
    _check_optimizer(optimizer)
    start, grads = _common.random_problem(5, steps, seed, dtype)
    ours = [tf.Variable(p) for p in start]
    theirs = [tf.Variable(p) for p in start]
    states = init_states(5)
    optimizer.build(theirs)
    ours_trace, theirs_trace = [], []
    for step_grads in grads:
        tensors = [tf.constant(g) for g in step_grads]
        trainer_fn(ours, tensors, states, hyperparams)
        optimizer.apply_gradients(zip(tensors, theirs))
        ours_trace.append([p.numpy() for p in ours])
        theirs_trace.append([p.numpy() for p in theirs])
    return _common.relative_gap(ours_trace, theirs_trace)
