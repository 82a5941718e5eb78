"""Whole fitted pipelines explained on their raw, mixed-type columns (audit2 raw2)."""

import itertools
import math

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

from skxai import (
    AnchorTabularExplainer,
    ExactShapleyExplainer,
    KernelShapExplainer,
    LimeExplainer,
    ShapleySamplingExplainer,
)

pd = pytest.importorskip("pandas")

SHAPLEY = [
    (ExactShapleyExplainer, {}),
    (KernelShapExplainer, {"random_state": 0}),
    (ShapleySamplingExplainer, {"random_state": 0}),
]


def _raw_data(n=40, seed=0):
    rng = np.random.RandomState(seed)
    X = pd.DataFrame(
        {
            "city": rng.choice(["paris", "rome", "oslo"], n).astype(object),
            "size": pd.Categorical(rng.choice(["S", "M", "L"], n), categories=["S", "M", "L"]),
            "n": rng.randint(0, 5, n),
            "x": rng.normal(size=n),
            "flag": rng.rand(n) > 0.5,
        }
    )
    X.loc[[1, 5], "city"] = np.nan
    X.loc[[2, 7], "x"] = np.nan
    y = rng.normal(size=n) + 2.0 * (X["city"] == "rome") + X["n"] + 1.5 * X["flag"]
    return X, y


def _raw_pipeline(final):
    ct = ColumnTransformer(
        [
            (
                "city",
                make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")),
                ["city"],
            ),
            ("size", OrdinalEncoder(), ["size"]),
            ("num", SimpleImputer(), ["x"]),
            ("pass", "passthrough", ["n", "flag"]),
        ]
    )
    return make_pipeline(ct, final)


def _brute_force(f, x_row, background, groups):
    """Interventional Shapley values of the raw-column game, each v(S) a DataFrame call."""

    def v(S):
        D = background.copy()
        for g in S:
            for c in groups[g]:
                D[c] = pd.Series([x_row[c].iloc[0]] * len(D), index=D.index).astype(background[c].dtype)
        return f(D).mean()

    p = len(groups)
    phi = np.zeros(p)
    for j in range(p):
        others = [k for k in range(p) if k != j]
        for r in range(p):
            for S in itertools.combinations(others, r):
                w = math.factorial(r) * math.factorial(p - r - 1) / math.factorial(p)
                phi[j] += w * (v(S + (j,)) - v(S))
    return phi, v(())


@pytest.mark.parametrize("cls, kw", SHAPLEY)
def test_raw_pipeline_matches_brute_force_with_groups_and_string_dtypes(cls, kw):
    # reference: the repo's raw-column game enumerated by hand (with NaN the pipeline imputes,
    # a category column, an int and a bool column, one group of two columns, and the explained
    # string column given as pandas' string dtype)
    X, y = _raw_data()
    pipe = _raw_pipeline(Ridge()).fit(X, y)
    bg = X.iloc[:6]
    groups = {"place": ["city", "flag"], "size": ["size"], "n": ["n"], "x": ["x"]}
    explainer = cls(FrozenEstimator(pipe), max_background=None, feature_groups=groups, **kw).fit(bg)
    rows = X.iloc[[2, 3, 4]]
    exp = explainer.explain(rows.astype({"city": "string[python]"}))
    assert explainer.get_feature_names_out().tolist() == list(groups)
    for i in range(len(rows)):
        phi, base = _brute_force(pipe.predict, rows.iloc[[i]], bg, list(groups.values()))
        np.testing.assert_allclose(exp.values[i, :, 0], phi, atol=1e-10)
        np.testing.assert_allclose(exp.base_values[i, 0], base, atol=1e-10)


@pytest.mark.parametrize("cls, kw", [*SHAPLEY, (LimeExplainer, {"random_state": 0, "n_samples": 50})])
@pytest.mark.parametrize("column, bad", [("n", 1.5), ("flag", 0.3)])
def test_value_an_int_or_bool_column_cannot_hold_is_refused_in_a_mixed_frame(cls, kw, column, bad):
    # The check that refuses 1.5 in an int column (cast back to int before every model call)
    # ran on all-numeric frames only: with a string column beside it, 1.5 became 1 and 0.3
    # became True silently, and the values added up to the model on another row (0.44 off).
    X, y = _raw_data()
    pipe = _raw_pipeline(Ridge()).fit(X, y)
    explainer = cls(FrozenEstimator(pipe), max_background=None, **kw).fit(X.iloc[:6])
    rows = X.iloc[[3, 4]].astype({column: float})
    rows.loc[rows.index[0], column] = bad
    with pytest.raises(ValueError, match=rf"column '{column}'.*(int64|bool)"):
        explainer.explain(rows)
    # values the dtype holds, given as floats, still work
    ok = X.iloc[[3, 4]].astype({column: float})
    explainer.explain(ok)


def test_anchor_rules_bin_a_numeric_column_with_missing_values_and_name_categories():
    # A numeric column with NaN (imputed by the pipeline) was binned by the strings of its
    # values: every row its own bin, rules such as "x == '0.377160611108241'" covering one
    # background row. It now gets quantile bins, with NaN a bin of its own ("x is missing").
    X, y = _raw_data()
    pipe = _raw_pipeline(LogisticRegression()).fit(X, (y > np.median(y)).astype(int))
    explainer = AnchorTabularExplainer(FrozenEstimator(pipe), random_state=0, n_bins=4).fit(X)
    assert explainer.bin_edges_[3] is not None and len(explainer.bin_edges_[3]) == 3
    bins = explainer.background_bins_[:, 3]
    assert set(bins[X["x"].isna().to_numpy()]) == {4}
    assert set(bins[X["x"].notna().to_numpy()]) == {0, 1, 2, 3}
    exp = explainer.explain(X.iloc[[2, 3]])
    one_feature = {c["features"]: c["anchor"] for c in exp.extras["candidates"][0] if c["size"] == 1}
    assert one_feature[(3,)] == ("x is missing",)
    assert one_feature[(1,)] == (f"size == {X['size'].iloc[2]!r}",)  # the category's name, not its code
    # a bool column's rule shows True or False (it showed "flag == 1")
    assert one_feature[(4,)] == (f"flag == {bool(X['flag'].iloc[2])}",)
    other = {c["features"]: c["anchor"] for c in exp.extras["candidates"][1] if c["size"] == 1}
    assert " <= x < " in other[(3,)][0] or other[(3,)][0].startswith(("x < ", "x >= "))


def _numeric_nan_data():
    rng = np.random.RandomState(1)
    X = pd.DataFrame({"a": rng.normal(size=30), "b": rng.normal(size=30), "c": rng.randint(0, 3, 30)})
    X.loc[[0, 4, 9], "a"] = np.nan
    X.loc[[2, 4], "b"] = np.nan
    y = 2.0 * X["a"].fillna(0) - X["b"].fillna(1) + X["c"]
    return X, y


@pytest.mark.parametrize("cls, kw", [*SHAPLEY, (LimeExplainer, {"random_state": 0, "n_samples": 50})])
def test_numeric_frame_with_missing_values_an_imputing_pipeline_takes_is_explained(cls, kw):
    # A pipeline imputing its NaN could be explained on a frame with a string column, but on
    # an all-numeric frame every explainer refused it ("Input contains NaN."): numeric data
    # was checked for NaN whatever the model. NaN now goes on to a Pipeline (whose steps
    # refuse it where they cannot take it) and to models whose tags allow it.
    X, y = _numeric_nan_data()
    pipe = make_pipeline(SimpleImputer(), Ridge()).fit(X, y)
    bg = X.iloc[:6]
    explainer = cls(FrozenEstimator(pipe), max_background=None, **kw).fit(bg)
    rows = X.iloc[[0, 4, 5]]
    exp = explainer.explain(rows)
    if cls is not LimeExplainer:
        for i in range(len(rows)):
            phi, base = _brute_force(pipe.predict, rows.iloc[[i]], bg, [["a"], ["b"], ["c"]])
            np.testing.assert_allclose(exp.values[i, :, 0], phi, atol=1e-10)
            np.testing.assert_allclose(exp.base_values[i, 0], base, atol=1e-10)
    assert np.isnan(exp.data.iloc[0, 0])
    # a model that cannot take NaN is still refused it, by the explainer
    plain = FrozenEstimator(Ridge().fit(X.fillna(0), y))
    with pytest.raises(ValueError, match="NaN"):
        cls(plain, max_background=None, **kw).fit(bg)


def test_kmeans_background_with_missing_values_is_refused_clearly():
    X, y = _numeric_nan_data()
    pipe = make_pipeline(SimpleImputer(), Ridge()).fit(X, y)
    explainer = KernelShapExplainer(FrozenEstimator(pipe), background="kmeans", max_background=5, random_state=0)
    with pytest.raises(ValueError, match="background='kmeans' needs rows without missing values"):
        explainer.fit(X)


def test_anchors_on_a_numeric_frame_with_missing_values_of_an_imputing_pipeline():
    X, y = _numeric_nan_data()
    pipe = make_pipeline(SimpleImputer(), LogisticRegression()).fit(X, (y > np.median(y)).astype(int))
    explainer = AnchorTabularExplainer(FrozenEstimator(pipe), random_state=0, n_bins=4).fit(X)
    exp = explainer.explain(X.iloc[[0]])
    one_feature = {c["features"]: c["anchor"] for c in exp.extras["candidates"][0] if c["size"] == 1}
    assert one_feature[(0,)] == ("a is missing",)


@pytest.mark.parametrize("where", ["background", "X"])
def test_conditional_game_refuses_missing_values_by_name(where):
    # With NaN passed on to an imputing pipeline, the conditional game (which conditions on the
    # values themselves) failed in scipy: "array must not contain infs or NaNs".
    X, y = _numeric_nan_data()
    X = X.astype({"c": float})
    pipe = make_pipeline(SimpleImputer(), Ridge()).fit(X, y)
    complete = X.dropna()
    explainer = KernelShapExplainer(
        FrozenEstimator(pipe), game="conditional", conditional_sampler="empirical", random_state=0
    )
    if where == "background":
        with pytest.raises(ValueError, match=r"game='conditional' needs values without missing.*columns \[0, 1\]"):
            explainer.fit(X)
    else:
        explainer.fit(complete)
        with pytest.raises(ValueError, match=r"X holds NaN in columns \[0, 1\]"):
            explainer.transform(X.iloc[[4]])


@pytest.mark.parametrize("column", ["n", "flag"])
@pytest.mark.parametrize("numeric", [True, False])
def test_missing_value_in_a_column_fitted_as_int_or_bool_is_refused_by_name(column, numeric):
    # NaN in a column fitted as bool was cast to True before the model call, silently (the
    # explained row was not the one given); in an int column pandas failed with "Cannot
    # convert non-finite values (NA or inf) to integer". Both are refused, naming the column.
    X, y = _raw_data()
    if numeric:
        X = X[["n", "x", "flag"]]
        pipe = make_pipeline(SimpleImputer(), Ridge()).fit(X, y)
    else:
        pipe = _raw_pipeline(Ridge()).fit(X, y)
    explainer = ExactShapleyExplainer(FrozenEstimator(pipe), max_background=None).fit(X.iloc[:6])
    rows = X.iloc[[3, 4]].astype({column: float})
    rows.loc[rows.index[0], column] = np.nan
    with pytest.raises(ValueError, match=rf"column '{column}' holds missing values.*(int64|bool)"):
        explainer.transform(rows)


def test_anchor_rule_on_a_missing_string_value_says_missing():
    # A row whose string column is NaN (imputed by the pipeline) got the rule "city == 'nan'".
    X, y = _raw_data()
    pipe = _raw_pipeline(LogisticRegression()).fit(X, (y > np.median(y)).astype(int))
    explainer = AnchorTabularExplainer(FrozenEstimator(pipe), random_state=0).fit(X)
    exp = explainer.explain(X.iloc[[1, 3]])
    missing = {c["features"]: c["anchor"] for c in exp.extras["candidates"][0] if c["size"] == 1}
    present = {c["features"]: c["anchor"] for c in exp.extras["candidates"][1] if c["size"] == 1}
    assert missing[(0,)] == ("city is missing",)
    assert present[(0,)] == (f"city == {X['city'].iloc[3]!r}",)


@pytest.mark.parametrize("tz", [None, "Europe/Paris"])
def test_anchor_rules_bin_a_datetime_column_by_quantiles_and_show_times(tz):
    # A datetime column was binned by the strings of its values: every background row its own
    # bin, rules such as "when == '2020-10-13 00:00:00'" covering one row. It now gets
    # quantile bins of its times, and rules show the edges as times.
    rng = np.random.RandomState(0)
    when = pd.Timestamp("2020-01-01", tz=tz) + pd.to_timedelta(rng.randint(0, 365, 40), unit="D")
    X = pd.DataFrame({"when": when, "x": rng.normal(size=40)})

    def model(D):
        return (D["when"] > pd.Timestamp("2020-07-01", tz=tz)).to_numpy().astype(int)

    explainer = AnchorTabularExplainer(model, random_state=0, n_bins=4).fit(X)
    edges = explainer.bin_edges_[0]
    assert edges is not None and len(edges) == 3
    times = pd.to_datetime(edges, unit="us").tz_localize("UTC" if tz else None)
    if tz:
        times = times.tz_convert(tz)
    expected = np.searchsorted(times.to_numpy(), X["when"].to_numpy(), side="right")
    np.testing.assert_array_equal(explainer.background_bins_[:, 0], expected)
    assert np.bincount(expected).min() >= 8  # quartiles (ties move a few rows), not one row each
    exp = explainer.explain(X.iloc[[0]])
    rule = next(c["anchor"][0] for c in exp.extras["candidates"][0] if c["features"] == (0,))
    shown = [str(t) for t in times]
    assert any(f"'{t}'" in rule for t in shown), (rule, shown)
