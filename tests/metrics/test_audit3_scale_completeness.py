"""Third audit, degenerate outputs: the relative completeness gap of a constant model's exact
explanation is 0, not the ratio of two rounding errors."""

import numpy as np
import pytest

from skxai import ExactShapleyExplainer, KernelShapExplainer
from skxai.metrics import completeness_gap


@pytest.mark.parametrize("level", [3.0, -7.1e5, 1e-8])
@pytest.mark.parametrize("cls", [ExactShapleyExplainer, KernelShapExplainer])
def test_relative_gap_of_a_constant_model_is_zero(cls, level):
    # f(x) - E[f(b)] of a constant model is a rounding residue (1.3e-15 for 3.0), and so is the
    # gap: their ratio, 1.0 (or inf where the residue was 0), said the exact values (all 0)
    # missed the whole change.
    X = np.random.default_rng(0).normal(size=(37, 4))
    ex = cls(lambda A: np.full(len(A), level), random_state=0).fit(X)
    assert np.array_equal(completeness_gap(ex, X[:5], relative=True), np.zeros(5))


def test_a_real_change_keeps_its_relative_gap():
    X = np.random.default_rng(0).normal(size=(37, 4))
    ex = ExactShapleyExplainer(lambda A: 1e6 + A[:, 0] * A[:, 1], random_state=0).fit(X)
    phi = ex.transform(X[:3])
    rel = completeness_gap(ex, X[:3], attributions=phi * 1.1, relative=True)
    np.testing.assert_allclose(rel, 0.1, rtol=1e-6)
