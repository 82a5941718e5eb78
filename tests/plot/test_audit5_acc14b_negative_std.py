"""Error bars from standard errors that cannot be ones (audit 5, acc14b): a negative std.

BarDisplay squared a negative std away (``sqrt(sum std**2) / n``) and drew the bars as if the
errors were |std|; WaterfallDisplay stopped with matplotlib's "'xerr' must not contain negative
values". Both now refuse it at once, naming the explanation's std."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from skxai import Explanation  # noqa: E402
from skxai.plot import BarDisplay, WaterfallDisplay  # noqa: E402


def _explanation(std):
    values = np.array([[1.0, -2.0, 0.5], [0.3, 0.2, -1.0]])
    return Explanation(values, base_values=np.zeros(2), feature_names=["a", "b", "c"], std=std)


@pytest.mark.parametrize("display", [BarDisplay, WaterfallDisplay])
def test_negative_std_is_refused(display):
    std = np.full((2, 3), 0.1)
    std[1, 2] = -0.1
    with pytest.raises(ValueError, match="negative standard errors"):
        display.from_explanation(_explanation(std), error_bars=True)


@pytest.mark.parametrize("display", [BarDisplay, WaterfallDisplay])
def test_zero_nan_and_inf_std_are_still_drawn(display):
    # 0 (exact values), inf and NaN (unknown errors) stay valid
    std = np.array([[0.0, np.inf, np.nan], [0.0, 0.2, 0.1]])
    disp = display.from_explanation(_explanation(std), error_bars=True)
    assert disp.figure_ is not None


def test_negative_std_is_fine_without_error_bars():
    std = -np.ones((2, 3))
    disp = BarDisplay.from_explanation(_explanation(std), error_bars=False)
    assert len(disp.bars_) == 3
