"""Minibatch SGD for airfoil linear regression in plain NumPy (no framework).

Used where a chapter needs many quick training runs without a framework (the
batch-size slider) and as the speed floor of ``bench/``: the gradient of the
squared loss is written by hand, the loop is :func:`d2lutils.training.run_epochs`.
:func:`train_runs` trains many runs at once (one per value of a hyperparameter and
seed) with any elementwise rule of :data:`d2lutils.optim.RULES`, for the seed sweeps
of the adaptive-method chapters.
"""
from typing import NamedTuple

import numpy as np

from ..data.airfoil import minibatches
from ..optim.rules import check_hyperparams, resolve
from ..training.airfoil import (RECORD_EVERY, check_data, check_loop_args, init_linear_params,
                                run_epochs)
from ..validation import check_non_negative_int, check_numbers


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


class LinregRuns(NamedTuple):
    """Losses of a sweep of airfoil runs: ``losses[i, j]`` is value ``values[i]``, seed ``seeds[j]``.

    ``losses`` has shape (values, seeds, records): the full-data loss (with the 1/2) at the
    fractional ``epochs``, recorded like :func:`~d2lutils.training.run_epochs` does;
    NaN from the record where a run diverged on.
    """

    epochs: np.ndarray
    losses: np.ndarray
    name: str
    values: np.ndarray
    seeds: tuple

    def final(self):
        """The last recorded loss of every run, shape (values, seeds); NaN if it diverged."""
        return self.losses[..., -1]

    @property
    def diverged(self):
        """True for each run whose loss stopped being finite (or exceeded 1e6)."""
        return ~np.isfinite(self.losses[..., -1])


def train_runs(rule, features, labels, values=(0.1,), seeds=range(10), name="lr",
               batch_size=10, num_epochs=2, **hp):
    """Train one airfoil linear regression per (value, seed) pair, all at once, with a rule of RULES.

    ``name`` is the hyperparameter that takes the ``values`` (the learning rate by
    default); ``hp`` sets the others (checked by :func:`d2lutils.optim.resolve`).  Run
    (i, j) starts from ``init_linear_params(5, seeds[j])`` and visits the minibatches of
    seed ``seeds[j]``: the weights and batches of the MXNet and TensorFlow trainers
    ``train_scratch(..., seed=seeds[j])``, here in float64.  w and b are one vector per
    run (the rules act coordinate by coordinate, so this changes nothing).  Returns
    :class:`LinregRuns`.
    """
    features, labels = check_data(features, labels)
    check_loop_args(None, "", batch_size, num_epochs, 0, False)
    if not isinstance(name, str):
        raise TypeError(f"name must be a hyperparameter name (a string), got {name!r}")
    if name in hp:
        raise ValueError(f"give the values of {name!r} as values=[...], not {name}=")
    values = np.asarray(check_numbers(values, "values"), dtype=float)
    seeds = tuple(check_non_negative_int(s, f"seeds[{i}]")
                  for i, s in enumerate(check_numbers(seeds, "seeds")))
    spec, base = resolve(rule, {name: values[0], **hp})
    if spec.layerwise:
        raise ValueError(f"train_runs trains elementwise rules; {rule!r} scales whole tensors")
    for v in values:
        check_hyperparams({name: v})
    n, d = features.shape
    V, S = len(values), len(seeds)
    X = np.hstack([features, np.ones((n, 1), np.float32)]).astype(np.float64)
    y = labels.astype(np.float64)
    theta = np.stack([np.append(init_linear_params(d, s)[0][:, 0], 0.0)
                      for _ in range(V) for s in seeds])                  # (V·S, d + 1)
    state = spec.init(theta.shape)
    hp_runs = {**base, name: np.repeat(values, S)[:, None]}
    rngs = [np.random.default_rng(s) for s in seeds]
    epochs, losses = [0.0], [_run_losses(X, y, theta)]
    with np.errstate(all="ignore"):     # a diverging run overflows; it is recorded as NaN
        for epoch in range(num_epochs):
            batches = [list(minibatches(n, batch_size, rng)) for rng in rngs]
            seen = 0
            for b in range(len(batches[0])):
                idx = np.stack([batches[j][b] for _ in range(V) for j in range(S)])
                Xb = X[idx]                                              # (V·S, B, d + 1)
                err = np.einsum("rbk,rk->rb", Xb, theta) - y[idx]
                spec.update(theta, np.einsum("rbk,rb->rk", Xb, err) / idx.shape[1], state,
                            hp_runs)
                before, seen = seen, seen + idx.shape[1]
                if seen // RECORD_EVERY > before // RECORD_EVERY or seen == n:
                    epochs.append(epoch + seen / n)
                    losses.append(_run_losses(X, y, theta))
    losses = np.array(losses).T.reshape(V, S, -1)
    bad = ~(np.abs(losses) <= 1e6)                    # NaN, inf or blown up
    losses[np.maximum.accumulate(bad, axis=-1)] = np.nan
    return LinregRuns(np.array(epochs), losses, name, values, seeds)


def _run_losses(X, y, theta):
    """The full-data half squared loss of every run (rows of ``theta``)."""
    with np.errstate(all="ignore"):
        return 0.5 * np.mean((X @ theta.T - y[:, None]) ** 2, axis=0)
