"""What the pictures say (issue 15): quantity and class in every panel, surrogates labelled as such,
human numbers, readable layouts, text as written, categories greyed, error bars from ``std``,
Pipelines accepted, and user strings escaped."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.linear_model import LinearRegression, LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import skxai  # noqa: E402
from skxai import Explanation  # noqa: E402
from skxai.plot import (  # noqa: E402
    BarDisplay,
    BeeswarmDisplay,
    CamDisplay,
    ForceDisplay,
    ImageAttributionDisplay,
    TextHighlightDisplay,
    WaterfallDisplay,
    text_html,
)
from skxai.plot._base import format_value  # noqa: E402


@pytest.fixture(scope="module")
def classifier():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 4))
    y = np.where(X[:, 0] - X[:, 1] > 0, "malignant", "benign")
    model = LogisticRegression().fit(X, y)
    return X, model


def _texts(ax):
    return [t.get_text() for t in ax.texts] + [ax.get_title(), ax.get_xlabel()]


@pytest.mark.parametrize("value,text", [
    (1.11e-16, "0"), (-4.63e-13, "0"), (23000.0, "23,000"), (0.5, "0.5"), (1234567.0, "1,234,567"),
    (0.00234, "0.00234"), (-12.3456, "-12.3"), (150.25, "150.2"), (0.0, "0"),
])
def test_numbers_are_human(value, text):
    assert format_value(value) == text


def test_residue_relative_to_the_scale_prints_zero():
    # 1e-7 next to values of size 1e3 is a rounding residue; alone it is a number.
    assert format_value(1e-7, scale=1e3) == "0"
    assert format_value(1e-7) == "0.0000001" and format_value(0.00012) == "0.00012"


def test_waterfall_names_quantity_and_class_and_model_output(classifier):
    X, model = classifier
    explainer = skxai.KernelShapExplainer(model, n_samples=64, max_background=20, random_state=0).fit(X)
    disp = WaterfallDisplay.from_explainer(explainer, X, index=1)
    texts = " ".join(_texts(disp.ax_))
    assert "probability of malignant" in texts and "KernelShapExplainer" in texts
    assert "f(x) = " in texts and "surrogate" not in texts
    # The title is wrapped, never longer than 60 characters a line.
    assert all(len(line) <= 60 for line in disp.ax_.get_title().splitlines())
    # No exponent notation anywhere in the picture.
    assert "e-" not in texts and "e+" not in texts
    force = ForceDisplay.from_explainer(explainer, X, index=1)
    assert "probability of malignant" in force.ax_.get_xlabel()
    # An explanation that records its quantity is read as such.
    exp = Explanation(np.ones((1, 2, 2)), base_values=np.zeros((1, 2)), output_names=["a", "b"], output_axis=-1,
                      target_index=0, quantity="log-odds")
    assert "log-odds of a" in WaterfallDisplay.from_explanation(exp).ax_.get_xlabel()


def test_lime_is_labelled_as_a_surrogate(classifier):
    X, model = classifier
    lime = skxai.LimeExplainer(model, n_samples=300, max_background=20, random_state=0).fit(X)
    exp = lime.explain(X[:2])
    assert "model_outputs" in exp.extras
    disp = WaterfallDisplay.from_explanation(exp, index=0)
    texts = " ".join(_texts(disp.ax_))
    assert "surrogate g(x)" in texts and "surrogate intercept" in texts and "model f(x)" in texts
    assert "E[f(X)]" not in texts and "f(x) = " not in texts.replace("model f(x) = ", "").replace("g(x) = ", "")
    # The model's own output is the one written next to "model f(x)".
    p = model.predict_proba(X[:1])[0, list(model.classes_).index("malignant")]
    assert f"model f(x) = {format_value(p, max(abs(disp.attributions).max(), abs(disp.base_value)))}" in texts
    force = ForceDisplay.from_explanation(exp, index=0)
    assert "surrogate" in force.ax_.get_xlabel() and any("g(x)" in t for t in _texts(force.ax_))


def test_force_labels_do_not_overlap():
    rng = np.random.RandomState(0)
    phi = rng.normal(size=12)
    names = [f"a rather long feature name {j}" for j in range(12)]
    exp = Explanation(phi[None], base_values=np.array([0.0]), feature_names=names)
    disp = ForceDisplay.from_explanation(exp, min_label=0.0)
    fig = disp.figure_
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    # long names are cut with an ellipsis to the width of their block: found by their gid
    labels = [t for t in disp.ax_.texts if (t.get_gid() or "").startswith("force-label-")]
    assert labels and all(t.get_rotation() == 0 for t in labels)
    boxes = [t.get_window_extent(renderer) for t in labels]
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert not boxes[i].overlaps(boxes[j]), (labels[i].get_text(), labels[j].get_text())


def test_error_bars_come_from_the_explanation_std():
    phi = np.array([[[1.0], [-2.0], [0.5]], [[3.0], [0.0], [0.5]]])
    std = np.array([[[0.3], [0.4], [0.0]], [[0.4], [0.3], [0.0]]])
    exp = Explanation(phi, base_values=np.zeros((2, 1)), std=std, feature_names=["a", "b", "c"], output_axis=-1,
                      target_index=0)
    bar = BarDisplay.from_explanation(exp, error_bars=True)
    # Standard error of the mean of independent estimates: sqrt(sum std^2) / n.
    np.testing.assert_allclose(bar.std, [0.25, 0.25, 0.0])
    assert BarDisplay.from_explanation(exp).std is None
    water = WaterfallDisplay.from_explanation(exp, index=0, error_bars=True)
    caps = [c for c in water.ax_.containers if type(c).__name__ == "ErrorbarContainer"]
    widths = sorted(float(np.ptp(c.lines[2][0].get_segments()[0][:, 0])) / 2 for c in caps)
    np.testing.assert_allclose(widths, [0.0, 0.3, 0.4])
    with pytest.raises(ValueError, match="std"):
        BarDisplay.from_explanation(Explanation(phi[..., 0]), error_bars=True)


def test_error_bars_follow_the_predicted_class():
    # target_index="predicted" (a multi-class classifier's default): each sample draws its own
    # predicted class, and the error bars must be that class's errors, not a refusal.
    phi = np.arange(18.0).reshape(2, 3, 3) / 10
    std = np.arange(1.0, 19.0).reshape(2, 3, 3) / 100
    outputs = np.array([[0.1, 0.7, 0.2], [0.6, 0.3, 0.1]])  # predicted: class 1, then class 0
    exp = Explanation(phi, base_values=np.zeros((2, 3)), std=std, feature_names=["a", "b", "c"],
                      output_names=["x", "y", "z"], output_axis=-1, target_index="predicted", outputs=outputs)
    chosen = std[[0, 1], :, [1, 0]]
    bar = BarDisplay.from_explanation(exp, error_bars=True)
    np.testing.assert_allclose(bar.std, np.sqrt((chosen**2).sum(axis=0)) / 2)
    for index in (0, 1):
        water = WaterfallDisplay.from_explanation(exp, index=index, error_bars=True)
        np.testing.assert_allclose(water.attributions, phi[index, :, [1, 0][index]])
        np.testing.assert_allclose(water.std, chosen[index])
        caps = [c for c in water.ax_.containers if type(c).__name__ == "ErrorbarContainer"]
        widths = sorted(float(np.ptp(c.lines[2][0].get_segments()[0][:, 0])) / 2 for c in caps)
        np.testing.assert_allclose(widths, np.sort(chosen[index]))


def test_an_unknown_error_draws_no_bar_and_says_so():
    # an infinite standard error (a design with one sampled coalition pair): the picture still
    # renders, the known errors keep their bars, the unknown ones are written out, not drawn
    phi = np.array([[[1.0], [-2.0], [0.5]]])
    std = np.array([[[0.3], [np.inf], [0.1]]])
    exp = Explanation(phi, base_values=np.zeros((1, 1)), std=std, feature_names=["a", "b", "c"], output_axis=-1,
                      target_index=0)
    water = WaterfallDisplay.from_explanation(exp, index=0, error_bars=True)
    water.figure_.canvas.draw()
    caps = [c for c in water.ax_.containers if type(c).__name__ == "ErrorbarContainer"]
    widths = sorted(float(np.ptp(c.lines[2][0].get_segments()[0][:, 0])) / 2 for c in caps)
    np.testing.assert_allclose(widths, [0.1, 0.3])
    assert [t for t in _texts(water.ax_) if "error unknown" in t] == ["-2 (error unknown)"]
    assert np.isfinite(water.ax_.get_xlim()).all()
    bar = BarDisplay.from_explanation(exp, error_bars=True)
    bar.figure_.canvas.draw()
    assert [t for t in _texts(bar.ax_) if "error unknown" in t] == [" 2 (error unknown)"]
    assert np.isfinite(bar.ax_.get_xlim()).all()


def test_beeswarm_greys_string_categories():
    import pandas as pd

    rng = np.random.RandomState(0)
    data = pd.DataFrame({"x": rng.normal(size=30), "city": rng.choice(["lyon", "nice", "paris"], 30)})
    exp = Explanation(rng.normal(size=(30, 2)), data=data, feature_names=["x", "city"])
    disp = BeeswarmDisplay.from_explanation(exp)
    j_city = list(disp.order_).index(1)
    colours = disp.collections_[j_city].get_facecolors()
    np.testing.assert_allclose(colours[:, :3], 0.6)  # grey, whatever the category
    j_x = list(disp.order_).index(0)
    assert np.ptp(disp.collections_[j_x].get_facecolors()[:, 0]) > 0.3  # numbers keep the colour scale


def test_text_highlight_keeps_punctuation_and_a_proportional_font():
    doc = "Not bad, but the actors (mostly) try hard; it's fine."
    toks = ["Not", "bad", "but", "the", "actors", "mostly", "try", "hard", "it's", "fine"]
    exp = Explanation([np.linspace(-1, 1, len(toks))], data=[doc], tokens=[toks])
    disp = TextHighlightDisplay.from_explanation(exp)
    shown = [t.get_text() for t in disp.ax_.texts]
    assert shown == ["Not", "bad", ",", "but", "the", "actors", "(", "mostly", ")", "try", "hard", ";", "it's",
                     "fine", "."]
    assert all("monospace" not in t.get_fontfamily() for t in disp.ax_.texts)
    # Reading order: each unit starts right of the previous one on its line (or on a lower line).
    pos = [t.get_position() for t in disp.ax_.texts]
    assert all(b[1] < a[1] or b[0] > a[0] for a, b in zip(pos, pos[1:], strict=False))


def test_html_highlight_puts_no_space_before_punctuation():
    exp = Explanation([np.ones(5)], tokens=[["Good", "plot", ",", "really", "!"]])
    html = text_html(exp, style=False)
    import re

    assert "</span> <span" in html  # words are spaced
    assert re.search(r"plot</span><span[^>]*>,</span> <span", html) and re.search(r"</span><span[^>]*>!</span>", html)
    assert not re.search(r"</span> <span[^>]*>[,!]</span>", html)


def test_anchor_words_in_sentence_order():
    exp = Explanation([np.zeros(7)], data=["Not the worst film, but the actors try hard"],
                      tokens=[["Not", "the", "worst", "film", "but", "actors", "hard"]],
                      anchor=[["hard", "the", "Not", "actors"]])
    assert "anchor: <b>Not AND the AND actors AND hard</b>" in text_html(exp, style=False)


def test_class_names_in_text_labels():
    exp = Explanation([np.ones(2)], data=["great plot"], tokens=[["great", "plot"]], target=[1],
                      output_names=["negative", "positive"])
    html = text_html(exp, style=False)
    assert "weights explain &#x27;positive&#x27;" in html and "output 1" not in html


def test_cam_overlay_uses_a_uniform_colormap_with_transparency():
    cam = np.zeros((1, 4, 4))
    cam[0, 1, 1] = 1.0
    exp = Explanation(cam, data=np.ones((1, 1, 8, 8)), output_names=["cat", "dog"], target_index=1,
                      method="GradCAM")
    disp = CamDisplay.from_explanation(exp)
    assert disp.image_.get_cmap().name == "inferno"
    overlay = disp.ax_.images[-1].get_array()
    assert overlay.shape == (8, 8, 4)
    alpha = overlay[..., 3]
    # Opaque where the map is strongest, transparent where it is zero: the image shows through.
    assert alpha.max() == pytest.approx(0.85) and alpha.min() == 0.0
    # Where opaque, the colour is the colour bar's colour for that value.
    i, j = np.unravel_index(np.argmax(alpha), alpha.shape)
    expected = disp.image_.to_rgba(disp.heatmap_[i, j])
    np.testing.assert_allclose(overlay[i, j, :3], expected[:3], atol=1e-6)
    assert "dog" in disp.ax_.get_title()
    img = ImageAttributionDisplay.from_explanation(
        Explanation(np.random.RandomState(0).normal(size=(1, 3, 8, 8)), data=np.ones((1, 3, 8, 8))),
        mode="abs_max")
    assert img.image_.get_cmap().name == "inferno"


@pytest.mark.parametrize("display", [BarDisplay, BeeswarmDisplay, WaterfallDisplay, ForceDisplay])
def test_displays_accept_a_pipeline_ending_in_an_explainer(display):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 3)) * [1.0, 10.0, 100.0]
    model = LinearRegression().fit(X, X @ [1.0, 0.2, 0.03])
    # The explainer's model expects raw rows; the Pipeline scales them first, so undo that inside.
    scaler = StandardScaler().fit(X)
    inner = make_pipeline(_Unscale(scaler), model)
    pipe = make_pipeline(scaler, skxai.ExactShapleyExplainer(inner, max_background=20)).fit(X)
    disp = display.from_explainer(pipe, X[:10])
    ref = skxai.explain(pipe, X[:10]).target_values
    if display is WaterfallDisplay:
        assert disp.ends_[-1] == pytest.approx(ref[0].sum() + skxai.explain(pipe, X[:1]).target_base_values[0])
    elif display is BarDisplay:
        np.testing.assert_allclose(disp.importances, np.abs(ref).mean(axis=0))
    with pytest.raises(TypeError, match="Pipeline ending in one"):
        display.from_explainer(make_pipeline(StandardScaler(), LinearRegression()).fit(X, X[:, 0]), X)


class _Unscale:
    def __init__(self, scaler):
        self.scaler = scaler

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return self.scaler.inverse_transform(X)

    def get_params(self, deep=True):
        return {"scaler": self.scaler}

    def set_params(self, **params):
        return self


MARKUP = '<script>alert("x")</script><b>bold</b>&amp;'


def test_user_strings_are_escaped_in_html_displays():
    from skxai.plot import explanation_html

    exp = Explanation([np.array([0.5, -0.2])], data=[f"great {MARKUP} plot"], tokens=[["great", MARKUP]],
                      anchor=[[MARKUP]], output_names=["neg", MARKUP], target=[1], method=MARKUP)
    for html in (text_html(exp), TextHighlightDisplay.from_explanation(exp).to_html()):
        assert "<script>" not in html and "<b>bold</b>" not in html
        assert "&lt;script&gt;" in html
    tab = Explanation(np.ones((2, 2, 1)), base_values=np.zeros((2, 1)), data=np.ones((2, 2)),
                      feature_names=[MARKUP, "b"], output_names=[MARKUP], output_axis=-1, target_index=0,
                      method=MARKUP)
    html = explanation_html(tab)
    assert "<script>" not in html and "<b>bold</b>" not in html and "&lt;script&gt;" in html


def test_bar_remainder_carries_the_error_of_what_it_sums():
    # the "sum of other features" bar summed estimates with errors but drew an error of 0
    phi = np.array([[[3.0], [2.0], [1.0], [0.5]]])
    for std, expected in ((np.array([[[0.1], [0.2], [0.3], [0.4]]]), 0.5), (np.array([[[0.1], [0.2], [np.inf], [0.4]]]),
                                                                            np.inf)):
        exp = Explanation(phi, base_values=np.zeros((1, 1)), std=std, feature_names=["a", "b", "c", "d"],
                          output_axis=-1, target_index=0)
        bar = BarDisplay.from_explanation(exp, error_bars=True, max_display=2)
        bar.figure_.canvas.draw()
        if np.isfinite(expected):
            segments = bar.bars_.errorbar.lines[2][0].get_segments()
            widths = [float(np.ptp(seg[:, 0])) / 2 for seg in segments]
            np.testing.assert_allclose(widths, [0.1, 0.2, expected])
            assert not [t for t in _texts(bar.ax_) if "error unknown" in t]
        else:
            assert [t for t in _texts(bar.ax_) if "error unknown" in t] == [" 1.5 (error unknown)"]
        plt.close("all")
