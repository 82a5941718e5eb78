"""The notebook table's base value and prediction use the labels' number format: a prediction of
0.99998 printed "1" (``.4g``), as if the model were sure of its class."""

import numpy as np

from skxai import Explanation
from skxai.plot._html import explanation_html


def test_a_prediction_near_one_is_not_printed_as_one():
    values = np.array([[0.3, 0.19998], [0.25, 0.25]])
    exp = Explanation(values, base_values=np.array([0.5, 0.5]), feature_names=["a", "b"], method="m")
    got = explanation_html(exp)
    assert "<td>0.99998</td>" in got  # 0.5 + 0.3 + 0.19998
    assert "<td>1</td>" in got  # 0.5 + 0.25 + 0.25 is exactly 1
    assert "<td>0.5</td>" in got  # the base value
