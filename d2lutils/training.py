"""The framework-free skeleton shared by every airfoil training loop."""
import time
from dataclasses import dataclass, field

import numpy as np

from .data import minibatches

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


def check_training_args(num_examples, batch_size, num_epochs):
    """Raise ``ValueError`` unless batch size and epochs are sensible."""
    for name, value in (("batch_size", batch_size), ("num_epochs", num_epochs)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
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
    check_training_args(num_examples, batch_size, num_epochs)
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
