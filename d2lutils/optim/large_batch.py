"""Layer-wise adaptive rates for large batches: LARS and LAMB, as rules of :data:`d2lutils.optim.RULES`.

Both scale each parameter tensor's step by a *trust ratio* of norms, computed per
tensor (per run, when runs are stacked along a leading axis):

* LARS (You, Gitman & Ginsburg 2017) in MXNet's form (``'lars'``):
  λ = η_L ‖w‖ / (‖g‖ + wd ‖w‖ + ε), or 1 if a norm is 0;
  v ← γ v + lr·λ (g + wd w), w ← w − v.
  (optax's ``lars`` takes ‖g + wd w‖ in the denominator instead.)
* LAMB (You et al. 2020) as MXNet's ``'lamb'`` and Keras's ``Lamb`` with wd = 0:
  Adam's bias-corrected moments give u = m̂ / (√v̂ + ε) + wd w,
  r = ‖w‖ / ‖u‖ (1 if a norm is 0), w ← w − lr r u.  The weight decay sits
  inside the trust ratio here (MXNet); Keras's ``weight_decay`` is decoupled.
"""
import numpy as np


def tensor_norm(a, axes):
    """‖a‖₂ over ``axes`` (``None``: the whole array), kept as a broadcastable array, in float64."""
    return np.sqrt(np.sum(np.square(a, dtype=np.float64), axis=axes, keepdims=True))


def trust_ratio(numerator, denominator):
    """``numerator / denominator`` where both are > 0, else 1 (the rule both papers use)."""
    both = (numerator > 0) & (denominator > 0)
    return np.where(both, numerator / np.where(both, denominator, 1.0), 1.0)


def init_layerwise(shape, stacked=False):
    """State of LARS or LAMB: momentum/moment buffers and the axes the norms run over.

    With ``stacked=True`` axis 0 indexes independent runs, and each run's tensor
    gets its own norm.
    """
    axes = tuple(range(1, len(shape))) if stacked else None
    return {"v": np.zeros(shape), "s": np.zeros(shape), "t": np.zeros(()), "axes": axes}


def lars(p, g, state, hp):
    """One LARS update of the tensor ``p`` in place (MXNet's rule, η inside the buffer)."""
    w_norm, g_norm = tensor_norm(p, state["axes"]), tensor_norm(g, state["axes"])
    ratio = trust_ratio(hp["eta"] * w_norm, g_norm + hp["weight_decay"] * w_norm + hp["eps"])
    v = state["v"]
    v *= hp["momentum"]
    v += hp["lr"] * ratio * (g + hp["weight_decay"] * p)
    p -= v


def lamb(p, g, state, hp):
    """One LAMB update of the tensor ``p`` in place (bias-corrected moments, per-tensor trust ratio)."""
    m, s, t = state["v"], state["s"], state["t"]
    b1, b2 = hp["beta1"], hp["beta2"]
    t += 1
    m *= b1
    m += (1 - b1) * g
    s *= b2
    s += (1 - b2) * g * g
    u = (m / (1 - b1 ** t)) / (np.sqrt(s / (1 - b2 ** t)) + hp["eps"]) + hp["weight_decay"] * p
    ratio = trust_ratio(tensor_norm(p, state["axes"]), tensor_norm(u, state["axes"]))
    p -= hp["lr"] * ratio * u
