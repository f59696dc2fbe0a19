"""The digits MLP of :mod:`d2lutils.models.mlp` in MXNet Gluon, with a hybridized (compiled) network.

Importing this module imports MXNet; ``import d2lutils`` alone does not.
"""
import mxnet as mx
import numpy as np
from mxnet import autograd, gluon, nd

from ..data.digits import check_digits
from ..models import mlp
from ..training.digits import run_loop


def build(seed=0, scale="he", sizes=mlp.SIZES):
    """ReLU ``Dense`` layers of widths ``sizes``, from :func:`d2lutils.models.mlp.init_params`, hybridized.

    The default ``sizes`` is the book's ``Dense(32, relu) → Dense(10)``; any depth works.
    """
    params, sizes = mlp.init_params(seed, scale, sizes), mlp.check_sizes(sizes)
    net = gluon.nn.HybridSequential()
    for k, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        net.add(gluon.nn.Dense(fan_out, activation="relu" if k < len(sizes) - 2 else None,
                               in_units=fan_in))
    net.initialize()
    for layer, W, b in zip(net, params[0::2], params[1::2]):
        layer.weight.set_data(nd.array(W.T))    # Gluon stores (fan_out, fan_in)
        layer.bias.set_data(nd.array(b))
    net.hybridize(static_alloc=True, static_shape=True)
    return net


def params_of(net):
    """The network's parameters as NumPy ``[W1, b1, ...]`` in the layout of ``init_params``."""
    return [a for layer in net for a in (layer.weight.data().asnumpy().T,
                                         layer.bias.data().asnumpy())]


def train(optimizer, optimizer_params, data, seed=0, num_epochs=10, batch_size=64,
          scale="he", steps=None, sizes=mlp.SIZES):
    """Train the MLP with ``gluon.Trainer(net.collect_params(), optimizer, optimizer_params)``.

    Same start and same minibatches as :func:`d2lutils.training.train_runs` with
    this ``seed`` (and ``sizes``, any depth).  Returns :class:`d2lutils.training.NetResult`
    (or, with ``steps``, the parameters after that many updates).
    """
    if not isinstance(optimizer, str) or optimizer.lower() not in mx.optimizer.Optimizer.opt_registry:
        raise ValueError(f"unknown MXNet optimizer {optimizer!r}")
    if not isinstance(optimizer_params, dict):
        raise ValueError(f"optimizer_params must be a dict, got {type(optimizer_params).__name__}")
    data = check_digits(data, mlp.check_sizes(sizes)[-1])
    net = build(seed, scale, sizes)
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    loss_fn.hybridize()
    trainer = gluon.Trainer(net.collect_params(), optimizer, optimizer_params)
    X_train, y_train = nd.array(data[0]), nd.array(data[1])
    X_test, y_test = nd.array(data[2]), data[3]

    def step(X, y):
        X, y = nd.array(X), nd.array(y)
        with autograd.record():
            loss = loss_fn(net(X), y)
        loss.backward()
        trainer.step(X.shape[0])        # the summed gradient divided by the batch size

    def evaluate():
        loss = float(loss_fn(net(X_train), y_train).mean().asscalar())
        acc = float((net(X_test).argmax(axis=1).asnumpy() == y_test).mean())
        return loss, acc

    return run_loop(step, evaluate, lambda: params_of(net), data, seed, num_epochs,
                        batch_size, steps)
