"""Average Drop / Increase / Gain by hand: several samples, several classes, the probability rules."""

import re

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skxai import ConstantExplainer
from skxai.metrics import average_drop_increase_gain

W = np.array([[1.0, 2.0], [3.0, 4.0]])
X = np.stack([np.ones((1, 2, 2)), np.array([[[0.5, -1.0], [2.0, 1.5]]])])
PHI = np.array([[[1.0, 2.0], [3.0, 4.0]], [[10.0, 10.0], [10.0, 20.0]]])  # masks by hand below
M = np.array([[[0.0, 1 / 3], [2 / 3, 1.0]], [[0.0, 0.0], [0.0, 1.0]]])


def _logits(A):
    A = A[:, 0]
    return np.column_stack([(A * W).sum(axis=(1, 2)), A.sum(axis=(1, 2)), np.ones(len(A))])


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _expected(p_full, p_masked, t):
    Y, O = p_full[:, t], p_masked[:, t]
    # a probability of exactly 0 has no drop, one of exactly 1 no gain (nothing to divide)
    drop = np.where(Y > 0, np.maximum(0.0, Y - O) / np.where(Y > 0, Y, 1.0), 0.0)
    gain = np.where(Y < 1, np.maximum(0.0, O - Y) / np.where(Y < 1, 1 - Y, 1.0), 0.0)
    return drop, (O > Y).astype(float), gain


@pytest.mark.parametrize("t", [0, 1, 2])
def test_two_samples_three_classes_softmax_of_logits(t):
    Xm = X * M[:, None]
    want = _expected(_softmax(_logits(X)), _softmax(_logits(Xm)), t)
    for how in ("auto", "softmax"):
        res = average_drop_increase_gain(ConstantExplainer(_logits, target=t).fit(X), X, attributions=PHI,
                                         probabilities=how)
        for got, exp in zip(res, want, strict=True):
            assert_allclose(got, exp, rtol=1e-12, atol=1e-15)
    s = res.summary()
    assert set(s) == {"average_drop", "increase_in_confidence", "average_gain"}
    assert_allclose([s["average_drop"], s["increase_in_confidence"], s["average_gain"]],
                    [100 * want[0].mean(), 100 * want[1].mean(), 100 * want[2].mean()], rtol=1e-12)


def test_probabilities_rules_auto_identity_and_sigmoid():
    Xm = X * M[:, None]
    proba = lambda A: _softmax(_logits(A))  # noqa: E731
    # outputs that already are probabilities (rows summing to 1): kept as they are
    want = _expected(proba(X), proba(Xm), 1)
    res = average_drop_increase_gain(ConstantExplainer(proba, target=1).fit(X), X, attributions=PHI)
    assert_allclose(res.drop, want[0], rtol=1e-12)
    assert_allclose(res.gain, want[2], rtol=1e-12)
    # two columns in [0, 1] that do not sum to 1 are not probabilities: softmax
    half = lambda A: 0.4 * proba(A)[:, :2]  # noqa: E731
    want = _expected(_softmax(half(X)), _softmax(half(Xm)), 0)
    res = average_drop_increase_gain(ConstantExplainer(half, target=0).fit(X), X, attributions=PHI)
    assert_allclose(res.drop, want[0], rtol=1e-12)
    assert_allclose(res.gain, want[2], rtol=1e-12)
    # one column in [0, 1] is a probability; one column outside it goes through a sigmoid
    one = lambda A: proba(A)[:, :1]  # noqa: E731
    want = _expected(one(X), one(Xm), 0)
    assert_allclose(average_drop_increase_gain(ConstantExplainer(one).fit(X), X, attributions=PHI).drop, want[0],
                    rtol=1e-12)
    logit = lambda A: _logits(A)[:, :1]  # noqa: E731
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    want = _expected(sig(logit(X)), sig(logit(Xm)), 0)
    res = average_drop_increase_gain(ConstantExplainer(logit).fit(X), X, attributions=PHI)
    assert_allclose(res.drop, want[0], rtol=1e-12)
    assert_allclose(res.gain, want[2], rtol=1e-12)
    with pytest.raises(ValueError, match="^" + re.escape(
            "probabilities='logit'; use 'auto', 'identity', 'softmax' or 'sigmoid'.") + "$"):
        average_drop_increase_gain(ConstantExplainer(logit).fit(X), X, attributions=PHI, probabilities="logit")


def test_a_constant_map_masks_everything_and_certainty_has_no_drop_or_gain():
    # a constant map scales to 0 everywhere: the masked image is the zero baseline; an output of
    # exactly 1 (or 0) has no gain (or drop) to divide
    Y1 = lambda A: np.column_stack([np.ones(len(A)), np.zeros(len(A))])  # noqa: E731
    res = average_drop_increase_gain(ConstantExplainer(Y1, target=0).fit(X), X, attributions=np.ones_like(PHI))
    assert_allclose(res.drop, [0.0, 0.0])
    assert_allclose(res.gain, [0.0, 0.0])
    res = average_drop_increase_gain(ConstantExplainer(Y1, target=1).fit(X), X, attributions=np.ones_like(PHI))
    assert_allclose(res.drop, [0.0, 0.0])
    assert_allclose(res.increase, [0.0, 0.0])  # an unchanged probability is no increase
    Xm = np.zeros_like(X)
    want = _expected(_softmax(_logits(X)), _softmax(_logits(Xm)), 0)
    res = average_drop_increase_gain(ConstantExplainer(_logits, target=0).fit(X), X, attributions=np.ones_like(PHI))
    assert_allclose(res.drop, want[0], rtol=1e-12)


def test_edges_of_the_probability_rules_scales_small_maps_and_a_baseline():
    Xm = X * M[:, None]
    # probabilities with exact 0 and 1 entries are probabilities; float32 rounding of their sums too
    def certain(A):
        s = A[:, 0].sum(axis=(1, 2))
        return np.where(s[:, None] > 3.5, [[1.0, 0.0]], [[0.25, 0.75]])  # X: sums 4 and 3

    res = average_drop_increase_gain(ConstantExplainer(certain, target=0).fit(X), X, attributions=PHI)
    want = _expected(certain(X), certain(Xm), 0)
    assert certain(X)[0, 0] == 1.0 and want[0][0] == 0.75
    assert_allclose(res.drop, want[0], rtol=1e-12)
    proba32 = lambda A: _softmax(_logits(A)).astype(np.float32).astype(np.float64)  # noqa: E731
    assert np.abs(proba32(X).sum(axis=1) - 1).max() > 1e-9
    want = _expected(proba32(X), proba32(Xm), 1)
    res = average_drop_increase_gain(ConstantExplainer(proba32, target=1).fit(X), X, attributions=PHI)
    assert_allclose(res.drop, want[0], rtol=1e-12)
    # logits of 1,000 and of 0 in one batch: each row's softmax on its own scale
    far = lambda A: _logits(A) + np.where(A[:, 0].sum(axis=(1, 2)) > 3.5, 1000.0, 0.0)[:, None]  # noqa: E731
    want = _expected(_softmax(far(X)), _softmax(far(Xm)), 0)
    res = average_drop_increase_gain(ConstantExplainer(far, target=0).fit(X), X, attributions=PHI)
    assert np.isfinite(res.drop).all()
    assert_allclose(res.drop, want[0], rtol=1e-10, atol=1e-15)
    # attributions spanning less than 1 are scaled like any others
    res = average_drop_increase_gain(ConstantExplainer(_logits, target=0).fit(X), X, attributions=PHI / 40.0)
    want = _expected(_softmax(_logits(X)), _softmax(_logits(Xm)), 0)
    assert_allclose(res.drop, want[0], rtol=1e-12)
    # a constant baseline b: x' = b + M (x - b)
    Xb = 0.5 + M[:, None] * (X - 0.5)
    want = _expected(_softmax(_logits(X)), _softmax(_logits(Xb)), 2)
    res = average_drop_increase_gain(ConstantExplainer(_logits, target=2).fit(X), X, attributions=PHI, baseline=0.5)
    assert_allclose(res.drop, want[0], rtol=1e-12)
    assert_allclose(res.gain, want[2], rtol=1e-12)
