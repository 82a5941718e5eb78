"""The global random generators stay untouched, and random_state fixes a model the explainer
trains (session 35, an outside audit; both tests fail on the code before).

- the gradient family converts a scikit-learn MLP or linear model to torch layers whose
  default initialisation drew from torch's global generator;
- KernelSHAP and TreeSHAP trained a model left at ``random_state=None`` (a forest's default)
  with numpy's global generator: ``random_state=0`` gave other numbers at every fit.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_wine
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

from skxai import KernelShapExplainer, TreeShapExplainer

X, y = load_wine(return_X_y=True)
X = (X[:, :5] - X[:, :5].mean(axis=0)) / X[:, :5].std(axis=0)


def test_converting_a_scikit_learn_model_leaves_torch_generator_alone():
    torch = pytest.importorskip("torch")
    from skxai import GradientExplainer

    model = LogisticRegression(max_iter=500).fit(X, y)
    torch.manual_seed(0)
    expected = torch.rand(1)
    torch.manual_seed(0)
    GradientExplainer(model, target=1).fit(X[:20]).transform(X[:3])
    assert torch.equal(torch.rand(1), expected)


@pytest.mark.parametrize("cls", [KernelShapExplainer, TreeShapExplainer])
def test_a_model_trained_in_fit_is_seeded_from_random_state(cls):
    state = np.random.get_state()  # noqa: NPY002 - the global generator is what is checked
    kw = {"n_samples": 64} if cls is KernelShapExplainer else {}
    runs = [
        cls(RandomForestClassifier(n_estimators=5), target=1, random_state=0, **kw).fit(X, y).transform(X[:4])
        for _ in range(2)
    ]
    np.testing.assert_array_equal(runs[0], runs[1])
    after = np.random.get_state()  # noqa: NPY002
    assert after[0] == state[0] and np.array_equal(after[1], state[1]) and after[2] == state[2]
    # a seed the model was given is kept
    seeded = cls(RandomForestClassifier(n_estimators=5, random_state=7), target=1, random_state=0, **kw).fit(X, y)
    assert seeded.estimator_.random_state == 7
