"""The displays read ``output`` as ``target`` reads it."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from skxai import Explanation  # noqa: E402
from skxai.plot import BarDisplay, WaterfallDisplay  # noqa: E402
from skxai.plot._base import output_label  # noqa: E402


def _exp(names):
    values = np.random.default_rng(0).normal(size=(4, 3, 3)) * np.array([1.0, 10.0, 100.0])
    return Explanation(values, base_values=np.zeros((4, 3)), output_names=names, output_axis=-1, target_index=0,
                       feature_names=["a", "b", "c"], method="Demo", quantity="probability")


def _drawn(display):
    return sorted(round(p.get_width(), 9) for p in display.ax_.patches)


def test_an_integer_is_a_position_when_the_labels_are_no_numbers():
    # the text '2' matched output=2: the bar drew class '2' where target=2 and exp[..., 2]
    # explain the third class of ['10', '2', '3']
    exp = _exp(np.array(["10", "2", "3"]))
    third = BarDisplay.from_explanation(exp[..., 2])
    assert _drawn(BarDisplay.from_explanation(exp, output=2)) == _drawn(third)
    assert output_label(exp, output=2) == "probability of 3"
    assert output_label(exp, output="2") == "probability of 2"
    waterfall = WaterfallDisplay.from_explanation(exp, index=0, output=2)
    assert "probability of 3" in waterfall.ax_.get_xlabel().replace("\n", " ")


def test_an_integer_is_a_label_when_the_labels_are_numbers():
    # output=0 drew class 1 by position and output=1 drew class 1 by label
    exp = _exp(np.array([1, 3, 7]))
    assert output_label(exp, output=1) == "probability of class 1"
    assert output_label(exp, output=7) == "probability of class 7"
    assert output_label(exp, output="7") == "probability of class 7"
    assert _drawn(BarDisplay.from_explanation(exp, output=3)) == _drawn(BarDisplay.from_explanation(exp[..., 1]))
    with pytest.raises(ValueError, match=r"output=0 is not an output.*read as labels.*\[1, 3, 7\]"):
        BarDisplay.from_explanation(exp, output=0)
