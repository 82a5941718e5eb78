"""Networks whose output has more axes than ``(n, n_outputs)`` (audit 3, torch3).

The explainers take a module's output flattened to ``(n, -1)``. That is right for ``(n, K, 1)``
and for the scores of ``(n, K, L)`` (each flattened value an output), but "probabilities" were
the softmax over the flattened ``K * L`` values: on a per-position classifier of shape
``(2, 3, 4)`` the explained probabilities of a sample summed to 1 over all 12 values, where the
network's own (softmax over the 3 classes at each position) sum to 1 at each position.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.cam import GradCamExplainer  # noqa: E402
from skxai.gradient import GradientExplainer, IntegratedGradientsExplainer  # noqa: E402
from tests._nets import one_torch_thread, seeded_float64  # noqa: E402, F401

X = np.random.RandomState(0).normal(size=(2, 2, 4))


class _PerPosition(nn.Module):
    """(n, 2, L) -> (n, 3, L) scores of 3 classes at each position (``squeeze``: (n, 3) for L = 1)."""

    def __init__(self, squeeze=False):
        super().__init__()
        self.conv = nn.Conv1d(2, 3, 3, padding=1)
        self.squeeze = squeeze

    def forward(self, x):
        out = self.conv(x)
        return out.mean(dim=2) if self.squeeze else out


def _net(squeeze=False):
    return seeded_float64(_PerPosition(squeeze), seed=3)


@pytest.mark.parametrize("make", [GradientExplainer, IntegratedGradientsExplainer, GradCamExplainer])
def test_probabilities_of_a_multi_axis_output_are_refused(make):
    with pytest.raises(ValueError, match=r"shape \(\d+, 3, 4\).*decision_function"):
        make(_net(), response_method="predict_proba", target=0).fit(X)


def test_scores_of_a_multi_axis_output_are_its_flattened_values():
    net = _net()
    exp = GradientExplainer(net, response_method="decision_function", target=6).fit(X).explain(X)
    x = torch.as_tensor(X).requires_grad_(True)
    out = net(x)
    (grad,) = torch.autograd.grad(out[:, 1, 2].sum(), x)  # flat index 6 = class 1, position 2
    np.testing.assert_allclose(exp.values, grad.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(exp.outputs, out.detach().reshape(2, -1).numpy(), rtol=1e-12)


def test_probabilities_of_an_output_with_a_trailing_unit_axis_are_the_softmax():
    # (n, 3, 1) is (n, 3): its probabilities are its softmax, as for the squeezed network
    class Trailing(nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, x):
            return self.inner(x)[:, :, None]

    flat = _net(squeeze=True)
    got = GradientExplainer(Trailing(flat), response_method="predict_proba", target=2).fit(X).explain(X)
    x = torch.as_tensor(X).requires_grad_(True)
    p = torch.softmax(flat(x), dim=1)
    (grad,) = torch.autograd.grad(p[:, 2].sum(), x)
    np.testing.assert_allclose(got.values, grad.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(got.outputs.sum(axis=1), 1.0, rtol=1e-12)


@pytest.mark.parametrize(
    "result, named",
    [
        (lambda out: (None, out), "returned a tuple whose first item is NoneType"),
        (lambda out: [], "returned an empty list"),
        (lambda out: {"logits": out}, "returned dict"),
    ],
)
def test_a_non_tensor_output_is_named_as_returned(result, named):
    # (None, logits) was reported as "returned NoneType", and () raised an IndexError
    class Wrapped(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = _net(squeeze=True)

        def forward(self, x):
            return result(self.inner(x))

    with pytest.raises(TypeError, match=named):
        GradientExplainer(Wrapped()).fit(X)
