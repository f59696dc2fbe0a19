"""Reference update rules in plain NumPy, and trajectories built from them.

Every rule is a pair ``init(shape) -> state`` and
``update(param, grad, state, hp)``.  ``update`` changes ``param`` and the arrays
in ``state`` *in place*, exactly like the from-scratch MXNet and TensorFlow code
in the chapters, so the three can be compared step by step.  Hyperparameter
names follow the book's equations: ``lr`` (η), ``momentum`` (γ of momentum),
``gamma`` (RMSProp), ``rho`` (AdaDelta), ``beta1``/``beta2`` (Adam), ``eps`` (ε).
"""
from typing import Callable, NamedTuple

import numpy as np


class Rule(NamedTuple):
    """An optimization algorithm: state factory, in-place update, defaults."""

    init: Callable
    update: Callable
    defaults: dict


def _zeros(*names):
    return lambda shape: {n: np.zeros(shape) for n in names}


def _sgd(p, g, state, hp):
    p -= hp["lr"] * g


def _momentum(p, g, state, hp):
    v = state["v"]
    v *= hp["momentum"]
    v += hp["lr"] * g          # v <- γ v + η g, updated in place
    p -= v


def _adagrad(p, g, state, hp):
    s = state["s"]
    s += g * g
    p -= hp["lr"] * g / np.sqrt(s + hp["eps"])


def _rmsprop(p, g, state, hp):
    s = state["s"]
    s *= hp["gamma"]
    s += (1 - hp["gamma"]) * g * g
    p -= hp["lr"] * g / np.sqrt(s + hp["eps"])


def _adadelta(p, g, state, hp):
    s, delta = state["s"], state["delta"]
    rho, eps = hp["rho"], hp["eps"]
    s *= rho
    s += (1 - rho) * g * g
    g_rescaled = np.sqrt(delta + eps) / np.sqrt(s + eps) * g
    p -= hp["lr"] * g_rescaled
    delta *= rho
    delta += (1 - rho) * g_rescaled * g_rescaled


def _adam_init(shape):
    return {"v": np.zeros(shape), "s": np.zeros(shape), "t": np.zeros(())}


def _adam(p, g, state, hp):
    """Adam as in Kingma & Ba (2015), Algorithm 1: ε added to sqrt(ŝ).

    With ``hp["eps_form"] == "framework"`` ε is added to sqrt(s) before the
    bias correction instead, the form MXNet and Keras implement.
    """
    v, s, t = state["v"], state["s"], state["t"]
    b1, b2 = hp["beta1"], hp["beta2"]
    t += 1
    v *= b1
    v += (1 - b1) * g
    s *= b2
    s += (1 - b2) * g * g
    c1, c2 = 1 - b1 ** t, 1 - b2 ** t
    if hp.get("eps_form", "paper") == "paper":
        p -= hp["lr"] * (v / c1) / (np.sqrt(s / c2) + hp["eps"])
    else:
        p -= hp["lr"] * np.sqrt(c2) / c1 * v / (np.sqrt(s) + hp["eps"])


def _nesterov(p, g, state, hp):
    """Nesterov momentum in the form Keras implements (``SGD(nesterov=True)``).

    v <- γ v + η g, then x <- x - (γ v + η g): the step looks ahead along the
    new velocity.  (Sutskever et al. 2013 write the same method with the
    gradient taken at the look-ahead point; the two agree after a change of
    variables.)
    """
    v = state["v"]
    v *= hp["momentum"]
    v += hp["lr"] * g
    p -= hp["momentum"] * v + hp["lr"] * g


def _amsgrad_init(shape):
    return {**_adam_init(shape), "s_max": np.zeros(shape)}


def _amsgrad(p, g, state, hp):
    """AMSGrad (Reddi et al. 2018) with Adam's bias correction, as Keras's ``Adam(amsgrad=True)``.

    Like :func:`_adam`, but the denominator uses the running *maximum* of s,
    so the effective per-coordinate step never grows.
    """
    v, s, s_max, t = state["v"], state["s"], state["s_max"], state["t"]
    b1, b2 = hp["beta1"], hp["beta2"]
    t += 1
    v *= b1
    v += (1 - b1) * g
    s *= b2
    s += (1 - b2) * g * g
    np.maximum(s_max, s, out=s_max)
    c1, c2 = 1 - b1 ** t, 1 - b2 ** t
    if hp.get("eps_form", "paper") == "paper":
        p -= hp["lr"] * (v / c1) / (np.sqrt(s_max / c2) + hp["eps"])
    else:
        p -= hp["lr"] * np.sqrt(c2) / c1 * v / (np.sqrt(s_max) + hp["eps"])


RULES = {
    "sgd": Rule(_zeros(), _sgd, {"lr": 0.1}),
    "momentum": Rule(_zeros("v"), _momentum, {"lr": 0.1, "momentum": 0.5}),
    "nesterov": Rule(_zeros("v"), _nesterov, {"lr": 0.1, "momentum": 0.5}),
    "adagrad": Rule(_zeros("s"), _adagrad, {"lr": 0.1, "eps": 1e-6}),
    "rmsprop": Rule(_zeros("s"), _rmsprop, {"lr": 0.01, "gamma": 0.9, "eps": 1e-6}),
    "adadelta": Rule(_zeros("s", "delta"), _adadelta, {"lr": 1.0, "rho": 0.9, "eps": 1e-5}),
    "adam": Rule(_adam_init, _adam, {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}),
    "amsgrad": Rule(_amsgrad_init, _amsgrad,
                    {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}),
}

_UNIT_INTERVAL = ("momentum", "gamma", "rho", "beta1", "beta2")


def resolve(rule, hp):
    """Return ``(Rule, hyperparameters)`` with defaults filled in and checked.

    ``rule`` is a name from :data:`RULES` or a :class:`Rule`.  Raises
    ``ValueError`` for an unknown name, an unknown hyperparameter, a negative
    learning rate or ε, or a decay rate outside [0, 1).  A hyperparameter may be
    a callable of the step number t = 1, 2, ... (a learning-rate schedule); it
    is checked when it is evaluated.
    """
    if isinstance(rule, str):
        if rule not in RULES:
            raise ValueError(f"unknown rule {rule!r}; expected one of {sorted(RULES)}")
        rule = RULES[rule]
    if not isinstance(rule, Rule):
        raise ValueError(f"rule must be a name from {sorted(RULES)} or a Rule, got {rule!r}")
    unknown = set(hp) - set(rule.defaults) - {"eps_form"}
    if unknown:
        raise ValueError(f"unknown hyperparameter(s) {sorted(unknown)}; "
                         f"this rule takes {sorted(rule.defaults)}")
    merged = {**rule.defaults, **hp}
    check_hyperparams(merged)
    return rule, merged


def check_hyperparams(hp):
    """Raise ``ValueError`` if a (non-callable) hyperparameter is out of range."""
    for name, value in hp.items():
        if callable(value) or name == "eps_form":
            continue
        if name in ("lr", "eps") and not value >= 0:
            raise ValueError(f"{name} must be non-negative, got {value!r}")
        if name in _UNIT_INTERVAL and not 0 <= value < 1:
            raise ValueError(f"{name} must lie in [0, 1), got {value!r}")
    if hp.get("eps_form", "paper") not in ("paper", "framework"):
        raise ValueError(f"eps_form must be 'paper' or 'framework', got {hp['eps_form']!r}")


class Trajectory(NamedTuple):
    """Points visited by an optimizer; ``diverged`` is True if it blew up."""

    points: np.ndarray
    diverged: bool


def trajectory(rule, grad, x0, steps, bound=1e6, **hp):
    """Run ``steps`` updates of ``rule`` from ``x0`` on the gradient ``grad``.

    ``grad(x)`` returns the gradient at the NumPy array ``x`` (it may add noise
    for SGD).  Returns a :class:`Trajectory` whose ``points`` has shape
    ``(k + 1, dim)``.  The run stops early, with ``diverged=True``, as soon as a
    coordinate leaves ``[-bound, bound]`` or stops being finite, so a too-large
    learning rate never overflows.
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    x = np.atleast_1d(np.array(x0, dtype=float))
    if x.ndim != 1:
        raise ValueError(f"x0 must be a scalar or a 1-D point, got shape {x.shape}")
    rule, hp = resolve(rule, hp)
    state = rule.init(x.shape)
    points = [x.copy()]
    for t in range(1, steps + 1):
        hp_t = {k: (v(t) if callable(v) else v) for k, v in hp.items()}
        check_hyperparams(hp_t)
        rule.update(x, np.asarray(grad(x.copy()), dtype=float), state, hp_t)
        if not np.all(np.isfinite(x)) or np.max(np.abs(x)) > bound:
            return Trajectory(np.array(points), True)
        points.append(x.copy())
    return Trajectory(np.array(points), False)


def train_2d(rule, grad, x0=(-5.0, -2.0), steps=20, **hp):
    """Run ``rule`` on a function of two variables and return its :class:`Trajectory`.

    A 2-D convenience form of :func:`trajectory` for the contour plots of
    :func:`d2lutils.show_trace_2d`: ``x0`` must be a point ``(x1, x2)``.
    """
    x0 = np.asarray(x0, dtype=float)
    if x0.shape != (2,):
        raise ValueError(f"train_2d needs a 2-D start point (x1, x2), got shape {x0.shape}")
    return trajectory(rule, grad, x0, steps, **hp)


def newton_trajectory(fn, x0, steps, lr=1.0, bound=1e6):
    """Newton's method x <- x - lr * H(x)^{-1} ∇f(x) on a :class:`~d2lutils.functions.TestFunction`.

    ``lr`` < 1 is the damped method.  Stops with ``diverged=True`` when a
    coordinate leaves ``[-bound, bound]``, stops being finite, or the Hessian
    is singular.  Newton's method needs no state, so it is not one of
    :data:`RULES` (which see only gradients).
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    if not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr must be a finite number > 0, got {lr!r}")
    x = np.atleast_1d(np.array(x0, dtype=float))
    points = [x.copy()]
    for _ in range(steps):
        try:
            x = x - lr * np.linalg.solve(fn.hess(x), fn.grad(x))
        except np.linalg.LinAlgError:
            return Trajectory(np.array(points), True)
        if not np.all(np.isfinite(x)) or np.max(np.abs(x)) > bound:
            return Trajectory(np.array(points), True)
        points.append(x.copy())
    return Trajectory(np.array(points), False)
