"""Plot helpers: input checks and what ends up on the axes."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

from d2lutils import plot, set_figsize, show_trace, show_trace_2d


@pytest.mark.parametrize("size", [(0, 2), (3.5, -1), (3.5,), (1, 2, 3)])
def test_set_figsize_rejects_bad_sizes(size):
    """A figure size must be two positive numbers (non-finite ones: see test_validation.py)."""
    with pytest.raises(ValueError, match="figsize must be two positive finite numbers"):
        set_figsize(size)


def test_set_figsize_sets_default():
    """A good size becomes matplotlib's default figure size."""
    old = tuple(plt.rcParams["figure.figsize"])
    try:
        set_figsize((4.0, 3.0))
        assert tuple(plt.rcParams["figure.figsize"]) == (4.0, 3.0)
    finally:
        plt.rcParams["figure.figsize"] = old


def test_plot_draws_each_series():
    """Two y series against one x give two lines with the right data and a legend."""
    x = np.arange(4)
    axes = plot(x, [x ** 2, 2 * x], legend=["sq", "lin"], xlabel="x", title="t")
    assert len(axes.lines) == 2
    np.testing.assert_array_equal(axes.lines[0].get_ydata(), x ** 2)
    np.testing.assert_array_equal(axes.lines[1].get_ydata(), 2 * x)
    assert [t.get_text() for t in axes.get_legend().get_texts()] == ["sq", "lin"]
    assert axes.get_xlabel() == "x" and axes.get_title() == "t"


@pytest.mark.parametrize("kwargs, match", [
    ({"x": [0, 1, 2], "ys": [[0, 1, 2], [1, 2, 3]], "legend": ["one"]}, "legend has 1 entries for 2"),
    ({"x": [[0, 1], [0, 1], [0, 1]], "ys": [[0, 1], [1, 2]]}, "3 x series for 2 y series"),
    ({"x": [0, 1, 2], "ys": [0, 1]}, "2 y values"),
])
def test_plot_rejects_mismatched_lengths(kwargs, match):
    """Legend/series/length mismatches raise ValueError instead of a silently wrong plot."""
    with pytest.raises(ValueError, match=match):
        plot(**kwargs)


@pytest.mark.parametrize("points", [np.zeros((4, 3)), np.zeros(4), np.zeros((2, 2, 2))])
def test_show_trace_2d_rejects_bad_points(points):
    """The path must be a (k, 2) array."""
    with pytest.raises(ValueError, match=r"points must have shape \(k, 2\)"):
        show_trace_2d(lambda a, b: a ** 2 + b ** 2, points)


def test_show_trace_2d_draws_the_path():
    """The path is drawn as given, with contours of f and the diverging title when asked."""
    path = np.array([[-5.0, -2.0], [-3.0, -1.0], [-1.0, 0.5]])
    axes = show_trace_2d(lambda a, b: a ** 2 + b ** 2, path, title="eta = 1", diverged=True)
    np.testing.assert_array_equal(axes.lines[-1].get_xydata(), path)
    assert axes.get_title() == "eta = 1: diverges"


def test_show_trace_hides_points_outside_window():
    """show_trace draws only the iterates inside xlim, on the curve f."""
    axes = show_trace([1.0, -1.2, 1.44, -20.0], lambda x: x ** 2, xlim=(-2, 2))
    np.testing.assert_allclose(axes.lines[1].get_xdata(), [1.0, -1.2, 1.44])
    np.testing.assert_allclose(axes.lines[1].get_ydata(), [1.0, 1.44, 1.44 ** 2])
    assert axes.get_title() == ""


def test_show_runs_2d_titles_divergence():
    """One panel per run; a run that left the window gets a red 'diverges' title."""
    import d2lutils
    f = lambda x1, x2: x1 ** 2 + 2 * x2 ** 2
    grad = lambda x: np.array([2 * x[0], 4 * x[1]])
    good = d2lutils.trajectory("sgd", grad, [-5, -2], 20, lr=0.1)
    bad = d2lutils.trajectory("sgd", grad, [-5, -2], 20, lr=0.6)
    fig = d2lutils.show_runs_2d(f, [good, bad], ["a", "b"], ylim=(-3, 3))
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["a", "b: diverges"]
    plt.close(fig)
    with pytest.raises(ValueError, match="one title per run"):
        d2lutils.show_runs_2d(f, [good], ["a", "b"])


def test_train_result_times_are_cumulative():
    """TrainResult.times starts at 0, grows with the records, one per loss."""
    from d2lutils.training import run_epochs
    calls = []
    result = run_epochs(lambda idx: calls.append(len(idx)), lambda: 1.0, 300, 10, 2)
    assert len(result.times) == len(result.losses) == len(result.epochs)
    assert result.times[0] == 0.0 and all(b >= a for a, b in zip(result.times, result.times[1:]))
    with pytest.raises(ValueError, match="against"):
        d2lutils_plot_losses = __import__("d2lutils").plot_losses
        d2lutils_plot_losses(result, against="seconds")


def test_plot_losses_against_times_uses_the_times():
    """against='times' puts the training seconds on the x axis (not the epochs)."""
    from d2lutils import plot_losses
    from d2lutils.training import TrainResult
    result = TrainResult(epochs=[0.0, 0.5, 1.0], losses=[3.0, 2.0, 1.0], times=[0.0, 0.02, 0.05])
    axes = plot_losses(result, against="times")
    np.testing.assert_allclose(axes.lines[0].get_xdata(), [0.0, 0.02, 0.05])
    np.testing.assert_allclose(axes.lines[0].get_ydata(), [3.0, 2.0, 1.0])
    axes = plot_losses([result, result], against="epochs", xscale="log", labels=["a", "b"])
    np.testing.assert_allclose(axes.lines[1].get_xdata(), [0.5, 1.0])   # x = 0 left out on a log axis


def test_run_epochs_does_not_count_evaluation_as_training(monkeypatch):
    """Each loss record costs 50 (fake) seconds, each step 1: eval_seconds gets the records,
    sec_per_epoch and times only the steps.  A fake clock, so no wall time is asserted."""
    from d2lutils.training import airfoil, run_epochs

    class Clock:
        now = 0.0

        def perf_counter(self):
            return self.now

    clock = Clock()
    monkeypatch.setattr(airfoil, "time", clock)

    def step(idx):
        clock.now += 1.0

    def evaluate():
        clock.now += 50.0
        return 1.0

    result = run_epochs(step, evaluate, 200, 50, 2)   # 4 steps and 2 timed records per epoch
    assert result.eval_seconds == 4 * 50.0
    assert result.sec_per_epoch == 4.0, f"evaluation counted as training: {result.sec_per_epoch}"
    assert result.times[-1] == 2 * result.sec_per_epoch     # no evaluation inside


def test_import_leaves_rcparams_alone():
    """Importing d2lutils in a fresh interpreter changes no matplotlib rcParams."""
    import subprocess
    import sys
    from pathlib import Path
    code = ("import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt\n"
            "before = dict(plt.rcParams)\nimport d2lutils\n"
            "after = dict(plt.rcParams)\n"
            "print(sorted(k for k in before if str(before[k]) != str(after[k])))")
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root,
                          env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]", f"import d2lutils changed rcParams {proc.stdout.strip()}"


def test_book_figures_keep_the_readers_settings():
    """d2lutils' figures get the book's size and grid, but the global rcParams stay as they were."""
    before = dict(plt.rcParams)
    axes = plot([0, 1], [0, 1])
    assert tuple(axes.figure.get_size_inches()) == (3.5, 2.5)
    assert axes.xaxis.get_gridlines()[0].get_visible()
    assert {k: str(v) for k, v in plt.rcParams.items()} == {k: str(v) for k, v in before.items()}
    old = tuple(plt.rcParams["figure.figsize"])
    try:
        set_figsize((4.0, 3.0))     # the reader's explicit choice applies to the book's figures too
        assert tuple(plot([0, 1], [0, 1]).figure.get_size_inches()) == (4.0, 3.0)
    finally:
        plt.rcParams["figure.figsize"] = old     # (conftest also resets d2lutils' default)


def test_plot_is_the_function_not_a_module():
    """`d2lutils.plot` is the plotting function; the module is `d2lutils.figures.plotting` and shadows nothing."""
    import importlib
    import d2lutils
    importlib.import_module("d2lutils.figures.plotting")
    assert callable(d2lutils.plot) and d2lutils.plot.__module__ == "d2lutils.figures.plotting"
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("d2lutils.plot")


def test_book_style_keeps_the_interactive_mode_the_backend_chose():
    """The inline backend turns interactive mode on when pyplot first resolves it; if that
    happens inside book_style(), leaving the block must not turn it off again (every later
    plt.subplots figure of the notebook would silently disappear)."""
    import matplotlib

    from d2lutils.figures.plotting import book_style
    before = matplotlib.is_interactive()
    try:
        matplotlib.interactive(False)
        with book_style():
            matplotlib.interactive(True)       # what resolving the inline backend does
        assert matplotlib.is_interactive()
    finally:
        matplotlib.interactive(before)


def test_plot_losses_colours_curves_by_optimizer():
    """colors= gives each curve its optimizer's colour and keeps the line styles; a wrong count raises."""
    from matplotlib.colors import to_hex
    from d2lutils import plot_losses
    from d2lutils.figures.colors import color_of
    from d2lutils.training import TrainResult
    result = TrainResult(epochs=[0.0, 1.0], losses=[2.0, 1.0], times=[0.0, 0.1])
    axes = plot_losses([result, result], colors=["momentum", "sgd"])
    assert [to_hex(line.get_color()) for line in axes.lines] == [
        color_of("momentum").lower(), color_of("sgd").lower()]
    assert [line.get_linestyle() for line in axes.lines] == ["-", "--"]
    with pytest.raises(ValueError, match="colors has 1 entries for 2 series"):
        plot_losses([result, result], colors=["momentum"])
