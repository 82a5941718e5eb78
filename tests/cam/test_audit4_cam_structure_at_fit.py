"""CamExplainer refuses a network that is not conv -> global average pooling -> linear at ``fit``.

The structure does not depend on the images, and every other refusal of the CAM family comes at
``fit``; this one came only at the first ``transform`` (``fit`` accepted conv -> flatten ->
linear, or a temperature hook on the linear layer, without a word).
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai import CamExplainer  # noqa: E402
from tests._nets import one_torch_thread  # noqa: E402, F401

IMGS = np.random.RandomState(0).rand(4, 1, 6, 6)


def _gap_net():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3)
    ).double()


def _flatten_net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 36, 3)).double()


def _max_pool_net():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(4, 3)
    ).double()


def _temperature_net():
    net = _gap_net()
    net[4].register_forward_hook(lambda m, inp, out: 5 * out)
    return net


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (_flatten_net, "receives 144 features per sample while the layer has 4 channels"),
        (_max_pool_net, "is not the spatial mean of the activations"),
        (_temperature_net, "is not W x \\+ b of its input"),
    ],
)
def test_a_network_without_the_cam_structure_is_refused_at_fit(make, reason):
    with pytest.raises(ValueError, match=f"CamExplainer needs layer '1' to be followed only by .*{reason}"):
        CamExplainer(make(), target_layer="1").fit(IMGS)


def test_a_gap_network_still_gives_the_cam():
    net = _gap_net()
    exp = CamExplainer(net, target_layer="1", relu=False, target=2).fit(IMGS).explain(IMGS)
    with torch.no_grad():
        act = net[1](net[0](torch.as_tensor(IMGS))).numpy()
    w = net[4].weight.detach().numpy()[2]
    np.testing.assert_allclose(exp.raw_map, np.einsum("k,nkhw->nhw", w, act), rtol=1e-12, atol=1e-14)


def test_a_network_changed_after_fit_is_still_refused_at_transform():
    net = _gap_net()
    est = CamExplainer(net, target_layer="1").fit(IMGS)
    net[4].register_forward_hook(lambda m, inp, out: 5 * out)
    with pytest.raises(ValueError, match="is not W x \\+ b of its input"):
        est.transform(IMGS)
