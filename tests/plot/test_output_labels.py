"""Pictures name the class they show: the one picked by ``output=``, or each sample's predicted one."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from skxai import Explanation  # noqa: E402
from skxai.plot import BarDisplay, BeeswarmDisplay, ForceDisplay, WaterfallDisplay  # noqa: E402

CLASSES = ["setosa", "versicolor", "virginica"]


def _three_class_explanation():
    values = np.random.default_rng(0).normal(size=(3, 2, 3))
    outputs = np.array([[0.1, 0.2, 0.7], [0.8, 0.1, 0.1], [0.1, 0.8, 0.1]])  # predicted: 2, 0, 1
    return Explanation(values, base_values=np.full((3, 3), 0.3), output_names=CLASSES,
                       target_index="predicted", output_axis=-1, outputs=outputs,
                       feature_names=["a", "b"], method="KernelShapExplainer", quantity="probability")



@pytest.mark.parametrize("display, kwargs", [
    (BarDisplay, {}),
    (BeeswarmDisplay, {}),
    (WaterfallDisplay, {"index": 1}),
    (ForceDisplay, {"index": 1}),
])
def test_output_by_index_is_labelled_with_the_class_name_and_quantity(display, kwargs):
    # output=2 used to read "output 2" (bar), "probability of 2" (waterfall, force), or the
    # predicted class although another one was drawn (beeswarm).
    disp = display.from_explanation(_three_class_explanation(), output=2, **kwargs)
    label = disp.ax_.get_xlabel().replace("\n", " ")
    assert "probability of virginica" in label


def test_beeswarm_output_by_name_labels_that_class():
    disp = BeeswarmDisplay.from_explanation(_three_class_explanation(), output="versicolor")
    assert "probability of versicolor" in disp.ax_.get_xlabel().replace("\n", " ")


@pytest.mark.parametrize("display", [WaterfallDisplay, ForceDisplay])
def test_one_sample_of_predicted_target_names_its_predicted_class(display):
    # target "predicted": sample 1 is predicted setosa, and the picture says so by name
    # rather than "the predicted class".
    disp = display.from_explanation(_three_class_explanation(), index=1)
    assert "probability of setosa" in disp.ax_.get_xlabel()
    assert "predicted class" not in disp.ax_.get_title()


def test_several_samples_of_predicted_target_list_their_classes():
    disp = BarDisplay.from_explanation(_three_class_explanation())
    label = disp.ax_.get_xlabel().replace("\n", " ")
    assert "each sample's own class" in label
    assert all(name in label for name in CLASSES)
