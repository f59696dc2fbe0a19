"""From-scratch update rules for the benchmark, written once per framework.

They follow the chapters' equations (and the NumPy reference ``d2lutils.optim``)
and the trainer signatures that d2lutils and d2l share: MXNet
``update(params, states, hyperparams)`` reading ``p.grad``; TensorFlow
``update(params, grads, states, hyperparams)``.  The MXNet rules take the array
module ``F`` (``mxnet.nd`` for d2lutils, ``mxnet.np`` for d2l) so that both
trainers run the same arithmetic.  Adam's step count lives in the states.
"""

HYPERPARAMS = {
    "sgd": {"lr": 0.05},
    "momentum": {"lr": 0.004, "momentum": 0.9},
    "adagrad": {"lr": 0.1, "eps": 1e-6},
    "rmsprop": {"lr": 0.01, "gamma": 0.9, "eps": 1e-6},
    "adadelta": {"lr": 1.0, "rho": 0.9, "eps": 1e-5},
    "adam": {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
}

# The same algorithms as built-in optimizers: MXNet (name, params); Keras (class name, kwargs).
MXNET_BUILTIN = {
    "sgd": ("sgd", {"learning_rate": 0.05}),
    "momentum": ("sgd", {"learning_rate": 0.004, "momentum": 0.9}),
    "adagrad": ("adagrad", {"learning_rate": 0.1, "eps": 1e-6}),
    "rmsprop": ("rmsprop", {"learning_rate": 0.01, "gamma1": 0.9, "epsilon": 1e-6}),
    "adadelta": ("adadelta", {"rho": 0.9, "epsilon": 1e-5}),
    "adam": ("adam", {"learning_rate": 0.01}),
}
KERAS_BUILTIN = {
    "sgd": ("SGD", {"learning_rate": 0.05}),
    "momentum": ("SGD", {"learning_rate": 0.004, "momentum": 0.9}),
    "adagrad": ("Adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.0,
                            "epsilon": 1e-6}),
    "rmsprop": ("RMSprop", {"learning_rate": 0.01, "rho": 0.9, "epsilon": 1e-6}),
    "adadelta": ("Adadelta", {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-5}),
    "adam": ("Adam", {"learning_rate": 0.01}),
}


def mxnet_rules(F):
    """{name: (init_states(dim), update)} for MXNet arrays of module ``F``."""
    def pair(dim, k):
        return [tuple(F.zeros((dim, 1)) for _ in range(k)), tuple(F.zeros(1) for _ in range(k))]

    def sgd(params, states, hp):
        for p in params:
            p[:] -= hp["lr"] * p.grad

    def momentum(params, states, hp):
        for p, (v,) in zip(params, states):
            v[:] = hp["momentum"] * v + hp["lr"] * p.grad
            p[:] -= v

    def adagrad(params, states, hp):
        for p, (s,) in zip(params, states):
            s[:] += p.grad * p.grad
            p[:] -= hp["lr"] * p.grad / F.sqrt(s + hp["eps"])

    def rmsprop(params, states, hp):
        for p, (s,) in zip(params, states):
            s[:] = hp["gamma"] * s + (1 - hp["gamma"]) * p.grad * p.grad
            p[:] -= hp["lr"] * p.grad / F.sqrt(s + hp["eps"])

    def adadelta(params, states, hp):
        rho, eps = hp["rho"], hp["eps"]
        for p, (s, delta) in zip(params, states):
            s[:] = rho * s + (1 - rho) * p.grad * p.grad
            g = F.sqrt(delta + eps) / F.sqrt(s + eps) * p.grad
            p[:] -= hp["lr"] * g
            delta[:] = rho * delta + (1 - rho) * g * g

    def adam(params, states, hp):
        moments, step = states
        b1, b2 = hp["beta1"], hp["beta2"]
        step[0] += 1
        c1, c2 = 1 - b1 ** step[0], 1 - b2 ** step[0]
        for p, (v, s) in zip(params, moments):
            v[:] = b1 * v + (1 - b1) * p.grad
            s[:] = b2 * s + (1 - b2) * p.grad * p.grad
            p[:] -= hp["lr"] * (v / c1) / (F.sqrt(s / c2) + hp["eps"])

    return {
        "sgd": (lambda dim: None, sgd),
        "momentum": (lambda dim: pair(dim, 1), momentum),
        "adagrad": (lambda dim: pair(dim, 1), adagrad),
        "rmsprop": (lambda dim: pair(dim, 1), rmsprop),
        "adadelta": (lambda dim: pair(dim, 2), adadelta),
        "adam": (lambda dim: (pair(dim, 2), [0]), adam),
    }


def tf_rules():
    """{name: (init_states(dim), update)} for TensorFlow (d2lutils and d2l alike)."""
    import tensorflow as tf

    def pair(dim, k):
        return [tuple(tf.Variable(tf.zeros((dim, 1))) for _ in range(k)),
                tuple(tf.Variable(tf.zeros(1)) for _ in range(k))]

    def sgd(params, grads, states, hp):
        for p, g in zip(params, grads):
            p.assign_sub(hp["lr"] * g)

    def momentum(params, grads, states, hp):
        for p, g, (v,) in zip(params, grads, states):
            v.assign(hp["momentum"] * v + hp["lr"] * g)
            p.assign_sub(v)

    def adagrad(params, grads, states, hp):
        for p, g, (s,) in zip(params, grads, states):
            s.assign_add(g * g)
            p.assign_sub(hp["lr"] * g / tf.sqrt(s + hp["eps"]))

    def rmsprop(params, grads, states, hp):
        for p, g, (s,) in zip(params, grads, states):
            s.assign(hp["gamma"] * s + (1 - hp["gamma"]) * g * g)
            p.assign_sub(hp["lr"] * g / tf.sqrt(s + hp["eps"]))

    def adadelta(params, grads, states, hp):
        rho, eps = hp["rho"], hp["eps"]
        for p, grad, (s, delta) in zip(params, grads, states):
            s.assign(rho * s + (1 - rho) * grad * grad)
            g = tf.sqrt(delta + eps) / tf.sqrt(s + eps) * grad
            p.assign_sub(hp["lr"] * g)
            delta.assign(rho * delta + (1 - rho) * g * g)

    def adam(params, grads, states, hp):
        moments, step = states
        b1, b2 = hp["beta1"], hp["beta2"]
        step.assign_add(1.0)
        c1, c2 = 1 - b1 ** step, 1 - b2 ** step
        for p, g, (v, s) in zip(params, grads, moments):
            v.assign(b1 * v + (1 - b1) * g)
            s.assign(b2 * s + (1 - b2) * g * g)
            p.assign_sub(hp["lr"] * (v / c1) / (tf.sqrt(s / c2) + hp["eps"]))

    return {
        "sgd": (lambda dim: None, sgd),
        "momentum": (lambda dim: pair(dim, 1), momentum),
        "adagrad": (lambda dim: pair(dim, 1), adagrad),
        "rmsprop": (lambda dim: pair(dim, 1), rmsprop),
        "adadelta": (lambda dim: pair(dim, 2), adadelta),
        "adam": (lambda dim: (pair(dim, 2), tf.Variable(0.0)), adam),
    }
