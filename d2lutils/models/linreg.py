"""Minibatch SGD for airfoil linear regression in plain NumPy (no framework).

Used where a chapter needs many quick training runs without a framework (the
batch-size slider, the seed sweeps of the momentum, AdaGrad and RMSProp chapters)
and as the speed floor of ``bench/``: the gradient of the squared loss is written by
hand; :func:`train_sgd_numpy` runs the loop :func:`d2lutils.training.run_epochs`,
:func:`train_runs` a whole sweep of learning rates and seeds at once with any rule of
:data:`d2lutils.optim.RULES`.
"""
from dataclasses import dataclass

import numpy as np

from ..optim.rules import check_hyperparams, resolve
from ..training.airfoil import (RECORD_EVERY, check_data, check_loop_args, check_training_args,
                                init_linear_params, run_epochs)
from ..training.digits import batch_orders
from ..validation import check_non_negative_int, check_numbers, check_scalar


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


@dataclass
class LinregRuns:
    """Loss curves of an airfoil sweep: ``losses`` has shape (len(values), len(seeds), len(epochs)).

    ``values`` are the values the hyperparameter ``name`` took (the learning rate unless
    the sweep said otherwise).  ``epochs[k]`` is the (fractional) epoch of record k, the
    same points at which the framework trainers record (every
    :data:`~d2lutils.training.RECORD_EVERY` examples); index 0 is before training.  A run
    whose loss stops being finite keeps ``nan``.
    """

    values: np.ndarray
    seeds: tuple
    epochs: np.ndarray
    losses: np.ndarray
    name: str = "lr"

    @property
    def diverged(self):
        """Boolean (len(values), len(seeds)): the run's final loss is not finite."""
        return ~np.isfinite(self.losses[..., -1])

    def final(self):
        """The last recorded loss of every run, (len(values), len(seeds)) (nan if diverged)."""
        return self.losses[..., -1]

    def last_epoch_mean(self):
        """The mean of the losses recorded during the last epoch, per run (nan if diverged)."""
        last = self.epochs > np.ceil(self.epochs[-1]) - 1
        return self.losses[..., last].mean(axis=-1)


def train_runs(rule, features, labels, values=(0.05,), seeds=(0,), name="lr", batch_size=10,
               num_epochs=2, bound=1e6, **hp):
    """Train airfoil linear regression once per (value, seed) pair, all runs at once.

    ``values`` are the values of the hyperparameter ``name`` (the learning rate by
    default, e.g. ``name="eps"`` for AdaDelta, which has none).  ``rule`` is a name of
    :data:`d2lutils.optim.RULES` whose update works on the stacked float64 arrays
    unchanged (an elementwise rule); ``hp`` sets its other hyperparameters.  Run
    (i, j) starts from ``init_linear_params(d, seeds[j])`` and visits the minibatches
    that ``run_epochs(..., seed=seeds[j])`` visits, so seed s reproduces the MXNet and
    TensorFlow ``train_scratch`` run with seed s (up to float32 round-off).  A run
    whose weights leave ``[-bound, bound]`` (or stop being finite) has diverged: from
    then on its losses are ``nan``.  Returns :class:`LinregRuns`.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a hyperparameter name (a string), got {name!r}")
    if name in hp:
        raise ValueError(f"give the values of {name!r} as values=[...], not {name}=")
    values = np.asarray(check_numbers(values, "values"), float)
    spec, base = resolve(rule, {name: values[0], **hp})
    if spec.layerwise:
        raise ValueError(f"train_runs trains elementwise rules; {rule!r} scales whole tensors")
    for v in values:
        check_hyperparams({name: v})
    if name == "lr" and np.any(values <= 0):
        raise ValueError(f"learning rates must be positive, got values={values.tolist()}")
    X, y = (a.astype(np.float64) for a in check_data(features, labels))
    lrs = values
    seeds = tuple(check_non_negative_int(s, f"seeds[{i}]")
                  for i, s in enumerate(check_numbers(seeds, "seeds")))
    check_training_args(len(y), batch_size, num_epochs)
    check_scalar(bound, "bound", min_val=0, include_boundaries="neither")
    L, S, (n, d) = len(lrs), len(seeds), X.shape
    starts = [init_linear_params(d, s) for s in seeds]
    w = np.stack([starts[j][0][:, 0] for _ in range(L) for j in range(S)]).astype(np.float64)
    b = np.zeros((L * S, 1))
    seed_of_run = np.tile(np.arange(S), L)
    per_seed = [batch_orders(n, batch_size, num_epochs, s) for s in seeds]
    orders = [np.stack([np.concatenate(o[e]) for o in per_seed])[seed_of_run]
              for e in range(num_epochs)]
    states = [spec.init(w.shape), spec.init(b.shape)]
    hp_runs = {**base, name: np.repeat(values, S)[:, None]}
    epochs, losses = [0.0], [_stacked_loss(X, y, w, b)]
    with np.errstate(all="ignore"):     # a diverging run overflows; it is recorded as nan
        for epoch in range(num_epochs):
            for start in range(0, n, batch_size):
                stop = min(start + batch_size, n)
                Xb, yb = X[orders[epoch][:, start:stop]], y[orders[epoch][:, start:stop]]
                err = (Xb @ w[:, :, None])[:, :, 0] + b - yb
                grads = ((err[:, None, :] @ Xb)[:, 0] / (stop - start),
                         err.mean(axis=1, keepdims=True))
                for p, g, st in zip((w, b), grads, states):
                    spec.update(p, g, st, hp_runs)
                blown = ~(np.abs(np.c_[w, b]) <= bound).all(axis=1)   # nan compares False
                w[blown], b[blown] = np.nan, np.nan
                if stop // RECORD_EVERY > start // RECORD_EVERY or stop == n:
                    epochs.append(epoch + stop / n)
                    losses.append(_stacked_loss(X, y, w, b))
    losses = np.stack(losses, axis=-1)
    return LinregRuns(values, seeds, np.array(epochs), losses.reshape(L, S, -1), name)


def _stacked_loss(X, y, w, b):
    """The half squared loss of every stacked run (w: (R, d), b: (R, 1)) on all the data."""
    return 0.5 * np.mean((w @ X.T + b - y) ** 2, axis=1)
