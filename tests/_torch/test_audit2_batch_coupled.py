"""A network whose output for a sample depends on the other samples of its batch is refused.

``nn.Softmax(dim=0)`` (a normalisation over the batch axis) gave DeepSHAP a shape error deep
inside autograd, and a misleading warning about functional dropout at fit; the gradient and CAM
explainers returned attributions mixing the samples.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

from skxai import DeepShapExplainer, GradCamExplainer, GradientExplainer, IntegratedGradientsExplainer  # noqa: E402


class _MinusBatchMean(nn.Module):
    def forward(self, x):
        return x - x.mean(dim=0, keepdim=True)


def _mlp(last):
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 3), last)


X = np.random.RandomState(0).randn(20, 4).astype(np.float32)


@pytest.mark.parametrize("cls", [DeepShapExplainer, GradientExplainer, IntegratedGradientsExplainer])
@pytest.mark.parametrize("last", [lambda: nn.Softmax(dim=0), _MinusBatchMean])
def test_a_network_normalising_over_the_batch_is_refused_at_fit(cls, last):
    net = _mlp(last())
    with pytest.raises(ValueError, match="depends on the other samples of its batch"):
        cls(net).fit(X[:10])


def test_a_cnn_normalising_over_the_batch_is_refused_by_a_cam():
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(4, 3),
        nn.Softmax(dim=0),
    )
    imgs = np.random.RandomState(1).rand(10, 1, 6, 6).astype(np.float32)
    with pytest.raises(ValueError, match="depends on the other samples of its batch"):
        GradCamExplainer(net, target_layer="1").fit(imgs)


def test_the_check_leaves_per_sample_networks_alone():
    net = _mlp(nn.Softmax(dim=1))
    est = DeepShapExplainer(net, random_state=0).fit(X[:10])
    phi = est.transform(X[10:13])
    # efficiency: the attributions of each sample sum to its output minus the references' mean
    with torch.no_grad():
        out = net(torch.tensor(X[10:13])).numpy()
    target = out.argmax(1)
    np.testing.assert_allclose(
        phi.reshape(3, -1).sum(1), out[np.arange(3), target] - est.expected_value_[target], atol=1e-5
    )
