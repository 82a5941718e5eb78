"""Texts from the data (feature names, class labels) are drawn literally in the report's figures."""

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("matplotlib")

from sklearn.linear_model import LinearRegression  # noqa: E402

from skxai import ExactShapleyExplainer  # noqa: E402
from skxai.report import make_report  # noqa: E402
from skxai.report._sections import SectionBuilder, extra_section  # noqa: E402


def test_feature_name_that_is_invalid_mathtext_keeps_every_figure():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(20, 2)), columns=["cost $\\nope{$ usd", "b"])
    model = LinearRegression().fit(X, X.sum(axis=1))
    explainer = ExactShapleyExplainer(model, max_background=5).fit(X)
    report = make_report(explainer, X.iloc[:5], n_local=1, metrics=False)
    assert "could not be drawn" not in report.html
    assert len(report.figures) == 5


def test_report_figures_do_not_typeset_dollar_pairs_but_extra_figures_may():
    seen = {}

    def draw(ax):
        ax.set_title("income $x^2$ sq")
        seen["built-in"] = ax.title.get_parse_math()

    SectionBuilder("s", 40, []).figure(draw, "caption", (2, 2))
    assert seen["built-in"] is False

    def draw_fig(fig):
        ax = fig.subplots()
        ax.set_title(r"$\sigma$ sweep")
        seen["extra"] = ax.title.get_parse_math()

    html = extra_section([("sweep", draw_fig)], 40, [])
    assert "could not be drawn" not in html
    assert seen["extra"] is True
