"""A tabular explainer fitted on a DataFrame is saved with skops and explains identically.

skops refused it ("no default __reduce__ due to non-trivial __cinit__"): the fitted schema held
the frame's ``dtypes`` Series (and pandas dtype objects), which skops cannot save; pickles worked.
"""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from skxai import ExactShapleyExplainer, KernelShapExplainer

skops_io = pytest.importorskip("skops.io")


def _frame(n=40, seed=0):
    rng = np.random.RandomState(seed)
    return pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "k": rng.randint(0, 5, size=n),
            "flag": rng.rand(n) > 0.5,
            "n": pd.array(rng.randint(0, 3, size=n), dtype="Int64"),
            "colour": pd.Categorical(rng.choice(["red", "green", "blue"], size=n), categories=["red", "green", "blue"]),
            "city": rng.choice(["Oslo", "Lyon"], size=n).astype(object),
        }
    )


def _model(X):
    encode = ColumnTransformer(
        [("onehot", OneHotEncoder(handle_unknown="ignore"), ["colour", "city"])], remainder="passthrough"
    )
    y = X.x + 0.5 * X.k - X.flag + 2 * (X.colour == "red") + (X.city == "Oslo") + X.n.astype(float)
    return make_pipeline(encode, LinearRegression()).fit(X, y)


def _skops_round_trip(obj):
    data = skops_io.dumps(obj)
    return skops_io.loads(data, trusted=skops_io.get_untrusted_types(data=data))


@pytest.mark.parametrize(
    "Explainer, params",
    [
        (KernelShapExplainer, {"n_samples": 32, "random_state": 0, "max_background": 8}),
        (ExactShapleyExplainer, {"max_background": 8}),
    ],
)
def test_skops_round_trip_explains_identically(Explainer, params):
    X = _frame()
    explainer = Explainer(_model(X), **params).fit(X)
    loaded = _skops_round_trip(explainer)
    pickled = pickle.loads(pickle.dumps(explainer))
    rows = X.iloc[:6]
    expected = explainer.explain(rows)
    for other in (loaded, pickled):
        got = other.explain(rows)
        np.testing.assert_array_equal(got.values, expected.values)
        np.testing.assert_array_equal(got.base_values, expected.base_values)
        np.testing.assert_array_equal(other.feature_names_in_, explainer.feature_names_in_)
        # the fitted dtypes are the frame's, and still checked
        pd.testing.assert_series_equal(other._schema.dtypes, X.dtypes)
        with pytest.raises(ValueError, match="outside the categories seen in fit"):
            bad = rows.copy()
            bad["colour"] = pd.Categorical(["purple"] * len(bad))
            other.transform(bad)
        with pytest.raises(ValueError, match="cannot hold"):
            bad = rows.copy()
            bad["k"] = bad["k"] + 0.5
            other.transform(bad)
        with pytest.raises(ValueError, match="missing columns seen in fit"):
            other.transform(rows.drop(columns="x"))
