"""The speed paths of KernelSHAP (issue 16) give the numbers of the plain computation.

- the background block built from a copied template equals the three-way ``np.where`` of the
  definition ``(x_S, b_rest)``, also when the model writes into its input;
- k-additive operators kept between calls: a second call, a call after the cache was emptied
  and a fresh design give what a cold call gives;
- the per-unit sums of the stratified variance equal ``np.add.at``'s.
"""

import numpy as np
import pytest

from skxai import KernelShapExplainer, _estimate
from skxai._designs import kernel_design
from skxai._games._background import BackgroundGame


def _brute_values(f, X, bg, w, masks):
    """v_x(S) = sum_b w_b f(x_S, b_rest), one coalition at a time."""
    out = np.empty((len(X), len(masks)))
    for i, x in enumerate(X):
        for j, s in enumerate(masks):
            out[i, j] = w @ f(np.where(s, x, bg))[:, 0]
    return out


def test_background_block_equals_definition_and_survives_in_place_models():
    rng = np.random.RandomState(0)
    p, nb = 5, 7
    bg = rng.normal(size=(nb, p))
    w = rng.dirichlet(np.ones(nb))
    X = rng.normal(size=(3, p))
    masks = rng.rand(11, p) > 0.5
    coef = rng.normal(size=p)

    def f(A):
        return np.tanh(A @ coef)[:, None] + A[:, :1] * A[:, 1:2]

    def f_in_place(A):
        out = f(A)
        A *= 0.0  # a model that scribbles on its input must not change the next call's rows
        return out

    expected = _brute_values(f, X, bg, w, masks)
    for model in (f, f_in_place):
        game = BackgroundGame(model, bg, w, [np.array([j]) for j in range(p)])
        got = game.values(X, masks)[..., 0]
        np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-13)
    # Grouped players: the column masks expand the groups.
    groups = [np.array([0, 1]), np.array([2]), np.array([3, 4])]
    game = BackgroundGame(f, bg, w, groups)
    pm = rng.rand(6, 3) > 0.5
    cm = np.zeros((6, p), dtype=bool)
    for g, cols in enumerate(groups):
        cm[:, cols] = pm[:, [g]]
    np.testing.assert_allclose(game.values(X, pm)[..., 0], _brute_values(f, X, bg, w, cm), rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("p, budget", [(9, 220), (10, 700)])  # jackknife; leave-one-out sandwich
def test_kept_k_additive_operators_give_the_cold_numbers(p, budget):
    rng = np.random.RandomState(1)
    coef = rng.normal(size=p)

    def f(A):
        return np.tanh(A @ coef) + A[:, 0] * A[:, 1] * A[:, 2]

    bg = rng.normal(size=(8, p))
    X = rng.normal(size=(3, p))
    est = KernelShapExplainer(f, n_samples=budget, max_order=3, max_background=None, random_state=0).fit(bg)
    _estimate._kadd_cache.clear()
    _estimate._seeded_design.cache_clear()
    cold = est.explain(X)
    warm = est.explain(X)
    assert cold.order == 3
    np.testing.assert_array_equal(warm.values, cold.values)
    np.testing.assert_array_equal(warm.std, cold.std)
    _estimate._kadd_cache.clear()
    _estimate._seeded_design.cache_clear()
    again = est.explain(X)
    np.testing.assert_array_equal(again.values, cold.values)
    np.testing.assert_array_equal(again.std, cold.std)
    # Efficiency holds exactly on the kept path as on the cold one.
    np.testing.assert_allclose(warm.values.reshape(3, p).sum(axis=1), f(X) - f(bg).mean(), atol=1e-10)
    assert np.isfinite(warm.std).all() and (warm.std > 0).any()


def test_kept_operators_are_read_only():
    design = kernel_design(8, 120, np.random.RandomState(0), max_enumerated_share=0.4)
    Y = np.random.RandomState(1).normal(size=(design.masks.shape[0], 2))
    phi, C, loo = _estimate._kadd_solve(design, Y, np.zeros(2), 3, with_influence=True)
    with pytest.raises(ValueError):
        C[0, 0] = 1.0
    d = _estimate._seeded_design(8, 120, 5, "leverage", 0.4)
    with pytest.raises(ValueError):
        d.weights[0] = 1.0


def test_unit_sums_equal_add_at():
    design = kernel_design(9, 200, np.random.RandomState(0))
    sampled = design.unit >= 0
    rng = np.random.RandomState(2)
    C = rng.normal(size=(int(sampled.sum()), 9))
    resid = rng.normal(size=(int(sampled.sum()), 4))
    var, df = _estimate._stratified_variance(design, C, resid)
    # Reference: np.add.at per unit, then the stratified formula written out.
    unit = design.unit[sampled]
    H = np.zeros((unit.max() + 1, 4, 9))
    np.add.at(H, unit, resid[:, :, None] * C[:, None, :])
    stratum, count, fpc = _estimate._collapsed_strata(design)
    ref = np.zeros((9, 4))
    for s, (n_s, f) in enumerate(zip(count, fpc, strict=True)):
        if n_s < 2:
            continue
        Hs = H[stratum == s]
        ref += (f * n_s / (n_s - 1) * ((Hs - Hs.mean(axis=0)) ** 2).sum(axis=0)).T
    np.testing.assert_allclose(var, ref, rtol=1e-12)


def test_operator_cache_keeps_its_byte_total_and_drops_the_least_recently_used(monkeypatch):
    from skxai import _estimate

    monkeypatch.setattr(_estimate, "KADD_CACHE_BYTES", 3 * 800)
    cache = _estimate._OperatorCache()
    ops = {k: {"T": np.zeros(100), "d": 1.0} for k in "abcd"}  # 800 bytes each
    for k in "abc":
        cache.put(k, ops[k])
    assert len(cache) == 3 and cache._bytes == 2400
    assert cache.get("a") is ops["a"]  # "a" is now the most recently used
    cache.put("b", {"T": np.zeros(50)})  # replacing an entry counts its bytes once
    assert cache._bytes == 2000 and len(cache) == 3
    cache.put("d", ops["d"])  # 2,800 > 2,400: "c", the least recently used, goes
    assert cache.get("c") is None and cache._bytes == 2000
    assert [cache.get(k) is not None for k in "abd"] == [True, True, True]
    cache.put("e", {"T": np.zeros(300)})  # 2,400 more: all but the newest go
    assert len(cache) == 1 and cache._bytes == 2400 and cache.get("e") is not None
    cache.clear()
    assert len(cache) == 0 and cache._bytes == 0 and cache.get("e") is None
