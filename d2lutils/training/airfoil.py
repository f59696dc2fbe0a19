"""The framework-free skeleton shared by every airfoil (linear regression) training loop.

The MXNet, TensorFlow and NumPy trainers all use these pieces, so they start
from the same weights (:func:`init_linear_params`), visit the same minibatches
(:func:`run_epochs`), check their arguments the same way and report alike.
"""
import time
from dataclasses import dataclass, field

import numpy as np

from ..data.airfoil import minibatches
from ..optim.rules import check_hyperparams
from ..validation import check_bool, check_callable, check_dict, check_non_negative_int, \
    check_positive_int

#: The full-data loss is recorded each time this many examples have been seen.
RECORD_EVERY = 100


@dataclass
class TrainResult:
    """What a training run returns.

    ``epochs[i]`` is the (fractional) epoch at which ``losses[i]`` — the
    squared loss with the 1/2 on the whole data set — was recorded.
    ``sec_per_epoch`` is the wall time of the update loop (shuffling, batching,
    forward, backward and update) divided by the number of epochs; the loss
    recordings are timed separately in ``eval_seconds``.
    """

    epochs: list = field(default_factory=list)
    losses: list = field(default_factory=list)
    times: list = field(default_factory=list)
    sec_per_epoch: float = 0.0
    eval_seconds: float = 0.0

    @property
    def final_loss(self):
        """The last recorded full-data loss."""
        return self.losses[-1]

    def summary(self):
        """One line for the notebooks: final loss (3 decimals) and speed."""
        return f"loss: {self.final_loss:.3f}, {self.sec_per_epoch:.3f} sec/epoch"


def init_linear_params(num_inputs, seed=0):
    """Initial weights of the airfoil linear model: w ~ N(0, 0.01²), b = 0.

    Drawn with NumPy so that MXNet and TensorFlow start from the same point.
    """
    check_positive_int(num_inputs, "num_inputs")
    check_non_negative_int(seed, "seed")
    rng = np.random.default_rng(seed)
    w = rng.normal(0.0, 0.01, size=(num_inputs, 1)).astype(np.float32)
    b = np.zeros(1, dtype=np.float32)
    return w, b


def check_data(features, labels):
    """Validate the airfoil arrays: features (n, d), labels (n,), all finite; return float32 copies."""
    features, labels = np.asarray(features), np.asarray(labels)
    for name, array in (("features", features), ("labels", labels)):
        if array.dtype.kind not in "biuf":
            raise TypeError(f"{name} must be an array of numbers, got dtype {array.dtype}")
    if features.ndim != 2 or features.shape[0] == 0:
        raise ValueError(f"features must have shape (n, d) with n >= 1, got {features.shape}")
    if labels.shape != (features.shape[0],):
        raise ValueError(f"labels must have shape ({features.shape[0]},), got {labels.shape}")
    if not (np.all(np.isfinite(features)) and np.all(np.isfinite(labels))):
        raise ValueError("features and labels must be finite (no NaN or inf)")
    return features.astype(np.float32), labels.astype(np.float32)


def check_scratch_hyperparams(hyperparams):
    """Check a from-scratch hyperparameter dict and return a frozen copy.

    The book's names (lr, eps, momentum, ...) are range-checked; other names
    belong to the reader's update function and are left alone.
    """
    check_dict(hyperparams, "hyperparams", "{'lr': 0.05}")
    check_hyperparams(hyperparams)
    return dict(hyperparams)


def check_unchanged(before, hyperparams):
    """Refuse an update function that mutated its hyperparameters."""
    if before != hyperparams:
        raise ValueError("the update function changed `hyperparams`; keep values that "
                         "change between steps (such as Adam's step count t) in `states`")


def check_loop_args(trainer_fn, signature, batch_size, num_epochs, seed, show):
    """Checks shared by the from-scratch trainers (the data are checked by :func:`check_data`)."""
    if trainer_fn is not None:
        check_callable(trainer_fn, "trainer_fn", signature)
    check_positive_int(batch_size, "batch_size")
    check_positive_int(num_epochs, "num_epochs")
    check_non_negative_int(seed, "seed")
    check_bool(show, "show")


def report(result, show):
    """Print the summary line and plot the loss curve when ``show`` is True.

    The curve gets its own figure of the current default size
    (:func:`d2lutils.plotting.default_figsize`); the reader's figure settings
    are left as they were.
    """
    if show:
        from ..figures.plotting import plot_losses  # plotting imports matplotlib: only when asked
        print(result.summary())
        plot_losses(result)
    return result


def check_training_args(num_examples, batch_size, num_epochs):
    """Raise ``ValueError`` (``TypeError``) unless batch size and epochs are sensible."""
    check_positive_int(batch_size, "batch_size")
    check_positive_int(num_epochs, "num_epochs")
    if batch_size > num_examples:
        raise ValueError(f"batch_size must be at most {num_examples} (the number of "
                         f"examples), got {batch_size}")


class PermutedData:
    """The training data permuted once per epoch, cut into batches by slicing.

    ``permute(order)`` returns the arrays reordered by ``order`` (in the
    framework's own array type).  Pass :meth:`start_epoch` as ``on_epoch`` to
    :func:`run_epochs`; then :meth:`next_batch` returns the rows of the next
    minibatch — a cheap slice instead of a gather and a copy for every step.
    """

    def __init__(self, permute):
        self._permute = permute
        self._arrays = None
        self._position = 0

    def start_epoch(self, order):
        """Reorder the data for an epoch that visits the examples in ``order``."""
        self._arrays = self._permute(order)
        self._position = 0

    def next_batch(self, size):
        """The next ``size`` rows of every array, in epoch order."""
        start, self._position = self._position, self._position + size
        return tuple(a[start:self._position] for a in self._arrays)


def run_epochs(step, evaluate, num_examples, batch_size, num_epochs, seed=0, on_epoch=None):
    """Drive a training loop and record the loss every ``RECORD_EVERY`` examples.

    ``step(indices)`` performs one update on the examples ``indices``;
    ``evaluate()`` returns the loss on the whole data set as a float.  Examples
    are reshuffled every epoch with a NumPy generator seeded by ``seed``, so
    MXNet and TensorFlow runs see the same minibatches.  ``on_epoch(order)``,
    if given, is called at the start of each epoch (inside the timed loop) with
    the order in which that epoch's minibatches visit the examples.
    """
    check_callable(step, "step", "step(indices)")
    check_callable(evaluate, "evaluate", "evaluate() -> float")
    check_positive_int(num_examples, "num_examples")
    check_training_args(num_examples, batch_size, num_epochs)
    check_non_negative_int(seed, "seed")
    rng = np.random.default_rng(seed)
    result = TrainResult(epochs=[0.0], losses=[evaluate()], times=[0.0])
    train_time = 0.0
    for epoch in range(num_epochs):
        seen = 0
        start = time.perf_counter()
        batches = list(minibatches(num_examples, batch_size, rng))
        if on_epoch is not None:
            on_epoch(np.concatenate(batches))
        for indices in batches:
            step(indices)
            before = seen
            seen += len(indices)
            if seen // RECORD_EVERY > before // RECORD_EVERY or seen == num_examples:
                train_time += time.perf_counter() - start
                t0 = time.perf_counter()
                result.losses.append(evaluate())
                result.epochs.append(epoch + seen / num_examples)
                result.times.append(train_time)
                result.eval_seconds += time.perf_counter() - t0
                start = time.perf_counter()
        train_time += time.perf_counter() - start
    result.sec_per_epoch = train_time / num_epochs
    return result


def state_leaves(states):
    """Every array in a (possibly nested) tuple, list or dict of optimizer states."""
    if isinstance(states, (list, tuple)):
        return [leaf for item in states for leaf in state_leaves(item)]
    if isinstance(states, dict):
        return [leaf for item in states.values() for leaf in state_leaves(item)]
    return [states]
