"""The torch families name what they explain and refuse inputs that are no real numbers."""

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.cam import GradCamExplainer  # noqa: E402
from skxai.gradient import GradientExplainer, IntegratedGradientsExplainer  # noqa: E402


class _SoftmaxNet(nn.Module):
    """Probabilities from a custom forward: no trailing Softmax module to bypass."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3, padding=1)
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return torch.softmax(self.fc(torch.relu(self.conv(x)).mean((2, 3))), dim=1)


@pytest.mark.parametrize("cls", [GradientExplainer, GradCamExplainer])
def test_probabilities_explained_under_decision_function_are_named_probabilities(cls):
    # the warning said the probabilities are explained while quantity said 'logit'
    torch.manual_seed(0)
    X = np.random.RandomState(0).normal(size=(4, 2, 6, 6)).astype(np.float32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        explainer = cls(_SoftmaxNet(), response_method="decision_function", target=1).fit(X)
    assert any("look like probabilities" in str(w.message) for w in caught)
    assert explainer.quantity_ == "probability"
    assert explainer.explain(X[:2]).quantity == "probability"


@pytest.mark.parametrize("cls", [GradientExplainer, IntegratedGradientsExplainer])
def test_complex_and_duration_inputs_are_refused(cls):
    # a complex input was explained on its real part alone (torch warns once per process)
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 2))
    X = np.random.RandomState(0).normal(size=(6, 3)).astype(np.float32)
    with pytest.raises(ValueError, match="Complex data not supported"):
        cls(net).fit(X + 1j)
    explainer = cls(net).fit(X)
    with pytest.raises(ValueError, match="Complex data not supported"):
        explainer.transform(X + 5j)
    with pytest.raises(ValueError, match="Durations"):
        explainer.transform(X.astype("timedelta64[s]"))
