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

from ..validation import (check_callable, check_dict, check_non_negative_int, check_scalar,
                         check_unit_interval)


class Rule(NamedTuple):
    """An optimization algorithm: state factory, in-place update, defaults.

    ``options`` names the non-numeric switches the update reads (Adam's
    ``eps_form``); any other rule refuses them instead of ignoring them.
    """

    init: Callable
    update: Callable
    defaults: dict
    options: tuple = ()


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


def _adam_moments(g, state, hp):
    """Advance Adam's step count and moments v, s in place; return the corrections 1 - β^t."""
    v, s, t = state["v"], state["s"], state["t"]
    b1, b2 = hp["beta1"], hp["beta2"]
    t += 1
    v *= b1
    v += (1 - b1) * g
    s *= b2
    s += (1 - b2) * g * g
    return 1 - b1 ** t, 1 - b2 ** t


def _adam_step(p, v, s, c1, c2, hp):
    """p -= the bias-corrected Adam step for first moment v and second moment s."""
    if hp.get("eps_form", "paper") == "paper":
        p -= hp["lr"] * (v / c1) / (np.sqrt(s / c2) + hp["eps"])
    else:
        p -= hp["lr"] * np.sqrt(c2) / c1 * v / (np.sqrt(s) + hp["eps"])


def _adam(p, g, state, hp):
    """Adam as in Kingma & Ba (2015), Algorithm 1: ε added to sqrt(ŝ).

    With ``hp["eps_form"] == "framework"`` ε is added to sqrt(s) before the
    bias correction instead, the form MXNet and Keras implement.
    """
    c1, c2 = _adam_moments(g, state, hp)
    _adam_step(p, state["v"], state["s"], c1, c2, hp)


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
    c1, c2 = _adam_moments(g, state, hp)
    np.maximum(state["s_max"], state["s"], out=state["s_max"])
    _adam_step(p, state["v"], state["s_max"], c1, c2, hp)


RULES = {
    "sgd": Rule(_zeros(), _sgd, {"lr": 0.1}),
    "momentum": Rule(_zeros("v"), _momentum, {"lr": 0.1, "momentum": 0.5}),
    "nesterov": Rule(_zeros("v"), _nesterov, {"lr": 0.1, "momentum": 0.5}),
    "adagrad": Rule(_zeros("s"), _adagrad, {"lr": 0.1, "eps": 1e-6}),
    "rmsprop": Rule(_zeros("s"), _rmsprop, {"lr": 0.01, "gamma": 0.9, "eps": 1e-6}),
    "adadelta": Rule(_zeros("s", "delta"), _adadelta, {"lr": 1.0, "rho": 0.9, "eps": 1e-5}),
    "adam": Rule(_adam_init, _adam, {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
                 ("eps_form",)),
    "amsgrad": Rule(_amsgrad_init, _amsgrad,
                    {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}, ("eps_form",)),
}

_UNIT_INTERVAL = ("momentum", "gamma", "rho", "beta1", "beta2")
_NON_NEGATIVE = ("lr", "eps")
_EPS_FORMS = ("paper", "framework")


def resolve(rule, hp):
    """Return ``(Rule, hyperparameters)`` with defaults filled in and checked.

    ``rule`` is a name from :data:`RULES` or a :class:`Rule`.  Raises
    ``ValueError`` for an unknown name, an unknown hyperparameter (``eps_form``
    is known only to the rules that read it: Adam and AMSGrad), a learning rate
    or ε that is negative or not finite, or a decay rate outside [0, 1), and
    ``TypeError`` for a value that is not a number.  A hyperparameter may be a
    callable of the step number t = 1, 2, ... (a learning-rate schedule); it is
    checked when it is evaluated.
    """
    if isinstance(rule, str):
        if rule not in RULES:
            raise ValueError(f"unknown rule {rule!r}; expected one of {sorted(RULES)}")
        rule = RULES[rule]
    if not isinstance(rule, Rule):
        raise TypeError(f"rule must be a name from {sorted(RULES)} or a Rule, got {rule!r}")
    check_dict(hp, "hyperparameters")
    unknown = set(hp) - set(rule.defaults) - set(rule.options)
    if unknown:
        takes = sorted(rule.defaults) + sorted(rule.options)
        raise ValueError(f"unknown hyperparameter(s) {sorted(unknown)}; this rule takes {takes}")
    merged = {**rule.defaults, **hp}
    check_hyperparams(merged)
    return rule, merged


def check_hyperparams(hp):
    """Check the book's hyperparameters in ``hp`` (a dict); other names are left alone.

    ``lr`` and ``eps`` must be finite and >= 0; ``momentum``, ``gamma``, ``rho``,
    ``beta1`` and ``beta2`` must lie in [0, 1); ``eps_form`` must be ``"paper"``
    or ``"framework"``.  Callables (schedules) are skipped.  Raises
    ``TypeError`` for a non-number and ``ValueError`` for a bad value.
    """
    for name, value in hp.items():
        if callable(value):
            continue
        if name in _NON_NEGATIVE:
            check_scalar(value, name, min_val=0)
        elif name in _UNIT_INTERVAL:
            check_unit_interval(value, name)
        elif name == "eps_form" and value not in _EPS_FORMS:
            raise ValueError(f"eps_form must be 'paper' or 'framework', got {value!r}")
    return hp


def _check_point(x0, name="x0"):
    x = np.atleast_1d(np.asarray(x0))
    if x.dtype.kind not in "biuf" or x.dtype == bool:
        raise TypeError(f"{name} must be a number or a sequence of numbers, got {x0!r}")
    x = x.astype(float)
    if x.ndim != 1:
        raise ValueError(f"{name} must be a scalar or a 1-D point, got shape {x.shape}")
    if x.size == 0 or not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must hold at least one coordinate, all finite, got {x0!r}")
    return x


def _gradient(grad, x):
    """``grad(x)`` as a float array of the point's shape (a scalar only for a 1-D point)."""
    g = np.asarray(grad(x.copy()), dtype=float)
    if g.shape != x.shape and not (g.shape == () and x.shape == (1,)):
        raise ValueError(f"grad(x) must return an array of the point's shape {x.shape}, got "
                         f"shape {g.shape}: a {x.size}-D point needs one partial derivative "
                         "per coordinate")
    return g.reshape(x.shape)


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
    check_callable(grad, "grad", "grad(x) returning the gradient at the point x")
    check_non_negative_int(steps, "steps")
    check_scalar(bound, "bound", min_val=0, include_boundaries="neither")
    x = _check_point(x0)
    rule, hp = resolve(rule, hp)
    state = rule.init(x.shape)
    points = [x.copy()]
    for t in range(1, steps + 1):
        hp_t = {k: (v(t) if callable(v) else v) for k, v in hp.items()}
        check_hyperparams(hp_t)
        rule.update(x, _gradient(grad, x), state, hp_t)
        if not np.all(np.isfinite(x)) or np.max(np.abs(x)) > bound:
            return Trajectory(np.array(points), True)
        points.append(x.copy())
    return Trajectory(np.array(points), False)


def train_2d(rule, grad, x0=(-5.0, -2.0), steps=20, **hp):
    """Run ``rule`` on a function of two variables and return its :class:`Trajectory`.

    A 2-D convenience form of :func:`trajectory` for the contour plots of
    :func:`d2lutils.show_trace_2d`: ``x0`` must be a point ``(x1, x2)``.
    """
    x0 = _check_point(x0)
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
    check_non_negative_int(steps, "steps")
    check_scalar(lr, "lr", min_val=0, include_boundaries="right")
    check_scalar(bound, "bound", min_val=0, include_boundaries="neither")
    for method in ("grad", "hess"):
        if not callable(getattr(fn, method, None)):
            raise TypeError(f"fn must have .grad(x) and .hess(x) (a d2lutils.functions "
                            f"TestFunction), got {fn!r}")
    x = _check_point(x0)
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
