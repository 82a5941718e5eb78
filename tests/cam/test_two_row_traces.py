"""Networks that work on batches of two rows or more (``squeeze`` drops the batch axis of one).

The fit-time traces of guided backprop, deconvolution, Guided Grad-CAM and the CAMs' default
layer ran one row through the network, and such a network failed ``fit`` with torch's
IndexError ("Dimension out of range"), while it explains batches like any other (the gradient
explainers already took it). The traces now run two rows.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.cam import GradCamExplainer, GuidedGradCamExplainer, ScoreCamExplainer  # noqa: E402
from skxai.gradient import DeconvolutionExplainer, GuidedBackpropExplainer  # noqa: E402


class _Net(nn.Module):
    def __init__(self, squeeze):
        super().__init__()
        self.squeeze = squeeze
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.act = nn.ReLU()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        h = self.pool(self.act(self.conv(x)))
        # squeeze: (n, 4), but (4,) for one row; flatten(1) is the same map on every batch
        return self.fc(h.squeeze() if self.squeeze else h.flatten(1))


def _pair():
    torch.manual_seed(0)
    squeezed = _Net(squeeze=True).double().eval()
    flat = _Net(squeeze=False).double().eval()
    flat.load_state_dict(squeezed.state_dict())
    return squeezed, flat


X = np.random.RandomState(0).rand(6, 3, 8, 8)


@pytest.mark.parametrize(
    "cls",
    [GuidedBackpropExplainer, DeconvolutionExplainer, GradCamExplainer, GuidedGradCamExplainer, ScoreCamExplainer],
)
def test_a_network_that_needs_two_rows_is_explained_as_its_flat_twin(cls):
    squeezed, flat = _pair()
    got = cls(squeezed, target=1).fit(X).transform(X)
    want = cls(flat, target=1).fit(X).transform(X)
    assert np.abs(want).max() > 0
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
