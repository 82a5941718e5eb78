"""An explainer's ``allow_nan`` tag follows a Pipeline's own tag (session 36: it said True for
any Pipeline, and scikit-learn's checks fed StandardScaler + SVR NaN); fit still passes NaN to a
Pipeline, which may impute in a step its tags do not see."""

import numpy as np
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVR
from sklearn.utils import get_tags

from skxai import KernelShapExplainer


def test_the_nan_tag_follows_the_pipelines_own():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    y = X.sum(axis=1)
    plain = make_pipeline(StandardScaler(), SVR()).fit(X, y)
    imputing = make_pipeline(SimpleImputer(), Ridge()).fit(X, y)
    assert not get_tags(KernelShapExplainer(plain)).input_tags.allow_nan  # it said True
    for model in (plain, imputing):  # scikit-learn's Pipeline tag (False for both here)
        assert get_tags(KernelShapExplainer(model)).input_tags.allow_nan == get_tags(model).input_tags.allow_nan
    with_nan = X.copy()
    with_nan[0, 1] = np.nan
    KernelShapExplainer(imputing, n_samples=16, random_state=0).fit(with_nan).transform(with_nan[:2])
