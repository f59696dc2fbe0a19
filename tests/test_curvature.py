"""d2lutils.optim.curvature (K-FAC), against hand-written factors, the Fisher identity and SGD."""
import numpy as np
import pytest

from d2lutils.data.digits import load_digits
from d2lutils.models import mlp
from d2lutils.optim import curvature as cv
from d2lutils.training.digits import train_runs

DATA = load_digits()
X, Y = DATA.X_train[:40].astype(np.float64), DATA.y_train[:40]


def params(seed=0):
    return mlp.init_params(seed, "he", mlp.SIZES, np.float64)


def test_statistics_gradient_and_factors_by_hand():
    p = params()
    u = np.random.default_rng(1).random(40)
    loss, grads, A, G = cv.kfac_statistics(p, X, Y, u)
    loss_ref, grads_ref = mlp.loss_and_grads(p, X, Y)
    assert loss == pytest.approx(loss_ref, abs=1e-13)
    assert all(np.allclose(a, b, atol=1e-14) for a, b in zip(grads, grads_ref))
    a0 = np.hstack([X, np.ones((40, 1))])
    assert np.allclose(A[0], a0.T @ a0 / 40)                                # first layer: inputs
    logits, hidden = mlp.forward(p, X)
    a1 = np.hstack([hidden[0], np.ones((40, 1))])
    assert np.allclose(A[1], a1.T @ a1 / 40)
    prob = np.exp(logits - logits.max(1, keepdims=True))
    prob /= prob.sum(1, keepdims=True)
    y_hat = np.array([np.searchsorted(np.cumsum(q), v, side="right") for q, v in zip(prob, u)])
    delta = prob - np.eye(10)[y_hat]                                        # sampled labels
    assert np.allclose(G[1], delta.T @ delta / 40)
    assert [a.shape for a in A] == [(65, 65), (33, 33)] and [g.shape for g in G] == [(32, 32), (10, 10)]


def test_output_factor_averaged_over_labels_is_the_softmax_hessian():
    """Σ_c p_c (p − e_c)(p − e_c)ᵀ = diag(p) − p pᵀ: the Fisher of the logits equals ∇²_z ℓ."""
    p = params(2)
    logits, _ = mlp.forward(p, X[:1])
    prob = np.exp(logits[0] - logits[0].max())
    prob /= prob.sum()
    lower = np.concatenate([[0.0], np.cumsum(prob)[:-1]])
    G = sum(q * cv.kfac_statistics(p, X[:1], Y[:1], [lo + q / 2])[3][1] for q, lo in zip(prob, lower))
    assert np.allclose(G, np.diag(prob) - np.outer(prob, prob), atol=1e-12)


def test_stacked_statistics_equal_single_runs():
    ps = [params(0), params(1)]
    stacked = [np.stack([a, b]) for a, b in zip(*ps)]
    u = np.random.default_rng(0).random((2, 40))
    out = cv.kfac_statistics(stacked, X, Y, u)
    for r in range(2):
        single = cv.kfac_statistics(ps[r], X, Y, u[r])
        assert np.isclose(out[0][r], single[0])
        for k in (1, 2, 3):
            assert all(np.allclose(s[r], t) for s, t in zip(out[k], single[k]))


def test_step_orientation_and_inverses():
    p = params()
    grads = [np.random.default_rng(k).normal(size=q.shape) for k, q in enumerate(p)]
    a = [np.diag(np.arange(1.0, 66.0)), np.diag(np.arange(1.0, 34.0))]
    g = [np.diag(np.arange(2.0, 34.0)), np.diag(np.arange(2.0, 12.0))]
    A_inv, G_inv = cv.kfac_inverses(a, g, damping=0.25)
    assert np.allclose(A_inv[0] @ (a[0] + 0.5 * np.eye(65)), np.eye(65))
    new = [q.copy() for q in p]
    cv.kfac_step(new, grads, A_inv, G_inv, lr=0.1)
    da, dg = 1 / (np.arange(1.0, 66.0) + 0.5), 1 / (np.arange(2.0, 34.0) + 0.5)
    assert np.allclose(new[0], p[0] - 0.1 * da[:-1, None] * grads[0] * dg[None, :])   # rows: inputs
    assert np.allclose(new[1], p[1] - 0.1 * da[-1] * grads[1] * dg)                   # bias row


def test_large_damping_is_sgd_with_lr_over_damping():
    """(A + √λI)⁻¹ ∇ (G + √λI)⁻¹ → ∇/λ as λ → ∞: K-FAC with lr = λη is SGD with η, same batches."""
    lam, eta = 1e12, 0.05
    kfac = cv.train_kfac(DATA, lrs=(lam * eta,), seeds=(3,), damping=lam, num_epochs=1)
    sgd = train_runs("sgd", DATA, lrs=(eta,), seeds=(3,), num_epochs=1, dtype=np.float64)
    assert np.allclose(kfac.train_loss, sgd.train_loss, rtol=1e-4)
    assert all(np.allclose(a, b, atol=1e-6) for a, b in zip(kfac.final_params, sgd.final_params))


def test_train_kfac_runs_do_not_depend_on_the_sweep_and_learn():
    alone = cv.train_kfac(DATA, lrs=(0.3,), seeds=(4,), num_epochs=2)
    sweep = cv.train_kfac(DATA, lrs=(0.1, 0.3), seeds=(1, 4), num_epochs=2)
    assert np.allclose(alone.train_loss[0, 0], sweep.train_loss[1, 1])
    assert alone.train_loss[0, 0, -1] < 0.2 * alone.train_loss[0, 0, 0]
    diverged = cv.train_kfac(DATA, lrs=(30.0,), seeds=(0,), num_epochs=1)
    assert diverged.diverged.all() or diverged.train_loss[0, 0, -1] > 10


@pytest.mark.parametrize("call, message", [
    (lambda: cv.kfac_statistics(params(), X, Y, np.full(40, 1.0)), "u must hold"),
    (lambda: cv.kfac_statistics(params(), X, Y, np.zeros(39)), "u must hold"),
    (lambda: cv.kfac_inverses([np.eye(2)], [np.eye(2)], 0.0), "damping must be positive"),
    (lambda: cv.kfac_step(params(), params(), [np.eye(65)] * 2, [np.eye(32)] * 2, np.nan), "lr must be positive"),
    (lambda: cv.train_kfac(DATA, lrs=()), "lrs must hold"),
    (lambda: cv.train_kfac(DATA, lrs=(-1.0,)), "lrs"),
    (lambda: cv.train_kfac(DATA, decay=1.0), "decay must lie in"),
    (lambda: cv.train_kfac(DATA, damping=np.nan), "damping must be a finite"),
    (lambda: cv.train_kfac(DATA, inverse_every=0), "inverse_every must be positive"),
    (lambda: cv.train_kfac((1, 2)), "data must be"),
])
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_seeds_must_be_integers():
    with pytest.raises(TypeError, match="seeds"):
        cv.train_kfac(DATA, seeds=(1.5,))


def test_train_kfac_equals_a_hand_written_loop():
    """Three steps (batch 449 of 1347), running averages with weight 0.9 on the past, inverses each step."""
    from d2lutils.training.digits import batch_orders
    run = cv.train_kfac(DATA, lrs=(0.2,), seeds=(5,), damping=0.1, decay=0.9, inverse_every=1,
                        num_epochs=1, batch_size=449)
    p = params(5)
    Xf, yf = DATA.X_train.astype(np.float64), DATA.y_train
    rng, A, G = np.random.default_rng(5), None, None
    for idx in batch_orders(len(yf), 449, 1, 5)[0]:
        _, grads, A_new, G_new = cv.kfac_statistics(p, Xf[idx], yf[idx], rng.random(len(idx)))
        A = A_new if A is None else [0.9 * a + 0.1 * n for a, n in zip(A, A_new)]
        G = G_new if G is None else [0.9 * g + 0.1 * n for g, n in zip(G, G_new)]
        cv.kfac_step(p, grads, *cv.kfac_inverses(A, G, 0.1), 0.2)
    assert all(np.allclose(a[0], b, atol=1e-12) for a, b in zip(run.final_params, p))
