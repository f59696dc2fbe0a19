"""Layer-wise adaptive rates for large batches: LARS and LAMB, NumPy reference rules.

Both work on a list of parameter arrays (one entry per layer tensor) and scale
each tensor's step by a *trust ratio* ‖w‖ / ‖step‖.  They are written to match
the frameworks' built-ins exactly (checked in the large-batch chapter):

* LARS (You, Gitman & Ginsburg 2017), as MXNet's ``'lars'`` optimizer:
  λ = η_lars ‖w‖ / (‖g‖ + wd ‖w‖ + ε) (λ = 1 if a norm is 0),
  v ← γ v − lr λ (g + wd w), w ← w + v.
* LAMB (You et al. 2020), as MXNet's ``'lamb'`` and Keras's ``Lamb`` (wd = 0):
  Adam's bias-corrected moments give u = m̂ / (√v̂ + ε) + wd w,
  r = ‖w‖ / ‖u‖ (1 if a norm is 0), w ← w − lr r u.
"""
import numpy as np

from ..validation import check_positive_int, check_scalar


def _norm(a):
    return float(np.sqrt(np.sum(np.square(a, dtype=np.float64))))


def trust_ratio(numerator, denominator):
    """``numerator / denominator``, or 1 when either is 0 (the rule both papers use)."""
    if numerator > 0 and denominator > 0:
        return numerator / denominator
    return 1.0


def init_lars(params):
    """Momentum buffers for :func:`lars_step` (zeros like each parameter)."""
    return [np.zeros_like(p) for p in params]


def lars_step(params, grads, velocities, lr, momentum=0.9, eta=0.001, wd=0.0, eps=0.0,
              skip=()):
    """One LARS update in place.  ``skip``: indices of tensors (e.g. biases) that get plain lr."""
    check_scalar(lr, "lr", min_val=0)
    for i, (w, g, v) in enumerate(zip(params, grads, velocities)):
        local = lr
        if i not in skip:
            w_norm, g_norm = _norm(w), _norm(g)
            local = lr * (eta * w_norm / (g_norm + wd * w_norm + eps)
                          if w_norm > 0 and g_norm > 0 else 1.0)
        v *= momentum
        v -= local * (g + wd * w)
        w += v


def init_lamb(params):
    """LAMB state: first and second moments per tensor and the step count."""
    return {"m": [np.zeros_like(p) for p in params], "v": [np.zeros_like(p) for p in params],
            "t": 0}


def lamb_step(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-6, wd=0.0):
    """One LAMB update in place (bias-corrected moments, per-tensor trust ratio)."""
    check_scalar(lr, "lr", min_val=0)
    state["t"] += 1
    t = state["t"]
    for w, g, m, v in zip(params, grads, state["m"], state["v"]):
        m *= beta1
        m += (1 - beta1) * g
        v *= beta2
        v += (1 - beta2) * g * g
        u = (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps) + wd * w
        w -= lr * trust_ratio(_norm(w), _norm(u)) * u


def train_digits(params, data, batch_size, num_epochs, step, seed=0):
    """Train the NumPy MLP of :mod:`d2lutils.twolayer_net` in place on ``data`` (:class:`~d2lutils.digits.Digits`).

    Every epoch shuffles the training set (generator seeded by ``seed``) and cuts
    it into minibatches of ``batch_size`` (the last may be smaller); the caller's
    ``step(params, grads, t)`` updates the parameters in place at update
    t = 1, 2, ...  Returns ``{"loss", "test_acc", "updates"}``: full training loss,
    test accuracy and update count before training and after every epoch.  Once
    the loss is not finite the run counts as diverged: loss ``inf`` from then on.
    """
    from ..models import twolayer_net as mlp  # noqa: PLC0415  (kept local: only needed here)

    check_positive_int(batch_size, "batch_size")
    check_positive_int(num_epochs, "num_epochs")
    X, y = data.X_train, data.y_train

    def record(hist, t):
        with np.errstate(all="ignore"):
            value = float(mlp.mlp_loss(params, X, y))
        diverged = not np.isfinite(value) or (hist["loss"] and not np.isfinite(hist["loss"][-1]))
        hist["loss"].append(np.inf if diverged else value)
        if diverged:
            hist["test_acc"].append(float("nan"))
        else:
            scores = mlp.mlp_scores(params, data.X_test)
            hist["test_acc"].append(float(np.mean(scores.argmax(axis=1) == data.y_test)))
        hist["updates"].append(t)

    rng = np.random.default_rng(seed)
    hist, t = {"loss": [], "test_acc": [], "updates": []}, 0
    record(hist, t)
    for _ in range(num_epochs):
        order = rng.permutation(len(y))
        for start in range(0, len(y), batch_size):
            idx = order[start:start + batch_size]
            with np.errstate(all="ignore"):
                _, grads = mlp.mlp_loss_grad(params, X[idx], y[idx])
            t += 1
            step(params, grads, t)
        record(hist, t)
    return hist
