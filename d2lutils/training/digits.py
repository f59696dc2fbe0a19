"""Training the digits MLP: many NumPy runs at once, and the loop the framework trainers share.

* :func:`batch_orders` fixes the minibatches of a run from its seed, so the NumPy,
  MXNet and TensorFlow trainers see the same batches;
* :func:`train_runs` trains one network per (learning rate, seed) pair, all at
  once: each pair is one slice of stacked weight arrays
  (:mod:`d2lutils.models.mlp`), and every rule of :data:`d2lutils.optim.RULES`
  works on the stacked arrays unchanged — the elementwise rules because they are
  elementwise, LARS and LAMB because they take their norms per run;
* :func:`run_loop` is the loop of the MXNet and TensorFlow trainers.
"""
import math
import time
from dataclasses import dataclass, field

import numpy as np

from ..data.digits import check_digits
from ..models import mlp
from ..optim.rules import check_hyperparams, resolve
from ..validation import check_callable, check_non_negative_int, check_numbers, check_positive_int


def batch_orders(num_examples, batch_size, num_epochs, seed=0):
    """The minibatches of a run: a list (one per epoch) of index arrays.

    Examples are shuffled each epoch with ``np.random.default_rng(seed)``; the
    last batch of an epoch is smaller when ``batch_size`` does not divide
    ``num_examples``.
    """
    check_positive_int(num_examples, "num_examples")
    check_positive_int(batch_size, "batch_size")
    check_positive_int(num_epochs, "num_epochs")
    check_non_negative_int(seed, "seed")
    if batch_size > num_examples:
        raise ValueError(f"batch_size must be at most {num_examples} (the number of examples), "
                         f"got {batch_size}")
    rng = np.random.default_rng(seed)
    epochs = []
    for _ in range(num_epochs):
        order = rng.permutation(num_examples)
        epochs.append([order[i:i + batch_size] for i in range(0, num_examples, batch_size)])
    return epochs


@dataclass
class Runs:
    """Curves of a sweep: arrays of shape (len(lrs), len(seeds), num_epochs + 1).

    Index 0 along the last axis is before training.  ``train_loss`` is the mean
    cross-entropy on the whole training set, ``test_acc`` the test accuracy.
    A run whose loss stops being finite has diverged: it keeps ``nan`` from then
    on, and :attr:`diverged` says which runs did.
    """

    lrs: np.ndarray
    seeds: tuple
    train_loss: np.ndarray
    test_acc: np.ndarray
    seconds: float = 0.0
    final_params: list = field(default_factory=list, repr=False)

    @property
    def diverged(self):
        """Boolean (len(lrs), len(seeds)): the run's final loss is not finite."""
        return ~np.isfinite(self.train_loss[..., -1])

    def final(self):
        """Final training loss and test accuracy, (len(lrs), len(seeds)) each (nan if diverged)."""
        return self.train_loss[..., -1], self.test_acc[..., -1]

    def best_lr_index(self):
        """The learning rate with the lowest median final training loss over seeds (diverged = inf)."""
        loss = np.where(self.diverged, np.inf, self.train_loss[..., -1])
        return int(np.argmin(np.median(loss, axis=1)))


@dataclass
class NetResult:
    """One framework training run: curves of length ``num_epochs + 1`` (index 0: before training).

    ``params`` are the final ``[W1, b1, W2, b2]`` as NumPy arrays in the layout
    of :func:`d2lutils.models.mlp.init_params`; ``sec_per_epoch`` times the update loop only.
    """

    train_loss: np.ndarray
    test_acc: np.ndarray
    sec_per_epoch: float
    params: list = field(default_factory=list, repr=False)

    def summary(self):
        """One line: final training loss, test accuracy and speed."""
        return (f"train loss {self.train_loss[-1]:.3f}, test acc {self.test_acc[-1]:.3f}, "
                f"{self.sec_per_epoch:.3f} sec/epoch")


def run_loop(step, evaluate, get_params, data, seed, num_epochs, batch_size, steps):
    """The loop both framework trainers share: the batches of :func:`batch_orders`.

    ``step(X, y)`` makes one update on a minibatch of NumPy arrays;
    ``evaluate()`` returns (training loss, test accuracy); ``get_params()``
    returns the NumPy parameters.  With ``steps`` it stops after that many
    updates and returns the parameters instead of a :class:`NetResult`.
    """
    X_train, y_train, _, _ = check_digits(data)
    orders = batch_orders(len(y_train), batch_size, num_epochs, seed)
    losses, accs = [], []
    if steps is None:           # a step-by-step comparison needs no curves
        loss, acc = evaluate()
        losses.append(loss)
        accs.append(acc)
    t, train_time = 0, 0.0
    for epoch in orders:
        start = time.perf_counter()
        for idx in epoch:
            step(X_train[idx], y_train[idx])
            t += 1
            if steps is not None and t == steps:
                return get_params()
        train_time += time.perf_counter() - start
        loss, acc = evaluate()
        losses.append(loss)
        accs.append(acc)
    return NetResult(np.array(losses), np.array(accs), train_time / num_epochs, get_params())


def _check_sweep(lrs, seeds, steps):
    lrs = np.asarray(check_numbers(lrs, "lrs", min_val=0, include_boundaries="neither"), float)
    seeds = tuple(check_non_negative_int(s, f"seeds[{i}]")
                  for i, s in enumerate(check_numbers(seeds, "seeds")))
    if steps is not None:
        check_positive_int(steps, "steps")
    return lrs, seeds


def _schedule_factor(schedule, t):
    """``schedule(t)`` checked: a finite number >= 0 (a NaN schedule must not train silently)."""
    factor = float(schedule(t))
    if not math.isfinite(factor) or factor < 0:
        raise ValueError(f"schedule(t) must return a finite number >= 0, got {factor!r} at t = {t}")
    return factor


def _hyperparams_at(hp, t):
    """The hyperparameters of update t: a callable one (a momentum schedule) is evaluated, checked."""
    if not any(callable(v) for v in hp.values()):
        return hp
    hp_t = {}
    for name, value in hp.items():
        if callable(value):
            value = value(t)
            if isinstance(value, np.ndarray) and value.ndim == 0:
                value = value.item()
            try:
                check_hyperparams({name: value})
            except (TypeError, ValueError) as error:
                raise ValueError(f"the schedule given as {name}= returned an invalid value at "
                                 f"t = {t}: {error}") from None
        hp_t[name] = value
    return hp_t


def _stack_starts(seeds, L, scale, sizes, dtype):
    """Initial parameters of every (lr, seed) run, stacked along a leading axis (lr-major)."""
    starts = [mlp.init_params(s, scale, sizes, dtype) for s in seeds]
    return [np.stack([starts[j][k] for _ in range(L) for j in range(len(seeds))])
            for k in range(len(starts[0]))]


def train_runs(rule, data, lrs=(0.1,), seeds=(0,), num_epochs=10, batch_size=64,
               scale="he", schedule=None, steps=None, sizes=mlp.SIZES, dtype=np.float32,
               record_every=1, **hp):
    """Train one network per (learning rate, seed) pair, all at once, with a rule of :data:`~d2lutils.optim.RULES`.

    ``hp`` overrides the rule's other hyperparameters (checked by
    :func:`d2lutils.optim.resolve`).  Run (i, j) starts from
    ``init_params(seeds[j], scale, sizes, dtype)`` and sees the minibatches of
    ``batch_orders(..., seed=seeds[j])``.  With ``schedule`` (a function of the
    number t = 0, 1, ... of updates already applied) the rate of update t is
    ``lr · schedule(t)``; any other hyperparameter in ``hp`` may be such a function
    too (one-cycle's momentum, say), checked at every update.  ``steps`` stops after
    that many updates and returns the stacked parameters (for step-by-step
    comparisons).  ``record_every`` evaluates the training loss and test accuracy only
    every that many epochs (and always before training and after the last epoch); the
    epochs in between stay ``nan`` — a large sweep that needs only final values saves the
    evaluation, about a quarter of its time.  Returns :class:`Runs`.
    """
    if "lr" in hp:
        raise ValueError("give the learning rates as lrs=[...], not lr=")
    spec, base = resolve(rule, hp)
    X_train, y_train, X_test, y_test = check_digits(data, mlp.check_sizes(sizes)[-1])
    lrs, seeds = _check_sweep(lrs, seeds, steps)
    check_positive_int(num_epochs, "num_epochs")
    check_positive_int(batch_size, "batch_size")
    check_positive_int(record_every, "record_every")
    if schedule is not None:
        check_callable(schedule, "schedule", "schedule(t) -> multiplier of the learning rate")
    L, S = len(lrs), len(seeds)
    per_epoch = -(-len(y_train) // batch_size)
    if steps is not None and steps > num_epochs * per_epoch:
        raise ValueError(f"steps must be at most {num_epochs * per_epoch} (num_epochs × "
                         f"{per_epoch} updates per epoch), got {steps}")
    params = _stack_starts(seeds, L, scale, sizes, dtype)
    orders = [batch_orders(len(y_train), batch_size, num_epochs, s) for s in seeds]
    lr_runs = np.repeat(lrs, S)
    states = [spec.init(p.shape, stacked=True) if spec.layerwise else spec.init(p.shape)
              for p in params]
    shapes = [(L * S,) + (1,) * (p.ndim - 1) for p in params]
    train_loss = np.full((L * S, num_epochs + 1), np.nan)
    test_acc = np.full((L * S, num_epochs + 1), np.nan)
    alive = np.ones(L * S, bool)

    def record(epoch):
        loss, _ = mlp.evaluate(params, X_train, y_train)
        _, acc = mlp.evaluate(params, X_test, y_test)
        alive[:] &= np.isfinite(loss)
        train_loss[alive, epoch], test_acc[alive, epoch] = loss[alive], acc[alive]

    start = time.perf_counter()
    with np.errstate(all="ignore"):     # a diverging run overflows; it is recorded as nan
        record(0)
        t = 0
        for epoch in range(num_epochs):
            for b in range(len(orders[0][epoch])):
                idx = np.stack([orders[j][epoch][b] for _ in range(L) for j in range(S)])
                _, grads = mlp.loss_and_grads(params, X_train[idx], y_train[idx])
                factor = 1.0 if schedule is None else _schedule_factor(schedule, t)
                hp_t = _hyperparams_at(base, t)
                for p, g, st, shape in zip(params, grads, states, shapes):
                    spec.update(p, g, st, {**hp_t, "lr": (lr_runs * factor).reshape(shape)})
                t += 1
                if steps is not None and t == steps:
                    return params
            if (epoch + 1) % record_every == 0 or epoch + 1 == num_epochs:
                record(epoch + 1)
    seconds = time.perf_counter() - start
    return Runs(lrs, seeds, train_loss.reshape(L, S, -1), test_acc.reshape(L, S, -1),
                seconds, params)
