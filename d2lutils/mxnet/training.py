"""MXNet (Gluon) training loops for the airfoil linear regression.

Importing this module imports MXNet; ``import d2lutils`` alone does not.
"""
import mxnet as mx
import numpy as np
from mxnet import autograd, gluon, nd

from ..comparison import reference_trace, relative_gap, scratch_problem
from ..training.airfoil import (PermutedData, state_leaves, check_data, check_loop_args, check_scratch_hyperparams,
                       check_unchanged, init_linear_params, report, run_epochs)
from ..validation import check_dict, check_scalar, check_unit_interval

#: Checks of Gluon optimizer arguments that have one meaning in every MXNet optimizer
#: (the book's names in brackets): each must be a finite number in its range.
_PARAM_CHECKS = {
    "learning_rate": lambda v, n: check_scalar(v, n, min_val=0),          # η
    "momentum": check_unit_interval,                                     # γ
    "gamma1": check_unit_interval, "gamma2": check_unit_interval,       # RMSProp γ
    "rho": check_unit_interval,                                          # AdaDelta ρ
    "beta1": check_unit_interval, "beta2": check_unit_interval,         # Adam β₁, β₂
    "epsilon": lambda v, n: check_scalar(v, n, min_val=0),              # ε
    "eps": lambda v, n: check_scalar(v, n, min_val=0),                  # AdaGrad's ε
    "wd": lambda v, n: check_scalar(v, n, min_val=0),
    "rescale_grad": lambda v, n: check_scalar(v, n, min_val=0, include_boundaries="neither"),
}


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
    check_loop_args(trainer_fn, "trainer_fn(params, states, hyperparams)", batch_size,
                    num_epochs, seed, show)
    features, labels = check_data(features, labels)
    frozen = check_scratch_hyperparams(hyperparams)
    w0, b0 = init_linear_params(features.shape[1], seed)
    w, b = nd.array(w0), nd.array(b0)
    params = [w, b]
    check_states(states, params)
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
    check_unchanged(frozen, hyperparams)
    return report(result, show)


def check_states(states, params):
    """Every NDArray in ``states`` must have the shape of a parameter (or be a counter, shape (1,) or ()).

    The chapters' states are per-parameter buffers (``nd.zeros((feature_dim, 1))``
    for w, ``nd.zeros(1)`` for b) and Adam's step count ``t``.  A buffer of
    another shape would be broadcast against the parameter (a (5,) buffer and a
    (5, 1) weight give a (5, 5) update) or fail deep inside MXNet, so it is
    refused here with the shapes that were expected.
    """
    if states is None:
        return
    allowed = {tuple(p.shape) for p in params} | {(), (1,)}
    for leaf in state_leaves(states):
        if isinstance(leaf, np.ndarray):
            raise TypeError("states must hold MXNet NDArrays (nd.zeros(...)), not NumPy arrays, "
                            f"got an array of shape {leaf.shape}")
        if isinstance(leaf, nd.NDArray) and tuple(leaf.shape) not in allowed:
            expected = ", ".join(str(tuple(p.shape)) for p in params)
            raise ValueError(f"states: an NDArray of shape {tuple(leaf.shape)} matches no "
                             f"parameter; states must have the parameters' shapes ({expected}), "
                             "e.g. nd.zeros((feature_dim, 1)) for w and nd.zeros(1) for b")


def check_optimizer_params(trainer_name, hyperparams):
    """Check a Gluon optimizer name and its arguments; raise ``ValueError`` saying what was expected."""
    _check_optimizer(trainer_name)
    check_dict(hyperparams, "hyperparams", f"{{'learning_rate': 0.05}} for {trainer_name!r}")
    for name, value in hyperparams.items():
        if name in _PARAM_CHECKS:
            _PARAM_CHECKS[name](value, name)


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
    check_optimizer_params(trainer_name, hyperparams)
    check_loop_args(None, "", batch_size, num_epochs, seed, show)
    features, labels = check_data(features, labels)
    w0, b0 = init_linear_params(features.shape[1], seed)
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
    return report(result, show)


def compare_with_builtin(trainer_fn, init_states, hyperparams, optimizer_name,
                         optimizer_params, steps=50, seed=0, dtype=np.float32):
    """Feed the same gradients to a hand-written update and to MXNet's optimizer.

    ``trainer_fn`` and ``init_states(feature_dim)`` have the signatures used by
    :func:`train_scratch`; the built-in is ``mx.optimizer.create(optimizer_name,
    **optimizer_params)``.  Both start from the same random parameters
    (w: 5 x 1, b: 1) and see the same random gradients for ``steps`` steps.
    Returns the largest relative difference of *all* parameters (w and b
    together) over the run; ``steps`` must be at least 1, so a comparison that
    compared nothing never reads as "agrees".
    """
    check_optimizer_params(optimizer_name, optimizer_params)
    start, grads, dtype = scratch_problem(trainer_fn, init_states, hyperparams,
                                          "trainer_fn(params, states, hyperparams)", steps, seed, dtype)
    ours = [nd.array(p, dtype=dtype) for p in start]
    for p in ours:
        p.attach_grad()
    states = init_states(5)
    check_states(states, ours)
    theirs = [nd.array(p, dtype=dtype) for p in start]
    try:
        optimizer = mx.optimizer.create(optimizer_name, **optimizer_params)
    except TypeError as err:  # an argument the optimizer does not take
        raise ValueError(f"bad hyperparameters for {optimizer_name!r}: {err}") from err
    updater = mx.optimizer.get_updater(optimizer)
    ours_trace, theirs_trace = [], []
    for step_grads in grads:
        for p, g in zip(ours, step_grads):
            p.grad[:] = nd.array(g, dtype=dtype)
        trainer_fn(ours, states, hyperparams)
        for i, (p, g) in enumerate(zip(theirs, step_grads)):
            updater(i, nd.array(g, dtype=dtype), p)
        ours_trace.append([p.asnumpy() for p in ours])
        theirs_trace.append([p.asnumpy() for p in theirs])
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
                                          "trainer_fn(params, states, hyperparams)", steps, seed, dtype)
    theirs = reference_trace(rule, dict(hyperparams if rule_hp is None else rule_hp), start, grads)
    ours = [nd.array(p, dtype=dtype) for p in start]
    for p in ours:
        p.attach_grad()
    states = init_states(5)
    check_states(states, ours)
    ours_trace = []
    for step_grads in grads:
        for p, g in zip(ours, step_grads):
            p.grad[:] = nd.array(g, dtype=dtype)
        trainer_fn(ours, states, hyperparams)
        ours_trace.append([p.asnumpy() for p in ours])
    return relative_gap(ours_trace, theirs)
