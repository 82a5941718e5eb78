"""Controls with one target label per sample, on torch modules and on tables."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from torch import nn  # noqa: E402

from skxai.controls import RandomExplainer  # noqa: E402


def _cnn():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(3, 3))


def test_a_per_sample_target_on_a_torch_module_is_resolved_at_fit():
    # fit raised "only 0-dimensional arrays can be converted to Python scalars"
    X = torch.randn(5, 1, 6, 6)
    labels = np.array([0, 2, 1, 1, 0])
    exp = RandomExplainer(_cnn(), target=labels, random_state=0).fit(X)
    np.testing.assert_array_equal(exp.target_indices(X), labels)
    np.testing.assert_array_equal(exp.explain(X).target_index, labels)


@pytest.mark.parametrize("kind", ["torch", "table"])
def test_a_per_sample_target_of_another_length_is_refused_by_explain(kind):
    # 5 labels for 3 rows were returned as the explanation's targets
    if kind == "torch":
        X = torch.randn(5, 1, 6, 6)
        model = _cnn()
    else:
        X, y = load_iris(return_X_y=True)
        model = LogisticRegression(max_iter=500).fit(X, y)
        X = X[:5]
    exp = RandomExplainer(model, target=np.array([0, 2, 1, 1, 0]), random_state=0).fit(X)
    with pytest.raises(ValueError, match="target holds 5 entries"):
        exp.explain(X[:3])
