"""Data parallelism's bookkeeping, framework-free: who takes which examples, and the reference run.

Every distributed run of the book follows one plan, so that it can be checked
step by step against a single process:

* :func:`global_batches`: one shuffling of the training set for all workers
  (Goyal et al. 2017: shuffle once, then split), cut into global minibatches of
  ``workers · local_batch · accumulate`` examples (the last, incomplete one of
  each epoch is dropped);
* :func:`worker_slice`: worker ``rank``'s consecutive share of a global batch;
* :func:`flatten` / :func:`unflatten`: the MLP's ``[W1, b1, W2, b2]`` as one
  float32 vector, the unit a parameter server stores and workers push and pull
  (the layout of :func:`d2lutils.models.mlp.flatten`);
* :func:`reference_sgd`: plain SGD on the mean loss of each whole global batch,
  in float64 NumPy, returning the parameters after every step.
"""
import numpy as np

from ..data.digits import check_digits
from ..models import mlp
from ..validation import check_non_negative_int, check_positive_int, check_scalar
from .digits import batch_orders

SIZES = mlp.SIZES       # 64 -> 32 -> 10


def num_params(sizes=SIZES):
    """Number of scalars in the network (2410 for 64-32-10)."""
    return int(sum(np.prod(s) for s in mlp.shapes(sizes)))


def flatten(params):
    """``[W1, b1, W2, b2]`` -> one float32 vector (row-major, in that order)."""
    return mlp.flatten([np.asarray(p, np.float32) for p in params])


def unflatten(vector, sizes=SIZES):
    """The inverse of :func:`flatten` (copies, in the vector's dtype)."""
    vector = np.asarray(vector)
    if vector.shape != (num_params(sizes),):
        raise ValueError(f"vector must have shape ({num_params(sizes)},), got {vector.shape}")
    return [a.copy() for a in mlp.unflatten(vector, mlp.shapes(sizes))]


def global_batches(num_examples, global_batch, steps, seed=0):
    """Index arrays of the first ``steps`` global minibatches (each exactly ``global_batch`` long).

    Epoch e is ``np.random.default_rng(seed)``'s e-th permutation (as
    :func:`d2lutils.training.batch_orders`), cut into full batches; an
    incomplete last batch is dropped, so every worker always gets the same
    number of examples.
    """
    check_positive_int(num_examples, "num_examples")
    check_positive_int(global_batch, "global_batch")
    check_non_negative_int(steps, "steps")
    check_non_negative_int(seed, "seed")
    if global_batch > num_examples:
        raise ValueError(f"global_batch must be at most num_examples = {num_examples}, "
                         f"got {global_batch}")
    per_epoch = num_examples // global_batch
    epochs = -(-steps // per_epoch)
    batches = []
    for order in batch_orders(num_examples, global_batch, max(epochs, 1), seed):
        batches += [idx for idx in order if len(idx) == global_batch]
    return batches[:steps]


def worker_slice(batch, rank, workers):
    """Worker ``rank``'s share of a global batch: the ``rank``-th of ``workers`` equal consecutive parts."""
    check_positive_int(workers, "workers")
    check_non_negative_int(rank, "rank")
    if rank >= workers:
        raise ValueError(f"rank must be < workers = {workers}, got {rank}")
    if len(batch) % workers:
        raise ValueError(f"a global batch of {len(batch)} does not split into {workers} equal parts")
    share = len(batch) // workers
    return batch[rank * share:(rank + 1) * share]


def reference_sgd(data, seed, lr, global_batch, steps, sizes=SIZES, dtype=np.float64):
    """Single-process SGD on the mean loss of each global batch, as a cluster's check.

    Starts from ``mlp.init_params(seed, "he", sizes)``; step t uses
    ``global_batches(...)[t]``; computes in ``dtype`` (float64 or float32).
    Returns ``(history, losses)``: the parameter list after each of the
    ``steps`` steps, and the global batch's mean loss before each step.
    """
    check_scalar(lr, "lr", min_val=0, include_boundaries="neither")
    if dtype not in (np.float64, np.float32):
        raise ValueError(f"dtype must be np.float64 or np.float32, got {dtype!r}")
    X_train, y_train, _, _ = check_digits(data)
    params = [p.astype(dtype)[None] for p in mlp.init_params(seed, "he", sizes)]
    history, losses = [], []
    for idx in global_batches(len(y_train), global_batch, steps, seed):
        loss, grads = mlp.loss_and_grads(params, X_train[idx][None].astype(dtype), y_train[idx][None])
        for p, g in zip(params, grads):
            p -= dtype(lr) * g
        history.append([p[0].copy() for p in params])
        losses.append(float(loss[0]))
    return history, np.array(losses)


def max_relative_gap(ours, reference):
    """Largest ``max|a − b| / max|b|`` over the tensors of two parameter lists."""
    return max(float(np.max(np.abs(np.asarray(a, np.float64) - b)) / np.max(np.abs(b)))
               for a, b in zip(ours, reference))


def simulated_async_sgd(data, seeds, lr, tau, workers=2, local_batch=16, pushes=20, lamda=0.0):
    """Asynchronous SGD with a fixed staleness ``tau``, simulated in float64: final training losses.

    Update u (of ``workers · pushes``) uses worker ``u % workers``'s share of
    global batch ``u // workers`` (as :func:`global_batches` and
    :func:`worker_slice` give them), the mean gradient over its
    ``local_batch`` examples evaluated at the parameters of update ``u − tau``
    (the start for ``u < tau``): the model of :func:`d2lutils.optim.async_sgd.stale_gd`
    on the digits MLP.  ``lamda`` > 0 adds Zheng et al.'s (2017) delay
    compensation ``lamda · g ⊙ g ⊙ (w_u − w_{u−tau})`` to the gradient g.
    All seeds run at once (stacked); returns an array of ``len(seeds)`` losses
    (``inf`` where a run diverged).
    """
    check_scalar(lr, "lr", min_val=0, include_boundaries="neither")
    check_non_negative_int(tau, "tau")
    check_positive_int(workers, "workers")
    check_positive_int(local_batch, "local_batch")
    check_positive_int(pushes, "pushes")
    check_scalar(lamda, "lamda", min_val=0)
    seeds = [check_non_negative_int(s, "seed") for s in seeds]
    X_train, y_train, _, _ = check_digits(data)
    starts = [mlp.init_params(s) for s in seeds]
    params = [np.stack([start[k] for start in starts]).astype(np.float64) for k in range(len(starts[0]))]
    plans = [global_batches(len(y_train), workers * local_batch, pushes, s) for s in seeds]
    recent = [params]                     # the parameters of updates u - tau, ..., u
    with np.errstate(all="ignore"):
        for u in range(workers * pushes):
            step, rank = divmod(u, workers)
            idx = np.stack([worker_slice(plan[step], rank, workers) for plan in plans])
            old = recent[0]
            _, grads = mlp.loss_and_grads(old, X_train[idx], y_train[idx])
            params = [p - lr * (g + lamda * g * g * (p - o)) for p, g, o in zip(params, grads, old)]
            recent = (recent + [params])[-(tau + 1):]
        loss, _ = mlp.evaluate(params, X_train, y_train)
    return np.where(np.isfinite(loss), loss, np.inf)
