"""Image LIME's weighted R^2 (extras "lime_r2") is the report's "surrogate fit", as tabular and
text LIME's "score" is (its row was missing)."""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from skxai import ImageShapleyExplainer
from skxai.report import make_report
from skxai.report._sections import _surrogate_fit

pytest.importorskip("matplotlib")


def test_image_lime_r2_is_the_reports_surrogate_fit():
    X, y = load_digits(return_X_y=True)
    X = X / 16
    clf = LogisticRegression(max_iter=300).fit(X[:500], y[:500])
    img = ImageShapleyExplainer(
        clf, method="lime", image_shape=(8, 8), n_segments=(2, 4), n_samples=300, random_state=0
    ).fit(X[:50])
    exp = img.explain(X[:3])
    fit = _surrogate_fit(exp)
    np.testing.assert_allclose(fit, exp.extras["lime_r2"][np.arange(3), exp.target_index])
    html = make_report(
        {"img": img}, X[:3], max_samples=3, n_local=1, metrics=["deletion_auc"], n_metric_samples=3
    ).html
    assert "surrogate fit (weighted R²" in html
