"""An explainer fitted on an unnamed array, then given DataFrames, for a model fitted on a frame.

The frame was read by position (scikit-learn's rule for an estimator fitted without names), so
a frame with the model's columns in another order was explained as the model never sees it: a
forest's values summed to the model's output on the columns shuffled, and the model's own
``predict`` refuses such a frame. The explainers now match such frames by the model's names.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestRegressor

from skxai import (
    AnchorTabularExplainer,
    ExactShapleyExplainer,
    KernelShapExplainer,
    LimeExplainer,
    ShapleySamplingExplainer,
    TreeShapExplainer,
)


@pytest.fixture(scope="module")
def model():
    rng = np.random.RandomState(0)
    df = pd.DataFrame(rng.normal(size=(80, 4)), columns=list("abcd"))
    y = 3 * df.a - df.b + 0.5 * df.c * df.d
    return RandomForestRegressor(10, random_state=0).fit(df, y), df


EXPLAINERS = [
    (TreeShapExplainer, {}),
    (TreeShapExplainer, {"feature_perturbation": "tree_path_dependent"}),
    (KernelShapExplainer, {"random_state": 0}),
    (ExactShapleyExplainer, {}),
    (ShapleySamplingExplainer, {"random_state": 0}),
    (LimeExplainer, {"random_state": 0}),
]


@pytest.mark.parametrize(("cls", "kwargs"), EXPLAINERS)
def test_a_reordered_frame_is_matched_by_the_models_names(cls, kwargs, model):
    m, df = model
    ex = cls(m, **kwargs).fit(df.iloc[:30].to_numpy())
    rows = df.iloc[:3]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "X has feature names, but ... fitted without"
        in_order = ex.transform(rows.to_numpy())
        reordered = ex.transform(rows[["d", "c", "b", "a"]])
    np.testing.assert_array_equal(np.asarray(reordered), np.asarray(in_order))
    if cls is not LimeExplainer:
        exp = ex.explain(rows[["c", "a", "d", "b"]])
        np.testing.assert_allclose(exp.values[..., 0].sum(axis=1) + exp.base_values[:, 0], m.predict(rows), rtol=1e-9)


@pytest.mark.parametrize(("cls", "kwargs"), EXPLAINERS[:3])
def test_a_frame_without_the_models_columns_is_refused(cls, kwargs, model):
    m, df = model
    ex = cls(m, **kwargs).fit(df.iloc[:30].to_numpy())
    with pytest.raises(ValueError, match=r"missing columns seen in fit: \['a'\]"):
        ex.transform(df.iloc[:3].rename(columns={"a": "e"}))


def test_tabular_anchors_match_the_models_names(model):
    m, df = model
    X = df.to_numpy()
    from sklearn.ensemble import RandomForestClassifier

    clf = RandomForestClassifier(10, random_state=0).fit(df, df.a > 0)
    ex = AnchorTabularExplainer(clf, random_state=0).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = ex.explain(df.iloc[:2].to_numpy())
        b = ex.explain(df.iloc[:2][["b", "d", "a", "c"]])
    assert [list(x) for x in a.anchor_features] == [list(x) for x in b.anchor_features]
    np.testing.assert_array_equal(a.precision, b.precision)


def test_an_array_fit_of_an_unnamed_model_still_reads_frames_by_position():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    m = RandomForestRegressor(5, random_state=0).fit(X, X[:, 0])
    ex = KernelShapExplainer(m, random_state=0).fit(X[:20])
    frame = pd.DataFrame(X[:2], columns=["z", "y", "x"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_array_equal(ex.transform(frame), ex.transform(X[:2]))


def _gradients_of_a_frame_model():
    """Gradient x input of a logistic model fitted on the frame u, v, w, fitted on its array."""
    pytest.importorskip("torch")
    from sklearn.linear_model import LogisticRegression

    from skxai import GradientXInputExplainer

    rng = np.random.RandomState(0)
    df = pd.DataFrame(rng.normal(size=(60, 3)), columns=["u", "v", "w"])
    clf = LogisticRegression().fit(df, df.u - 2 * df.w > 0)
    return GradientXInputExplainer(clf).fit(df.to_numpy()), df


def test_gradients_of_a_model_fitted_on_a_frame_match_a_reordered_frame_by_name():
    ex, df = _gradients_of_a_frame_model()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reordered = ex.transform(df.iloc[:4][["w", "u", "v"]])
    np.testing.assert_array_equal(reordered, ex.transform(df.iloc[:4].to_numpy()))
    with pytest.raises(ValueError, match="missing columns seen in fit"):
        ex.transform(df.iloc[:4].rename(columns={"u": "x"}))


@pytest.mark.parametrize(("cls", "kwargs"), [EXPLAINERS[0], EXPLAINERS[2], EXPLAINERS[5]])
def test_the_data_and_the_names_follow_the_values(cls, kwargs, model):
    m, df = model
    ex = cls(m, **kwargs).fit(df.iloc[:30].to_numpy())
    assert list(ex.get_feature_names_out()) == ["a", "b", "c", "d"]  # the model's, not x0..x3
    rows = df.iloc[:3]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exp = ex.explain(rows[["c", "a", "d", "b"]])
    assert list(exp.feature_names) == ["a", "b", "c", "d"]
    np.testing.assert_array_equal(np.asarray(exp.data, dtype=float), rows.to_numpy())
    np.testing.assert_array_equal(np.asarray(exp[:, "c"].data, dtype=float).ravel(), rows["c"].to_numpy())


def test_names_like_the_defaults_are_attached_to_their_own_values():
    # a model whose columns are x1, x0, x2: the defaults x0, x1, x2 labelled x1's value as x0
    rng = np.random.RandomState(1)
    df = pd.DataFrame(rng.normal(size=(60, 3)), columns=["x1", "x0", "x2"])
    m = RandomForestRegressor(5, random_state=0).fit(df, 4 * df.x1)
    on_frame = KernelShapExplainer(m, random_state=0).fit(df.iloc[:20])
    on_array = KernelShapExplainer(m, random_state=0).fit(df.iloc[:20].to_numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = on_frame.explain(df.iloc[:2])
        b = on_array.explain(df.iloc[:2])
    assert list(b.feature_names) == ["x1", "x0", "x2"]
    np.testing.assert_array_equal(b[:, "x1"].values, a[:, "x1"].values)


def test_controls_show_the_data_beside_their_own_values(model):
    from skxai.controls import ConstantExplainer, RandomExplainer

    m, df = model
    for ex in (RandomExplainer(m, random_state=0), ConstantExplainer(m)):
        ex.fit(df.iloc[:30])
        exp = ex.explain(df.iloc[:2][["d", "b", "a", "c"]])
        np.testing.assert_array_equal(np.asarray(exp.data, dtype=float), df.iloc[:2].to_numpy())


def test_metrics_match_named_attributions_by_name(model):
    from skxai.metrics import deletion_auc, faithfulness_correlation

    m, df = model
    ex = KernelShapExplainer(m, random_state=0).fit(df.iloc[:30]).set_output(transform="pandas")
    X = df.iloc[:3]
    A = ex.transform(X)
    shuffled = A[["c", "a", "d", "b"]]
    for metric in (faithfulness_correlation, deletion_auc):
        kw = {"random_state": 0} if metric is faithfulness_correlation else {}
        ref = metric(ex, X, attributions=A.to_numpy(), **kw)
        np.testing.assert_array_equal(metric(ex, X, attributions=shuffled, **kw), ref)
        np.testing.assert_array_equal(metric(ex, X, attributions=ex.explain(X)[:, ["d", "c", "b", "a"]], **kw), ref)
    with pytest.raises(ValueError, match="attributions have the columns"):
        deletion_auc(ex, X, attributions=A.rename(columns={"a": "z"}))


def test_the_command_line_names_a_saved_array_fitted_explainers_columns_as_the_model(tmp_path, model):
    import subprocess
    import sys

    import joblib

    m, df = model
    ex = TreeShapExplainer(m).fit(df.iloc[:30].to_numpy())
    joblib.dump(ex, tmp_path / "ex.joblib")
    df.iloc[:5].to_csv(tmp_path / "in_order.csv", index=False)
    df.iloc[:5][["c", "a", "d", "b"]].to_csv(tmp_path / "reordered.csv", index=False)
    outs = []
    for name in ("in_order", "reordered"):
        out = tmp_path / f"{name}_out.csv"
        subprocess.run(
            [sys.executable, "-m", "skxai", "explain", str(tmp_path / "ex.joblib"), str(tmp_path / f"{name}.csv"),
             "--out", str(out), "--trust-pickle", "--quiet"],
            check=True, capture_output=True,
        )  # fmt: skip
        outs.append(out.read_text())
    assert outs[0].splitlines()[0].startswith("a,b,c,d,")
    assert outs[1] == outs[0]


def test_tree_columns_keep_their_names_after_a_background_in_another_order():
    # The trees' columns were named by asking the last step for the names of the explainer's
    # input: a ColumnTransformer fitted on other columns' order refused, and they became x0..x4.
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import GradientBoostingRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    rng = np.random.default_rng(1)
    df = pd.DataFrame({"num1": rng.normal(size=80), "cat": rng.choice(["u", "v", "w"], size=80),
                       "num2": rng.normal(size=80)})  # fmt: skip
    ct = ColumnTransformer([("oh", OneHotEncoder(), ["cat"]), ("sc", StandardScaler(), ["num1", "num2"])])
    m = make_pipeline(ct, GradientBoostingRegressor(n_estimators=10, random_state=0)).fit(df, df.num1)
    names = ["oh__cat_u", "oh__cat_v", "oh__cat_w", "sc__num1", "sc__num2"]
    for bg in (df, df[["num2", "cat", "num1"]]):
        ex = TreeShapExplainer(m, feature_space="model").fit(bg)
        assert list(ex.feature_names_out_) == names


@pytest.mark.parametrize(("cls", "kwargs"), EXPLAINERS)
def test_an_array_fit_explains_as_a_frame_fit(cls, kwargs, model):
    m, df = model
    with warnings.catch_warnings():
        # the model gets arrays (a frame per call made a Ridge's KernelSHAP 4 times slower),
        # without its "X does not have valid feature names" at every call
        warnings.simplefilter("error")
        values = cls(m, **kwargs).fit(df.iloc[:30].to_numpy()).transform(df.iloc[:3].to_numpy())
    ref = cls(m, **kwargs).fit(df.iloc[:30]).transform(df.iloc[:3])
    np.testing.assert_array_equal(np.asarray(values), np.asarray(ref))


@pytest.mark.parametrize(("cls", "kwargs"), EXPLAINERS[:3])
def test_a_frame_of_positions_is_read_by_position(cls, kwargs, model):
    # pd.DataFrame(array) has the columns 0, 1, 2, 3: no names to match (scikit-learn reads it
    # by position too); matched against the model's names it was refused as missing a, b, c, d
    m, df = model
    ex = cls(m, **kwargs).fit(df.iloc[:30].to_numpy())
    rows = df.iloc[:3].to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_array_equal(np.asarray(ex.transform(pd.DataFrame(rows))), np.asarray(ex.transform(rows)))


def test_gradients_read_a_frame_of_positions_by_position():
    ex, df = _gradients_of_a_frame_model()
    rows = df.iloc[:4].to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_array_equal(ex.transform(pd.DataFrame(rows)), ex.transform(rows))


def test_gradients_name_an_array_fits_columns_after_the_model():
    # the tabular explainers name them so; the torch families said x0, x1, x2
    ex, df = _gradients_of_a_frame_model()
    assert list(ex.get_feature_names_out()) == ["u", "v", "w"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exp = ex.explain(df.iloc[:2][["w", "u", "v"]])
    assert list(exp.feature_names) == ["u", "v", "w"]
    np.testing.assert_array_equal(exp[:, "w"].values.ravel(), ex.transform(df.iloc[:2].to_numpy())[:, 2])


def _mixed_names(df):
    # "b" moved to the front, the rest named by positions: read by position this explained the
    # model's column a as b (scikit-learn's predict refuses the frame)
    mixed = df[["b", "a", "c", "d"]].copy()
    mixed.columns = ["b", 1, 2, 3]
    return mixed


@pytest.mark.parametrize(("cls", "kwargs"), EXPLAINERS)
def test_a_frame_of_mixed_names_is_refused_as_scikit_learn_refuses_it(cls, kwargs, model):
    m, df = model
    ex = cls(m, **kwargs).fit(df.iloc[:30].to_numpy())
    with pytest.raises(TypeError, match=r"column names of several types \(int, str\).*astype\(str\)"):
        ex.transform(_mixed_names(df.iloc[:3]))


def test_gradients_refuse_a_frame_of_mixed_names():
    ex, df = _gradients_of_a_frame_model()
    mixed = df.iloc[:3][["v", "u", "w"]].copy()
    mixed.columns = ["v", 1, 2]
    with pytest.raises(TypeError, match="column names of several types"):
        ex.transform(mixed)
