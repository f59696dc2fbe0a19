"""The digits MLP of :mod:`d2lutils.models.mlp` in TensorFlow (Keras 3), with a ``tf.function`` step.

Importing this module imports TensorFlow; ``import d2lutils`` alone does not.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow import keras  # noqa: E402

from ..data.digits import check_digits  # noqa: E402
from ..models import mlp  # noqa: E402
from ..training.digits import run_loop  # noqa: E402

# Each call of train() compiles fresh tf.functions (they close over a new network and
# optimizer); TensorFlow would log a "retracing" warning to stderr after a few calls.
tf.get_logger().setLevel("ERROR")


def build(seed=0, scale="he", sizes=mlp.SIZES):
    """ReLU ``Dense`` layers of widths ``sizes``, started from :func:`d2lutils.models.mlp.init_params`.

    The default ``sizes`` is the book's ``Dense(32, relu) → Dense(10)``; any depth works.
    """
    params, sizes = mlp.init_params(seed, scale, sizes), mlp.check_sizes(sizes)
    layers = [keras.layers.Dense(n, activation="relu" if k < len(sizes) - 2 else None)
              for k, n in enumerate(sizes[1:])]
    net = keras.Sequential([keras.Input((sizes[0],))] + layers)
    net.set_weights(params)     # Keras stores (fan_in, fan_out) too
    return net


def train(optimizer, data, seed=0, num_epochs=10, batch_size=64, scale="he", steps=None,
          sizes=mlp.SIZES):
    """Train the MLP with a Keras optimizer; the update step is compiled by ``tf.function``.

    Same start and same minibatches as :func:`d2lutils.training.train_runs` with
    this ``seed`` (and ``sizes``, any depth).  Returns :class:`d2lutils.training.NetResult`
    (or, with ``steps``, the parameters after that many updates).
    """
    if not isinstance(optimizer, keras.optimizers.Optimizer):
        raise ValueError("optimizer must be a keras.optimizers.Optimizer instance, "
                         f"got {optimizer!r}")
    sizes = mlp.check_sizes(sizes)
    data = check_digits(data, sizes[-1])
    net = build(seed, scale, sizes)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    optimizer.build(net.trainable_variables)
    spec = (tf.TensorSpec([None, sizes[0]], tf.float32), tf.TensorSpec([None], tf.int64))

    @tf.function(input_signature=spec)
    def step(X, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, net(X))
        grads = tape.gradient(loss, net.trainable_variables)
        optimizer.apply_gradients(zip(grads, net.trainable_variables))

    @tf.function(input_signature=spec)
    def loss_on(X, y):
        return loss_fn(y, net(X))

    X_train, y_train = tf.constant(data[0]), tf.constant(data[1])
    X_test, y_test = tf.constant(data[2]), data[3]

    def evaluate():
        acc = float(np.mean(np.argmax(net(X_test).numpy(), axis=1) == y_test))
        return float(loss_on(X_train, y_train)), acc

    return run_loop(step, evaluate, lambda: [v.numpy() for v in net.trainable_variables],
                        data, seed, num_epochs, batch_size, steps)
