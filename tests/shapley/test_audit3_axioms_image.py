"""Shapley axioms of ImageShapleyExplainer on games its authors did not try (audit 3)."""

import numpy as np

from skxai.shapley import ImageShapleyExplainer
from tests._enumeration import assert_rounding_only, shapley_by_enumeration

H, W = 6, 4
# a 3 x 2 grid of 2 x 2 cells: region r = the cell (r // 2, r % 2)
LABELS = np.repeat(np.repeat(np.arange(6).reshape(3, 2), 2, axis=0), 2, axis=1)
WEIGHTS = np.random.RandomState(0).normal(size=(H * W, 3))


def _model(A):
    """Three softmax outputs of the flattened pixels, with interactions between regions."""
    z = np.asarray(A).reshape(len(A), -1) @ WEIGHTS
    z = z + 3 * z[:, :1] * z[:, 1:2]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _brute_force(img, baseline):
    p = 6
    return shapley_by_enumeration(lambda S: _model(np.where(np.isin(LABELS, S), img, baseline)[None])[0], p)


def test_sampling_auto_walks_about_2048_coalitions_on_few_regions():
    # "auto" is documented as about 2048 coalitions walked (as the tabular sampling explainer):
    # on 6 regions that many permutations visit all 64 coalitions, so the values are exact.
    # The budget was first capped at 2**p (KernelSHAP's cap), leaving 10 permutations on 6
    # regions: errors up to 0.16 on probabilities.
    rng = np.random.RandomState(1)
    X = rng.rand(5, H * W)
    for seed in range(3):
        est = ImageShapleyExplainer(
            _model, method="sampling", image_shape=(H, W), n_segments=(3, 2), target=0, random_state=seed
        ).fit(X)
        exp = est.explain(X[:2])
        expected = np.stack([_brute_force(x.reshape(H, W), 0.0) for x in X[:2]])
        np.testing.assert_allclose(exp.player_values, expected, atol=1e-12)
        assert_rounding_only(exp.std, 1.0)  # probabilities
