"""Standard errors on inputs the calibration did not try (audit 2, issue 14)."""

import numpy as np
import pytest

from skxai import KernelShapExplainer
from skxai.shapley import ImageShapleyExplainer
from tests._enumeration import assert_rounding_only


def _total(A):
    return np.asarray(A).reshape(len(A), -1).sum(axis=1, keepdims=True)


def test_kernel_image_of_one_region_reports_a_rounding_error_not_none():
    # A one-region image's value is exact (all of the prediction's change) under every method:
    # "sampling" reported std 0 for it, "kernel" std None, so an explanation of images with 1
    # and 4 regions held a std list with holes ([None, array]) where every value was known. Both
    # now report the values' rounding alone.
    def seg(img):
        if img[0, 0, 0] > 0.5:
            return np.zeros(img.shape[1:], dtype=int)
        lab = np.zeros(img.shape[1:], dtype=int)
        lab[:, 3:] = 1
        lab[2:] += 2
        return lab

    X = np.random.RandomState(0).uniform(size=(2, 1, 5, 6))
    X[0, 0, 0, 0], X[1, 0, 0, 0] = 0.9, 0.1
    for method in ("kernel", "sampling"):
        exp = (
            ImageShapleyExplainer(_total, method=method, segmentation=seg, n_samples=20, random_state=0)
            .fit(X)
            .explain(X)
        )
        assert [np.shape(s) for s in exp.std] == [(1, 1), (4, 1)], method
        assert_rounding_only(exp.std[0], np.abs(_total(X)).max())
        # the one region's value is the whole change of the prediction, exactly
        np.testing.assert_allclose(exp.player_values[0][0, 0], _total(X[:1])[0, 0], rtol=1e-12)
    one = (
        ImageShapleyExplainer(
            _total, method="kernel", segmentation=lambda img: np.zeros(img.shape[1:], dtype=int), random_state=0
        )
        .fit(X)
        .explain(X)
    )
    assert one.std.shape == (2, 1, 1)
    assert_rounding_only(one.std, np.abs(_total(X)).max())


def _interactions(p):
    rng = np.random.RandomState(0)
    coef = rng.normal(size=p)

    def f(A):
        return A @ coef + np.tanh(A[:, 0] * A[:, 1] * A[:, 2]) + A[:, 3] * A[:, 4] * A[:, 5]

    return f, rng.normal(size=(5, p)), rng.normal(size=(2, p))


@pytest.mark.parametrize(("p", "budget", "step"), [(10, 800, 200), (12, 2644, 661)])
def test_tol_steps_are_the_designs_of_their_own_budgets(p, budget, step):
    # With tol, each step of the doubling drew its design with the order and the enumerated
    # share of the *whole* budget: at n_samples=400 or 800 on 10 features the step of 200
    # enumerated sizes 1-2 whole and sampled 44 pairs (a standalone n_samples=200 samples 89),
    # a design no explainer draws on its own: on an SVC its values were 99% bias and 1.96 std
    # covered 0.35, so tol=0.05 stopped there in 13 of 20 runs, every one with an error above
    # tol. At 2644 on 12 features the step of 661 fitted order 5 (1585 terms) where
    # n_samples=661 fits order 3. A step is now what the explainer draws at that budget:
    # stopping at the first step, the numbers are those of n_samples=step.
    f, bg, X = _interactions(p)
    early = KernelShapExplainer(f, n_samples=budget, tol=1e6, random_state=0).fit(bg).explain(X)
    alone = KernelShapExplainer(f, n_samples=step, random_state=0).fit(bg).explain(X)
    assert early.n_evaluations == alone.n_evaluations <= step and early.order == alone.order
    np.testing.assert_array_equal(early.values, alone.values)
    np.testing.assert_array_equal(early.std, alone.std)
