"""Numbers used as class names read as classes ("probability of class 7", not "probability of 7");
an output index of a plain module, which has no classes, reads "output 1" (not "output of 1")."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from skxai import Explanation  # noqa: E402
from skxai.plot import ImageAttributionDisplay, WaterfallDisplay  # noqa: E402
from skxai.plot._base import output_label  # noqa: E402


def _exp(names, quantity, target=1, n_outputs=3):
    values = np.random.default_rng(0).normal(size=(2, 2, n_outputs))
    return Explanation(values, base_values=np.zeros((2, n_outputs)), output_names=names, output_axis=-1,
                       target_index=target, feature_names=["a", "b"], method="Demo", quantity=quantity)


@pytest.mark.parametrize("names", [[0, 1, 2], np.array([5, 7, 9]), np.array([0.0, 1.5, 3.0])])
@pytest.mark.parametrize("quantity", ["probability", "logit", "log-odds", "decision function"])
def test_numeric_class_names_read_as_classes(names, quantity):
    exp = _exp(names, quantity)
    name = names[1]
    assert output_label(exp) == f"{quantity} of class {name}"
    # a class picked by its label (as target reads numbers), or by slicing, reads the same
    assert output_label(exp, output=name.item() if hasattr(name, "item") else name) == f"{quantity} of class {name}"
    assert output_label(exp[:, :, 1]) == f"{quantity} of class {name}"
    disp = WaterfallDisplay.from_explanation(exp, index=0)
    assert f"{quantity} of class {name}" in disp.ax_.get_xlabel().replace("\n", " ")


def test_string_class_names_stay_as_they_are():
    exp = _exp(["setosa", "versicolor", "virginica"], "probability")
    assert output_label(exp) == "probability of versicolor"
    assert output_label(exp[:, :, 2]) == "probability of virginica"


def test_regressor_outputs_keep_their_wording():
    exp = _exp([0, 1, 2], "prediction", target=2)
    assert output_label(exp[:, :, 2]) == "prediction of output 2"
    assert output_label(exp) == "prediction of output 2"


def test_output_index_of_a_plain_module_reads_output_n():
    exp = _exp([0, 1, 2], "output")
    assert output_label(exp) == "output 1"
    assert output_label(exp, output=2) == "output 2"
    assert output_label(exp[:, :, 2]) == "output 2"
    # no class names at all: the index the user typed
    exp = Explanation(np.ones((2, 2, 3)), output_axis=-1, target_index=0, quantity="output")
    assert output_label(exp, output=2) == "output 2"
    # each sample its own output: no "class" for a module without classes
    exp = _exp([0, 1, 2], "output", target=np.array([0, 2]))
    assert output_label(exp) == "each sample's own output (0, 2)"
    assert output_label(exp, index=1) == "output 2"


def test_plain_torch_module_image_title():
    torch = pytest.importorskip("torch")
    import skxai

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3, padding=1), torch.nn.Flatten(), torch.nn.Linear(2 * 8 * 8, 3))
    X = np.random.RandomState(0).rand(4, 1, 8, 8).astype("float32")
    ex = skxai.GradientExplainer(net, target=1).fit(X)
    disp = ImageAttributionDisplay.from_explainer(ex, X, index=0)
    title = disp.figure_._suptitle.get_text()
    assert title.endswith(": output 1"), title
