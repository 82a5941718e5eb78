"""Small defects found by an audit: each test fails without its fix."""

import numbers
import re

import numpy as np
import pytest
from sklearn.utils._param_validation import Interval as SklearnInterval
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils._param_validation import Options as SklearnOptions

from skxai.utils.discovery import all_explainers

torch = pytest.importorskip("torch")

from tests.test_common import _Calls, _fit, make_instance  # noqa: E402

# Constraints under which a bool is a meaningful value of the parameter.
_TAKES_BOOL = {"boolean", "verbose", "random_state", "array-like", bool, numbers.Real, numbers.Integral, int, object}


def _integer_only_params():
    cases = []
    for name, cls in all_explainers():
        for param, constraints in sorted(cls._parameter_constraints.items()):
            if constraints == "no_validation":
                continue
            integral = any(
                isinstance(c, SklearnInterval | SklearnOptions) and c.type is numbers.Integral for c in constraints
            )
            if integral and not any(isinstance(c, str | type) and c in _TAKES_BOOL for c in constraints):
                cases.append(pytest.param(name, cls, param, id=f"{name}-{param}"))
    return cases


INTEGER_ONLY = _integer_only_params()


def test_integer_only_params_found():
    # The audit's example and the Options case (True == 1 is among {1, 3, 5, 7}).
    ids = {p.id for p in INTEGER_ONLY}
    assert {"KernelShapExplainer-max_background", "KernelShapExplainer-max_order",
            "DeepShapExplainer-max_background", "ImageShapleyExplainer-n_segments"} <= ids


@pytest.mark.parametrize("name, cls, param", INTEGER_ONLY)
def test_true_for_an_integer_parameter_is_refused_at_fit(name, cls, param):
    # bool subclasses int: sklearn's Interval(Integral, ...) accepts True; max_background=True
    # then failed inside numpy's rng.choice. Refused at fit, naming the parameter.
    est, X, y, _ = make_instance(name, cls)
    est.set_params(**{param: True})
    _Calls.n = 0
    with pytest.raises(InvalidParameterError, match=rf"'{re.escape(param)}' parameter of {name}.*Got True"):
        _fit(est, X, y)
    assert _Calls.n == 0


def test_numeric_interval_refuses_bools_but_not_numbers():
    from skxai.utils._param_validation import Interval, Options

    count = Interval(numbers.Integral, 1, None, closed="left")
    assert count.is_satisfied_by(1) and count.is_satisfied_by(np.int64(3))
    assert not count.is_satisfied_by(True) and not count.is_satisfied_by(np.True_)
    real = Interval(numbers.Real, 0, None, closed="left")
    assert real.is_satisfied_by(0.5) and not real.is_satisfied_by(False)
    order = Options(numbers.Integral, {1, 3})
    assert order.is_satisfied_by(1) and not order.is_satisfied_by(True)


# ---------------------------------------------------------------------------- NaN/inf baseline
BASELINE_EXPLAINERS = [(n, c) for n, c in all_explainers() if "baseline" in c._get_param_names()]


def test_baseline_explainers_found():
    names = {n for n, _ in BASELINE_EXPLAINERS}
    assert {"ImageShapleyExplainer", "ScoreCamExplainer", "OptiCamExplainer", "IntegratedGradientsExplainer"} <= names


def _nan_image():
    b = np.zeros((2, 8, 8))
    b[1, 3, 4] = np.nan
    return b


@pytest.mark.parametrize("bad", [np.nan, -np.inf, np.float32(np.inf), "nan_array", "inf_list"])
@pytest.mark.parametrize("name, cls", BASELINE_EXPLAINERS, ids=[n for n, _ in BASELINE_EXPLAINERS])
def test_nan_or_inf_baseline_is_refused_at_fit(name, cls, bad):
    # a NaN/inf number or array baseline passed fit and failed at the first transform
    if isinstance(bad, str) and bad == "nan_array":
        bad = _nan_image()
    elif isinstance(bad, str):
        bad = np.where(np.isnan(_nan_image()), np.inf, 0.0).tolist()
    est, X, y, _ = make_instance(name, cls, baseline=bad)
    _Calls.n = 0
    with pytest.raises(InvalidParameterError, match=rf"'baseline' parameter of {name} must be finite"):
        _fit(est, X, y)
    assert _Calls.n == 0


@pytest.mark.parametrize("name, cls", BASELINE_EXPLAINERS, ids=[n for n, _ in BASELINE_EXPLAINERS])
def test_finite_array_baseline_still_fits_and_explains(name, cls):
    est, X, y, X_explain = make_instance(name, cls, baseline=np.full((2, 8, 8), 0.25))
    values = np.asarray(_fit(est, X, y).transform(X_explain))
    assert np.isfinite(values).all()


# ---------------------------------------------------------------------------- read-only memmaps
_MEMMAP_SCRIPT = r"""
import sys, warnings
import joblib, numpy as np
warnings.filterwarnings("error", message=".*NumPy array is not writable")
from skxai import DeepShapExplainer, IntegratedGradientsExplainer
from skxai.metrics import completeness_gap, deletion_auc
from tests.test_common import TinyCNN, X_IMG

tmp = sys.argv[1]
np.save(tmp + "/x.npy", X_IMG[:2])
X = np.load(tmp + "/x.npy", mmap_mode="r")  # the user's data read-only too
for i, est in enumerate([DeepShapExplainer(TinyCNN(), max_background=3),
                         IntegratedGradientsExplainer(TinyCNN(), baseline=np.full((2, 8, 8), 0.1), n_steps=4)]):
    joblib.dump(est.fit(X_IMG), f"{tmp}/{i}.joblib")
    est = joblib.load(f"{tmp}/{i}.joblib", mmap_mode="r")
    assert not est.background_.flags.writeable
    est.transform(X); est.explain(X); est.score(X)
    completeness_gap(est, X); deletion_auc(est, X)
print("no warning")
"""


def test_memmapped_torch_explainer_does_not_warn_about_read_only_arrays(tmp_path):
    # joblib.load(..., mmap_mode="r") makes fitted arrays read-only memmaps; torch.as_tensor
    # on one warned "The given NumPy array is not writable". torch warns once per process,
    # so the check runs in a fresh interpreter.
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", _MEMMAP_SCRIPT, str(tmp_path)], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "no warning" in done.stdout


# ---------------------------------------------------------------------------- one-feature score
SCORED_TABULAR = [(n, c) for n, c in all_explainers(["tabular", "control"])
                  if c._default_scoring == "faithfulness_correlation" and "Sobel" not in n]


@pytest.mark.parametrize("name, cls", SCORED_TABULAR, ids=[n for n, _ in SCORED_TABULAR])
def test_score_of_a_single_feature_table_is_refused_not_zero(name, cls):
    # faithfulness correlation (the default score) with one feature: every random subset is
    # that feature, the attributed mass never varies, and 0/0 was reported as 0.0 for every
    # explainer (a perfect SHAP as well as a random one)
    from sklearn.linear_model import LinearRegression
    from sklearn.tree import DecisionTreeRegressor

    rs = np.random.RandomState(0)
    X = rs.normal(size=(30, 1))
    y = 2 * X[:, 0]
    model = (DecisionTreeRegressor(max_depth=2, random_state=0) if name == "TreeShapExplainer"
             else LinearRegression()).fit(X, y)
    params = {"max_features": 1} if "max_features" in cls._get_param_names() else {}
    est = cls(model, **params).fit(X, y)
    with pytest.raises(ValueError, match=r"faithfulness_correlation is undefined with 1 unit"):
        est.score(X[:5])


def test_faithfulness_correlation_of_two_features_is_still_computed():
    from sklearn.linear_model import LinearRegression

    from skxai import ExactShapleyExplainer
    from skxai.metrics import faithfulness_correlation

    rs = np.random.RandomState(0)
    X = rs.normal(size=(30, 2))
    ex = ExactShapleyExplainer(LinearRegression().fit(X, X @ [2.0, -1.0])).fit(X)
    np.testing.assert_allclose(faithfulness_correlation(ex, X[:3]), 1.0)


# ---------------------------------------------------------------------------- feature names
def _sklearn_messages(name):
    """scikit-learn's own two messages, for an estimator called ``name``."""
    import warnings

    import pandas as pd
    from sklearn.preprocessing import StandardScaler

    df = pd.DataFrame(np.ones((3, 2)), columns=["a", "b"])
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        StandardScaler().fit(df).transform(df.to_numpy())
        StandardScaler().fit(df.to_numpy()).transform(df)
    return [str(w.message).replace("StandardScaler", name) for w in rec]


TABLE_EXPLAINERS = [(n, c) for n, c in all_explainers(["tabular", "control"]) if "Sobel" not in n]


def _frame_instance(name, cls, as_frame):
    import pandas as pd

    est, X, y, _ = make_instance(name, cls)
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    fit_X = frame if as_frame else X
    return (est.fit(fit_X, y) if y is not None else est.fit(fit_X)), frame


def _feature_name_warnings(func):
    import warnings

    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        func()
    return [str(w.message) for w in rec if "feature names" in str(w.message)]


@pytest.mark.parametrize("name, cls", TABLE_EXPLAINERS, ids=[n for n, _ in TABLE_EXPLAINERS])
def test_transform_and_explain_warn_about_feature_names_as_scikit_learn(name, cls):
    # fitted on a DataFrame and given an array (or the reverse), scikit-learn estimators warn;
    # the explainers were silent. Once per call (transform calling explain does not repeat it).
    without, with_ = _sklearn_messages(name)
    est, frame = _frame_instance(name, cls, as_frame=True)
    assert _feature_name_warnings(lambda: est.transform(frame.to_numpy()[:3])) == [without]
    assert _feature_name_warnings(lambda: est.explain(frame.to_numpy()[:3])) == [without]
    assert _feature_name_warnings(lambda: est.transform(frame[:3])) == []
    est, frame = _frame_instance(name, cls, as_frame=False)
    assert _feature_name_warnings(lambda: est.transform(frame[:3])) == [with_]
    assert _feature_name_warnings(lambda: est.transform(frame.to_numpy()[:3])) == []


def test_torch_explainer_warns_about_feature_names_as_scikit_learn():
    import pandas as pd

    from skxai import IntegratedGradientsExplainer

    net = torch.nn.Sequential(torch.nn.Linear(3, 2)).double()
    frame = pd.DataFrame(np.random.RandomState(0).normal(size=(10, 3)), columns=list("abc"))
    est = IntegratedGradientsExplainer(net, n_steps=4).fit(frame)
    assert _feature_name_warnings(lambda: est.transform(frame.to_numpy())) == [
        _sklearn_messages("IntegratedGradientsExplainer")[0]]
    assert _feature_name_warnings(lambda: est.transform(frame)) == []


def test_metrics_do_not_warn_about_feature_names():
    # the metrics call transform on perturbed arrays (sensitivity), on arrays of the background
    # (data randomisation), in worker threads: none of that is the user's input
    from joblib import parallel_config
    from sklearn.neural_network import MLPRegressor

    import skxai.metrics as M
    from skxai import ExactShapleyExplainer

    est, frame = _frame_instance("ExactShapleyExplainer", ExactShapleyExplainer, as_frame=True)
    mlp = MLPRegressor(hidden_layer_sizes=(3,), max_iter=3000, random_state=0).fit(frame, frame.f0 - frame.f1)
    est = ExactShapleyExplainer(mlp, max_background=10).fit(frame)
    X = frame[:4]

    def run():
        # the confidence metrics refuse a regressor's output (no probability to drop)
        confidence = {"average_drop", "average_gain", "increase_in_confidence"}
        for metric in sorted(set(M.get_metric_names()) - confidence):
            M.score_explainer(est, X, scoring=metric)
        est.score(X)
        with parallel_config(backend="threading", n_jobs=2):
            M.avg_sensitivity(est, X, n_perturbations=3, n_jobs=2)
            M.faithfulness_correlation(est, X, n_subsets=5, n_jobs=2)
        M.model_randomization_test(est, X)
        M.data_randomization_test(est, X, X_train=frame, y_train=frame.f0 - frame.f1)

    assert _feature_name_warnings(run) == []


SENSITIVITY_EXPLAINERS = ["RandomExplainer", "TreeShapExplainer", "AnchorTabularExplainer", "KernelShapExplainer"]


@pytest.mark.parametrize("name", SENSITIVITY_EXPLAINERS)
def test_sensitivity_of_perturbed_arrays_does_not_warn_about_feature_names(name):
    # sensitivity explains perturbed arrays: through transform (anchors), or through a
    # _transform_for_targets hook that calls transform / explain (controls, TreeSHAP), in
    # worker threads too; a metric given an array is not the explainer's user either
    from joblib import parallel_config

    import skxai.metrics as M

    est, frame = _frame_instance(name, dict(all_explainers())[name], as_frame=True)

    def run():
        with parallel_config(backend="threading", n_jobs=2):
            M.max_sensitivity(est, frame[:4], n_perturbations=2, n_jobs=2)
        M.avg_sensitivity(est, frame.to_numpy()[:2], n_perturbations=2)
        M.sparseness(est, frame.to_numpy()[:2])

    assert _feature_name_warnings(run) == []


def test_anchor_estimate_precision_does_not_warn_about_feature_names():
    from skxai import AnchorTabularExplainer

    est, frame = _frame_instance("AnchorTabularExplainer", AnchorTabularExplainer, as_frame=True)
    assert _feature_name_warnings(lambda: est.estimate_precision(frame[:3])) == []


def test_dask_blocks_do_not_warn_about_feature_names():
    da = pytest.importorskip("dask.array")
    dd = pytest.importorskip("dask.dataframe")
    import dask

    from skxai import KernelShapExplainer

    est, frame = _frame_instance("KernelShapExplainer", KernelShapExplainer, as_frame=True)
    with dask.config.set(scheduler="synchronous"):
        lazy = []
        # the user's array: warned once, at transform, as scikit-learn warns for an array
        assert _feature_name_warnings(
            lambda: lazy.append(est.transform(da.from_array(frame.to_numpy()[:6], chunks=2)))
        ) == [_sklearn_messages("KernelShapExplainer")[0]]
        assert _feature_name_warnings(lambda: lazy[0].compute()) == []  # the blocks: internal
        ddf = dd.from_pandas(frame[:6], npartitions=2)
        assert _feature_name_warnings(lambda: est.transform(ddf).compute()) == []


def test_command_line_does_not_warn_about_feature_names(tmp_path, capsys):
    # a saved explainer fitted on an array explains the CSV's rows, read as a DataFrame
    import joblib
    import pandas as pd
    from sklearn.linear_model import LinearRegression

    from skxai import ExactShapleyExplainer
    from skxai._cli import main

    rs = np.random.RandomState(0)
    frame = pd.DataFrame(rs.normal(size=(30, 3)), columns=list("abc"))
    model = LinearRegression().fit(frame.to_numpy(), frame.a - frame.b)
    joblib.dump(ExactShapleyExplainer(model, max_background=10).fit(frame.to_numpy()), tmp_path / "ex.joblib")
    frame.to_csv(tmp_path / "data.csv", index=False)
    argv = ["explain", tmp_path / "ex.joblib", tmp_path / "data.csv", "--trust-pickle",
            "--out", tmp_path / "out.csv", "--quiet"]
    codes = []
    assert _feature_name_warnings(lambda: codes.append(main([str(a) for a in argv]))) == []
    assert codes == [0], capsys.readouterr().err
