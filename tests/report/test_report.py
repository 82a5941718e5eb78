"""HTML reports: self-contained, and clean when opened in headless Chromium."""

import re

import numpy as np
import pytest

pytest.importorskip("matplotlib")
from sklearn.datasets import load_diabetes  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression, Ridge  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from skxai import ExactShapleyExplainer, Explanation, KernelShapExplainer  # noqa: E402
from skxai.report import make_report  # noqa: E402
from skxai.report._browser import find_chromium, inspect_in_browser  # noqa: E402


@pytest.fixture(scope="module")
def tabular_report(tmp_path_factory):
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    X = X.iloc[:, :6]
    model = Ridge().fit(X, y)
    explainers = {
        "exact": ExactShapleyExplainer(model, max_background=20, random_state=0).fit(X),
        "kernel": KernelShapExplainer(model, n_samples=40, max_background=20, random_state=0).fit(X),
    }
    path = tmp_path_factory.mktemp("report") / "r.html"
    report = make_report(explainers, X.iloc[:30], path=path, n_local=1, n_metric_samples=5,
                         figures_dir=path.parent / "fig")
    return report, path, model, X


def _browser_or_skip():
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("Chromium is not installed (tools/test.sh installs Debian's chromium)")
    return chromium


def test_report_is_self_contained(tabular_report):
    report, path, _, _ = tabular_report
    html = path.read_text(encoding="utf-8")
    assert html == report.html
    assert "<script" not in html and "<link" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    imgs = re.findall(r'<img src="([^"]+)"', html)
    assert imgs and all(src.startswith("data:image/png;base64,") for src in imgs)
    assert len(imgs) == len(report.figures)
    assert len(list((path.parent / "fig").glob("*.png"))) == len(report.figures)


def test_report_says_what_was_explained(tabular_report):
    report, _, model, X = tabular_report
    html = report.html
    for text in ("What was explained", "Settings", "Global view", "Local views", "Quality of the explanation",
                 "ExactShapleyExplainer", "KernelShapExplainer", "max_background", "Ridge",
                 "faithfulness_correlation"):
        assert text in html, text
    # The additivity line is the real gap against the model's own output (recomputed, not the
    # explanation's ``outputs``): exact Shapley values of a linear model are additive.
    gap = re.findall(r"own prediction: largest gap <b>([^<]+)</b>", html)
    assert len(gap) == 2 and float(gap[0]) < 1e-8
    assert "additive: the attributions add up to the model output" in html


def test_report_opens_cleanly_in_chromium(tabular_report):
    chromium = _browser_or_skip()
    report, path, _, _ = tabular_report
    seen = inspect_in_browser(path, chromium=chromium)
    assert len(seen["images"]) == len(report.figures)
    assert all(img["w"] > 0 and img["h"] > 0 for img in seen["images"])
    assert seen["errors"] == [] and seen["console"] == [] and seen["chromium_console"] == []
    assert seen["title"] == "skxai explanation report"


def test_browser_probe_catches_broken_pages(tmp_path):
    chromium = _browser_or_skip()
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html><head></head><body><img src="missing.png">'
                    "<script>console.error('boom')</script></body></html>")
    seen = inspect_in_browser(page, chromium=chromium)
    assert [img["w"] for img in seen["images"]] == [0]
    assert any("missing.png" in e for e in seen["errors"])
    assert any("boom" in c for c in seen["console"])


def test_text_report_highlights_words_in_the_page(tmp_path):
    chromium = _browser_or_skip()
    docs = ["a great and moving film", "a dull and boring film"]
    values = [np.array([0.0, 0.8, 0.0, 0.5, 0.0]), np.array([0.0, -0.6, 0.0, -0.9, 0.0])]
    tokens = [d.split() for d in docs]

    class Fixed:
        """A stand-in explainer returning a fixed text explanation (the page is what is tested)."""

        def get_params(self, deep=False):
            return {"n_samples": 10}

        def explain(self, X):
            return Explanation(values, data=list(X), tokens=tokens, method="Fixed")

    report = make_report(Fixed(), docs, path=tmp_path / "t.html", metrics=False)
    seen = inspect_in_browser(tmp_path / "t.html", chromium=chromium)
    assert seen["errors"] == [] and seen["console"] == []
    assert all(img["w"] > 0 for img in seen["images"]) and len(seen["images"]) == 1
    for word in ("great", "moving", "dull", "boring"):
        assert word in seen["highlighted"]
    assert 'data-weight="-0.9"' in report.html


def test_anchor_report_in_chromium(tmp_path):
    chromium = _browser_or_skip()
    pytest.importorskip("skxai.anchors")
    from skxai import AnchorTextExplainer

    docs = ["good fun film", "bad boring film", "good acting", "bad plot", "really good", "really bad"] * 5
    y = [1, 0, 1, 0, 1, 0] * 5
    model = make_pipeline(TfidfVectorizer(), LogisticRegression(C=10)).fit(docs, y)
    ex = AnchorTextExplainer(model, random_state=0).fit(docs)
    explained = ["a good fun film with a plot", "bad and boring acting"]
    make_report(ex, explained, path=tmp_path / "a.html", metrics=False, n_local=2)
    exp = ex.explain(explained)
    seen = inspect_in_browser(tmp_path / "a.html", chromium=chromium)
    assert seen["errors"] == [] and seen["console"] == []
    assert all(img["w"] > 0 for img in seen["images"])
    expected = [exp.tokens[i][p] for i in range(2) for p in exp.token_positions[i]]
    assert expected and seen["anchors"] == expected
    html = (tmp_path / "a.html").read_text()
    assert "Anchor search" in html or "evaluated candidate" in html


def test_report_records_failures_instead_of_crashing(tmp_path):
    class Broken:
        def get_params(self, deep=False):
            return {}

        def explain(self, X):
            raise RuntimeError("model exploded")

    report = make_report({"broken": Broken()}, np.ones((3, 2)), metrics=False)
    assert "Explaining failed: RuntimeError: model exploded" in report.html
    with pytest.raises(ValueError, match="at least one"):
        make_report({}, np.ones((3, 2)))


def test_agreement_between_explainers(tabular_report):
    from scipy.stats import spearmanr

    report, _, _, X = tabular_report
    html = report.html
    assert "Do the explainers agree?" in html
    section = html[html.index('id="agreement"'):]
    numbers = [float(v) for v in re.findall(r"<td>(-?\d\.\d{3})</td>", section)[:4]]
    exact, kernel = (e.explain(X.iloc[:30]).target_values for e in _explainers(X))
    rho = spearmanr(np.abs(exact).mean(0), np.abs(kernel).mean(0)).statistic
    np.testing.assert_allclose(numbers, [1.0, rho, rho, 1.0], atol=5e-4)


def test_agreement_table_of_explainers_that_disagree(tmp_path):
    """Three explainers with different global importances: each cell is the Spearman correlation
    of that row's and that column's importances, computed here independently (issue 17: with two
    explainers agreeing to 1e-14, a table of all 1s passed)."""
    from scipy.stats import spearmanr

    from skxai.controls import RandomExplainer

    X, y = load_diabetes(return_X_y=True, as_frame=True)
    X = X.iloc[:, :6]
    model = Ridge().fit(X, y)
    explainers = {
        "exact": ExactShapleyExplainer(model, max_background=20, random_state=0).fit(X),
        "random": RandomExplainer(model, random_state=0).fit(X),
        "random2": RandomExplainer(model, random_state=3).fit(X),
    }
    report = make_report(explainers, X.iloc[:30], path=tmp_path / "r.html", n_local=0, metrics=False,
                         figures_dir=tmp_path / "fig")
    section = report.html[report.html.index('id="agreement"'):]
    table = np.array([float(v) for v in re.findall(r"<td>(-?\d\.\d{3})</td>", section)[:9]]).reshape(3, 3)
    imp = [np.abs(e.explain(X.iloc[:30]).target_values).mean(axis=0) for e in explainers.values()]
    expected = np.array([[spearmanr(a, b).statistic for b in imp] for a in imp])
    assert np.abs(expected - 1).max() > 0.2  # the explainers really disagree
    np.testing.assert_allclose(table, expected, atol=5e-4)


def _explainers(X):
    from sklearn.datasets import load_diabetes

    _, y = load_diabetes(return_X_y=True, as_frame=True)
    model = Ridge().fit(X, y)
    return (ExactShapleyExplainer(model, max_background=20, random_state=0).fit(X),
            KernelShapExplainer(model, n_samples=40, max_background=20, random_state=0).fit(X))


def test_local_views_pick_telling_samples():
    from skxai.report._sections import local_samples

    exp = Explanation(np.array([[1.0, 0.0], [5.0, 0.0], [-3.0, 0.0], [2.0, 0.0]]), base_values=np.zeros(4))
    assert local_samples(exp, 3) == [(1, "highest output"), (2, "lowest output"), (3, "median output")]
    assert [i for i, _ in local_samples(exp, 10)] == [1, 2, 3, 0]
    assert local_samples(Explanation(np.ones((3, 2))), 2) == [(0, "sample"), (1, "sample")]
    # the model's own outputs rank the samples where they are known: a surrogate's g(x) ranked
    # sample 1 highest where the model's highest output was sample 3's
    model_out = np.array([0.0, 4.0, 1.0, 9.0])
    assert local_samples(exp, 3, model_out) == [(3, "highest output"), (0, "lowest output"), (1, "median output")]


def test_the_lime_section_names_the_models_highest_output(tmp_path):
    from sklearn.datasets import load_diabetes
    from sklearn.ensemble import GradientBoostingRegressor

    from skxai import LimeExplainer
    from skxai.report import make_report

    X, y = load_diabetes(return_X_y=True)
    model = GradientBoostingRegressor(n_estimators=30, random_state=0).fit(X, y)
    ex = LimeExplainer(model, n_samples=200, random_state=0).fit(X[:50])
    rows = X[:30]
    make_report(ex, rows, path=tmp_path / "r.html")
    html = (tmp_path / "r.html").read_text()
    top = int(np.argmax(model.predict(rows)))
    assert f"highest output (sample {top})" in html


def test_browser_probe_sees_overflow_and_captions(tmp_path):
    chromium = _browser_or_skip()
    page = tmp_path / "wide.html"
    page.write_text('<!DOCTYPE html><html><head></head><body><main><section style="width:300px">'
                    '<table><tr><td style="white-space:nowrap">' + "x" * 400 + "</td></tr></table>"
                    "<figure><figcaption>probability of cat</figcaption></figure></section></main></body></html>")
    seen = inspect_in_browser(page, chromium=chromium)
    assert any(o.startswith("table") for o in seen["overflow"])
    assert seen["captions"] == ["probability of cat"]


MARKUP = '<script>alert(1)</script><b>x</b>``code`` :class:`Foo`'


def test_user_strings_are_escaped_in_every_section(tmp_path):
    """Markup in names (explainer, features, outputs, title, description, captions) never reaches the page raw."""
    import pandas as pd

    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(40, 3)), columns=[MARKUP, "b", "c"])
    y = np.where(X.iloc[:, 0] > 0, MARKUP, "other")
    model = LogisticRegression().fit(X, y)
    explainers = {MARKUP: ExactShapleyExplainer(model, max_background=10).fit(X),
                  "second": KernelShapExplainer(model, n_samples=20, max_background=10, random_state=0).fit(X)}
    report = make_report(explainers, X.iloc[:10], title=MARKUP, description=MARKUP, n_local=1,
                         n_metric_samples=3, extra_figures=[(MARKUP, lambda fig: fig.subplots().plot([0, 1]))])
    html = report.html
    assert "<script>" not in html and "<b>x</b>" not in html
    assert html.count("&lt;script&gt;") >= 5  # title, description, headings, features, outputs, captions
    docs = [f"good {MARKUP} film", "bad film"]

    class Fixed:
        def get_params(self, deep=False):
            return {"p": MARKUP}

        def explain(self, X):
            return Explanation([np.array([0.5, -0.2, 0.1]), np.array([-0.3, 0.1])], data=list(X),
                               tokens=[["good", MARKUP, "film"], ["bad", "film"]], anchor=[[MARKUP], ["bad"]],
                               output_names=["neg", MARKUP], target=[1, 1], method=MARKUP)

    html = make_report({MARKUP: Fixed()}, docs, metrics=False, n_local=2).html
    assert "<script>" not in html and "<b>x</b>" not in html and "&lt;script&gt;" in html


def test_explainer_summary_is_plain_text_never_cut_mid_sentence():
    from skxai.report._sections import doc_summary

    class Documented:
        """Grad-CAM++: ``w_k = sum_ij alpha_kij ReLU(G_kij)`` with :class:`~skxai.Explanation` weights,
        see `the paper <https://arxiv.org>`_. More detail follows here.

        Parameters
        ----------
        """

    text = doc_summary(Documented)
    assert text == ("Grad-CAM++: w_k = sum_ij alpha_kij ReLU(G_kij) with Explanation weights, see the paper.")
    from skxai import GradCamPlusPlusExplainer

    real = doc_summary(GradCamPlusPlusExplainer)
    assert "``" not in real and ":class:" not in real and real.endswith(".")


def test_metric_failures_are_clean_notes():
    from skxai.report._sections import clean_reason

    exc = ValueError("could not convert string to float: np.str_('Offers a guilt free trip ...')")
    tab = Explanation(np.ones((1, 2)))
    assert clean_reason(exc, tab) == "Could not convert string to float: 'Offers a guilt free trip ...'"
    text = Explanation([np.ones(2)], data=["a b"], tokens=[["a", "b"]])
    assert clean_reason(exc, text).startswith("not applicable to documents")
    long = ValueError("x " * 200)
    assert len(clean_reason(long, tab)) < 250
    # cut in the middle: the sentence's end says what to do (it was cut away)
    cut = clean_reason(ValueError("the subject " + "y " * 150 + "so pass target=<output index> and fit again."), tab)
    assert cut.startswith("The subject y") and cut.endswith("so pass target=<output index> and fit again.")
    assert " … " in cut and len(cut) < 250


def test_text_report_metrics_table_has_no_raw_exception(tmp_path):
    docs = ["good fun film", "bad boring film", "good acting", "bad plot"] * 5
    y = [1, 0, 1, 0] * 5
    model = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(docs, y)
    from skxai import LimeTextExplainer

    ex = LimeTextExplainer(model, n_samples=50, random_state=0).fit(docs)
    html = make_report(ex, docs[:2], n_local=1, n_metric_samples=2,
                       metrics=["deletion_auc", "faithfulness_correlation"]).html
    table = html[html.index('<table class="metrics">'):]
    table = table[: table.index("</table>")]
    assert "Error" not in table and "np.str_" not in table and "Traceback" not in table


def test_make_report_accepts_a_pipeline_and_names_the_quantity():
    from sklearn.preprocessing import StandardScaler

    X, y = load_diabetes(return_X_y=True, as_frame=True)
    X = X.iloc[:80, :4]
    yb = np.where(y[:80] > y[:80].median(), "high", "low")
    scaler = StandardScaler().set_output(transform="pandas").fit(X)
    model = LogisticRegression().fit(scaler.transform(X), yb)
    pipe = make_pipeline(scaler, ExactShapleyExplainer(model, max_background=10)).fit(X)
    report = make_report(pipe, X.iloc[:12], n_local=1, n_metric_samples=3)
    html = report.html
    assert "ExactShapleyExplainer (in a Pipeline)" in html
    assert "pipeline steps before it" in html and "StandardScaler" in html
    assert "<b>probability</b>" in html and "probability of low" in html
    # The reconstruction is checked against the model's own output on the transformed rows.
    assert re.search(r"own probability of low: largest gap <b>0</b>", html)


def test_localisation_section_scores_maps_against_masks(monkeypatch):
    import skxai.metrics as metrics

    def pointing_game(maps, masks, *, tolerance=0):  # a stand-in until the metrics branch is merged
        peak = maps == maps.max(axis=(1, 2), keepdims=True)
        return (~(peak & ~masks).any(axis=(1, 2))).astype(float)

    def energy_pointing_game(maps, masks):
        pos = np.clip(maps, 0, None)
        return (pos * masks).sum(axis=(1, 2)) / pos.sum(axis=(1, 2))

    if not hasattr(metrics, "pointing_game"):
        monkeypatch.setattr(metrics, "pointing_game", pointing_game, raising=False)
        monkeypatch.setattr(metrics, "energy_pointing_game", energy_pointing_game, raising=False)
    masks = np.zeros((4, 8, 8), dtype=bool)
    masks[:, 2:4, 2:4] = True
    good = np.zeros((4, 4, 4))
    good[:, 1, 1] = 1.0  # a 4x4 CAM whose peak lands inside the box once upscaled
    bad = np.zeros((4, 1, 8, 8))
    bad[:, 0, 7, 7] = 1.0  # a gradient map pointing at the corner

    class Fixed:
        def __init__(self, values):
            self.values = values

        def get_params(self, deep=False):
            return {}

        def explain(self, X):
            return Explanation(self.values, data=np.asarray(X), method="Fixed")

    X = np.zeros((4, 1, 8, 8))
    report = make_report({"good": Fixed(good), "bad": Fixed(bad)}, X, metrics=False, n_local=0,
                         localisation={"masks": masks, "sanity": False})
    rows = {r["method"]: r for r in report.localisation}
    assert rows["good"]["pointing"][0] == 1.0 and rows["bad"]["pointing"][0] == 0.0
    assert rows["bad"]["energy"][0] == 0.0 and rows["good"]["energy"][0] > 0.5
    assert "random maps (control)" in rows and 0.0 <= rows["random maps (control)"]["pointing"][0] <= 0.5
    assert "Do the maps point at the object?" in report.html


def test_settings_table_leaves_out_deprecated_parameters_left_at_their_default():
    from skxai.report._sections import settings_html

    class _Ex:
        def get_params(self, deep=False):
            return {"target_layer": "conv1", "layer": "deprecated", "batch_size": 8}

    html = settings_html(_Ex())
    assert "target_layer" in html and "batch_size" in html
    assert "deprecated" not in html and ">layer<" not in html


def test_score_row_names_a_lower_is_better_metric_negated():
    """``score`` is higher-is-better: an explainer scored by infidelity reports -infidelity, and
    the row says so (it read "score (infidelity) -0.89, higher is better")."""
    from sklearn.neural_network import MLPRegressor

    from skxai import IntegratedGradientsExplainer

    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    model = MLPRegressor(hidden_layer_sizes=(8,), max_iter=2000, random_state=0).fit(X, X.sum(axis=1))
    ex = IntegratedGradientsExplainer(model, scoring="infidelity", n_steps=8).fit(X)
    html = make_report(ex, X[:4], n_local=0, n_metric_samples=3, metrics=["sparseness"]).html
    table = html[html.index('<table class="metrics">'):]
    table = table[: table.index("</table>")]
    assert "score (\u2212infidelity)" in table
    ex.set_params(scoring="faithfulness_correlation")
    html = make_report(ex, X[:4], n_local=0, n_metric_samples=3, metrics=["sparseness"]).html
    assert "score (faithfulness_correlation)" in html


def test_explained_output_names_the_class_once(tmp_path):
    # classes [0, 1] read "1 (output 1)"; string classes keep their position beside the name
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    for labels, expected in ((np.array([0, 1]), "<td>1</td>"), (np.array(["no", "yes"]), "yes (output 1)")):
        y = labels[(X[:, 0] > 0).astype(int)]
        ex = KernelShapExplainer(LogisticRegression().fit(X, y), n_samples=8, random_state=0).fit(X)
        html = make_report({"k": ex}, X[:4], path=tmp_path / f"{labels[1]}.html", n_local=1, n_metric_samples=2).html
        row = re.search(r"explained output</th>\s*(<td>[^<]*</td>)", html)
        assert row is not None and expected in row.group(0), html[html.find("explained output") - 50:][:200]


def test_text_legend_says_only_what_the_page_draws():
    # anchors colour no word (they have no weights): the page does not promise red and blue
    from skxai import AnchorTextExplainer

    docs = ["good fun film", "bad boring film", "good acting", "bad plot", "really good", "really bad"] * 5
    y = [1, 0, 1, 0, 1, 0] * 5
    model = make_pipeline(TfidfVectorizer(), LogisticRegression(C=10)).fit(docs, y)
    explained = ["a good fun film with a plot", "bad and boring acting"]
    anchors = make_report(AnchorTextExplainer(model, random_state=0).fit(docs), explained, metrics=False).html
    assert "Anchor words are <b>bold and underlined</b>" in anchors
    assert "Red words" not in anchors

    class Weighted:
        def get_params(self, deep=False):
            return {}

        def explain(self, X):
            return Explanation([np.array([0.5, -0.2, 0.1])] * len(X), data=list(X),
                               tokens=[d.split() for d in X], method="Weighted")

    weighted = make_report(Weighted(), ["good fun film", "bad dull plot"], metrics=False).html
    assert "Red words push the explained output up" in weighted
    assert "Anchor words" not in weighted


def test_a_lime_text_report_scores_the_surrogate_fit(tmp_path):
    # the quality section of LIME for text held one row, "faithfulness_correlation: not applicable"
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from skxai import LimeTextExplainer
    from skxai.report import make_report

    docs = ["a great movie", "terrible plot and bad acting", "great acting, great fun", "bad bad film"] * 3
    model = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(docs, [1, 0, 1, 0] * 3)
    ex = LimeTextExplainer(model, n_samples=100, random_state=0).fit(docs)
    exp = ex.explain(docs[:4])
    make_report(ex, docs[:4], path=tmp_path / "t.html")
    html = (tmp_path / "t.html").read_text()
    assert "surrogate fit (weighted R²" in html
    from skxai.report._sections import mean_pm_sem

    fit = np.asarray(exp.extras["score"], dtype=float)
    assert mean_pm_sem(fit.mean(), fit.std(ddof=1) / np.sqrt(len(fit))) in html


def test_document_attributions_are_described_by_their_words():
    # the overview said "attributions: shape (4,)" for four documents
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from skxai import LimeTextExplainer
    from skxai.report._sections import what_html

    docs = ["a great movie", "terrible plot and bad acting", "great acting, great fun", "bad bad film"] * 3
    model = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(docs, [1, 0, 1, 0] * 3)
    ex = LimeTextExplainer(model, n_samples=100, random_state=0).fit(docs)
    html = what_html(ex, docs[:4], ex.explain(docs[:4]), 0.1)
    assert "4 samples, 3 to 5 values each (one per word)" in html and "shape (4,)" not in html


def test_the_surrogate_fit_row_takes_each_samples_explained_class():
    # "predicted" picks each sample's class by the model's outputs; it picked the largest R²
    from skxai.report._sections import _surrogate_fit

    score = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7]])
    outputs = np.array([[0.1, 0.9], [0.2, 0.8], [0.6, 0.4]])
    exp = Explanation(np.zeros((3, 2, 2)), base_values=np.zeros((3, 2)), outputs=outputs, output_axis=-1,
                      target_index="predicted", score=score, sample_fields=["score"])  # fmt: skip
    np.testing.assert_array_equal(_surrogate_fit(exp), [0.1, 0.2, 0.3])
