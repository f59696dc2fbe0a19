"""Hessian–vector products in TensorFlow, two ways.

Importing this module imports TensorFlow; ``import d2lutils`` does not import it.

* :func:`hvp`: reverse over reverse ("double backpropagation"): the gradient g is
  recorded on an outer tape and the scalar g · v is differentiated once more,
  ∇(g · v) = H v.
* :func:`hvp_forward_over_reverse`: Pearlmutter's (1994) R-operator: the directional
  derivative (a forward-mode JVP along v) of the reverse-mode gradient,
  R_v{∇L} = d/dε ∇L(θ + εv) at ε = 0 = H v.
Both cost a small constant times one gradient and never form H.
"""
import tensorflow as tf

from ..validation import check_callable, check_same_structure


def _check(loss_fn, params, vectors):
    check_callable(loss_fn, "loss_fn", "loss_fn(*params) -> scalar tensor")
    params = list(params)
    vectors = check_same_structure(vectors, params, "vectors", "params")
    return params, [tf.cast(v, p.dtype) for v, p in zip(vectors, params)]


def _depends(grads):
    for i, g in enumerate(grads):
        if g is None:
            raise ValueError(f"the loss does not depend on params[{i}]: its gradient is None")
    return grads


def _finite(out):
    for i, h in enumerate(out):
        if h is None:
            raise ValueError(f"the loss does not depend on params[{i}]: its gradient is None")
        if not bool(tf.reduce_all(tf.math.is_finite(h))):
            raise FloatingPointError(f"the Hessian–vector product of params[{i}] holds NaN or inf")
    return out


def hvp(loss_fn, params, vectors):
    """Return [H v] for the Hessian H of ``loss_fn(*params)`` (``tf.Variable``s) by double backprop."""
    params, vectors = _check(loss_fn, params, vectors)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            loss = loss_fn(*params)
        grads = _depends(inner.gradient(loss, params))
        dot = tf.add_n([tf.reduce_sum(g * v) for g, v in zip(grads, vectors)])
    return _finite(outer.gradient(dot, params))


def hvp_forward_over_reverse(loss_fn, params, vectors):
    """Return [H v] by Pearlmutter's R-operator: forward mode (``ForwardAccumulator``) over the gradient."""
    params, vectors = _check(loss_fn, params, vectors)
    with tf.autodiff.ForwardAccumulator(params, vectors) as acc:
        with tf.GradientTape() as tape:
            loss = loss_fn(*params)
        grads = _depends(tape.gradient(loss, params))
    return _finite([acc.jvp(g) for g in grads])
