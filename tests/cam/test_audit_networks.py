"""Audit E: CAMs on networks the first tests did not try."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.cam import AblationCamExplainer, ScoreCamExplainer  # noqa: E402


class _SkipAroundLayer(nn.Module):
    """conv1 (identity 1x1) -> ReLU -> conv2, plus the block's input: a skip around the ReLU."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(2, 2, 1)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(2, 2, 3, padding=1)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(2, 3)
        with torch.no_grad():
            self.conv1.weight.copy_(torch.eye(2)[:, :, None, None])
            self.conv1.bias.zero_()

    def forward(self, x):
        return self.fc(self.pool(self.conv2(self.relu(self.conv1(x))) + x).flatten(1))


def _skip_data():
    torch.manual_seed(0)
    net = _SkipAroundLayer().eval()
    X = torch.randn(3, 2, 5, 5)
    X[1] = -X[1].abs()  # both channels dead at the ReLU: image 1 has no ablation to run
    X[2, 1] = -X[2, 1].abs()  # channel 1 dead
    return net, X


def test_ablationcam_skip_connection_with_an_image_without_live_channels():
    # Pairs (0, 0), (0, 1), (2, 0): three pairs over images 0..2. The network ran on the three
    # images and the skip connection (batch 3) was added row by row to the three ablated
    # copies, so pair (0, 1) got image 1's skip: a weight of -1.45 instead of -0.05, silently,
    # and only when the pairs shared one forward (batch_size=1 gave the right one).
    net, X = _skip_data()
    big = AblationCamExplainer(net, target_layer="relu", target=0, batch_size=256).fit(X).explain(X)
    one = AblationCamExplainer(net, target_layer="relu", target=0, batch_size=1).fit(X).explain(X)
    np.testing.assert_allclose(big.weights, one.weights, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(big.values, one.values, rtol=1e-5, atol=1e-6)
    # the reference: ablate each channel by hand
    with torch.no_grad():
        y = net(X)[:, 0]
        for i in range(3):
            for k in range(2):
                h = torch.relu(net.conv1(X[i : i + 1]))
                h[:, k] = 0
                yk = net.fc(net.pool(net.conv2(h) + X[i : i + 1]).flatten(1))[0, 0]
                assert big.weights[i, k] == pytest.approx(float((y[i] - yk) / y[i]), rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("cls", [AblationCamExplainer, ScoreCamExplainer])
def test_perturbing_cams_batch_size_one_equals_large_on_a_residual_net(cls):
    net, X = _skip_data()
    X = torch.cat([X, torch.randn(4, 2, 5, 5)])
    a = cls(net, target_layer="relu", target="predicted", batch_size=1).fit(X).transform(X)
    b = cls(net, target_layer="relu", target="predicted", batch_size=1000).fit(X).transform(X)
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_named_layer_of_a_network_without_nn_conv():
    # fit looked for the default layer (the last nn.Conv*) even when target_layer was given,
    # so a network of transposed convolutions was refused ("no convolution layer") whatever
    # layer the user named; the map there is also larger than the image (downscaled).
    from skxai.cam import GradCamExplainer

    torch.manual_seed(0)
    net = nn.Sequential(
        nn.ConvTranspose2d(3, 4, 4, stride=2, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(4, 3),
    ).eval()
    X = torch.randn(3, 3, 5, 7)
    exp = GradCamExplainer(net, target_layer="1", batch_size=2).fit(X).explain(X)
    assert exp.values.shape == (3, 5, 7) and exp.raw_map.shape == (3, 10, 14)
    np.testing.assert_allclose(exp.values, GradCamExplainer(net, target_layer="1", batch_size=1).fit(X).transform(X),
                               rtol=1e-5, atol=1e-7)
    with pytest.raises(ValueError, match="no convolution layer"):
        GradCamExplainer(net).fit(X)
    with pytest.raises(ValueError, match="feature map"):
        GradCamExplainer(net, target_layer="4").fit(X).transform(X)


def test_ablationcam_target_score_of_zero():
    # w_k = (y - y_k) / y divided by a score of 0 (a ReLU output, an underflowed probability):
    # every weight NaN, and a NaN heatmap returned without a word.
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3), nn.ReLU()
    ).eval()
    with torch.no_grad():
        net[4].weight[0] = -net[4].weight[0].abs()
        net[4].bias[0] = -1.0  # output 0 is 0 for every image, whatever channel is ablated
    X = torch.rand(4, 3, 6, 6)
    exp = AblationCamExplainer(net, target=0).fit(X).explain(X)
    assert (exp.outputs[:, 0] == 0).all()
    np.testing.assert_array_equal(exp.weights, 0.0)
    np.testing.assert_array_equal(exp.values, 0.0)
    with torch.no_grad():
        net[4].weight[0] = torch.tensor([1.0, -1.0, 0.0, 0.0])
        net[4].bias[0] = 0.0
    with torch.no_grad():
        y = net(X)[:, 0]
    assert (y == 0).any()  # some images score 0, and ablating channel 1 raises their score
    with pytest.raises(ValueError, match="score is 0"):
        AblationCamExplainer(net, target=0).fit(X).explain(X)
