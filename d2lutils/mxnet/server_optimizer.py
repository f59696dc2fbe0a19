"""The optimizer that MXNet's parameter server runs for :mod:`d2lutils.mxnet.multiworker`.

A worker hands it to ``kv.set_optimizer``; MXNet pickles it and every server
unpickles it (so this module must be importable there: the launcher puts the
repository on ``PYTHONPATH``) and calls its ``update`` for each push
(``dist_async``) or for the sum of one push from every worker (``dist_sync``).
It is a separate module so that the pickle names it by its import path, also
when the worker runs as ``python -m``.
"""
import mxnet as mx

HIST_BINS = 16          # staleness 0, 1, ..., 14, and ">= 15"


class ServerOptimizer(mx.optimizer.Optimizer):
    """The optimizer the workers send to the server (pickled): key i is training run i.

    ``runs[i]`` is ``(name, kwargs, pushes_per_update)``: MXNet's own optimizer
    for run i (e.g. ``("sgd", {"learning_rate": 0.5, "rescale_grad": 1/32}, 2)``)
    and how many pushes the server adds up before one update (k workers under
    ``dist_sync``, 1 under ``dist_async``).  The first ``size`` slots of a key
    are the weights; with ``clock=True`` the next one is the version (updates
    so far) and the last ``HIST_BINS`` the staleness histogram, and the
    version slot of a push holds the version its gradient was computed from
    (under ``dist_sync`` the server receives the sum of k such slots).
    """

    def __init__(self, runs, size, clock):
        super().__init__()
        self.runs, self.size, self.clock = runs, size, clock
        self.inner = [mx.optimizer.create(name, **kwargs) for name, kwargs, _ in runs]

    def create_state(self, index, weight):
        return self.inner[index].create_state(index, weight[:self.size])

    def update(self, index, weight, grad, state):
        n, pushes = self.size, self.runs[index][2]
        self.inner[index].update(index, weight[:n], grad[:n], state)
        if self.clock:
            stale = int(round(weight[n].asscalar() - grad[n].asscalar() / pushes))
            weight[n] += 1
            weight[n + 1 + min(stale, HIST_BINS - 1)] += pushes
