"""ImageShapley's ``explain`` holds the pixel heatmaps of every output: beyond the result
bound it is refused before any model call (20 ImageNet-sized images of 1,000 classes asked 8
GB), and ``transform`` (the explained output only) still runs."""

import numpy as np
import pytest

from skxai import ImageShapleyExplainer
from skxai.utils import _memory


class ManyOutputs:
    """A callable on images (n, 1, 16, 16) with 1,000 outputs, counting its calls."""

    def __init__(self):
        self.calls = 0
        self.w = np.random.RandomState(0).randn(256, 1000)

    def __call__(self, X):
        self.calls += 1
        return np.asarray(X).reshape(len(X), -1) @ self.w


def test_explain_of_every_outputs_heatmaps_beyond_the_bound_is_refused_first(monkeypatch):
    model = ManyOutputs()
    X = np.random.RandomState(1).rand(3, 1, 16, 16)
    est = ImageShapleyExplainer(model, n_segments=4, method="exact", target=7).fit(X)
    # 3 images x 256 pixels x 1,000 outputs x 8 bytes = 6.1 MB
    monkeypatch.setattr(_memory, "MAX_RESULT_BYTES", 4 * 2**20)
    calls = model.calls
    with pytest.raises(ValueError, match=r"heatmaps of every output.*use transform"):
        est.explain(X)
    assert model.calls == calls
    heat = est.transform(X)  # 3 x 256 values of the explained output
    assert heat.shape == (3, 16, 16)
    monkeypatch.setattr(_memory, "MAX_RESULT_BYTES", 4 * 2**30)
    np.testing.assert_allclose(est.explain(X).target_values, heat)
