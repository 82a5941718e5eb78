"""TreeSHAP explains a model only where its own outputs are its trees' (an outside audit,
session 24): subclasses changing a private method, and Pipeline or search subclasses changing
``predict``, were explained from the bare trees, their values summing to something else."""

import warnings

import numpy as np
import pytest
from sklearn.ensemble import GradientBoostingRegressor, HistGradientBoostingRegressor, IsolationForest
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

from skxai import TreeShapExplainer


def _data():
    rng = np.random.RandomState(0)
    X = rng.randn(200, 4)
    return X, X[:, 0] + X[:, 1] ** 2


class _RawShiftedHGB(HistGradientBoostingRegressor):
    def _raw_predict(self, X, n_threads=None):
        return super()._raw_predict(X, n_threads) + 10.0


class _RawScaledGB(GradientBoostingRegressor):
    def _raw_predict(self, X):
        return super()._raw_predict(X) * 2


class _ReversedColumnsTree(DecisionTreeRegressor):
    def _validate_X_predict(self, X, check_input):
        return super()._validate_X_predict(X, check_input)[:, ::-1].copy()


class _ShiftedPipeline(Pipeline):
    def predict(self, X, **params):
        return super().predict(X, **params) + 100


class _ShiftedSearch(GridSearchCV):
    def predict(self, X):
        return super().predict(X) - 50


class _FitLoggingTree(DecisionTreeRegressor):
    """Overrides fit only: its predictions are its trees'."""

    def fit(self, X, y, **kw):
        self.logged_ = True
        return super().fit(X, y, **kw)


def _changed_models(X, y):
    return {
        "hgb _raw_predict": _RawShiftedHGB(max_iter=5).fit(X, y),
        "gb _raw_predict": _RawScaledGB(n_estimators=5, random_state=0).fit(X, y),
        "tree _validate_X_predict": _ReversedColumnsTree(max_depth=3, random_state=0).fit(X, y),
        "pipeline predict": _ShiftedPipeline(
            [("s", StandardScaler()), ("t", DecisionTreeRegressor(max_depth=3, random_state=0))]
        ).fit(X, y),
        "search predict": _ShiftedSearch(DecisionTreeRegressor(random_state=0), {"max_depth": [2]}, cv=2).fit(X, y),
    }


@pytest.mark.parametrize("case", list(_changed_models(*_data())))
@pytest.mark.parametrize("game", ["interventional", "tree_path_dependent"])
def test_model_whose_outputs_are_not_its_trees_is_refused(case, game):
    X, y = _data()
    model = _changed_models(X, y)[case]
    with pytest.raises(TypeError, match="differs from what its .* trees give"):
        TreeShapExplainer(model, feature_perturbation=game).fit(X[:50])


def test_subclass_keeping_its_trees_predictions_is_explained():
    X, y = _data()
    model = _FitLoggingTree(max_depth=4, random_state=0).fit(X, y)
    exp = TreeShapExplainer(model).fit(X[:50]).explain(X[:5])
    np.testing.assert_allclose(exp.values.sum(axis=1) + exp.base_values, model.predict(X[:5])[:, None], atol=1e-12)


@pytest.mark.parametrize("response", ["decision_function", "predict"])
def test_isolation_forest_explains_its_path_length_only(response):
    # decision_function is a non-linear map of the mean path length: the name was accepted and
    # the path length explained under it (values summing to 6.8, decision_function -0.13)
    X, _ = _data()
    model = IsolationForest(n_estimators=10, random_state=0).fit(X)
    with pytest.raises(ValueError, match="mean path length"):
        TreeShapExplainer(model, response_method=response).fit(X[:50])
    assert TreeShapExplainer(model).fit(X[:50]).quantity_ == "output"


class _ShiftedHGB(HistGradientBoostingRegressor):
    def _raw_predict(self, X, n_threads=None):
        return super()._raw_predict(X, n_threads) + 5.0


def test_background_rows_all_holding_nan_are_checked_too():
    # the check took finite rows only: a background whose every row holds a NaN checked nothing
    X, y = _data()
    X = X.copy()
    X[::2, 0] = np.nan
    model = _ShiftedHGB(max_iter=5).fit(X, y)
    background = X[::2][:20]
    assert np.isnan(background).any(axis=1).all()
    with pytest.raises(TypeError, match="differs from what its"):
        TreeShapExplainer(model).fit(background)


def test_sparse_fit_data_through_a_pipeline_is_checked():
    import scipy.sparse as sp

    X, y = _data()
    model = _ShiftedPipeline(
        [("s", StandardScaler(with_mean=False)), ("t", DecisionTreeRegressor(max_depth=3, random_state=0))]
    ).fit(X, y)
    with pytest.raises(TypeError, match="differs from what its"):
        TreeShapExplainer(model).fit(sp.csr_matrix(X[:50]))


def test_a_background_value_beyond_float32_keeps_its_own_message():
    # the check ran before the background's own check and gave scikit-learn's bare message
    from sklearn.ensemble import RandomForestRegressor

    X, y = _data()
    model = RandomForestRegressor(n_estimators=5, max_depth=3, random_state=0).fit(X, y)
    background = X[:30].copy()
    background[0, 1] = 1e39
    with pytest.raises(ValueError, match="The background contains a value too large for float32"):
        TreeShapExplainer(model, feature_perturbation="interventional").fit(background)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # scikit-learn's cast of 1e39 to float32
        exp = TreeShapExplainer(model, feature_perturbation="tree_path_dependent").fit(background).explain(X[:3])
    np.testing.assert_allclose(exp.values.sum(axis=1) + exp.base_values, model.predict(X[:3])[:, None], atol=1e-12)
