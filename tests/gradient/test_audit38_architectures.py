"""Modern architectures: a functional log_softmax is said and labelled (its log-probabilities were
explained as logits), DeepSHAP refuses rms_norm / var_mean / std_mean inside forward() by name,
and a CAM's layer error lists the network's convolutions (it listed every submodule)."""

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional

from skxai import DeepShapExplainer, GradCamExplainer, GradientExplainer  # noqa: E402


class _LogSoftmaxNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(6, 16), nn.Linear(16, 3)

    def forward(self, x):
        return F.log_softmax(self.fc2(torch.relu(self.fc1(x))), dim=1)


def test_a_functional_log_softmax_is_said_and_labelled():
    torch.manual_seed(0)
    net = _LogSoftmaxNet().eval()
    X = np.random.RandomState(0).normal(size=(10, 6)).astype(np.float32)
    with pytest.warns(UserWarning, match="look like log-probabilities.*F.log_softmax is not"):
        exp = GradientExplainer(net, target=1, response_method="decision_function").fit(X).explain(X[:2])
    assert exp.quantity == "log-probability"
    x = torch.tensor(X[:2], requires_grad=True)
    np.testing.assert_allclose(exp.values, torch.autograd.grad(net(x)[:, 1].sum(), x)[0].numpy(), atol=1e-6)
    # the same network ending in an nn.LogSoftmax module: bypassed, logits, no warning
    head = nn.Sequential(net.fc1, nn.ReLU(), net.fc2, nn.LogSoftmax(dim=1)).eval()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert (
            GradientExplainer(head, target=1, response_method="decision_function").fit(X).explain(X[:2]).quantity
            == "logit"
        )


class _Norm(nn.Module):
    def __init__(self, how):
        super().__init__()
        self.how, self.fc1, self.fc2 = how, nn.Linear(6, 8), nn.Linear(8, 2)

    def forward(self, x):
        h = self.fc1(x)
        if self.how == "rms_norm":
            h = F.rms_norm(h, (8,))
        else:
            var, mean = getattr(torch, self.how)(h, dim=1, keepdim=True)
            h = (h - mean) / (var + 1.0)
        return self.fc2(torch.tanh(h))


@pytest.mark.parametrize("how", ["rms_norm", "var_mean", "std_mean"])
def test_deepshap_refuses_unlisted_normalisations_by_name(how):
    if how == "rms_norm" and not hasattr(F, "rms_norm"):
        pytest.skip("torch without F.rms_norm")
    torch.manual_seed(0)
    X = np.random.RandomState(0).normal(size=(20, 6)).astype(np.float32)
    with pytest.raises((ValueError, TypeError), match=f"cannot apply DeepLIFT rules.*{how}"):
        DeepShapExplainer(_Norm(how).eval(), target=0).fit(X).explain(X[:2])


def test_a_cams_layer_error_lists_the_convolutions_only():
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 4, 3, padding=1), nn.ReLU(),
        nn.Flatten(), nn.LayerNorm(4 * 8 * 8), nn.Linear(4 * 8 * 8, 2),
    ).eval()  # fmt: skip
    X = np.random.RandomState(0).normal(size=(4, 3, 8, 8)).astype(np.float32)
    with pytest.raises(ValueError, match=r"another convolutional layer among \['0', '2'\]\.$"):
        GradCamExplainer(net, target=1, target_layer="5").fit(X)
