"""Shared test set-up: headless matplotlib and no figures left open between tests."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import matplotlib  # noqa: E402

# Agg in this process only: an MPLBACKEND variable would leak into the nbval kernels
# (--nbval-current-env) and stop them from displaying figures.
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every figure and undo any set_figsize() a test made."""
    figsize = tuple(plt.rcParams["figure.figsize"])
    yield
    plt.close("all")
    plt.rcParams["figure.figsize"] = figsize
    import d2lutils.figures.plotting
    d2lutils.figures.plotting._figsize = None
