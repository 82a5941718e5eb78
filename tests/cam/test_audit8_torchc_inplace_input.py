"""CAMs of a network whose forward() works in place on its input (audit8, torchc).

``x.mul_(2).sub_(0.5)`` as a first step (an input normalisation written in place) changed the
images a CAM keeps after its first pass: Score-CAM and Opti-CAM masked the normalised images
(normalised again by the next pass), Ablation-CAM re-fed them to every ablation, Guided
Grad-CAM took its guided backpropagation at them. The maps must be those of the same network
written out of place.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.cam import (  # noqa: E402
    AblationCamExplainer,
    GradCamExplainer,
    GuidedGradCamExplainer,
    OptiCamExplainer,
    ScoreCamExplainer,
)


class _Net(nn.Module):
    def __init__(self, inplace, channels):
        super().__init__()
        self.inplace = inplace
        self.conv = nn.Conv2d(channels, 4, 3, padding=1)
        self.act = nn.ReLU()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        x = x.mul_(2.0).sub_(0.5) if self.inplace else x * 2.0 - 0.5
        return self.fc(self.act(self.conv(x)).mean((2, 3)))


def _nets(channels):
    torch.manual_seed(0)
    plain = _Net(False, channels)
    with torch.no_grad():  # a dead channel: Score-CAM's constant-mask branch runs too
        plain.conv.weight[0] = 0.0
        plain.conv.bias[0] = -1.0
    inplace = _Net(True, channels)
    inplace.load_state_dict(plain.state_dict())
    return plain, inplace


CASES = [
    (ScoreCamExplainer, {}),
    (ScoreCamExplainer, {"baseline": 0.25}),
    (OptiCamExplainer, {"max_iter": 5}),
    (OptiCamExplainer, {"max_iter": 5, "baseline": 0.25}),
    (AblationCamExplainer, {}),
    (AblationCamExplainer, {"batch_size": 2}),  # several ablation passes on the same images
    (GuidedGradCamExplainer, {}),
    (GradCamExplainer, {}),
]


@pytest.mark.parametrize("channels", [1, 2])  # colour images run channels-last, one channel does not
@pytest.mark.parametrize(("cls", "kw"), CASES)
def test_maps_equal_those_of_the_out_of_place_network(cls, kw, channels):
    plain, inplace = _nets(channels)
    X = np.random.RandomState(0).normal(size=(3, channels, 6, 6)).astype(np.float32)
    kept = X.copy()
    want = cls(plain, **kw).fit(X).explain(X)
    got = cls(inplace, **kw).fit(X).explain(X)
    np.testing.assert_allclose(got.values, want.values, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got.outputs, want.outputs, rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(X, kept)
