"""The scikit-learn contract, where the common battery (test_common.py) does not look: refits on
other data, every public method before fit, parameters that only failed deep inside, outputs
of plain types, and pandas' nullable dtypes."""

import re

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from tests.test_common import EXPLAINERS, _data_kind, make_instance

pd = pytest.importorskip("pandas")

TABLE = [(n, c) for n, c in EXPLAINERS if _data_kind(n, c) == "table"]


def _fit(est, X, y):
    return est.fit(X, y) if y is not None else est.fit(X)


@pytest.mark.parametrize("name, cls", TABLE, ids=[n for n, _ in TABLE])
def test_refit_on_an_array_after_a_frame_forgets_the_feature_names(name, cls):
    # scikit-learn deletes feature_names_in_ when a refit gets no names: a stale one would
    # name the columns of the first fit
    est, X, y, Xe = make_instance(name, cls)
    _fit(est, pd.DataFrame(X, columns=["a", "b", "c", "d"]), y)
    assert list(est.feature_names_in_) == ["a", "b", "c", "d"]
    _fit(est, X[:, :3], y)
    assert not hasattr(est, "feature_names_in_")
    assert est.n_features_in_ == 3
    assert est.transform(Xe[:, :3]).shape == (len(Xe), 3)
    with pytest.raises(ValueError, match=f"4 features, but {name} is expecting 3"):
        est.transform(Xe)


_BEFORE_FIT = ["transform", "explain", "score", "model_output", "target_indices"]


@pytest.mark.parametrize("name, cls", EXPLAINERS, ids=[n for n, _ in EXPLAINERS])
def test_every_public_method_before_fit_raises_not_fitted_error(name, cls):
    est, _, _, Xe = make_instance(name, cls)
    for method in _BEFORE_FIT:
        with pytest.raises(NotFittedError, match=name):
            getattr(est, method)(Xe)


ARRAY_MODE = [(n, c) for n, c in EXPLAINERS if _data_kind(n, c) == "image" and "set_output" in dir(c)]


@pytest.mark.parametrize("name, cls", ARRAY_MODE, ids=[n for n, _ in ARRAY_MODE])
def test_set_output_pandas_on_images_is_skipped_or_refused_naming_the_class(name, cls):
    # a Pipeline's set_output(transform="pandas") reaches every step: image attributions
    # cannot be columns, so they come back as arrays (CAMs) or the error says why and what to
    # do, never "object has no attribute 'feature_names_out_'"
    est, X, y, Xe = make_instance(name, cls)
    _fit(est.set_output(transform="pandas"), X, y)
    try:
        out = est.transform(Xe)
    except AttributeError as exc:
        assert re.search(rf"{name}.*set_output\(transform='default'\)", str(exc)), str(exc)
    else:
        assert isinstance(out, np.ndarray) and out.shape[0] == len(Xe)


@pytest.mark.parametrize("name", ["SobelExplainer", "RandomExplainer", "ConstantExplainer"])
def test_controls_on_arrays_name_their_columns_or_refuse_clearly(name):
    torch = pytest.importorskip("torch")
    from tests.test_common import X_IMG, TinyCNN

    cls = dict(EXPLAINERS)[name]
    est = cls(TinyCNN()).fit(X_IMG)  # a torch image model: array mode
    with pytest.raises(AttributeError, match=rf"{name} returns attributions shaped like its inputs \(2, 8, 8\)"):
        est.get_feature_names_out()
    # as in fit, and as every other explainer: no sample is a mistake, not an empty result
    with pytest.raises(ValueError, match="0 samples"):
        est.transform(X_IMG[:0])
    if name != "SobelExplainer":  # a torch model of 2-D rows: one name per column
        rows = np.random.RandomState(0).normal(size=(6, 4))
        est = cls(torch.nn.Linear(4, 3).double()).fit(rows)
        assert list(est.get_feature_names_out()) == ["x0", "x1", "x2", "x3"]
        assert list(est.set_output(transform="pandas").transform(rows[:2]).columns) == ["x0", "x1", "x2", "x3"]


WITH_N_JOBS = [(n, c) for n, c in EXPLAINERS if "n_jobs" in c._get_param_names()]


@pytest.mark.parametrize("name, cls", WITH_N_JOBS, ids=[n for n, _ in WITH_N_JOBS])
def test_n_jobs_zero_fails_at_fit_naming_the_parameter(name, cls):
    # it was accepted at fit, then failed inside joblib at the first transform ("n_jobs == 0
    # in Parallel has no meaning"), or was silently ignored (TreeShapExplainer)
    from sklearn.utils._param_validation import InvalidParameterError

    est, X, y, _ = make_instance(name, cls, n_jobs=0)
    with pytest.raises(InvalidParameterError, match=f"'n_jobs' parameter of {name}"):
        _fit(est, X, y)
    # joblib's negative counts stay valid (-1 all cores, -2 all but one)
    est.set_params(n_jobs=-2)._validate_params()


def test_image_shapley_baseline_is_validated_at_fit_and_transform_returns_a_plain_array():
    from sklearn.utils._param_validation import InvalidParameterError

    from tests.test_common import X_IMG

    cls = dict(EXPLAINERS)["ImageShapleyExplainer"]
    est, X, y, Xe = make_instance("ImageShapleyExplainer", cls, baseline="foo")
    # an unknown name used to pass fit and fail at the first transform
    with pytest.raises(InvalidParameterError, match="'baseline' parameter of ImageShapleyExplainer"):
        _fit(est, X, y)
    est.set_params(baseline=np.zeros(X_IMG.shape[1:]))  # an image-shaped array stays valid
    out = _fit(est, X, y).transform(Xe)
    # not the private callable subclass of Explanation.target_values
    assert type(out) is np.ndarray and out.shape == (len(Xe), 8, 8)
    # set_output exists (a Pipeline's set_output reaches every step, "default" included)
    assert type(est.set_output(transform="default").transform(Xe)) is np.ndarray


def test_pandas_nullable_dtypes_are_numeric_columns():
    # Int64, boolean and Float64 columns (DataFrame.convert_dtypes(), read_csv with
    # dtype_backend) were taken for non-numeric ones: ShapleyRegressionExplainer refused them
    # ("needs numeric features"), background="kmeans" too, and the others ran on object arrays.
    # They are the numbers of int64, bool and float64 columns: the same attributions.
    from sklearn.frozen import FrozenEstimator
    from sklearn.linear_model import LinearRegression

    from skxai import KernelShapExplainer, ShapleyRegressionExplainer

    rng = np.random.RandomState(0)
    plain = pd.DataFrame({"a": rng.randint(-3, 4, 30), "b": rng.normal(size=30) > 0, "c": rng.normal(size=30)})
    nullable = plain.astype({"a": "Int64", "b": "boolean", "c": "Float64"})
    y = plain["a"] - 2.0 * plain["b"] + plain["c"]
    model = FrozenEstimator(LinearRegression().fit(plain, y))
    makes = [lambda: ShapleyRegressionExplainer(LinearRegression()),
             lambda: KernelShapExplainer(model, background="kmeans", max_background=5, random_state=0)]
    for make in makes:
        expected = make().fit(plain, y).transform(plain.head(3))
        explainer = make().fit(nullable, y)
        np.testing.assert_allclose(explainer.transform(nullable.head(3)), expected, rtol=0, atol=1e-12)
        assert explainer.background_.dtype == np.float64
    # pandas' missing value is refused as NaN is, and a fraction in an Int64 column as in int64
    missing = nullable.head(3).copy()
    missing.loc[1, "a"] = pd.NA
    with pytest.raises(ValueError, match="Input contains NaN"):
        explainer.transform(missing)
    with pytest.raises(ValueError, match="column 'a' holds values that its dtype in fit, Int64, cannot hold"):
        explainer.transform(nullable.head(3).astype({"a": "Float64"}).assign(a=[0.5, 1.0, 2.0]))


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_ablation_value_must_be_finite_at_fit(bad):
    # a NaN channel passed fit, then every transform failed with "TinyCNN returned NaN or inf",
    # blaming the model for the explainer's parameter
    from sklearn.utils._param_validation import InvalidParameterError

    cls = dict(EXPLAINERS)["AblationCamExplainer"]
    est, X, y, _ = make_instance("AblationCamExplainer", cls, ablation_value=bad)
    with pytest.raises(InvalidParameterError, match="'ablation_value' parameter of AblationCamExplainer"):
        _fit(est, X, y)


def test_cam_fc_layer_is_checked_at_fit_naming_the_parameter():
    from tests.test_common import X_IMG, TinyCNN

    cls = dict(EXPLAINERS)["CamExplainer"]
    with pytest.raises(ValueError, match="^fc_layer: Unknown layer 'foo'"):
        cls(TinyCNN(), fc_layer="foo").fit(X_IMG)  # it passed fit and failed at the first transform
    with pytest.raises(ValueError, match="^fc_layer 'conv' is a Conv2d, not an nn.Linear"):
        cls(TinyCNN(), fc_layer="conv").fit(X_IMG)
    assert cls(TinyCNN(), fc_layer="fc").fit(X_IMG).transform(X_IMG[:1]).shape == (1, 8, 8)
