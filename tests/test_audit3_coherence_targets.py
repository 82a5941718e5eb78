"""``target=None`` on a model with several unlabeled outputs (a multi-output regressor): one
rule in every tabular family.

TreeSHAP fitted, gave every output from ``explain`` and refused only the calls that return one
output; Exact, Kernel, Sampling, LIME and Shapley regression refused at ``fit`` ("choose one with
target"), so ``explain`` could not give the outputs it computes anyway. Now all of them fit,
``explain`` holds every output (equal to the values fitted with a target) and ``transform`` /
``target_indices`` / ``score`` refuse with a ValueError that names ``target``.
"""

import numpy as np
import pytest
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression
from sklearn.tree import DecisionTreeRegressor

from skxai import (
    ExactShapleyExplainer,
    KernelShapExplainer,
    LimeExplainer,
    RandomExplainer,
    ShapleyRegressionExplainer,
    ShapleySamplingExplainer,
    TreeShapExplainer,
)

RNG = np.random.RandomState(0)
X = RNG.normal(size=(30, 3))
Y = np.c_[X @ [1.0, 2.0, 3.0], X @ [-1.0, 0.0, 1.0]]
LIN = LinearRegression().fit(X, Y)
TREE = DecisionTreeRegressor(max_depth=3, random_state=0).fit(X, Y)

CASES = {
    "exact": lambda t: ExactShapleyExplainer(FrozenEstimator(LIN), target=t),
    "kernel": lambda t: KernelShapExplainer(FrozenEstimator(LIN), target=t, n_samples=64, random_state=0),
    "sampling": lambda t: ShapleySamplingExplainer(FrozenEstimator(LIN), target=t, n_permutations=4, random_state=0),
    "lime": lambda t: LimeExplainer(FrozenEstimator(LIN), target=t, n_samples=64, random_state=0),
    "regression": lambda t: ShapleyRegressionExplainer(LinearRegression(), target=t),
    "tree": lambda t: TreeShapExplainer(FrozenEstimator(TREE), target=t),
    "random": lambda t: RandomExplainer(FrozenEstimator(LIN), target=t, random_state=0),
}


def _fit(name, target):
    return CASES[name](target).fit(X, Y if name == "regression" else None)


@pytest.mark.parametrize("name", list(CASES))
def test_target_none_explains_every_output_and_transform_asks_for_one(name):
    exp = _fit(name, None).explain(X[:4])
    assert np.shape(exp.values) == (4, 3, 2)
    for j in (0, 1):
        one = _fit(name, j)
        # the same numbers as the explainer fitted for output j (same seeds, every output computed)
        np.testing.assert_allclose(np.asarray(exp.values)[..., j], one.transform(X[:4]), rtol=1e-12, atol=1e-12)
    if name in ("exact", "tree"):  # closed form of a linear model / efficiency
        np.testing.assert_allclose(
            np.asarray(exp.values).sum(axis=1) + exp.base_values, np.asarray(exp.outputs), atol=1e-9
        )
    fitted = _fit(name, None)
    for call in (fitted.transform, fitted.target_indices):
        with pytest.raises(ValueError, match=r"target=None explains all 2 outputs .*target=<output index"):
            call(X[:4])


@pytest.mark.parametrize("name", ["exact", "kernel", "lime", "tree"])
def test_score_asks_for_one_output(name):
    with pytest.raises(ValueError, match=r"target=<output index"):
        _fit(name, None).score(X[:4])


@pytest.mark.parametrize("name", ["exact", "lime", "tree"])
def test_a_target_set_after_a_fit_without_one_is_refused(name):
    """set_params(target=1) after fit(target=None) told the user to pass the target it had."""
    fitted = _fit(name, None)
    fitted.set_params(target=1)
    with pytest.raises(ValueError, match="set after fit"):
        fitted.transform(X[:2])


def test_image_shapley_follows_the_same_rule():
    """ImageShapleyExplainer computes every output's heatmaps too: it refused target=None on a
    multi-output regressor at fit; now explain gives every output and transform asks for one."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    from skxai import ImageShapleyExplainer

    rs = np.random.RandomState(0)
    images = rs.normal(size=(20, 1, 6, 6))
    targets = np.c_[images.mean(axis=(1, 2, 3)), images[:, 0, 0, 0]]
    flat = FunctionTransformer(lambda A: np.asarray(A).reshape(len(A), -1))
    model = make_pipeline(flat, LinearRegression()).fit(images, targets)
    every = ImageShapleyExplainer(model, method="exact", n_segments=4).fit(images)
    exp = every.explain(images[:2])
    assert np.shape(exp.values) == (2, 6, 6, 2) and exp.target_index is None
    for j in (0, 1):
        one = ImageShapleyExplainer(model, method="exact", n_segments=4, target=j).fit(images)
        np.testing.assert_allclose(np.asarray(exp.values)[..., j], one.transform(images[:2]), atol=1e-12)
    for call in (every.transform, every.target_indices):
        with pytest.raises(ValueError, match=r"target=None explains all 2 outputs .*target=<output index"):
            call(images[:2])
