"""Comparing a hand-written update with a framework's built-in optimizer (no framework imports).

:func:`d2lutils.mxnet.compare_with_builtin` and
:func:`d2lutils.tensorflow.compare_with_builtin` feed both the same random
gradients (:func:`random_problem`) and measure how far apart the parameters end
up with :func:`relative_gap`.
"""
import numpy as np

from .validation import check_callable, check_non_negative_int, check_positive_int

_DTYPES = (np.float32, np.float64)


def check_dtype(dtype):
    """``np.float32`` or ``np.float64`` (also given as a string)."""
    try:
        resolved = np.dtype(dtype).type
    except TypeError:
        resolved = None
    if resolved not in _DTYPES:
        raise ValueError(f"dtype must be np.float32 or np.float64, got {dtype!r}")
    return resolved


def relative_gap(ours, theirs):
    """Largest relative difference ``|ours - theirs| / |theirs|`` over a run.

    Both arguments are lists (one per step) of lists of arrays (one per
    parameter); at each step the norm is taken over *all* parameters together,
    and the worst step is returned (the maximum, not an average: one bad step
    is a bug).
    """
    ours, theirs = list(ours), list(theirs)
    if not ours or len(ours) != len(theirs):
        raise ValueError(f"need two equally long, non-empty runs, got {len(ours)} and "
                         f"{len(theirs)} steps")
    worst = 0.0
    for step, (a, b) in enumerate(zip(ours, theirs)):
        a, b = list(a), list(b)
        shapes_a = [np.shape(x) for x in a]
        shapes_b = [np.shape(x) for x in b]
        if shapes_a != shapes_b:
            raise ValueError(f"step {step}: parameter shapes differ, {shapes_a} vs {shapes_b}")
        a = np.concatenate([np.ravel(x) for x in a]).astype(np.float64)
        b = np.concatenate([np.ravel(x) for x in b]).astype(np.float64)
        gap = float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30))
        if not np.isfinite(gap):
            return float("inf")   # a NaN in either run is as far apart as it gets
        worst = max(worst, gap)
    return worst


def random_problem(num_inputs, steps, seed, dtype):
    """Random starting parameters (w: num_inputs x 1, b: 1) and ``steps`` random gradients."""
    check_positive_int(num_inputs, "num_inputs")
    check_positive_int(steps, "steps")
    check_non_negative_int(seed, "seed")
    dtype = check_dtype(dtype)
    rng = np.random.default_rng(seed)
    params = [rng.normal(size=(num_inputs, 1)).astype(dtype), rng.normal(size=(1,)).astype(dtype)]
    grads = [[rng.normal(size=p.shape).astype(dtype) for p in params] for _ in range(steps)]
    return params, grads


def scratch_problem(trainer_fn, init_states, hyperparams, trainer_signature, steps, seed, dtype):
    """What every ``compare_with_*`` of both frameworks takes, checked, and the problem it runs.

    ``trainer_fn`` (described by ``trainer_signature`` in the error message) and
    ``init_states(feature_dim)`` are a chapter's hand-written update, as
    ``train_scratch`` takes them; ``hyperparams`` its hyperparameters.  Returns
    ``(start, grads, dtype)``: :func:`random_problem` with 5 inputs (which checks
    ``steps`` and ``seed``) and the resolved dtype.
    """
    from .training.airfoil import check_scratch_hyperparams

    check_callable(trainer_fn, "trainer_fn", trainer_signature)
    check_callable(init_states, "init_states", "init_states(feature_dim)")
    check_scratch_hyperparams(hyperparams)
    dtype = check_dtype(dtype)
    start, grads = random_problem(5, steps, seed, dtype)
    return start, grads, dtype


def reference_trace(rule, hyperparams, start, grads):
    """Parameters after every step of the NumPy reference ``rule`` fed a fixed gradient sequence.

    ``start`` is a list of parameter arrays, ``grads`` a list (one per step) of
    lists of gradient arrays, as :func:`random_problem` makes them.  Runs in
    float64 and returns a list (one per step) of lists of arrays, the form
    :func:`relative_gap` compares with a framework's trace.
    """
    from .optim.rules import resolve

    rule, hyperparams = resolve(rule, hyperparams)
    params = [np.array(p, dtype=np.float64) for p in start]
    states = [rule.init(p.shape) for p in params]
    trace = []
    for step_grads in grads:
        for p, g, s in zip(params, step_grads, states):
            rule.update(p, np.asarray(g, dtype=np.float64), s, hyperparams)
        trace.append([p.copy() for p in params])
    return trace
