"""``target="predicted"`` on a regressor with several outputs: refused by the torch families too.

The tabular families refuse it (the largest of unrelated predictions, price and quantity, is
no prediction of the model; the vocabulary page says so), but the gradient explainers took it
on an MLPRegressor or a multi-output linear model and explained whichever output was larger
for each row, without a word. They now refuse it at ``fit`` with the tabular families' words.
"""

import numpy as np
import pytest
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import Ridge
from sklearn.neural_network import MLPRegressor

from skxai import (
    DeepShapExplainer,
    GradientExplainer,
    IntegratedGradientsExplainer,
    KernelShapExplainer,
    SmoothGradExplainer,
)

RS = np.random.RandomState(0)
X = RS.normal(size=(30, 3))
Y = np.c_[X @ [1.0, 2.0, 3.0], X @ [-1.0, 0.0, 1.0]]
MODELS = {
    "ridge": Ridge().fit(X, Y),
    "mlp": MLPRegressor(hidden_layer_sizes=(5,), max_iter=30, random_state=0).fit(X, Y),
}
TORCH = [GradientExplainer, IntegratedGradientsExplainer, DeepShapExplainer, SmoothGradExplainer]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("model", list(MODELS))
@pytest.mark.parametrize("cls", [*TORCH, KernelShapExplainer], ids=lambda c: c.__name__)
def test_predicted_is_refused_for_a_multi_output_regressor(cls, model):
    with pytest.raises(
        ValueError, match=r"target='predicted' picks the largest output.*target=<output index> \(0\.\.1\)"
    ):
        cls(FrozenEstimator(MODELS[model]), target="predicted").fit(X)


@pytest.mark.parametrize("cls", TORCH, ids=lambda c: c.__name__)
def test_an_output_index_still_explains_that_output(cls):
    # gradient of output 1 of a linear model is its coefficients
    exp = GradientExplainer(FrozenEstimator(MODELS["ridge"]), target=1).fit(X)
    np.testing.assert_allclose(exp.transform(X[:2]), np.tile(MODELS["ridge"].coef_[1], (2, 1)), rtol=1e-10)
    assert cls(FrozenEstimator(MODELS["ridge"]), target=1).fit(X).transform(X[:2]).shape == (2, 3)
