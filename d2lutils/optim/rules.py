"""The one registry of the book's update rules, in plain NumPy, and trajectories built from them.

Every rule is a pair ``init(shape) -> state`` and
``update(param, grad, state, hp)``.  ``update`` changes ``param`` and the arrays
in ``state`` *in place*, exactly like the from-scratch MXNet and TensorFlow code
in the chapters, so the three can be compared step by step.  Hyperparameter
names follow the book's equations: ``lr`` (η), ``momentum`` (γ of momentum),
``gamma`` (RMSProp), ``rho`` (AdaDelta), ``beta1``/``beta2`` (Adam), ``eps`` (ε),
``weight_decay`` (λ of AdamW, LARS and LAMB).

:data:`RULES` holds every rule the book trains with: the chapters' SGD, momentum,
Nesterov, AdaGrad, RMSProp, AdaDelta, Adam, AMSGrad, Yogi and AdaMax, the AdamW and
Nadam of the network chapter, and the layer-wise LARS and LAMB of the large-batch chapter
(:mod:`d2lutils.optim.large_batch`).  The chapters, the benchmark, the playground's
fixtures and the tests all take their rules from here.

A learning rate (or any hyperparameter) may be a schedule: a function of the
number ``t = 0, 1, 2, ...`` of updates already applied, the convention of
:mod:`d2lutils.optim.schedules` and of Keras.

Where the frameworks differ, the convention is stated at the rule: η inside the
momentum buffer (Keras, MXNet; PyTorch and optax multiply after the buffer), ε inside
the square root for AdaGrad and RMSProp (MXNet, Keras; PyTorch adds it outside),
Adam's ε in the paper's place unless ``eps_form="framework"``.
"""
from typing import Callable, NamedTuple

import numpy as np

from . import large_batch
from ..validation import (check_callable, check_dict, check_non_negative_int, check_scalar,
                         check_unit_interval)


class Rule(NamedTuple):
    """An optimization algorithm: state factory, in-place update, defaults.

    ``options`` names the non-numeric switches the update reads (Adam's
    ``eps_form``); any other rule refuses them instead of ignoring them.
    A ``layerwise`` rule (LARS, LAMB) scales each parameter tensor by a ratio of
    norms; its ``init(shape, stacked=False)`` takes ``stacked=True`` when the
    tensor carries a leading axis of independent runs, so the norms are taken
    per run.
    """

    init: Callable
    update: Callable
    defaults: dict
    options: tuple = ()
    layerwise: bool = False


def _zeros(*names):
    return lambda shape: {n: np.zeros(shape) for n in names}


def _sgd(p, g, state, hp):
    p -= hp["lr"] * g


def _momentum(p, g, state, hp):
    """Heavy ball with η inside the buffer (Keras, MXNet): v ← γv + ηg, x ← x − v.

    PyTorch and optax keep v ← γv + g and step x ← x − ηv: the same iterates for a
    constant η, different ones (4-5 % apart in the book's tests) under a schedule.
    """
    v = state["v"]
    v *= hp["momentum"]
    v += hp["lr"] * g          # v <- γ v + η g, updated in place
    p -= v


def _adagrad(p, g, state, hp):
    """ε inside the square root, as MXNet and Keras (PyTorch adds ε to √s instead)."""
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
    """Adam's state plus the running maximum of s."""
    return {**_adam_init(shape), "s_max": np.zeros(shape)}


def _amsgrad(p, g, state, hp):
    """AMSGrad (Reddi et al. 2018) with Adam's bias correction, as Keras's ``Adam(amsgrad=True)``.

    Like :func:`_adam`, but the denominator uses the running *maximum* of the raw
    s, then bias-corrects it (Keras, PyTorch).  optax takes the maximum of the
    corrected ŝ instead, and Reddi et al.'s algorithm has no bias correction at
    all; only without the correction is the effective step α/√ŝ_max guaranteed
    never to grow.
    """
    c1, c2 = _adam_moments(g, state, hp)
    np.maximum(state["s_max"], state["s"], out=state["s_max"])
    _adam_step(p, state["v"], state["s_max"], c1, c2, hp)


def _adamw(p, g, state, hp):
    """AdamW (Loshchilov & Hutter 2019) as Keras ``AdamW``: decay first, then Adam.

    x ← x − η·λ·x (decoupled weight decay, λ = ``weight_decay``), then an Adam
    step with ε added to √s (Keras's form).  Keras multiplies the decay by the
    learning rate η; the paper multiplies it by the schedule multiplier only,
    which is what makes λ's best value less dependent on η.
    """
    p -= hp["lr"] * hp["weight_decay"] * p
    _adam(p, g, state, {**hp, "eps_form": "framework"})


def _nadam_init(shape):
    """Nadam's moments, step count and the running product of the momentum schedule."""
    return {"m": np.zeros(shape), "s": np.zeros(shape), "t": np.zeros(()),
            "mu_product": np.ones(())}


def _nadam(p, g, state, hp):
    """Nadam (Dozat 2016): Adam with a Nesterov look-ahead and a warming momentum schedule.

    μ_t = β1(1 − ½·0.96^(t·d)) with d = ``schedule_decay``: d = 0.004 is Dozat's
    0.96^(t/250) (MXNet, PyTorch), d = 1 is Keras's (μ_1 = 0.47, μ_100 = 0.89).
    The first moment is corrected with the running product of the μ's, and the
    current gradient enters with weight 1 − μ_t.
    """
    m, s, t, mu_prod = state["m"], state["s"], state["t"], state["mu_product"]
    b1, b2, d = hp["beta1"], hp["beta2"], hp["schedule_decay"]
    t += 1
    mu_t = b1 * (1 - 0.5 * 0.96 ** (t * d))
    mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * d))
    mu_prod *= mu_t
    m *= b1
    m += (1 - b1) * g
    s *= b2
    s += (1 - b2) * g * g
    m_hat = mu_next * m / (1 - mu_prod * mu_next) + (1 - mu_t) * g / (1 - mu_prod)
    p -= hp["lr"] * m_hat / (np.sqrt(s / (1 - b2 ** t)) + hp["eps"])


def _yogi(p, g, state, hp):
    """Yogi (Zaheer et al. 2018): Adam with an additive second-moment update.

    s ← s − (1 − β2)·sign(s − g²)·g²: s moves towards g² by at most (1 − β2)·g² per
    step, so after a large gradient it shrinks slowly (Adam's s shrinks by the factor β2
    every step).  Everything else is Adam's Algorithm 1 (:func:`_adam`): s starts at 0,
    both moments are bias-corrected, ε is added to sqrt(ŝ).  optax and TensorFlow
    Addons start s at 1e-6 instead (and the latter puts ε on the uncorrected sqrt(s)).
    """
    v, s, t = state["v"], state["s"], state["t"]
    b1, b2 = hp["beta1"], hp["beta2"]
    t += 1
    v *= b1
    v += (1 - b1) * g
    g2 = g * g
    s -= (1 - b2) * np.sign(s - g2) * g2
    _adam_step(p, v, s, 1 - b1 ** t, 1 - b2 ** t, hp)


def _adamax_init(shape):
    return {"v": np.zeros(shape), "u": np.zeros(shape), "t": np.zeros(())}


def _adamax(p, g, state, hp):
    """AdaMax (Kingma & Ba 2015, §7.1): Adam with the ∞-norm, u ← max(β2·u, |g|).

    x ← x − η/(1 − β1^t) · v/(u + ε).  u needs no bias correction.  The paper and
    MXNet's ``adamax`` have no ε (ε = 0); Keras's ``Adamax`` adds ε to u.
    """
    v, u, t = state["v"], state["u"], state["t"]
    b1 = hp["beta1"]
    t += 1
    v *= b1
    v += (1 - b1) * g
    np.maximum(hp["beta2"] * u, np.abs(g), out=u)
    p -= hp["lr"] / (1 - b1 ** t) * v / (u + hp["eps"])


_ADAM_DEFAULTS = {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}

RULES = {
    "sgd": Rule(_zeros(), _sgd, {"lr": 0.1}),
    "momentum": Rule(_zeros("v"), _momentum, {"lr": 0.1, "momentum": 0.5}),
    "nesterov": Rule(_zeros("v"), _nesterov, {"lr": 0.1, "momentum": 0.5}),
    "adagrad": Rule(_zeros("s"), _adagrad, {"lr": 0.1, "eps": 1e-6}),
    "rmsprop": Rule(_zeros("s"), _rmsprop, {"lr": 0.01, "gamma": 0.9, "eps": 1e-6}),
    "adadelta": Rule(_zeros("s", "delta"), _adadelta, {"lr": 1.0, "rho": 0.9, "eps": 1e-5}),
    "adam": Rule(_adam_init, _adam, dict(_ADAM_DEFAULTS), ("eps_form",)),
    "amsgrad": Rule(_amsgrad_init, _amsgrad, dict(_ADAM_DEFAULTS), ("eps_form",)),
    "adamw": Rule(_adam_init, _adamw, {**_ADAM_DEFAULTS, "eps": 1e-7, "weight_decay": 0.004}),
    "nadam": Rule(_nadam_init, _nadam, {**_ADAM_DEFAULTS, "eps": 1e-7, "schedule_decay": 0.004}),
    "yogi": Rule(_adam_init, _yogi, {**_ADAM_DEFAULTS, "eps": 1e-3}),
    "adamax": Rule(_adamax_init, _adamax, {"lr": 0.002, "beta1": 0.9, "beta2": 0.999, "eps": 1e-7}),
    "lars": Rule(large_batch.init_layerwise, large_batch.lars,
                 {"lr": 0.1, "momentum": 0.9, "eta": 0.001, "weight_decay": 0.0, "eps": 0.0},
                 layerwise=True),
    "lamb": Rule(large_batch.init_layerwise, large_batch.lamb,
                 {**_ADAM_DEFAULTS, "eps": 1e-6, "weight_decay": 0.0}, layerwise=True),
}

_UNIT_INTERVAL = ("momentum", "gamma", "rho", "beta1", "beta2")
_NON_NEGATIVE = ("lr", "eps", "weight_decay")
_POSITIVE = ("eta", "schedule_decay")
_EPS_FORMS = ("paper", "framework")


def resolve(rule, hp):
    """Return ``(Rule, hyperparameters)`` with defaults filled in and checked.

    ``rule`` is a name from :data:`RULES` or a :class:`Rule`.  Raises
    ``ValueError`` for an unknown name, an unknown hyperparameter (``eps_form``
    is known only to the rules that read it: Adam and AMSGrad), a learning rate
    or ε that is negative or not finite, or a decay rate outside [0, 1), and
    ``TypeError`` for a value that is not a number.  A hyperparameter may be a
    callable of the number t = 0, 1, 2, ... of updates already applied (a
    learning-rate schedule); it is checked when it is evaluated.
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

    ``lr``, ``eps`` and ``weight_decay`` must be finite and >= 0; ``eta`` and
    ``schedule_decay`` finite and > 0; ``momentum``, ``gamma``, ``rho``,
    ``beta1`` and ``beta2`` must lie in [0, 1); ``eps_form`` must be ``"paper"``
    or ``"framework"``.  Callables (schedules) are skipped; arrays (one value per
    stacked run) are checked entry by entry.  Raises ``TypeError`` for a
    non-number and ``ValueError`` for a bad value.
    """
    for name, value in hp.items():
        if callable(value):
            continue
        if isinstance(value, np.ndarray):
            for v in value.ravel().tolist():
                check_hyperparams({name: v})
            continue
        if name in _NON_NEGATIVE:
            check_scalar(value, name, min_val=0)
        elif name in _POSITIVE:
            check_scalar(value, name, min_val=0, include_boundaries="neither")
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
    for t in range(steps):        # t updates already applied, as in d2lutils.optim.schedules
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
