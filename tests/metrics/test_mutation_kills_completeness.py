"""Kill tests for the survivors of ``skxai/metrics/_completeness.py`` (issue 17, mutF).

The first run covered tabular explainers only (their background is the baseline), so the baseline
of array explainers was never exercised: Integrated Gradients' own path start, a fitted
``baseline_``, zeros otherwise, and a ``baseline`` given by the user. Also: ``batch_size`` passed on,
given attributions used without calling ``transform``, and the relative gap of small or no changes.
References: hand-worked outputs of linear models.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skxai import ConstantExplainer
from skxai.metrics import completeness_gap

W = np.array([1.0, -2.0, 3.0, 4.0])


class Linear:
    """f(x) = w . x + 0.5 over the flattened sample, recording the rows of each call."""

    def __init__(self, w=W):
        self.w = np.asarray(w, dtype=float)
        self.rows = []

    def __call__(self, A):
        A = np.asarray(A, dtype=float)
        self.rows.append(len(A))
        return A.reshape(len(A), -1) @ self.w + 0.5


X = np.array([[[1.0, 2.0, 0.0, 1.0]], [[0.5, 0.0, 1.0, -1.0]]])  # (2, 1, 4) signals: w . x = 1 and -0.5
PHI = np.array([[[1.0, -4.0, 0.0, 5.0]], [[0.0, 0.0, 3.0, -3.0]]])  # sums 2 and 0


def _ig(baseline):
    torch = pytest.importorskip("torch")
    from skxai import IntegratedGradientsExplainer

    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 1)).double()
    with torch.no_grad():
        net[1].weight.copy_(torch.as_tensor(W[None]))
        net[1].bias.fill_(0.5)
    return IntegratedGradientsExplainer(net, baseline=baseline).fit(X)


def test_integrated_gradients_path_start_is_the_default_baseline():
    # IG with baseline 0.5: f(x) - f(0.5) = w . x - 0.5 * sum(w) = 1 - 3 = -2 and -0.5 - 3 = -3.5;
    # the attributions sum to 2 and 0: gaps 4 and 3.5
    ex = _ig(0.5)
    assert_allclose(completeness_gap(ex, X, attributions=PHI), [4.0, 3.5], atol=1e-12)
    # and its own attributions, when none are given, are complete for a linear model
    assert_allclose(completeness_gap(ex, X), [0.0, 0.0], atol=1e-8)


def test_integrated_gradients_per_sample_path_start_is_the_default_baseline():
    # IG with baseline "channel_mean" keeps no fitted baseline_: the start is made per sample by its
    # baselines(x), here each signal's mean (1 and 0.125): f(x) - f(start) = w . x - mean * sum(w)
    # = 1 - 6 = -5 and -0.5 - 0.75 = -1.25; the attributions sum to 2 and 0: gaps 7 and 1.25
    ex = _ig("channel_mean")
    assert ex.baseline_ is None
    assert_allclose(completeness_gap(ex, X, attributions=PHI), [7.0, 1.25], atol=1e-12)


def test_a_given_baseline_replaces_the_explainers():
    # the IG explainer's own 0.5 is not used: baseline 0: f(x) - f(0) = w . x = 1 and -0.5, gaps 1 and 0.5;
    # baseline 1: w . x - sum(w) = -5 and -6.5, gaps 7 and 6.5
    ex = _ig(0.5)
    assert_allclose(completeness_gap(ex, X, attributions=PHI, baseline=0.0), [1.0, 0.5], atol=1e-12)
    assert_allclose(completeness_gap(ex, X, attributions=PHI, baseline=1.0), [7.0, 6.5], atol=1e-12)


class FittedBaseline(ConstantExplainer):
    """An array explainer that keeps a fitted ``baseline_`` (without IG's ``baselines``)."""

    def fit(self, X, y=None):
        super().fit(X, y)
        self.baseline_ = np.full(np.shape(X)[1:], 2.0)
        return self


def test_a_fitted_baseline_is_used_and_zeros_otherwise():
    # baseline_ = 2 everywhere: f(x) - f(2) = w . x - 2 sum(w) = -11 and -12.5: gaps 13 and 12.5
    ex = FittedBaseline(Linear()).fit(X)
    assert_allclose(completeness_gap(ex, X, attributions=PHI), [13.0, 12.5], atol=1e-12)
    # without one: zeros, f(x) - f(0) = 1 and -0.5: gaps 1 and 0.5
    ex = ConstantExplainer(Linear()).fit(X)
    assert_allclose(completeness_gap(ex, X, attributions=PHI), [1.0, 0.5], atol=1e-12)


def test_batch_size_bounds_the_rows_per_model_call():
    f = Linear()
    ex = ConstantExplainer(f).fit(X)
    f.rows.clear()
    completeness_gap(ex, X, attributions=PHI, batch_size=1)
    assert f.rows == [1, 1, 1, 1]  # f(x) and f(baseline) of the 2 samples, one row per call


def test_given_attributions_are_used_without_calling_transform(monkeypatch):
    ex = ConstantExplainer(Linear()).fit(X)

    def refuse(*args, **kwargs):
        raise AssertionError("transform must not be called when attributions are given")

    monkeypatch.setattr(ex, "transform", refuse)
    assert_allclose(completeness_gap(ex, X, attributions=PHI), [1.0, 0.5], atol=1e-12)


def test_relative_gap_of_small_changes_and_of_no_change():
    # tabular: background row of zeros, f = w . x + 0.5, change w . x
    ex = ConstantExplainer(Linear()).fit(np.zeros((1, 4)))
    x = np.array([[0.5, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])  # changes 0.5, 0, 0
    phi = np.array([[0.6, 0.0, 0.0, 0.0], [0.1, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no division by the zero change on the way
        rel = completeness_gap(ex, x, attributions=phi, relative=True)
    assert rel[0] == pytest.approx(0.1 / 0.5) and np.isinf(rel[1]) and rel[2] == 0.0
