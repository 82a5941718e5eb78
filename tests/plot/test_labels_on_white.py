"""Labels that lines cross stand on a white ground (a fresh user's look at the demo, session 29):
the force plot's dotted base-value line ran through "sex (1 or 2) = 1", and LIME's waterfall's
g(x) and model f(x) lines through their own labels."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from matplotlib.colors import to_rgba  # noqa: E402

from skxai import Explanation  # noqa: E402
from skxai.plot import ForceDisplay, WaterfallDisplay  # noqa: E402


def _white(text):
    patch = text.get_bbox_patch()
    return patch is not None and to_rgba(patch.get_facecolor())[:3] == (1.0, 1.0, 1.0)


def test_force_labels_stand_on_white():
    import matplotlib.pyplot as plt

    exp = Explanation(np.array([[3.0, -2.0, 1.5, 0.5]]), base_values=np.array([10.0]),
                      data=np.array([[1.0, 2.0, 3.0, 4.0]]), feature_names=["a", "b", "c", "d"])  # fmt: skip
    disp = ForceDisplay.from_explanation(exp, index=0)
    try:
        labels = [t for t in disp.ax_.texts if str(t.get_gid() or "").startswith("force-label-")]
        assert labels and all(_white(t) for t in labels)
    finally:
        plt.close(disp.figure_)


def test_surrogate_waterfall_labels_stand_on_white():
    import matplotlib.pyplot as plt
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    from skxai import LimeExplainer

    X, y = load_iris(return_X_y=True)
    model = LogisticRegression(max_iter=500).fit(X, y)
    exp = LimeExplainer(model, n_samples=200, random_state=0).fit(X).explain(X[:2])
    disp = WaterfallDisplay.from_explanation(exp, index=0)
    try:
        named = [t for t in disp.ax_.texts if "f(x)" in t.get_text() or "g(x)" in t.get_text()]
        assert any("model f(x)" in t.get_text() for t in named)
        assert all(_white(t) for t in named), [t.get_text() for t in named if not _white(t)]
    finally:
        plt.close(disp.figure_)
