"""``target`` changed by ``set_params`` after ``fit`` is refused at transform and explain.

Every family resolves a fixed target at fit; a ``set_params(target=k)`` without a refit
explained the fitted output while the parameter said ``k`` (tabular per-sample labels of the
same length too; of another length the error spoke of lengths). Per-sample labels that a family
reads at each call (the torch families) may change.
"""

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

from skxai import ExactShapleyExplainer, KernelShapExplainer, LimeExplainer, TreeShapExplainer

X = np.random.RandomState(0).randn(60, 4)
Y = np.arange(60) % 3


@pytest.mark.parametrize(
    "make",
    [
        lambda t: KernelShapExplainer(LogisticRegression().fit(X, Y), target=t, random_state=0),
        lambda t: ExactShapleyExplainer(LogisticRegression().fit(X, Y), target=t),
        lambda t: LimeExplainer(LogisticRegression().fit(X, Y), target=t, random_state=0),
        lambda t: TreeShapExplainer(RandomForestClassifier(5, random_state=0).fit(X, Y), target=t),
    ],
)
@pytest.mark.parametrize("fitted, later", [(1, 2), ("predicted", 0), ([0, 1], [2, 2])])
def test_a_target_set_after_fit_is_refused(make, fitted, later):
    est = make(fitted).fit(X)
    before = est.transform(X[:2])
    est.set_params(target=later)
    with pytest.raises(ValueError, match="was set after fit"):
        est.transform(X[:2])
    with pytest.raises(ValueError, match="was set after fit"):
        est.explain(X[:2])
    est.set_params(target=fitted)  # back: the fitted values again
    np.testing.assert_array_equal(est.transform(X[:2]), before)
    # a refit takes the new target
    np.testing.assert_array_equal(
        est.set_params(target=later).fit(X).transform(X[:2]), make(later).fit(X).transform(X[:2])
    )


def test_torch_per_sample_labels_read_at_each_call_may_change():
    torch = pytest.importorskip("torch")
    from skxai import GradientExplainer

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 3))
    Xf = X.astype(np.float32)
    est = GradientExplainer(net, target=[0, 1]).fit(Xf)
    est.set_params(target=[2, 2, 1])
    ref = GradientExplainer(net, target=[2, 2, 1]).fit(Xf).transform(Xf[:3])
    np.testing.assert_array_equal(est.transform(Xf[:3]), ref)
