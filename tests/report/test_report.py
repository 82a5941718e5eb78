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
