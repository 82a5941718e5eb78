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
