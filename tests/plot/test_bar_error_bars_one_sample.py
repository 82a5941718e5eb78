"""error_bars="samples" on one explained sample is refused (it drew no bars, silently)."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")
import matplotlib  # noqa: E402

matplotlib.use("Agg")
from skxai import KernelShapExplainer  # noqa: E402
from skxai.plot import BarDisplay  # noqa: E402


def test_samples_error_bars_need_two_samples():
    rng = np.random.RandomState(0)
    exp = KernelShapExplainer(lambda A: A @ np.arange(1.0, 5.0), n_samples=16, random_state=0).fit(
        rng.normal(size=(5, 4))).explain(rng.normal(size=(1, 4)))
    with pytest.raises(ValueError, match="at least 2"):
        BarDisplay.from_explanation(exp, error_bars="samples")
    BarDisplay.from_explanation(exp, error_bars=True)  # the estimator's own errors still work
