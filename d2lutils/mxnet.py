"""MXNet (Gluon) training loops for the airfoil linear regression.

Importing this module imports MXNet; ``import d2lutils`` alone does not.
"""
import mxnet as mx
import numpy as np
from mxnet import autograd, gluon, nd

from . import _common
from .training import PermutedData, run_epochs


def squared_loss(y_hat, y):
    """Squared loss with the 1/2: ``(y_hat - y)² / 2``, per example."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def linreg(X, w, b):
    """The linear model ``Xw + b``."""
    return nd.dot(X, w) + b


def train_scratch(trainer_fn, states, hyperparams, features, labels,
              batch_size=10, num_epochs=2, seed=0, show=True):
    """Train linear regression on airfoil with a hand-written update.

    ``trainer_fn(params, states, hyperparams)`` must update every parameter
    ``p`` in ``params = [w, b]`` in place from ``p.grad`` (the gradient of the
    minibatch *mean* loss), and its ``states`` in place too.  Returns a
    :class:`~d2lutils.training.TrainResult`; with ``show`` it also prints the
    final loss and plots the curve.
    """
    features, labels = _common.check_data(features, labels)
    frozen = _common.check_scratch_hyperparams(hyperparams)
    w0, b0 = _common.init_linear_params(features.shape[1], seed)
    w, b = nd.array(w0), nd.array(b0)
    params = [w, b]
    for p in params:
        p.attach_grad()
    X_all, y_all = nd.array(features), nd.array(labels)
    data = _permuted(X_all, y_all)

    def step(indices):
        X, y = data.next_batch(len(indices))
        with autograd.record():
            loss = squared_loss(linreg(X, w, b), y).mean()
        loss.backward()
        trainer_fn(params, states, hyperparams)

    def evaluate():
        return float(squared_loss(linreg(X_all, w, b), y_all).mean().asscalar())

    result = run_epochs(step, evaluate, len(labels), batch_size, num_epochs, seed,
                        on_epoch=data.start_epoch)
    _common.check_unchanged(frozen, hyperparams)
    return _common.report(result, show)


def _permuted(X_all, y_all):
    """Features and labels gathered into epoch order once per epoch, sliced per batch."""
    def permute(order):
        index = nd.array(order, dtype="int32")
        return nd.take(X_all, index), nd.take(y_all, index)
    return PermutedData(permute)


def _check_optimizer(name):
    if not isinstance(name, str) or name.lower() not in mx.optimizer.Optimizer.opt_registry:
        known = ", ".join(sorted(mx.optimizer.Optimizer.opt_registry))
        raise ValueError(f"unknown MXNet optimizer {name!r}; expected one of: {known}")


def train_concise(trainer_name, hyperparams, features, labels,
                      batch_size=10, num_epochs=2, seed=0, show=True):
    """Train the same model with ``gluon.Trainer(..., trainer_name, hyperparams)``.

    The model is ``gluon.nn.Dense(1)`` with ``gluon.loss.L2Loss`` (which has
    the 1/2), started from the same weights as :func:`train_scratch`.
    """
    _check_optimizer(trainer_name)
    if not isinstance(hyperparams, dict):
        raise ValueError(f"hyperparams must be a dict of {trainer_name!r} arguments, "
                         f"got {type(hyperparams).__name__}")
    _common.check_hyperparams({"lr": hyperparams.get("learning_rate", 0.0)})
    features, labels = _common.check_data(features, labels)
    w0, b0 = _common.init_linear_params(features.shape[1], seed)
    net = gluon.nn.Dense(1, in_units=features.shape[1])
    net.initialize()
    net.weight.set_data(nd.array(w0.T))
    net.bias.set_data(nd.array(b0))
    loss_fn = gluon.loss.L2Loss()
    try:
        trainer = gluon.Trainer(net.collect_params(), trainer_name, hyperparams)
    except TypeError as err:  # an argument the optimizer does not take
        raise ValueError(f"bad hyperparameters for {trainer_name!r}: {err}") from err
    X_all, y_all = nd.array(features), nd.array(labels)
    data = _permuted(X_all, y_all)

    def step(indices):
        X, y = data.next_batch(len(indices))
        with autograd.record():
            loss = loss_fn(net(X), y)
        loss.backward()
        trainer.step(len(indices))   # divides the summed gradient by the batch size

    def evaluate():
        return float(loss_fn(net(X_all), y_all).mean().asscalar())

    result = run_epochs(step, evaluate, len(labels), batch_size, num_epochs, seed,
                        on_epoch=data.start_epoch)
    return _common.report(result, show)


def compare_with_builtin(trainer_fn, init_states, hyperparams, optimizer_name,
                         optimizer_params, steps=50, seed=0, dtype=np.float32):
    """Feed the same gradients to a hand-written update and to MXNet's optimizer.

    ``trainer_fn`` and ``init_states(feature_dim)`` have the signatures used by
    :func:`train_scratch`; the built-in is ``mx.optimizer.create(optimizer_name,
    **optimizer_params)``.  Both start from the same random parameters
    (w: 5 x 1, b: 1) and see the same random gradients for ``steps`` steps.
    Returns the largest relative difference of the parameters over the run.
    """
    _check_optimizer(optimizer_name)
    start, grads = _common.random_problem(5, steps, seed, dtype)
    ours = [nd.array(p, dtype=dtype) for p in start]
    for p in ours:
        p.attach_grad()
    states = init_states(5)
    theirs = [nd.array(p, dtype=dtype) for p in start]
    updater = mx.optimizer.get_updater(mx.optimizer.create(optimizer_name, **optimizer_params))
    ours_trace, theirs_trace = [], []
    for step_grads in grads:
        for p, g in zip(ours, step_grads):
            p.grad[:] = nd.array(g, dtype=dtype)
        trainer_fn(ours, states, hyperparams)
        for i, (p, g) in enumerate(zip(theirs, step_grads)):
            updater(i, nd.array(g, dtype=dtype), p)
        ours_trace.append([p.asnumpy() for p in ours])
        theirs_trace.append([p.asnumpy() for p in theirs])
    return _common.relative_gap(ours_trace, theirs_trace)
