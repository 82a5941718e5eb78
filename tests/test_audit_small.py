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
