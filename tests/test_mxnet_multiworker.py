"""MXNet's parameter server: the server-side optimizer in-process, then a real cluster on loopback.

The cluster test starts a scheduler, a server and two workers (about 10–15 s
on 2 idle cores, most of it four processes importing MXNet), checks every step
against one process with the global batch, and checks that no process is left.
"""
import pickle

import numpy as np
import pytest
from process_support import assert_nothing_left, record_pids

from d2lutils.training import data_parallel as dp
from d2lutils.data import load_digits
from d2lutils.multiworker import run_cluster

mx = pytest.importorskip("mxnet")
from d2lutils.mxnet.server_optimizer import HIST_BINS, ServerOptimizer  # noqa: E402


def as_server(optimizer):
    """The updater a server builds from the pickled optimizer, as MXNet does."""
    return mx.optimizer.get_updater(pickle.loads(pickle.dumps(optimizer, 0)))


def push(updater, key, weight, grad, read_version):
    """A push of ``grad`` computed from weights of version ``read_version`` (layout [w | v | hist])."""
    g = mx.nd.array(np.concatenate([grad, [read_version], np.zeros(HIST_BINS)]))
    updater(key, g, weight)


def test_server_counts_staleness_and_applies_mxnet_sgd():
    lr, rescale = 0.5, 0.25
    updater = as_server(ServerOptimizer([("sgd", {"learning_rate": lr, "rescale_grad": rescale}, 1)],
                                        size=3, clock=True))
    weight = mx.nd.zeros(3 + 1 + HIST_BINS)
    expected = np.zeros(3)
    # two workers read version 0; A's push lands first (staleness 0), B's second (1);
    # A then reads version 2 and pushes (0); B pushes from version 1 after A's (2)
    for grad, read in (([1, 2, 3], 0), ([1, 0, 0], 0), ([0, 1, 0], 2), ([0, 0, 4], 1)):
        push(updater, 0, weight, np.array(grad, float), read)
        expected -= lr * rescale * np.array(grad)
    w = weight.asnumpy()
    assert np.allclose(w[:3], expected) and w[3] == 4
    assert list(w[4:8]) == [2, 1, 1, 0] and w[4:].sum() == 4


def test_synchronous_sum_counts_every_push_as_fresh():
    updater = as_server(ServerOptimizer([("sgd", {"learning_rate": 1.0}, 2)], size=2, clock=True))
    weight = mx.nd.zeros(2 + 1 + HIST_BINS)
    push(updater, 0, weight, np.array([1.0, 1.0]), 2 * 0)     # the server's sum of 2 pushes
    push(updater, 0, weight, np.array([1.0, 1.0]), 2 * 1)
    w = weight.asnumpy()
    assert w[2] == 2 and w[3] == 4 and w[4:].sum() == 0


def test_mxnet_dcasgd_compensates_with_the_previous_update_not_the_workers_copy():
    """MXNet's dcasgd: w ← w − η(g + λ g⊙g⊙(w − w_prev)), w_prev = the weight before the last update."""
    lr, lamda = 0.1, 0.5
    updater = as_server(ServerOptimizer([("dcasgd", {"learning_rate": lr, "lamda": lamda}, 1)],
                                        size=2, clock=True))
    weight = mx.nd.array(np.concatenate([[1.0, -1.0], np.zeros(1 + HIST_BINS)]))
    w, previous = np.array([1.0, -1.0]), np.array([1.0, -1.0])
    for g in ([1.0, 2.0], [0.5, -1.0], [2.0, 1.0]):
        g = np.array(g)
        new = w - lr * (g + lamda * g * g * (w - previous))
        previous, w = w, new
        push(updater, 0, weight, g, 0)
        assert np.allclose(weight.asnumpy()[:2], w, rtol=1e-6)


def test_dist_sync_equals_one_process_with_the_global_batch(monkeypatch):
    """Scheduler, server and 2 workers for real; each worker takes half of every batch of 32."""
    pids = record_pids(monkeypatch)
    steps, lr = 10, 0.5
    cluster = run_cluster("mxnet", workers=2, mode="dist_sync", steps=steps, local_batch=16,
                          runs=[{"optimizer": "sgd", "lr": lr, "seed": 0, "record": True}],
                          timeout=150)
    history, losses = dp.reference_sgd(load_digits(), seed=0, lr=lr, global_batch=32, steps=steps)
    first, second = (records[0] for records in cluster.records)
    for t in range(steps):
        assert all((a == b).all() for a, b in zip(first.history[t], second.history[t]))
        assert dp.max_relative_gap(first.history[t], history[t]) < 1e-6
    # each worker's loss is the mean over its 16 examples: their mean is the global batch's
    assert abs((first.losses + second.losses) / 2 - losses).max() < 1e-5
    assert abs(first.losses - second.losses).max() > 1e-3          # they did see different halves
    assert list(first.staleness) == [2 * steps] + [0] * 15 and first.version == steps
    for worker in cluster.raw:                  # ps-lite's socket: loopback only (DMLC_NODE_HOST)
        assert worker["listening"] and {ip for ip, _ in worker["listening"]} == {"127.0.0.1"}
    assert_nothing_left(pids, 4)
