"""Deprecated response names (``"logits"``, ``"raw"``, ``"proba"``) given to a regressor.

Before: the FutureWarning advised the new name (``decision_function`` / ``predict_proba``) and
the next line refused it, so the user got a warning for advice that cannot be followed. Now a
name the model cannot give is one clear error (no FutureWarning), and a network regressor's
``"logits"`` (its raw output, which the first release explained under that name) is its
prediction: mapped to ``"predict"``, with the warning naming ``"predict"``.
"""

import warnings

import numpy as np
import pytest
from sklearn.ensemble import RandomForestRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Ridge
from sklearn.neural_network import MLPRegressor

from skxai.controls import RandomExplainer
from skxai.gradient import IntegratedGradientsExplainer
from skxai.shapley import KernelShapExplainer, TreeShapExplainer

pytest.importorskip("torch")


@pytest.fixture(scope="module")
def data():
    X = np.random.RandomState(0).normal(size=(40, 3))
    return X, X @ np.array([1.0, 2.0, 3.0])


@pytest.fixture(scope="module")
def mlp(data):
    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return MLPRegressor(hidden_layer_sizes=(5,), max_iter=300, random_state=0).fit(X, y)


def _fit(make, X):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        try:
            make().fit(X)
        except ValueError as e:
            return e, [w for w in seen if issubclass(w.category, FutureWarning)]
    return None, [w for w in seen if issubclass(w.category, FutureWarning)]


@pytest.mark.parametrize("alias", ["logits", "raw", "proba"])
def test_tabular_regressor_alias_is_one_error(data, alias):
    X, y = data
    model = Ridge().fit(X, y)
    err, future = _fit(lambda: KernelShapExplainer(model, response_method=alias), X)
    assert err is not None
    assert alias in str(err)
    assert future == [], [str(w.message) for w in future]


@pytest.mark.parametrize("make", [
    lambda m: IntegratedGradientsExplainer(m, response_method="proba"),
    lambda m: RandomExplainer(m, response_method="proba"),
])
def test_network_regressor_proba_is_one_error(data, mlp, make):
    X, _ = data
    err, future = _fit(lambda: make(mlp), X)
    assert err is not None and "proba" in str(err)
    assert future == [], [str(w.message) for w in future]


def test_tree_regressor_proba_is_one_error(data):
    X, y = data
    rf = RandomForestRegressor(n_estimators=3, random_state=0).fit(X, y)
    err, future = _fit(lambda: TreeShapExplainer(rf, response_method="proba"), X)
    assert err is not None and "proba" in str(err)
    assert future == []


def _skorch_regressor(X, y):
    skorch = pytest.importorskip("skorch")
    import torch
    from torch import nn

    torch.manual_seed(0)
    net = skorch.NeuralNetRegressor(nn.Linear(3, 1), max_epochs=1, lr=0.01, train_split=None, verbose=0)
    return net.fit(X.astype(np.float32), y[:, None].astype(np.float32))


@pytest.mark.parametrize("alias", ["logits", "raw"])
@pytest.mark.parametrize("case", ["ig-mlp", "ig-skorch", "random-skorch"])
def test_network_regressor_logits_is_its_prediction(data, mlp, case, alias):
    X, y = data
    cls = IntegratedGradientsExplainer if case.startswith("ig") else RandomExplainer
    model = mlp if case == "ig-mlp" else _skorch_regressor(X, y)
    Xf = X if case == "ig-mlp" else X.astype(np.float32)
    err, future = _fit(lambda: cls(model, response_method=alias), Xf)
    assert err is None, err
    assert len(future) == 1 and "'predict'" in str(future[0].message)
    with pytest.warns(FutureWarning):
        old = cls(model, response_method=alias, random_state=0).fit(Xf).explain(Xf[:5])
    new = cls(model, response_method="predict", random_state=0).fit(Xf).explain(Xf[:5])
    np.testing.assert_array_equal(old.values, new.values)
    assert old.quantity == new.quantity == "prediction"


def test_sklearn_regressor_in_a_control_is_one_error(data, mlp):
    # RandomExplainer calls a scikit-learn MLP through its methods: it has no decision function
    X, _ = data
    err, future = _fit(lambda: RandomExplainer(mlp, response_method="logits"), X)
    assert err is not None and "logits" in str(err)
    assert future == []


def test_tree_regressor_raw_still_explains_the_raw_score(data):
    # TreeSHAP reads a regressor's raw score itself: the alias keeps working (warning only)
    X, y = data
    rf = RandomForestRegressor(n_estimators=3, random_state=0).fit(X, y)
    with pytest.warns(FutureWarning):
        old = TreeShapExplainer(rf, response_method="raw").fit(X).transform(X[:5])
    new = TreeShapExplainer(rf, response_method="decision_function").fit(X).transform(X[:5])
    np.testing.assert_array_equal(old, new)
