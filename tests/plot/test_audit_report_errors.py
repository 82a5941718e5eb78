"""Error bars and uncertainty in pictures and the report, in combinations (audit D)."""

import io

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from skxai import Explanation  # noqa: E402
from skxai.plot import BarDisplay, WaterfallDisplay  # noqa: E402


def _words_outside(fig):
    """Texts of a figure that a plain savefig cuts at the figure's edge."""
    fig.savefig(io.BytesIO(), format="png", dpi=72)
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    out = []
    for ax in fig.axes:
        for t in ax.get_yticklabels() + [ax.title] + ax.texts:
            if not t.get_visible() or not t.get_text():
                continue
            bb = t.get_window_extent(renderer)
            if bb.x0 < box.x0 - 1 or bb.x1 > box.x1 + 1 or bb.y0 < box.y0 - 1 or bb.y1 > box.y1 + 1:
                out.append(t.get_text())
    return out


def _unknown_errors(n_inf):
    # one dominant attribution: its value label sits at the right edge of the axes
    values = np.array([[0.649, 0.00746, 0.00269, 0.00179]])
    std = np.full_like(values, 0.01)
    std[0, :n_inf] = np.inf
    return Explanation(values, base_values=np.array([0.311]), std=std, data=np.array([[1.4, 4.9, 3.0, 0.2]]),
                       feature_names=["x2", "x0", "x1", "x3"], method="ShapleySamplingExplainer",
                       quantity="probability of setosa")


@pytest.mark.parametrize("n_inf", [1, 4])
def test_waterfall_error_unknown_labels_stay_inside_the_figure(n_inf):
    # With inf std (one permutation: no spread to estimate) the value labels read
    # "+0.649 (error unknown)", and the widest was cut at the figure's right edge.
    disp = WaterfallDisplay.from_explanation(_unknown_errors(n_inf), index=0, error_bars=True)
    try:
        assert any("error unknown" in t.get_text() for t in disp.ax_.texts)
        assert _words_outside(disp.figure_) == []
    finally:
        plt.close(disp.figure_)


def test_bar_error_unknown_labels_stay_inside_the_figure():
    exp = _unknown_errors(4)
    disp = BarDisplay.from_explanation(exp, error_bars=True)
    try:
        assert any("error unknown" in t.get_text() for t in disp.ax_.texts)
        assert _words_outside(disp.figure_) == []
    finally:
        plt.close(disp.figure_)


# ---------------------------------------------------------------- the report


def _iris_explainers():
    from sklearn.datasets import load_iris
    from sklearn.frozen import FrozenEstimator
    from sklearn.linear_model import LogisticRegression

    from skxai import ExactShapleyExplainer, KernelShapExplainer

    X, y = load_iris(return_X_y=True, as_frame=True)
    model = FrozenEstimator(LogisticRegression(max_iter=500).fit(X, y))
    return X, model, ExactShapleyExplainer, KernelShapExplainer


def _drawn_error_bars(monkeypatch):
    """Record the ``error_bars`` the report passes to the bar and waterfall displays."""
    seen = []
    for cls in (BarDisplay, WaterfallDisplay):
        original = cls.from_explanation.__func__

        def wrapped(klass, *args, _original=original, **kwargs):
            seen.append((klass.__name__, kwargs.get("error_bars", False)))
            return _original(klass, *args, **kwargs)

        monkeypatch.setattr(cls, "from_explanation", classmethod(wrapped))
    return seen


def test_report_draws_the_standard_errors_of_a_conditional_game(monkeypatch):
    # A conditional game's values carry a Monte Carlo error (std); the report drew none of
    # it, so its bars and waterfalls read as exact.
    from skxai.report import make_report

    X, model, Exact, _ = _iris_explainers()
    explainer = Exact(model, game="conditional", n_conditional_samples=16, random_state=0).fit(X)
    seen = _drawn_error_bars(monkeypatch)
    report = make_report({"conditional": explainer}, X.iloc[::30], metrics=False, n_local=1)
    assert ("BarDisplay", True) in seen and ("WaterfallDisplay", True) in seen
    assert "error bars: \u00b11 standard error" in report.html


def test_report_draws_no_error_bars_for_exact_values(monkeypatch):
    from skxai.report import make_report

    X, model, Exact, _ = _iris_explainers()
    seen = _drawn_error_bars(monkeypatch)
    report = make_report({"exact": Exact(model).fit(X)}, X.iloc[::30], metrics=False, n_local=1)
    assert seen and not any(eb for _, eb in seen)
    assert "error bars" not in report.html


def test_report_of_feature_groups_says_why_there_is_no_dependence_plot():
    # The dependence plot of a grouped explanation failed with "needs the explained samples
    # (explanation.data)" although the data was there.
    from skxai.report import make_report

    X, model, _, Kernel = _iris_explainers()
    explainer = Kernel(model, feature_groups={"sepal": [0, 1], "petal": [2, 3]}, random_state=0).fit(X)
    report = make_report({"groups": explainer}, X.iloc[::30], metrics=False, n_local=1)
    assert "could not be drawn" not in report.html
    assert "feature groups" in report.html


def test_dependence_of_feature_groups_names_the_problem():
    from skxai.plot import DependenceDisplay

    X, model, _, Kernel = _iris_explainers()
    exp = Kernel(model, feature_groups={"sepal": [0, 1], "petal": [2, 3]}, random_state=0).fit(X).explain(X.iloc[:5])
    with pytest.raises(ValueError, match="feature_groups"):
        DependenceDisplay.from_explanation(exp, "petal")


def test_report_of_tabular_anchors_shows_the_rules_and_the_classes():
    # Tabular anchors were drawn as attributions "to the probability" (beeswarm, dependence of
    # 0/1 rule memberships) and their rules, classes and precisions were nowhere on the page.
    from sklearn.datasets import load_iris
    from sklearn.frozen import FrozenEstimator
    from sklearn.linear_model import LogisticRegression

    from skxai.anchors import AnchorTabularExplainer
    from skxai.report import make_report

    data = load_iris(as_frame=True)
    y = np.asarray(data.target_names)[data.target]
    model = FrozenEstimator(LogisticRegression(max_iter=500).fit(data.data, y))
    explainer = AnchorTabularExplainer(model, random_state=0).fit(data.data)
    X = data.data.iloc[[0, 100]]
    exp = explainer.explain(X)
    report = make_report({"anchors": explainer}, X, metrics=False, explanations={"anchors": exp})
    html = report.html
    assert "No base values" not in html
    for i in range(2):
        rule = " AND ".join(exp.anchor[i])
        assert "IF " + rule.replace("<", "&lt;").replace(">", "&gt;") in html
        assert f"<td>{exp.prediction[i]}</td>" in html
    assert "setosa" in html and "virginica" in html
    assert "whose anchor (rule) uses each feature" in html


def test_notebook_table_names_each_rows_class_and_carries_the_std():
    # The notebook table of a multi-class explanation of each sample's predicted class did not say
    # which class a row explains (its "base + sum" is that class's probability), nor the std.
    from skxai.plot._html import explanation_html

    values = np.array([[[0.3, -0.1, 0.0], [0.1, 0.2, -0.2]], [[-0.2, 0.0, 0.4], [0.0, 0.1, 0.3]]])
    std = np.full(values.shape, 0.05)
    std[1, 0, 2] = np.inf
    outputs = np.array([[0.7, 0.2, 0.1], [0.1, 0.2, 0.7]])
    exp = Explanation(values, base_values=np.full((2, 3), 1 / 3), std=std, feature_names=["a", "b"],
                      output_names=["setosa", "versicolor", "virginica"], output_axis=-1,
                      target_index="predicted", outputs=outputs, method="m")
    got = explanation_html(exp)
    assert "<th>explained</th>" in got
    assert "<tr><th>0</th><td>setosa</td>" in got and "<tr><th>1</th><td>virginica</td>" in got
    # an infinite std reads "error unknown", as in the displays and the report (session 35)
    assert 'title="error unknown">0.4</td>' in got and 'title="\u00b10.05 (std)">0.3</td>' in got
    # per-sample targets name their own classes too
    exp.target_index = np.array([1, 0])
    got = explanation_html(exp)
    assert "<tr><th>0</th><td>versicolor</td>" in got and "<tr><th>1</th><td>setosa</td>" in got


def _three_class(std_shape=None):
    rng = np.random.RandomState(0)
    values = rng.normal(size=(3, 4, 3))
    std = np.full(values.shape if std_shape is None else std_shape, 0.1)
    return Explanation(values, base_values=np.full((3, 3), 0.3), std=std, feature_names=list("abcd"),
                       output_names=["x", "y", "z"], output_axis=-1, target_index=0,
                       outputs=rng.dirichlet(np.ones(3), size=3))


def test_waterfall_refuses_error_bars_it_does_not_know():
    # error_bars="samples" (the bar display's spread over samples) was taken as True by the
    # waterfall, which then drew the values' std under another name.
    with pytest.raises(ValueError, match="error_bars must be one of True, False; got 'samples'"):
        WaterfallDisplay.from_explanation(_three_class(), error_bars="samples")


@pytest.mark.parametrize("display", [BarDisplay, WaterfallDisplay])
def test_error_bars_of_a_std_shaped_unlike_the_values_name_the_shapes(display):
    # an IndexError from deep in the drawing said nothing of the std
    with pytest.raises(ValueError, match=r"std shaped like its values \(3, 4, 3\); std has shape \(3, 2, 3\)"):
        display.from_explanation(_three_class((3, 2, 3)), error_bars=True)
    plt.close("all")


def test_report_says_when_the_errors_are_unknown(monkeypatch):
    # One permutation has no spread to estimate: every std is inf. The report drew no error bars
    # at all, so the values read as exact.
    from skxai import ShapleySamplingExplainer
    from skxai.report import make_report

    X, model, _, _ = _iris_explainers()
    seen = _drawn_error_bars(monkeypatch)
    report = make_report({"one": ShapleySamplingExplainer(model, n_permutations=1, random_state=0).fit(X)},
                         X.iloc[::30], metrics=False, n_local=1)
    assert ("BarDisplay", True) in seen and ("WaterfallDisplay", True) in seen
    assert "none where it is unknown" in report.html


def test_an_empty_text_anchor_is_named_not_left_out():
    # AnchorText on "terrible boring film": the prediction held with every word masked, and the
    # page showed precision and coverage with no anchor at all, as if none had been found.
    from skxai.plot._html import explanation_html

    exp = Explanation(None, data=["terrible boring film", "great film"], tokens=[["terrible", "boring", "film"],
                                                                                  ["great", "film"]],
                      anchor=[[], ["great"]], precision=[1.0, 0.97], coverage=[1.0, 0.5])
    got = explanation_html(exp)
    assert got.count("anchor: <b>") == 2
    assert "anchor: <b>(empty: no word needed)</b>" in got and "anchor: <b>great</b>" in got


def test_an_empty_text_anchor_is_named_in_the_highlight_picture():
    from skxai.plot import TextHighlightDisplay

    exp = Explanation(None, data=["terrible boring film"], tokens=[["terrible", "boring", "film"]],
                      anchor=[[]], precision=[1.0], coverage=[1.0])
    disp = TextHighlightDisplay.from_explanation(exp)
    try:
        texts = [disp.ax_.get_title(loc="left")]
        assert any("anchor: (empty: no word needed)" in t for t in texts), texts
    finally:
        plt.close(disp.figure_)
