"""Model-agnostic tabular explainers on mixed-type DataFrames and unusual outputs (audit mixed)."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from skxai import (
    ExactShapleyExplainer,
    KernelShapExplainer,
    LimeExplainer,
    ShapleySamplingExplainer,
)

pd = pytest.importorskip("pandas")

EXPLAINERS = [
    (ExactShapleyExplainer, {}),
    (KernelShapExplainer, {"random_state": 0}),
    (ShapleySamplingExplainer, {"random_state": 0}),
    (LimeExplainer, {"random_state": 0, "n_samples": 50}),
]


def _category_model():
    """A model reading a categorical column (one value, "c", outside the fit frame's categories)."""

    def model(D):
        return D["x"].to_numpy(dtype=float) + np.where(D["c"].astype(object) == "c", 5.0, 0.0)

    X = pd.DataFrame({"c": pd.Categorical(["a", "b"] * 5), "x": np.arange(10.0)})
    return model, X


@pytest.mark.parametrize("cls, kw", EXPLAINERS)
def test_value_outside_fitted_categories_is_refused_not_turned_into_nan(cls, kw):
    # A category column is rebuilt with the fit frame's categories before every model call; a
    # value outside them became NaN silently: the model saw another row than the one explained
    # (the values added up to the model on NaN, 3.0 off the model on the row itself).
    model, X = _category_model()
    explainer = cls(model, max_background=None, **kw).fit(X)
    X_new = pd.DataFrame({"c": pd.Categorical(["c", "a"]), "x": [1.0, 2.0]})
    with pytest.raises(ValueError, match=r"column 'c'.*categories.*\['c'\]"):
        explainer.explain(X_new)
    with pytest.raises(ValueError, match="categories"):
        explainer.transform(X_new.to_numpy(dtype=object))  # the same values as an array
    # values among the categories (whatever the explained frame's own categories) still work
    X_ok = pd.DataFrame({"c": pd.Categorical(["b", "a"], categories=["b", "a", "zz"]), "x": [1.0, 2.0]})
    exp = explainer.explain(X_ok)
    if cls is not LimeExplainer:
        np.testing.assert_allclose(exp.base_values[:, 0] + exp.values[:, :, 0].sum(1), model(X_ok), atol=1e-10)


@pytest.mark.parametrize("cls, kw", EXPLAINERS)
@pytest.mark.parametrize("dtype, bad", [("int64", 1.5), ("bool", 0.3), ("bool", 2.0), ("uint8", -1.0)])
def test_value_the_fitted_integer_or_boolean_dtype_cannot_hold_is_refused(cls, kw, dtype, bad):
    # Integer and boolean columns are cast back to their dtype before every model call: 1.5 in
    # an int column became 1 (the values added up to 2 * 1 where the model gives 2 * 1.5, 1.0
    # off), 0.3 in a bool column became True, -1 in a uint8 column 255, all silently.
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"k": rng.randint(0, 2, 20).astype(dtype), "x": rng.normal(size=20)})
    model = LinearRegression().fit(X, 2.0 * X["k"] + X["x"])
    explainer = cls(model, max_background=None, **kw).fit(X)
    X_bad = pd.DataFrame({"k": [bad, 1.0], "x": [0.0, 0.0]})
    with pytest.raises(ValueError, match=rf"column 'k'.*{dtype}"):
        explainer.explain(X_bad)
    with pytest.raises(ValueError, match=rf"column 'k'.*{dtype}"):
        explainer.transform(X_bad.to_numpy())
    # values the dtype holds exactly, given as floats, are fine
    X_ok = pd.DataFrame({"k": [0.0, 1.0], "x": [0.5, -0.5]})
    exp = explainer.explain(X_ok)
    if cls is not LimeExplainer:
        np.testing.assert_allclose(
            exp.base_values[:, 0] + exp.values[:, :, 0].sum(1), model.predict(X_ok.astype({"k": dtype})), atol=1e-10
        )


def test_duplicate_column_names_are_refused_at_fit_with_a_clear_message():
    # A frame with two columns named "a" failed with "X has 5 features, but explainer is
    # expecting 3" (X[columns] selects each duplicate twice), a mystery to the user.
    X = pd.DataFrame(np.random.RandomState(0).normal(size=(10, 3)), columns=["a", "a", "b"])
    with pytest.raises(ValueError, match=r"duplicate column names.*'a'"):
        ExactShapleyExplainer(lambda D: D.to_numpy().sum(1), max_background=None).fit(X)


@pytest.mark.parametrize(
    "groups", [{"A": [("a", 1), ("a", 2)], "B": [("b", 1)]}, [[("a", 1), ("a", 2)], [("b", 1)]]]
)
def test_feature_groups_name_columns_by_their_tuple_labels(groups):
    # Columns labelled by tuples (a MultiIndex) could only be grouped by the strings of their
    # labels ("('a', 1)"): the labels themselves were "an invalid column ... use a column name".
    X = pd.DataFrame(
        np.random.RandomState(0).normal(size=(10, 3)),
        columns=pd.MultiIndex.from_tuples([("a", 1), ("a", 2), ("b", 1)]),
    )

    def model(D):
        return 2 * D[("a", 1)].to_numpy() + D[("b", 1)].to_numpy()

    explainer = ExactShapleyExplainer(model, max_background=None, feature_groups=groups).fit(X)
    assert [g.tolist() for g in explainer.groups_] == [[0, 1], [2]]
    phi = explainer.transform(X.iloc[:2])
    mean = X.to_numpy().mean(axis=0)
    np.testing.assert_allclose(phi[:, 0], 2 * (X.to_numpy()[:2, 0] - mean[0]), atol=1e-12)
    np.testing.assert_allclose(phi[:, 1], X.to_numpy()[:2, 2] - mean[2], atol=1e-12)
