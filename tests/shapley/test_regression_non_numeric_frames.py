"""ShapleyRegressionExplainer on frames with categorical and string columns: refused ("needs
numeric features (it slices columns)") though it slices frames, and the usual pipeline (one-hot
encoding the categories, scaling the numbers) trains on every sub-frame (an outside audit,
session 30)."""

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skxai import ShapleyRegressionExplainer


def _frame(n=200):
    rng = np.random.RandomState(0)
    return pd.DataFrame(
        {
            "num": rng.normal(size=n),
            "cat": pd.Categorical(rng.choice(["a", "b", "c"], n)),
            "word": rng.choice(["red", "green"], n).astype(object),
        }
    )


def _pipeline(final):
    ct = ColumnTransformer(
        [
            ("oh", OneHotEncoder(handle_unknown="ignore"), make_column_selector(dtype_exclude="number")),
            ("sc", StandardScaler(), make_column_selector(dtype_include="number")),
        ]
    )
    return make_pipeline(ct, final)


def _brute_force(model, df, y, rows, output, v_empty):
    p = df.shape[1]
    columns = list(df.columns)

    def v(S):
        if not S:
            return np.full(len(rows), v_empty)
        sub = [columns[j] for j in S]
        return output(clone(model).fit(df[sub], y), rows[sub])

    values = {S: v(S) for k in range(p + 1) for S in itertools.combinations(range(p), k)}
    phi = np.zeros((len(rows), p))
    for j in range(p):
        for S, value in values.items():
            if j in S:
                continue
            w = math.factorial(len(S)) * math.factorial(p - len(S) - 1) / math.factorial(p)
            phi[:, j] += w * (values[tuple(sorted(S + (j,)))] - value)
    return phi


def test_a_classifier_pipeline_on_categories_and_strings_matches_retraining_by_hand():
    df = _frame()
    y = np.where(df.num + (df.cat == "a") + (df.word == "red") > 1, "yes", "no")
    model = _pipeline(LogisticRegression()).fit(df, y)
    ex = ShapleyRegressionExplainer(model, target="yes").fit(df, y)
    rows = df.iloc[:5]
    np.testing.assert_allclose(ex.expected_value_, [np.mean(y == "no"), np.mean(y == "yes")], rtol=1e-12)
    truth = _brute_force(model, df, y, rows, lambda m, r: m.predict_proba(r)[:, 1], np.mean(y == "yes"))
    np.testing.assert_allclose(ex.transform(rows), truth, atol=1e-6)


def test_a_regressor_pipeline_adds_up_to_its_prediction():
    df = _frame()
    y = 2 * df.num.to_numpy() + (df.cat == "b") - (df.word == "green")
    model = _pipeline(Ridge()).fit(df, y)
    ex = ShapleyRegressionExplainer(model).fit(df, y)
    rows = df.iloc[:6]
    values = ex.transform(rows)
    np.testing.assert_allclose(values.sum(axis=1), model.predict(rows) - ex.expected_value_[0], atol=1e-10)
    truth = _brute_force(model, df, y, rows, lambda m, r: m.predict(r), float(np.mean(y)))
    np.testing.assert_allclose(values, truth, atol=1e-8)


@pytest.mark.parametrize("seed", [0, 1])
def test_the_values_do_not_depend_on_the_rows_order(seed):
    df = _frame()
    y = np.where(df.num + (df.cat == "a") > 0.5, "yes", "no")
    model = _pipeline(LogisticRegression()).fit(df, y)
    order = np.random.RandomState(seed).permutation(len(df))
    a = ShapleyRegressionExplainer(model, target="yes").fit(df, y).transform(df.iloc[:4])
    b = ShapleyRegressionExplainer(model, target="yes").fit(df.iloc[order], y[order]).transform(df.iloc[:4])
    np.testing.assert_allclose(a, b, atol=1e-7)


def test_pandas_missing_values_in_a_string_column():
    # "boolean value of NA is ambiguous": pd.NA compared with == in the constant-column check
    from sklearn.impute import SimpleImputer

    df = _frame(120)
    df["word"] = df["word"].astype("string")
    df.loc[::7, "word"] = pd.NA
    y = df.num.to_numpy() + (df.cat == "b")
    strings = make_pipeline(SimpleImputer(strategy="most_frequent", missing_values=pd.NA), OneHotEncoder())
    ct = ColumnTransformer(
        [
            ("oh", strings, make_column_selector(dtype_include="string")),
            ("cat", OneHotEncoder(), make_column_selector(dtype_include="category")),
            ("sc", StandardScaler(), make_column_selector(dtype_include="number")),
        ]
    )
    model = make_pipeline(ct, Ridge()).fit(df, y)
    ex = ShapleyRegressionExplainer(model).fit(df, y)
    values = ex.transform(df.iloc[:4])
    np.testing.assert_allclose(values.sum(axis=1), model.predict(df.iloc[:4]) - ex.expected_value_[0], atol=1e-10)


def test_the_empty_coalitions_input_holds_values_each_column_holds():
    # a category of the numbers 1 and 2 (even counts) took their median, 1.5, no category
    from skxai.shapley._regression import _no_information_row

    column = np.array([1, 2] * 10, dtype=object)
    strings = np.array(["1", "2", "3", "3"] * 5, dtype=object)
    numbers = np.arange(20.0).astype(object)
    row = _no_information_row(np.c_[column, strings, numbers], numeric=[False, False, True])
    assert row[0] == 1 and row[1] == "3" and row[2] == 9.5
