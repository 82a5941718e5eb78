"""Audit of TreeShapExplainer on models and data its first tests did not try."""

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.ensemble import RandomForestRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.tree import DecisionTreeRegressor

from skxai import TreeShapExplainer


@pytest.mark.parametrize("game", ["tree_path_dependent", "interventional"])
def test_rare_one_hot_column_outside_the_probe_rows_is_traced(game):
    # 5000 fit rows, of which the column tracing probes 1000: a category seen in 2 rows is
    # one-hot encoded into a column the tree splits on. It varies on the fit data, so the
    # explainer must trace it to its input column instead of refusing it as constant.
    rng = np.random.RandomState(0)
    n = 5000
    df = pd.DataFrame({"a": rng.randn(n), "c": rng.choice(["x", "y"], n)})
    df.loc[[17, 3000], "c"] = "rare"
    y = df["a"] + 50.0 * (df["c"] == "rare")
    pipe = make_pipeline(
        make_column_transformer((OneHotEncoder(), ["c"]), remainder="passthrough"),
        DecisionTreeRegressor(max_depth=3, random_state=0),
    ).fit(df, y)
    ex = TreeShapExplainer(pipe, feature_perturbation=game, random_state=0).fit(df)
    rows = df.iloc[[17, 0, 3000]]
    exp = ex.explain(rows)
    np.testing.assert_allclose(exp.outputs[:, 0], pipe.predict(rows), rtol=0, atol=1e-10)
    assert list(ex.feature_names_out_) == ["a", "c"]
    # the rare rows owe their +50 to "c"
    assert exp.values[0, 1, 0] > 40 and exp.values[2, 1, 0] > 40


def test_explanation_data_follows_the_players_for_reordered_dataframe_columns():
    # explain accepts a DataFrame with the fit columns in another order (it reorders them);
    # ``data`` must be reordered too, or each attribution sits beside another column's value.
    rng = np.random.RandomState(0)
    df = pd.DataFrame(rng.randn(200, 3), columns=["a", "b", "c"])
    y = 3 * df["a"] + df["b"]
    model = RandomForestRegressor(5, max_depth=4, random_state=0).fit(df, y)
    ex = TreeShapExplainer(model).fit(df)
    shuffled = df[["c", "a", "b"]].iloc[:4]
    exp = ex.explain(shuffled)
    np.testing.assert_array_equal(exp.values, ex.explain(df.iloc[:4]).values)
    assert list(exp.data.columns) == list(exp.feature_names)
    np.testing.assert_array_equal(np.asarray(exp[:, "a"].data), df["a"].iloc[:4].to_numpy())


@pytest.mark.parametrize("classifier", [False, True])
def test_interventional_background_with_nan_refused_for_a_model_without_missing_values(classifier):
    # GradientBoosting predicts no row with NaN: a background holding NaN gave a game of rows
    # the model cannot predict (NaN silently sent right at every split), and an
    # expected_value_ that is the mean of no model output.
    from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor

    rng = np.random.RandomState(0)
    X = rng.randn(200, 3)
    y = X[:, 0] + X[:, 1] * X[:, 2]
    model = (
        GradientBoostingClassifier(n_estimators=5, random_state=0).fit(X, y > 0)
        if classifier
        else GradientBoostingRegressor(n_estimators=5, random_state=0).fit(X, y)
    )
    Xn = X.copy()
    Xn[::3, 0] = np.nan
    ex = TreeShapExplainer(model, feature_perturbation="interventional")
    with pytest.raises(ValueError, match="background.*NaN.*does not accept missing values"):
        ex.fit(Xn)


def test_value_beyond_float32_refused_as_the_model_refuses_it():
    # scikit-learn's trees compare float32 inputs and refuse a value that overflows float32;
    # the explainer rounded it to inf and explained a row the model cannot predict.
    rng = np.random.RandomState(0)
    X = rng.randn(100, 3)
    model = RandomForestRegressor(3, max_depth=3, random_state=0).fit(X, X[:, 0])
    Z = X[:2].copy()
    Z[0, 0] = 1e39
    with pytest.raises(ValueError, match="too large for dtype\\('float32'\\)"):
        with np.errstate(over="ignore"):
            model.predict(Z)
    ex = TreeShapExplainer(model).fit(X)
    with pytest.raises(ValueError, match="too large for dtype\\('float32'\\)"):
        ex.transform(Z)
