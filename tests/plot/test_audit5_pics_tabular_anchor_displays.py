"""Tabular anchors in the attribution displays: an anchor's ``values`` only mark the features
its rule uses (1), they are no attributions. BarDisplay drew them as "mean |attribution| to the
output" with a bar "sum of 3 other features" of 1.67 (a sum of shares of samples); the beeswarm
and the dependence plot drew them as attributions, "impact on the output"."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
pytest.importorskip("sklearn")

from sklearn.datasets import load_wine  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402

from skxai import AnchorTabularExplainer  # noqa: E402
from skxai.plot import BarDisplay, BeeswarmDisplay, DependenceDisplay  # noqa: E402


@pytest.fixture(scope="module")
def anchors():
    X, y = load_wine(return_X_y=True, as_frame=True)
    model = RandomForestClassifier(n_estimators=20, random_state=0).fit(X, y)
    ex = AnchorTabularExplainer(model, random_state=0).fit(X)
    return ex.explain(X.iloc[:4])


def test_bar_of_anchors_shows_the_share_of_samples_whose_rule_uses_each_feature(anchors):
    disp = BarDisplay.from_explanation(anchors, max_display=4)
    used = (np.asarray(anchors.values) != 0).mean(axis=0)  # brute force: the rules' features
    d = used.size
    widths = [p.get_width() for p in disp.bars_]
    ticks = [t.get_text() for t in disp.ax_.get_yticklabels()]
    order = np.argsort(-used, kind="stable")[:4]
    np.testing.assert_allclose(widths, used[order])
    assert ticks == [anchors.feature_names[j] for j in order]  # no summed "other features" bar
    label = disp.ax_.get_xlabel()
    assert "attribution" not in label
    assert "share of the explained samples" in " ".join(label.split()) and "anchor" in label
    assert f"{d - 4} other features not shown" in " ".join(label.split())
    assert "attribution" not in disp.ax_.get_title()


@pytest.mark.parametrize("display, kw", [(BeeswarmDisplay, {}), (DependenceDisplay, {"feature": "proline"})])
def test_attribution_pictures_of_anchors_are_refused_with_the_reason(anchors, display, kw):
    with pytest.raises(ValueError, match="anchor.*not attributions.*BarDisplay"):
        display.from_explanation(anchors, **kw)


def test_report_bar_of_anchors_sums_no_shares(monkeypatch, anchors):
    from skxai.report import make_report

    X, y = load_wine(return_X_y=True, as_frame=True)
    model = RandomForestClassifier(n_estimators=20, random_state=0).fit(X, y)
    ex = AnchorTabularExplainer(model, random_state=0).fit(X)
    seen = []
    plot = BarDisplay.plot

    def spy(self, *a, **k):
        out = plot(self, *a, **k)
        seen.append([t.get_text() for t in out.ax_.get_yticklabels()])
        return out

    monkeypatch.setattr(BarDisplay, "plot", spy)
    make_report({"anchors": ex}, X.iloc[:3], metrics=False, n_local=1)
    assert seen and not any("sum of" in t for ticks in seen for t in ticks), seen
