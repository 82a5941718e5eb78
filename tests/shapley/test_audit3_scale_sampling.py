"""Third audit, numerical scale: the standard errors of Shapley sampling values do not change
when a constant is added to the model's output."""

import numpy as np
import pytest

from skxai import ShapleySamplingExplainer


def _game(offset):
    # x0 and x3 additive (constant contributions), x1 x2 interacting, x4 x5 null players
    return lambda Z: Z[:, 0] + Z[:, 1] * Z[:, 2] - 0.5 * Z[:, 3] + offset


@pytest.mark.parametrize("offset", [1e6, 1e9])
def test_sampling_std_does_not_depend_on_an_output_offset(offset):
    # A player counted as varying when its contributions' variance passed (1e-12 of the row's
    # largest contribution)^2, but contributions are differences of outputs and carry their
    # rounding (eps |f|): with f + 1e6 the null players' rounding noise (1e-10) read as
    # variation, and the additive players' errors fell from 0.16 to 0 while the null players'
    # rose from 0.16 to 0.11 - the offset changed the reported errors, not the values.
    X = np.random.default_rng(0).normal(size=(50, 6))

    def explain(off):
        est = ShapleySamplingExplainer(_game(off), n_permutations=6, random_state=0).fit(X)
        return est.explain(X[:3])

    ref, got = explain(0.0), explain(offset)
    assert ref.std.min() > 0.05  # every player carries an error at 6 permutations
    np.testing.assert_allclose(got.std, ref.std, rtol=1e-6)
    np.testing.assert_allclose(got.values, ref.values, atol=1e3 * np.finfo(float).eps * offset)


def test_sampling_std_of_a_float32_model_is_that_of_its_float64_twin():
    # The outputs' rounding was taken as float64's: a model returning float32 predictions has
    # contributions with rounding noise of 1e-7, which made null players "vary" and the
    # interacting players' errors fall from 0.22 to 0.08, the additive ones' from 0.16 to 0.
    X = np.random.default_rng(0).normal(size=(50, 6))

    def explain(dtype):
        game = _game(2.0)
        est = ShapleySamplingExplainer(lambda Z: game(Z).astype(dtype), n_permutations=6, random_state=0).fit(X)
        return est.explain(X[:3])

    ref, got = explain(np.float64), explain(np.float32)
    np.testing.assert_allclose(got.std, ref.std, rtol=1e-4)
    np.testing.assert_allclose(got.values, ref.values, atol=1e-5)


def test_sampling_std_of_a_float32_torch_network_is_that_of_its_float64_twin():
    # a torch module's outputs were made float64 before they were checked: their float32
    # rounding was unknown to the estimate, as for a float32 callable above
    torch = pytest.importorskip("torch")
    X = np.random.default_rng(0).normal(size=(50, 6))
    torch.manual_seed(0)
    net = torch.nn.Linear(6, 1).double()
    with torch.no_grad():
        net.weight.copy_(torch.tensor([[1.0, 0.5, -0.5, 0.25, 0.0, 0.0]]))
        net.bias.fill_(2.0)

    class Product(torch.nn.Module):  # x1 * x2 on top: an interaction the pairs must resolve
        def __init__(self, lin):
            super().__init__()
            self.lin = lin

        def forward(self, x):
            return self.lin(x) + x[:, 1:2] * x[:, 2:3]

    def explain(dtype):
        module = Product(net).to(dtype)
        return ShapleySamplingExplainer(module, n_permutations=6, random_state=0).fit(X).explain(X[:3])

    ref, got = explain(torch.float64), explain(torch.float32)
    np.testing.assert_allclose(got.std, ref.std, rtol=1e-4)
