"""A network whose gradient is not finite somewhere gives an error, not NaN attributions."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from skxai import GradCamExplainer, GradientExplainer, IntegratedGradientsExplainer  # noqa: E402


class _Sqrt(torch.nn.Module):
    """d sqrt(|x|) / dx is infinite at 0: at a zero input, or on IG's path from a zero baseline."""

    def forward(self, x):
        return torch.sqrt(x.abs()).sum(dim=1, keepdim=True)


class _SqrtConv(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 2, 3, padding=1)

    def forward(self, x):
        return torch.sqrt(self.conv(x).abs()).mean(dim=(2, 3))


@pytest.mark.parametrize(
    "make, rows",
    [
        (lambda: GradientExplainer(_Sqrt().double()), [2]),
        (lambda: IntegratedGradientsExplainer(_Sqrt().double(), method="riemann_left"), [0, 1, 2]),
    ],
)
def test_non_finite_gradients_are_refused_with_the_samples_named(make, rows):
    X = np.vstack([np.random.RandomState(0).normal(size=(2, 3)), np.zeros((1, 3))])
    ex = make().fit(X)
    for call in (ex.transform, ex.explain):
        with pytest.raises(ValueError, match=f"attributions of {len(rows)} sample.*e.g. sample {rows[0]}.*NaN or inf"):
            call(X)


def test_a_cam_of_a_non_finite_gradient_is_refused():
    torch.manual_seed(0)
    net = _SqrtConv().double()
    with torch.no_grad():
        net.conv.weight.zero_()
        net.conv.bias.zero_()  # every activation 0: sqrt's gradient is infinite
    X = np.random.RandomState(0).normal(size=(2, 1, 5, 5))
    ex = GradCamExplainer(net, target_layer="conv").fit(X)
    with pytest.raises(ValueError, match="NaN or inf"):
        ex.transform(X)
