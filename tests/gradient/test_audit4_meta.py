"""DeepSHAP on random small networks: nonlinear torch calls the audit4 fuzzer found accepted."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai import DeepShapExplainer  # noqa: E402


class _Net(nn.Module):
    def __init__(self, op):
        super().__init__()
        self.a = nn.Linear(3, 4)
        self.out = nn.Linear(4, 1)
        self.op = op

    def forward(self, x):
        return self.out(self.op(self.a(x)))


def _data():
    rng = np.random.RandomState(0)
    return rng.normal(size=(4, 3)).astype(np.float32), rng.normal(size=(5, 3)).astype(np.float32)


# Each was accepted by fit and then broke efficiency silently (no warning): sum(phi) missed
# f(x) - E[f(background)] by 0.06 (prod) to 2.2 (erfcx) on this network, as the plain
# gradient of these functions is no DeepLIFT multiplier.
NONLINEAR = {
    "prod": lambda h: h.prod(1, keepdim=True) * torch.ones(1, 4),
    "cumprod": lambda h: h.cumprod(1),
    "fmod by a constant": lambda h: torch.fmod(h, 0.5),
    "remainder by a constant": lambda h: h % 0.5,
    "linalg.vector_norm": lambda h: torch.linalg.vector_norm(h, dim=1, keepdim=True) * torch.ones(1, 4),
    "linalg.norm": lambda h: torch.linalg.norm(h, dim=1, keepdim=True) * torch.ones(1, 4),
    "renorm": lambda h: h.renorm(2, 0, 1.0),
    "logcumsumexp": lambda h: torch.logcumsumexp(h, 1),
    "special.ndtr": torch.special.ndtr,
    "special.log_ndtr": torch.special.log_ndtr,
    "special.i0": torch.special.i0,
    "special.erfcx": torch.special.erfcx,
    "special.softmax": lambda h: torch.special.softmax(h, 1),
    "exp_ (in place)": lambda h: h.clone().exp_(),
    "pow_ (in place)": lambda h: h.clone().pow_(2),
    "abs_ (in place)": lambda h: h.clone().abs_(),
    "signbit": lambda h: h * h.signbit(),
}


@pytest.mark.parametrize("name", sorted(NONLINEAR))
def test_nonlinear_torch_calls_are_refused(name):
    X, bg = _data()
    with pytest.raises(ValueError, match="nonlinear torch functions"):
        DeepShapExplainer(_Net(NONLINEAR[name]), max_background=None).fit(bg)


@pytest.mark.parametrize(
    "op",
    [lambda h: h.cumsum(1), lambda h: torch.cat([h[:, :1], torch.diff(h, dim=1)], 1), lambda h: -h],
    ids=["cumsum", "diff", "neg"],
)
def test_linear_torch_calls_still_explained_exactly(op):
    X, bg = _data()
    net = _Net(op)
    values = DeepShapExplainer(net, max_background=None).fit(bg).transform(X)
    with torch.no_grad():
        f = net(torch.as_tensor(X)).double().numpy()[:, 0]
        fb = net(torch.as_tensor(bg)).double().numpy()[:, 0].mean()
    np.testing.assert_allclose(values.sum(axis=1), f - fb, atol=1e-5)
