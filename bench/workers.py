"""The timed training runs.  Each worker runs in a fresh process (``python -m
bench.main --worker NAME``) and imports at most one framework.

Every worker first does one untimed run (one-off start-up costs of the framework
are not charged to whichever loop happens to come first), then repeats each loop
``repeats`` times.  Our loops report their own ``TrainResult.sec_per_epoch``;
d2l's loops report the ``sec/epoch`` that ``train_ch11`` / ``train_concise_ch11``
print.
"""
import atexit
import contextlib
import hashlib
import io
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from .chapters import HYPERPARAMS, KERAS_BUILTIN, MXNET_BUILTIN, OPTIMIZERS, load_rules
from .report import summarize

ROOT = Path(__file__).resolve().parent.parent
D2L_DIR = ROOT / "bench" / ".d2l"
AIRFOIL = ROOT / "d2lutils" / "data" / "datasets" / "airfoil_self_noise.dat"
BATCH_SIZE, NUM_EPOCHS = 10, 2
D2L_LINE = re.compile(r"loss: ([0-9.]+), ([0-9.]+) sec/epoch")


# --------------------------------------------------------------------------- ours

def _ours(runs):
    return summarize([r.sec_per_epoch for r in runs], [r.final_loss for r in runs],
                     [r.eval_seconds / (r.sec_per_epoch * NUM_EPOCHS + r.eval_seconds)
                      for r in runs])


def _repeat(train, repeats):
    return [train() for _ in range(repeats)]


def worker_numpy(repeats):
    """The NumPy floor, one per optimizer (hand-written gradient, NumPy update)."""
    import numpy

    import d2lutils
    from .floor import train_floor
    f, l = d2lutils.load_airfoil()
    train_floor("sgd", HYPERPARAMS["sgd"], f, l, BATCH_SIZE, NUM_EPOCHS)   # warm-up
    loops = {name: _ours(_repeat(lambda: train_floor(name, HYPERPARAMS[name], f, l,
                                                     BATCH_SIZE, NUM_EPOCHS), repeats))
             for name in OPTIMIZERS}
    return {"loops": loops, "versions": {"numpy": numpy.__version__}}


def worker_mxnet(repeats):
    """d2lutils.mxnet: train_scratch with the chapters' update functions, and train_concise."""
    import d2lutils
    import mxnet as mx
    from mxnet import nd
    from d2lutils import mxnet as d2lmx
    f, l = d2lutils.load_airfoil()
    rules = load_rules("mxnet", {"nd": nd})

    def scratch(name):
        init, update = rules[name]
        return d2lmx.train_scratch(update, init(f.shape[1]), HYPERPARAMS[name], f, l,
                               BATCH_SIZE, NUM_EPOCHS, show=False)

    def concise(name):
        opt, params = MXNET_BUILTIN[name]
        return d2lmx.train_concise(opt, params, f, l, BATCH_SIZE, NUM_EPOCHS, show=False)

    scratch("sgd")  # warm-up
    loops = {}
    for name in OPTIMIZERS:
        loops[f"mxnet/scratch/{name}"] = _ours(_repeat(lambda: scratch(name), repeats))
        loops[f"mxnet/concise/{name}"] = _ours(_repeat(lambda: concise(name), repeats))
    return {"loops": loops, "versions": {"mxnet": mx.__version__}}


def worker_tensorflow(repeats):
    """d2lutils.tensorflow: train_scratch with the chapters' update functions, and train_concise."""
    import d2lutils
    import tensorflow as tf
    from tensorflow import keras
    from d2lutils import tensorflow as d2ltf
    f, l = d2lutils.load_airfoil()
    rules = load_rules("tensorflow", {"tf": tf})

    def scratch(name):
        init, update = rules[name]
        return d2ltf.train_scratch(update, init(f.shape[1]), HYPERPARAMS[name], f, l,
                               BATCH_SIZE, NUM_EPOCHS, show=False)

    def concise(name):
        cls, kwargs = KERAS_BUILTIN[name]
        return d2ltf.train_concise(getattr(keras.optimizers, cls)(**kwargs), f, l,
                                       BATCH_SIZE, NUM_EPOCHS, show=False)

    scratch("sgd")  # warm-up
    loops = {}
    for name in OPTIMIZERS:
        loops[f"tensorflow/scratch/{name}"] = _ours(_repeat(lambda: scratch(name), repeats))
        loops[f"tensorflow/concise/{name}"] = _ours(_repeat(lambda: concise(name), repeats))
    return {"loops": loops, "versions": {"tensorflow": tf.__version__, "keras": keras.__version__}}


# --------------------------------------------------------------------------- d2l

def _import_d2l(framework):
    """Import d2l 1.0.3 from bench/.d2l (appended to sys.path: the book's pins win)."""
    if not (D2L_DIR / "d2l").is_dir():
        raise RuntimeError(f"{D2L_DIR} has no d2l; `bash bench/run` installs it")
    sys.path.append(str(D2L_DIR))
    import importlib
    module = importlib.import_module(f"d2l.{framework}")
    import d2l
    if Path(d2l.__file__).resolve().parent != (D2L_DIR / "d2l").resolve() or d2l.__version__ != "1.0.3":
        raise RuntimeError(f"expected d2l 1.0.3 from {D2L_DIR}, got {d2l.__version__} "
                           f"from {d2l.__file__}")
    return module


def _d2l_workdir(d2l):
    """Make a temporary cwd whose ``../data/`` holds the airfoil file d2l expects.

    ``d2l.download('airfoil')`` returns ``../data/airfoil_self_noise.dat`` without
    downloading when that file's SHA-1 equals the one in ``d2l.DATA_HUB``.  The
    directory is removed when the worker process exits.  Returns its path.
    """
    url, sha1 = d2l.DATA_HUB["airfoil"]
    if hashlib.sha1(AIRFOIL.read_bytes()).hexdigest() != sha1:
        raise RuntimeError(f"{AIRFOIL} differs from d2l's airfoil file (SHA-1 {sha1})")
    base = Path(tempfile.mkdtemp(prefix="bench-d2l-"))
    atexit.register(_remove_workdir, base)
    (base / "data").mkdir()
    shutil.copy(AIRFOIL, base / "data" / url.split("/")[-1])
    (base / "work").mkdir()
    os.chdir(base / "work")
    return base


def _remove_workdir(base):
    os.chdir(ROOT)
    shutil.rmtree(base, ignore_errors=True)


def _d2l_run(call):
    """Run one d2l trainer with its output captured; return (sec/epoch, loss) it printed."""
    import matplotlib.pyplot as plt
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        call()
    plt.close("all")   # d2l's Animator leaves one figure per run
    out = buffer.getvalue()
    if "Downloading" in out:
        raise RuntimeError("d2l tried to download its data")
    matches = D2L_LINE.findall(out)
    if not matches:
        raise RuntimeError(f"no 'loss: ..., ... sec/epoch' line in d2l's output: {out[-300:]!r}")
    loss, sec = map(float, matches[-1])
    return sec, loss


def _d2l_repeat(call, repeats):
    runs = [_d2l_run(call) for _ in range(repeats)]
    return summarize([sec for sec, _ in runs], [loss for _, loss in runs])


def worker_d2l_mxnet(repeats):
    """d2l.mxnet: train_ch11 with the chapters' update functions on mxnet.np, and
    train_concise_ch11; plus train_ch11 with d2l's own ``d2l.sgd``."""
    d2l = _import_d2l("mxnet")
    from mxnet import np as mnp, npx
    npx.set_np()   # as every d2l MXNet notebook does: d2l's code works on mxnet.np arrays
    _d2l_workdir(d2l)
    data_iter, dim = d2l.get_data_ch11(BATCH_SIZE)
    rules = load_rules("mxnet", {"nd": mnp})

    def scratch(name):
        init, update = rules[name]
        return lambda: d2l.train_ch11(update, init(dim), HYPERPARAMS[name], data_iter, dim,
                                      NUM_EPOCHS)

    def concise(name):
        opt, params = MXNET_BUILTIN[name]
        return lambda: d2l.train_concise_ch11(opt, params, data_iter, NUM_EPOCHS)

    def own_sgd(params, states, hp):
        # d2l.sgd divides by the batch size; train_ch11 differentiates the mean loss.
        d2l.sgd(params, hp["lr"], 1)

    _d2l_run(scratch("sgd"))  # warm-up
    loops = {}
    for name in OPTIMIZERS:
        loops[f"mxnet/scratch/{name}"] = _d2l_repeat(scratch(name), repeats)
        loops[f"mxnet/concise/{name}"] = _d2l_repeat(concise(name), repeats)
    own = {"mxnet/scratch/sgd": _d2l_repeat(
        lambda: d2l.train_ch11(own_sgd, None, HYPERPARAMS["sgd"], data_iter, dim, NUM_EPOCHS),
        repeats)}
    return {"loops": loops, "own_sgd": own, "versions": {"d2l": "1.0.3"}}


def worker_d2l_tensorflow(repeats):
    """d2l.tensorflow: train_ch11 with the chapters' update functions (eager, as d2l
    runs them) and train_concise_ch11; plus train_ch11 with d2l's own ``d2l.sgd``."""
    d2l = _import_d2l("tensorflow")
    import tensorflow as tf
    from tensorflow import keras
    _d2l_workdir(d2l)
    data_iter, dim = d2l.get_data_ch11(BATCH_SIZE)
    rules = load_rules("tensorflow", {"tf": tf})

    def scratch(name):
        init, update = rules[name]
        return lambda: d2l.train_ch11(update, init(dim), HYPERPARAMS[name], data_iter, dim,
                                      NUM_EPOCHS)

    def concise(name):
        cls, kwargs = KERAS_BUILTIN[name]
        return lambda: d2l.train_concise_ch11(getattr(keras.optimizers, cls), kwargs,
                                              data_iter, NUM_EPOCHS)

    def own_sgd(params, grads, states, hp):
        d2l.sgd(params, grads, hp["lr"], 1)   # batch size 1: the gradient is of the mean loss

    _d2l_run(scratch("sgd"))  # warm-up
    loops = {}
    for name in OPTIMIZERS:
        loops[f"tensorflow/scratch/{name}"] = _d2l_repeat(scratch(name), repeats)
        loops[f"tensorflow/concise/{name}"] = _d2l_repeat(concise(name), repeats)
    own = {"tensorflow/scratch/sgd": _d2l_repeat(
        lambda: d2l.train_ch11(own_sgd, None, HYPERPARAMS["sgd"], data_iter, dim, NUM_EPOCHS),
        repeats)}
    return {"loops": loops, "own_sgd": own, "versions": {"d2l": "1.0.3"}}


WORKERS = {"numpy": worker_numpy, "mxnet": worker_mxnet, "tensorflow": worker_tensorflow,
           "d2l-mxnet": worker_d2l_mxnet, "d2l-tensorflow": worker_d2l_tensorflow}
