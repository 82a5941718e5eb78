"""A Pipeline ending in an explainer: the Displays and the report name the features as
``skxai.explain`` does (audit34a).

The steps before the explainer hand it plain arrays (a StandardScaler), so the explainer's own
names are ``x0, x1, ...``; ``skxai.explain(pipe, X)`` named them from the steps, but the
Displays' ``from_explainer`` and the report's sections drew ``x0 ... x4`` for the same pipeline.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from sklearn.datasets import load_wine  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import skxai  # noqa: E402
from skxai.plot import BarDisplay, BeeswarmDisplay, WaterfallDisplay  # noqa: E402
from skxai.report._sections import explainer_section  # noqa: E402

NAMES = ["alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium"]


@pytest.fixture(scope="module")
def pipe_and_rows():
    X, y = load_wine(return_X_y=True, as_frame=True)
    X = X[NAMES]
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            ("explain", skxai.ExactShapleyExplainer(LogisticRegression(max_iter=1000), target=0)),
        ]
    ).fit(X, y)
    return pipe, X.iloc[:12]


def test_displays_name_the_features_from_the_steps(pipe_and_rows):
    pipe, X = pipe_and_rows
    assert list(skxai.explain(pipe, X).feature_names) == NAMES
    bar = BarDisplay.from_explainer(pipe, X)
    assert sorted(bar.feature_names) == sorted(NAMES)
    ticks = [t.get_text() for t in bar.ax_.get_yticklabels()]
    assert set(ticks) <= set(NAMES) and ticks
    waterfall = WaterfallDisplay.from_explainer(pipe, X.iloc[[0]])
    labels = [t.get_text().split(" = ")[0] for t in waterfall.ax_.get_yticklabels()]
    assert set(labels) == set(NAMES)
    bees = BeeswarmDisplay.from_explainer(pipe, X)
    ticks = [t.get_text() for t in bees.ax_.get_yticklabels()]
    assert ticks and set(ticks) <= set(NAMES)
    plt.close("all")


def test_report_section_names_the_features_from_the_steps(pipe_and_rows):
    pipe, X = pipe_and_rows
    _, exp = explainer_section("exact", pipe, X, n_local=1, metric_names=[], n_metric_samples=4, dpi=40, figures=[])
    assert list(exp.feature_names) == NAMES
    plt.close("all")
