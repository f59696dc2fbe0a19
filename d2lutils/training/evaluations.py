"""Runs recorded against work done: full-data loss after each gradient evaluation and second.

Used by the Newton chapter to put ``scipy.optimize`` (BFGS, L-BFGS, CG: one pass
over the data per function evaluation) and minibatch rules on one axis: loss
against passes over the data, and against time.
"""
import time
from typing import NamedTuple

import numpy as np

from ..validation import check_callable, check_non_negative_int


def _steps(steps):
    return int(check_non_negative_int(steps, "steps"))


def _one_blas_thread():
    """A context that limits BLAS to one thread (no-op without threadpoolctl).

    The matrices here are small: with several BLAS threads on a busy machine the
    threads mostly wait for each other, and the measured times say more about
    the machine's load than about the method.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn
        import contextlib
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


class Record(NamedTuple):
    """A run's full-data loss after each unit of work.

    ``passes``: gradient evaluations counted in passes over the whole data set
    (a minibatch of b out of n examples counts b/n); ``times``: seconds since
    the start; ``losses``: the full-data loss there; ``theta``: the final parameters.
    """

    passes: np.ndarray
    times: np.ndarray
    losses: np.ndarray
    theta: np.ndarray


def scipy_run(method, loss_grad, theta0, max_iter=100):
    """Minimize ``loss_grad(θ) -> (loss, gradient)`` with ``scipy.optimize.minimize``.

    Every function evaluation (one full pass) is recorded, line-search trials included.
    Runs with one BLAS thread (see :func:`_one_blas_thread`).
    """
    from scipy import optimize

    check_callable(loss_grad, "loss_grad", "loss_grad(θ) -> (loss, gradient)")
    passes, times, losses = [0.0], [0.0], [float(loss_grad(theta0)[0])]
    start = None

    def fun(theta):
        loss, grad = loss_grad(theta)
        passes.append(passes[-1] + 1)
        times.append(time.perf_counter() - start)
        losses.append(float(loss))
        return loss, grad

    with _one_blas_thread():
        start = time.perf_counter()
        result = optimize.minimize(fun, np.array(theta0, dtype=float), jac=True, method=method,
                                   options={"maxiter": _steps(max_iter)})
    return Record(np.array(passes), np.array(times), np.array(losses), result.x)


def minibatch_run(rule, loss_grad, theta0, num_examples, batch_size, epochs, seed=0, **hp):
    """Minibatch training with a rule of :data:`d2lutils.optim.RULES`.

    ``loss_grad(θ, idx) -> (loss, gradient)`` on the examples ``idx`` (``idx=None``:
    all of them).  The full-data loss is recorded after every epoch; the time
    spent on recording is not counted.  Runs with one BLAS thread, like :func:`scipy_run`.
    """
    from ..data.airfoil import minibatches
    from ..optim.rules import resolve

    rule, hp = resolve(rule, hp)
    theta = np.array(theta0, dtype=float)
    state = rule.init(theta.shape)
    rng = np.random.default_rng(seed)
    passes, times, losses = [0.0], [0.0], [float(loss_grad(theta, None)[0])]
    elapsed = 0.0
    with _one_blas_thread():
        for _ in range(_steps(epochs)):
            start = time.perf_counter()
            for idx in minibatches(num_examples, batch_size, rng):
                rule.update(theta, loss_grad(theta, idx)[1], state, hp)
            elapsed += time.perf_counter() - start
            passes.append(passes[-1] + 1)
            times.append(elapsed)
            losses.append(float(loss_grad(theta, None)[0]))
    return Record(np.array(passes), np.array(times), np.array(losses), theta)
