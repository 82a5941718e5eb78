"""The features a feature index leaves out keep their error: the waterfall's bar for them has the
root sum of squares of their standard errors (it read "error unknown" for exact values)."""

import matplotlib
import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge

from skxai import KernelShapExplainer
from skxai.plot import WaterfallDisplay

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def explained():
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    ex = KernelShapExplainer(Ridge().fit(X, y), n_samples=60, max_background=20, random_state=0).fit(X)
    return X, ex.explain(X.iloc[:3])


def test_the_left_out_bar_has_the_root_sum_of_squares_of_their_errors(explained):
    import matplotlib.pyplot as plt

    X, exp = explained
    kept = ["bmi", "s5"]
    cut = exp[:, kept]
    disp = WaterfallDisplay.from_explanation(cut, index=1, error_bars=True)
    gone = [j for j, c in enumerate(X.columns) if c not in kept]
    expected = np.sqrt((np.asarray(exp.std)[1, gone, 0] ** 2).sum())
    assert np.isfinite(expected) and expected > 0
    np.testing.assert_allclose(disp.std[-1], expected, rtol=1e-12)
    # cut again: the errors of both cuts' features
    again = cut[:, ["s5"]]
    disp2 = WaterfallDisplay.from_explanation(again, index=1, error_bars=True)
    gone2 = [j for j, c in enumerate(X.columns) if c != "s5"]
    np.testing.assert_allclose(disp2.std[-1], np.sqrt((np.asarray(exp.std)[1, gone2, 0] ** 2).sum()), rtol=1e-12)
    labels = [t.get_text() for t in disp.ax_.texts]
    assert not any("error unknown" in t for t in labels)
    plt.close("all")


def test_an_unknown_error_among_the_left_out_stays_unknown(explained):
    X, exp = explained
    hand = exp[:]
    std = np.array(hand.std, dtype=np.float64)
    std[:, 0, :] = np.inf  # the first feature's error unknown
    hand.std = std
    disp = WaterfallDisplay.from_explanation(hand[:, ["bmi"]], index=0, error_bars=True)
    assert np.isinf(disp.std[-1])
