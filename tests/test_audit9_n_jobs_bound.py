"""``n_jobs`` beyond any machine is refused at fit, naming it (an outside audit, session 23).

``n_jobs=10**6`` passed validation and failed at the first parallel call inside joblib with
"Numeric literal 2000000 is too large, max is 1000000." (its ``pre_dispatch="2*n_jobs"``).
"""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.utils._param_validation import InvalidParameterError

from skxai import KernelShapExplainer, LimeExplainer, TreeShapExplainer
from skxai.utils._param_validation import MAX_N_JOBS

X = np.random.RandomState(0).rand(30, 3)
MODEL = LinearRegression().fit(X, X.sum(axis=1))


@pytest.mark.parametrize("n_jobs", [10**6, -(10**6)])
@pytest.mark.parametrize("cls", [KernelShapExplainer, LimeExplainer])
def test_an_impossible_n_jobs_is_refused_at_fit(cls, n_jobs):
    with pytest.raises(InvalidParameterError, match="'n_jobs' parameter"):
        cls(MODEL, n_jobs=n_jobs).fit(X)


def test_the_largest_accepted_n_jobs_runs():
    from sklearn.tree import DecisionTreeRegressor

    tree = DecisionTreeRegressor(max_depth=3).fit(X, X.sum(axis=1))
    assert TreeShapExplainer(tree, n_jobs=MAX_N_JOBS).fit(X).transform(X[:2]).shape == (2, 3)
    assert KernelShapExplainer(MODEL, n_jobs=-1, n_samples=8).fit(X).transform(X[:2]).shape == (2, 3)
