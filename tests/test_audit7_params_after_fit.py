"""A parameter that ``fit`` consumes, changed by ``set_params`` after ``fit``, is refused.

Found by experiment (/tmp/params/classify.py in the audit): fit with A, ``set_params(B)``,
``transform`` gave exactly the result of fit with A, not that of fit with B, with no message.
``transform`` / ``explain`` now raise one ValueError naming each changed parameter, as they did
for ``target``; parameters read at each call (``n_jobs``, ``n_samples``, ...) still change freely.
"""

import re

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from skxai.anchors import AnchorTabularExplainer
from skxai.shapley import (
    ExactShapleyExplainer,
    KernelShapExplainer,
    ShapleyRegressionExplainer,
    ShapleySamplingExplainer,
    TreeShapExplainer,
)
from skxai.surrogate import LimeExplainer

X, y = make_classification(n_samples=80, n_features=5, n_informative=3, random_state=0)
# frozen: clone (and GridSearchCV) keep it fitted
MODEL = FrozenEstimator(GradientBoostingClassifier(n_estimators=20, max_depth=2, random_state=0).fit(X, y))
XE = X[:3]
GROUPS = [[0, 1], [2], [3], [4]]

BASE = {
    ExactShapleyExplainer: dict(max_background=40, random_state=0),
    KernelShapExplainer: dict(max_background=40, random_state=0, n_samples=20),
    ShapleySamplingExplainer: dict(max_background=40, random_state=0, n_permutations=3),
    ShapleyRegressionExplainer: dict(random_state=0),
    TreeShapExplainer: dict(max_background=40, random_state=0, feature_perturbation="interventional"),
    LimeExplainer: dict(max_background=40, random_state=0, n_samples=300),
    AnchorTabularExplainer: dict(random_state=0, n_validation_samples=200),
}
SHARED = [("response_method", "auto", "decision_function"), ("max_background", 40, 20),
          ("background", "sample", "kmeans"), ("feature_groups", None, GROUPS)]
# (class, parameter, A, B) whose change after fit was ignored (or, for the regression's
# response_method, half used: its transform then failed inside on a sub-model)
IGNORED = (
    [(cls, p, a, b) for cls in (ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer,
                                LimeExplainer, TreeShapExplainer) for p, a, b in SHARED]
    + [(ShapleyRegressionExplainer, "response_method", "auto", "decision_function"),
       (ShapleyRegressionExplainer, "feature_groups", None, GROUPS),
       (TreeShapExplainer, "random_state", 0, 1),
       (TreeShapExplainer, "feature_perturbation", "interventional", "tree_path_dependent"),
       (AnchorTabularExplainer, "n_bins", 4, 2),
       (AnchorTabularExplainer, "categorical_features", None, [0]),
       (AnchorTabularExplainer, "max_background", None, 20)]
)
IDS = [f"{c.__name__}-{p}" for c, p, _, _ in IGNORED]


def _fit(cls, **params):
    explainer = cls(MODEL, **dict(BASE[cls], **params))
    # the regression explainer retrains the model on coalitions: it needs y
    return explainer.fit(X, y) if cls is ShapleyRegressionExplainer else explainer.fit(X)


def _out(explainer):
    out = np.asarray(explainer.transform(XE), dtype=float)
    if isinstance(explainer, AnchorTabularExplainer):  # the rules too
        return out, [str(r) for r in explainer.explain(XE).anchor]
    return out, None


def _equal(u, v):
    np.testing.assert_array_equal(u[0], v[0])
    assert u[1] == v[1]


@pytest.mark.parametrize(("cls", "param", "a", "b"), IGNORED, ids=IDS)
def test_a_fit_time_parameter_changed_after_fit_is_refused(cls, param, a, b):
    explainer = _fit(cls, **{param: a})
    expected = _out(explainer)
    explainer.set_params(**{param: b})
    message = rf"{param}=.*set after fit.*call fit again \(or set_params back\)"
    with pytest.raises(ValueError, match=message):
        explainer.transform(XE)
    with pytest.raises(ValueError, match=message):
        explainer.explain(XE)
    # set back: the fitted explainer works again, with the very result it gave
    explainer.set_params(**{param: a})
    _equal(_out(explainer), expected)
    # the refit that clone (and so GridSearchCV) does takes the new value
    explainer.set_params(**{param: b})
    _equal(_out(_fit_clone(explainer)), _out(_fit(cls, **{param: b})))


def _fit_clone(explainer):
    c = clone(explainer)
    return c.fit(X, y) if isinstance(c, ShapleyRegressionExplainer) else c.fit(X)


def test_the_error_names_every_changed_parameter_with_both_values():
    explainer = _fit(KernelShapExplainer, target=1).set_params(max_background=20, background="kmeans", target=0)
    with pytest.raises(ValueError) as info:
        explainer.transform(XE)
    text = str(info.value)
    for piece in ("max_background=20", "max_background=40", "background='kmeans'", "background='sample'",
                  "target=0", "target=1", "call fit again (or set_params back)"):
        assert piece in text, (piece, text)


def test_a_list_changed_in_place_after_fit_is_a_change():
    groups = [[0, 1], [2], [3], [4]]
    explainer = _fit(LimeExplainer, feature_groups=groups)
    groups[0].append(2)
    groups.pop(1)
    with pytest.raises(ValueError, match=re.escape("feature_groups=[[0, 1, 2], [3], [4]]")):
        explainer.transform(XE)


@pytest.mark.parametrize("cls", [KernelShapExplainer, LimeExplainer, ShapleySamplingExplainer])
def test_call_time_parameters_still_change_after_fit(cls):
    explainer = _fit(cls)
    base = _out(explainer)
    explainer.set_params(n_jobs=2)  # the draws do not depend on n_jobs
    _equal(_out(explainer), base)
    name, value = {KernelShapExplainer: ("n_samples", 40), LimeExplainer: ("n_samples", 200),
                   ShapleySamplingExplainer: ("n_permutations", 5)}[cls]
    explainer.set_params(**{name: value})
    _equal(_out(explainer), _out(_fit(cls, **{name: value})))


def test_pipeline_and_grid_search_refit_with_the_new_value():
    pipe = Pipeline([("explain", KernelShapExplainer(MODEL, **BASE[KernelShapExplainer]))]).fit(X)
    pipe.set_params(explain__max_background=20)
    with pytest.raises(ValueError, match="max_background=20"):
        pipe.transform(XE)
    pipe.fit(X)
    np.testing.assert_array_equal(pipe.transform(XE), _fit(KernelShapExplainer, max_background=20).transform(XE))

    search = GridSearchCV(LimeExplainer(MODEL, **BASE[LimeExplainer]), {"max_background": [20, 40]}, cv=2)
    search.fit(X)
    best = search.best_params_["max_background"]
    np.testing.assert_array_equal(search.transform(XE), _fit(LimeExplainer, max_background=best).transform(XE))


def test_a_random_state_instance_is_not_a_change_when_copied_for_dask_blocks():
    da = pytest.importorskip("dask.array")
    explainer = TreeShapExplainer(MODEL, max_background=40, feature_perturbation="interventional",
                                  random_state=np.random.RandomState(0)).fit(X)
    # each dask block explains with its own copy of the generator: not a change of random_state
    lazy = explainer.transform(da.from_array(XE, chunks=2)).compute()
    np.testing.assert_allclose(lazy, explainer.transform(XE))
    explainer.set_params(random_state=3)  # an int seed set after fit is one
    with pytest.raises(ValueError, match="random_state=3"):
        explainer.transform(XE)


def test_a_pickled_explainer_still_explains():
    import pickle

    for explainer in (_fit(KernelShapExplainer, feature_groups=GROUPS, background="kmeans"),
                      TreeShapExplainer(MODEL, max_background=40, feature_perturbation="interventional",
                                        random_state=np.random.RandomState(0)).fit(X),
                      _fit(AnchorTabularExplainer, categorical_features=np.array([0]))):
        loaded = pickle.loads(pickle.dumps(explainer))
        _equal(_out(loaded), _out(explainer))
