"""Argument checks for the public functions of d2lutils, in one place.

Every public function checks its arguments on entry with these helpers, so a
mistake fails at once with a message that says what was expected, instead of
a NaN loss or an obscure error deep inside a framework.  The style follows
scikit-learn's ``check_scalar``: a wrong *type* raises ``TypeError``, a value
of the right type that is not finite or out of range raises ``ValueError``.
``bool`` is never accepted as a number (``True`` is an ``int`` in Python, but
``lr=True`` is a mistake).
"""
import math
import numbers

import numpy as np

_TYPE_NAMES = {numbers.Real: "a real number", numbers.Integral: "an integer"}


def _type_name(target_type):
    if isinstance(target_type, tuple):
        return " or ".join(_type_name(t) for t in target_type)
    return _TYPE_NAMES.get(target_type, f"a {target_type.__name__}")


def _bound_text(name, min_val, max_val, include_boundaries):
    low_closed = include_boundaries in ("left", "both")
    high_closed = include_boundaries in ("right", "both")
    if min_val is not None and max_val is not None:
        return (f"{name} must lie in {'[' if low_closed else '('}{min_val:g}, "
                f"{max_val:g}{']' if high_closed else ')'}")
    if min_val is not None:
        if min_val == 0:
            return f"{name} must be {'non-negative' if low_closed else 'positive'}"
        return f"{name} must be {'>=' if low_closed else '>'} {min_val:g}"
    return f"{name} must be {'<=' if high_closed else '<'} {max_val:g}"


def check_scalar(x, name, target_type=numbers.Real, *, min_val=None, max_val=None,
                 include_boundaries="both", finite=True):
    """Check that ``x`` is a number of ``target_type``, finite, within the bounds; return it.

    ``include_boundaries`` is ``"both"``, ``"left"``, ``"right"`` or
    ``"neither"`` (whether ``min_val`` / ``max_val`` themselves are allowed).
    Raises ``TypeError`` for a wrong type (including ``bool``) and
    ``ValueError`` for NaN, ±inf or a value out of range.
    """
    if include_boundaries not in ("both", "left", "right", "neither"):
        raise ValueError(f"include_boundaries must be 'both', 'left', 'right' or 'neither', "
                         f"got {include_boundaries!r}")
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, target_type):
        raise TypeError(f"{name} must be {_type_name(target_type)}, "
                        f"got {type(x).__name__} {x!r}")
    if finite and not math.isfinite(x):
        raise ValueError(f"{name} must be a finite number, got {x!r}")
    low_closed = include_boundaries in ("left", "both")
    high_closed = include_boundaries in ("right", "both")
    too_low = min_val is not None and (x < min_val if low_closed else x <= min_val)
    too_high = max_val is not None and (x > max_val if high_closed else x >= max_val)
    if too_low or too_high:
        raise ValueError(f"{_bound_text(name, min_val, max_val, include_boundaries)}, got {x!r}")
    return x


def check_positive_int(x, name):
    """An integer >= 1 (a size, a count of epochs); ``TypeError`` for 2.0 or True."""
    return check_scalar(x, name, numbers.Integral, min_val=0, include_boundaries="right")


def check_non_negative_int(x, name):
    """An integer >= 0 (a number of steps, a seed)."""
    return check_scalar(x, name, numbers.Integral, min_val=0)


def check_unit_interval(x, name):
    """A decay rate or momentum in [0, 1): 0 is allowed (no averaging), 1 is not."""
    return check_scalar(x, name, min_val=0, max_val=1, include_boundaries="left")


def check_bool(x, name):
    """``True`` or ``False`` (NumPy booleans too)."""
    if not isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(x).__name__} {x!r}")
    return bool(x)


def check_callable(x, name, signature=""):
    """A function; ``signature`` (e.g. ``"f(x)"``) is shown in the message."""
    if not callable(x):
        what = f" {signature}" if signature else ""
        raise TypeError(f"{name} must be a function{what}, got {type(x).__name__} {x!r}")
    return x


def check_dict(x, name, example=""):
    """A ``dict`` (of hyperparameters, say)."""
    if not isinstance(x, dict):
        hint = f", e.g. {example}" if example else ""
        raise TypeError(f"{name} must be a dict{hint}, got {type(x).__name__} {x!r}")
    return x


def check_rng(rng, name="rng"):
    """A ``numpy.random.Generator`` (seeds are not accepted where a generator is expected)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{name} must be a numpy.random.Generator, e.g. np.random.default_rng(0), "
                        f"got {type(rng).__name__} {rng!r}")
    return rng


def check_numbers(values, name, *, min_length=1, **bounds):
    """A non-empty sequence of finite real numbers (each checked with :func:`check_scalar`)."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{name} must be a sequence of numbers, got {type(values).__name__} "
                        f"{values!r}")
    values = list(values)
    if len(values) < min_length:
        raise ValueError(f"{name} must hold at least {min_length} value(s), got {values!r}")
    for i, v in enumerate(values):
        check_scalar(v, f"{name}[{i}]", **bounds)
    return values


def check_figsize(figsize, name="figsize"):
    """Two finite positive numbers (width, height) in inches; returned as a tuple of floats."""
    expected = f"{name} must be two positive finite numbers (width, height) in inches"
    if isinstance(figsize, (str, bytes)) or not hasattr(figsize, "__len__") or len(figsize) != 2:
        raise ValueError(f"{expected}, got {figsize!r}")
    for v in figsize:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
            raise TypeError(f"{expected}, got {figsize!r}")
        if not math.isfinite(v) or v <= 0:
            raise ValueError(f"{expected}, got {figsize!r}")
    return (float(figsize[0]), float(figsize[1]))


def check_same_structure(arrays, like, name, like_name="the parameters"):
    """A list with one array per entry of ``like``, each of the same shape; returned as a list.

    Used wherever a direction, a vector or a gradient must match a list of
    parameter tensors (Hessian–vector products, landscape slices, update rules).
    Works with NumPy arrays and framework tensors alike (anything with ``.shape``).
    """
    if isinstance(arrays, (str, bytes)) or not hasattr(arrays, "__iter__"):
        raise TypeError(f"{name} must be a list of arrays, got {type(arrays).__name__}")
    arrays, like = list(arrays), list(like)
    if len(arrays) != len(like) or not like:
        raise ValueError(f"{name} must hold one array per entry of {like_name}: expected "
                         f"{len(like)}, got {len(arrays)}")
    for i, (a, p) in enumerate(zip(arrays, like)):
        if tuple(np.shape(a)) != tuple(np.shape(p)):
            raise ValueError(f"{name}[{i}] has shape {tuple(np.shape(a))}, expected "
                             f"{tuple(np.shape(p))} (the shape of {like_name}[{i}])")
    return arrays


def check_square_matrix(matrix, name):
    """A finite square 2-D array, returned as float64."""
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {matrix.shape}")
    if not np.all(np.isfinite(matrix)):
        raise ValueError(f"{name} must be finite (it holds NaN or inf)")
    return matrix


def check_finite_vector(x, name, size=None):
    """A finite 1-D float array (of length ``size``, if given), returned as a float64 copy."""
    try:
        x = np.array(x, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a vector of numbers, got {x!r}") from None
    if x.ndim != 1 or x.size == 0 or (size is not None and x.size != size):
        want = f"length {size}" if size is not None else "at least one entry"
        raise ValueError(f"{name} must be a 1-D vector with {want}, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be finite (it holds NaN or inf)")
    return x


def check_test_function(fn, name="fn"):
    """An object with ``value``, ``grad``, ``hess`` and ``dim``, such as
    :func:`d2lutils.analysis.functions.rosenbrock` returns (used by Newton and trust-region methods)."""
    missing = [a for a in ("value", "grad", "hess", "dim") if not hasattr(fn, a)]
    if missing:
        raise TypeError(f"{name} must be a test function with value, grad, hess and dim, e.g. "
                        f"d2lutils.analysis.functions.rosenbrock(); got {type(fn).__name__} {fn!r} "
                        f"(no {', '.join(missing)})")
    return fn
