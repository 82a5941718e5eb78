"""The feature values written beside a waterfall's rows and under a force strip: a whole number
from 100 up printed with a decimal ("total cholesterol (s1) = 180.0", "proline = 1480.0") while
one below 100 did not ("blood sugar (s6) = 88"), in the same picture."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from skxai import Explanation  # noqa: E402
from skxai.plot import ForceDisplay, WaterfallDisplay  # noqa: E402

DATA = [180.0, 88.0, 1480.0, 14.4, 102.5, 12345.0]
NAMES = ["s1", "s6", "proline", "alcohol", "bp", "count"]



def _exp():
    values = np.array([[3.0, -2.0, 5.0, 1.0, -4.0, 2.5]])
    return Explanation(values, base_values=np.array([10.0]), data=np.array([DATA]), feature_names=NAMES,
                       method="ExactShapleyExplainer", quantity="prediction")


def _expected():
    # brute force: a whole number is written whole (thousands separated from 10,000 on, as
    # every other number of the pictures), a fraction as before
    out = {}
    for name, v in zip(NAMES, DATA, strict=True):
        whole = str(int(v)) if abs(v) < 1e4 else f"{int(v):,}"
        out[name] = whole if float(v).is_integer() else {14.4: "14.4", 102.5: "102.5"}[v]
    return out


def test_waterfall_writes_whole_values_whole():
    disp = WaterfallDisplay.from_explanation(_exp(), max_display=10)
    ticks = [t.get_text() for t in disp.ax_.get_yticklabels()]
    want = _expected()
    for name, text in want.items():
        assert f"{name} = {text}" in ticks, ticks


def test_force_writes_whole_values_whole():
    disp = ForceDisplay.from_explanation(_exp(), min_label=0.0)
    texts = [t.get_text() for t in disp.ax_.texts]
    joined = " | ".join(texts)
    assert "= 180.0" not in joined and "= 1480.0" not in joined
    assert any(t.endswith("s1 = 180") for t in texts), texts
