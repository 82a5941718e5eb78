"""The report reads each metric's direction from skxai.metrics' registry (session 36: it kept its
own table of three, and infidelity, sparseness and completeness_gap read "see skxai.metrics"), runs
the registered names skxai.metrics has no function of (average_drop ...), and calls a metric
without an ``attributions`` keyword without it (it was reported "not applicable")."""

import re

import numpy as np
import pytest
from sklearn.datasets import load_wine
from sklearn.ensemble import RandomForestClassifier

pytest.importorskip("matplotlib")
pytest.importorskip("jinja2")

from skxai import ExactShapleyExplainer  # noqa: E402
from skxai.metrics import get_metric_names, make_explanation_scorer  # noqa: E402
from skxai.report import make_report  # noqa: E402
from skxai.report._sections import _takes_attributions, metric_reading  # noqa: E402


def test_every_registered_metric_reads_in_its_registered_direction():
    for name in get_metric_names():
        better = make_explanation_scorer(name).sign > 0
        assert metric_reading(name) == ("higher is better" if better else "lower is better")
    assert metric_reading("not_a_metric") == "see skxai.metrics"


def test_the_report_shows_the_registered_direction_and_a_value():
    X, y = load_wine(return_X_y=True)
    X = X[:, :5]
    model = RandomForestClassifier(n_estimators=10, random_state=0).fit(X, y)
    ex = ExactShapleyExplainer(model, max_background=15).fit(X)
    names = ["sparseness", "infidelity", "completeness_gap"]
    html = make_report(ex, X[:20], n_local=0, metrics=names, n_metric_samples=6).html
    for name, reading in zip(names, ["higher is better", "lower is better", "lower is better"], strict=True):
        row = re.search(rf"<tr><td>{name}</td><td>([^<]*)</td><td>([^<]*)</td>", html)
        assert row is not None and row.group(2) == reading
        assert row.group(1) not in ("—", "") and np.isfinite(float(row.group(1).split()[0]))


def test_a_metric_without_an_attributions_keyword_is_called_without_it():
    def plain(explainer, X, random_state=None):
        return np.zeros(len(X))

    def open_ended(explainer, X, **kwargs):
        return np.zeros(len(X))

    assert not _takes_attributions(plain) and _takes_attributions(open_ended)
