"""Displays and the report on explanations cut to one output, some samples or some features."""

import re

import matplotlib
import numpy as np
import pytest
from sklearn.datasets import load_wine
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression

import skxai
from skxai.plot import BarDisplay, BeeswarmDisplay, DependenceDisplay, ForceDisplay, WaterfallDisplay
from skxai.report import make_report

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def wine():
    X, y = load_wine(return_X_y=True, as_frame=True)
    X = X.iloc[:, :4]
    model = LogisticRegression(max_iter=5000).fit(X, y)  # classes 0, 1, 2: integer output names
    ex = skxai.ExactShapleyExplainer(FrozenEstimator(model), max_background=10).fit(X)
    Xs = X.iloc[[0, 1, 60, 61, 130, 131]]
    return ex, Xs, ex.explain(Xs)


@pytest.mark.parametrize("key", [(slice(None), slice(None), 1), (slice(None), slice(None), "1")], ids=["index", "name"])
def test_displays_of_one_output_name_the_class(wine, key):
    import matplotlib.pyplot as plt

    _, _, exp = wine
    one = exp[key]
    assert one.output_names == 1 and one.output_axis is None
    for draw in (lambda: BarDisplay.from_explanation(one), lambda: BeeswarmDisplay.from_explanation(one),
                 lambda: WaterfallDisplay.from_explanation(one, index=2),
                 lambda: ForceDisplay.from_explanation(one, index=2),
                 lambda: DependenceDisplay.from_explanation(one, 0),
                 lambda: WaterfallDisplay.from_explanation(exp[2, :, 1])):
        disp = draw()
        texts = " ".join(t.get_text() for t in disp.figure_.findobj(matplotlib.text.Text))
        assert "probability of class 1" in texts, texts
        plt.close(disp.figure_)


def test_displays_of_one_named_output_keep_its_name():
    from skxai import Explanation
    from skxai.plot._base import output_label

    exp = Explanation(np.ones((2, 3, 2)), base_values=np.zeros((2, 2)), output_names=["no", "yes"], output_axis=-1,
                      target_index="predicted", outputs=np.array([[0.2, 0.8], [0.9, 0.1]]), quantity="probability")
    assert output_label(exp[:, :, "yes"]) == "probability of yes"
    assert output_label(exp[0, :, 0]) == "probability of no"


def test_force_strip_of_one_sample_as_the_waterfall_takes_it(wine):
    import matplotlib.pyplot as plt

    _, _, exp = wine
    one = ForceDisplay.from_explanation(exp[2])
    whole = ForceDisplay.from_explanation(exp, index=2)
    np.testing.assert_array_equal(one.attributions, whole.attributions)
    assert one.base_value == whole.base_value and one.model_output == whole.model_output
    np.testing.assert_array_equal(ForceDisplay.from_explanation(exp[3, :, 0]).attributions, exp.values[3, :, 0])
    plt.close("all")


def test_an_output_name_two_outputs_share_is_refused():
    from skxai import Explanation

    exp = Explanation(np.arange(12.0).reshape(2, 3, 2), base_values=np.zeros((2, 2)), feature_names=list("abc"),
                      output_names=["yes", "yes"], output_axis=-1, target_index=0)
    with pytest.raises(ValueError, match=r"output='yes' names the outputs at positions \[0, 1\]"):
        BarDisplay.from_explanation(exp, output="yes")


def _text(report):
    import html

    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", report.html.split("</style>")[-1])))


def test_report_of_an_explanation_cut_to_one_output(wine):
    ex, Xs, exp = wine
    report = make_report({"ex": ex}, Xs, explanations={"ex": exp[:, :, 2]}, n_local=1,
                         metrics=["deletion_auc"], dpi=30)
    text = _text(report)
    assert "outputs 0, 1, 2" in text and "explained output 2 (picked from the explanation)" in text
    assert "Explaining failed" not in text
    # the metrics perturb the predicted class, not class 2: no number pairs the two
    assert re.search(r"deletion_auc — not applicable The explanation was cut to output '2'", text), text
    # a class every sample is explained for keeps its metrics
    same = make_report({"ex": ex}, Xs.iloc[:2], explanations={"ex": exp[:2, :, 0]}, n_local=1,
                       metrics=["deletion_auc"], dpi=30)
    assert re.search(r"deletion_auc -?\d", _text(same)), _text(same)


@pytest.mark.parametrize("key, message", [
    (slice(0, 4), r"holds 4 samples, but X\[:max_samples\] holds 6"),
    (0, "holds a single sample without its sample axis"),
    ((slice(None), slice(None), [1, 2]), "removed the explained output"),
])
def test_report_refuses_an_explanation_that_is_not_of_its_samples(wine, key, message):
    ex, Xs, exp = wine
    report = make_report({"ex": ex}, Xs, explanations={"ex": exp[key]}, n_local=1, metrics=False, dpi=30)
    assert re.search("Explaining failed: ValueError: .*" + message, _text(report))


def test_report_refuses_a_crop_of_image_maps():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1),
                              torch.nn.Flatten(), torch.nn.Linear(4, 2)).double()
    X = np.random.RandomState(0).normal(size=(2, 3, 8, 8))
    cam = skxai.GradCamExplainer(net, target_layer="1").fit(X)
    report = make_report({"cam": cam}, X, explanations={"cam": cam.explain(X)[:, 2:6, 2:6]}, n_local=1,
                         metrics=["deletion_auc"], dpi=30)
    assert re.search(r"Explaining failed: ValueError: .*inputs of shape \(3, 4, 4\) \(a crop\?\), but X's are "
                     r"\(3, 8, 8\)", _text(report)), _text(report)
