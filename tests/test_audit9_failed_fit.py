"""A ``fit`` that raises leaves the explainer as it was (an outside audit, session 23).

``ExactShapleyExplainer`` on 21 features refused at ``fit`` (``max_features=20``) after setting
``estimator_``, ``background_`` and ``n_players_``: ``check_is_fitted`` passed and ``transform``
ran the 2**21 coalitions ``fit`` had refused (16.6 s). ``LimeExplainer`` on 10,000 features with
``n_samples=5000`` the same (36 s, 4.56 GB).
"""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression
from sklearn.utils.validation import check_is_fitted

from skxai import ExactShapleyExplainer, KernelShapExplainer, LimeExplainer

rng = np.random.RandomState(0)


def _wide(p):
    X = rng.normal(size=(40, p))
    return X, LinearRegression().fit(X, X.sum(axis=1))


@pytest.mark.parametrize(
    "make, p",
    [
        (lambda m: ExactShapleyExplainer(m, max_background=10), 21),  # max_features=20
        (lambda m: LimeExplainer(m, n_samples=50, max_background=10), 60),  # n_samples < p + 2
        (lambda m: KernelShapExplainer(m, n_samples=20, max_background=10), 30),  # < 2 p + 2
    ],
)
def test_a_refused_fit_leaves_the_explainer_unfitted(make, p):
    X, model = _wide(p)
    explainer = make(model)
    with pytest.raises(ValueError):
        explainer.fit(X)
    with pytest.raises(NotFittedError):
        check_is_fitted(explainer)
    with pytest.raises(NotFittedError):
        explainer.transform(X[:1])
    assert not [k for k in vars(explainer) if k.endswith("_") and not k.startswith("__")]


def test_a_refused_refit_keeps_the_previous_fit_whole():
    X, model = _wide(8)
    explainer = KernelShapExplainer(model, n_samples=40, max_background=10, random_state=0).fit(X)
    before = explainer.transform(X[:2])
    state = {k: v for k, v in vars(explainer).items() if k.endswith("_")}
    wide, wide_model = _wide(30)
    explainer.set_params(estimator=wide_model)
    with pytest.raises(ValueError, match="too small"):
        explainer.fit(wide)  # 40 < 2 * 30 + 2
    assert {k: v for k, v in vars(explainer).items() if k.endswith("_")}.keys() == state.keys()
    assert all(vars(explainer)[k] is v for k, v in state.items())
    explainer.set_params(estimator=model)
    np.testing.assert_array_equal(explainer.transform(X[:2]), before)
