"""Small pieces shared by the MXNet and TensorFlow modules (no framework imports)."""
import numpy as np

from .optim import check_hyperparams
from .plot import plot_losses, set_figsize


def init_linear_params(num_inputs, seed=0):
    """Initial weights of the airfoil linear model: w ~ N(0, 0.01²), b = 0.

    Drawn with NumPy so that MXNet and TensorFlow start from the same point.
    """
    rng = np.random.default_rng(seed)
    w = rng.normal(0.0, 0.01, size=(num_inputs, 1)).astype(np.float32)
    b = np.zeros(1, dtype=np.float32)
    return w, b


def check_data(features, labels):
    """Validate the airfoil arrays: features (n, d), labels (n,)."""
    features, labels = np.asarray(features), np.asarray(labels)
    if features.ndim != 2:
        raise ValueError(f"features must have shape (n, d), got {features.shape}")
    if labels.shape != (features.shape[0],):
        raise ValueError(f"labels must have shape ({features.shape[0]},), got {labels.shape}")
    return features.astype(np.float32), labels.astype(np.float32)


def check_scratch_hyperparams(hyperparams):
    """Check a from-scratch hyperparameter dict and return a frozen copy."""
    if not isinstance(hyperparams, dict):
        raise ValueError(f"hyperparams must be a dict, got {type(hyperparams).__name__}")
    check_hyperparams(hyperparams)
    return dict(hyperparams)


def check_unchanged(before, hyperparams):
    """Refuse an update function that mutated its hyperparameters."""
    if before != hyperparams:
        raise ValueError("the update function changed `hyperparams`; keep values that "
                         "change between steps (such as Adam's step count t) in `states`")


def report(result, show):
    """Print the summary line and plot the loss curve when ``show`` is True."""
    if show:
        print(result.summary())
        set_figsize()
        plot_losses(result)
    return result


def relative_gap(ours, theirs):
    """Largest relative difference ``|ours - theirs| / |theirs|`` over a run.

    Both arguments are lists (one per step) of lists of arrays (one per
    parameter); the norm is taken over all parameters of a step.
    """
    worst = 0.0
    for a, b in zip(ours, theirs):
        a = np.concatenate([np.ravel(x) for x in a])
        b = np.concatenate([np.ravel(x) for x in b])
        worst = max(worst, float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30)))
    return worst


def random_problem(num_inputs, steps, seed, dtype):
    """Random starting parameters and a fixed sequence of gradients."""
    rng = np.random.default_rng(seed)
    params = [rng.normal(size=(num_inputs, 1)).astype(dtype), rng.normal(size=(1,)).astype(dtype)]
    grads = [[rng.normal(size=p.shape).astype(dtype) for p in params] for _ in range(steps)]
    return params, grads
