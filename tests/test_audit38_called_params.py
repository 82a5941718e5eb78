"""Parameters read at each call, set after fit, are checked at the call as fit checks them
(batch_size=-1, tol=-1.0, verbose="x" ran unchecked)."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeRegressor
from sklearn.utils._param_validation import InvalidParameterError

from skxai import KernelShapExplainer, LimeExplainer, ShapleySamplingExplainer, TreeShapExplainer

RNG = np.random.RandomState(0)
X = RNG.normal(size=(60, 5))
Y = X @ RNG.normal(size=5)


@pytest.mark.parametrize(
    "make, bad, good",
    [
        (
            lambda: KernelShapExplainer(Ridge().fit(X, Y), n_samples=40, random_state=0),
            {"batch_size": -1},
            {"batch_size": 7},
        ),
        (lambda: KernelShapExplainer(Ridge().fit(X, Y), n_samples=40, random_state=0), {"tol": -1.0}, {"tol": 0.5}),
        (lambda: ShapleySamplingExplainer(Ridge().fit(X, Y), random_state=0), {"verbose": "x"}, {"verbose": 0}),
        (lambda: ShapleySamplingExplainer(Ridge().fit(X, Y), random_state=0), {"n_jobs": 0}, {"n_jobs": 2}),
        (
            lambda: LimeExplainer(LogisticRegression().fit(X, Y > 0), n_samples=50, random_state=0),
            {"n_samples": 0},
            {"n_samples": 60},
        ),
        (lambda: TreeShapExplainer(DecisionTreeRegressor(max_depth=3).fit(X, Y)), {"batch_size": 0}, {"batch_size": 3}),
    ],
)
def test_a_call_time_parameter_set_after_fit_is_checked_at_the_call(make, bad, good):
    ex = make().fit(X)
    ex.set_params(**bad)
    name = next(iter(bad))
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter of {type(ex).__name__}"):
        ex.transform(X[:2])
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        ex.explain(X[:2])
    ex.set_params(**good)
    assert np.isfinite(ex.transform(X[:2])).all()


def test_a_torch_explainers_call_time_parameter_is_checked():
    torch = pytest.importorskip("torch")
    from skxai import IntegratedGradientsExplainer

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)).eval()
    ig = IntegratedGradientsExplainer(net, target=0).fit(X.astype(np.float32))
    ig.set_params(n_steps=0)
    with pytest.raises(InvalidParameterError, match="'n_steps' parameter"):
        ig.transform(X[:2].astype(np.float32))
