"""Audit of the displays on inputs their authors did not try: every bug found has a test here."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from skxai import Explanation  # noqa: E402
from skxai.plot import (  # noqa: E402
    BarDisplay,
    BeeswarmDisplay,
    DependenceDisplay,
    ForceDisplay,
    WaterfallDisplay,
)


def _with(bad):
    values = np.array([[1.0, -2.0, 0.5], [0.3, 0.2, -0.1]])
    values[0, 1] = bad
    return Explanation(values, base_values=np.zeros(2), data=np.ones((2, 3)), feature_names=["a", "b", "c"])


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("draw", [
    lambda e: BarDisplay.from_explanation(e),
    lambda e: BeeswarmDisplay.from_explanation(e),
    lambda e: DependenceDisplay.from_explanation(e, feature="b"),
    lambda e: WaterfallDisplay.from_explanation(e),
    lambda e: ForceDisplay.from_explanation(e),
], ids=["bar", "beeswarm", "dependence", "waterfall", "force"])
def test_displays_refuse_non_finite_attributions(draw, bad):
    # NaN used to be drawn as no bar (feature "b", the largest, shown as the least important)
    # or to stop the waterfall with "OverflowError: cannot convert float infinity to integer"
    with pytest.raises(ValueError, match="finite attributions"):
        draw(_with(bad))
