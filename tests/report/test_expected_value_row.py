"""The overview's expected-value row: a base only when the attributions add up from it, and each
value next to its output's name.

The demo's image page gave every gradient and CAM explainer an "expected value (base)" of
"-0.477, 3.8, -23.2, -4.4" (Saliency) or "-2.4, 4.05, -18.3, -5.82" (SmoothGrad) for the same
network: the mean logit over each explainer's own random background, which is no base of a
gradient map (integrated gradients' base is the output at its baseline), with no class names.
"""

import re

import numpy as np
import pytest

pytest.importorskip("matplotlib")
from sklearn.linear_model import LogisticRegression  # noqa: E402

from skxai import ExactShapleyExplainer  # noqa: E402
from skxai.report._sections import what_html  # noqa: E402


def _row(html, key_start):
    m = re.search(r"<th>(" + re.escape(key_start) + r"[^<]*)</th><td>([^<]*)</td>", html)
    return m.groups() if m else None


def test_additive_explainer_keeps_the_base_and_names_the_classes():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    y = np.where(X[:, 0] > 0, "yes", "no")
    model = LogisticRegression().fit(X, y)
    ex = ExactShapleyExplainer(model, max_background=10).fit(X)
    exp = ex.explain(X[:4])
    key, value = _row(what_html(ex, X[:4], exp, 0.1), "expected value")
    assert key == "expected value (base)"
    assert re.fullmatch(r"no: [0-9.]+, yes: [0-9.]+", value), value


def test_gradient_explainer_says_mean_output_over_the_background():
    torch = pytest.importorskip("torch")
    from torch import nn

    from skxai import GradientExplainer, IntegratedGradientsExplainer

    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(16, 3)).double().eval()
    X = torch.randn(30, 1, 4, 4, dtype=torch.float64).numpy()
    for cls in (GradientExplainer, IntegratedGradientsExplainer):
        ex = cls(net, max_background=20).fit(X)
        exp = ex.explain(X[:3])
        exp.output_names = ["a", "b", "c"]
        html = what_html(ex, X[:3], exp, 0.1)
        assert _row(html, "expected value") is None, cls
        key, value = _row(html, "mean output over the background")
        assert key == "mean output over the background (20 samples)"
        assert value.startswith("a: ") and ", b: " in value and ", c: " in value


def test_single_output_regressor_is_not_described_as_output_0():
    from sklearn.linear_model import Ridge

    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    ex = ExactShapleyExplainer(Ridge().fit(X, X[:, 0]), max_background=10).fit(X)
    html = what_html(ex, X[:4], ex.explain(X[:4]), 0.1)
    assert "<th>outputs</th><td>one (the model has a single output)</td>" in html
    assert "explained output" not in html
    key, value = _row(html, "expected value")
    assert key == "expected value (base)" and ":" not in value


def test_path_dependent_treeshap_says_where_its_base_comes_from():
    # beside an explainer of the same model on a background sample, its base differed without a
    # word (152.1 against 163.1 on the demo's diabetes page)
    from sklearn.ensemble import RandomForestRegressor

    from skxai import TreeShapExplainer

    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 3))
    model = RandomForestRegressor(5, random_state=0).fit(X, X[:, 0] + 10)
    for game, start in (("tree_path_dependent", "expected value (base: mean output of the trees over their training"),
                        ("interventional", "expected value (base)")):  # fmt: skip
        ex = TreeShapExplainer(model, feature_perturbation=game).fit(X[:20])
        key, _ = _row(what_html(ex, X[:4], ex.explain(X[:4]), 0.1), "expected value")
        assert key.startswith(start), key
    key, _ = _row(what_html(ex, X[:4], ex.explain(X[:4]), 0.1), "expected value")
    assert key == "expected value (base)"
