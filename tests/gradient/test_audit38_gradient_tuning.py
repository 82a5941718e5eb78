"""Tuning the gradient family: a completeness gap at rounding is none (IG's score and tol on a
sample with f(x) = f(x0)), an inner tol SmoothGrad would not apply is refused, and the metrics
refuse layer attributions before computing them."""

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402

from skxai import (  # noqa: E402
    GradientExplainer,
    IntegratedGradientsExplainer,
    SmoothGradExplainer,
)
from skxai.metrics import deletion_auc  # noqa: E402


def _tent():
    # f(x) = relu(1 - |x0 + x1|): zero far from the diagonal band on either side
    net = nn.Sequential(nn.Linear(2, 2, bias=False), nn.ReLU(), nn.Linear(2, 1), nn.ReLU()).eval()
    with torch.no_grad():
        net[0].weight[:] = torch.tensor([[1.0, 1.0], [-1.0, -1.0]])
        net[2].weight[:] = torch.tensor([[-1.0, -1.0]])
        net[2].bias[:] = 1.0
    return net


X = np.array([[0.2, 0.1], [0.5, -0.1], [0.3, 0.3], [1.5, 1.0], [0.1, 0.0]], dtype=np.float32)
BASE = np.array([-1.5, -1.0], dtype=np.float32)  # f = 0 there and at row 3, whose path crosses the tent


def test_a_gap_at_rounding_on_an_unchanged_output_scores_as_none():
    net = _tent()
    scores = [IntegratedGradientsExplainer(net, n_steps=n, baseline=BASE).fit(X).score(X) for n in (8, 64, 512)]
    assert np.isfinite(scores).all(), scores  # -inf for a gap of 1e-17 before
    assert scores[0] < scores[1] < scores[2]
    search = GridSearchCV(
        IntegratedGradientsExplainer(net, baseline=BASE), {"n_steps": [8, 64, 512]}, cv=[(np.arange(5), np.arange(5))]
    ).fit(X)
    assert search.best_params_ == {"n_steps": 512}
    exp = IntegratedGradientsExplainer(net, n_steps=64, baseline=BASE).fit(X).explain(X)
    assert exp.convergence_rounding[3] > abs(exp.convergence_delta[3]) > 0


def test_tol_stops_on_a_rounding_gap_and_still_refines_a_real_one():
    net = _tent()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        exp = IntegratedGradientsExplainer(net, n_steps=64, baseline=BASE, tol=0.05, max_steps=1024).fit(X).explain(X)
    assert exp.n_steps_used[3] == 64  # refined to max_steps, then warned, before
    # the same unchanged output, crossed off-centre: the left rule's gap is real
    far = np.array([[1.5, 1.0]], dtype=np.float32)
    start = np.array([-1.5, -0.5], dtype=np.float32)
    coarse = IntegratedGradientsExplainer(net, n_steps=3, method="riemann_left", baseline=start).fit(far)
    gap = coarse.explain(far)
    assert abs(gap.convergence_delta[0]) > 1e3 * gap.convergence_rounding[0]
    assert coarse.score(far) == -np.inf
    refined = coarse.set_params(tol=1e-3, max_steps=4096).explain(far)
    assert refined.n_steps_used[0] > 3


def test_smoothgrad_refuses_an_inner_tol_it_would_not_apply():
    net = _tent()
    inner = IntegratedGradientsExplainer(None, n_steps=8, tol=1e-4)
    with pytest.raises(ValueError, match=r"IntegratedGradientsExplainer\(tol=0.0001\).*applies no tol"):
        SmoothGradExplainer(net, method=inner, n_samples=2, random_state=0).fit(X)
    SmoothGradExplainer(net, method=inner.set_params(tol=None), n_samples=2, random_state=0).fit(X)


def _conv():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv1d(2, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 8, 3)).eval()


@pytest.mark.parametrize(
    "make",
    [
        lambda net: GradientExplainer(net, target_layer="0"),
        lambda net: SmoothGradExplainer(net, target_layer="0", n_samples=3, random_state=0),
        lambda net: IntegratedGradientsExplainer(net, target_layer="0", scoring="infidelity"),
    ],
)
def test_metrics_refuse_layer_attributions_before_computing_them(make):
    net = _conv()
    Z = np.random.RandomState(0).randn(6, 2, 10).astype(np.float32)
    ex = make(net).fit(Z)
    calls = []
    ex.transform = lambda *a, **k: calls.append(1)  # never reached
    with pytest.raises(ValueError, match="activations of target_layer='0', not to X's features"):
        ex.score(Z)
    with pytest.raises(ValueError, match="activations of target_layer='0'"):
        deletion_auc(ex, Z)
    assert not calls
    # given attributions of X, the layer explainer only names the model and targets
    deletion_auc(ex, Z, attributions=np.ones_like(Z))


def test_ig_own_score_takes_layers():
    net = _conv()
    Z = np.random.RandomState(0).randn(6, 2, 10).astype(np.float32)
    assert np.isfinite(IntegratedGradientsExplainer(net, target_layer="0").fit(Z).score(Z))
