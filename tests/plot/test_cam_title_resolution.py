"""A CAM's title gives the layer's resolution, also when the explainer already upscaled the map.

The demo's CAMs (layer conv3, 8x8 maps, ``upsample=True``) were titled "(map 32x32 -> 32x32)",
while the page said the maps were 8x8: the title read the shape of the upscaled values.
"""

import numpy as np
import pytest

pytest.importorskip("matplotlib")
import matplotlib.pyplot as plt  # noqa: E402

from skxai import Explanation  # noqa: E402
from skxai.plot import CamDisplay  # noqa: E402


def test_title_reads_the_raw_maps_resolution():
    values = np.random.RandomState(0).uniform(size=(2, 8, 8))  # upscaled by the explainer
    raw = np.random.RandomState(1).uniform(size=(2, 4, 4))  # the layer's own maps
    exp = Explanation(values, data=np.ones((2, 1, 8, 8)), method="GradCamExplainer", raw_map=raw)
    disp = CamDisplay.from_explanation(exp, index=1)
    assert "(map 4x4 -> 8x8)" in disp.ax_.get_title()
    plt.close("all")


def test_title_without_raw_maps_is_the_values_shape():
    exp = Explanation(np.ones((1, 4, 4)), data=np.ones((1, 1, 8, 8)), method="CAM")
    assert "(map 4x4 -> 8x8)" in CamDisplay.from_explanation(exp).ax_.get_title()
    plt.close("all")


@pytest.mark.parametrize("upsample", [True, False])
def test_torch_cam_title_gives_the_layer_resolution(upsample):
    torch = pytest.importorskip("torch")
    from torch import nn

    from skxai import GradCamExplainer

    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                        nn.Flatten(), nn.Linear(4, 2)).double().eval()
    X = torch.randn(2, 1, 8, 8, dtype=torch.float64).numpy()
    exp = GradCamExplainer(net, upsample=upsample).fit(X).explain(X)
    assert "(map 4x4 -> 8x8)" in CamDisplay.from_explanation(exp).ax_.get_title()
    plt.close("all")
