"""The documented defaults and meanings of ``skxai explain`` / ``skxai demo`` options and of the
bar and waterfall ``max_display``, pinned against what the code does."""

import re

import numpy as np
import pytest

from skxai import Explanation
from skxai._cli import build_parser


def _subparser(name):
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return action.choices[name]


def _option(sub, flag):
    return next(a for a in sub._actions if flag in a.option_strings)


def test_explain_help_defaults_match_the_code():
    ex = _subparser("explain")
    assert _option(ex, "--chunk-size").default == 1000
    assert "(default 1000)" in _option(ex, "--chunk-size").help
    # None in argparse, resolved by run_explain: the help states the resolved values
    assert "default 100" in _option(ex, "--background").help
    assert "default 0" in _option(ex, "--random-state").help
    assert "default: kernel-shap" in _option(ex, "--method").help
    assert ex.epilog == "Methods: kernel-shap, exact-shap, sampling-shap, tree-shap, lime."


def test_demo_families_default_is_all():
    demo = _subparser("demo")
    assert "(default: all)" in _option(demo, "--families").help
    assert _option(demo, "--families").default.split(",") == ["tabular", "image", "text"]


def _explanation(n_features):
    rng = np.random.default_rng(0)
    values = rng.normal(size=(4, n_features))
    return Explanation(
        values,
        base_values=np.zeros(4),
        data=rng.normal(size=(4, n_features)),
        feature_names=[f"f{i}" for i in range(n_features)],
    )


@pytest.mark.parametrize("kind", ["bar", "waterfall"])
def test_max_display_counts_features_plus_one_grouped_bar(kind):
    # the docstrings said "Most bars" for max_display, but max_display features get their own
    # bar and the rest one more: 11 bars for max_display=10
    pytest.importorskip("matplotlib")
    from skxai.plot import BarDisplay, WaterfallDisplay

    display = {"bar": BarDisplay, "waterfall": WaterfallDisplay}[kind]
    disp = display.from_explanation(_explanation(15), max_display=10)
    labels = [t.get_text() for t in disp.ax_.get_yticklabels()]
    own = [lab for lab in labels if re.fullmatch(r"(.*= )?f\d+( .*)?", lab)]
    assert len(labels) == 11 and len(own) == 10
    assert "max_display + 1" in display.from_explanation.__doc__


def test_make_report_figures_dir_without_path_writes_the_figures(tmp_path):
    # figures_dir was silently ignored unless path was given too
    pytest.importorskip("matplotlib")
    pytest.importorskip("jinja2")
    from sklearn.linear_model import LinearRegression

    from skxai import ExactShapleyExplainer
    from skxai.report import make_report

    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 3))
    y = X @ np.array([1.0, -2.0, 0.5])
    explainer = ExactShapleyExplainer(LinearRegression().fit(X, y), max_background=5).fit(X)
    folder = tmp_path / "figs"
    report = make_report(explainer, X, n_local=1, metrics=False, figures_dir=folder)
    assert report.figures
    # the PNGs, and their listing (session 38: a later report removes the figures it replaces)
    written = sorted(p.name for p in folder.iterdir() if p.name != "skxai-figures.txt")
    assert written == sorted(name for name, _ in report.figures)
    assert report.path is None
