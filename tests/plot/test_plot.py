"""Displays draw with Agg and hold the artists their numbers say (bars, waterfall ends, swarms...)."""

import subprocess
import sys

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.linear_model import LinearRegression, LogisticRegression  # noqa: E402

from skxai import ExactShapleyExplainer, Explanation, KernelShapExplainer  # noqa: E402
from skxai.plot import (  # noqa: E402
    AnchorSearchDisplay,
    BarDisplay,
    BeeswarmDisplay,
    CamDisplay,
    DependenceDisplay,
    ForceDisplay,
    ImageAttributionDisplay,
    SigmaSweepDisplay,
    TextHighlightDisplay,
    WaterfallDisplay,
    explanation_html,
    text_html,
    upsample_bilinear,
)


@pytest.fixture(scope="module")
def linear_case():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 5))
    coef = np.array([3.0, -2.0, 1.0, 0.5, 0.0])
    model = LinearRegression().fit(X, X @ coef + 1.0)
    explainer = ExactShapleyExplainer(model, max_background=30, random_state=0).fit(X)
    exp = explainer.explain(X[:25])
    return X, model, explainer, exp


def test_bar_heights_are_mean_abs_values(linear_case):
    X, _, explainer, exp = linear_case
    disp = BarDisplay.from_explanation(exp, max_display=5)
    phi = exp.target_values
    expected = np.abs(phi).mean(axis=0)
    widths = np.array([p.get_width() for p in disp.bars_])
    np.testing.assert_allclose(widths, expected[disp.order_])
    assert list(disp.order_[:3]) == [0, 1, 2]  # coef sizes 3, 2, 1 with unit-variance features
    assert disp.ax_.figure is disp.figure_
    # Fewer bars than features: the rest is one summed bar.
    disp2 = BarDisplay.from_explainer(explainer, X[:25], max_display=2)
    widths2 = [p.get_width() for p in disp2.bars_]
    assert len(widths2) == 3
    np.testing.assert_allclose(widths2[2], np.sort(expected)[::-1][2:].sum())
    assert "other features" in disp2.ax_.get_yticklabels()[-1].get_text()


def test_bar_draws_on_given_axes(linear_case):
    fig, ax = plt.subplots()
    disp = BarDisplay.from_explanation(linear_case[3], ax=ax)
    assert disp.ax_ is ax and disp.figure_ is fig
    with pytest.raises(ValueError, match="max_display"):
        disp.plot(max_display=0)


def test_beeswarm_points_are_the_attributions(linear_case):
    X, _, _, exp = linear_case
    disp = BeeswarmDisplay.from_explanation(exp, max_display=4)
    phi = exp.target_values
    assert len(disp.collections_) == 4
    for coll, j in zip(disp.collections_, disp.order_, strict=True):
        offsets = coll.get_offsets()
        np.testing.assert_allclose(offsets[:, 0], phi[:, j])
    # Colour follows the feature's value: the highest x0 is the reddest point of row x0.
    first = disp.collections_[0]
    rgba = first.get_facecolors()
    hi = np.argmax(exp.data[:, disp.order_[0]])
    lo = np.argmin(exp.data[:, disp.order_[0]])
    assert rgba[hi, 0] > rgba[lo, 0] and rgba[hi, 2] < rgba[lo, 2]
    assert disp.colorbar_ is not None


def test_waterfall_ends_at_the_prediction(linear_case):
    X, model, explainer, exp = linear_case
    for index in (0, 3):
        disp = WaterfallDisplay.from_explanation(exp, index=index, max_display=3)
        pred = model.predict(X[index : index + 1])[0]
        assert disp.ends_[-1] == pytest.approx(pred)
        assert disp.prediction_ == pytest.approx(pred)
        # Each bar starts where the previous one ended, from the base value.
        starts = [p.get_x() for p in disp.patches_]
        assert starts[0] == pytest.approx(explainer.expected_value_[0])
        np.testing.assert_allclose(np.array(starts[1:]) + [p.get_width() for p in disp.patches_[1:]], disp.ends_[1:])
        assert len(disp.patches_) == 4  # 3 features + grouped remainder
    disp = WaterfallDisplay.from_explainer(explainer, X, index=7)
    assert disp.ends_[-1] == pytest.approx(model.predict(X[7:8])[0])


def test_waterfall_needs_base_values_and_valid_index():
    exp = Explanation(np.ones((2, 3)))
    with pytest.raises(ValueError, match="base values"):
        WaterfallDisplay.from_explanation(exp)
    exp = Explanation(np.ones((2, 3)), base_values=np.zeros(2))
    with pytest.raises(IndexError, match="out of range"):
        WaterfallDisplay.from_explanation(exp, index=5)


def test_waterfall_of_a_classifier_with_kernel_shap():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(80, 4))
    y = (X[:, 0] - X[:, 1] > 0).astype(int)
    model = LogisticRegression().fit(X, y)
    explainer = KernelShapExplainer(model, n_samples=16, max_background=20, random_state=0).fit(X)
    exp = explainer.explain(X[:3])
    disp = WaterfallDisplay.from_explanation(exp, index=2)
    assert disp.ends_[-1] == pytest.approx(model.predict_proba(X[2:3])[0, 1])
    # Another output by name: the waterfall of class 0 ends at P(class 0).
    disp0 = WaterfallDisplay.from_explanation(exp, index=2, output=0)
    assert disp0.ends_[-1] == pytest.approx(model.predict_proba(X[2:3])[0, 0])
    with pytest.raises(ValueError, match="not an output"):
        WaterfallDisplay.from_explanation(exp, output="nope")


def test_force_blocks_span_base_to_prediction(linear_case):
    X, model, _, exp = linear_case
    # a row with positive and negative attributions (row 1's only positive one was x4's
    # rounding residue, coefficient 0, whose sign the arithmetic decides)
    i = int(np.flatnonzero((exp.target_values.max(axis=1) > 0.1) & (exp.target_values.min(axis=1) < -0.1))[0])
    disp = ForceDisplay.from_explanation(exp, index=i)
    phi = exp.target_values[i]
    pos = sum(np.ptp(np.asarray(p.get_xy())[:, 0]) for p in disp.pos_patches_)
    neg = sum(np.ptp(np.asarray(p.get_xy())[:, 0]) for p in disp.neg_patches_)
    assert pos == pytest.approx(phi[phi > 0].sum())
    assert neg == pytest.approx(-phi[phi < 0].sum())
    assert disp.prediction_ == pytest.approx(model.predict(X[i : i + 1])[0])
    # The largest positive block touches the prediction.
    first = np.asarray(disp.pos_patches_[0].get_xy())[:, 0]
    assert first.max() == pytest.approx(disp.prediction_)
    assert disp.pos_features_[0] == int(np.argmax(np.where(phi > 0, phi, -np.inf)))


def test_dependence_scatter_and_interaction():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 3))
    # Attribution of x0 depends on x2 (an interaction), not on x1.
    phi = np.column_stack([X[:, 0] * (1 + 2 * (X[:, 2] > 0)), X[:, 1], 0.1 * X[:, 2]])
    exp = Explanation(phi, data=X, feature_names=["a", "b", "c"])
    disp = DependenceDisplay.from_explanation(exp, "a")
    np.testing.assert_allclose(disp.scatter_.get_offsets(), np.column_stack([X[:, 0], phi[:, 0]]))
    assert disp.color_name == "c"
    disp = DependenceDisplay.from_explanation(exp, 1, color=None)
    assert disp.colorbar_ is None
    with pytest.raises(ValueError, match="not a feature"):
        DependenceDisplay.from_explanation(exp, "zzz")


def test_image_heatmaps():
    rng = np.random.RandomState(0)
    attr = rng.normal(size=(2, 3, 6, 5))
    img = rng.uniform(size=(2, 3, 6, 5))
    exp = Explanation(attr, data=img)
    d = ImageAttributionDisplay.from_explanation(exp, index=1, mode="abs_max")
    np.testing.assert_allclose(d.heatmap_, np.abs(attr[1]).max(axis=0))
    np.testing.assert_allclose(d.image_.get_array(), np.abs(attr[1]).max(axis=0))
    d = ImageAttributionDisplay.from_explanation(exp, index=0, mode="signed")
    lo, hi = d.image_.get_clim()
    assert lo == pytest.approx(-hi)  # a diverging scale centred on zero
    np.testing.assert_allclose(d.heatmap_, attr[0].sum(axis=0))
    d = ImageAttributionDisplay.from_explanation(exp, mode="split")
    assert len(d.axes_) == 3
    np.testing.assert_allclose(d.heatmap_, np.clip(attr[0].sum(0), 0, None))
    np.testing.assert_allclose(d.negative_, np.clip(-attr[0].sum(0), 0, None))
    # Channels-last input is read the same way.
    exp_hwc = Explanation(np.moveaxis(attr, 1, -1))
    d = ImageAttributionDisplay.from_explanation(exp_hwc, index=1, mode="abs_max")
    np.testing.assert_allclose(d.heatmap_, np.abs(attr[1]).max(axis=0))
    with pytest.raises(ValueError, match="mode"):
        ImageAttributionDisplay.from_explanation(exp, mode="bad")
    with pytest.raises(ValueError, match="image attributions"):
        ImageAttributionDisplay.from_explanation(Explanation(np.ones((2, 3))))


def test_upsample_matches_torch_bilinear():
    torch = pytest.importorskip("torch")
    rng = np.random.RandomState(0)
    maps = rng.normal(size=(3, 4, 5))
    ours = upsample_bilinear(maps, (13, 9))
    ref = torch.nn.functional.interpolate(
        torch.tensor(maps)[:, None], size=(13, 9), mode="bilinear", align_corners=False
    )[:, 0].numpy()
    np.testing.assert_allclose(ours, ref, atol=1e-12)


def test_cam_overlay_is_upscaled_map():
    rng = np.random.RandomState(0)
    maps = rng.uniform(size=(2, 4, 4))
    images = rng.uniform(size=(2, 1, 16, 16))
    disp = CamDisplay.from_explanation(Explanation(maps, data=images), index=1)
    assert disp.heatmap_.shape == (16, 16)
    np.testing.assert_allclose(disp.heatmap_, upsample_bilinear(maps[1], (16, 16)))
    np.testing.assert_allclose(disp.image_.get_array(), disp.heatmap_)
    with pytest.raises(ValueError, match=r"\(n, h, w\)"):
        CamDisplay.from_explanation(Explanation(np.ones((2, 3))))


def _text_explanation():
    docs = ["A truly great film, great cast.", "Dull and slow."]
    tokens = [["A", "truly", "great", "film", "great", "cast"], ["Dull", "and", "slow"]]
    values = [np.array([0.0, 0.1, 0.6, 0.05, 0.6, 0.2]), np.array([-0.7, 0.0, -0.3])]
    return Explanation(values, data=docs, tokens=tokens, method="LimeTextExplainer")


def test_text_html_colours_words():
    html = text_html(_text_explanation())
    assert html.count('class="skxai-w"') == 9
    assert 'data-weight="0.6"' in html and 'data-weight="-0.7"' in html
    assert "rgba(214,39,40" in html and "rgba(31,119,180" in html
    # Punctuation and spacing of the document are kept.
    assert "film</span>, <span" in html
    assert html == explanation_html(_text_explanation())


def test_text_display_matplotlib():
    exp = Explanation(
        [np.array([0.0, 1.0, 0.0])],
        data=["a great film"],
        tokens=[["a", "great", "film"]],
        anchor=[("great",)],
        token_positions=[[1]],
        precision=np.array([0.97]),
        coverage=np.array([0.1]),
    )
    disp = TextHighlightDisplay.from_explanation(exp)
    assert [t.get_text() for t in disp.texts_] == ["a", "great", "film"]
    assert [t.get_text() for t in disp.anchor_texts_] == ["great"]
    assert disp.anchor_texts_[0].get_fontweight() == "bold"
    html = disp.to_html()
    assert 'skxai-anchor">great<' in html and "precision 0.970" in html
    # An anchor's 0/1 indicator is not shown as a weight.
    assert "data-weight" not in html


def test_anchor_search_plane():
    cands = [
        {"anchor": (), "size": 0, "precision": 0.7, "precision_lower": 0.6, "precision_upper": 0.8},
        {"anchor": ("bad",), "size": 1, "precision": 0.8},
        {"anchor": ("great",), "size": 1, "precision": 0.97},
        {"anchor": ("great", "film"), "size": 2, "precision": 0.99},
    ]
    exp = Explanation(
        np.empty(1, dtype=object),
        data=["a great film"],
        anchor=[("great",)],
        precision=np.array([0.97]),
        coverage=np.array([0.3]),
        candidates=[cands],
    )
    with pytest.raises(ValueError, match="threshold"):
        AnchorSearchDisplay.from_explanation(exp)
    disp = AnchorSearchDisplay.from_explanation(exp, threshold=0.95)
    offsets = disp.scatter_.get_offsets()
    np.testing.assert_allclose(offsets[:, 1], [0.7, 0.8, 0.97, 0.99])
    np.testing.assert_allclose(np.round(offsets[:, 0]), [0, 1, 1, 2])
    assert disp.threshold_line_.get_ydata()[0] == 0.95
    star = disp.selected_marker_.get_offsets()[0]
    assert star[1] == pytest.approx(0.97) and round(star[0]) == 1
    # The empty anchor's lower bound (0.6) is under the axis (0.65): the legend says it is cut.
    assert disp.ax_.get_ylim()[0] == pytest.approx(0.65)
    labels = disp.ax_.get_legend_handles_labels()[1]
    assert "confidence bounds (cut at the axis)" in labels
    cands[0]["precision_lower"] = 0.66
    labels = AnchorSearchDisplay.from_explanation(exp, threshold=0.95).ax_.get_legend_handles_labels()[1]
    assert "confidence bounds" in labels
    with pytest.raises(ValueError, match="candidates"):
        AnchorSearchDisplay.from_explanation(Explanation([None], data=["x"]), threshold=0.9)


def test_text_displays_refuse_a_document_without_its_axis():
    # exp[i] drops the document axis (as shap's sv[i] does); the displays read per-document
    # fields and used to fail with "could not convert string to float: 'n'" (the anchor's first
    # word read as a document's list of words) or "'int' object is not iterable".
    cands = [{"anchor": ("great",), "size": 1, "precision": 0.97}]
    exp = Explanation(
        [np.array([0.5, -0.2])],
        data=["great plot"],
        tokens=[["great", "plot"]],
        anchor=[("great",)],
        precision=np.array([0.97]),
        coverage=np.array([0.3]),
        candidates=[cands],
    )
    one = exp[0]
    for draw in (
        lambda e: AnchorSearchDisplay.from_explanation(e, threshold=0.95),
        TextHighlightDisplay.from_explanation,
        text_html,
    ):
        with pytest.raises(ValueError, match=r"document axis.*exp\[i:i \+ 1\]"):
            draw(one)
        draw(exp[0:1])


def test_anchor_displays_on_real_anchors():
    pytest.importorskip("skxai.anchors")
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline

    from skxai import AnchorTextExplainer

    docs = ["good fun film", "bad boring film", "good acting", "bad plot", "really good", "really bad"] * 5
    y = [1, 0, 1, 0, 1, 0] * 5
    model = make_pipeline(TfidfVectorizer(), LogisticRegression(C=10)).fit(docs, y)
    ex = AnchorTextExplainer(model, random_state=0).fit(docs)
    exp = ex.explain(["a good fun film with a plot"])
    disp = AnchorSearchDisplay.from_explanation(exp, threshold=ex.threshold)
    assert len(disp.scatter_.get_offsets()) == len(exp.candidates[0])
    text = TextHighlightDisplay.from_explanation(exp)
    assert [t.get_text() for t in text.anchor_texts_] == [exp.tokens[0][p] for p in exp.token_positions[0]]


def test_sigma_sweep():
    maps = [np.full((1, 4, 4), s) * np.arange(16).reshape(1, 4, 4) for s in (1.0, 2.0, 3.0)]
    disp = SigmaSweepDisplay(maps, [0.1, 0.2, 0.3], image=np.zeros((1, 4, 4))).plot()
    assert len(disp.axes_) == 4 and len(disp.heatmaps_) == 3
    np.testing.assert_allclose(disp.heatmaps_[2], 3.0 * np.arange(16).reshape(4, 4))
    assert disp.axes_[2].get_title().splitlines()[0] == "sigma = 0.2"


def test_sigma_sweep_from_smoothgrad():
    torch = pytest.importorskip("torch")
    try:
        from skxai import SmoothGradExplainer
    except (ImportError, AttributeError):
        pytest.skip("SmoothGradExplainer is not available")
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 2, 3, padding=1), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(2 * 6 * 6, 3)
    )
    X = np.random.RandomState(0).normal(size=(4, 1, 6, 6)).astype(np.float32)
    explainer = SmoothGradExplainer(net, n_samples=4, random_state=0, target=0)
    disp = SigmaSweepDisplay.from_explainer(explainer, X, [0.0001, 0.5], index=1)
    assert len(disp.heatmaps_) == 2 and disp.heatmaps_[0].shape == (6, 6)
    assert not np.allclose(disp.heatmaps_[0], disp.heatmaps_[1])
    assert explainer.get_params()["sigma"] == 0.15  # the explainer passed is untouched


def test_explanation_html_table(linear_case):
    html = explanation_html(linear_case[3])
    assert html.count("<tr>") == 11  # header + 10 rows
    assert "more rows" in html and "x0" in html
    img = explanation_html(Explanation(np.ones((2, 1, 3, 3))))
    assert "shape (1, 3, 3)" in img
    assert img.count('src="data:image/png;base64,') == 1


def test_tabular_display_rejects_images():
    with pytest.raises(ValueError, match="tabular"):
        BarDisplay.from_explanation(Explanation(np.ones((2, 1, 3, 3))))
    with pytest.raises(TypeError, match="explainer"):
        BarDisplay.from_explainer(object(), np.ones((2, 2)))


def test_import_does_not_load_matplotlib():
    code = "import sys, skxai, skxai.plot, skxai.report; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_text_displays_on_real_lime_and_anchors():
    pytest.importorskip("skxai.anchors")
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline

    import skxai

    try:
        LimeText = skxai.LimeTextExplainer
    except (ImportError, AttributeError):
        pytest.skip("LimeTextExplainer is not available")
    docs = ["good fun film", "bad boring film", "good acting", "bad plot", "really good", "really bad"] * 5
    y = [1, 0, 1, 0, 1, 0] * 5
    model = make_pipeline(TfidfVectorizer(), LogisticRegression(C=10)).fit(docs, y)
    lime = LimeText(model, random_state=0).fit(docs)
    doc = "a good fun film, with a bad plot!"
    disp = TextHighlightDisplay.from_explainer(lime, [doc])
    exp = lime.explain([doc])
    weights = dict(zip(exp.tokens[0], exp.values[0], strict=True))
    assert weights["good"] > 0 > weights["bad"]
    html = disp.to_html()
    # Every token is a span carrying its LIME weight, and the punctuation of the document is kept.
    for tok in ("good", "bad", "plot"):
        assert f'data-weight="{weights[tok]:.6g}">{tok}</span>' in html
    assert "film</span>, <span" in html and "plot</span>!" in html
    anchors = skxai.AnchorTextExplainer(model, random_state=0).fit(docs)
    search = AnchorSearchDisplay.from_explainer(anchors, [doc])
    assert search.threshold == anchors.threshold


def test_a_single_remaining_feature_is_named_in_the_singular():
    from skxai.plot import BarDisplay, BeeswarmDisplay, WaterfallDisplay

    rng = np.random.RandomState(0)
    values, data = rng.normal(size=(20, 4)), rng.normal(size=(20, 4))
    names = ["a", "b", "c", "d"]
    exp = Explanation(values, base_values=np.zeros(20), data=data, feature_names=names)
    bar = BarDisplay.from_explanation(exp, max_display=3)
    assert bar.ax_.get_yticklabels()[-1].get_text() == "sum of 1 other feature"
    bees = BeeswarmDisplay.from_explanation(exp, max_display=3)
    assert "(1 other feature not shown)" in " ".join(bees.ax_.get_xlabel().split())
    water = WaterfallDisplay.from_explanation(exp, index=0, max_display=3)
    assert "1 other feature" in [t.get_text() for t in water.ax_.get_yticklabels()]
    plt.close("all")


def test_large_ticks_group_thousands_like_the_labels_beside_them():
    from skxai.plot import WaterfallDisplay

    rng = np.random.RandomState(0)
    values = rng.normal(scale=20000, size=(3, 4))
    exp = Explanation(
        values, base_values=np.full(3, 250000.0), data=rng.normal(size=(3, 4)), feature_names=list("abcd")
    )
    disp = WaterfallDisplay.from_explanation(exp, index=0)
    disp.figure_.canvas.draw()
    ticks = [t.get_text() for t in disp.ax_.get_xticklabels() if t.get_text()]
    # "f(x) = 243,475.6" beside ticks "240000": now "240,000"
    assert ticks and all("," in t for t in ticks), ticks
    plt.close("all")


def test_a_one_row_beeswarm_keeps_a_readable_colour_bar():
    from skxai.plot import BeeswarmDisplay

    rng = np.random.RandomState(0)
    exp = Explanation(rng.normal(size=(30, 1)), data=rng.normal(size=(30, 1)), feature_names=["only"])
    disp = BeeswarmDisplay.from_explanation(exp)
    disp.figure_.canvas.draw()
    bar = disp.colorbar_.ax.get_window_extent()
    # aspect 40 drew a hairline of a bar with its "feature value" label taller than itself
    assert bar.width >= bar.height / 12
    assert disp.colorbar_.ax.get_title() == "feature value"
    plt.close("all")


def test_decimal_ticks_beside_large_values_are_grouped_too():
    from skxai.plot import WaterfallDisplay

    exp = Explanation(np.array([[0.3, -0.2, 0.4]]), base_values=np.array([123456.1]), feature_names=list("abc"))
    disp = WaterfallDisplay.from_explanation(exp, index=0)
    disp.figure_.canvas.draw()
    ticks = [t.get_text() for t in disp.ax_.get_xticklabels() if t.get_text()]
    # only the whole-number tick was grouped: '123455.8', '123,456.0', '123456.2'
    assert ticks and all(t.startswith("123,45") for t in ticks), ticks
    plt.close("all")
