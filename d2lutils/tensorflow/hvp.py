"""Hessian–vector products by double backpropagation in TensorFlow.

Importing this module imports TensorFlow; ``import d2lutils`` does not import it.
"""
import tensorflow as tf


def hvp(loss_fn, params, vectors):
    """Return [H v] for the Hessian H of ``loss_fn(*params)`` with respect to ``params``.

    ``params`` are ``tf.Variable``s, ``vectors`` tensors of the same shapes.
    The inner tape computes the gradient g; the outer tape differentiates the
    scalar g · v once more: ∇(g · v) = H v (Pearlmutter 1994).
    """
    params, vectors = list(params), list(vectors)
    if len(params) != len(vectors) or not params:
        raise ValueError(f"need one vector per parameter, got {len(params)} parameters "
                         f"and {len(vectors)} vectors")
    for i, (p, v) in enumerate(zip(params, vectors)):
        if tuple(p.shape) != tuple(v.shape):
            raise ValueError(f"vector {i} has shape {tuple(v.shape)}, "
                             f"parameter has shape {tuple(p.shape)}")
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            loss = loss_fn(*params)
        grads = inner.gradient(loss, params)
        dot = tf.add_n([tf.reduce_sum(g * tf.cast(v, g.dtype)) for g, v in zip(grads, vectors)])
    return outer.gradient(dot, params)
