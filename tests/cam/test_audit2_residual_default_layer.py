"""The CAM default layer on residual blocks whose skip is added out of place (audit 2, docs2).

The user guide (cams.rst, "The default layer") says that on a residual block reusing one ReLU
the default is the block, whose output the pooling averages, and that CAM works with its
defaults there. That held only for ``out += x`` (in place, torchvision's pattern): with
``out = out + x`` or ``relu(out + x)``, as many custom blocks write it, the chain from the last
convolution stopped at that convolution (the ReLU's input is the sum, not its output), so
``CamExplainer(net)`` refused the network with no layer to use, and Grad-CAM by default read the
block's pre-skip, pre-ReLU activations instead of the ones the classifier sees.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai import CamExplainer, GradCamExplainer  # noqa: E402
from tests._nets import cam_by_hand, one_torch_thread, seeded_float64  # noqa: E402, F401


class _Block(nn.Module):
    """One ReLU module used twice; the skip added by ``how``."""

    def __init__(self, c, how):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(c, c, 3, padding=1), nn.Conv2d(c, c, 3, padding=1)
        self.relu = nn.ReLU()
        self.how = how

    def forward(self, x):
        out = self.conv2(self.relu(self.conv1(x)))
        if self.how == "plus":
            out = out + x
        elif self.how == "radd":
            out = x + out
        else:
            out = torch.add(out, x)
        return self.relu(out)


def _net(how):
    net = nn.Sequential(
        nn.Conv2d(2, 5, 3, padding=1), nn.ReLU(), _Block(5, how), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(5, 3)
    )
    return seeded_float64(net, 0, scale=0.5).eval()


@pytest.mark.parametrize("how", ["plus", "radd", "torch.add"])
def test_cam_default_layer_is_the_block_when_the_skip_is_added_out_of_place(how):
    net = _net(how)
    X = np.random.RandomState(0).normal(size=(4, 2, 6, 6))
    exp = CamExplainer(net, relu=False, upsample=False).fit(X).explain(X)
    assert exp.target_layer == "2"
    np.testing.assert_allclose(exp.raw_map, cam_by_hand(net, X, 3), rtol=1e-10)
    default = GradCamExplainer(net, upsample=False).fit(X)
    assert default.target_layer_ == "2"
    np.testing.assert_allclose(
        default.transform(X), GradCamExplainer(net, target_layer="2", upsample=False).fit(X).transform(X)
    )
