"""Displays read explanations with a sample axis: ``exp[i]`` of an image was drawn as its
channel 0 under the title "sum over channels", a CAM map as a table of 12 samples; a text
explanation failed with numpy's "setting an array element with a sequence"; a report key that
named no section was ignored (an outside audit)."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
torch = pytest.importorskip("torch")

import matplotlib.pyplot as plt  # noqa: E402

import skxai  # noqa: E402
from skxai.plot import (  # noqa: E402
    BarDisplay,
    BeeswarmDisplay,
    CamDisplay,
    ImageAttributionDisplay,
    SigmaSweepDisplay,
)


@pytest.fixture(scope="module")
def net_and_images():
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(),
        torch.nn.Linear(4, 2),
    ).eval()  # fmt: skip
    return net, torch.rand(4, 3, 12, 10)


def test_a_single_image_slice_is_refused_and_the_index_form_draws_the_channel_sum(net_and_images):
    net, X = net_and_images
    exp = skxai.IntegratedGradientsExplainer(net, n_steps=4).fit(X).explain(X)
    disp = ImageAttributionDisplay.from_explanation(exp, index=0)
    np.testing.assert_allclose(disp.heatmap_, exp.values[0].sum(axis=0))
    with pytest.raises(ValueError, match=r"sample axis; exp\[i\] drops it"):
        ImageAttributionDisplay.from_explanation(exp[0])
    with pytest.raises(ValueError, match="sample axis"):
        SigmaSweepDisplay.from_explanations([exp[0], exp[0]], [0.1, 0.2])
    ImageAttributionDisplay.from_explanation(exp[0:1])  # a one-image slice keeps the axis
    plt.close("all")


@pytest.mark.parametrize("display", [BarDisplay, BeeswarmDisplay, CamDisplay])
def test_a_single_map_slice_is_not_a_table(net_and_images, display):
    net, X = net_and_images
    exp = skxai.GradCamExplainer(net, target_layer="1").fit(X).explain(X)
    with pytest.raises(ValueError, match="sample axis") as info:
        display.from_explanation(exp[0])
    # only the displays of one sample of many take index=i
    assert ("index=i" in str(info.value)) == (display is CamDisplay)
    plt.close("all")


def test_text_explanations_point_to_the_text_display():
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    docs = ["great fun film", "awful dull plot", "great acting", "dull film"] * 5
    model = make_pipeline(CountVectorizer(), LogisticRegression()).fit(docs, [1, 0, 1, 0] * 5)
    exp = skxai.LimeTextExplainer(model, n_samples=50, random_state=0).fit(docs).explain(docs[:3])
    for display in (BarDisplay, BeeswarmDisplay, ImageAttributionDisplay, CamDisplay):
        with pytest.raises(ValueError, match="one array of values per document.*TextHighlightDisplay"):
            display.from_explanation(exp[[1, 0]])
    plt.close("all")


def test_a_report_key_naming_no_section_is_an_error():
    from sklearn.linear_model import LinearRegression

    from skxai.report import make_report

    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 3))
    ex = skxai.KernelShapExplainer(LinearRegression().fit(X, X @ [1.0, 2.0, 0.0]), random_state=0).fit(X)
    with pytest.raises(ValueError, match=r"keys \['kernel'\] that name no explainer.*KernelShapExplainer"):
        make_report(ex, X[:5], explanations={"kernel": ex.explain(X[:5])}, metrics=False)
