"""The quality table gives a metric as mean ± standard error, each to the error's precision.

The demo's image page read "8.682 ± 2" and "-0.04347 ± 0.36": four significant digits of a mean
whose standard error is 2, and no word saying what the ± is.
"""

import re

import numpy as np
import pytest

from skxai.report._sections import mean_pm_sem


@pytest.mark.parametrize("mean, sem, expected", [
    (8.682, 1.96, "8.7 ± 2.0"),
    (-0.04347, 0.36, "-0.04 ± 0.36"),
    (0.9478, 0.0033, "0.9478 ± 0.0033"),
    (116.04, 5.3, "116.0 ± 5.3"),
    (1160.4, 53.0, "1160 ± 53"),
    (0.3, 0.0996, "0.30 ± 0.10"),  # the rounded error keeps two significant digits
    (-0.001, 0.3, "0.00 ± 0.30"),  # no "-0.00"
    (0.25, 0.0, "0.25 ± 0"),
])
def test_mean_is_rounded_to_the_standard_errors_decimal_place(mean, sem, expected):
    assert mean_pm_sem(mean, sem) == expected


def test_quality_table_says_what_the_plus_minus_is():
    pytest.importorskip("matplotlib")
    from sklearn.linear_model import Ridge

    from skxai import ExactShapleyExplainer
    from skxai.report import make_report

    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 4))
    model = Ridge().fit(X, X @ [3.0, -2.0, 1.0, 0.0] + rng.normal(size=40))
    ex = ExactShapleyExplainer(model, max_background=10).fit(X)
    html = make_report(ex, X[:8], n_local=0, n_metric_samples=6, metrics=["deletion_auc"]).html
    row = re.search(r"<td>deletion_auc</td><td>([^<]*)</td><td>[^<]*</td><td>([^<]*)</td>", html)
    assert row is not None, html
    value, detail = row.groups()
    mean, sem = value.split(" ± ")
    # as many decimals in the mean as in the error, which has two significant digits
    decimals = len(sem.split(".")[1]) if "." in sem else 0
    assert (len(mean.split(".")[1]) if "." in mean else 0) == decimals
    assert len(sem.replace(".", "").lstrip("0")) == 2
    assert detail.startswith("mean ± standard error over 6 samples")
