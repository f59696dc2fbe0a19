"""Loss-landscape slices and filter normalization (d2lutils.analysis.landscape)."""
import numpy as np
import pytest

from d2lutils.analysis import landscape
from d2lutils.models.mlp import init_params, loss as mlp_loss


def linear_loss(C):
    """L(W) = <C, W> + 1: slices of it are known in closed form (also works on a stack)."""
    return lambda W: np.sum(np.asarray(W) * C, axis=(-2, -1)) + 1.0


@pytest.fixture
def setup():
    rng = np.random.default_rng(0)
    W, C = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    return W, C, landscape.random_direction(W, seed=1), landscape.random_direction(W, seed=2)


def test_ray_has_right_shape_and_passes_through_loss_at_zero(setup):
    W, C, D1, _ = setup
    L = linear_loss(C)
    alphas = np.linspace(-1, 1, 7)
    values = landscape.ray(L, W, D1, alphas)
    assert values.shape == (7,)
    assert values[3] == pytest.approx(L(W))
    np.testing.assert_allclose(values, L(W) + alphas * np.sum(C * D1))


def test_plane_has_right_shape_orientation_and_value_at_origin(setup):
    W, C, D1, D2 = setup
    L = linear_loss(C)
    alphas, betas = np.linspace(-1, 1, 5), np.linspace(-2, 2, 9)
    values = landscape.plane(L, W, D1, D2, alphas, betas)
    assert values.shape == (9, 5)                          # rows follow betas, columns alphas
    assert values[4, 2] == pytest.approx(L(W))
    expected = L(W) + alphas[None, :] * np.sum(C * D1) + betas[:, None] * np.sum(C * D2)
    np.testing.assert_allclose(values, expected)


def test_batched_evaluation_equals_one_at_a_time(setup):
    W, C, D1, D2 = setup
    L = linear_loss(C)
    grid = np.linspace(-1, 1, 6)
    np.testing.assert_allclose(landscape.plane(L, W, D1, D2, grid, grid, batch_size=7),
                               landscape.plane(L, W, D1, D2, grid, grid))
    np.testing.assert_allclose(landscape.ray(L, W, D1, grid, batch_size=4),
                               landscape.ray(L, W, D1, grid))


def test_slices_of_a_list_of_parameters():
    params = init_params(seed=0, sizes=(5, 4, 3), dtype=np.float64)
    rng = np.random.default_rng(0)
    X, y = rng.random((10, 5)), rng.integers(0, 3, 10)
    L = lambda p: mlp_loss(p, X, y)                       # noqa: E731
    d1 = landscape.random_direction(params, seed=1)
    d2 = landscape.random_direction(params, seed=2)
    assert landscape.ray(L, params, d1, [0.0])[0] == pytest.approx(L(params))
    grid = np.linspace(-0.5, 0.5, 3)
    values = landscape.plane(L, params, d1, d2, grid, grid)
    assert values.shape == (3, 3) and values[1, 1] == pytest.approx(L(params))
    assert [p.shape for p in d1] == [p.shape for p in params]


def test_slices_reject_mismatched_directions(setup):
    W, C, D1, _ = setup
    with pytest.raises(ValueError, match="structure"):
        landscape.ray(linear_loss(C), W, D1[:, :2], [0.0])
    with pytest.raises(ValueError):
        landscape.ray(linear_loss(C), W, D1, [[0.0]])
    with pytest.raises(ValueError, match="batch_size"):
        landscape.ray(linear_loss(C), W, D1, [0.0], batch_size=0)
    with pytest.raises(ValueError, match="one array"):
        landscape.ray(lambda p: 0.0, [W], [D1], [0.0], batch_size=2)


def test_filter_normalization_gives_each_filter_the_norm_of_the_weight_filter():
    params = [p.T if p.ndim == 2 else p for p in init_params(seed=0, sizes=(6, 5, 3), dtype=np.float64)]  # rows = units
    params[1] += 0.5
    direction = landscape.random_direction(params, seed=4)
    normalized = landscape.filter_normalize(direction, params)
    for p, d, n in zip(params, direction, normalized):
        assert n.shape == p.shape
        if p.ndim == 2:
            np.testing.assert_allclose(np.linalg.norm(n, axis=1), np.linalg.norm(p, axis=1))
            # only rescaled: each row keeps its direction
            np.testing.assert_allclose(n / np.linalg.norm(n, axis=1, keepdims=True),
                                       d / np.linalg.norm(d, axis=1, keepdims=True))
        else:
            np.testing.assert_array_equal(n, 0.0)          # biases ignored, as in Li et al.


def test_filter_normalization_of_convolution_filters_and_biases_kept():
    rng = np.random.default_rng(0)
    kernel = rng.standard_normal((8, 3, 3, 3))              # 8 output channels
    bias = rng.standard_normal(8)
    d = landscape.random_direction([kernel, bias], seed=1)
    nk, nb = landscape.filter_normalize(d, [kernel, bias], ignore_1d=False)
    np.testing.assert_allclose(np.linalg.norm(nk.reshape(8, -1), axis=1),
                               np.linalg.norm(kernel.reshape(8, -1), axis=1))
    assert np.linalg.norm(nb) == pytest.approx(np.linalg.norm(bias))


def test_filter_normalization_makes_rescaled_relu_networks_look_the_same():
    """ReLU nets (c W1, c b1, W2 / c, b2) compute the same function; normalized slices agree."""
    params = init_params(seed=1, sizes=(5, 4, 3), dtype=np.float64)
    rng = np.random.default_rng(2)
    X, y = rng.random((20, 5)), rng.integers(0, 3, 20)
    L = lambda p: mlp_loss(p, X, y)                       # noqa: E731
    scaled = [10 * params[0], 10 * params[1], params[2] / 10, params[3]]
    raw = landscape.random_direction(params, seed=3)
    a = np.linspace(-1, 1, 5)
    same = [landscape.ray(L, p, landscape.filter_normalize(raw, p), a) for p in (params, scaled)]
    np.testing.assert_allclose(same[0], same[1], rtol=1e-10)
    differ = [landscape.ray(L, p, raw, a) for p in (params, scaled)]
    assert np.max(np.abs(differ[0] - differ[1])) > 0.1


def test_filter_normalize_rejects_mismatched_structure():
    params = init_params(sizes=(3, 2, 2), dtype=np.float64)
    with pytest.raises(ValueError, match="structure"):
        landscape.filter_normalize(params[:2], params)


def test_negative_curvature_is_zero_for_convex_and_positive_for_saddle():
    g = np.linspace(-1, 1, 11)
    A, B = np.meshgrid(g, g)
    assert landscape.negative_curvature(A ** 2 + 3 * B ** 2 + np.abs(A - B)) == 0.0
    assert landscape.negative_curvature(A ** 2 - B ** 2) == pytest.approx(0.5)
    with pytest.raises(ValueError):
        landscape.negative_curvature(np.zeros((2, 5)))
