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

    ``runs[i]`` is ``(name, kwargs)`` of MXNet's own optimizer for run i (e.g.
    ``("sgd", {"learning_rate": 0.5, "rescale_grad": 1/32})``).  With
    ``clock=True`` the last ``1 + HIST_BINS`` slots of each key are the version
    and the staleness histogram; ``pushes_per_update`` is k under ``dist_sync``
    (the server sums k pushes, whose version slots then add up to k times the
    version read) and 1 under ``dist_async``.
    """

    def __init__(self, runs, size, clock, pushes_per_update):
        super().__init__()
        self.runs, self.size, self.clock = runs, size, clock
        self.pushes_per_update = pushes_per_update
        self.inner = [mx.optimizer.create(name, **kwargs) for name, kwargs in runs]

    def create_state(self, index, weight):
        return self.inner[index].create_state(index, weight[:self.size])

    def update(self, index, weight, grad, state):
        n = self.size
        self.inner[index].update(index, weight[:n], grad[:n], state)
        if self.clock:
            version = weight[n].asscalar()
            read = grad[n].asscalar() / self.pushes_per_update
            stale = int(round(version - read))
            weight[n] += 1
            weight[n + 1 + min(stale, HIST_BINS - 1)] += self.pushes_per_update
