"""The NumPy airfoil trainer: hand-written gradient and loop."""
import numpy as np
import pytest

from d2lutils import load_airfoil
from d2lutils.models.linreg import gradients, half_mse, train_sgd_numpy


def test_gradient_matches_finite_differences():
    """The hand-written gradient of the half squared loss equals central differences."""
    rng = np.random.default_rng(1)
    X, y, w, b = rng.normal(size=(20, 3)), rng.normal(size=20), rng.normal(size=3), 0.3
    grad_w, grad_b = gradients(X, y, w, b)
    h = 1e-6
    numeric_w = [(half_mse(X, y, w + h * e, b) - half_mse(X, y, w - h * e, b)) / (2 * h)
                 for e in np.eye(3)]
    numeric_b = (half_mse(X, y, w, b + h) - half_mse(X, y, w, b - h)) / (2 * h)
    np.testing.assert_allclose(grad_w, numeric_w, rtol=1e-6)
    assert grad_b == pytest.approx(numeric_b, rel=1e-6)


def test_trains_airfoil_like_the_framework_trainers():
    """Batch 10, lr 0.05, 2 epochs brings the airfoil loss to about 0.24-0.25 (like train_scratch)."""
    features, labels = load_airfoil()
    result = train_sgd_numpy(features, labels, batch_size=10, lr=0.05, num_epochs=2)
    assert 0.235 < result.final_loss < 0.255
    assert len(result.losses) == len(result.times) == 31


def test_full_batch_gd_is_deterministic_gradient_descent():
    """With batch = n, one epoch is one exact gradient step from the initial weights."""
    features, labels = load_airfoil(100)
    result = train_sgd_numpy(features, labels, batch_size=100, lr=0.1, num_epochs=1)
    assert result.losses[1] < result.losses[0]


@pytest.mark.parametrize("kwargs, match", [
    ({"lr": -0.1}, "non-negative"),
    ({"batch_size": 0}, "batch_size"),
    ({"num_epochs": 1.5}, "num_epochs must be an integer"),
])
def test_bad_arguments_raise(kwargs, match):
    """Negative learning rates and non-positive or fractional sizes raise ValueError / TypeError."""
    features, labels = load_airfoil(50)
    with pytest.raises((ValueError, TypeError), match=match):
        train_sgd_numpy(features, labels, **kwargs)
