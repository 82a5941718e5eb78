"""Audit 37: reports and notebook views of explanations with several outputs and none picked,
a CAM at the input's own resolution, and a view that cannot be drawn."""

import re

import numpy as np
import pytest
from sklearn.tree import DecisionTreeRegressor

pytest.importorskip("matplotlib")
pytest.importorskip("jinja2")

from skxai import ImageShapleyExplainer, TreeShapExplainer  # noqa: E402
from skxai.plot import explanation_html  # noqa: E402
from skxai.report import make_report  # noqa: E402

_W = np.random.RandomState(0).randn(64, 3)


def _softmax_of_pixels(a):
    z = np.asarray(a, dtype=float).reshape(len(a), -1) @ _W
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def _image_explainer():
    X = np.random.RandomState(1).rand(12, 1, 8, 8)
    return ImageShapleyExplainer(_softmax_of_pixels, image_shape=(1, 8, 8), n_segments=4, random_state=0).fit(X), X


def test_an_image_explanation_of_every_output_is_reported_output_by_output():
    # target=None explains the 3 outputs: the report raised outside the section's guard and lost
    # every section
    ex, X = _image_explainer()
    report = make_report({"shap": ex}, X[:3], n_local=1, metrics=False, output_names=["a", "b", "c"])
    assert "Explaining failed" not in report.html and "Drawing the explanation failed" not in report.html
    for name in "abc":
        assert f"<h3>Output {name}</h3>" in report.html
    assert "explanation holds 3 outputs and names none" in report.html


def test_a_view_that_cannot_be_drawn_is_a_note_and_the_other_sections_stay(monkeypatch):
    from skxai.report import _sections

    def broken(*args, **kwargs):
        raise RuntimeError("cannot draw this")

    monkeypatch.setattr(_sections, "image_views", broken)
    ex, images = _image_explainer()
    failures = []
    html = _sections.explainer_section(
        "shap", ex, images[:2], n_local=1, metric_names=None, n_metric_samples=2, dpi=50, figures=[],
        failures=failures,
    )[0]  # fmt: skip
    assert "Drawing the explanation failed: RuntimeError: cannot draw this" in html
    assert failures == [("shap", "RuntimeError: cannot draw this")]


def test_a_cam_at_the_inputs_own_resolution_is_not_said_to_be_upscaled():
    torch = pytest.importorskip("torch")
    from skxai import GradCamExplainer
    from skxai.plot import CamDisplay

    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.Conv2d(4, 4, 3, padding=1), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(4, 3),
    ).eval()  # fmt: skip
    X = np.random.RandomState(0).rand(2, 1, 16, 16).astype(np.float32)
    for layer, size_line in (("2", None), ("4", "(map 8x8 -> 16x16)")):
        ex = GradCamExplainer(net, target_layer=layer).fit(X)
        title = CamDisplay.from_explanation(ex.explain(X), index=0).ax_.get_title()
        html = make_report(ex, X, n_local=1, metrics=False).html
        if size_line is None:  # was "(map 16x16 -> 16x16)", "upscaled bilinearly over the image"
            assert "->" not in title and "upscaled" not in html and re.search(r"map for the [^<]* over the image", html)
        else:
            assert size_line in title and "upscaled bilinearly over the image" in html


@pytest.mark.parametrize("kind", ["tabular", "image"])
def test_the_notebook_view_of_every_output_shows_each_in_turn(kind):
    if kind == "tabular":
        X = np.random.RandomState(0).normal(size=(30, 4))
        model = DecisionTreeRegressor(max_depth=3, random_state=0).fit(X, np.c_[X[:, 0], X[:, 1] ** 2])
        exp = TreeShapExplainer(model).fit(X).explain(X[:3])
        piece = "<table"
    else:
        ex, X = _image_explainer()
        exp = ex.explain(X[:2])
        piece = "<img"
    html = explanation_html(exp)
    k = exp.values.shape[-1]
    assert "<pre>" not in html  # a raw repr, without a word of why
    assert f"explanation of {k} outputs, none named the explained one" in html
    assert len(re.findall(r"<h4>Output \d</h4>", html)) == k
    assert html.count(piece) >= k
    assert exp._repr_html_() == html
    one = explanation_html(exp[0])  # one sample: (features, outputs) or (*image, outputs)
    assert "<pre>" not in one and len(re.findall(r"<h4>Output \d</h4>", one)) == k
