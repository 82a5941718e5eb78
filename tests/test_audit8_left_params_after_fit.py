"""Parameters consumed by ``fit`` in DeepSHAP, the controls and the text anchors, changed by
``set_params`` after ``fit``: refused, as the other families refuse theirs.

Found by experiment (fit with A, ``set_params(B)``, ``transform`` / ``explain``; fit with B; fit
with A): the first gave exactly the third, with no message, for

- DeepSHAP's ``max_background`` and ``random_state`` (the references are drawn at ``fit``);
- the controls' ``response_method`` (every mode), and in tabular mode ``max_background``,
  ``background`` and ``feature_groups`` (the background and groups of the perturbation view, the
  columns of the maps), and ConstantExplainer's ``random_state`` (only the background draw);
- AnchorTextExplainer's ``response_method`` (its ``outputs``), ``token_pattern`` (the coverage
  vocabulary learnt at ``fit``: half used) and ``perturbation`` ("similar" set after a fit with
  "unk" failed inside with ``AttributeError: 'NoneType' object has no attribute 'neighbours'``).
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sklearn.base import clone  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.ensemble import GradientBoostingClassifier  # noqa: E402
from sklearn.feature_extraction.text import CountVectorizer  # noqa: E402
from sklearn.frozen import FrozenEstimator  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from skxai.anchors import AnchorTextExplainer  # noqa: E402
from skxai.controls import ConstantExplainer, RandomExplainer, SobelExplainer  # noqa: E402
from skxai.gradient import DeepShapExplainer  # noqa: E402
from tests._nets import one_torch_thread, small_cnn  # noqa: E402, F401

NET = small_cnn()
XI = np.random.RandomState(0).normal(size=(30, 2, 8, 8))
XT, YT = make_classification(n_samples=80, n_features=5, n_informative=3, random_state=0)
TAB = FrozenEstimator(GradientBoostingClassifier(n_estimators=20, max_depth=2, random_state=0).fit(XT, YT))
_POS = ["good great fine movie", "great acting good plot", "isn't bad film", "good good story", "don't miss it"]
_NEG = ["bad awful movie", "awful plot bad acting", "isn't good film", "bad bad story", "don't watch it"]
DOCS = (_POS + _NEG) * 4
YD = ([1] * 5 + [0] * 5) * 4
TXT = FrozenEstimator(make_pipeline(CountVectorizer(token_pattern=r"[a-z']+"), LogisticRegression()).fit(DOCS, YD))
GROUPS = [[0, 1], [2], [3], [4]]

# name -> (class, model, fit data, explained rows, base parameters)
SETUPS = {
    "deepshap": (DeepShapExplainer, NET, XI, XI[:3], dict(max_background=20, random_state=0)),
    "random-tab": (RandomExplainer, TAB, XT, XT[:3], dict(max_background=40, random_state=0)),
    "constant-tab": (ConstantExplainer, TAB, XT, XT[:3], dict(max_background=40, random_state=0)),
    "random-arr": (RandomExplainer, NET, XI, XI[:3], dict(random_state=0)),
    "constant-arr": (ConstantExplainer, NET, XI, XI[:3], dict()),
    "sobel": (SobelExplainer, NET, XI, XI[:3], dict()),
    "text": (AnchorTextExplainer, TXT, DOCS, ["isn't good movie with bad acting", "don't miss this great film"],
             dict(random_state=0, samples_per_round=20, max_rows=5000)),
}
IGNORED = [
    ("deepshap", "max_background", 20, 10),
    ("deepshap", "random_state", 0, 1),
    *[(s, "response_method", "auto", "decision_function") for s in ("random-tab", "constant-tab")],
    *[(s, p, a, b) for s in ("random-tab", "constant-tab")
      for p, a, b in (("max_background", 40, 20), ("background", "sample", "kmeans"),
                      ("feature_groups", None, GROUPS))],
    ("constant-tab", "random_state", 0, 1),
    *[(s, "response_method", "auto", "predict_proba") for s in ("random-arr", "constant-arr", "sobel")],
    ("text", "response_method", "auto", "decision_function"),
    ("text", "token_pattern", AnchorTextExplainer(None).token_pattern, r"[a-z]+"),
    ("text", "perturbation", "unk", "similar"),
]
IDS = [f"{s}-{p}" for s, p, _, _ in IGNORED]


def _fit(setup, **params):
    cls, model, X, _, base = SETUPS[setup]
    return cls(model, **dict(base, **params)).fit(X)


def _out(explainer, setup):
    XE = SETUPS[setup][3]
    ex = explainer.explain(XE)
    parts = [ex.values, ex.outputs, ex.base_values, explainer.model_output(XE)]
    if hasattr(explainer, "perturbation_view"):
        view = explainer.perturbation_view(XE)
        parts += [view.background, view.background_weights, view.output(XE), len(view.groups)]
    if setup == "text":  # one array of word indicators per document (ragged)
        return [repr([np.asarray(r).tolist() for r in p]) for p in parts if p is not None]
    return [np.asarray(p, dtype=float) for p in parts if p is not None]


def _equal(u, v):
    assert len(u) == len(v)
    for a, b in zip(u, v, strict=True):
        assert a == b if isinstance(a, str) else np.array_equal(a, b)


@pytest.mark.parametrize(("setup", "param", "a", "b"), IGNORED, ids=IDS)
def test_a_fit_time_parameter_changed_after_fit_is_refused(setup, param, a, b):
    explainer = _fit(setup, **{param: a})
    expected = _out(explainer, setup)
    fitted_b = _out(_fit(setup, **{param: b}), setup)
    with pytest.raises(AssertionError):  # the parameter matters: fit with b gives another result
        _equal(expected, fitted_b)
    explainer.set_params(**{param: b})
    message = rf"{param}=.*set after fit.*call fit again \(or set_params back\)"
    XE = SETUPS[setup][3]
    with pytest.raises(ValueError, match=message):
        explainer.transform(XE)
    with pytest.raises(ValueError, match=message):
        explainer.explain(XE)
    # a clone is unfitted: it fits with b and gives fit-with-b's result
    _equal(_out(clone(explainer).fit(SETUPS[setup][2]), setup), fitted_b)
    explainer.set_params(**{param: a})  # set back: the fitted result, unchanged
    _equal(_out(explainer, setup), expected)


def test_a_grid_search_over_a_fit_time_parameter_still_runs():
    # GridSearchCV clones and refits for every candidate: nothing refused
    grid = GridSearchCV(ConstantExplainer(TAB, max_background=40, random_state=0),
                        {"max_background": [20, 40], "background": ["sample", "kmeans"]}, cv=2)
    grid.fit(XT, YT)
    assert len(grid.cv_results_["params"]) == 4
    assert np.isfinite(grid.cv_results_["mean_test_score"]).all()


@pytest.mark.parametrize(("setup", "param", "value"), [
    ("random-tab", "distribution", "uniform"), ("constant-tab", "value", 2.0), ("sobel", "mode", "constant"),
    ("random-arr", "random_state", 1), ("text", "threshold", 0.7),
])
def test_call_time_parameters_still_change_after_fit(setup, param, value):
    explainer = _fit(setup).set_params(**{param: value})
    _equal(_out(explainer, setup), _out(_fit(setup, **{param: value}), setup))
