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
  in float64 NumPy, returning the parameters after every step;
* :func:`simulated_async_sgd`: asynchronous SGD with a fixed staleness, simulated;
* :func:`steps_to_target`: how many steps of a given global batch reach a
  target training loss (the large-batch chapter's critical batch size).
"""
import numpy as np

from ..data.digits import check_digits
from ..models import mlp
from ..optim.rules import resolve
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


def steps_to_target(data, batch_size, lr, seeds, targets, max_epochs=40, rule="momentum",
                    check_ratio=2 ** 0.5, **hp):
    """Steps (updates) until the training loss first falls below each target, one run per seed, float64.

    Run j starts from ``mlp.init_params(seeds[j])`` and takes the full batches
    of ``batch_size`` examples of ``global_batches(..., seed=seeds[j])`` (the
    short last batch of an epoch is dropped, so every step sees exactly
    ``batch_size`` examples), at most ``max_epochs`` epochs, updating with the
    rule ``rule`` of :data:`d2lutils.optim.RULES` (``hp``: its other
    hyperparameters, e.g. ``momentum=0.9``).  The training loss on the whole
    training set is evaluated after steps ``s0, s0·r, s0·r², …`` (``s0`` =
    a quarter epoch, ``r = check_ratio``), and the crossing of a target is
    interpolated linearly in (step, log loss) between the two evaluations that
    bracket it.  Returns ``(steps, test_acc)``, both ``(len(targets), len(seeds))``:
    ``inf`` steps where a run never got below the target (it stalled or
    diverged), and the test accuracy at the first evaluation below the target
    (NaN where never reached).
    """
    rule, hp = resolve(rule, {**hp, "lr": lr})
    X_train, y_train, X_test, y_test = check_digits(data)
    check_positive_int(batch_size, "batch_size")
    check_positive_int(max_epochs, "max_epochs")
    check_scalar(check_ratio, "check_ratio", min_val=1, include_boundaries="neither")
    seeds = [check_non_negative_int(s, f"seeds[{i}]") for i, s in enumerate(seeds)]
    targets = np.asarray([check_scalar(t, f"targets[{i}]", min_val=0, include_boundaries="neither")
                          for i, t in enumerate(targets)], float)
    if not seeds or not targets.size:
        raise ValueError("seeds and targets must each hold at least one value")
    n = len(y_train)
    steps = (n // batch_size) * max_epochs
    plans = [global_batches(n, batch_size, steps, s) for s in seeds]
    params = [np.stack(ps) for ps in zip(*[mlp.init_params(s, dtype=np.float64) for s in seeds])]
    states = [rule.init(p.shape, stacked=True) if rule.layerwise else rule.init(p.shape)
              for p in params]
    first = max(1, n // (4 * batch_size))
    checks = set(np.unique(np.round(first * check_ratio ** np.arange(400))).astype(int).tolist())
    hit = np.full((len(targets), len(seeds)), np.inf)
    acc = np.full(hit.shape, np.nan)
    X64 = X_train.astype(np.float64)
    last_step, (last_loss, _) = 0, mlp.evaluate(params, X64, y_train)
    with np.errstate(all="ignore"):            # a diverging run overflows; it never hits
        for t in range(steps):
            idx = np.stack([plan[t] for plan in plans])
            _, grads = mlp.loss_and_grads(params, X64[idx], y_train[idx])
            for p, g, state in zip(params, grads, states):
                rule.update(p, g, state, hp)
            if t + 1 not in checks and t + 1 != steps:
                continue
            loss, _ = mlp.evaluate(params, X64, y_train)
            for k, target in enumerate(targets):
                new = ~np.isfinite(hit[k]) & (loss < target)
                if new.any():
                    fraction = ((np.log(last_loss[new]) - np.log(target))
                                / (np.log(last_loss[new]) - np.log(loss[new])))
                    hit[k, new] = last_step + fraction * (t + 1 - last_step)
                    acc[k, new] = mlp.evaluate([p[new] for p in params], X_test, y_test)[1]
            last_step, last_loss = t + 1, loss
            if np.isfinite(hit).all() or not np.isfinite(loss).any():
                break
    return hit, acc
