"""d2lutils.models.mlp (NumPy), d2lutils.{mxnet,tensorflow}.mlp and d2lutils.training.train_runs: the digits MLP and its trainers."""
import numpy as np
import pytest

import d2lutils  # noqa: F401  (first: fixes the MXNet/TensorFlow import order)
from d2lutils.figures import bands
from d2lutils.models import mlp
from d2lutils.optim import RULES
from d2lutils.training import train_runs
from d2lutils.data.digits import load_digits


@pytest.fixture(scope="module")
def data():
    return load_digits()


def flat(params):
    return np.concatenate([np.ravel(p) for p in params])


def rel_gap(a, b):
    return float(np.linalg.norm(flat(a) - flat(b)) / np.linalg.norm(flat(b)))


def test_gradients_match_finite_differences(data):
    params = [p[None].astype(np.float64) for p in mlp.init_params(3)]
    X, y = data.X_train[None, :30].astype(np.float64), data.y_train[None, :30]
    _, grads = mlp.loss_and_grads(params, X, y)
    rng = np.random.default_rng(0)
    for k in range(4):
        for _ in range(3):
            i = tuple(rng.integers(0, n) for n in params[k].shape)
            plus = [p.copy() for p in params]
            minus = [p.copy() for p in params]
            plus[k][i] += 1e-6
            minus[k][i] -= 1e-6
            numeric = (mlp.loss_and_grads(plus, X, y)[0] - mlp.loss_and_grads(minus, X, y)[0]) / 2e-6
            assert abs(numeric[0] - grads[k][i]) < 1e-6 + 1e-4 * abs(numeric[0])


def test_numpy_trainer_reaches_stated_accuracy(data):
    """Momentum SGD (η = 0.1, γ = 0.9), batch 64, 10 epochs: test accuracy ≥ 0.94 for every seed."""
    runs = train_runs("momentum", data, lrs=[0.1], seeds=(0, 1), num_epochs=10, momentum=0.9)
    loss, acc = runs.final()
    assert np.all(acc >= 0.94), acc
    assert np.all(loss < runs.train_loss[..., 0] / 10)


def test_stacked_runs_equal_single_runs(data):
    """A sweep of (lr, seed) pairs trains each pair exactly as a run of its own."""
    sweep = train_runs("adam", data, lrs=[0.001, 0.01], seeds=(0, 1), num_epochs=2)
    for i, j in [(0, 1), (1, 0)]:
        alone = train_runs("adam", data, lrs=[sweep.lrs[i]], seeds=(j,), num_epochs=2)
        assert np.allclose(sweep.train_loss[i, j], alone.train_loss[0, 0], rtol=1e-5)


def test_equal_weights_stay_symmetric(data):
    """All-equal weights: every hidden unit gets the same gradient, so they never differ."""
    params = train_runs("sgd", data, lrs=[0.1], seeds=(0,), scale=("constant", 0.1), steps=50)
    W1 = params[0][0]
    assert np.ptp(W1, axis=1).max() < 1e-6


def test_adamw_and_nadam_equal_keras():
    import tensorflow as tf
    from tensorflow import keras
    rng = np.random.default_rng(0)
    start = rng.normal(size=(4, 3)).astype(np.float32)
    grads = rng.normal(size=(30, 4, 3)).astype(np.float32)
    for name, hp, optimizer in [
            ("adamw", {"lr": 0.01, "weight_decay": 0.05},
             keras.optimizers.AdamW(0.01, weight_decay=0.05)),
            ("nadam", {"lr": 0.01, "schedule_decay": 1.0}, keras.optimizers.Nadam(0.01))]:
        rule = RULES[name]
        ours, state = start.astype(np.float64), rule.init(start.shape)
        theirs = tf.Variable(start)
        optimizer.build([theirs])
        for g in grads:
            rule.update(ours, g.astype(np.float64), state, {**rule.defaults, **hp})
            optimizer.apply_gradients([(tf.constant(g), theirs)])
        assert rel_gap([ours], [theirs.numpy()]) < 1e-5, name


def test_framework_trainers_equal_numpy(data):
    """30 updates of the same network from the same start on the same batches."""
    from d2lutils.mxnet import mlp as mlp_mxnet
    from d2lutils.tensorflow import mlp as mlp_tensorflow
    from tensorflow import keras
    ref = [p[0] for p in train_runs("momentum", data, lrs=[0.1], seeds=(0,), steps=30,
                                        momentum=0.9)]
    assert rel_gap(mlp_mxnet.train("sgd", {"learning_rate": 0.1, "momentum": 0.9}, data,
                                   steps=30), ref) < 1e-4
    assert rel_gap(mlp_tensorflow.train(keras.optimizers.SGD(0.1, momentum=0.9), data,
                                        steps=30), ref) < 1e-4
    ref = [p[0] for p in train_runs("adam", data, lrs=[0.003], seeds=(0,), steps=30,
                                        eps=1e-7, eps_form="framework")]
    assert rel_gap(mlp_mxnet.train("adam", {"learning_rate": 0.003, "epsilon": 1e-7}, data,
                                   steps=30), ref) < 1e-4
    assert rel_gap(mlp_tensorflow.train(keras.optimizers.Adam(0.003), data, steps=30), ref) < 1e-4


def test_framework_trainers_reach_stated_accuracy(data):
    """Both framework trainers: Adam η = 0.003, 8 epochs, test accuracy ≥ 0.93, same curves."""
    from d2lutils.mxnet import mlp as mlp_mxnet
    from d2lutils.tensorflow import mlp as mlp_tensorflow
    from tensorflow import keras
    a = mlp_mxnet.train("adam", {"learning_rate": 0.003}, data, num_epochs=8)
    b = mlp_tensorflow.train(keras.optimizers.Adam(0.003), data, num_epochs=8)
    assert a.test_acc[-1] >= 0.93 and b.test_acc[-1] >= 0.93
    assert np.abs(a.train_loss - b.train_loss).max() < 1e-3
    assert "sec/epoch" in a.summary()


@pytest.mark.parametrize("call", [
    lambda d: train_runs("lion", d),
    lambda d: train_runs("sgd", d, lrs=[-0.1]),
    lambda d: train_runs("sgd", d, lrs=[float("inf")]),
    lambda d: train_runs("sgd", d, seeds=()),
    lambda d: train_runs("sgd", d, beta1=0.9),
    lambda d: train_runs("sgd", d, num_epochs=0),
    lambda d: train_runs("sgd", d, batch_size=10_000),
    lambda d: train_runs("sgd", (d.X_train[:, :10], d.y_train, d.X_test, d.y_test)),
    lambda d: train_runs("sgd", (d.X_train, d.y_train + 10, d.X_test, d.y_test)),
    lambda d: train_runs("sgd", (d.X_train, d.y_train)),
    lambda d: mlp.init_params(0, scale=-1.0),
    lambda d: mlp.init_params(0, scale="xavier"),
    lambda d: bands.plot_bands([0, 1, 2], {"a": np.zeros((2, 4))}),
    lambda d: bands.plot_bands([0, 1], {}),
])
def test_bad_input_raises(data, call):
    with pytest.raises(ValueError):
        call(data)


def test_framework_bad_input_raises(data):
    from d2lutils.mxnet import mlp as mlp_mxnet
    from d2lutils.tensorflow import mlp as mlp_tensorflow
    with pytest.raises(ValueError):
        mlp_mxnet.train("adamw", {"learning_rate": 0.1}, data)
    with pytest.raises(ValueError):
        mlp_mxnet.train("sgd", 0.1, data)
    with pytest.raises(ValueError):
        mlp_tensorflow.train("adam", data)


def test_bands_ignore_diverged_runs():
    curves = {"ok": np.array([[1.0, 0.5, 0.2], [1.0, np.nan, np.nan]])}
    ax = bands.plot_bands([0, 1, 2], curves, legend=None)
    assert np.allclose(ax.lines[0].get_ydata(), [1.0, 0.5, 0.2])


@pytest.mark.parametrize("scale, variance", [
    ("he", lambda i, o: 2 / i), ("lecun", lambda i, o: 1 / i), ("glorot", lambda i, o: 2 / (i + o))])
def test_named_init_scales_have_their_variance(scale, variance):
    sizes = (400, 300, 50)
    params = mlp.init_params(7, scale, sizes, np.float64)
    for W, (fan_in, fan_out) in zip(params[0::2], [(400, 300), (300, 50)]):
        assert W.shape == (fan_in, fan_out)
        assert W.var() == pytest.approx(variance(fan_in, fan_out), rel=0.05)
        assert abs(W.mean()) < 0.1 * np.sqrt(variance(fan_in, fan_out))
    assert all(np.all(b == 0) for b in params[1::2])


@pytest.mark.parametrize("scale", [float("inf"), float("nan"), 0.0, -1.0, "xavier", True,
                                   ("constant", float("nan")), ("uniform", 0.1)])
def test_bad_init_scale_raises(scale):
    with pytest.raises((ValueError, TypeError)):
        mlp.init_params(0, scale)


DEEP = (64, 16, 16, 16, 10)


def test_framework_networks_of_any_depth_equal_numpy(data):
    """build(sizes=...) carries init_params into MXNet and Keras; one forward pass agrees."""
    import mxnet as mx
    from d2lutils.mxnet import mlp as mlp_mxnet
    from d2lutils.tensorflow import mlp as mlp_tensorflow
    X = data.X_train[:32]
    ref, _ = mlp.forward(mlp.init_params(3, "glorot", DEEP), X)
    got_mx = mlp_mxnet.build(3, "glorot", DEEP)(mx.nd.array(X)).asnumpy()
    got_tf = mlp_tensorflow.build(3, "glorot", DEEP)(X).numpy()
    assert np.abs(got_mx - ref).max() < 1e-5 and np.abs(got_tf - ref).max() < 1e-5
    assert [p.shape for p in mlp_mxnet.params_of(mlp_mxnet.build(3, "he", DEEP))] == \
        [p.shape for p in mlp.init_params(3, "he", DEEP)]


def test_framework_trainers_of_any_depth_equal_numpy(data):
    from d2lutils.mxnet import mlp as mlp_mxnet
    from d2lutils.tensorflow import mlp as mlp_tensorflow
    from tensorflow import keras
    ref = [p[0] for p in train_runs("momentum", data, lrs=[0.05], seeds=(2,), steps=20, sizes=DEEP,
                                    momentum=0.9)]
    got_mx = mlp_mxnet.train("sgd", {"learning_rate": 0.05, "momentum": 0.9}, data, seed=2,
                             steps=20, sizes=DEEP)
    got_tf = mlp_tensorflow.train(keras.optimizers.SGD(0.05, momentum=0.9), data, seed=2, steps=20,
                                  sizes=DEEP)
    assert rel_gap(got_mx, ref) < 1e-4 and rel_gap(got_tf, ref) < 1e-4


def test_framework_trainers_refuse_labels_beyond_the_output_layer(data):
    from d2lutils.mxnet import mlp as mlp_mxnet
    with pytest.raises(ValueError, match="labels"):
        mlp_mxnet.train("sgd", {"learning_rate": 0.1}, data, sizes=(64, 8, 5), steps=1)
