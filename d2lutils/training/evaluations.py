"""Runs recorded against work done: full-data loss after each gradient evaluation and second.

Used by the Newton chapter to put ``scipy.optimize`` (BFGS, L-BFGS, CG: one pass
over the data per function evaluation) and minibatch rules on one axis: loss
against passes over the data, and against time.
"""
import time
from typing import NamedTuple

import numpy as np

from ..validation import check_callable, check_finite_vector, check_non_negative_int, check_positive_int


def _steps(steps, name="steps"):
    return int(check_non_negative_int(steps, name))


def _checked(loss, grad, size, where):
    """(loss, gradient) as returned by a user's ``loss_grad``, checked: a NaN is reported, never passed on."""
    grad = np.asarray(grad, dtype=float)
    if grad.shape != (size,):
        raise ValueError(f"loss_grad returned a gradient of shape {grad.shape}, expected ({size},)")
    if not (np.isfinite(loss) and np.all(np.isfinite(grad))):
        raise FloatingPointError(f"loss_grad returned a non-finite loss or gradient {where} "
                                 f"(loss = {float(loss)!r}): the run diverged or the data hold NaN")
    return float(loss), grad


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

    if not isinstance(method, str):
        raise TypeError(f"method must be the name of a scipy.optimize.minimize method, e.g. "
                        f"'L-BFGS-B', got {type(method).__name__} {method!r}")
    check_callable(loss_grad, "loss_grad", "loss_grad(θ) -> (loss, gradient)")
    theta0 = check_finite_vector(theta0, "theta0")
    max_iter = check_positive_int(max_iter, "max_iter")
    passes, times = [0.0], [0.0]
    losses = [_checked(*loss_grad(theta0), theta0.size, "at theta0")[0]]
    start = None

    def fun(theta):
        loss, grad = _checked(*loss_grad(theta), theta0.size, f"at evaluation {len(passes)}")
        passes.append(passes[-1] + 1)
        times.append(time.perf_counter() - start)
        losses.append(float(loss))
        return loss, grad

    with _one_blas_thread():
        start = time.perf_counter()
        result = optimize.minimize(fun, theta0, jac=True, method=method,
                                   options={"maxiter": max_iter})
    return Record(np.array(passes), np.array(times), np.array(losses), result.x)


def minibatch_run(rule, loss_grad, theta0, num_examples, batch_size, epochs, seed=0, **hp):
    """Minibatch training with a rule of :data:`d2lutils.optim.RULES`.

    ``loss_grad(θ, idx) -> (loss, gradient)`` on the examples ``idx`` (``idx=None``:
    all of them).  The full-data loss is recorded after every epoch; the time
    spent on recording is not counted.  Runs with one BLAS thread, like :func:`scipy_run`.
    A non-finite loss or gradient raises ``FloatingPointError`` naming the epoch.
    """
    from ..data.airfoil import minibatches
    from ..optim.rules import resolve

    rule, hp = resolve(rule, hp)
    check_callable(loss_grad, "loss_grad", "loss_grad(θ, idx) -> (loss, gradient)")
    theta = check_finite_vector(theta0, "theta0")
    num_examples = check_positive_int(num_examples, "num_examples")
    batch_size = check_positive_int(batch_size, "batch_size")
    if batch_size > num_examples:
        raise ValueError(f"batch_size must be at most num_examples = {num_examples}, got {batch_size}")
    epochs = _steps(epochs, "epochs")
    state = rule.init(theta.shape)
    rng = np.random.default_rng(_steps(seed, "seed"))
    passes, times = [0.0], [0.0]
    losses = [_checked(*loss_grad(theta, None), theta.size, "at theta0")[0]]
    elapsed = 0.0
    with _one_blas_thread():
        for epoch in range(epochs):
            start = time.perf_counter()
            for idx in minibatches(num_examples, batch_size, rng):
                grad = _checked(*loss_grad(theta, idx), theta.size, f"in epoch {epoch + 1}")[1]
                rule.update(theta, grad, state, hp)
            elapsed += time.perf_counter() - start
            passes.append(passes[-1] + 1)
            times.append(elapsed)
            losses.append(_checked(*loss_grad(theta, None), theta.size, f"after epoch {epoch + 1}")[0])
    return Record(np.array(passes), np.array(times), np.array(losses), theta)
