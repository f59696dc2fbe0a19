"""Bad input gets a clear error, never a silent wrong answer (framework-free part).

The checks live in d2lutils.validation; these tests call the *public* functions
with each bad input found so far and assert the error type and that the message
says what was expected.  The MXNet/TensorFlow cases are in test_training.py.
"""
import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

import d2lutils
from d2lutils import minibatches, plot, plot_losses, set_figsize, show_runs_2d, trajectory
from d2lutils.figures import widgets as dw
from d2lutils.comparison import relative_gap
from d2lutils.models.linreg import train_sgd_numpy
from d2lutils.optim.rules import newton_trajectory
from d2lutils.training import TrainResult, run_epochs
from d2lutils.validation import check_scalar


# ----------------------------------------------------------------------------- check_scalar

@pytest.mark.parametrize("value, kwargs, error, match", [
    ("0.1", {}, TypeError, "x must be a real number, got str"),
    (True, {}, TypeError, "x must be a real number, got bool"),
    (None, {}, TypeError, "x must be a real number, got NoneType"),
    (2.0, {"target_type": int}, TypeError, "x must be a int"),
    (math.nan, {}, ValueError, "x must be a finite number, got nan"),
    (math.inf, {}, ValueError, "x must be a finite number, got inf"),
    (-0.1, {"min_val": 0}, ValueError, r"x must be non-negative, got -0\.1"),
    (0.0, {"min_val": 0, "include_boundaries": "right"}, ValueError, "x must be positive"),
    (1.0, {"min_val": 0, "max_val": 1, "include_boundaries": "left"}, ValueError,
     r"x must lie in \[0, 1\), got 1\.0"),
    (3, {"max_val": 2}, ValueError, "x must be <= 2"),
])
def test_check_scalar_rejects(value, kwargs, error, match):
    """Wrong type -> TypeError; NaN, inf, out of range -> ValueError; the message names x and the rule."""
    with pytest.raises(error, match=match):
        check_scalar(value, "x", **kwargs)


@pytest.mark.parametrize("value, kwargs", [
    (0.0, {"min_val": 0, "max_val": 1, "include_boundaries": "left"}),   # 0 is a valid momentum
    (np.float32(0.5), {"min_val": 0}),
    (np.int64(3), {"target_type": np.integer}),
    (math.inf, {"finite": False}),
])
def test_check_scalar_accepts(value, kwargs):
    """Boundaries, NumPy scalars and (when asked) infinities pass unchanged."""
    assert check_scalar(value, "x", **kwargs) is value


# ----------------------------------------------------------------------------- optim

GRAD = lambda x: 2 * x  # noqa: E731


@pytest.mark.parametrize("kwargs, error, match", [
    ({"lr": math.inf}, ValueError, "lr must be a finite number, got inf"),
    ({"lr": math.nan}, ValueError, "lr must be a finite number, got nan"),
    ({"lr": "0.1"}, TypeError, "lr must be a real number, got str"),
    ({"lr": lambda t: math.nan}, ValueError, "lr must be a finite number"),
    ({"rule": "momentum", "momentum": math.nan}, ValueError, "momentum must be a finite"),
    ({"rule": "momentum", "eps_form": "paper"}, ValueError, r"unknown hyperparameter\(s\) \['eps_form'\]"),
    ({"rule": "rmsprop", "eps_form": "framework"}, ValueError, "unknown hyperparameter"),
    ({"steps": 0.5}, TypeError, "steps must be an integer"),
    ({"x0": "1.0"}, TypeError, "x0 must be a number or a sequence"),
    ({"x0": [1.0, math.nan]}, ValueError, "x0 must hold at least one coordinate, all finite"),
    ({"x0": []}, ValueError, "x0 must hold at least one coordinate"),
    ({"grad": 2.0}, TypeError, r"grad must be a function grad\(x\)"),
])
def test_trajectory_bad_inputs(kwargs, error, match):
    """trajectory() refuses non-finite / non-numeric / misplaced hyperparameters and bad points."""
    args = {"rule": "sgd", "grad": GRAD, "x0": 1.0, "steps": 3, "lr": 0.1, **kwargs}
    with pytest.raises(error, match=match):
        trajectory(**args)


def test_eps_form_only_for_the_rules_that_read_it():
    """Adam and AMSGrad take eps_form; every other rule refuses it instead of ignoring it."""
    for name in sorted(d2lutils.RULES):
        if "eps_form" in d2lutils.RULES[name].options:
            trajectory(name, GRAD, [1.0, 1.0], 2, eps_form="framework")
        else:
            with pytest.raises(ValueError, match="eps_form"):
                trajectory(name, GRAD, [1.0, 1.0], 2, eps_form="paper")
    assert {n for n, r in d2lutils.RULES.items() if "eps_form" in r.options} == {"adam", "amsgrad"}


def test_scalar_gradient_for_a_2d_point_is_refused():
    """A gradient function returning one number for a 2-D point used to be broadcast silently."""
    with pytest.raises(ValueError, match=r"grad\(x\) must return an array of the point's shape \(2,\)"):
        trajectory("sgd", lambda x: 1.0, [1.0, 2.0], 3, lr=0.1)
    with pytest.raises(ValueError, match=r"shape \(2,\), got shape \(3,\)"):
        trajectory("sgd", lambda x: np.ones(3), [1.0, 2.0], 3, lr=0.1)
    # a scalar derivative for a 1-D point is unambiguous and stays allowed
    run = trajectory("sgd", lambda x: float(2 * x[0]), 1.0, 2, lr=0.25)
    np.testing.assert_allclose(run.points[:, 0], [1.0, 0.5, 0.25])


def test_zero_momentum_and_beta1_are_valid():
    """Momentum 0 is plain gradient descent; β₁ = 0 is a valid Adam setting."""
    sgd = trajectory("sgd", GRAD, [1.0, -2.0], 5, lr=0.1)
    heavy = trajectory("momentum", GRAD, [1.0, -2.0], 5, lr=0.1, momentum=0.0)
    np.testing.assert_allclose(heavy.points, sgd.points, rtol=1e-15)
    assert not trajectory("adam", GRAD, [1.0, -2.0], 5, beta1=0.0).diverged


def test_newton_bad_inputs():
    from d2lutils.analysis.functions import quadratic
    with pytest.raises(ValueError, match="lr must be positive"):
        newton_trajectory(quadratic(), [1.0, 1.0], 3, lr=0.0)
    with pytest.raises(TypeError, match="fn must have .grad"):
        newton_trajectory(lambda x: x, [1.0, 1.0], 3)


# ----------------------------------------------------------------------------- data, training loop

@pytest.mark.parametrize("rng", [0, None, np.random.RandomState(0)])
def test_minibatches_needs_a_generator(rng):
    """rng=0 used to fail with "'int' object has no attribute 'permutation'"."""
    with pytest.raises(TypeError, match=r"rng must be a numpy.random.Generator, e.g. "
                                         r"np.random.default_rng\(0\)"):
        list(minibatches(10, 2, rng))


@pytest.mark.parametrize("kwargs, error, match", [
    ({"lr": math.inf}, ValueError, "lr must be a finite number"),
    ({"lr": "0.05"}, TypeError, "lr must be a real number"),
    ({"batch_size": 2.0}, TypeError, "batch_size must be an integer"),
    ({"seed": -1}, ValueError, "seed must be non-negative"),
])
def test_numpy_trainer_bad_inputs(kwargs, error, match):
    f, l = d2lutils.load_airfoil(50)
    with pytest.raises(error, match=match):
        train_sgd_numpy(f, l, **kwargs)


def test_nan_features_are_refused():
    f, l = d2lutils.load_airfoil(50)
    f[3, 1] = np.nan
    with pytest.raises(ValueError, match="features and labels must be finite"):
        train_sgd_numpy(f, l)


def test_run_epochs_bad_callbacks():
    with pytest.raises(TypeError, match=r"evaluate must be a function evaluate\(\)"):
        run_epochs(lambda idx: None, 0.5, 10, 2, 1)


# ----------------------------------------------------------------------------- plotting

@pytest.mark.parametrize("size, error", [
    ((math.nan, 2), ValueError), ((3.5, math.inf), ValueError), ((0, 2), ValueError),
    ((3.5,), ValueError), (("3.5", 2), TypeError), (3.5, ValueError),
])
def test_set_figsize_bad_sizes_leave_matplotlib_alone(size, error):
    """set_figsize((nan, 2)) used to be accepted and broke every later figure."""
    before = tuple(plt.rcParams["figure.figsize"])
    with pytest.raises(error, match="figsize must be two positive finite numbers"):
        set_figsize(size)
    assert tuple(plt.rcParams["figure.figsize"]) == before
    plt.close(plot([0, 1], [0, 1]).figure)    # later figures still work


@pytest.mark.parametrize("call, error, match", [
    (lambda: plot([], []), ValueError, "ys must hold at least one value"),
    (lambda: plot([0, 1], [[0, 1], []]), ValueError, "every y series must hold at least one"),
    (lambda: plot_losses([]), ValueError, "results must hold at least one TrainResult"),
    (lambda: plot_losses([1.0, 2.0]), TypeError, "results must be a TrainResult"),
    (lambda: show_runs_2d(lambda a, b: a, [], []), ValueError, "one title per run"),
    (lambda: d2lutils.show_trace([], lambda x: x), ValueError, "points must hold at least one"),
    (lambda: d2lutils.show_trace_2d(lambda a, b: a, [[0, 0]], xlim=(1, 0)), ValueError,
     "xlim must be"),
    (lambda: relative_gap([], []), ValueError, "non-empty runs"),
    (lambda: relative_gap([[np.ones(2)]], [[np.ones(3)]]), ValueError, "parameter shapes differ"),
])
def test_empty_and_mismatched_inputs(call, error, match):
    """Empty lists and mismatched shapes raise a clear error instead of an IndexError."""
    with pytest.raises(error, match=match):
        call()


# ----------------------------------------------------------------------------- sliders

def _never(*args):
    raise AssertionError("a frame was drawn before the arguments were checked")


@pytest.mark.parametrize("call, error, match", [
    (lambda: dw.frame_slider([], _never), ValueError, "values must hold at least 1"),
    (lambda: dw.frame_slider([0.1, math.nan], _never), ValueError, r"values\[1\] must be a finite"),
    (lambda: dw.frame_slider([0.1, "x"], _never), TypeError, r"values\[1\] must be a real number"),
    (lambda: dw.frame_slider([0.1, 0.1], _never), ValueError, "values must be distinct"),
    (lambda: dw.frame_slider([0.1, 0.2], _never, index=2), ValueError, r"index must lie in \[0, 1\]"),
    (lambda: dw.frame_slider([0.1, 0.2], _never, index=-1), ValueError, "index must lie in"),
    (lambda: dw.frame_slider([0.1, 0.2], "draw"), TypeError, "draw must be a function"),
    (lambda: dw.frame_slider_2([0.1], [0.2, 0.3], _never, index=(0, 5)), ValueError,
     r"index\[1\] must lie in \[0, 1\]"),
    (lambda: dw.trace_slider_2d(lambda a, b: a, _never, [0.1, 0.2], [0, 0], lr=0.3), ValueError,
     "'lr' is the slider's parameter.*do not also pass lr=0.3"),
    (lambda: dw.trace_slider_2d(lambda a, b: a, _never, [0.1], [0, 0], param="gamma"), ValueError,
     "unknown hyperparameter"),
    (lambda: dw.trace_slider_2d_grid(lambda a, b: a, _never, "lr", [0.1], "momentum", [0.5],
                                     [0, 0], rule="momentum", momentum=0.9), ValueError,
     "'momentum' is the slider's parameter"),
    (lambda: dw.trace_slider_1d(lambda x: x, _never, [0.1], 1.0, momentum=0.5), ValueError,
     "unknown hyperparameter"),
])
def test_slider_bad_inputs_fail_before_drawing(call, error, match):
    """Every slider argument is checked before the first (slow) frame is drawn."""
    with pytest.raises(error, match=match):
        call()


def test_values_that_print_alike_get_distinct_labels():
    """1.0000001 and 1.0000002 both print as '1' with :g; the labels must still differ."""
    box = dw.frame_slider([1.0000001, 1.0000002, 2.0], lambda v: plt.figure(figsize=(1, 1)))
    labels = box.children[0].options
    assert len(set(labels)) == 3, f"two slider values share a label: {labels}"
    assert labels[2] == "2"
    assert dw.frame_slider([0.5, 2.0], lambda v: plt.figure(figsize=(1, 1))).children[0].options \
        == ("0.5", "2")


def test_sliders_can_include_zero():
    """Momentum 0 and β₁ = 0 are meaningful: a slider over them works and labels them '0'."""
    f = lambda x1, x2: x1 ** 2 + x2 ** 2  # noqa: E731
    g = lambda x: 2 * np.asarray(x)  # noqa: E731
    box = dw.trace_slider_2d(f, g, [0.0, 0.5], [-1, -1], steps=3, rule="momentum",
                             param="momentum", lr=0.1)
    assert box.children[0].options == ("0", "0.5")
    box = dw.trace_slider_2d_grid(f, g, "beta1", [0.0, 0.9], "beta2", [0.5, 0.9], [-1, -1],
                                  steps=3, rule="adam")
    assert box.children[0].options == ("0", "0.9")


def test_train_result_default_is_empty():
    assert TrainResult().losses == []


def test_same_structure_compares_shapes_not_only_ranks():
    from d2lutils.validation import check_same_structure
    like = [np.zeros((2, 3)), np.zeros(3)]
    assert len(check_same_structure([np.ones((2, 3)), np.ones(3)], like, "v")) == 2
    with pytest.raises(ValueError, match=r"v\[0\] has shape \(3, 2\), expected \(2, 3\)"):
        check_same_structure([np.ones((3, 2)), np.ones(3)], like, "v")
    with pytest.raises(ValueError, match="one array per entry"):
        check_same_structure([np.ones((2, 3))], like, "v")
    with pytest.raises(TypeError, match="list of arrays"):
        check_same_structure(3.0, like, "v")
