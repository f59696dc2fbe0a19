"""Hessian–vector products in MXNet.

Importing this module imports MXNet; ``import d2lutils`` does not import it.

MXNet 1.9.1 differentiates a gradient a second time (``autograd.grad(...,
create_graph=True)``) only through operators that register a higher-order
gradient — mostly unary element-wise ones (sin, tanh, square, log, ...).
``dot``, ``FullyConnected`` and every broadcasting operator lack one, so
:func:`hvp` raises ``NotImplementedError`` for a linear model.  For a loss
that is *quadratic* in the parameters, :func:`hvp_quadratic` gives the exact
product from two ordinary gradients instead.
"""
import mxnet as mx
from mxnet import autograd

import numpy as np

from ..validation import check_callable, check_same_structure


def _check(loss_fn, params, vectors):
    check_callable(loss_fn, "loss_fn", "loss_fn(*params) -> NDArray")
    params = list(params)
    return params, check_same_structure(vectors, params, "vectors", "params")


def _finite(out):
    """The products, checked: a NaN or inf is reported, never returned."""
    for i, h in enumerate(out):
        if not np.all(np.isfinite(h.asnumpy())):
            raise FloatingPointError(f"the Hessian–vector product of params[{i}] holds NaN or inf")
    return out


def hvp(loss_fn, params, vectors):
    """[H v] by double backpropagation: the gradient g is recorded with ``create_graph=True``
    and the scalar g · v is differentiated again, ∇(g · v) = H v (reverse over
    reverse; Pearlmutter's 1994 R-operator computes the same product forward over reverse).

    ``loss_fn(*params)`` returns an NDArray (a non-scalar one is summed).
    Raises ``NotImplementedError`` naming the operator when MXNet has no
    second-order gradient for it.
    """
    params, vectors = _check(loss_fn, params, vectors)
    for p in params:
        p.attach_grad()
    try:
        with autograd.record():
            loss = loss_fn(*params)
            grads = autograd.grad(loss, params, head_grads=mx.nd.ones_like(loss),
                                  create_graph=True, retain_graph=True)
        autograd.backward(grads, head_grads=vectors)
    except mx.base.MXNetError as err:
        op = str(err).split("Operator ")[-1].split(" is non-differentiable")[0]
        raise NotImplementedError(
            f"MXNet {mx.__version__} has no second-order gradient for the operator {op}; "
            "for a quadratic loss use hvp_quadratic") from None
    return _finite([p.grad.copy() for p in params])


def gradients(loss_fn, params):
    """Ordinary gradients of ``loss_fn(*params)`` (the parameters are not changed)."""
    params = [p.copy() for p in params]
    for p in params:
        p.attach_grad()
    with autograd.record():
        loss = loss_fn(*params)
    loss.backward()
    return [p.grad.copy() for p in params]


def hvp_quadratic(loss_fn, params, vectors):
    """[H v] = ∇L(θ + v) − ∇L(θ): exact when L is quadratic in θ (its gradient is affine)."""
    params, vectors = _check(loss_fn, params, vectors)
    shifted = gradients(loss_fn, [p + v for p, v in zip(params, vectors)])
    here = gradients(loss_fn, params)
    return _finite([a - b for a, b in zip(shifted, here)])
