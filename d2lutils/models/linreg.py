"""Minibatch SGD for airfoil linear regression in plain NumPy (no framework).

Used where a chapter needs many quick training runs without a framework (the
batch-size slider) and as the speed floor of ``bench/``: the gradient of the
squared loss is written by hand, the loop is :func:`d2lutils.training.run_epochs`.
"""
import numpy as np

from ..optim.rules import check_hyperparams
from ..training.airfoil import check_loop_args, check_data, init_linear_params, run_epochs


def half_mse(X, y, w, b):
    """The squared loss with the 1/2, averaged over the examples: mean((Xw + b - y)²) / 2."""
    err = X @ w + b - y
    return 0.5 * float(np.mean(err ** 2))


def gradients(X, y, w, b):
    """Gradients of :func:`half_mse` with respect to ``w`` (d,) and ``b`` (scalar)."""
    err = X @ w + b - y
    return X.T @ err / len(y), float(np.mean(err))


def train_sgd_numpy(features, labels, batch_size=10, lr=0.05, num_epochs=2, seed=0):
    """Minibatch SGD on airfoil with NumPy; returns a :class:`~d2lutils.training.TrainResult`.

    Same initial weights, same minibatches (seeded shuffling) and same loss
    recording as the MXNet and TensorFlow trainers ``train_scratch``.
    """
    features, labels = check_data(features, labels)
    check_hyperparams({"lr": lr})
    check_loop_args(None, "", batch_size, num_epochs, seed, False)
    X_all, y_all = features.astype(np.float64), labels.astype(np.float64)
    w0, b0 = init_linear_params(features.shape[1], seed)
    w, b = w0[:, 0].astype(np.float64), float(b0[0])

    def step(indices):
        nonlocal w, b
        grad_w, grad_b = gradients(X_all[indices], y_all[indices], w, b)
        w = w - lr * grad_w
        b = b - lr * grad_b

    def evaluate():
        return half_mse(X_all, y_all, w, b)

    return run_epochs(step, evaluate, len(y_all), batch_size, num_epochs, seed)
