"""The model randomisation test randomises the module the explainer really calls (skorch nets too)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
skorch = pytest.importorskip("skorch")

from sklearn.frozen import FrozenEstimator  # noqa: E402

from skxai import GradCamExplainer, GradientExplainer  # noqa: E402
from skxai.metrics import model_randomization_test  # noqa: E402


class _Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 4, 3, padding=1)
        self.act = torch.nn.ReLU()
        self.pool = torch.nn.AdaptiveAvgPool2d(1)
        self.fc = torch.nn.Linear(4, 3)

    def forward(self, x):
        return self.fc(self.pool(self.act(self.conv1(x))).flatten(1))


@pytest.mark.parametrize("cls", [GradientExplainer, GradCamExplainer])
def test_frozen_skorch_net_maps_change_when_its_layers_are_randomised(cls):
    with torch.random.fork_rng():
        torch.manual_seed(0)
        X = np.random.RandomState(0).rand(60, 1, 8, 8).astype(np.float32)
        y = np.random.RandomState(1).randint(0, 3, 60)
        net = skorch.NeuralNetClassifier(_Net, criterion=torch.nn.CrossEntropyLoss, max_epochs=2, verbose=0,
                                         train_split=None).fit(X, y)
    before = [p.detach().clone() for p in net.module_.parameters()]
    report = model_randomization_test(cls(FrozenEstimator(net)).fit(X[:10]), X[:8])
    similarity = report.to_frame()["spearman"].to_numpy()
    # Randomising every layer of the network the explainer calls must change its maps (the first
    # release randomised a copy the explainer never called: similarity 1.0 at every layer).
    assert similarity.max() < 0.95
    # ... in a copy: the user's net is untouched.
    for p, q in zip(net.module_.parameters(), before, strict=True):
        assert torch.equal(p.detach(), q)
