"""Hessian–vector products by double backpropagation in TensorFlow.

Importing this module imports TensorFlow; ``import d2lutils`` does not import it.
"""
import tensorflow as tf

from ..validation import check_same_structure


def hvp(loss_fn, params, vectors):
    """Return [H v] for the Hessian H of ``loss_fn(*params)`` with respect to ``params``.

    ``params`` are ``tf.Variable``s, ``vectors`` tensors of the same shapes.
    The inner tape computes the gradient g; the outer tape differentiates the
    scalar g · v once more: ∇(g · v) = H v (reverse over reverse, "double
    backpropagation"; Pearlmutter's 1994 R-operator computes the same product
    forward over reverse).
    """
    params = list(params)
    vectors = check_same_structure(vectors, params, "vectors", "params")
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            loss = loss_fn(*params)
        grads = inner.gradient(loss, params)
        dot = tf.add_n([tf.reduce_sum(g * tf.cast(v, g.dtype)) for g, v in zip(grads, vectors)])
    return outer.gradient(dot, params)
