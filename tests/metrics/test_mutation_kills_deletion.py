"""Kill tests for the survivors of ``skxai/metrics/_deletion.py`` (issue 17, mutF).

The ranking's tie rule over many units, the insertion default baseline of each kind of input
(zeros for ``(n, d)`` arrays of a non-tabular explainer, a blur for ``(n, C, L)`` signals), the
``blur_sigma`` passed on, and the ``n_steps`` error message. References: the tie rule written as a
Python sort key, hand-worked curves of linear models, and scipy's ``gaussian_filter1d`` with the
documented border rule (edge samples extended: ``mode="nearest"``).
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skxai import ConstantExplainer
from skxai.metrics import deletion_curve, insertion_auc, insertion_curve


class Linear:
    """f(x) = x . w over the flattened sample (a callable model)."""

    def __init__(self, w, b=0.0):
        self.w, self.b = np.asarray(w, dtype=float), b

    def __call__(self, A):
        return np.asarray(A, dtype=float).reshape(len(A), -1) @ self.w + self.b


def test_ties_are_removed_in_index_order_among_many_units():
    # 40 units with relevance in {0, 1, 2} (many ties): removed by relevance, largest first, and
    # among equal relevance by index (numpy's default quicksort does not keep that order past
    # 16 elements). The unit weights are distinct, so the order shows in the curve.
    U = 40
    r = np.random.RandomState(0).randint(0, 3, size=U).astype(float)
    w = np.arange(1.0, U + 1)
    X = np.ones((1, U))
    ex = ConstantExplainer(Linear(w)).fit(np.zeros((1, U)))  # removed units become 0
    order = sorted(range(U), key=lambda j: (-r[j], j))
    expected = w.sum() - np.r_[0.0, np.cumsum(w[order])]
    curve, _ = deletion_curve(ex, X, attributions=r[None])
    assert_allclose(curve[0], expected)


def test_n_steps_errors_name_the_parameter():
    ex = ConstantExplainer(Linear(np.ones(3))).fit(np.zeros((1, 3)))
    for bad in (0, 1.5):
        with pytest.raises(ValueError, match=rf"^n_steps must be a positive integer, got {bad!r}\.$"):
            deletion_curve(ex, np.ones((1, 3)), attributions=np.ones((1, 3)), n_steps=bad)


def test_insertion_default_for_flat_arrays_of_a_non_tabular_explainer_is_zeros():
    torch = pytest.importorskip("torch")
    from skxai import IntegratedGradientsExplainer

    # f(x) = w . x + 0.5 on (n, 4) arrays, explained by a gradient explainer (not tabular):
    # insertion starts from zeros, f = 0.5, and inserts x = 1 in the order of the attributions.
    w = np.array([1.0, -2.0, 3.0, 4.0])
    net = torch.nn.Linear(4, 1).double()
    with torch.no_grad():
        net.weight.copy_(torch.as_tensor(w[None]))
        net.bias.fill_(0.5)
    ex = IntegratedGradientsExplainer(net).fit(np.zeros((2, 4)))
    x = np.ones((1, 4))
    curve, _ = insertion_curve(ex, x, attributions=w[None])  # order 3, 2, 0, 1
    assert_allclose(curve, [[0.5, 4.5, 7.5, 8.5, 6.5]], atol=1e-12)
    assert_allclose(insertion_auc(ex, x, attributions=w[None]), [(5 + 12 + 16 + 15) / 8], atol=1e-12)


def test_insertion_default_for_signals_is_a_blur():
    # (n, C, L) signals are spatial: insertion starts from the blurred signal. A constant signal
    # is its own blur (edges extended), so every step gives f(x) = 3 * 4 = 12; zeros would start at 0.
    ex = ConstantExplainer(Linear(np.ones(4))).fit(np.zeros((1, 1, 4)))
    x = np.full((1, 1, 4), 3.0)
    curve, _ = insertion_curve(ex, x, attributions=np.ones((1, 1, 4)))
    assert_allclose(curve, [[12.0] * 5], atol=1e-12)


def test_blur_sigma_is_the_width_of_the_blur_baseline():
    from scipy.ndimage import gaussian_filter1d

    # deletion towards the blurred signal: with every unit removed the output is f(blur(x))
    x = np.array([[[0.0, 0.0, 9.0, 0.0, 0.0, 0.0, 4.0, 0.0]]])
    w = np.arange(1.0, 9.0)
    ex = ConstantExplainer(Linear(w)).fit(np.zeros((1, 1, 8)))
    for sigma in (0.7, 1.5):
        curve, _ = deletion_curve(ex, x, attributions=x, baseline="blur", blur_sigma=sigma)
        assert_allclose(curve[0, -1], w @ gaussian_filter1d(x[0, 0], sigma, mode="nearest"), rtol=1e-12)
        assert curve[0, 0] == pytest.approx(w @ x[0, 0])
