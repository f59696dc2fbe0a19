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
    with pytest.raises(ValueError, match="shape|one array per entry"):
        landscape.ray(linear_loss(C), W, D1[:, :2], [0.0])
    with pytest.raises(ValueError):
        landscape.ray(linear_loss(C), W, D1, [[0.0]])
    with pytest.raises(ValueError, match="batch_size"):
        landscape.ray(linear_loss(C), W, D1, [0.0], batch_size=0)
    with pytest.raises(TypeError, match="batch_size"):
        landscape.ray(linear_loss(C), W, D1, [0.0], batch_size=2.0)
    stacked = landscape.ray(lambda p: np.sum(p[0], axis=(1, 2)), [W], [D1], [0.0, 1.0, 2.0],
                            batch_size=2)                  # a list of arrays, stacked
    np.testing.assert_allclose(stacked, np.sum(W) + np.array([0.0, 1.0, 2.0]) * np.sum(D1))


def test_filter_normalization_gives_each_filter_the_norm_of_the_weight_filter():
    """Layout (fan_in, fan_out): a filter (the weights into one unit) is a column, unit_axis=-1."""
    params = init_params(seed=0, sizes=(6, 5, 3), dtype=np.float64)
    params[1] += 0.5
    direction = landscape.random_direction(params, seed=4)
    normalized = landscape.filter_normalize(direction, params)
    for p, d, n in zip(params, direction, normalized):
        assert n.shape == p.shape and n.dtype == p.dtype
        if p.ndim == 2:
            np.testing.assert_allclose(np.linalg.norm(n, axis=0), np.linalg.norm(p, axis=0))
            # only rescaled: each column keeps its direction
            np.testing.assert_allclose(n / np.linalg.norm(n, axis=0, keepdims=True),
                                       d / np.linalg.norm(d, axis=0, keepdims=True))
        else:
            np.testing.assert_array_equal(n, 0.0)          # biases ignored, as in Li et al.


def test_filter_normalization_follows_one_unit_when_only_it_is_rescaled():
    """Scaling the weights into hidden unit 2 by 7 scales column 2 of the direction by 7, nothing else."""
    params = init_params(seed=3, sizes=(6, 5, 3), dtype=np.float64)
    scaled = [p.copy() for p in params]
    scaled[0][:, 2] *= 7.0
    d = landscape.random_direction(params, seed=5)
    a, b = landscape.filter_normalize(d, params)[0], landscape.filter_normalize(d, scaled)[0]
    np.testing.assert_allclose(b[:, 2], 7.0 * a[:, 2])
    np.testing.assert_allclose(np.delete(b, 2, axis=1), np.delete(a, 2, axis=1))


def test_filter_normalization_of_output_first_convolution_filters_and_biases_kept():
    rng = np.random.default_rng(0)
    kernel = rng.standard_normal((8, 3, 3, 3))              # PyTorch layout: 8 output channels first
    bias = rng.standard_normal(8)
    d = landscape.random_direction([kernel, bias], seed=1)
    nk, nb = landscape.filter_normalize(d, [kernel, bias], unit_axis=0, ignore_1d=False)
    np.testing.assert_allclose(np.linalg.norm(nk.reshape(8, -1), axis=1),
                               np.linalg.norm(kernel.reshape(8, -1), axis=1))
    assert np.linalg.norm(nb) == pytest.approx(np.linalg.norm(bias))
    keras = np.moveaxis(kernel, 0, -1)                       # Keras layout: output channels last
    nk_last = landscape.filter_normalize(np.moveaxis(d[0], 0, -1), keras)
    np.testing.assert_allclose(np.moveaxis(nk_last, -1, 0), nk)


def test_filter_normalization_rejects_bad_arguments():
    params = init_params(sizes=(3, 2, 2), dtype=np.float64)
    d = landscape.random_direction(params)
    with pytest.raises(ValueError, match="unit_axis"):
        landscape.filter_normalize(d, params, unit_axis=2)
    with pytest.raises(TypeError, match="unit_axis"):
        landscape.filter_normalize(d, params, unit_axis=1.0)
    with pytest.raises(TypeError, match="ignore_1d"):
        landscape.filter_normalize(d, params, ignore_1d="yes")
    bad = [p.copy() for p in d]
    bad[2][0, 0] = np.nan
    with pytest.raises(ValueError, match="direction"):
        landscape.filter_normalize(bad, params)


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
    with pytest.raises(ValueError, match="shape|one array per entry"):
        landscape.filter_normalize(params[:2], params)


def test_negative_curvature_is_zero_for_convex_and_positive_for_saddle():
    g = np.linspace(-1, 1, 11)
    A, B = np.meshgrid(g, g)
    assert landscape.negative_curvature(A ** 2 + 3 * B ** 2 + np.abs(A - B)) == 0.0
    assert landscape.negative_curvature(A ** 2 - B ** 2) == pytest.approx(0.5)
    # only along one axis: -B^2 on a 5 x 11 grid bends down in the columns only
    rows, cols = np.meshgrid(np.linspace(-1, 1, 11), np.linspace(-1, 1, 5))
    assert landscape.negative_curvature(-cols ** 2 + 0 * rows) == pytest.approx(
        (11 * 3) / (5 * 9 + 11 * 3))
    with pytest.raises(ValueError):
        landscape.negative_curvature(np.zeros((2, 5)))


def test_negative_curvature_of_a_nan_grid_is_an_error_not_convex():
    values = np.zeros((5, 5))
    values[2, 2] = np.nan
    with pytest.raises(ValueError, match="finite"):
        landscape.negative_curvature(values)
    with pytest.raises(ValueError, match="rtol"):
        landscape.negative_curvature(np.zeros((3, 3)), rtol=-1.0)


def test_negative_curvature_tolerates_round_off_only():
    g = np.linspace(-1, 1, 7)
    A, B = np.meshgrid(g, g)
    values = 1.0 + 0.0 * A
    values[3, 3] += 1e-12                                   # a round-off bump: ignored
    assert landscape.negative_curvature(values) == 0.0
    values[3, 3] += 1e-3                                    # a real bump: 4 negative differences
    assert landscape.negative_curvature(values) == pytest.approx(2 / 70)


def test_slices_report_a_nan_loss():
    W = np.ones((2, 3))
    d = landscape.random_direction(W, seed=0)
    with pytest.raises(ValueError, match="NaN at 1 of 3 points"):
        landscape.ray(lambda V: np.nan if V[0, 0] > 10 else 0.0, W, np.ones((2, 3)), [0.0, 1.0, 20.0])
    with pytest.raises(ValueError, match="NaN"):
        landscape.plane(lambda V: np.full(len(V), np.nan), W, d, d, [0.0, 1.0], [0.0], batch_size=2)
    with pytest.raises(ValueError, match="finite"):
        landscape.ray(lambda V: 0.0, W, d, [0.0, np.inf])
    with pytest.raises(ValueError, match="params"):
        landscape.ray(lambda V: 0.0, np.full((2, 3), np.nan), d, [0.0])
    with pytest.raises(ValueError, match="floating"):
        landscape.ray(lambda V: 0.0, np.ones((2, 3), dtype=int), d, [0.0])


def test_random_direction_keeps_dtype_and_structure_and_checks_seed():
    params = init_params(seed=0, sizes=(4, 3, 2), dtype=np.float32)
    d = landscape.random_direction(params, seed=1)
    assert [a.dtype for a in d] == [np.float32] * 4 and [a.shape for a in d] == [p.shape for p in params]
    np.testing.assert_array_equal(landscape.random_direction(params, seed=1)[2], d[2])
    assert not np.array_equal(landscape.random_direction(params, seed=2)[2], d[2])
    with pytest.raises(ValueError, match="seed"):
        landscape.random_direction(params, seed=-1)


def test_stacked_evaluation_of_a_network_equals_one_at_a_time():
    """mlp.loss takes stacked parameters: batch_size works for a list of arrays too."""
    params = init_params(seed=2, sizes=(5, 4, 3), dtype=np.float64)
    rng = np.random.default_rng(1)
    X, y = rng.random((12, 5)), rng.integers(0, 3, 12)
    L = lambda p: mlp_loss(p, X, y)                       # noqa: E731
    d1, d2 = landscape.random_direction(params, seed=1), landscape.random_direction(params, seed=2)
    alphas, betas = np.linspace(-1, 1, 5), np.linspace(-0.5, 0.5, 3)
    one = landscape.plane(L, params, d1, d2, alphas, betas)
    np.testing.assert_allclose(landscape.plane(L, params, d1, d2, alphas, betas, batch_size=4), one,
                               rtol=1e-12)
    expected = L([p + alphas[4] * a + betas[0] * b for p, a, b in zip(params, d1, d2)])
    assert one[0, 4] == pytest.approx(expected)
